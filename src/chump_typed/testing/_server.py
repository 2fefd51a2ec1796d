"""The loopback HTTP/1.1 server: :func:`serve` and the :class:`FakeServer` behind it.

A ``ThreadingHTTPServer`` with keep-alive. Each answer leaves in one ``sendall`` (status
line, headers and body together) so latency measurements are not skewed by Nagle's
algorithm. Connection-level faults are played for real: a reset is an RST (``SO_LINGER``
zero), a truncated body announces more bytes than it sends. Stopping the server closes
idle keep-alive connections and joins every handler thread, so no socket or thread
outlives the ``with`` block.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import struct
import threading
from collections.abc import Generator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, cast

from chump_typed.testing._fake import FakePushover

__all__ = ["FakeServer", "loopback_address", "serve"]

_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")
_MAX_BODY: Final = 64 * 1024 * 1024


def loopback_address(host: str) -> str:
    """Return *host* as an IP literal, refusing anything that is not loopback."""
    address = "127.0.0.1" if host == "localhost" else host
    try:
        is_loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        is_loopback = False
    if not is_loopback:
        raise ValueError(f"the fake only binds loopback addresses, not {host!r}")
    return address


class _Server(ThreadingHTTPServer):
    """Tracks live connections so :meth:`FakeServer.stop` can close idle ones."""

    daemon_threads = False  # so server_close() joins every handler thread
    block_on_close = True

    def __init__(
        self,
        address: tuple[str, int],
        fake: FakePushover,
        ssl_context: ssl.SSLContext | None,
        delay: float,
    ) -> None:
        self.fake = fake
        self.ssl_context = ssl_context
        self.delay = delay
        self.stopping = threading.Event()
        self.live: set[socket.socket] = set()
        self.live_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        conn: socket.socket = request
        if self.ssl_context is not None:
            # Handshake later, in the handler thread, so one slow client cannot
            # stall the accept loop.
            conn = self.ssl_context.wrap_socket(
                conn, server_side=True, do_handshake_on_connect=False
            )
        with self.live_lock:
            self.live.add(conn)
        self.fake.connection_opened()
        super().process_request(conn, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # Named for the server's port, so a test can find this server's threads.
        threading.current_thread().name = f"{self.thread_name}-connection"
        super().process_request_thread(request, client_address)

    @property
    def thread_name(self) -> str:
        return f"chump-typed-fake-server:{self.server_address[1]}"

    def shutdown_request(self, request: Any) -> None:
        conn: socket.socket = request
        with self.live_lock:
            known = conn in self.live
            self.live.discard(conn)
        if known:
            self.fake.connection_closed()
        super().shutdown_request(conn)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients hanging up and failed handshakes are expected here."""

    def close_idle(self) -> None:
        """Unblock every handler thread waiting for its next request."""
        with self.live_lock:
            live = list(self.live)
        for conn in live:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(conn, socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def fake_server(self) -> _Server:
        """The server that created this handler."""
        return cast(_Server, self.server)

    def setup(self) -> None:
        conn = self.request
        if isinstance(conn, ssl.SSLSocket):
            conn.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        if not 0 <= length <= _MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length)

    def _serve(self) -> None:
        server = self.fake_server
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400, "bad request body")
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        exchange = server.fake.exchange(self.command, self.path, headers, body)
        server.stopping.wait(exchange.delay + server.delay)
        response = exchange.response
        if response is None:
            self._reset()
            return
        raw = response.body
        if exchange.disconnect is not None:
            raw = raw[: len(raw) // 2]
            self.close_connection = True
        reason = self.responses.get(response.status, ("Unknown",))[0]
        lines = [f"HTTP/1.1 {response.status} {reason}"]
        lines += [f"{name}: {value}" for name, value in response.headers.items()]
        if not any(name.lower() == "date" for name in response.headers):
            # Like Pushover (and RFC 9110 for any server with a clock); chump reads
            # sent_at and APIError.timestamp from it.
            lines.append(f"date: {self.date_time_string()}")
        lines += [
            f"content-length: {len(response.body)}",
            "connection: " + ("close" if self.close_connection else "keep-alive"),
        ]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.connection.sendall(head + raw)
        except OSError:
            self.close_connection = True

    def _reset(self) -> None:
        """Abort the connection with an RST instead of an orderly close."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            self.connection.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class FakeServer:
    """A running loopback server for one :class:`FakePushover`."""

    def __init__(
        self,
        fake: FakePushover,
        *,
        host: str,
        ssl_context: ssl.SSLContext | None,
        delay: float,
        port: int = 0,
    ) -> None:
        self._server = _Server((loopback_address(host), port), fake, ssl_context, delay)
        self._https = ssl_context is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self._server.thread_name,
            daemon=True,
        )
        self._thread.start()

    def base_url(self, server_hostname: str | None = None) -> str:
        """``http(s)://HOST:PORT/1/`` for this server."""
        host, port = self._server.server_address[:2]
        name = server_hostname or str(host)
        if ":" in name:
            name = f"[{name}]"
        scheme = "https" if self._https else "http"
        return f"{scheme}://{name}:{port}/1/"

    def stop(self) -> None:
        """Stop accepting, close idle connections and join every thread."""
        self._server.shutdown()
        self._thread.join()
        self._server.stopping.set()
        self._server.close_idle()
        self._server.server_close()


@contextlib.contextmanager
def serve(
    fake: FakePushover | None = None,
    *,
    host: str = "127.0.0.1",
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    delay: float = 0.0,
    port: int = 0,
) -> Generator[str, None, None]:
    """Serve *fake* over HTTP/1.1 with keep-alive on a loopback port (*port*, or a
    free one).

    Yields the base URL (``http://127.0.0.1:PORT/1/``, https with *ssl_context*;
    *server_hostname* replaces the host in the URL, e.g. ``localhost`` for TLS).
    *delay* seconds pass before every answer. Only loopback addresses may be bound.
    """
    if isinstance(port, bool) or not isinstance(port, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"port: expected an int, got a {type(port).__name__}")
    if not 0 <= port <= 65535:
        raise ValueError(f"port: must be between 0 and 65535, got {port}")
    served = FakePushover() if fake is None else fake
    server = FakeServer(
        served,
        host=host,
        ssl_context=ssl_context,
        delay=delay,
        port=port,
    )
    served._serving(loopback_address(host))  # pyright: ignore[reportPrivateUsage]
    try:
        yield server.base_url(server_hostname)
    finally:
        served._serving(None)  # pyright: ignore[reportPrivateUsage]
        server.stop()
