"""Urllib3Transport: its knobs (checked once for every transport: the knob tests run on
all four), how it takes its retry policy, and the pool of each origin. No test sleeps:
waits are recorded."""

from __future__ import annotations

from typing import Any

import pytest
import urllib3

import chump_typed
from chump_typed import (
    AiohttpTransport,
    AsyncHttpxTransport,
    Client,
    HttpxTransport,
    Notification,
    RetryEvent,
    RetryPolicy,
    UnexpectedResponseError,
    Urllib3Transport,
    ValidationError,
)
from chump_typed.protocol import HTTPRequest
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Fault, serve

#: Every transport of the package: they share their knobs (chump_typed._transport_base).
TRANSPORTS: list[type[Any]] = [
    Urllib3Transport,
    HttpxTransport,
    AsyncHttpxTransport,
    AiohttpTransport,
]

#: The retry knobs transports took before RetryPolicy held them (each is tested on
#: RetryPolicy in tests/unit/test_retry.py).
RETIRED = (
    "connect_retries",
    "read_retries",
    "status_retries",
    "retry_statuses",
    "backoff_floor",
    "backoff_factor",
    "backoff_max",
    "max_wait",
)


@pytest.fixture
def waits() -> list[float]:
    """Where a transport made with ``sleep=waits.append`` records its waits."""
    return []


@pytest.mark.parametrize("kind", TRANSPORTS)
class TestRetryPolicy:
    def test_an_int_is_that_many_retries(self, kind: type[Any]) -> None:
        assert kind(retries=5).retries == RetryPolicy(retries=5)
        assert kind(retries=0).retries == RetryPolicy(retries=0)

    def test_a_policy_is_kept_as_it_is(self, kind: type[Any]) -> None:
        policy = RetryPolicy(retries=1, connect_retries=4, retry_statuses={503})

        assert kind(retries=policy).retries is policy

    @pytest.mark.parametrize("knob", RETIRED)
    def test_a_flat_retry_knob_points_to_the_policy(
        self, kind: type[Any], knob: str
    ) -> None:
        with pytest.raises(TypeError, match=rf"retries=RetryPolicy\({knob}=\.\.\.\)"):
            kind(**{knob: 0})

    def test_an_unknown_keyword_is_refused(self, kind: type[Any]) -> None:
        with pytest.raises(TypeError, match="unexpected keyword argument 'deadlines'"):
            kind(deadlines=5)


def test_a_urllib3_retry_is_refused() -> None:
    with pytest.raises(TypeError, match=r"RetryPolicy.*urllib3's Retry is not used"):
        Urllib3Transport(retries=urllib3.Retry(3))  # type: ignore[arg-type]  # the point


def test_pushover_retry_is_gone() -> None:
    """An unreleased draft's name (see the changelog): RetryPolicy replaced it."""
    with pytest.raises(AttributeError, match="PushoverRetry"):
        getattr(chump_typed, "PushoverRetry")  # noqa: B009  # a removed name


@pytest.mark.integration
class TestOnTheWire:
    def test_default_floor_spaces_5xx_retries_5_then_10_seconds(
        self, waits: list[float]
    ) -> None:
        fake = FakePushover(
            faults=[Fault.SERVER_ERROR_HTML, Fault.BAD_GATEWAY_EMPTY, None]
        )
        transport = Urllib3Transport(sleep=waits.append)
        with (
            serve(fake) as url,
            Client(APP_TOKEN, base_url=url, transport=transport) as client,
        ):
            client.send(Notification(user=USER_KEY, message="once"))

        assert waits == [5.0, 10.0]
        assert [m.message for m in fake.messages] == ["once"]

    def test_5xx_retries_run_out(self, waits: list[float]) -> None:
        fake = FakePushover(faults=[Fault.UNAVAILABLE_JSON] * 3)
        transport = Urllib3Transport(
            retries=RetryPolicy(backoff_floor=0, backoff_factor=0), sleep=waits.append
        )
        with (
            serve(fake) as url,
            Client(APP_TOKEN, base_url=url, transport=transport) as client,
            pytest.raises(UnexpectedResponseError) as info,
        ):
            client.send(Notification(user=USER_KEY, message="never"))

        assert info.value.http_status == 503
        assert len(fake.requests) == 3
        assert not fake.messages
        assert waits == []  # a zero floor and factor never sleep

    def test_each_retry_is_reported_before_its_wait(self, waits: list[float]) -> None:
        fake = FakePushover(
            faults=[Fault.UNAVAILABLE_JSON, Fault.UNAVAILABLE_JSON, None]
        )
        events: list[RetryEvent] = []
        transport = Urllib3Transport(sleep=waits.append, on_retry=events.append)
        with (
            serve(fake) as url,
            Client(APP_TOKEN, base_url=url, transport=transport) as c,
        ):
            c.send(Notification(user=USER_KEY, message="third time"))

        assert [(e.attempt, e.wait) for e in events] == [(2, 5.0), (3, 10.0)]
        assert waits == [5.0, 10.0]
        assert all(e.method == "POST" and "?" not in e.url for e in events)
        assert "HTTP 503" in events[0].reason

    def test_no_retry_starts_that_cannot_finish_before_the_deadline(
        self, waits: list[float]
    ) -> None:
        fake = FakePushover(faults=[Fault.UNAVAILABLE_JSON, None])
        transport = Urllib3Transport(deadline=3, sleep=waits.append)  # floor: 5 s
        with (
            serve(fake) as url,
            Client(APP_TOKEN, base_url=url, transport=transport) as client,
            pytest.raises(UnexpectedResponseError),
        ):
            client.send(Notification(user=USER_KEY, message="no time"))

        assert waits == []  # it did not sleep past the deadline to fail anyway
        assert len(fake.requests) == 1

    def test_no_retries_at_all(self) -> None:
        fake = FakePushover(faults=[Fault.UNAVAILABLE_JSON])
        with (
            serve(fake) as url,
            Client(
                APP_TOKEN, base_url=url, transport=Urllib3Transport(retries=0)
            ) as client,
            pytest.raises(UnexpectedResponseError),
        ):
            client.sounds()

        assert len(fake.requests) == 1


