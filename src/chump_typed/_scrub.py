"""Keeping secrets out of the local variables a traceback holds.

Error trackers (Sentry, Rollbar) and ``pytest -l`` record the locals of every frame
in an exception's traceback, and of the exceptions it chains to. Ours hold tokens and
user keys as plain strings (a method's parameters, attrs' generated ``__init__``,
urllib3's request body). So each public entry point is wrapped: when it raises, the
frames it left behind are cleared of their locals before the error reaches the
caller. Only frames of chump_typed, of attrs' generated methods and of the libraries
that carry the request (urllib3, http.client, socket, ssl) are cleared; a caller's own
frames, and a user-supplied transport's, keep theirs.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, Final, TypeVar

__all__ = ["scrubbed", "scrubbed_async", "scrubbing"]

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

#: Top-level packages whose frames may hold a secret.
_OURS: Final = frozenset(
    {"chump_typed", "urllib3", "http", "socket", "ssl", "attr", "attrs"}
)


def _is_ours(frame: FrameType) -> bool:
    if frame.f_code.co_filename.startswith("<attrs generated"):
        return True
    module = str(frame.f_globals.get("__name__", ""))
    return module.partition(".")[0] in _OURS


def _clear(error: BaseException) -> None:
    """Clear the finished frames of *error*'s traceback, and of those it chains to."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            if _is_ours(tb.tb_frame):
                # A frame still running (an outer entry point) clears its own.
                with contextlib.suppress(RuntimeError):
                    tb.tb_frame.clear()
            tb = tb.tb_next
        pending += [e for e in (current.__cause__, current.__context__) if e]


def scrubbed(function: F) -> F:
    """*function*, clearing the locals of the frames it leaves when it raises."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BaseException as error:
            del args, kwargs  # this frame stays in the traceback
            _clear(error)
            raise

    return wrapper  # type: ignore[return-value]  # same signature, by wraps


def scrubbed_async(function: F) -> F:
    """The coroutine-function twin of :func:`scrubbed`."""

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await function(*args, **kwargs)
        except BaseException as error:
            del args, kwargs
            _clear(error)
            raise

    return wrapper  # type: ignore[return-value]  # same signature, by wraps


def scrubbing(cls: C) -> C:
    """*cls* with ``__init__`` and every public method :func:`scrubbed` (coroutine
    methods by :func:`scrubbed_async`)."""
    for name, value in list(vars(cls).items()):
        if inspect.isfunction(value) and (
            name == "__init__" or not name.startswith("_")
        ):
            wrap = scrubbed_async if inspect.iscoroutinefunction(value) else scrubbed
            setattr(cls, name, wrap(value))
    return cls
