"""The fake Pushover's means to test a consumer of the stream: a malformed message
(``queue_message``), a large backlog (``queue_backlog``) and an ``R`` storm
(``answer_push_logins``), through serve() over loopback HTTP and WebSocket."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from chump_typed.receive import Device, OpenClient, Session, UndecodableMessage
from chump_typed.testing import FakePushover, serve

pytestmark = pytest.mark.integration

GUARD = 60.0
EMAIL, PASSWORD = "me@example.com", "correct horse"


def wait_until(condition: Callable[[], bool]) -> None:
    pause = threading.Event()
    for _ in range(int(GUARD / 0.01)):
        if condition():
            return
        pause.wait(0.01)
    raise AssertionError("the condition never held")


@pytest.fixture
def fake() -> FakePushover:
    fake = FakePushover(push_keepalive=0.2)
    fake.add_account(EMAIL, PASSWORD)
    return fake


@pytest.fixture
def receiver(fake: FakePushover) -> Iterator[OpenClient]:
    with serve(fake) as url, OpenClient(base_url=url, push_url=fake.push_url) as c:
        yield c


@pytest.fixture
def session(receiver: OpenClient) -> Session:
    return receiver.login(EMAIL, PASSWORD)


@pytest.fixture
def device(session: Session) -> Device:
    return session.register_device("desk")


def test_a_malformed_message_from_the_fake(
    fake: FakePushover, session: Session, device: Device
) -> None:
    fake.queue_message(device.id, message="fine")
    bad = fake.queue_message(device.id, priority="urgent")
    fake.queue_message(device.id, message="fine too")
    reported: list[UndecodableMessage] = []
    texts: list[str] = []
    with session.listen(device, on_undecodable=reported.append) as messages:
        for item in messages:
            texts.append(item.message)
            if len(texts) == 2:
                break
    assert texts == ["fine", "fine too"]
    assert [r.id for r in reported] == [bad]
    assert fake.devices[device.id].pending == (bad + 1,)  # the last one yielded


def test_a_weeks_backlog_from_the_fake_drains(
    fake: FakePushover, session: Session, device: Device
) -> None:
    fake.queue_backlog(device.id, 2000)
    downloaded = session.download(device)
    assert len(downloaded) == 2000
    assert all(len(m.message) == 1000 for m in downloaded)


def test_an_r_storm_from_the_fake_is_paced(
    fake: FakePushover, session: Session, device: Device
) -> None:
    fake.answer_push_logins("R")
    before = len(fake.requests)
    started = time.monotonic()
    listener = session.listen(device, reconnect_wait=0.2)
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            for _ in listener:
                pass
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    wait_until(lambda: fake.push_logins >= 4)
    elapsed = time.monotonic() - started
    requests = len(fake.requests) - before + fake.push_logins
    listener.close()
    thread.join(GUARD)
    assert not thread.is_alive() and errors == []
    assert requests <= 5 * elapsed + 5
    fake.answer_push_logins(None)