class TestKnobs:
    @pytest.mark.parametrize("kind", TRANSPORTS)
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"timeout": 0}, "timeout"),
            ({"timeout": -1.0}, "timeout"),
            ({"timeout": float("inf")}, "timeout"),
            ({"deadline": 0}, "deadline"),
            ({"deadline": float("nan")}, "deadline"),
            ({"retries": -1}, "retries"),
            ({"max_response_size": 0}, "max_response_size"),
            ({"proxy": "ftp://proxy:21"}, "proxy"),
            ({"proxy": "http://"}, "proxy"),
            ({"proxy": "http://proxy:99999"}, "proxy"),
            ({"maxsize": 0}, "maxsize"),
            ({"maxsize": 3}, "maxsize"),
            ({"ca_certs": "/nonexistent/ca.pem"}, "ca_certs"),
        ],
    )
    def test_bad_values_name_the_knob(
        self, kind: type[Any], kwargs: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ValidationError) as info:
            kind(**kwargs)

        assert field == info.value.field

    @pytest.mark.parametrize("timeout", [urllib3.Timeout(), urllib3.Timeout(connect=1)])
    def test_a_urllib3_timeout_needs_both_values(
        self, timeout: urllib3.Timeout
    ) -> None:
        with pytest.raises(ValidationError) as info:
            Urllib3Transport(timeout=timeout)

        assert info.value.field == "timeout"

    @pytest.mark.parametrize("kind", TRANSPORTS)
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"timeout": "5"},
            {"timeout": True},
            {"deadline": "60"},
            {"retries": 1.5},
            {"retries": True},
            {"retries": "3"},
            {"maxsize": 2.0},
            {"max_response_size": 1.0},
            {"proxy": b"http://proxy:3128"},
            {"trust_env": 1},
            {"on_retry": "print"},
            {"sleep": "time.sleep"},
            {"clock": 0.0},
            {"ssl_context": "ctx"},
            {"ca_certs": b"/etc/ca.pem"},
        ],
    )
    def test_wrong_types(self, kind: type[Any], kwargs: dict[str, Any]) -> None:
        with pytest.raises(TypeError):
            kind(**kwargs)

    @pytest.mark.parametrize(
        "kind", [HttpxTransport, AsyncHttpxTransport, AiohttpTransport]
    )
    def test_only_urllib3_takes_a_urllib3_timeout(self, kind: type[Any]) -> None:
        with pytest.raises(TypeError):
            kind(timeout=urllib3.Timeout(connect=1, read=1))

    def test_defaults(self) -> None:
        transport = Urllib3Transport()

        assert (
            transport.timeout.connect_timeout,
            transport.timeout.read_timeout,
        ) == (10.0, 30.0)
        assert transport.deadline == 60.0
        assert transport.max_response_size == 1024 * 1024
        assert transport.retries == RetryPolicy()
        assert (transport.proxy, transport.trust_env) == (None, True)

    def test_a_number_sets_both_timeouts(self) -> None:
        timeout = Urllib3Transport(timeout=2).timeout

        assert (timeout.connect_timeout, timeout.read_timeout) == (2.0, 2.0)

    def test_repr_shows_the_policy_and_hides_proxy_credentials(self) -> None:
        shown = repr(Urllib3Transport(proxy="http://me:hunter2@proxy.example:3128"))

        assert "RetryPolicy(retries=3" in shown
        assert "proxy.example:3128" in shown
        assert "hunter2" not in shown


