"""Confirmed acknowledgements: the callback apps poll the receipt over real loopback
HTTP to the served fake, and are themselves served (wsgiref, uvicorn) and called over
loopback as Pushover would call them. The pacing runs on a clock of the test's own,
so nothing here waits or depends on timing."""

from __future__ import annotations

import http.client
import logging
import secrets
import socket
import socketserver
import string
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import anyio
import attrs
import pytest
import uvicorn

from chump_typed import (
    AiohttpTransport,
    AsyncClient,
    AsyncHttpxTransport,
    AsyncTransport,
    Client,
    Urllib3Transport,
)
from chump_typed.callbacks import (
    POLL_BURST,
    AcknowledgementCallback,
    callback_app,
    callback_asgi_app,
)
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Fault

#: Generous bounds for a thread or a server to start or stop (never reached).
GUARD = 60.0
OTHER_USER = "uOtherUserKeyOtherUserKeyOther"


@attrs.define
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def random_receipt() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(30))


def emergency(fake: FakePushover, client: Client) -> str:
    """An emergency message sent to the fake by *client*'s application; its receipt.

    Posted to the fake directly, as Pushover's wire has it: this module is about the
    receipt polls, which go over loopback HTTP.
    """
    body = urlencode(
        {
            "token": APP_TOKEN,
            "user": USER_KEY,
            "message": "disk full",
            "priority": "2",
            "retry": "60",
            "expire": "3600",
            "callback": "https://example.com/pushover/ack/unguessable",
        }
    ).encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert fake.handle("POST", "/1/messages.json", headers, body).status == 200
    receipt = fake.messages[-1].receipt
    assert receipt is not None
    return receipt


def form(receipt: str, *, by: str = OTHER_USER) -> str:
    """An acknowledgement callback's body, as Pushover (or a forger) sends it."""
    return urlencode(
        {
            "receipt": receipt,
            "acknowledged": "1",
            "acknowledged_at": "1700000000",
            "acknowledged_by": by,
            "acknowledged_by_device": "forged",
        }
    )


def polls(fake: FakePushover) -> list[str]:
    """The receipts polled so far, in order."""
    return [
        r.path.removeprefix("/1/receipts/").removesuffix(".json")
        for r in fake.requests
        if r.method == "GET" and r.path.startswith("/1/receipts/")
    ]


