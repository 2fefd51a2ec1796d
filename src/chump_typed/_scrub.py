"""Keeping secrets out of the local variables a traceback holds.

Error trackers (Sentry, Rollbar) and ``pytest -l`` record the locals of every frame
in an exception's traceback, and of the exceptions it chains to. Ours hold tokens and
user keys as plain strings (a method's parameters, attrs' generated ``__init__``), and
so do the libraries that carry a request (urllib3's, aiohttp's and httpx's request body,
cattrs' structuring of an answer). So every public entry point is wrapped
(:func:`scrubbing`): when it raises, before the error reaches the caller,

- every finished frame below the entry point is cleared of its locals, unless its code
  is the application's own: a frame is kept only when its file lies outside the
  standard library, the installed packages (site-packages) and chump_typed, and is a
  real file (generated code such as attrs' and cattrs' is cleared). So a transport,
  callback or ``on_ack`` the application passed in keeps its frames for debugging,
  whatever library it calls keeps none;
- the same holds for every exception the error chains to (``__cause__``,
  ``__context__``) and for the members of exception groups;
- the text of each of those exceptions (``args`` and PEP 678 notes) is redacted of the
  secrets in use (:mod:`chump_typed._redact`).

Cancellation and timeouts pass through unchanged in type. An error that is kept rather
than raised (a :class:`~chump_typed.Failed` outcome, the facade's ``Message.error``)
goes through :func:`kept` instead, which also drops the frames still running (those of
the code that keeps it).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from types import FrameType, FunctionType, TracebackType
from typing import Any, Final, TypeVar

from chump_typed._redact import redact_text

__all__ = [
    "SCRUBBED",
    "is_entry_class",
    "is_entry_name",
    "kept",
    "scrub",
    "scrub_public",
    "scrubbed",
    "scrubbing",
]

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)
E = TypeVar("E", bound=BaseException)

#: Set to ``True`` on every wrapped entry point (the test that walks the public API
#: looks for it).
SCRUBBED: Final = "__chump_typed_scrubbed__"

#: Dunder methods that are entry points too (iteration and context management).
_ENTRY_DUNDERS: Final = frozenset(
    {
        "__init__",
        "__call__",
        "__enter__",
        "__exit__",
        "__aenter__",
        "__aexit__",
        "__next__",
        "__anext__",
    }
)


@functools.cache
def _library_roots() -> tuple[str, ...]:
    """The folders whose code is a library's: the standard library, every
    site-packages folder and chump_typed's own."""
    import site
    import sysconfig

    roots = {
        sysconfig.get_path(name)
        for name in ("stdlib", "platstdlib", "purelib", "platlib")
    }
    roots.update(getattr(site, "getsitepackages", list)())
    with contextlib.suppress(AttributeError):
        roots.add(site.getusersitepackages())
    roots.add(os.path.dirname(os.path.abspath(__file__)))  # chump_typed itself
    roots.update(p for p in sys.path if p.endswith(".zip"))  # the zipped stdlib
    return tuple(os.path.join(os.path.realpath(r), "") for r in roots if r)


@functools.lru_cache(maxsize=1024)
def is_library_file(filename: str) -> bool:
    """Whether code from *filename* is a library's (its frames are cleared), rather
    than the application's own."""
    if filename.startswith("<") or not os.path.isabs(filename):
        return True  # generated (attrs, cattrs), frozen or exec'd code
    return os.path.realpath(filename).startswith(_library_roots())