def test_requests_to_one_origin_share_one_kept_alive_connection() -> None:
    fake = FakePushover()
    with serve(fake) as url, Client(APP_TOKEN, base_url=url) as client:
        client.send(Notification(user=USER_KEY, message="one"))
        assert client.sounds().sounds  # a GET with the token in its query
        client.send(Notification(user=USER_KEY, message="two"))

    assert fake.connections_opened == 1
    assert [r.path for r in fake.requests] == [
        "/1/messages.json",
        "/1/sounds.json",
        "/1/messages.json",
    ]


def test_a_closed_transport_opens_a_new_pool_when_used_again() -> None:
    fake = FakePushover()
    transport = Urllib3Transport(retries=RetryPolicy(backoff_floor=0))
    with serve(fake) as url:
        client = Client(APP_TOKEN, base_url=url, transport=transport)
        client.send(Notification(user=USER_KEY, message="before"))
        client.close()
        client.send(Notification(user=USER_KEY, message="after"))
        client.close()

    assert [m.params["message"] for m in fake.messages] == ["before", "after"]
    assert fake.connections_opened == 2


def test_one_transport_serves_several_origins_apart() -> None:
    first, second = FakePushover(), FakePushover()
    transport = Urllib3Transport(retries=RetryPolicy(backoff_floor=0))
    with serve(first) as one, serve(second) as two:
        for _ in range(2):
            for url in (one, two):
                Client(APP_TOKEN, base_url=url, transport=transport).send(
                    Notification(user=USER_KEY, message=url)
                )
        transport.close()

    assert [m.params["message"] for m in first.messages] == [one, one]
    assert [m.params["message"] for m in second.messages] == [two, two]
    assert first.connections_opened == second.connections_opened == 1


def test_a_send_goes_out_when_no_thread_may_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At interpreter exit (Python 3.12+) no thread may start, so the deadline's
    watchdog cannot: a send made then (the logging handler's last records) still goes
    out, bounded by its socket timeouts, and the watchdog starts on a later call."""
    import threading

    from chump_typed._deadline import Watchdog

    watchdog = Watchdog()
    monkeypatch.setattr("chump_typed._urllib3.WATCHDOG", watchdog)

    start = threading.Thread.start

    def refuse(self: threading.Thread) -> None:
        if self.name == "chump_typed-deadline":  # (the fake's own threads may start)
            raise RuntimeError("can't create new thread at interpreter shutdown")
        start(self)

    fake = FakePushover()
    with serve(fake) as url, monkeypatch.context() as shutting_down:
        shutting_down.setattr(threading.Thread, "start", refuse)
        with chump_typed.Client(APP_TOKEN, base_url=url) as client:
            client.send(chump_typed.Notification(user=USER_KEY, message="at exit"))
    assert [m.message for m in fake.messages] == ["at exit"]
    guard = watchdog.watch(5.0)  # threads may start again: the watchdog does
    watchdog.release(guard)
    assert watchdog._thread is not None  # pyright: ignore[reportPrivateUsage]


def test_a_pool_closed_before_it_gave_a_connection_means_nothing_was_sent() -> None:
    """close() in another thread (or an eviction) between choosing a pool and taking a
    connection from it: urllib3's ClosedPoolError, raised before anything is sent."""
    from urllib3.connectionpool import HTTPConnectionPool
    from urllib3.exceptions import ClosedPoolError

    from chump_typed import NotConnected
    from chump_typed._urllib3 import (
        _map_failure,  # pyright: ignore[reportPrivateUsage]
    )

    request = HTTPRequest(method="POST", url="https://api.pushover.net/1/messages.json")
    pool = HTTPConnectionPool("api.pushover.net")
    outcome, error = _map_failure(request, ClosedPoolError(pool, "Pool is closed."))

    assert isinstance(outcome, NotConnected)
    assert not error.may_have_been_sent
    assert "closed" in str(error)


def test_closing_while_another_thread_sends_loses_and_repeats_nothing() -> None:
    """close() from one thread while another sends: each send either goes out once
    or fails as not sent (and is retried); nothing is delivered twice."""
    import threading

    fake = FakePushover()
    transport = Urllib3Transport(retries=RetryPolicy(backoff_floor=0))
    done = threading.Event()
    with serve(fake) as url:
        client = Client(APP_TOKEN, base_url=url, transport=transport)

        def keep_closing() -> None:
            while not done.is_set():
                transport.close()
                done.wait(0.001)

        closer = threading.Thread(target=keep_closing)
        closer.start()
        try:
            for number in range(40):
                client.send(Notification(user=USER_KEY, message=str(number)))
        finally:
            done.set()
            closer.join()
            client.close()

    assert [m.params["message"] for m in fake.messages] == [str(n) for n in range(40)]
