"""One deadline for a whole call, enforced even against a server that trickles bytes.

Socket timeouts bound each read, not the call: a server sending a byte every second
never trips them. So each attempt is watched: the connection it uses registers with a
:class:`Guard`, and one watchdog thread per process shuts that connection's socket down
when the guard's time is up. The blocked read then returns, the attempt fails, and the
transport reports the deadline. The socket is shut down, never closed, from the watchdog
thread: closing a descriptor another thread is reading is unsafe, shutting it down wakes
the reader.

The watchdog thread starts on first use and sleeps until the earliest deadline of the
calls in progress; a forked child gets a fresh one (the parent's thread does not exist
there).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Final, Protocol

from chump_typed._fork import renew_after_fork

__all__ = ["GRACE", "WATCHDOG", "Guard", "Watchdog", "current_guard"]

#: Reads may wait this many seconds past the deadline: the deadline, not a socket
#: timeout that happens to end at the same moment, is what cuts a stalled call off (and
#: reports it), while a watchdog delayed on a busy machine is still backed up.
GRACE: Final = 1.0


class _HasSocket(Protocol):
    @property
    def sock(self) -> socket.socket | None: ...


class Guard:
    """The watch kept over one attempt: which connection it uses, whether the request
    was started on it, and whether the deadline cut it off."""

    __slots__ = ("connection", "deadline", "expired", "released", "started_sending")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.connection: _HasSocket | None = None
        self.started_sending = False
        self.expired = False
        self.released = False

    def __repr__(self) -> str:
        return f"Guard(expired={self.expired}, released={self.released})"


_local: Final = threading.local()


def current_guard() -> Guard | None:
    """The guard of the attempt running on this thread, if any."""
    guard: Guard | None = getattr(_local, "guard", None)
    return guard


class Watchdog:
    """Shuts down the sockets of attempts whose deadline has passed."""

    def __init__(self) -> None:
        self._start_afresh()
        renew_after_fork(self)

    def _start_afresh(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._active: set[Guard] = set()
        self._wake_at: float | None = None
        self._thread: threading.Thread | None = None

    def _after_fork_in_child(self) -> None:
        self._start_afresh()

    def watch(self, seconds: float) -> Guard:
        """Start watching an attempt on this thread that must end within *seconds*."""
        guard = Guard(time.monotonic() + seconds)
        with self._lock:
            self._active.add(guard)
            if self._thread is None:
                thread = threading.Thread(
                    target=self._run, name="chump_typed-deadline", daemon=True
                )
                try:
                    thread.start()
                except RuntimeError:
                    # At interpreter exit (3.12+) no thread may start: a send made
                    # then (the logging handler's last records) goes out guarded by
                    # its socket timeouts alone, which the deadline clips.
                    pass
                else:
                    self._thread = thread
            elif self._wake_at is None or guard.deadline < self._wake_at:
                self._wake.notify()
        _local.guard = guard
        return guard

    def attach(self, connection: _HasSocket | None, *, sending: bool) -> None:
        """Note that this thread's attempt uses *connection* (``None``: the one noted
        before, if any) and, when *sending*, that it is about to write the request."""
        guard = current_guard()
        if guard is None:
            return
        with self._lock:
            if not guard.released:
                if connection is not None:
                    guard.connection = connection
                guard.started_sending = guard.started_sending or sending
                if guard.expired:  # cut off while connecting: the socket is new
                    _cut_off(guard)

    def release(self, guard: Guard) -> bool:
        """Stop watching *guard*'s attempt; whether the deadline had cut it off."""
        _local.guard = None
        with self._lock:
            guard.released = True
            guard.connection = None
            self._active.discard(guard)
            return guard.expired

    def _run(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                for guard in [g for g in self._active if g.deadline <= now]:
                    self._active.discard(guard)
                    _cut_off(guard)
                self._wake_at = min((g.deadline for g in self._active), default=None)
                self._wake.wait(None if self._wake_at is None else self._wake_at - now)


def _cut_off(guard: Guard) -> None:
    """Mark *guard* expired and wake whatever reads its connection's socket."""
    guard.expired = True
    connection = guard.connection
    sock = None if connection is None else connection.sock
    if sock is not None:
        # Already closed or never connected (OSError): nothing is blocked on it.
        with contextlib.suppress(OSError):
            # The plain socket's shutdown, also for a TLS socket: SSLSocket.shutdown
            # would drop its TLS state under the reading thread's feet.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


#: The process's watchdog, shared by every transport.
WATCHDOG: Final = Watchdog()
