"""A hostile Open Client server of the tests' own, on loopback: the HTTP calls a
listener makes (download, delete) and its WebSocket, each able to misbehave as a
server having a bad day does: messages of the wrong shape or out of order, a broken
envelope, answers that never come, logins answered with ``R``, a handshake that
never completes.

It is not the shipped fake: it applies no rule but the ones a test sets, and says
what it saw (every request, every login, every deletion).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Generator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import attrs

SECRET = "hostileSessionSecret0123456789"
DEVICE = "hostileDevice42"

#: The longest a stalled answer is held: a test whose client failed to cut it off
#: still ends.
STALL_LIMIT = 120.0


def message(number: int, text: str | None = None, **fields: Any) -> dict[str, Any]:
    """One message as a download shows it."""
    return {
        "id": number,
        "id_str": str(number),
        "umid": number,
        "message": text if text is not None else f"message {number}",
        "app": "hostile",
        "aid": 1,
        "date": 1767225600 + number,
        "priority": 0,
        "acked": 0,
        **fields,
    }


@attrs.define
class Hostile:
    """The server's state and script, shared by its HTTP and WebSocket sides."""

    messages: dict[int, dict[str, Any]] = attrs.Factory(dict[int, dict[str, Any]])
    #: Replaces the download's JSON (a broken envelope) when set.
    envelope: bytes | None = None
    #: Every login is answered with this frame, then the socket closed ("R": a storm).
    login_answer: str | None = None
    #: Held open: downloads (or deletions) are not answered until the test ends.
    stall_downloads: bool = False
    stall_deletes: bool = False
    #: Frames the WebSocket sends after its first "#" (then it waits).
    logins: int = 0
    handshakes: int = 0
    downloads: int = 0
    deletes: list[int] = attrs.Factory(list[int])
    request_times: list[float] = attrs.Factory(list[float])
    ended: threading.Event = attrs.Factory(threading.Event)
    lock: threading.Lock = attrs.Factory(threading.Lock)
    sockets: list[Any] = attrs.Factory(list[Any])

    def add(self, *items: dict[str, Any]) -> None:
        with self.lock:
            for item in items:
                self.messages[int(item["id"])] = item

    def push(self, frame: str) -> None:
        """Send *frame* on every logged-in socket."""
        with self.lock:
            sockets = list(self.sockets)
        for websocket in sockets:
            with contextlib.suppress(Exception):
                websocket.send(frame)

    @property
    def requests(self) -> int:
        """HTTP calls and WebSocket handshakes so far."""
        with self.lock:
            return len(self.request_times)

    def count(self) -> None:
        """One more request (an HTTP call or a handshake)."""
        with self.lock:
            self.request_times.append(time.monotonic())


def _handler(state: Hostile) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet

        def _answer(self, body: bytes, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # http.server's name
            state.count()
            if not self.path.startswith("/1/messages.json"):
                self._answer(b'{"status":0,"errors":["not found"]}', 404)
                return
            with state.lock:
                state.downloads += 1
            if state.stall_downloads:
                state.ended.wait(STALL_LIMIT)
                return
            if state.envelope is not None:
                self._answer(state.envelope)
                return
            with state.lock:
                shown = [state.messages[n] for n in sorted(state.messages)]
            body = {"status": 1, "request": "hostile", "messages": shown}
            self._answer(json.dumps(body).encode())

        def do_POST(self) -> None:
            state.count()
            length = int(self.headers.get("content-length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if not self.path.endswith("/update_highest_message.json"):
                self._answer(b'{"status":0,"errors":["not found"]}', 404)
                return
            if state.stall_deletes:
                state.ended.wait(STALL_LIMIT)
                return
            through = int(form["message"][0])
            with state.lock:
                state.deletes.append(through)
                for number in [n for n in state.messages if n <= through]:
                    del state.messages[number]
            self._answer(b'{"status":1,"request":"hostile"}')

    return Handler


def _serve_socket(state: Hostile, websocket: Any) -> None:
    from websockets.exceptions import ConnectionClosed

    with state.lock:
        state.handshakes += 1
    state.count()
    try:
        websocket.recv(timeout=10)
    except (TimeoutError, ConnectionClosed):
        return
    with state.lock:
        state.logins += 1
    if state.login_answer is not None:
        with contextlib.suppress(ConnectionClosed):
            websocket.send(state.login_answer)
        return
    with state.lock:
        state.sockets.append(websocket)
    try:
        websocket.send("#")
        while not state.ended.is_set():
            try:
                websocket.recv(timeout=0.2)
            except TimeoutError:
                continue
    except ConnectionClosed:
        return
    finally:
        with state.lock:
            state.sockets.remove(websocket)


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that went away mid-answer (a cap, a close) is expected


@attrs.frozen
class Served:
    state: Hostile
    base_url: str
    push_url: str


@contextlib.contextmanager
def serving(state: Hostile) -> Generator[Served, None, None]:
    """Serve *state* on loopback: its HTTP calls and its WebSocket."""
    from websockets.sync.server import serve

    http = _Quiet(("127.0.0.1", 0), _handler(state))
    push = serve(
        lambda websocket: _serve_socket(state, websocket),
        "127.0.0.1",
        0,
        compression=None,
    )
    threads = [
        threading.Thread(target=http.serve_forever, daemon=True),
        threading.Thread(target=push.serve_forever, daemon=True),
    ]
    for thread in threads:
        thread.start()
    http_port = http.server_address[1]
    push_port = push.socket.getsockname()[1]
    try:
        yield Served(
            state,
            f"http://127.0.0.1:{http_port}/1/",
            f"ws://127.0.0.1:{push_port}/push",
        )
    finally:
        state.ended.set()
        http.shutdown()
        push.shutdown()
        http.server_close()
        for thread in threads:
            thread.join(10)


@contextlib.contextmanager
def silent_handshake() -> Generator[tuple[str, Callable[[], int]], None, None]:
    """A WebSocket URL whose server accepts connections and never answers the
    handshake (until the test ends), and how many it accepted so far."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}/push", lambda: len(held)
    finally:
        stop.set()
        thread.join(10)
        for conn in held:
            conn.close()
        listener.close()