def _chain(error: BaseException) -> Iterator[BaseException]:
    """*error*, the exceptions it chains to, and the members of exception groups."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (current.__cause__, current.__context__) if e]
        members = getattr(current, "exceptions", ())
        if isinstance(members, tuple):
            pending += [m for m in members if isinstance(m, BaseException)]  # pyright: ignore[reportUnknownVariableType]


def _clear_frame(frame: FrameType) -> None:
    """Clear a library frame's locals, unless it is still running (an outer entry
    point clears its own)."""
    if is_library_file(frame.f_code.co_filename):
        with contextlib.suppress(RuntimeError):
            frame.clear()


def _redact_text_of(error: BaseException) -> None:
    args = tuple(redact_text(a) if isinstance(a, str) else a for a in error.args)
    if args != error.args:
        with contextlib.suppress(Exception):  # an exception type with odd args
            error.args = args
    notes = getattr(error, "__notes__", None)
    if isinstance(notes, list):
        notes[:] = [redact_text(n) if isinstance(n, str) else n for n in notes]  # pyright: ignore[reportUnknownVariableType]


def scrub(error: E) -> E:
    """*error*, with its chain's text redacted and then its finished library frames
    cleared (see the module's docstring). The text goes first: clearing a frame may
    free the last reference to a secret's holder, which forgets the secret."""
    chain = list(_chain(error))
    for current in chain:
        _redact_text_of(current)
    for current in chain:
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            _clear_frame(tb.tb_frame)
            tb = tb.tb_next
    return error


def kept(error: E) -> E:
    """:func:`scrub` for an error kept on an object rather than raised: the frames
    still running (the keeper's own, and its callers') are dropped from its
    traceback, so keeping the error keeps none of them alive."""
    import inspect  # an error being kept: off the start-up path

    scrub(error)
    running: set[int] = set()
    frame = inspect.currentframe()
    while frame is not None:
        running.add(id(frame))
        frame = frame.f_back
    tb = error.__traceback__
    while tb is not None and id(tb.tb_frame) in running:
        tb = tb.tb_next
    return error.with_traceback(tb)


def scrubbed(function: F) -> F:
    """*function*, scrubbing (:func:`scrub`) what it raises (once: a function already
    wrapped is returned as it is)."""
    if getattr(function, SCRUBBED, False):
        return function
    if _is_coroutine_function(function):

        @functools.wraps(function)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return await function(*args, **kwargs)
            except BaseException as error:
                scrub(error)  # while the arguments (a secret's holder) are alive
                del args, kwargs  # this frame stays in the traceback
                raise

        wrapper: Callable[..., Any] = async_wrapper
    else:

        @functools.wraps(function)
        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except BaseException as error:
                scrub(error)
                del args, kwargs
                raise

        wrapper = sync_wrapper
    setattr(wrapper, SCRUBBED, True)
    return wrapper  # type: ignore[return-value]  # same signature, by wraps


def _is_coroutine_function(function: Callable[..., Any]) -> bool:
    """:func:`inspect.iscoroutinefunction` for a plain function, without importing
    :mod:`inspect` at start-up."""
    code = getattr(function, "__code__", None)
    return code is not None and bool(code.co_flags & _CO_COROUTINE)


#: The code flag of an ``async def`` (:data:`inspect.CO_COROUTINE`).
_CO_COROUTINE: Final = 0x80


def _wrapped(value: object) -> object | None:
    """*value* (a class attribute) with its functions :func:`scrubbed`, or ``None``
    if it is not a method, class or static method, or property."""
    if isinstance(value, (classmethod, staticmethod)):
        function: Callable[..., Any] = getattr(value, "__func__")  # noqa: B009  # pyright: ignore[reportUnknownArgumentType]
        if getattr(function, SCRUBBED, False):
            return None
        if isinstance(value, classmethod):
            return classmethod(scrubbed(function))
        return staticmethod(scrubbed(function))
    if isinstance(value, property) and value.fget is not None:
        if getattr(value.fget, SCRUBBED, False):
            return None
        return property(
            scrubbed(value.fget),
            value.fset and scrubbed(value.fset),
            value.fdel and scrubbed(value.fdel),
            value.__doc__,
        )
    if isinstance(value, FunctionType) and not getattr(value, SCRUBBED, False):
        return scrubbed(value)
    return None


def is_entry_name(name: str) -> bool:
    """Whether a method called *name* is an entry point (public, or an entry dunder)."""
    return not name.startswith("_") or name in _ENTRY_DUNDERS


def scrubbing(cls: C) -> C:
    """*cls* with every public method (class and static methods and properties
    included) and its entry dunders (``__init__``, ``__call__``, iteration, context
    management) :func:`scrubbed` — those it inherits from chump_typed's own classes
    too, on the class that defines them."""
    for owner in cls.__mro__:
        if not owner.__module__.startswith("chump_typed"):
            continue
        for name, value in list(vars(owner).items()):
            if is_entry_name(name) and (wrapped := _wrapped(value)) is not None:
                setattr(owner, name, wrapped)
    return cls


def is_entry_class(cls: type[Any]) -> bool:
    """Whether *cls*'s methods are entry points: not an exception, an enum, a
    protocol or a typed dict (values and declarations, which hold no secret)."""
    import enum
    import typing

    return not (
        issubclass(cls, (BaseException, enum.Enum))
        or getattr(cls, "_is_protocol", False)
        or typing.is_typeddict(cls)
    )


def scrub_public(namespace: dict[str, Any]) -> None:
    """Scrub every class (:func:`scrubbing`) and function (:func:`scrubbed`) that the
    module of *namespace* defines and exports in its ``__all__`` (for a private
    module, what its package re-exports): the entry points. What they call runs
    inside them, so it needs no wrapper of its own. Each module with entry points
    calls it last; a test walks the public API to find any entry point left out."""
    module = namespace["__name__"]
    for name in namespace["__all__"]:
        value = namespace.get(name)
        if getattr(value, "__module__", None) != module:
            continue
        if isinstance(value, type):
            if is_entry_class(value):
                scrubbing(value)
        elif isinstance(value, FunctionType):
            namespace[name] = scrubbed(value)
