"""AsyncClient and AsyncHttpxTransport, under asyncio and trio (anyio's pytest plugin
runs each test once per backend), against the fake over loopback HTTP and loopback
servers of the tests' own.

No test waits for a retry: the transport's ``sleep`` records the waits.
"""

from __future__ import annotations

import inspect
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
import anyio.from_thread
import httpx
import pytest

from chump_typed import (
    AiohttpTransport,
    AsyncClient,
    AsyncHttpxTransport,
    AsyncTransport,
    Client,
    Failed,
    NotAttempted,
    Notification,
    QuotaExceededError,
    RetryPolicy,
    Sent,
    TransportError,
    ValidationError,
    _execute,
)
from chump_typed.protocol import HTTPRequest, HTTPResponse, SendOptions
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    AsyncFakeTransport,
    FakePushover,
    FakeTransport,
    Fault,
    serve,
)
from tests.loopback import serving, trickle

pytestmark = [pytest.mark.integration, pytest.mark.anyio]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover()


@pytest.fixture
def url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as base_url:
        yield base_url


class Waits:
    def __init__(self) -> None:
        self.seen: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


def transport(**options: Any) -> AsyncHttpxTransport:
    merged: dict[str, Any] = {"sleep": Waits(), **options}
    return AsyncHttpxTransport(**merged)


NOTE = Notification(user=USER_KEY, message="hi")


def installed_only(*libraries: str) -> Callable[[str], bool]:
    """A stand-in for ``_execute._installed`` that sees only *libraries*."""

    def installed(library: str) -> bool:
        return library in libraries

    return installed


class TestAsyncClient:
    def test_every_client_method_has_an_async_twin(self) -> None:
        sync = {n for n, _ in inspect.getmembers(Client, inspect.isfunction)}
        not_yet: set[str] = set()
        twins = {
            n: f
            for n, f in inspect.getmembers(AsyncClient, inspect.isfunction)
            if not n.startswith("_")
        }
        for name in sync - not_yet - {"close"}:
            if name.startswith("_"):
                continue
            assert name in twins, name
            # with_options only makes a client; send_iter returns an async iterator.
            waits = name not in {"with_options", "send_iter"}
            assert inspect.iscoroutinefunction(inspect.unwrap(twins[name])) == waits
            # Generated twins (scripts/generate.py): the whole signature matches, but
            # for the async iterable that only AsyncClient.send_many takes.
            sync_signature = str(inspect.signature(getattr(Client, name)))
            async_signature = str(inspect.signature(twins[name]))
            assert (
                async_signature.replace(
                    " | AsyncIterable[models.AnyNotification]", ""
                ).replace(
                    "AsyncGenerator[SendOutcome, None]",
                    "Generator[SendOutcome, None, None]",
                )
                == sync_signature
            ), name

    async def test_with_options_rides_on_the_requests_of_that_client_only(
        self,
    ) -> None:
        sent: list[HTTPRequest] = []

        class Recording:
            async def send(self, request: HTTPRequest) -> HTTPResponse:
                sent.append(request)
                return HTTPResponse(status=200, body=b'{"status":1,"request":"r"}')

            async def aclose(self) -> None:
                pass

        client = AsyncClient(APP_TOKEN, transport=Recording())
        quick = client.with_options(deadline=3, retries=0)
        note = Notification(user=USER_KEY, message="hi")

        await quick.send(note)
        await client.send(note)

        assert quick.transport is client.transport
        assert sent[0].options == SendOptions(
            deadline=3, retries=RetryPolicy(retries=0)
        )
        assert sent[1].options is None

    async def test_calls_through_the_fake_in_memory(self, fake: FakePushover) -> None:
        async with AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake)) as client:
            sent = await client.send(NOTE)
            sounds = await client.sounds()
            check = await client.validate_user(USER_KEY)

        assert [m.request for m in fake.messages] == [sent.request]
        assert "pushover" in sounds.sounds
        assert check.devices

    async def test_bad_input_is_refused_before_any_io(self, fake: FakePushover) -> None:
        client = AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake))

        with pytest.raises(ValidationError):
            await client.validate_user("not a key")
        with pytest.raises(TypeError):
            await client.call(client_row(), "not a request")
        assert fake.requests == ()

    def test_the_colours_are_told_apart(self) -> None:
        with pytest.raises(TypeError, match="AsyncClient"):
            Client(APP_TOKEN, transport=AsyncFakeTransport())  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="Client"):
            AsyncClient(APP_TOKEN, transport=FakeTransport())  # type: ignore[arg-type]

    def test_a_missing_extra_is_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_execute, "_installed", installed_only())

        with pytest.raises(ImportError, match=r"chump_typed\[aiohttp\]"):
            AsyncClient(APP_TOKEN)

    async def test_the_default_transport_is_chosen_by_the_event_loop(
        self, monkeypatch: pytest.MonkeyPatch, anyio_backend: str, url: str
    ) -> None:
        client = AsyncClient(APP_TOKEN, base_url=url)
        monkeypatch.setattr(_execute, "_installed", installed_only("aiohttp"))

        if anyio_backend == "trio":  # aiohttp is asyncio only, and httpx "missing"
            with pytest.raises(ImportError, match=r"chump_typed\[httpx\]"):
                await client.send(NOTE)
        else:
            await client.send(NOTE)
            chosen: object = getattr(client.transport, "chosen", None)
            assert isinstance(chosen, AiohttpTransport)
        await client.aclose()

    @pytest.mark.parametrize("kind", [AsyncHttpxTransport, AiohttpTransport])
    def test_a_missing_ca_bundle_names_the_knob(self, kind: type[Any]) -> None:
        with pytest.raises(ValidationError) as info:
            kind(ca_certs="/nonexistent/ca.pem")

        assert info.value.field == "ca_certs"

    def test_secrets_stay_out_of_the_repr(self) -> None:
        client = AsyncClient(
            APP_TOKEN, team_token="t" * 20, transport=AsyncFakeTransport()
        )

        assert APP_TOKEN not in repr(client)


