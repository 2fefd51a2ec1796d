"""One deadline for the whole call, even against a server that trickles its answer, on
every transport (tests/wires.py).

Each loopback server here would keep the client busy for up to 20 s (a byte every
50 ms: no socket timeout ever trips). The deadline is a fraction of a second, so the
only way a test passes is that the watchdog cut the call off: what is asserted is the
error that says so and that the server saw its client go, never how long it took.
"""

from __future__ import annotations

import logging
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest
import trustme
from urllib3.connectionpool import HTTPConnectionPool

from chump_typed import (
    Client,
    Notification,
    RetryPolicy,
    TransportError,
    Urllib3Transport,
)
from chump_typed.logging import PushoverHandler
from chump_typed.testing import APP_TOKEN, USER_KEY
from tests import figures
from tests.loopback import Served, read_head, serving, trickle
from tests.wires import Wire

pytestmark = pytest.mark.integration

GAP = 0.05
DEADLINE = 0.5


def trickled_headers(conn: socket.socket, stop: threading.Event) -> None:
    trickle(conn, stop, b"HTTP/1.1 200 OK\r\n", GAP)


def trickled_body(conn: socket.socket, stop: threading.Event) -> None:
    body = b'{"status":1,"request":"' + b"a" * 100_000 + b'"}'
    read_head(conn)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    trickle_after_head(conn, stop, body)


def trickle_after_head(conn: socket.socket, stop: threading.Event, body: bytes) -> None:
    for index in range(len(body)):
        if stop.wait(GAP):
            return
        conn.sendall(body[index : index + 1])


@pytest.fixture(params=["headers", "body"])
def trickling(request: pytest.FixtureRequest) -> Iterator[Served]:
    handler = trickled_headers if request.param == "headers" else trickled_body
    with serving(handler) as served:
        yield served


def client_for(wire: Wire, served: Served) -> AbstractContextManager[Client]:
    return wire.client(
        served.url,
        deadline=DEADLINE,
        timeout=10,
        retries=RetryPolicy(backoff_floor=0),
    )


# Twice in about fifteen full runs under load (never alone, 120 runs tried), a
# socket that httpcore closes on asyncio after the deadline's cancellation was
# reported unclosed when collected, during this test. That the connection cut off is
# closed is this module's test_the_connection_cut_off_is_closed, which has never
# failed; this test is about the deadline, so the collector's report is not its
# verdict. An upstream race we could not pin down: see docs/design-decisions.md.
@pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <(function _SelectorTransport.__del__|socket.socket)"
    ":pytest.PytestUnraisableExceptionWarning"
)
def test_a_trickling_send_is_cut_off_at_the_deadline(
    wire: Wire, trickling: Served
) -> None:
    with client_for(wire, trickling) as client, pytest.raises(TransportError) as info:
        client.send(Notification(user=USER_KEY, message="slowly"))

    assert f"within the {DEADLINE:g} s deadline" in str(info.value)
    assert info.value.may_have_been_sent  # it was written: never resent
    assert trickling.connections == 1
    figures.add("deadline: trickling calls cut off")


def test_a_trickling_get_is_not_retried_past_the_deadline(
    wire: Wire, trickling: Served
) -> None:
    with client_for(wire, trickling) as client, pytest.raises(TransportError) as info:
        client.sounds()

    assert "deadline" in str(info.value)
    assert trickling.connections == 1


def test_the_connection_cut_off_is_closed(wire: Wire, trickling: Served) -> None:
    with client_for(wire, trickling) as client, pytest.raises(TransportError):
        client.send(Notification(user=USER_KEY, message="slowly"))
    # The server's next byte finds the connection gone (it was not left open).
    for _ in range(200):
        if trickling.client_gone:
            break
        threading.Event().wait(GAP)

    assert trickling.client_gone == 1


def test_the_logging_handler_is_cut_off_too(trickling: Served) -> None:
    failures: list[BaseException] = []

    class Recording(PushoverHandler):
        def handleError(self, record: logging.LogRecord) -> None:
            failures.append(__import__("sys").exc_info()[1])

    handler = Recording(
        APP_TOKEN, USER_KEY, base_url=trickling.url, timeout=DEADLINE, background=False
    )
    logger = logging.getLogger("tests.deadline")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.error("the server is slow")
    finally:
        logger.removeHandler(handler)
        handler.close()

    [failure] = failures
    assert isinstance(failure, TransportError)
    assert f"within the {DEADLINE:g} s deadline" in str(failure)


