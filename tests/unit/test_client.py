"""The typed Client against the in-memory fake: one executor, one method per row."""

from __future__ import annotations

import datetime as dt
import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    GET_LIMITS,
    SEND_MESSAGE,
    APIError,
    Client,
    EmergencyNotification,
    EmergencySendResult,
    LimitsRequest,
    Notification,
    RetryPolicy,
    SendResult,
    ValidationError,
)
from chump_typed._checks import check_base_url
from chump_typed.protocol import HTTPRequest, HTTPResponse, SendOptions
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, FakeTransport

UTC = dt.timezone.utc


class TestCall:
    def test_call_runs_any_row(self, memory_client: Client, fake: FakePushover) -> None:
        result = memory_client.call(
            SEND_MESSAGE, Notification(user=USER_KEY, message="hi")
        )

        assert result.request == fake.messages[0].request
        assert fake.messages[0].params["message"] == "hi"
        limits = memory_client.call(GET_LIMITS, LimitsRequest())
        assert limits.remaining == 9999

    def test_wrong_request_model_is_refused_before_io(
        self, memory_client: Client, fake: FakePushover
    ) -> None:
        with pytest.raises(TypeError, match="send_message takes a Notification"):
            memory_client.call(SEND_MESSAGE, LimitsRequest())  # type: ignore[misc]  # pyright: ignore[reportArgumentType]  # misuse on purpose
        assert fake.requests == ()


class TestMethods:
    def test_send_normal_and_emergency(
        self, memory_client: Client, fake: FakePushover
    ) -> None:
        normal = memory_client.send(
            Notification(user=USER_KEY, message="hi", title="t")
        )
        alarm = memory_client.send(
            EmergencyNotification(
                user=USER_KEY,
                message="fire",
                retry=30,
                expire=600,
                tags="ops,fire",
            )
        )

        assert type(normal) is SendResult and not hasattr(normal, "receipt")
        assert type(alarm) is EmergencySendResult
        assert alarm.receipt == fake.messages[1].receipt
        assert normal.rate_limit is not None and normal.rate_limit.remaining == 9999
        assert alarm.rate_limit is not None and alarm.rate_limit.remaining == 9998

    def test_receipt_poll_and_cancels(
        self, memory_client: Client, fake: FakePushover
    ) -> None:
        alarm = memory_client.send(
            EmergencyNotification(
                user=USER_KEY,
                message="fire",
                retry=30,
                expire=600,
                tags="ops",
            )
        )
        before = memory_client.receipt(alarm.receipt)
        fake.acknowledge(alarm.receipt, device="iphone")
        after = memory_client.receipt(alarm.receipt)

        assert not before.acknowledged and before.acknowledged_by is None
        assert after.acknowledged and after.acknowledged_by == USER_KEY
        assert after.acknowledged_by_device == "iphone"
        assert (
            after.acknowledged_at is not None
            and after.acknowledged_at.tzinfo is not None
        )
        assert after.expires_at is not None
        assert memory_client.cancel(alarm.receipt).request
        assert memory_client.cancel_by_tag("ops").request

    def test_sounds_validate_limits(self, memory_client: Client) -> None:
        sounds = memory_client.sounds().sounds
        validation = memory_client.validate_user(USER_KEY)
        limits = memory_client.limits()

        assert sounds["pushover"] == "Pushover (default)"
        assert {"iphone", "droid2"} == set(validation.devices)
        assert validation.group is False
        assert limits.limit == 10000
        assert limits.reset.tzinfo is not None

    def test_rejection_is_a_typed_error(self, memory_client: Client) -> None:
        with pytest.raises(APIError) as info:
            memory_client.validate_user("x" * 30)

        assert "user" in info.value.bad_inputs
        assert (
            info.value.http_status is not None and 400 <= info.value.http_status < 500
        )

    def test_bad_token_is_refused_locally(self) -> None:
        with pytest.raises(ValidationError, match="token"):
            Client("short", transport=FakeTransport())