def client_row() -> Any:
    from chump_typed import SEND_MESSAGE

    return SEND_MESSAGE


#: Built at import, outside any event loop, as module-level clients are.
MODULE_LEVEL = AsyncClient(APP_TOKEN, base_url="http://127.0.0.1:9/1/")


Make = Callable[..., AsyncTransport]

#: Every async transport, under every event loop it supports.
WIRES = [("asyncio", "httpx"), ("trio", "httpx"), ("asyncio", "aiohttp")]


class TestOnTheWire:
    """What only the async transports have: cancellation, event loops, a shared httpx
    client. (The faults, retries, deadline, size cap, TLS, proxies and bulk run on
    every transport: tests/wires.py.)"""

    @pytest.fixture(params=WIRES, ids=lambda wire: "-".join(wire))
    def wire(self, request: pytest.FixtureRequest) -> tuple[str, str]:
        chosen: tuple[str, str] = request.param
        return chosen

    @pytest.fixture
    def anyio_backend(self, wire: tuple[str, str]) -> str:
        return wire[0]

    @pytest.fixture
    def make(self, wire: tuple[str, str]) -> Make:
        kind = AsyncHttpxTransport if wire[1] == "httpx" else AiohttpTransport

        def make(**options: Any) -> AsyncTransport:
            merged: dict[str, Any] = {"sleep": Waits(), **options}
            return kind(**merged)

        return make

    async def test_send_and_get_over_loopback(
        self, make: Make, fake: FakePushover, url: str
    ) -> None:
        async with AsyncClient(APP_TOKEN, base_url=url, transport=make()) as c:
            sent = await c.send(NOTE)
            limits = await c.limits()  # a GET: the token in the query

        assert [m.request for m in fake.messages] == [sent.request]
        assert limits.limit == 10_000
        assert fake.connections_opened == 1

    async def test_5xx_is_retried_after_the_floor(
        self, make: Make, fake: FakePushover, url: str
    ) -> None:
        fake.inject(Fault.UNAVAILABLE_JSON, Fault.SERVER_ERROR_HTML)
        waits = Waits()
        async with AsyncClient(
            APP_TOKEN, base_url=url, transport=make(sleep=waits)
        ) as client:
            await client.send(NOTE)

        assert waits.seen == [5.0, 10.0]
        assert len(fake.messages) == 1

    async def test_cancellation_propagates_unwrapped(self, make: Make) -> None:
        def slowly(conn: socket.socket, stop: threading.Event) -> None:
            trickle(conn, stop, b"HTTP/1.1 200 OK\r\n", 0.05)

        with serving(slowly) as served:
            client = AsyncClient(APP_TOKEN, base_url=served.url, transport=make())
            with anyio.move_on_after(0.3) as scope:
                await client.send(NOTE)
            await client.aclose()

        assert scope.cancelled_caught  # no TransportError swallowed the cancellation

    async def test_a_module_level_client_works_in_the_loop_that_uses_it(
        self, make: Make, fake: FakePushover, url: str
    ) -> None:
        client = AsyncClient(APP_TOKEN, base_url=url, transport=make())
        await client.send(NOTE)  # the connections open now, in this loop
        await client.aclose()

        assert len(fake.messages) == 1
        assert MODULE_LEVEL.transport is not None  # built at import, outside a loop


class TestHttpxOnly:
    async def test_a_shared_httpx_client_is_used_and_never_closed(
        self, fake: FakePushover, url: str
    ) -> None:
        async with httpx.AsyncClient() as shared:
            client = AsyncClient(
                APP_TOKEN, base_url=url, transport=transport(client=shared)
            )
            await client.send(NOTE)
            await client.aclose()

            assert not shared.is_closed
        assert len(fake.messages) == 1


def test_another_event_loop_is_a_clear_error(url: str) -> None:
    client = AsyncClient(APP_TOKEN, base_url=url, transport=transport())

    async def once() -> None:
        await client.send(NOTE)

    # The first loop lives in a portal's thread, so that it can close what it opened.
    with anyio.from_thread.start_blocking_portal() as first_loop:
        first_loop.call(once)
        with pytest.raises(RuntimeError, match="another event loop"):
            anyio.run(once)
        first_loop.call(client.aclose)


