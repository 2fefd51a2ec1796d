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
