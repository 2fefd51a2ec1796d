"""What only the sync :class:`~chump_typed.HttpxTransport` has: a shared
``httpx.Client``, used but never closed, and the deadline over that client's
connections (learnt from httpcore's ``trace`` extension and from each answer).

The rules every transport shares run on it too: tests/wires.py.
"""

from __future__ import annotations

import logging
import socket
import threading

import httpx
import pytest

from chump_typed import (
    Client,
    HttpxTransport,
    Notification,
    TransportError,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve
from tests.loopback import read_head, serving, trickle

pytestmark = pytest.mark.integration

DEADLINE = 0.5
NOTE = Notification(user=USER_KEY, message="hi")


def test_a_shared_client_is_used_and_never_closed() -> None:
    fake = FakePushover()
    seen: list[str] = []

    def record(request: httpx.Request) -> None:
        seen.append(request.method)

    with serve(fake) as url, httpx.Client(event_hooks={"request": [record]}) as shared:
        transport = HttpxTransport(client=shared)
        with Client(APP_TOKEN, base_url=url, transport=transport) as client:
            client.send(NOTE)
            client.sounds()

        assert not shared.is_closed
        assert seen == ["POST", "GET"]
        assert "shared httpx client" in repr(transport)
    assert len(fake.messages) == 1


def test_httpx_s_request_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs each request's URL at INFO: a GET's carries the token."""
    caplog.set_level(logging.DEBUG)
    with (
        serve(FakePushover()) as url,
        Client(APP_TOKEN, base_url=url, transport=HttpxTransport()) as client,
    ):
        client.sounds()

    [logged] = [r for r in caplog.records if r.name == "httpx"]
    assert "sounds.json?token=<redacted>" in logged.getMessage()
    assert APP_TOKEN not in caplog.text


def test_only_an_httpx_client_is_accepted() -> None:
    with pytest.raises(TypeError, match=r"client: expected an httpx\.Client"):
        HttpxTransport(client=httpx.AsyncClient())  # type: ignore[arg-type]


def answer_then_trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Answer one request at once on a kept-alive connection, then trickle the
    head of the next answer."""
    body = b'{"status":1,"request":"first"}'
    read_head(conn)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    read_head(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.05):
        conn.sendall(b" ")


def test_a_shared_client_is_cut_off_at_the_deadline_on_a_new_connection() -> None:
    def trickled_head(conn: socket.socket, stop: threading.Event) -> None:
        trickle(conn, stop, b"HTTP/1.1 200 OK\r\n", 0.05)

    with serving(trickled_head) as served, httpx.Client() as shared:
        transport = HttpxTransport(client=shared, deadline=DEADLINE, timeout=10)
        client = Client(APP_TOKEN, base_url=served.url, transport=transport)
        with pytest.raises(TransportError) as info:
            client.send(NOTE)

    assert f"within the {DEADLINE:g} s deadline" in str(info.value)
    assert info.value.may_have_been_sent


def test_a_shared_client_is_cut_off_at_the_deadline_on_a_reused_connection() -> None:
    """The connection is the shared client's from before: its socket is learnt from
    the answer once the head has arrived, and the trickling body is cut off."""
    with serving(answer_then_trickle) as served, httpx.Client() as shared:
        shared.post(served.url, content=b"warm up the pool")  # opened by the caller
        transport = HttpxTransport(client=shared, deadline=DEADLINE, timeout=10)
        client = Client(APP_TOKEN, base_url=served.url, transport=transport)
        with pytest.raises(TransportError) as info:
            client.send(NOTE)

    assert f"within the {DEADLINE:g} s deadline" in str(info.value)
    assert served.connections == 1
