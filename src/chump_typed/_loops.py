"""Which event loop an async transport belongs to.

An async transport's connections (an aiohttp session, httpx's pool) belong to the
event loop that opened them: they must not be used, or closed, from another. The
rule, for every async transport chump_typed makes: the first loop that uses it binds
it, and any other loop gets a :class:`RuntimeError` naming both, even when the first
use happens in several threads at once (the binding is taken under a lock, held for a
few statements and never across an ``await``). ``aclose()`` in the bound loop
releases it, so the next loop to use it binds it afresh; so does a fork, in the
child, where the parent's loop does not run.
"""

from __future__ import annotations

import sys
import threading
from typing import Final

from chump_typed._fork import renew_after_fork

#: What a forked child inherited from its parent's async transports (sessions,
#: pools): kept, never closed or collected (closing them could disturb the parent's
#: connections, and their finalizers would try to).
INHERITED: Final[list[object]] = []


def running_loop() -> object:
    """The running event loop (asyncio) or run (trio: its token)."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            return trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
    raise RuntimeError("an async transport needs a running asyncio or trio loop")


def describe(loop: object) -> str:
    """*loop* as an error names it: its kind, its id and the thread that runs it."""
    kind = "trio run" if type(loop).__name__ == "TrioToken" else type(loop).__name__
    thread = threading.current_thread().name
    return f"{kind} {id(loop):#x} in thread {thread!r}"


class LoopBinding:
    """The event loop one transport belongs to (see the module's docstring)."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._lock = threading.Lock()
        self._loop: object | None = None
        self._where = ""
        renew_after_fork(self)

    def bind(self, loop: object) -> None:
        """Bind to *loop* if nothing is bound; refuse any other loop.

        :raises RuntimeError: another event loop is bound (both are named).
        """
        with self._lock:
            if self._loop is None:
                self._loop, self._where = loop, describe(loop)
                return
            if self._loop is loop:
                return
            bound = self._where
        raise RuntimeError(
            f"this {self._owner} belongs to the event loop that first used it "
            f"({bound}) and was used from another event loop ({describe(loop)}): "
            "make one AsyncClient per event loop, or aclose() it in its own loop "
            "before another uses it"
        )

    @property
    def loop(self) -> object | None:
        return self._loop

    def release(self) -> None:
        """Forget the loop (after ``aclose()``): the next one to use it binds it."""
        with self._lock:
            self._loop, self._where = None, ""

    def _after_fork_in_child(self) -> None:
        """A forked child runs none of its parent's loops: unbound, with a new lock
        (a parent's thread may have held the old one)."""
        self._lock = threading.Lock()
        self._loop, self._where = None, ""