class Tracking:
    """An async fake transport that counts the sends in flight at once."""

    def __init__(self, fake: FakePushover) -> None:
        self.inner = AsyncFakeTransport(fake)
        self.now = 0
        self.peak = 0

    async def send(self, request: Any) -> Any:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            for _ in range(3):
                await anyio.sleep(0)  # let the other sender run meanwhile
            return await self.inner.send(request)
        finally:
            self.now -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def many(count: int) -> list[Notification]:
    return [Notification(user=USER_KEY, message=f"n{i}") for i in range(count)]


class TestBulk:
    @pytest.mark.parametrize("in_flight", [1, 2])
    async def test_in_order_with_at_most_two_in_flight(self, in_flight: int) -> None:
        fake = FakePushover()
        tracking = Tracking(fake)
        client = AsyncClient(APP_TOKEN, transport=tracking)

        outcomes = await client.send_many(many(7), max_in_flight=in_flight)

        assert [o.index for o in outcomes] == list(range(7))
        assert [o.notification.message for o in outcomes] == [f"n{i}" for i in range(7)]
        assert all(isinstance(o, Sent) for o in outcomes)
        assert tracking.peak == in_flight
        assert sorted(m.message for m in fake.messages) == sorted(
            f"n{i}" for i in range(7)
        )

    async def test_an_async_iterable_is_accepted(self) -> None:
        fake = FakePushover()
        client = AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake))

        async def notes() -> AsyncIterator[Notification]:
            for note in many(3):
                yield note

        outcomes = await client.send_many(notes())

        assert [type(o) for o in outcomes] == [Sent, Sent, Sent]

    async def test_a_spent_quota_stops_the_run_and_nothing_is_resent(self) -> None:
        fake = FakePushover(limit=3)
        client = AsyncClient(APP_TOKEN, transport=Tracking(fake))

        outcomes = await client.send_many(many(8))

        sent = [o for o in outcomes if isinstance(o, Sent)]
        quota = [o for o in outcomes if isinstance(o, Failed)]
        assert len(sent) == len(fake.messages) == 3
        assert quota and all(isinstance(o.error, QuotaExceededError) for o in quota)
        assert isinstance(outcomes[-1], NotAttempted)
        assert len(fake.requests) == len(sent) + len(quota)  # each tried once at most

    async def test_a_failed_send_is_reported_not_resent(self) -> None:
        fake = FakePushover()
        fake.inject(Fault.RESET_AFTER_READ)
        client = AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake))

        outcomes = await client.send_many(many(3), max_in_flight=1)

        assert isinstance(outcomes[0], Failed)
        assert isinstance(outcomes[0].error, TransportError)
        assert outcomes[0].error.may_have_been_sent
        assert [type(o) for o in outcomes[1:]] == [Sent, Sent]
        assert len(fake.requests) == 3

    async def test_broadcast_sends_fifty_keys_per_request(self) -> None:
        fake = FakePushover(users={f"{i:030d}": ["phone"] for i in range(120)})
        client = AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake))

        outcomes = await client.broadcast(
            Notification(user=USER_KEY, message="all"),
            [f"{i:030d}" for i in range(120)],
        )

        assert [len(o.notification.user.split(",")) for o in outcomes] == [50, 50, 20]
        assert len(fake.messages) == 3

    async def test_a_bad_item_fails_alone(self) -> None:
        fake = FakePushover()
        client = AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake))

        outcomes = await client.send_many([*many(1), "not a notification", *many(1)])  # type: ignore[list-item]

        assert [type(o) for o in outcomes] == [Sent, Failed, Sent]
        assert isinstance(outcomes[1].error, TypeError)
        assert "notifications[1]" in str(outcomes[1].error)
        assert len(fake.messages) == 2

    async def test_cancellation_propagates_out_of_a_run(self) -> None:
        fake = FakePushover()
        client = AsyncClient(APP_TOKEN, transport=Tracking(fake))

        with anyio.CancelScope() as scope:
            scope.cancel()
            await client.send_many(many(4))

        assert scope.cancelled_caught
        assert fake.messages == ()

    async def test_repair_broadcast_has_the_sync_rules(self) -> None:
        known = [f"{i:030d}" for i in range(60)]
        unknown = "u" * 30
        fake = FakePushover(users=dict.fromkeys(known, ("phone",)))
        client = AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake))
        users = [*known[:49], unknown, *known[49:]]
        outcomes = await client.broadcast(
            Notification(user=USER_KEY, message="m"), users
        )
        assert [type(o) for o in outcomes] == [Failed, Sent]

        repair = await client.repair_broadcast(outcomes)

        assert repair.invalid == (unknown,)
        assert [type(o) for o in repair.resent] == [Sent]
        delivered = [k for m in fake.messages for k in m.recipients]
        assert sorted(delivered) == sorted(known)  # each valid key exactly once
        # With every key already known, nothing is checked and the resend still goes.
        again = await client.repair_broadcast(
            outcomes, known={**repair.known, **dict.fromkeys(known[:49], "valid")}
        )
        assert [r.path for r in fake.requests].count("/1/users/validate.json") == 50
        assert [type(o) for o in again.resent] == [Sent]
