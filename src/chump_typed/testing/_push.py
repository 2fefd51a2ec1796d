"""The fake's realtime stream: a WebSocket server on loopback, as Pushover's
``wss://client.pushover.net/push`` behaves (pushover-api.md §13).

A client logs in with ``login:<device_id>:<secret>\\n``; a bad login is answered ``E``.
Then the server sends ``#`` at once (so the client knows the login was taken),
``!`` whenever a message arrives for that device, and ``#`` every *keepalive*
seconds. Tests script the rest through the fake:
:meth:`FakePushover.push <chump_typed.testing.FakePushover.push>` sends ``R``, ``E``,
``A`` (or any frame) and :meth:`FakePushover.drop_push
<chump_typed.testing.FakePushover.drop_push>` drops connections without a close frame.

websockets is imported here only, and only when a test asks for ``fake.push_url``.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
from collections.abc import Callable
from typing import Any, Final

__all__ = ["DROP", "PushServer"]

#: A queued instruction to drop the connection abruptly (no close frame).
DROP: Final = object()
_STOP: Final = object()
#: How long a connection may take to send its login line.
_LOGIN_WAIT: Final = 10.0


class _Connection:
    """One logged-in socket: its device, and what to send it next."""

    def __init__(self, device_id: str) -> None:
        self.device_id = device_id
        self.outbox: queue.Queue[object] = queue.Queue()


class PushServer:
    """Serves the stream for *login* (``(device_id, secret) -> bool``) on *host*."""

    def __init__(
        self, host: str, login: Callable[[str, str], bool], keepalive: float
    ) -> None:
        from websockets.sync.server import serve

        self._login = login
        self._keepalive = keepalive
        self._lock = threading.Lock()
        self._connections: set[_Connection] = set()
        self._handlers: set[threading.Thread] = set()
        self._stopping = threading.Event()
        self.logins = 0
        #: Every login is answered with this frame, then closed (``"R"``: a storm).
        self.login_answer: str | None = None
        self._server = serve(
            self._handle,
            host,
            0,
            logger=logging.getLogger("chump_typed.testing.push"),
            compression=None,
        )
        port = self._server.socket.getsockname()[1]
        self.url: Final = f"ws://{host}:{port}/push"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-push", daemon=True
        )
        self._thread.start()

    def send(self, frame: object, device_id: str | None = None) -> int:
        """Queue *frame* (or :data:`DROP`) for the connections of *device_id* (every
        connection when ``None``); the number reached."""
        with self._lock:
            chosen = [
                c
                for c in self._connections
                if device_id is None or c.device_id == device_id
            ]
        for connection in chosen:
            connection.outbox.put(frame)
        return len(chosen)

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._connections)

    def _handle(self, websocket: Any) -> None:
        with self._lock:
            self._handlers.add(threading.current_thread())
        try:
            self._serve_one(websocket)
        finally:
            with self._lock:
                self._handlers.discard(threading.current_thread())

    def _serve_one(self, websocket: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            line = websocket.recv(timeout=_LOGIN_WAIT)
        except (TimeoutError, ConnectionClosed):
            return
        text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        command, _, rest = text.rstrip("\n").partition(":")
        device_id, _, secret = rest.partition(":")
        if command != "login" or not self._login(device_id, secret):
            self._quietly(websocket.send, "E")
            self._quietly(websocket.close)
            return
        answer = self.login_answer
        if answer is not None:
            with self._lock:
                self.logins += 1
            self._quietly(websocket.send, answer)
            self._quietly(websocket.close)
            return
        connection = _Connection(device_id)
        with self._lock:
            self._connections.add(connection)
            self.logins += 1
        connection.outbox.put("#")  # at once: the login was taken (see step())
        try:
            while not self._stopping.is_set():
                try:
                    frame = connection.outbox.get(timeout=self._keepalive)
                except queue.Empty:
                    frame = "#"
                if frame is _STOP:
                    break
                if frame is DROP:
                    # Gone without a close frame, as a dead network leaves a socket.
                    self._quietly(websocket.socket.shutdown, socket.SHUT_RDWR)
                    return
                websocket.send(frame)
        except ConnectionClosed:
            return
        finally:
            with self._lock:
                self._connections.discard(connection)
        self._quietly(websocket.close)

    @staticmethod
    def _quietly(action: Callable[..., object], *args: object) -> None:
        try:
            action(*args)
        except Exception:  # the peer may already be gone
            return

    def stop(self) -> None:
        """Stop serving; end every connection and join every thread."""
        self._stopping.set()
        self.send(_STOP)
        self._server.shutdown()
        self._thread.join()
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            handler.join(timeout=5)
