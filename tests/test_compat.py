"""chump's interface on the typed core: semantics kept, and each deliberate difference."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    EMERGENCY,
    HIGH,
    LOW,
    LOWEST,
    NORMAL,
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


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover(users={USER_KEY: ("iphone", "droid2"), OTHER_USER: ("pixel",)})


@pytest.fixture
def app(fake: FakePushover) -> Application:
    return Application(
        APP_TOKEN, base_url="http://127.0.0.1:1/1/", transport=FakeTransport(fake)
    )


@pytest.fixture
def user(app: Application) -> User:
    return app.get_user(USER_KEY)


class _ReorderingTransport(FakeTransport):
    """Lets the fake answer the first message at once, then holds that response back
    until told: a later send overtakes it, as when two responses cross on the wire."""

    def __init__(self, fake: FakePushover) -> None:
        super().__init__(fake)
        self.first_answered = threading.Event()
        self.release_first = threading.Event()
        self._messages = 0
        self._lock = threading.Lock()

    def send(self, request: HTTPRequest) -> HTTPResponse:
        response = super().send(request)  # the fake answers in arrival order
        if not request.url.endswith("/messages.json"):
            return response
        with self._lock:
            self._messages += 1
            first = self._messages == 1
        if first:
            self.first_answered.set()
            assert self.release_first.wait(timeout=30)
        return response


def authenticated(app: Application) -> bool:
    """Read the lazy attribute afresh (a plain read would stay narrowed for mypy)."""
    return app.is_authenticated


def paths(fake: FakePushover) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


class TestConstants:
    def test_priorities(self) -> None:
        assert (LOWEST, LOW, NORMAL, HIGH, EMERGENCY) == (-2, -1, 0, 1, 2)
        assert [int(p) for p in Priority] == [LOWEST, LOW, NORMAL, HIGH, EMERGENCY]


class TestApplication:
    def test_lazy_authentication_and_sounds(
        self, app: Application, fake: FakePushover
    ) -> None:
        assert paths(fake) == []  # nothing happens until asked

        assert app.is_authenticated is True
        assert app.sounds is not None and "pushover" in app.sounds
        assert paths(fake) == ["GET /1/sounds.json"]  # loaded once, together

    def test_bad_token_is_not_authenticated(self, fake: FakePushover) -> None:
        app = Application(
            "z" * 30, base_url="http://127.0.0.1:1/1/", transport=FakeTransport(fake)
        )

        assert app.is_authenticated is False
        assert app.sounds is None

    def test_changing_the_token_forgets_what_was_loaded(
        self, app: Application, fake: FakePushover
    ) -> None:
        assert authenticated(app)
        app.token = "z" * 30

        assert not authenticated(app)
        assert len(fake.requests) == 2

    @pytest.mark.parametrize("token", ["short", "x" * 31, "a b" * 10])
    def test_token_format(self, token: str) -> None:
        with pytest.raises(ValidationError, match="token"):
            Application(token, transport=FakeTransport())

    def test_limits_start_unknown_and_follow_each_send(
        self, app: Application, user: User
    ) -> None:
        assert (app.limit, app.remaining, app.reset) == (None, None, None)

        user.send_message("one")
        user.send_message("two")

        assert app.limit == 10000
        assert app.remaining == 9998
        assert app.reset is not None and app.reset.tzinfo is not None

    def test_overlapping_sends_keep_the_newest_figures(
        self, fake: FakePushover, user: User
    ) -> None:
        """The server answers A (remaining 9999) then B (9998), but B's response
        arrives first: the figures stay B's, the newest the server gave."""
        transport = _ReorderingTransport(fake)
        app = Application(APP_TOKEN, transport=transport)
        user = app.get_user(USER_KEY)
        first = threading.Thread(target=user.send_message, args=("A",))
        first.start()
        assert transport.first_answered.wait(timeout=30)

        user.send_message("B")  # answered second, applied first
        transport.release_first.set()
        first.join(timeout=30)

        assert not first.is_alive()
        assert [m.message for m in fake.messages] == ["A", "B"]
        assert (app.limit, app.remaining) == (10000, 9998)
        assert app.rate_limit is not None and app.rate_limit.remaining == 9998

    def test_get_user_and_equality(self, app: Application) -> None:
        user = app.get_user(USER_KEY)

        assert user.app is app
        assert user == app.get_user(USER_KEY)
        assert user != app.get_user(OTHER_USER)
        assert app == Application(APP_TOKEN, transport=FakeTransport())


class TestUser:
    def test_lazy_devices(self, user: User, fake: FakePushover) -> None:
        assert user.is_authenticated is True
        assert {"iphone", "droid2"} == user.devices
        assert paths(fake) == ["POST /1/users/validate.json"]

    def test_unknown_user(self, app: Application) -> None:
        stranger = app.get_user("q" * 30)

        assert stranger.is_authenticated is False
        assert stranger.devices is None
        assert app.is_authenticated is True  # the app token was fine

    def test_user_on_a_bad_app_is_not_authenticated(self, fake: FakePushover) -> None:
        app = Application(
            "z" * 30, base_url="http://127.0.0.1:1/1/", transport=FakeTransport(fake)
        )

        assert app.get_user(USER_KEY).is_authenticated is False
        assert app.is_authenticated is False


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