def outcomes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        str(getattr(r, "outcome", "?"))
        for r in caplog.records
        if r.name == "chump_typed.callbacks"
    ]


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@attrs.define
class Served:
    """A callback app served on loopback, and what its handler got."""

    port: int
    received: list[AcknowledgementCallback]

    def post(self, body: str) -> tuple[int, bytes, dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=GUARD)
        try:
            connection.request(
                "POST",
                "/pushover/ack/unguessable",
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            answer = connection.getresponse()
            return answer.status, answer.read(), dict(answer.getheaders())
        finally:
            connection.close()


class Start(Protocol):
    """Serves a confirming WSGI app; the defaults are the fixture's client and the
    ``issued`` set."""

    def __call__(
        self,
        on_ack: Callable[[AcknowledgementCallback], object] | None = None,
        known_receipt: Callable[[str], bool] | None = None,
        confirm_with: Client | None = None,
    ) -> Served: ...


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def issued() -> set[str]:
    return set()


@pytest.fixture
def wsgi(client: Client, clock: Clock, issued: set[str]) -> Iterator[Start]:
    """Serves ``callback_app(on_ack, confirm_with=client, ...)`` with wsgiref."""
    servers: list[tuple[WSGIServer, threading.Thread]] = []

    def start(
        on_ack: Callable[[AcknowledgementCallback], object] | None = None,
        known_receipt: Callable[[str], bool] | None = None,
        confirm_with: Client | None = None,
    ) -> Served:
        received: list[AcknowledgementCallback] = []
        app = callback_app(
            on_ack or received.append,
            confirm_with=confirm_with or client,
            known_receipt=known_receipt or issued.__contains__,
            clock=clock,
        )
        server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return Served(server.server_port, received)

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(GUARD)


def test_only_what_pushover_confirms_reaches_the_handler_once(
    fake: FakePushover,
    client: Client,
    clock: Clock,
    issued: set[str],
    wsgi: Start,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "chump_typed.callbacks")
    served = wsgi()
    receipt = emergency(fake, client)
    issued.add(receipt)

    # Forged: nobody acknowledged yet. A 200 like any other, a record, nothing done.
    assert served.post(form(receipt))[:2] == (200, b"OK\n")
    assert (served.received, polls(fake)) == ([], [receipt])
    assert outcomes(caplog) == ["unconfirmed"]

    # Acknowledged now, but its receipt was polled under 5 s ago: call again later.
    fake.acknowledge(receipt)
    clock.now += 4.9
    status, body, headers = served.post(form(receipt))
    assert (status, body, headers["Retry-After"]) == (503, b"not confirmed yet\n", "60")
    assert polls(fake) == [receipt]

    # Pushover calls again a minute later: confirmed, with Pushover's own fields.
    clock.now += 60
    assert served.post(form(receipt))[:2] == (200, b"OK\n")
    [ack] = served.received
    assert (ack.receipt, ack.acknowledged, ack.acknowledged_by) == (
        receipt,
        True,
        USER_KEY,
    )
    assert ack.acknowledged_by_device != "forged"
    assert ack.acknowledged_at == client.receipt(receipt).acknowledged_at
    assert polls(fake) == [receipt, receipt, receipt]  # the last one is the test's

    # A copy (Pushover's retry, or a replay): answered, not polled, not acted on.
    clock.now += 600
    assert served.post(form(receipt))[:2] == (200, b"OK\n")
    assert len(served.received) == 1
    assert len(polls(fake)) == 3
    assert outcomes(caplog) == ["unconfirmed", "recent", "handled"]


def test_forged_random_receipts_are_never_polled(
    fake: FakePushover,
    wsgi: Start,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "chump_typed.callbacks")
    served = wsgi()
    for _ in range(50):
        assert served.post(form(random_receipt()))[:2] == (200, b"OK\n")
    assert (served.received, fake.requests) == ([], ())
    assert outcomes(caplog) == ["unknown"] * 50


def test_a_receipt_pushover_refuses_is_polled_once(
    fake: FakePushover,
    clock: Clock,
    wsgi: Start,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An application whose test says yes to a receipt Pushover does not know gets
    one 4xx for it from Pushover, never a second."""
    served = wsgi(known_receipt=lambda receipt: True)
    receipt = random_receipt()
    for _ in range(5):
        assert served.post(form(receipt))[:2] == (200, b"OK\n")
        clock.now += 3600
    assert polls(fake) == [receipt]
    assert served.received == []
    assert outcomes(caplog) == ["refused"] * 5


def test_a_failed_poll_asks_pushover_to_call_again(
    fake: FakePushover,
    base_url: str,
    client: Client,
    clock: Clock,
    issued: set[str],
    wsgi: Start,
) -> None:
    receipt = emergency(fake, client)
    issued.add(receipt)
    fake.acknowledge(receipt)
    once = Client(APP_TOKEN, base_url=base_url, transport=Urllib3Transport(retries=0))
    served = wsgi(confirm_with=once)
    fake.inject(Fault.UNAVAILABLE_JSON)
    status, body, _ = served.post(form(receipt))
    assert (status, body, served.received) == (503, b"not confirmed yet\n", [])
    clock.now += 60
    assert served.post(form(receipt))[0] == 200
    assert [a.receipt for a in served.received] == [receipt]
    once.close()


def test_a_handler_that_raises_gets_the_acknowledgement_again_without_a_poll(
    fake: FakePushover,
    client: Client,
    clock: Clock,
    issued: set[str],
    wsgi: Start,
) -> None:
    calls: list[AcknowledgementCallback] = []

    def on_ack(ack: AcknowledgementCallback) -> None:
        calls.append(ack)
        if len(calls) == 1:
            raise RuntimeError("database down")

    served = wsgi(on_ack=on_ack)
    receipt = emergency(fake, client)
    issued.add(receipt)
    fake.acknowledge(receipt)
    assert served.post(form(receipt))[0] == 500  # wsgiref's answer to the error
    clock.now += 60
    assert served.post(form(receipt))[0] == 200
    assert [a.receipt for a in calls] == [receipt, receipt]
    assert polls(fake) == [receipt]
    clock.now += 60
    assert served.post(form(receipt))[0] == 200
    assert len(calls) == 2


def test_polls_are_paced_overall(
    fake: FakePushover,
    client: Client,
    clock: Clock,
    issued: set[str],
    wsgi: Start,
) -> None:
    receipts = [emergency(fake, client) for _ in range(POLL_BURST + 2)]
    issued.update(receipts)
    for receipt in receipts:
        fake.acknowledge(receipt)
    served = wsgi()
    statuses = [served.post(form(receipt))[0] for receipt in receipts]
    assert statuses == [200] * POLL_BURST + [503, 503]
    clock.now += 1.0  # one poll's worth (60 a minute)
    assert [served.post(form(r))[0] for r in receipts[-2:]] == [200, 503]
    assert len(polls(fake)) == POLL_BURST + 1
    assert len(served.received) == POLL_BURST + 1


def test_the_log_records_hold_no_secret(
    fake: FakePushover,
    client: Client,
    clock: Clock,
    issued: set[str],
    wsgi: Start,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    served = wsgi(known_receipt=lambda r: r in issued or r.startswith("R"))
    receipt = emergency(fake, client)
    issued.add(receipt)
    served.post(form(receipt, by=USER_KEY))  # unconfirmed
    served.post(form(random_receipt(), by=USER_KEY))  # unknown
    served.post(form("R" + random_receipt()[1:], by=USER_KEY))  # refused
    fake.acknowledge(receipt)
    clock.now += 60
    served.post(form(receipt, by=USER_KEY))  # confirmed
    served.post(form(receipt, by=USER_KEY))  # handled
    ours = [r for r in caplog.records if r.name == "chump_typed.callbacks"]
    assert len(ours) == 4
    for record in ours:
        text = record.getMessage() + repr(vars(record))
        assert APP_TOKEN not in text
        assert USER_KEY not in text
        assert record.receipt in text  # type: ignore[attr-defined]


class HeldPolls:
    """Urllib3 to the served fake, each request held until :attr:`release` is set;
    :attr:`entered` is set when one is waiting."""

    def __init__(self) -> None:
        self.inner = Urllib3Transport(retries=0)
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, request: HTTPRequest) -> HTTPResponse:
        self.entered.set()
        assert self.release.wait(GUARD)
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def test_a_copy_while_the_poll_is_under_way_is_not_polled_again(
    fake: FakePushover, base_url: str, client: Client, clock: Clock
) -> None:
    """Two requests at once for one receipt, on a threaded server: the second, which
    arrives while the first one's poll is held on the wire, gets a 503 at once; the
    handler is called once."""
    receipt = emergency(fake, client)
    fake.acknowledge(receipt)
    held = HeldPolls()
    received: list[AcknowledgementCallback] = []
    with Client(APP_TOKEN, base_url=base_url, transport=held) as polling:
        app = callback_app(
            received.append,
            confirm_with=polling,
            known_receipt={receipt}.__contains__,
            clock=clock,
        )
        server = make_server(
            "127.0.0.1",
            0,
            app,
            server_class=ThreadingWSGIServer,
            handler_class=Quiet,
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        served = Served(server.server_port, received)
        first: list[int] = []
        poster = threading.Thread(
            target=lambda: first.append(served.post(form(receipt))[0])
        )
        try:
            poster.start()
            assert held.entered.wait(GUARD)
            assert served.post(form(receipt))[0] == 503  # busy: not polled
            held.release.set()
            poster.join(GUARD)
        finally:
            held.release.set()
            server.shutdown()
            server.server_close()
            thread.join(GUARD)
    assert first == [200]
    assert [a.receipt for a in received] == [receipt]
    assert polls(fake) == [receipt]


def test_misuse_is_a_type_error_naming_the_parameter(client: Client) -> None:
    def on_ack(ack: AcknowledgementCallback) -> None:
        pass

    with pytest.raises(TypeError, match="known_receipt: required with confirm_with"):
        callback_app(on_ack, confirm_with=client)
    with pytest.raises(TypeError, match="known_receipt: needs confirm_with"):
        callback_app(on_ack, known_receipt=bool)
    with pytest.raises(
        TypeError, match="confirm_with: callback_asgi_app needs an AsyncClient"
    ):
        callback_asgi_app(on_ack, confirm_with=client, known_receipt=bool)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    asynchronous = AsyncClient(APP_TOKEN, base_url=client.base_url)
    with pytest.raises(TypeError, match="confirm_with: callback_app needs a Client"):
        callback_app(on_ack, confirm_with=asynchronous, known_receipt=bool)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


# -- ASGI, under uvicorn, with an AsyncClient ----------------------------------------------


def with_client_closed_at_shutdown(app: Any, client: AsyncClient) -> Any:
    """*app*, closing *client* on the server's loop when the server shuts down."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def receive_then_close() -> Any:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await client.aclose()
            return message

        await app(scope, receive_then_close, send)

    return wrapped


@pytest.fixture
def asgi(base_url: str, clock: Clock, issued: set[str]) -> Iterator[Served]:
    received: list[AcknowledgementCallback] = []

    async def on_ack(ack: AcknowledgementCallback) -> None:
        await anyio.sleep(0)
        received.append(ack)

    client = AsyncClient(APP_TOKEN, base_url=base_url)
    app = callback_asgi_app(
        on_ack, confirm_with=client, known_receipt=issued.__contains__, clock=clock
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            with_client_closed_at_shutdown(app, client),
            host="127.0.0.1",
            port=port,
            log_level="error",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(int(GUARD / 0.01)):  # until it listens
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield Served(port, received)
    finally:
        server.should_exit = True
        thread.join(GUARD)


def test_the_asgi_app_confirms_with_an_async_client(
    fake: FakePushover,
    client: Client,
    clock: Clock,
    issued: set[str],
    asgi: Served,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "chump_typed.callbacks")
    receipt = emergency(fake, client)
    issued.add(receipt)
    assert asgi.post(form(random_receipt()))[:2] == (200, b"OK\n")  # unknown
    assert asgi.post(form(receipt))[:2] == (200, b"OK\n")  # forged
    fake.acknowledge(receipt)
    assert asgi.post(form(receipt))[0] == 503  # polled under 5 s ago
    clock.now += 5
    assert asgi.post(form(receipt))[:2] == (200, b"OK\n")
    assert [(a.receipt, a.acknowledged_by) for a in asgi.received] == [
        (receipt, USER_KEY)
    ]
    assert asgi.post(form(receipt))[0] == 200  # a copy
    assert len(asgi.received) == 1
    assert polls(fake) == [receipt, receipt]
    assert outcomes(caplog) == ["unknown", "unconfirmed", "recent", "handled"]


ASYNC_WIRES: dict[str, tuple[str, Callable[[], AsyncTransport]]] = {
    "aiohttp on asyncio": ("asyncio", AiohttpTransport),
    "httpx on asyncio": ("asyncio", AsyncHttpxTransport),
    "httpx on trio": ("trio", AsyncHttpxTransport),
}


@pytest.mark.parametrize("wire", sorted(ASYNC_WIRES))
def test_the_asgi_app_confirms_on_every_async_transport(
    fake: FakePushover, base_url: str, client: Client, wire: str
) -> None:
    """The ASGI app driven as a server drives it, on asyncio and trio, polling over
    each async transport: forged, then confirmed once."""
    backend, transport = ASYNC_WIRES[wire]
    receipt = emergency(fake, client)
    clock = Clock()

    async def call(app: Any, body: str) -> int:
        incoming = [{"type": "http.request", "body": body.encode()}]
        sent: list[Any] = []

        async def receive() -> Any:
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message: Any) -> None:
            sent.append(message)

        scope: dict[str, Any] = {"type": "http", "method": "POST", "headers": []}
        await app(scope, receive, send)
        return int(sent[0]["status"])

    async def main() -> list[AcknowledgementCallback]:
        received: list[AcknowledgementCallback] = []
        async with AsyncClient(
            APP_TOKEN, base_url=base_url, transport=transport()
        ) as polling:
            app = callback_asgi_app(
                received.append,
                confirm_with=polling,
                known_receipt={receipt}.__contains__,
                clock=clock,
            )
            assert await call(app, form(receipt)) == 200  # forged: not acted on
            assert received == []
            fake.acknowledge(receipt)
            clock.now += 5
            assert await call(app, form(receipt)) == 200
            assert await call(app, form(receipt)) == 200  # a copy
        return received

    received = anyio.run(main, backend=backend)
    assert [(a.receipt, a.acknowledged_by) for a in received] == [(receipt, USER_KEY)]
    assert polls(fake) == [receipt, receipt]
