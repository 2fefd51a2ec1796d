"""The sync realtime stream: :class:`Listener`, what :meth:`Session.listen
<chump_typed.receive.Session.listen>` returns.

The backlog is downloaded first; then the WebSocket is opened and logged in, what
arrived meanwhile is downloaded, and each ``!`` frame leads to another download. ``R``,
a dropped socket, a failed download and a silence longer than *silence* lead to a
reconnection (after a growing wait, except for ``R`` and silence); ``E`` and ``A``
end the stream with their errors; :meth:`Listener.close` ends it from any thread.
The rules are :mod:`chump_typed.receive._stream`'s.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

from chump_typed._scrub import scrub_public
from chump_typed.errors import TransportError, UnexpectedResponseError
from chump_typed.receive import _stream
from chump_typed.receive._stream import Action, Progress

if TYPE_CHECKING:
    from typing_extensions import Self

    from chump_typed.e2ee import E2EEKey
    from chump_typed.models import ReceivedMessage
    from chump_typed.receive._sync import Session

__all__ = ["PASSING", "Listener"]

#: Failures after which the listener reconnects rather than ends: the stream and the
#: HTTP calls of a long-lived device meet passing outages.
PASSING: tuple[type[BaseException], ...] = (
    TransportError,
    UnexpectedResponseError,
    OSError,
)


class Listener(Iterator["ReceivedMessage"]):
    """An Open Client device's messages as they arrive: iterate over it, and
    :meth:`close` it (or leave its ``with`` block) to stop. Each message is yielded
    once, in order; it is deleted on the server when the next one is asked for."""

    def __init__(
        self,
        session: Session,
        device_id: str,
        *,
        e2ee_key: E2EEKey | None,
        silence: float,
        reconnect_wait: float,
    ) -> None:
        self._session = session
        self._device_id = device_id
        self._e2ee_key = e2ee_key
        self._silence = silence
        self._reconnect_wait = reconnect_wait
        self._closed = threading.Event()
        self._socket: Any = None
        self._progress = Progress()
        self._messages = self._run()
        #: Held while the generator runs: close() from another thread must not close
        #: it then (nor may __next__ resume it while close() does).
        self._advancing = threading.Lock()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> ReceivedMessage:
        with self._advancing:
            if self._closed.is_set():
                self._messages.close()
                raise StopIteration
            return next(self._messages)

    def close(self) -> None:
        """Stop listening, from any thread: the iteration ends (a message yielded
        but not taken stays on the server)."""
        self._closed.set()
        socket = self._socket
        if socket is not None:
            socket.close()  # a recv() waiting in another thread returns at once
        # Running (in another thread, or this one's signal handler) it cannot be
        # closed here: it sees _closed and ends.
        if self._advancing.acquire(blocking=False):
            try:
                self._messages.close()
            finally:
                self._advancing.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed.is_set() else "open"
        return f"<Listener device={self._device_id!r} {state}>"

    def _deliver(self) -> Iterator[ReceivedMessage]:
        """Download, yield what is new, and delete what the consumer took."""
        session, progress = self._session, self._progress
        downloaded = session.download(self._device_id, e2ee_key=self._e2ee_key)
        for message in progress.fresh(downloaded):
            progress.give(message)
            yield message
            progress.took(message)
        through = progress.to_delete()
        if through is not None:
            session.delete_through(self._device_id, through)
            progress.deleted_through(through)

    def _run(self) -> Generator[ReceivedMessage, None, None]:
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        passing: tuple[type[BaseException], ...] = (
            *PASSING,
            ConnectionClosed,
            InvalidHandshake,
        )
        yield from self._deliver()  # the backlog
        waits = _stream.reconnect_waits(self._reconnect_wait)
        while not self._closed.is_set():
            try:
                with _connect(self._session) as socket:
                    self._socket = socket
                    socket.send(
                        _stream.login_line(self._device_id, self._session.secret)
                    )
                    yield from self._deliver()  # what arrived while no socket was open
                    waits = _stream.reconnect_waits(self._reconnect_wait)
                    yield from self._frames(socket)
            except passing:
                if self._closed.wait(next(waits)):
                    return
            finally:
                self._socket = None

    def _frames(self, socket: Any) -> Iterator[ReceivedMessage]:
        """Follow the socket's frames until ``R`` or a silence (then reconnect)."""
        first = True
        while not self._closed.is_set():
            try:
                frame = socket.recv(timeout=self._silence)
            except TimeoutError:
                return  # silence: the socket is dead; a new one at once
            step = _stream.step(frame, first=first)
            first = False
            if step is Action.RECONNECT:
                return  # Pushover asks: at once
            if step is Action.SYNC:
                yield from self._deliver()


def _connect(session: Session) -> Any:
    """A WebSocket to the push URL, with chump_typed's proxy decision and a logger
    that redacts the login line."""
    from websockets.sync.client import connect

    client = session.client
    return connect(
        client.push_url,
        proxy=_stream.proxy_for(client.push_url, client.transport),
        logger=_stream.stream_logger(),
        open_timeout=10,
        close_timeout=2,
        max_size=4096,
    )


scrub_public(globals())
