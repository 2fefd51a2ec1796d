"""The sync realtime stream: :class:`Listener`, what :meth:`Session.listen
<chump_typed.receive.Session.listen>` returns.

It only carries out what :class:`~chump_typed.receive._stream.Machine` decides: open
the WebSocket and log in, download, yield, report, delete, wait for a frame, hang up,
wait before reconnecting. Every wait ends within a second of :meth:`Listener.close`,
from any thread: the handshake and the HTTP calls run in a helper thread that the
listener stops waiting for (each is bounded by its own timeout, and its result is
dropped), a frame is waited for on a socket that ``close()`` shuts, and the waits
between reconnections are an event's. Then what the consumer took is deleted, with
one attempt of at most :data:`~chump_typed.receive._stream.LAST_DELETE` seconds.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import socket as _socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chump_typed._scrub import scrub_public
from chump_typed.errors import TransportError, UnexpectedResponseError
from chump_typed.receive import _calls as rc
from chump_typed.receive import _stream

if TYPE_CHECKING:
    from typing_extensions import Self

    from chump_typed.e2ee import E2EEKey
    from chump_typed.models import ReceivedMessage
    from chump_typed.receive._sync import Session

__all__ = ["PASSING", "Listener"]

T = TypeVar("T")

#: Failures after which the listener reconnects rather than ends: the stream and the
#: HTTP calls of a long-lived device meet passing outages.
PASSING: tuple[type[BaseException], ...] = (
    TransportError,
    UnexpectedResponseError,
    OSError,
)

_logger = logging.getLogger("chump_typed.receive")

#: The seconds a polite close of the WebSocket may take (the server's close frame).
CLOSE_TIMEOUT = 1.0


class _Closed(Exception):
    """The listener was closed while it waited."""


class _Work(Generic[T]):
    """One blocking call in a helper thread, waited for until it ends or the listener
    is closed; what it returns after the listener stopped waiting is *dropped*."""

    def __init__(
        self, core: _Core, call: Callable[[], T], drop: Callable[[T], object]
    ) -> None:
        self._core, self._call, self._drop = core, call, drop
        self._done = False
        self._result: list[T] = []
        self._error: BaseException | None = None
        threading.Thread(target=self._run, name="chump-listen", daemon=True).start()

    def _run(self) -> None:
        try:
            result = self._call()
        except BaseException as error:  # handed to the listener's thread
            with self._core.changed:
                self._error, self._done = error, True
                self._core.changed.notify_all()
            return
        with self._core.changed:
            self._result.append(result)
            self._done = True
            abandoned = self._core.closed
            self._core.changed.notify_all()
        if abandoned:
            self._drop(result)

    def wait(self) -> T:
        core = self._core
        with core.changed:
            core.changed.wait_for(lambda: self._done or core.closed)
            if not self._done:
                raise _Closed
        if self._error is not None:
            raise self._error
        return self._result[0]


class _Core:
    """What the stream's generator uses: the session, the machine, the socket and
    the closing flag. It does not hold the :class:`Listener`, so that the listener's
    last reference going (a ``break`` out of a ``for`` loop) closes it at once."""

    def __init__(
        self,
        session: Session,
        device_id: str,
        *,
        e2ee_key: E2EEKey | None,
        silence: float,
        reconnect_wait: float,
        on_undecodable: rc.OnUndecodable | None,
    ) -> None:
        self.session = session
        self.device_id = device_id
        self.e2ee_key = e2ee_key
        self.on_undecodable = on_undecodable
        self.machine = _stream.Machine(silence=silence, first_wait=reconnect_wait)
        #: Guards ``closed`` and wakes every wait (an RLock: ``close()`` may run in a
        #: signal handler of the thread that waits).
        self.changed = threading.Condition(threading.RLock())
        self.closed = False
        self.socket: Any = None

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()
        _shut(self.socket)  # a recv() in another thread returns at once

    def blocking(self, call: Callable[[], T], drop: Callable[[T], object]) -> T:
        """*call*'s result, waited for until the listener is closed (then
        :class:`_Closed`, and the result, when it comes, goes to *drop*)."""
        return _Work(self, call, drop).wait()

    def sleep(self, seconds: float) -> None:
        with self.changed:
            if self.changed.wait_for(lambda: self.closed, seconds):
                raise _Closed

    def connect(self) -> Any:
        """A WebSocket to the push URL, logged in."""
        client = self.session.client
        secret = self.session.secret
        connection = _connect(client.push_url, client.transport)
        try:
            connection.send(_stream.login_line(self.device_id, secret))
        except BaseException:
            _hang_up(connection, polite=False)
            raise
        return connection

    def hang_up(self) -> None:
        connection = self.socket
        if connection is not None:
            # Still self.socket meanwhile: close() from another thread shuts it, so
            # a polite close waiting for the server's close frame ends at once.
            _hang_up(connection, polite=not self.closed)
            self.socket = None

    def last_delete(self) -> None:
        """Delete what the consumer took, with one short attempt; a failure is
        logged (the consumer's own exception, if any, goes on)."""
        through = self.machine.to_delete()
        if through is None:
            return
        try:
            self.session._delete_once(self.device_id, through)  # pyright: ignore[reportPrivateUsage]
        except Exception as error:
            _logger.warning(
                "could not delete the messages taken, through id %d, as the "
                "listener closed (they come again on the next run): %s",
                through,
                error,
            )
        else:
            self.machine.deleted(through)


class Listener(Iterator["ReceivedMessage"]):
    """An Open Client device's messages as they arrive: iterate over it, and
    :meth:`close` it (or leave its ``with`` block) to stop. Each message is yielded
    once, in order; what the consumer took is deleted on the server when it asks for
    the next one, or as the listener closes, so only the last message yielded can
    come again on the next run."""

    def __init__(
        self,
        session: Session,
        device_id: str,
        *,
        e2ee_key: E2EEKey | None,
        silence: float,
        reconnect_wait: float,
        on_undecodable: rc.OnUndecodable | None = None,
    ) -> None:
        self._device_id = device_id
        self._core = _Core(
            session,
            device_id,
            e2ee_key=e2ee_key,
            silence=silence,
            reconnect_wait=reconnect_wait,
            on_undecodable=on_undecodable,
        )
        self._messages = _run(self._core)
        #: Held while the generator runs: close() from another thread must not close
        #: it then (nor may __next__ resume it while close() does).
        self._advancing = threading.Lock()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> ReceivedMessage:
        with self._advancing:
            if self._core.closed:
                self._messages.close()
                raise StopIteration
            return next(self._messages)

    def close(self) -> None:
        """Stop listening, from any thread, within a second wherever the listener
        waits; then what was taken is deleted (one attempt of at most 2 s). The last
        message yielded, if the consumer did not ask for another, stays on the
        server."""
        self._core.close()
        # Running (in another thread, or this one's signal handler) it cannot be
        # closed here: it sees the flag and ends, deleting as it goes.
        if self._advancing.acquire(blocking=False):
            try:
                self._messages.close()
            finally:
                self._advancing.release()

    def __del__(self) -> None:
        # A ``break`` out of a ``for`` loop leaves the listener to the collector:
        # delete what was taken then (at once on CPython).
        if "_messages" in vars(self):
            try:
                self.close()
            except Exception:  # at interpreter exit, say: a finalizer must not raise
                _logger.debug("closing a listener left to the collector failed")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._core.closed else "open"
        return f"<Listener device={self._device_id!r} {state}>"


def _run(core: _Core) -> Generator[ReceivedMessage, None, None]:
    """The stream: the machine's commands, carried out."""
    try:
        yield from _follow(core)
    except _Closed:
        return
    finally:
        core.hang_up()
        core.last_delete()


def _follow(core: _Core) -> Iterator[ReceivedMessage]:
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    passing: tuple[type[BaseException], ...] = (
        *PASSING,
        ConnectionClosed,
        InvalidHandshake,
    )
    machine, session = core.machine, core.session
    while not core.closed:
        command = machine.next(time.monotonic())
        if isinstance(command, _stream.Give):
            yield command.message
            machine.took(time.monotonic())
        elif isinstance(command, _stream.Report):
            rc.report_undecodable(command.message, core.on_undecodable)
            machine.took(time.monotonic())
        elif isinstance(command, _stream.Receive):
            try:
                frame = core.socket.recv(timeout=command.timeout)
            except TimeoutError:
                machine.timed_out(time.monotonic())
            except passing as error:
                machine.failed(error, time.monotonic())
            else:
                machine.frame(frame, time.monotonic())
        elif isinstance(command, _stream.Download):
            try:
                read, unread = core.blocking(
                    lambda: session._download(core.device_id, core.e2ee_key),  # pyright: ignore[reportPrivateUsage]
                    _ignore,
                )
            except passing as error:
                machine.failed(error, time.monotonic())
            else:
                machine.downloaded(read, unread, time.monotonic())
        elif isinstance(command, _stream.Delete):
            through = command.through
            try:
                core.blocking(
                    functools.partial(session.delete_through, core.device_id, through),
                    _ignore,
                )
            except passing as error:
                machine.failed(error, time.monotonic())
            else:
                machine.deleted(through)
        elif isinstance(command, _stream.Connect):
            try:
                core.socket = core.blocking(core.connect, _abandon)
            except passing as error:
                machine.failed(error, time.monotonic())
            else:
                if core.closed:  # close() came as the handshake ended
                    raise _Closed
                machine.connected(time.monotonic())
        elif isinstance(command, _stream.Hangup):
            core.hang_up()
        elif isinstance(command, _stream.Sleep):
            core.sleep(command.seconds)
        else:
            if command.error is not None:
                raise command.error
            return


def _ignore(_result: object) -> None:
    """A call's result nobody waits for any more."""


def _abandon(connection: Any) -> None:
    """A WebSocket whose handshake ended after the listener was closed."""
    _hang_up(connection, polite=False)


def _shut(connection: Any) -> None:
    """Shut *connection*'s socket at once (a recv() waiting returns)."""
    raw = getattr(connection, "socket", None)
    if raw is not None:
        with contextlib.suppress(OSError):  # gone already
            raw.shutdown(_socket.SHUT_RDWR)


def _hang_up(connection: Any, *, polite: bool) -> None:
    """Close *connection*: with a close frame (waiting at most
    :data:`CLOSE_TIMEOUT` for the server's), or at once."""
    if not polite:
        _shut(connection)
    try:
        connection.close()
    except Exception:  # the peer may be gone
        return


def _connect(push_url: str, transport: object) -> Any:
    """A WebSocket to *push_url*, with chump_typed's proxy decision and a logger
    that redacts the login line."""
    from websockets.sync.client import connect

    opening = connect(
        push_url,
        proxy=_stream.proxy_for(push_url, transport),
        logger=_stream.stream_logger(),
        open_timeout=_stream.OPEN_TIMEOUT,
        close_timeout=CLOSE_TIMEOUT,
        max_size=4096,
    )
    # Entered as a context manager (websockets 17 warns otherwise), and closed by
    # hanging up.
    return opening.__enter__()


scrub_public(globals())
