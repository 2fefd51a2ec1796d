"""The ASGI callback receiver: the WSGI app's answers and limits, driven as an ASGI
server drives it, and once under a real one (uvicorn) on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, MutableMapping
from typing import Any
from urllib.parse import urlencode

import anyio
import pytest
import uvicorn
from hypothesis import event, given
from hypothesis import strategies as st

from chump_typed import AsyncClient
from chump_typed.callbacks import (
    MAX_CALLBACK_BODY,
    AcknowledgementCallback,
    callback_asgi_app,
)
from chump_typed.testing import APP_TOKEN, AsyncFakeTransport, FakePushover
from tests.unit.test_callbacks import (
    EXPECTED,
    FIELDS,
    HEADER_TEXT,
    HOSTILE,
    MEMORY_URL,
    RECEIPT,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def drive(
    app: Any,
    body: bytes,
    *,
    method: str = "POST",
    length: str | None = None,
    parts: int = 1,
) -> tuple[int, bytes, dict[bytes, bytes]]:
    """Call *app* as an ASGI server would, the body in *parts* messages."""
    declared = str(len(body)) if length is None else length
    scope = {
        "type": "http",
        "method": method,
        "path": "/pushover/callback",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded")]
        + ([(b"content-length", declared.encode())] if declared else []),
    }
    size = max(1, -(-len(body) // parts))
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    incoming = [
        {"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
        for i, piece in enumerate(pieces)
    ]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, answer = sent
    return start["status"], answer["body"], dict(start["headers"])


async def test_a_callback_reaches_the_handler() -> None:
    received: list[AcknowledgementCallback] = []

    status, body, headers = await drive(
        callback_asgi_app(received.append), urlencode(FIELDS).encode(), parts=3
    )

    assert (status, body) == (200, b"OK\n")
    assert headers[b"content-length"] == b"3"
    assert received == [EXPECTED]


async def test_an_async_handler_is_awaited() -> None:
    received: list[AcknowledgementCallback] = []

    async def handler(ack: AcknowledgementCallback) -> None:
        received.append(ack)

    status, _, _ = await drive(callback_asgi_app(handler), urlencode(FIELDS).encode())

    assert status == 200
    assert received == [EXPECTED]


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_input_gets_a_400_with_a_short_reason(name: str) -> None:
    body, length = HOSTILE[name]
    received: list[AcknowledgementCallback] = []

    status, answer, _ = await drive(
        callback_asgi_app(received.append), body, length=length
    )

    assert status == 400, name
    assert 0 < len(answer) < 120 and answer.count(b"\n") == 1
    assert received == []


async def test_other_methods_and_large_bodies_are_refused() -> None:
    app = callback_asgi_app(lambda ack: None)

    assert (await drive(app, b"", method="GET"))[0] == 405
    assert (await drive(app, b"x", length=str(MAX_CALLBACK_BODY + 1)))[0] == 413
    # No declared length, and more sent than the limit: cut off as it arrives.
    big = b"x" * (MAX_CALLBACK_BODY + 10)
    assert (await drive(app, big, length="", parts=4))[0] == 413


async def test_the_lifespan_protocol_is_acknowledged() -> None:
    app = callback_asgi_app(lambda ack: None)
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)

    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]


@pytest.fixture
def under_uvicorn() -> Iterator[tuple[int, list[AcknowledgementCallback]]]:
    received: list[AcknowledgementCallback] = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        callback_asgi_app(received.append),
        host="127.0.0.1",
        port=port,
        log_level="error",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(3000):  # until it listens (at most 30 s)
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield port, received
    finally:
        server.should_exit = True
        thread.join(10)


def test_under_a_real_asgi_server(
    under_uvicorn: tuple[int, list[AcknowledgementCallback]],
) -> None:
    import http.client

    port, received = under_uvicorn
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = urlencode(FIELDS)
    connection.request(
        "POST",
        "/cb",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = connection.getresponse()

    assert (answer.status, answer.read()) == (200, b"OK\n")
    assert received == [EXPECTED]
    connection.request("POST", "/cb", body=body + "&receipt=" + "A" * 30)
    repeated = connection.getresponse()
    assert repeated.status == 400
    assert b"appears more than once" in repeated.read()
    connection.close()


async def test_a_content_length_of_5000_digits_is_too_large_not_a_crash() -> None:
    status, _, _ = await drive(
        callback_asgi_app(list[object]().append), b"x", length="9" * 5000
    )
    assert status == 413


async def test_a_body_the_server_cannot_read_is_a_400() -> None:
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        raise ConnectionResetError("client gone")

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    app = callback_asgi_app(list[object]().append)
    await app({"type": "http", "method": "POST", "headers": []}, receive, send)
    assert sent[0]["status"] == 400
    assert sent[1]["body"] == b"body: could not be read (ConnectionResetError)\n"


@given(length=HEADER_TEXT, body=st.binary(max_size=300), parts=st.integers(1, 4))
def test_any_declared_length_and_body_get_an_answer(
    length: str, body: bytes, parts: int
) -> None:
    """The WSGI twin's property, for the ASGI app (any header text, any body in any
    number of messages)."""

    async def main() -> int:
        status, _, _ = await drive(
            callback_asgi_app(list[object]().append), body, length=length, parts=parts
        )
        return status

    assert anyio.run(main) in (200, 400, 413)


async def test_two_different_lengths_are_a_400() -> None:
    sent: list[MutableMapping[str, Any]] = []
    body = urlencode(FIELDS).encode()
    incoming = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"Content-Length", b"5"),
    ]
    app = callback_asgi_app(list[object]().append)
    await app({"type": "http", "method": "POST", "headers": headers}, receive, send)
    assert sent[0]["status"] == 400
    assert sent[1]["body"] == b"Content-Length: is given twice, with different values\n"


async def test_a_client_gone_mid_body_gets_no_answer_and_nothing_is_acted_on() -> None:
    """The whole callback arrived but not the end of the body: the client went away
    (``http.disconnect``); nothing is answered, the handler is not called."""
    received: list[AcknowledgementCallback] = []
    sent: list[MutableMapping[str, Any]] = []
    body = urlencode(FIELDS).encode()
    incoming: list[MutableMapping[str, Any]] = [
        {"type": "http.request", "body": body, "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    app = callback_asgi_app(received.append)
    await app({"type": "http", "method": "POST", "headers": []}, receive, send)
    assert (sent, received) == ([], [])


async def test_an_answer_to_a_client_gone_is_dropped() -> None:
    """ASGI servers raise an OSError from send() once the client is gone."""
    received: list[AcknowledgementCallback] = []
    incoming = [{"type": "http.request", "body": urlencode(FIELDS).encode()}]

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        raise ConnectionResetError("client gone")

    app = callback_asgi_app(received.append)
    await app({"type": "http", "method": "POST", "headers": []}, receive, send)
    assert received == [EXPECTED]


HEADER_BYTES = st.binary(max_size=40) | st.sampled_from(
    [b"content-length", b"Content-Length", b"transfer-encoding", b"expect"]
)
LENGTHS = st.binary(max_size=12) | HEADER_TEXT.map(lambda t: t.encode("latin-1"))
HEADERS = st.lists(
    st.tuples(HEADER_BYTES, LENGTHS | st.binary(max_size=60)), max_size=6
)
MESSAGE_TYPES = st.sampled_from(["http.request", "http.disconnect", "other"])


def _message(fields: dict[str, Any]) -> dict[str, Any]:
    """A copy as a plain dict (``.map(dict[str, Any])`` fails on Python 3.10, where
    Hypothesis checks the alias with ``issubclass``)."""
    return dict(fields)


MESSAGES: st.SearchStrategy[list[dict[str, Any]]] = st.lists(
    st.fixed_dictionaries(
        {"type": MESSAGE_TYPES},
        optional={
            "body": st.binary(max_size=200) | st.text(max_size=5) | st.none(),
            "more_body": st.booleans(),
        },
    ).map(_message),
    max_size=5,
)


@given(
    confirming=st.booleans(),
    method=st.one_of(st.just("POST"), st.sampled_from(["GET", "PUT"]), st.text()),
    headers=st.one_of(st.just([]), HEADERS),
    client=st.none() | st.tuples(st.text(max_size=70), st.integers(0, 65535)),
    messages=MESSAGES,
    body=st.none() | st.just(urlencode(FIELDS).encode()),
    receive_fails=st.booleans(),
    send_fails=st.booleans(),
)
def test_any_request_gets_an_answer_or_none_when_the_client_is_gone(
    confirming: bool,
    method: str,
    headers: list[tuple[bytes, bytes]],
    client: tuple[str, int] | None,
    messages: list[dict[str, Any]],
    body: bytes | None,
    receive_fails: bool,
    send_fails: bool,
) -> None:
    """Any method, headers (any bytes, lengths given twice), client address and
    stream of messages from the server (bodies in pieces, text where bytes belong, a
    disconnect at any point, a receive() that raises, a send() that raises because
    the client is gone): a 200, 400, 405 or 413, or no answer when the client went
    away (a 503 too from the confirming app's pacing); never an exception."""
    incoming: list[MutableMapping[str, Any]] = [*messages]
    if body is not None:
        incoming.insert(0, {"type": "http.request", "body": body, "more_body": False})
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        if receive_fails and not incoming:
            raise OSError("read failed")
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if send_fails:
            raise ConnectionResetError("client gone")
        sent.append(message)

    scope = {"type": "http", "method": method, "headers": headers, "client": client}

    async def main() -> None:
        if not confirming:
            await callback_asgi_app(list[object]().append)(scope, receive, send)
            return
        transport = AsyncFakeTransport(FakePushover())
        async with AsyncClient(
            APP_TOKEN, base_url=MEMORY_URL, transport=transport
        ) as client:
            app = callback_asgi_app(
                list[object]().append,
                confirm_with=client,
                known_receipt=lambda receipt: receipt == RECEIPT,
            )
            await app(scope, receive, send)

    anyio.run(main)
    kind = "confirming" if confirming else "plain"
    event(f"{kind} {sent[0]['status'] if sent else 'no answer'}")
    if sent:
        start, answer = sent
        assert start["status"] in (200, 400, 405, 413, 503)
        assert (
            dict(start["headers"])[b"content-length"]
            == str(len(answer["body"])).encode()
        )
