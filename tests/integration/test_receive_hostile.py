"""The listener against a hostile Open Client server of the tests' own
(:mod:`tests.integration.hostile_open_client`), sync and async: a consumer that stops
early, a malformed message, a week's backlog, an ``R`` storm, ids out of order, a
broken envelope, and ``close()`` from every wait.

No duration is asserted. Where a test shows that close() cut a wait short, the wait
it cut would have lasted an hour (or until the test ended): that the stream ended at
all is the proof. Each consumer runs in a thread (or task) with a generous guard, so
that a bug fails the test rather than hanging the run.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from chump_typed import UnexpectedResponseError
from chump_typed.receive import (
    AsyncOpenClient,
    Listener,
    OpenClient,
    ReceivedMessage,
    UndecodableMessage,
    _stream,
)
from tests.integration.hostile_open_client import (
    DEVICE,
    SECRET,
    Hostile,
    Served,
    message,
    serving,
    silent_handshake,
)

pytestmark = pytest.mark.integration

#: Seconds a stream may take before the test is failed rather than left hanging.
GUARD = 60.0
#: An hour: a wait that long was cut short if the stream ended.
HOUR = 3600.0


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait (guarded) for *condition*, polling."""
    pause = threading.Event()
    for _ in range(int(GUARD / 0.01)):
        if condition():
            return
        pause.wait(0.01)
    raise AssertionError("the condition never held")


