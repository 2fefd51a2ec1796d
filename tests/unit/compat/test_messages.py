"""chump's Message and EmergencyMessage on the typed core: semantics kept, and each
deliberate difference."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

import pytest

from chump_typed import (
    EMERGENCY,
    HIGH,
    LOW,
    Application,
    EmergencyMessage,
    HTTPRequest,
    HTTPResponse,
    Message,
    Priority,
    TransportError,
    UnexpectedResponseError,
    User,
    ValidationError,
)
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
    Fault,
)

UTC = dt.timezone.utc


OTHER_USER = "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123"

pytestmark = pytest.mark.fake_options(
    users={USER_KEY: ("iphone", "droid2"), OTHER_USER: ("pixel",)}
)


def paths(fake: FakePushover) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


class TestMessage:
    def test_create_message_picks_the_class(self, user: User) -> None:
        normal = user.create_message("hi", priority=HIGH)
        alarm = user.create_message("fire", priority=EMERGENCY)
        by_enum = user.create_message("fire", priority=Priority.EMERGENCY)

        assert type(normal) is Message
        assert type(alarm) is EmergencyMessage
        assert type(by_enum) is EmergencyMessage
        assert not normal.is_sent and normal.id is None and normal.sent_at is None

    def test_every_parameter_is_an_attribute(
        self, user: User, fake: FakePushover
    ) -> None:
        when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
        message = user.create_message(
            "body",
            html=True,
            title="T",
            timestamp=when,
            url="https://x.test",
            url_title="X",
            device="iphone",
            priority=LOW,
            sound="bike",
        )

        assert ("body", True, "T", when) == (
            message.message,
            message.html,
            message.title,
            message.timestamp,
        )
        assert (
            message.url,
            message.url_title,
            message.device,
            message.priority,
            message.sound,
        ) == ("https://x.test", "X", "iphone", LOW, "bike")
        assert str(message) == "(T) body"
        assert message.send()
        sent = fake.messages[0].params
        assert {
            "message": "body",
            "html": "1",
            "title": "T",
            "timestamp": str(int(when.timestamp())),
            "url": "https://x.test",
            "url_title": "X",
            "device": "iphone",
            "priority": "-1",
            "sound": "bike",
            "user": USER_KEY,
        }.items() <= sent.items()

    def test_int_timestamp_reads_back_as_datetime(self, user: User) -> None:
        message = user.create_message("hi", timestamp=1_700_000_000)

        assert dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC) == message.timestamp

    def test_send_success(self, user: User, fake: FakePushover) -> None:
        message = user.send_message("hello")

        assert message.is_sent is True
        assert message.id == fake.messages[0].request
        assert message.sent_at is not None and message.sent_at.tzinfo is not None
        assert message.error is None

    def test_rejection_returns_false_and_keeps_the_error(
        self, app: Application, fake: FakePushover
    ) -> None:
        stranger = app.get_user("q" * 30)
        message = stranger.send_message("hello")

        assert message.is_sent is False
        assert message.error is not None
        assert "user" in message.error.bad_inputs
        assert stranger.is_authenticated is False  # learned from the rejection
        assert list(fake.messages) == []

    def test_resend_sends_again(self, user: User, fake: FakePushover) -> None:
        message = user.send_message("hello")
        first = message.id
        assert message.send()

        assert len(fake.messages) == 2
        assert first != message.id

    def test_setters_validate(self, user: User) -> None:
        message = user.create_message("hi")
        with pytest.raises(ValidationError, match="title"):
            message.title = "x" * 251
        with pytest.raises(ValidationError, match="message"):
            message.message = ""
        message.html = True
        with pytest.raises(ValidationError, match="monospace"):
            message.monospace = True
        assert message.message == "hi"  # a failed set leaves the message as it was

    def test_new_keyword_only_parameters(self, user: User, fake: FakePushover) -> None:
        user.send_message(
            "a",
            monospace=True,
            ttl=60,
            devices=["iphone", "droid2"],
            users=[OTHER_USER],
        )

        sent = fake.messages[0]
        assert sent.params["monospace"] == "1"
        assert sent.params["ttl"] == "60"
        assert sent.params["device"] == "iphone,droid2"
        assert f"{USER_KEY},{OTHER_USER}" == sent.params["user"]

    def test_transport_failure_raises(
        self, app: Application, fake: FakePushover
    ) -> None:
        fake.inject(Fault.RESET_BEFORE_READ)

        with pytest.raises(TransportError):
            app.get_user(USER_KEY).send_message("hello")


class TestEmergencyMessage:
    def test_send_poll_acknowledge_cancel(self, user: User, fake: FakePushover) -> None:
        alarm = user.send_message(
            "fire", priority=EMERGENCY, retry=60, expire=600, tags="ops"
        )

        assert alarm.is_sent and alarm.receipt == fake.messages[0].receipt
        assert (alarm.retry, alarm.expire, alarm.tags) == (60, 600, "ops")
        assert alarm.poll() is True
        assert alarm.expires_at is not None
        assert alarm.last_polled_at is not None
        before = alarm.is_acknowledged

        assert alarm.receipt is not None
        fake.acknowledge(alarm.receipt, device="iphone")

        assert alarm.poll() is False
        assert before is False
        assert alarm.is_acknowledged is True
        assert alarm.acknowledged_by is user  # the same User object, as in chump
        assert alarm.acknowledged_at is not None
        assert alarm.cancel() is True
        assert paths(fake)[-1] == f"POST /1/receipts/{alarm.receipt}/cancel.json"

    def test_acknowledged_by_another_user(
        self, app: Application, user: User, fake: FakePushover
    ) -> None:
        alarm = user.send_message("fire", priority=EMERGENCY, users=[OTHER_USER])
        assert alarm.receipt is not None
        fake.acknowledge(alarm.receipt, user=OTHER_USER)
        alarm.poll()

        assert isinstance(alarm.acknowledged_by, User)
        assert alarm.acknowledged_by.token == OTHER_USER
        assert alarm.acknowledged_by.app is app

    def test_expiry(self, user: User, fake: FakePushover) -> None:
        alarm = user.send_message("fire", priority=EMERGENCY)
        assert alarm.receipt is not None
        fake.expire(alarm.receipt)

        assert alarm.poll() is False
        assert alarm.is_expired is True

    def test_poll_sends_an_unsent_message(self, user: User, fake: FakePushover) -> None:
        alarm = user.create_message("fire", priority=EMERGENCY)

        assert alarm.poll() is True
        assert len(fake.messages) == 1

    def test_unsent_message_cancel_is_false_without_io(
        self, user: User, fake: FakePushover
    ) -> None:
        assert user.create_message("fire", priority=EMERGENCY).cancel() is False
        assert paths(fake) == []

    def test_ttl_and_non_emergency_extras_are_refused(self, user: User) -> None:
        with pytest.raises(ValidationError, match="ttl"):
            user.create_message("x", priority=EMERGENCY, ttl=5)
        with pytest.raises(ValidationError, match="callback"):
            user.create_message("x", callback="https://x.test")


class TestDeliberateDifferences:
    """Each row of design.md's table of differences from chump 1.6.0."""

    def test_expire_default_and_maximum_is_10800(self, user: User) -> None:
        assert user.create_message("x", priority=EMERGENCY).expire == 10800
        with pytest.raises(ValidationError, match="expire: must be <= 10800"):
            user.create_message("x", priority=EMERGENCY, expire=86400)

    def test_priority_range_is_checked(self, user: User) -> None:
        with pytest.raises(ValidationError, match="priority"):
            Message(user, "x", priority=5)
        message = user.create_message("x")
        with pytest.raises(ValidationError, match="priority"):
            message.priority = -3

    def test_server_error_is_a_typed_error(
        self, app: Application, fake: FakePushover
    ) -> None:
        fake.inject(Fault.SERVER_ERROR_HTML)

        with pytest.raises(UnexpectedResponseError) as info:
            app.get_user(USER_KEY).send_message("x")
        assert info.value.http_status == 500

    def test_missing_limit_headers_leave_limits_none(self, fake: FakePushover) -> None:
        class NoLimitHeaders(FakeTransport):
            def send(self, request: HTTPRequest) -> HTTPResponse:
                response = super().send(request)
                headers = {
                    k: v
                    for k, v in response.headers.items()
                    if not k.startswith("x-limit")
                }
                return HTTPResponse(
                    status=response.status, headers=headers, body=response.body
                )

        app = Application(
            APP_TOKEN, base_url="http://127.0.0.1:1/1/", transport=NoLimitHeaders(fake)
        )
        message = app.get_user(USER_KEY).send_message("x")

        assert message.is_sent
        assert (app.limit, app.remaining, app.reset) == (None, None, None)

    def test_setters_never_do_io(self, user: User, fake: FakePushover) -> None:
        message = user.create_message("x")
        message.sound = "bike"
        message.device = "iphone"

        assert paths(fake) == []

    def test_tokens_are_redacted(
        self, app: Application, user: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        message = app.get_user("q" * 30).send_message("x")
        app.sounds  # noqa: B018 - a GET with the token in its query
        assert message.error is not None

        texts = [
            repr(app),
            str(app),
            repr(user),
            str(user),
            repr(message.error),
            str(message.error),
            repr(message.error.request),
            message.error.url,
            caplog.text,
        ]
        for text in texts:
            assert APP_TOKEN not in text
            assert USER_KEY not in text
            assert "q" * 30 not in text

    def test_several_devices(self, user: User, fake: FakePushover) -> None:
        user.send_message("x", device="iphone,droid2")

        assert fake.messages[0].params["device"] == "iphone,droid2"

    def test_emergency_send_does_not_poll(self, user: User, fake: FakePushover) -> None:
        alarm = user.send_message("fire", priority=EMERGENCY)

        assert paths(fake) == ["POST /1/messages.json"]
        assert alarm.is_acknowledged is None  # unknown until the first poll


class TestUpdate:
    def test_several_parameters_change_together(self, user: User) -> None:
        message = user.create_message("hi", html=True)
        with pytest.raises(ValidationError, match="monospace"):
            message.monospace = True  # one at a time passes through html + monospace

        message.update(html=False, monospace=True)

        assert (message.html, message.monospace) == (False, True)
        assert message.notification.monospace

    def test_an_unknown_parameter_is_a_type_error(self, user: User) -> None:
        message = user.create_message("hi")
        with pytest.raises(TypeError, match="user"):
            message.update(user=OTHER_USER)

    def test_values_are_checked_as_by_the_attributes(self, user: User) -> None:
        message = user.create_message("hi")
        with pytest.raises(ValidationError, match="priority"):
            message.update(priority=7)
        with pytest.raises(ValidationError, match="title"):
            message.update(title="t" * 251)
        assert message.title is None


# -- One POST per message, whatever the threads do ---------------------------------------


class _HoldFirstPost(FakeTransport):
    """Holds the first POST until *expected* more requests have arrived or a short
    while has passed: long enough for a regression's extra POSTs to arrive, while a
    correct facade (which sends none) passes whatever the timing."""

    def __init__(self, fake: FakePushover, expected: int) -> None:
        super().__init__(fake)
        self.in_flight = threading.Event()
        self.others = threading.Semaphore(0)
        self.expected = expected
        self.posts = 0
        self._lock = threading.Lock()

    def send(self, request: HTTPRequest) -> HTTPResponse:
        with self._lock:
            first = request.method == "POST" and self.posts == 0
            self.posts += request.method == "POST"
        if not first:
            self.others.release()
            return super().send(request)
        self.in_flight.set()
        for _ in range(self.expected):
            if not self.others.acquire(timeout=0.5):
                break
        return super().send(request)


def _emergency(app: Application) -> EmergencyMessage:
    message = app.get_user(USER_KEY).create_message("fire", priority=EMERGENCY)
    assert isinstance(message, EmergencyMessage)
    return message


def _run_while_first_post_in_flight(
    transport: _HoldFirstPost,
    first: Callable[[], object],
    *others: Callable[[], object],
) -> None:
    starter = threading.Thread(target=first)
    starter.start()
    assert transport.in_flight.wait(timeout=30)
    threads = [threading.Thread(target=call) for call in others]
    for thread in threads:
        thread.start()
    for thread in [starter, *threads]:
        thread.join(timeout=30)
        assert not thread.is_alive()


@pytest.mark.parametrize("first", ["poll", "send"])
def test_concurrent_polls_and_sends_of_an_unsent_message_post_it_once(
    fake: FakePushover, first: str
) -> None:
    transport = _HoldFirstPost(fake, expected=3)
    message = _emergency(Application(APP_TOKEN, transport=transport))
    calls = [message.poll, message.send, message.poll]

    _run_while_first_post_in_flight(transport, getattr(message, first), *calls)

    assert len(fake.messages) == 1
    assert transport.posts == 1
    assert message.is_sent
    assert message.receipt is not None


def test_an_explicit_send_after_a_send_still_resends(fake: FakePushover) -> None:
    """chump's contract: send() after a finished send sends again."""
    message = _emergency(Application(APP_TOKEN, transport=FakeTransport(fake)))

    assert message.send()
    first_receipt = message.receipt
    assert message.send()

    assert len(fake.messages) == 2
    assert message.receipt != first_receipt