class TestBaseURL:
    @pytest.mark.parametrize(
        "url",
        [
            "https://api.pushover.net/1/",
            "http://127.0.0.1:8080/1/",
            "http://127.1.2.3/1/",
            "http://localhost:9/1/",
            "http://[::1]:9/1/",
        ],
    )
    def test_accepted(self, url: str) -> None:
        assert url == check_base_url(url)

    def test_trailing_slash_is_added(self) -> None:
        assert check_base_url("https://example.test/1") == "https://example.test/1/"

    @pytest.mark.parametrize(
        "url",
        [
            "http://api.pushover.net/1/",
            "http://10.0.0.1/1/",
            "ftp://127.0.0.1/1/",
            "https://user:pw@api.pushover.net/1/",
            "https://api.pushover.net/1/?x=1",
            "https://api.pushover.net/1/\r\nX: y",
            "/1/",
        ],
    )
    def test_refused(self, url: str) -> None:
        with pytest.raises(ValidationError, match="base_url"):
            check_base_url(url)


class TestSecrets:
    def test_repr_hides_the_token(self, memory_client: Client) -> None:
        assert APP_TOKEN not in repr(memory_client)
        assert "<redacted>" in repr(memory_client)

    def test_a_client_cannot_be_pickled(self, memory_client: Client) -> None:
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(memory_client)


class _Recording:
    """A transport that answers every call with success and keeps each request."""

    def __init__(self) -> None:
        self.requests: list[HTTPRequest] = []

    def send(self, request: HTTPRequest) -> HTTPResponse:
        self.requests.append(request)
        return HTTPResponse(status=200, body=b'{"status":1,"request":"r"}')

    def close(self) -> None:
        pass


class TestWithOptions:
    NOTE = Notification(user=USER_KEY, message="hi")

    def test_the_options_ride_on_each_request_of_that_client_only(self) -> None:
        transport = _Recording()
        client = Client(APP_TOKEN, transport=transport)
        quick = client.with_options(deadline=5, retries=1)

        quick.send(self.NOTE)
        client.send(self.NOTE)

        assert quick.transport is client.transport
        assert transport.requests[0].options == SendOptions(
            deadline=5, retries=RetryPolicy(retries=1)
        )
        assert transport.requests[1].options is None

    def test_options_not_given_are_kept_from_the_client_it_came_from(self) -> None:
        transport = _Recording()
        policy = RetryPolicy(retries=0)
        client = Client(APP_TOKEN, transport=transport).with_options(deadline=7)

        client.with_options(retries=policy).send(self.NOTE)

        assert transport.requests[0].options == SendOptions(deadline=7, retries=policy)

    def test_the_secrets_stay_hidden_and_the_client_is_not_picklable(self) -> None:
        quick = Client(APP_TOKEN, transport=_Recording()).with_options(deadline=1)

        assert APP_TOKEN not in repr(quick)
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(quick)

    @given(
        st.one_of(
            st.floats(max_value=0),
            st.just(math.inf),
            st.just(math.nan),
        )
    )
    def test_a_deadline_out_of_bounds_is_refused_naming_it(self, bad: float) -> None:
        client = Client(APP_TOKEN, transport=_Recording())

        with pytest.raises(ValidationError, match="deadline"):
            client.with_options(deadline=bad)

    @given(st.floats(min_value=1e-3, max_value=1e6))
    def test_any_finite_positive_deadline_is_taken(self, seconds: float) -> None:
        transport = _Recording()
        Client(APP_TOKEN, transport=transport).with_options(deadline=seconds).send(
            self.NOTE
        )

        options = transport.requests[0].options
        assert options is not None
        assert options.deadline == seconds

    def test_wrong_types_are_type_errors(self) -> None:
        client = Client(APP_TOKEN, transport=_Recording())

        with pytest.raises(TypeError, match="deadline"):
            client.with_options(deadline="5")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="retries"):
            client.with_options(retries=1.5)  # type: ignore[arg-type]
