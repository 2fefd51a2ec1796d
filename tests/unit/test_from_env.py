"""``Client.from_env()`` and ``AsyncClient.from_env()``: the token and base URL from
the environment, a missing variable named."""

from __future__ import annotations

import asyncio

import pytest

from chump_typed import AsyncClient, Client, Notification, ValidationError
from chump_typed.testing import (
    APP_TOKEN,
    TEAM_TOKEN,
    USER_KEY,
    AsyncFakeTransport,
    FakePushover,
    FakeTransport,
)


def test_the_client_takes_what_the_environment_says() -> None:
    environ = {
        "PUSHOVER_TOKEN": APP_TOKEN,
        "PUSHOVER_BASE_URL": "http://127.0.0.1:8080/1/",
        "PUSHOVER_TEAM_TOKEN": TEAM_TOKEN,
    }
    fake = FakePushover()
    client = Client.from_env(environ=environ, transport=FakeTransport(fake))

    assert client.base_url == "http://127.0.0.1:8080/1/"
    client.send(Notification(user=USER_KEY, message="hi"))
    assert fake.requests[0].params["token"] == APP_TOKEN
    assert client.team_info().request  # the team token was taken too


def test_the_default_base_url_when_unset() -> None:
    client = Client.from_env(environ={"PUSHOVER_TOKEN": APP_TOKEN})
    assert client.base_url == "https://api.pushover.net/1/"
    client.close()


@pytest.mark.parametrize("environ", [{}, {"PUSHOVER_TOKEN": ""}])
def test_a_missing_token_names_the_variable(environ: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as info:
        Client.from_env(environ=environ)
    assert info.value.field == "PUSHOVER_TOKEN"
    assert "is not set" in str(info.value)


def test_a_bad_value_is_refused_as_always() -> None:
    with pytest.raises(ValidationError, match="base_url"):
        Client.from_env(
            environ={
                "PUSHOVER_TOKEN": APP_TOKEN,
                "PUSHOVER_BASE_URL": "http://x.example/1/",
            }
        )


def test_the_async_client_too() -> None:
    fake = FakePushover()
    client = AsyncClient.from_env(
        environ={"PUSHOVER_TOKEN": APP_TOKEN}, transport=AsyncFakeTransport(fake)
    )

    asyncio.run(client.send(Notification(user=USER_KEY, message="hi")))
    assert [m.message for m in fake.messages] == ["hi"]
    with pytest.raises(ValidationError, match="PUSHOVER_TOKEN"):
        AsyncClient.from_env(environ={})


def test_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHOVER_TOKEN", APP_TOKEN)
    monkeypatch.delenv("PUSHOVER_BASE_URL", raising=False)
    client = Client.from_env()
    assert client.base_url.startswith("https://api.pushover.net/")
    client.close()


LOOPBACK = "http://127.0.0.1:8080/1/"


def test_every_entry_point_without_base_url_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As SDKs read their base-URL variables: an example written for Pushover runs
    against ``chump-typed fake`` once its ``export`` line is pasted."""
    from chump_typed import Application
    from chump_typed.logging import PushoverHandler
    from chump_typed.receive import AsyncOpenClient, OpenClient

    monkeypatch.setenv("PUSHOVER_BASE_URL", LOOPBACK)
    monkeypatch.setenv("PUSHOVER_PUSH_URL", "ws://127.0.0.1:8081/push")
    fake = FakePushover()
    with Client(APP_TOKEN, transport=FakeTransport(fake)) as client:
        assert client.base_url == LOOPBACK
    assert (
        AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake)).base_url == LOOPBACK
    )
    receiver = OpenClient(transport=FakeTransport(fake))
    assert (receiver.base_url, receiver.push_url) == (
        LOOPBACK,
        "ws://127.0.0.1:8081/push",
    )
    assert AsyncOpenClient(transport=AsyncFakeTransport(fake)).base_url == LOOPBACK
    handler = PushoverHandler(APP_TOKEN, USER_KEY, transport=FakeTransport(fake))
    assert handler.client.base_url == LOOPBACK
    handler.close()
    app = Application(APP_TOKEN, transport=FakeTransport(fake))
    assert app.client.base_url == LOOPBACK
    # An explicit base_url wins over the variable.
    explicit = Client(
        APP_TOKEN, base_url="http://localhost:1/1/", transport=FakeTransport(fake)
    )
    assert explicit.base_url == "http://localhost:1/1/"


@pytest.mark.parametrize(
    ("variable", "make"),
    [
        ("PUSHOVER_BASE_URL", lambda: Client(APP_TOKEN, transport=FakeTransport())),
        (
            "PUSHOVER_PUSH_URL",
            lambda: __import__("chump_typed.receive").receive.OpenClient(
                transport=FakeTransport()
            ),
        ),
    ],
)
def test_a_bad_url_in_the_environment_is_refused_by_its_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, make: object
) -> None:
    monkeypatch.setenv(variable, "http://example.com/1/")  # not the secure scheme
    assert callable(make)
    with pytest.raises(ValidationError, match=f"^{variable}: must "):
        make()