def test_waiting_for_a_free_connection_counts_against_the_deadline() -> None:
    """The only connection is taken: a call gives up when its deadline passes while it
    waits for one, and says nothing was sent."""
    with serving(trickled_headers) as served:
        transport = Urllib3Transport(
            deadline=DEADLINE, maxsize=1, retries=RetryPolicy(backoff_floor=0)
        )
        client = Client(APP_TOKEN, base_url=served.url, transport=transport)
        # Take the pool's one connection, as a call in another thread would.
        pool, _ = transport._opener(served.url)  # pyright: ignore[reportPrivateUsage]
        assert isinstance(pool, HTTPConnectionPool)
        taken = pool._get_conn()  # pyright: ignore[reportPrivateUsage]
        try:
            with pytest.raises(TransportError) as info:
                client.send(Notification(user=USER_KEY, message="waits"))
        finally:
            pool._put_conn(taken)  # pyright: ignore[reportPrivateUsage]
            client.close()

    assert "could not be sent within the 0.5 s deadline" in str(info.value)
    assert not info.value.may_have_been_sent
    assert served.connections == 0


def test_a_reused_connection_is_cut_off_too(wire: Wire) -> None:
    """The first answer comes at once, on a connection kept alive; the second, on that
    same connection, trickles: the deadline holds for a connection from the pool."""

    def then_trickle(conn: socket.socket, stop: threading.Event) -> None:
        body = b'{"status":1,"request":"first"}'
        read_head(conn)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        trickled_headers(conn, stop)

    with (
        serving(then_trickle) as served,
        client_for(wire, served) as client,
    ):
        client.send(Notification(user=USER_KEY, message="at once"))
        with pytest.raises(TransportError) as info:
            client.send(Notification(user=USER_KEY, message="slowly"))

    assert f"within the {DEADLINE:g} s deadline" in str(info.value)
    assert info.value.may_have_been_sent
    assert served.connections == 1
    figures.add("deadline: trickling calls cut off")


def test_a_trickling_tls_answer_is_cut_off_too(wire: Wire) -> None:
    """Over TLS: cut off at the deadline, and the connection then closed. A client
    may close TLS gracefully (aiohttp does: asyncio then waits for the server's own
    close), so the server here closes its side once the client has closed, and the
    test waits for that before the client (and its event loop) goes away."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with ca.issue_cert("localhost").private_key_and_cert_chain_pem.tempfile() as chain:
        server.load_cert_chain(chain)
    closed_by_client = threading.Event()

    def tls_trickle(conn: socket.socket, stop: threading.Event) -> None:
        with server.wrap_socket(conn, server_side=True) as tls:
            read_head(tls)
            tls.sendall(b"HTTP/1.1 200 OK\r\n")
            filler = b"X-Slow: " + b"a" * 64 + b"\r\n"
            sent = 0
            while not stop.wait(GAP):
                if client_closed(tls):
                    closed_by_client.set()
                    return
                tls.sendall(filler[sent % len(filler) :][:1])
                sent += 1

    with serving(tls_trickle) as served:
        url = served.url.replace("http://127.0.0.1", "https://localhost")
        context = ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())
        with wire.client(url, deadline=DEADLINE, ssl_context=context) as client:
            with pytest.raises(TransportError) as info:
                client.send(Notification(user=USER_KEY, message="slowly, privately"))
            assert closed_by_client.wait(10)

    assert f"within the {DEADLINE:g} s deadline" in str(info.value)
    assert info.value.may_have_been_sent


def client_closed(tls: ssl.SSLSocket) -> bool:
    """Whether the client has closed its end (TLS close or TCP close)."""
    if not select.select([tls], [], [], 0)[0]:
        return False
    try:
        return tls.recv(1) == b""
    except ssl.SSLWantReadError:
        return False  # part of a record: not a close yet
    except OSError:
        return True
