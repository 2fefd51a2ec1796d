"""chump's Application on the typed core: its token, lazy attributes and rate-limit
figures, and what answers may change."""

from __future__ import annotations

import datetime as dt
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
    HTTPRequest,
    HTTPResponse,
    Message,
    Priority,
    User,
    ValidationError,
)
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
)
from tests.transports import HeldFirstAnswer

UTC = dt.timezone.utc


OTHER_USER = "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123"

pytestmark = pytest.mark.fake_options(
    users={USER_KEY: ("iphone", "droid2"), OTHER_USER: ("pixel",)}
)


def authenticated(app: Application) -> bool:
    """Read the lazy attribute afresh (a plain read would stay narrowed for mypy)."""
    return app.is_authenticated


def paths(fake: FakePushover) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


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


GOOD_TOKEN = "gOODtOKEN00000000000000000000a"


OLD_TOKEN = "oLDtOKEN000000000000000000000b"


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
        transport = HeldFirstAnswer(fake, path="/messages.json")
        app = Application(APP_TOKEN, transport=transport)
        user = app.get_user(USER_KEY)
        first = threading.Thread(target=user.send_message, args=("A",))
        first.start()
        assert transport.answered.wait(timeout=30)

        user.send_message("B")  # answered second, applied first
        transport.release.set()
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


def test_a_rejection_for_an_old_token_leaves_the_new_token_alone() -> None:
    fake = FakePushover(app_tokens=(GOOD_TOKEN,))
    transport = HeldFirstAnswer(fake)
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