# -- Rate-limit figures: the newest the server gave, whatever the arrival order --------


@st.composite
def server_histories(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    """(limit, remaining, reset) as a server gives them over time: within a period the
    allowance only grows and the count only falls; a new period has a later reset."""
    history: list[tuple[int, int, int]] = []
    limit, remaining, reset = 10_000, 10_000, 1_780_000_000
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        step = draw(st.sampled_from(["send", "buy", "reset"]))
        if step == "send":
            remaining = max(0, remaining - draw(st.integers(min_value=1, max_value=50)))
        elif step == "buy":
            extra = draw(st.integers(min_value=1, max_value=5_000))
            limit, remaining = limit + extra, remaining + extra
        else:
            reset += draw(st.integers(min_value=1, max_value=40 * 86_400))
            limit = remaining = draw(st.integers(min_value=1, max_value=50_000))
        history.append((limit, remaining, reset))
    return history


class _ScriptedTransport:
    """Answers each message with the next figures of a script."""

    def __init__(self, script: list[tuple[int, int, int]]) -> None:
        self.script = list(script)

    def send(self, request: HTTPRequest) -> HTTPResponse:
        limit, remaining, reset = self.script.pop(0)
        headers = {
            "x-limit-app-limit": str(limit),
            "x-limit-app-remaining": str(remaining),
            "x-limit-app-reset": str(reset),
        }
        return HTTPResponse(
            status=200, headers=headers, body=b'{"status": 1, "request": "r"}'
        )

    def close(self) -> None:
        pass


@given(server_histories(), st.randoms(use_true_random=False))
def test_any_arrival_order_ends_on_the_newest_figures(
    history: list[tuple[int, int, int]], random: Random
) -> None:
    arrivals = list(history)
    random.shuffle(arrivals)
    app = Application(APP_TOKEN, transport=_ScriptedTransport(arrivals))
    user = app.get_user(USER_KEY)

    for _ in arrivals:
        assert user.send_message("hello").is_sent

    limit, remaining, reset = history[-1]
    assert (app.limit, app.remaining) == (limit, remaining)
    assert app.reset == dt.datetime.fromtimestamp(reset, UTC)


# -- Each object owns its state; answers apply to the token they were given for -------

GOOD_TOKEN = "gOODtOKEN00000000000000000000a"
OLD_TOKEN = "oLDtOKEN000000000000000000000b"


class _HeldFirstTransport(FakeTransport):
    """Answers the first request at once but hands the answer back only when told."""

    def __init__(self, fake: FakePushover) -> None:
        super().__init__(fake)
        self.answered = threading.Event()
        self.release = threading.Event()
        self._first = True
        self._lock = threading.Lock()

    def send(self, request: HTTPRequest) -> HTTPResponse:
        response = super().send(request)
        with self._lock:
            first, self._first = self._first, False
        if first:
            self.answered.set()
            assert self.release.wait(timeout=30)
        return response


def test_a_rejection_for_an_old_token_leaves_the_new_token_alone() -> None:
    fake = FakePushover(app_tokens=(GOOD_TOKEN,))
    transport = _HeldFirstTransport(fake)
    app = Application(OLD_TOKEN, transport=transport)
    user = app.get_user(USER_KEY)
    outcome: list[Message] = []
    sender = threading.Thread(target=lambda: outcome.append(user.send_message("hi")))
    sender.start()
    assert transport.answered.wait(
        timeout=30
    )  # the old token's rejection is on its way

    app.token = GOOD_TOKEN
    assert app.is_authenticated
    transport.release.set()
    sender.join(timeout=30)

    assert not sender.is_alive()
    assert outcome[0].error is not None and "token" in outcome[0].error.bad_inputs
    assert app.known_authentication is True
    assert app.sounds is not None


def test_a_rejection_for_an_old_user_key_leaves_the_new_key_alone(
    fake: FakePushover,
) -> None:
    transport = _HeldFirstTransport(fake)
    app = Application(APP_TOKEN, transport=transport)
    user = app.get_user("uNKNOWNuSER000000000000000000c")
    outcome: list[Message] = []
    sender = threading.Thread(target=lambda: outcome.append(user.send_message("hi")))
    sender.start()
    assert transport.answered.wait(timeout=30)

    user.token = USER_KEY
    transport.release.set()
    sender.join(timeout=30)

    assert outcome[0].error is not None and "user" in outcome[0].error.bad_inputs
    assert user.devices == {"iphone", "droid2"}
    assert user.is_authenticated


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
