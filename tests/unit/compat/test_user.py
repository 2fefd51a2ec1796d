"""chump's User on the typed core: its key, devices, and what answers may change."""

from __future__ import annotations

import threading

import pytest

from chump_typed import (
    Application,
    Message,
    User,
)
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
)
from tests.transports import HeldFirstAnswer

OTHER_USER = "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123"

pytestmark = pytest.mark.fake_options(
    users={USER_KEY: ("iphone", "droid2"), OTHER_USER: ("pixel",)}
)


def paths(fake: FakePushover) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


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


def test_a_rejection_for_an_old_user_key_leaves_the_new_key_alone(
    fake: FakePushover,
) -> None:
    transport = HeldFirstAnswer(fake)
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
