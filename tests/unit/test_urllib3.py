"""Urllib3Transport: the retry policy as data (which answers are retried, how long
each wait is), the transport's knobs, and the pool of each origin. No test sleeps:
waits are computed or recorded."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest
import urllib3
from hypothesis import given
from hypothesis import strategies as st
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.response import HTTPResponse as Urllib3Response
from urllib3.util.retry import RequestHistory, Retry

from chump_typed import (
    Client,
    Notification,
    PushoverRetry,
    UnexpectedResponseError,
    Urllib3Transport,
    ValidationError,
    _urllib3,
)
from chump_typed.protocol import HTTPRequest
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Fault, serve


def answer(status: int, **headers: str) -> Urllib3Response:
    return Urllib3Response(body=b"", headers=headers, status=status)


def after_failures(retry: PushoverRetry, failures: int) -> PushoverRetry:
    """*retry* as it stands after *failures* consecutive failed attempts."""
    history = tuple(
        RequestHistory("GET", "/", None, 503, None) for _ in range(failures)
    )
    return retry.new(history=history)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every retry wait instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(_urllib3, "_sleep", recorded.append)
    return recorded


class TestWhatIsRetried:
    @pytest.mark.parametrize(
        ("method", "expected"),
        [("GET", {500, 502, 503, 504}), ("POST", {500, 502, 503})],
    )
    def test_status_table(self, method: str, expected: set[int]) -> None:
        retry = Urllib3Transport(backoff_floor=0).retries

        retried = {
            status
            for status in range(100, 600)
            for has_retry_after in (False, True)
            if retry.is_retry(method, status, has_retry_after=has_retry_after)
        }

        assert expected == retried

    @pytest.mark.parametrize("status", [413, 429, 503])
    def test_retry_after_never_makes_a_4xx_retryable(self, status: int) -> None:
        # urllib3's own Retry retries 413/429/503 when Retry-After is present.
        plain = Retry(total=3)
        ours = PushoverRetry(total=3, status_forcelist={500, 502, 503})

        assert plain.is_retry("GET", status, has_retry_after=True)
        assert ours.is_retry("GET", status, has_retry_after=True) == (status >= 500)

    def test_a_post_is_never_resent_after_a_read_failure(self) -> None:
        transport = Urllib3Transport(backoff_floor=0, read_retries=5)
        post = HTTPRequest(method="POST", url="http://127.0.0.1/1/messages.json")
        retry = transport._retries_for(post)  # pyright: ignore[reportPrivateUsage]

        for error in (
            ReadTimeoutError(None, "/", "timed out"),  # type: ignore[arg-type]  # no pool
            ProtocolError("Connection aborted.", ConnectionResetError()),
        ):
            with pytest.raises(type(error)):
                retry.increment("POST", "/", error=error)

    def test_even_a_permissive_policy_cannot_resend_a_post(self) -> None:
        permissive = PushoverRetry(total=5, read=5, allowed_methods=None)
        transport = Urllib3Transport(retries=permissive)
        post = HTTPRequest(method="POST", url="http://127.0.0.1/1/messages.json")
        retry = transport._retries_for(post)  # pyright: ignore[reportPrivateUsage]

        with pytest.raises(ReadTimeoutError):
            retry.increment(
                "POST",
                "/",
                error=ReadTimeoutError(None, "/", "t"),  # type: ignore[arg-type]  # no pool
            )

    def test_a_request_that_costs_money_is_not_resent_after_a_5xx(self) -> None:
        transport = Urllib3Transport(backoff_floor=0)
        costly = HTTPRequest(method="POST", url="http://x/1/l.json", retryable=False)
        retry = transport._retries_for(costly)  # pyright: ignore[reportPrivateUsage]

        with pytest.raises(MaxRetryError):
            retry.increment("POST", "/", response=answer(503))

    def test_a_plain_urllib3_retry_is_refused(self) -> None:
        with pytest.raises(TypeError, match="PushoverRetry"):
            Urllib3Transport(retries=Retry(3))  # type: ignore[arg-type]  # the point


class TestWaits:
    @given(
        floor=st.floats(min_value=0, max_value=30),
        factor=st.floats(min_value=0, max_value=10),
        failures=st.integers(min_value=0, max_value=8),
        retry_after=st.none() | st.integers(min_value=0, max_value=120),
    )
    def test_never_sooner_than_the_floor_and_the_servers_retry_after(
        self, floor: float, factor: float, failures: int, retry_after: int | None
    ) -> None:
        retry = after_failures(
            PushoverRetry(
                total=10, backoff_factor=factor, backoff_floor=floor, max_wait=600
            ),
            failures,
        )
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        wait = retry.wait_before_retry(answer(503, **headers))

        assert wait >= floor
        assert wait >= (retry_after or 0)
        base = Retry(total=10, backoff_factor=factor).new(history=retry.history)
        assert wait == max(floor, base.get_backoff_time(), retry_after or 0)

    def test_default_waits_are_5_10_20_seconds(self) -> None:
        retry = Urllib3Transport().retries

        waits = [after_failures(retry, n).wait_before_retry() for n in (1, 2, 3)]

        assert waits == [5.0, 10.0, 20.0]

    def test_retry_after_as_a_date(self) -> None:
        retry = PushoverRetry(total=3, backoff_floor=5)
        later = email.utils.formatdate(time.time() + 40, usegmt=True)

        assert 30 < retry.wait_before_retry(answer(503, **{"Retry-After": later})) <= 41

    @pytest.mark.parametrize("value", ["soon", "-3", "1.5", ""])
    def test_malformed_retry_after_falls_back_to_the_backoff(self, value: str) -> None:
        retry = PushoverRetry(total=3, backoff_floor=5)

        assert retry.wait_before_retry(answer(503, **{"Retry-After": value})) == 5.0

    def test_retry_after_beyond_max_wait_ends_the_retries(self) -> None:
        retry = PushoverRetry(total=3, status=3, max_wait=60)

        with pytest.raises(MaxRetryError):
            retry.increment("GET", "/", response=answer(503, **{"Retry-After": "61"}))
        within = retry.increment(
            "GET", "/", response=answer(503, **{"Retry-After": "60"})
        )
        assert within.status == 2

    def test_knobs_survive_each_increment(self) -> None:
        retry = PushoverRetry(total=3, backoff_floor=7, max_wait=9)

        later = retry.increment("GET", "/", response=answer(500))

        assert (later.backoff_floor, later.max_wait) == (7, 9)


@pytest.mark.integration
class TestOnTheWire:
    def test_default_floor_spaces_5xx_retries_5_then_10_seconds(
        self, waits: list[float]
    ) -> None:
        fake = FakePushover(
            faults=[Fault.SERVER_ERROR_HTML, Fault.BAD_GATEWAY_EMPTY, None]
        )
        with serve(fake) as url, Client(APP_TOKEN, base_url=url) as client:
            client.send(Notification(user=USER_KEY, message="once"))

        assert waits == [5.0, 10.0]
        assert [m.message for m in fake.messages] == ["once"]

    def test_5xx_retries_run_out(self, waits: list[float]) -> None:
        fake = FakePushover(faults=[Fault.UNAVAILABLE_JSON] * 3)
        transport = Urllib3Transport(backoff_floor=0, backoff_factor=0)
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
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"timeout": 0}, "timeout"),
            ({"timeout": -1.0}, "timeout"),
            ({"timeout": float("inf")}, "timeout"),
            ({"timeout": urllib3.Timeout()}, "timeout"),
            ({"timeout": urllib3.Timeout(connect=1)}, "timeout"),
            ({"retries": -1}, "retries"),
            ({"connect_retries": -1}, "connect_retries"),
            ({"read_retries": -1}, "read_retries"),
            ({"status_retries": -1}, "status_retries"),
            ({"retry_statuses": [429]}, "retry_statuses"),
            ({"retry_statuses": [400, 500]}, "retry_statuses"),
            ({"backoff_floor": -0.1}, "backoff_floor"),
            ({"backoff_floor": float("nan")}, "backoff_floor"),
            ({"backoff_factor": -1}, "backoff_factor"),
            ({"backoff_max": -1}, "backoff_max"),
            ({"max_wait": -1}, "max_wait"),
            ({"maxsize": 0}, "maxsize"),
            ({"maxsize": 3}, "maxsize"),
            ({"ca_certs": "/nonexistent/ca.pem"}, "ca_certs"),
        ],
    )
    def test_bad_values_name_the_knob(self, kwargs: dict[str, Any], field: str) -> None:
        with pytest.raises(ValidationError) as info:
            Urllib3Transport(**kwargs)

        assert field == info.value.field

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"timeout": "5"},
            {"timeout": True},
            {"retries": 1.5},
            {"maxsize": 2.0},
            {"retry_statuses": "500"},
            {"retry_statuses": [500.0]},
            {"backoff_floor": "0"},
            {"ssl_context": "ctx"},
            {"ca_certs": b"/etc/ca.pem"},
        ],
    )
    def test_wrong_types(self, kwargs: dict[str, Any]) -> None:
        with pytest.raises(TypeError):
            Urllib3Transport(**kwargs)

    def test_defaults(self) -> None:
        transport = Urllib3Transport()
        retry = transport.retries

        assert (
            transport.timeout.connect_timeout,
            transport.timeout.read_timeout,
        ) == (10.0, 30.0)
        assert (
            retry.total,
            retry.connect,
            retry.read,
            retry.status,
            retry.other,
            retry.redirect,
        ) == (3, 3, 2, 2, 0, 0)
        assert {500, 502, 503, 504} == set(retry.status_forcelist)
        assert (
            retry.backoff_floor,
            retry.backoff_factor,
            retry.backoff_max,
            retry.max_wait,
        ) == (5.0, 5.0, 60.0, 60.0)

    def test_a_number_sets_both_timeouts(self) -> None:
        timeout = Urllib3Transport(timeout=2).timeout

        assert (timeout.connect_timeout, timeout.read_timeout) == (2.0, 2.0)

    def test_repr_shows_the_policy(self) -> None:
        assert "PushoverRetry(total=3" in repr(Urllib3Transport())


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
    transport = Urllib3Transport(backoff_floor=0)
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
    transport = Urllib3Transport(backoff_floor=0)
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