class Consumer:
    """Takes every message of a listener in a thread, as fast as they come."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.ids: list[int] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for item in self.listener:
                self.ids.append(item.id)
        except BaseException as error:  # the test reads it
            self.error = error

    def ended(self) -> bool:
        """Wait (guarded) for the thread; whether it ended."""
        self._thread.join(GUARD)
        return not self._thread.is_alive()


@pytest.fixture
def state() -> Hostile:
    return Hostile()


@pytest.fixture
def served(state: Hostile) -> Iterator[Served]:
    with serving(state) as served:
        yield served


@pytest.fixture
def client(served: Served) -> Iterator[OpenClient]:
    with OpenClient(base_url=served.base_url, push_url=served.push_url) as client:
        yield client


def five(state: Hostile) -> None:
    state.add(*(message(n) for n in range(1, 6)))


# -- Stopping early -------------------------------------------------------------------


@pytest.mark.parametrize("how", ["break", "with", "close"])
def test_stopping_early_deletes_through_the_last_message_taken(
    state: Hostile, client: OpenClient, how: str
) -> None:
    five(state)
    session = client.session(SECRET, DEVICE)
    got: list[int] = []
    if how == "break":
        for item in session.listen(reconnect_wait=0.01):
            got.append(item.id)
            if item.id == 3:
                break  # the listener's last reference goes: it closes
    elif how == "with":
        with session.listen(reconnect_wait=0.01) as messages:
            for item in messages:
                got.append(item.id)
                if item.id == 3:
                    break
    else:
        listener = session.listen(reconnect_wait=0.01)
        for item in listener:
            got.append(item.id)
            if item.id == 3:
                break
        listener.close()
    assert got == [1, 2, 3]
    # 1 and 2 were taken; 3 was yielded, not taken: only it comes again.
    assert state.deletes == [2]
    assert sorted(state.messages) == [3, 4, 5]


def test_async_with_deletes_through_the_last_message_taken(
    state: Hostile, served: Served
) -> None:
    five(state)

    async def main() -> list[int]:
        got: list[int] = []
        async with AsyncOpenClient(
            base_url=served.base_url, push_url=served.push_url
        ) as client:
            session = client.session(SECRET, DEVICE)
            async with session.listen(reconnect_wait=0.01) as messages:
                async for item in messages:
                    got.append(item.id)
                    if item.id == 3:
                        break
        return got

    assert asyncio.run(main()) == [1, 2, 3]
    assert state.deletes == [2]
    assert sorted(state.messages) == [3, 4, 5]


def test_a_last_delete_that_fails_is_logged_not_raised(
    state: Hostile, client: OpenClient, caplog: pytest.LogCaptureFixture
) -> None:
    five(state)
    state.stall_deletes = True  # answered only when the test ends
    session = client.session(SECRET, DEVICE)

    def consume() -> None:
        with session.listen(reconnect_wait=0.01) as messages:
            for item in messages:
                if item.id == 2:
                    raise KeyError("the consumer's own")

    with pytest.raises(KeyError, match="the consumer's own"):
        consume()
    assert "could not delete the messages taken, through id 1" in caplog.text


# -- A message that cannot be read ---------------------------------------------------


def malformed(state: Hostile) -> None:
    state.add(
        message(1),
        message(2, priority="urgent", title=SECRET),
        message(3),
    )


def test_a_malformed_message_is_reported_and_the_stream_goes_on(
    state: Hostile, client: OpenClient
) -> None:
    malformed(state)
    reported: list[UndecodableMessage] = []
    session = client.session(SECRET, DEVICE)
    got: list[int] = []
    with session.listen(reconnect_wait=0.01, on_undecodable=reported.append) as items:
        for item in items:
            got.append(item.id)
            if item.id == 3:
                break
    assert got == [1, 3]
    (bad,) = reported
    assert bad.id == 2 and "priority" in bad.reason
    assert bad.fields["priority"] == "urgent"
    assert SECRET not in repr(bad)  # redacted
    # Reported counts as delivered: deletion passes it, up to the last one taken.
    assert state.deletes == [2]


def test_without_a_callback_a_malformed_message_is_a_warning(
    state: Hostile, client: OpenClient, caplog: pytest.LogCaptureFixture
) -> None:
    malformed(state)
    session = client.session(SECRET, DEVICE)
    with caplog.at_level(logging.WARNING, "chump_typed.receive"):
        assert [m.id for m in session.download()] == [1, 3]
    (record,) = [r for r in caplog.records if r.name == "chump_typed.receive"]
    assert record.levelno == logging.WARNING
    assert "message 2 could not be read" in record.getMessage()
    assert "urgent" in record.getMessage()
    assert SECRET not in record.getMessage()


def test_async_a_malformed_message_goes_to_the_callback(
    state: Hostile, served: Served
) -> None:
    malformed(state)
    reported: list[UndecodableMessage] = []

    async def main() -> list[int]:
        async with AsyncOpenClient(
            base_url=served.base_url, push_url=served.push_url
        ) as client:
            session = client.session(SECRET, DEVICE)
            read = await session.download(on_undecodable=reported.append)
            return [m.id for m in read]

    assert asyncio.run(main()) == [1, 3]
    assert [r.id for r in reported] == [2]


def test_a_broken_envelope_ends_the_stream_after_paced_retries(
    state: Hostile, client: OpenClient
) -> None:
    state.envelope = b'{"status":1,"request":"hostile","messages":"nope"}'
    session = client.session(SECRET, DEVICE)
    consumer = Consumer(session.listen(reconnect_wait=0.01))
    assert consumer.ended()
    assert isinstance(consumer.error, UnexpectedResponseError)
    assert "messages" in str(consumer.error)
    assert state.downloads == _stream.MAX_BROKEN


# -- A week offline -------------------------------------------------------------------


def week(state: Hostile) -> None:
    """2,000 messages of about 1,000 characters: some 2.3 MB of JSON."""
    state.add(*(message(n, "x" * 1000) for n in range(1, 2001)))


def test_a_weeks_backlog_drains_with_the_defaults(
    state: Hostile, client: OpenClient
) -> None:
    week(state)
    session = client.session(SECRET, DEVICE)
    assert len(session.download()) == 2000
    count = 0
    with session.listen(reconnect_wait=0.01) as messages:
        for count, _ in enumerate(messages, 1):
            if count == 2000:
                break
    assert count == 2000
    assert state.deletes == [1999]


def test_a_smaller_cap_is_named_in_the_error(state: Hostile, served: Served) -> None:
    week(state)
    small = OpenClient(
        base_url=served.base_url, push_url=served.push_url, max_download_size=2**20
    )
    with small, pytest.raises(UnexpectedResponseError, match="max_download_size"):
        small.session(SECRET, DEVICE).download()


# -- Storms and order -----------------------------------------------------------------


def test_an_r_storm_is_paced(state: Hostile, client: OpenClient) -> None:
    state.login_answer = "R"
    session = client.session(SECRET, DEVICE)
    started = time.monotonic()
    consumer = Consumer(session.listen(reconnect_wait=0.2))
    wait_until(lambda: state.logins >= 4)
    elapsed = time.monotonic() - started
    requests = state.requests
    consumer.listener.close()
    assert consumer.ended() and consumer.error is None
    # Pacing bounds the rate from above, however slow the machine: at most 5 a
    # second on average (backoff from 0.2 s: about 1.5 s for 4 logins).
    assert requests <= 5 * elapsed + 5


def test_a_flood_of_syncs_is_coalesced(state: Hostile, client: OpenClient) -> None:
    session = client.session(SECRET, DEVICE)
    consumer = Consumer(session.listen(reconnect_wait=0.01))
    wait_until(lambda: state.logins == 1 and state.downloads >= 3)
    before, started = state.downloads, time.monotonic()
    for _ in range(500):
        state.push("!")
    state.add(message(1))
    state.push("!")
    wait_until(lambda: consumer.ids == [1])
    elapsed = time.monotonic() - started
    flood = state.downloads - before
    consumer.listener.close()
    assert consumer.ended()
    assert flood <= elapsed / _stream.SYNC_PACE + 3  # not 501


def test_an_id_below_those_taken_is_yielded_and_deleted_once_taken(
    state: Hostile, client: OpenClient
) -> None:
    state.add(message(5), message(6))
    session = client.session(SECRET, DEVICE)
    consumer = Consumer(session.listen(reconnect_wait=0.01))  # takes each at once
    wait_until(lambda: consumer.ids == [5, 6] and state.deletes == [6])
    wait_until(lambda: state.logins == 1)
    state.add(message(3), message(7))  # 3 arrives late, below 6 (deleted already)
    state.push("!")
    wait_until(lambda: consumer.ids == [5, 6, 3, 7])
    # Each was taken as the next was asked for: all deleted, 3 included (a
    # deletion through 6 had passed it before it arrived).
    wait_until(lambda: not state.messages)
    consumer.listener.close()
    assert consumer.ended() and consumer.error is None
    assert consumer.ids == [5, 6, 3, 7]


# -- close() from every wait ----------------------------------------------------------


def test_close_during_the_handshake(
    monkeypatch: pytest.MonkeyPatch, state: Hostile, served: Served
) -> None:
    monkeypatch.setattr(_stream, "OPEN_TIMEOUT", HOUR)
    with silent_handshake() as (push_url, accepted):
        client = OpenClient(base_url=served.base_url, push_url=push_url)
        consumer = Consumer(client.session(SECRET, DEVICE).listen())
        wait_until(lambda: accepted() == 1)
        consumer.listener.close()
        assert consumer.ended() and consumer.error is None
        client.close()


def test_close_during_a_download(state: Hostile, client: OpenClient) -> None:
    state.stall_downloads = True  # answered when the test ends
    consumer = Consumer(client.session(SECRET, DEVICE).listen())
    wait_until(lambda: state.downloads == 1)
    consumer.listener.close()
    assert consumer.ended() and consumer.error is None


def test_close_during_the_wait_before_reconnecting(
    state: Hostile, client: OpenClient
) -> None:
    state.login_answer = "R"
    consumer = Consumer(client.session(SECRET, DEVICE).listen(reconnect_wait=HOUR))
    wait_until(lambda: state.logins == 1 and not state.sockets)
    consumer.listener.close()
    assert consumer.ended() and consumer.error is None
    assert state.logins == 1


def test_close_while_waiting_for_a_frame(state: Hostile, client: OpenClient) -> None:
    consumer = Consumer(client.session(SECRET, DEVICE).listen(silence=HOUR))
    wait_until(lambda: state.logins == 1 and state.downloads == 3)
    consumer.listener.close()
    assert consumer.ended() and consumer.error is None


@pytest.mark.parametrize("wait", ["handshake", "download", "reconnect", "frame"])
def test_aclose_from_another_task_during_each_wait(
    monkeypatch: pytest.MonkeyPatch, state: Hostile, served: Served, wait: str
) -> None:
    monkeypatch.setattr(_stream, "OPEN_TIMEOUT", HOUR)
    state.stall_downloads = wait == "download"
    state.login_answer = "R" if wait == "reconnect" else None

    async def main(push_url: str, ready: Callable[[], bool]) -> None:
        async with AsyncOpenClient(base_url=served.base_url, push_url=push_url) as c:
            listener = c.session(SECRET, DEVICE).listen(
                reconnect_wait=HOUR, silence=HOUR
            )
            got: list[ReceivedMessage] = []

            async def consume() -> None:
                async for item in listener:
                    got.append(item)

            task = asyncio.create_task(consume())
            while not ready():
                await asyncio.sleep(0.01)
            await listener.aclose()
            await asyncio.wait_for(task, GUARD)  # ends: the wait was cut short
            assert got == []

    if wait == "handshake":
        with silent_handshake() as (push_url, accepted):
            asyncio.run(main(push_url, lambda: accepted() == 1))
        return
    ready = {
        "download": lambda: state.downloads == 1,
        "reconnect": lambda: state.logins == 1 and not state.sockets,
        "frame": lambda: state.logins == 1 and state.downloads == 3,
    }[wait]
    asyncio.run(main(served.push_url, ready))
