"""Urllib3Transport remembers the connection pool of each origin it talks to."""

from __future__ import annotations

import pytest

from chump_typed import Client, Notification, Urllib3Transport
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve

pytestmark = pytest.mark.integration


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
