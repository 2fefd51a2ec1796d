"""Loopback servers of the tests' own, for behaviour the fake Pushover does not have:
trickling answers, endless or oversized bodies, and a CONNECT proxy.

Each handler gets the accepted socket and an event set when the test is over, so that
a handler that would go on forever (trickling, streaming) stops with the test.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Callable, Generator
from typing import Final

import attrs

Handler = Callable[[socket.socket, threading.Event], None]

#: The longest any handler runs: a test whose client failed to cut it off still ends.
HANDLER_LIMIT: Final = 20.0


@attrs.define
class Served:
    """What a loopback server saw: one entry per connection accepted."""

    port: int
    connections: int = 0
    client_gone: int = 0  #: connections whose client shut down or reset before the end

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/1/"


@contextlib.contextmanager
def serving(handler: Handler) -> Generator[Served, None, None]:
    """Run *handler* on every connection to a fresh loopback port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    served = Served(port=listener.getsockname()[1])
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def run(conn: socket.socket) -> None:
        with conn:
            try:
                handler(conn, stop)
            except OSError:
                served.client_gone += 1

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            served.connections += 1
            worker = threading.Thread(target=run, args=(conn,), daemon=True)
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield served
    finally:
        stop.set()
        acceptor.join()
        for worker in workers:
            worker.join(HANDLER_LIMIT)
        listener.close()


def read_head(conn: socket.socket) -> bytes:
    """Read a request's head (through the blank line) and its body, if it has a
    ``Content-Length``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionResetError("the client went away before its request ended")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            while len(rest) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                rest += chunk
    return head


def trickle(
    conn: socket.socket, stop: threading.Event, data: bytes, gap: float
) -> None:
    """Send *data* a byte at a time, *gap* seconds apart, then more header-like bytes
    forever, until the test ends or the client goes away."""
    read_head(conn)
    sent = 0
    filler = b"X-Slow: " + b"a" * 64 + b"\r\n"
    while not stop.wait(gap):
        stream = data if sent < len(data) else filler
        index = sent if sent < len(data) else (sent - len(data)) % len(filler)
        conn.sendall(stream[index : index + 1])
        sent += 1
        if sent * gap > HANDLER_LIMIT:
            return


@attrs.define
class ProxyLog:
    """What the CONNECT proxy saw."""

    heads: list[bytes] = attrs.field(factory=list[bytes])
    relayed: bytearray = attrs.field(factory=bytearray)


def connect_proxy(upstream_port: int, log: ProxyLog) -> Handler:
    """A proxy that answers every ``CONNECT`` by tunnelling to *upstream_port* on
    loopback, whatever host was asked for, and records what it was sent."""

    def handle(conn: socket.socket, stop: threading.Event) -> None:
        head = read_head(conn)
        log.heads.append(head)
        if not head.startswith(b"CONNECT "):
            conn.sendall(
                b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"
            )
            return
        with socket.create_connection(("127.0.0.1", upstream_port)) as upstream:
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(conn, upstream, stop, log)

    return handle


def _relay(
    client: socket.socket, upstream: socket.socket, stop: threading.Event, log: ProxyLog
) -> None:
    peers = {client: upstream, upstream: client}
    while not stop.is_set():
        ready, _, _ = select.select(list(peers), [], [], 0.1)
        for side in ready:
            data = side.recv(65536)
            if not data:
                return
            if side is client:
                log.relayed += data
            peers[side].sendall(data)
