"""The ``fake_pushover`` pytest fixture: a fake Pushover on loopback for your tests.

Installing chump_typed registers this module as a pytest plugin (entry point
``pytest11``), so any test can ask for the fixture::

    from chump_typed import Client, Notification
    from chump_typed.testing import APP_TOKEN, USER_KEY


    def test_alert_is_sent(fake_pushover):
        with Client(APP_TOKEN, base_url=fake_pushover.base_url) as client:
            client.send(Notification(user=USER_KEY, message="disk full"))
        assert [m.message for m in fake_pushover.messages] == ["disk full"]

The fixture is sync (the server runs in threads), so async tests use it as it is, for
instance through anyio's pytest plugin (``@pytest.mark.anyio``)::

    @pytest.mark.anyio
    async def test_alert_is_sent_async(fake_pushover):
        async with AsyncClient(APP_TOKEN, base_url=fake_pushover.base_url) as client:
            await client.send(Notification(user=USER_KEY, message="disk full"))
        assert len(fake_pushover.messages) == 1

Each test gets a fresh :class:`~chump_typed.testing.FakePushover` served by
:func:`~chump_typed.testing.serve`. Override the ``fake_pushover_options`` fixture to
configure it (its keyword arguments), and disable the plugin with
``-p no:chump_typed``. Only pytest imports this module: pytest stays an optional
dependency of chump_typed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest

from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    SentMessage,
    serve,
)

__all__ = ["FakePushoverServer", "fake_pushover", "fake_pushover_options"]


@attrs.frozen
class FakePushoverServer:
    """What the ``fake_pushover`` fixture gives a test: a fake, served on loopback."""

    #: The fake itself, to inspect (``requests``, ``receipt()``), script faults
    #: (``inject()``) or act as a recipient (``acknowledge()``).
    fake: FakePushover
    #: The API root to pass as ``base_url``, e.g. ``http://127.0.0.1:50123/1/``.
    base_url: str
    #: An application token the fake accepts.
    app_token: str = APP_TOKEN
    #: A user key the fake knows, with the devices ``iphone`` and ``droid2``.
    user_key: str = USER_KEY

    @property
    def messages(self) -> tuple[SentMessage, ...]:
        """Every message the fake accepted so far, oldest first."""
        return self.fake.messages


@pytest.fixture
def fake_pushover_options() -> Mapping[str, Any]:
    """Keyword arguments for the :class:`~chump_typed.testing.FakePushover`; override
    this fixture to configure it (e.g. ``{"limit": 1}``)."""
    return {}


@pytest.fixture
def fake_pushover(
    fake_pushover_options: Mapping[str, Any],
) -> Iterator[FakePushoverServer]:
    """A fresh :class:`~chump_typed.testing.FakePushover` served on loopback for one
    test; the server stops (and its threads end) when the test does."""
    fake = FakePushover(**fake_pushover_options)
    with serve(fake) as base_url:
        yield FakePushoverServer(fake=fake, base_url=base_url)
