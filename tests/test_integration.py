"""The real urllib3 transport against the fake Pushover on loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chump_typed import (
    EMERGENCY,
    APIError,
    Application,
    Client,
    Notification,
    Priority,
    Urllib3Transport,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover()


@pytest.fixture
def base_url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as url:
        yield url


@pytest.fixture
def app(base_url: str) -> Iterator[Application]:
    app = Application(
        APP_TOKEN, base_url=base_url, transport=Urllib3Transport(backoff_floor=0)
    )
    yield app
    app.client.close()


def test_issue_example_send_message(
    app: Application, base_url: str, fake: FakePushover
) -> None:
    message = (
        Application(APP_TOKEN, base_url=base_url).get_user(USER_KEY).send_message("hi")
    )

    assert message.is_sent
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/1/messages.json")
    assert dict(request.params) == {
        "token": APP_TOKEN,
        "user": USER_KEY,
        "message": "hi",
    }


def test_emergency_path_on_the_wire(app: Application, fake: FakePushover) -> None:
    user = app.get_user(USER_KEY)
    alarm = user.send_message(
        "fire", title="ops", priority=EMERGENCY, retry=30, expire=600
    )
    assert alarm.receipt is not None
    assert alarm.poll() is True
    fake.acknowledge(alarm.receipt)
    assert alarm.poll() is False
    assert alarm.cancel() is True

    wire = [(r.method, r.path, dict(r.params)) for r in fake.requests]
    receipt = alarm.receipt
    assert [
        (
            "POST",
            "/1/messages.json",
            {
                "token": APP_TOKEN,
                "user": USER_KEY,
                "message": "fire",
                "title": "ops",
                "priority": "2",
                "retry": "30",
                "expire": "600",
            },
        ),
        ("GET", f"/1/receipts/{receipt}.json", {"token": APP_TOKEN}),
        ("GET", f"/1/receipts/{receipt}.json", {"token": APP_TOKEN}),
        ("POST", f"/1/receipts/{receipt}/cancel.json", {"token": APP_TOKEN}),
    ] == wire
    assert alarm.acknowledged_by == user
    assert app.remaining == 9999


def test_keep_alive_uses_one_connection(app: Application, fake: FakePushover) -> None:
    user = app.get_user(USER_KEY)
    for n in range(5):
        assert user.send_message(f"message {n}").is_sent

    assert fake.connections_opened == 1
    assert len(fake.messages) == 5


def test_typed_client_every_core_call(base_url: str, fake: FakePushover) -> None:
    with Client(APP_TOKEN, base_url=base_url) as client:
        sent = client.send(
            Notification(
                user=USER_KEY,
                message="x",
                priority=Priority.EMERGENCY,
                retry=30,
                expire=60,
                tags="a b/c",
            )
        )
        assert sent.receipt is not None
        assert sent.rate_limit is not None and sent.rate_limit.remaining == 9999
        assert not client.receipt(sent.receipt).acknowledged
        assert client.cancel_by_tag("a b/c").canceled == 1
        assert client.cancel(sent.receipt).request
        assert "bike" in client.sounds().sounds
        assert "iphone" in client.validate_user(USER_KEY, "iphone").devices
        assert client.limits().remaining == 9999

    assert "/1/receipts/cancel_by_tag/a%20b%2Fc.json" in [
        r.path for r in fake.requests
    ] or ("/1/receipts/cancel_by_tag/a b/c.json" in [r.path for r in fake.requests])


def test_rejection_over_http(app: Application) -> None:
    with pytest.raises(APIError) as info:
        app.client.validate_user("q" * 30)

    assert info.value.http_status == 400
    assert info.value.id
