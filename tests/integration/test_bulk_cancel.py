"""Outcomes survive cancellation (issue 35, item 1), on the async transports (aiohttp,
httpx under asyncio and under trio) and on the sync ones, against the fake served
over loopback.

A cancellation (anyio's, trio's move_on_after, asyncio.wait_for) or an interrupt
(Ctrl-C) that cuts a bulk send short: every outcome known reaches on_outcome, a send
cut off in flight is Failed with may_have_been_sent, nothing is sent after it, the
error (where there is one) carries a note and a SendProgress, and the recipe of
docs/async.md resends exactly what did not go, so that nothing arrives twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from chump_typed import (
    AiohttpTransport,
    AsyncClient,
    AsyncHttpxTransport,
    Client,
    Failed,
    NotAttempted,
    Notification,
    RetryPolicy,
    SendOutcome,
    SendProgress,
    Sent,
    TransportError,
    Urllib3Transport,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Slow, serve

pytestmark = pytest.mark.integration

#: (anyio backend, library): every async transport under every loop it supports.
ASYNC_WIRES = [("asyncio", "aiohttp"), ("asyncio", "httpx"), ("trio", "httpx")]

COUNT = 20


@pytest.fixture(params=ASYNC_WIRES, ids=lambda wire: "-".join(wire))
def wire(request: pytest.FixtureRequest) -> tuple[str, str]:
    chosen: tuple[str, str] = request.param
    return chosen


@pytest.fixture
def anyio_backend(wire: tuple[str, str]) -> str:
    return wire[0]


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover(limit=1_000_000)


@pytest.fixture
def url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as base_url:
        yield base_url


def client_for(wire: tuple[str, str], url: str) -> AsyncClient:
    kind: Any = AiohttpTransport if wire[1] == "aiohttp" else AsyncHttpxTransport
    transport = kind(retries=RetryPolicy(backoff_floor=0))
    return AsyncClient(APP_TOKEN, base_url=url, transport=transport)


def items() -> list[Notification]:
    return [Notification(user=USER_KEY, message=f"m{i}") for i in range(COUNT)]


def resend(notifications: list[Notification], seen: list[SendOutcome]) -> list[int]:
    """The recipe of docs/async.md: what was not reported at all, or reported
    NotAttempted, did not go; a Failed send is never resent blindly (one cut off in
    flight may have arrived)."""
    gone = {o.index for o in seen if not isinstance(o, NotAttempted)}
    return [i for i in range(len(notifications)) if i not in gone]


def delivered_once(fake: FakePushover) -> bool:
    return Counter(m.message for m in fake.messages) == Counter(
        f"m{i}" for i in range(COUNT)
    )


@pytest.mark.anyio
@pytest.mark.parametrize("max_in_flight", [1, 2])
async def test_a_scope_cancelled_mid_run_sends_nothing_more(
    wire: tuple[str, str], fake: FakePushover, url: str, max_in_flight: int
) -> None:
    """move_on_after raises nothing: on_outcome is the channel. The scope is cancelled
    as the 8th outcome is reported: every notification read is reported, in order;
    nothing arrives that is not reported Sent or cut off in flight; the recipe's
    resend delivers every other notification, and none twice."""
    client = client_for(wire, url)
    notifications = items()
    seen: list[SendOutcome] = []
    with anyio.CancelScope() as scope:

        def on_outcome(outcome: SendOutcome) -> None:
            seen.append(outcome)
            if len(seen) == 8:
                scope.cancel()

        await client.send_many(
            notifications, max_in_flight=max_in_flight, on_outcome=on_outcome
        )

    assert scope.cancelled_caught
    assert [o.index for o in seen] == list(range(len(seen)))
    assert [type(o) for o in seen[:8]] == [Sent] * 8
    cut = [o for o in seen if isinstance(o, Failed)]
    assert all(isinstance(o.error, TransportError) for o in cut)
    if max_in_flight == 1:  # the one sender was reporting: nothing else started
        assert [type(o) for o in seen[8:]] in ([], [NotAttempted])
    arrived = {m.message for m in fake.messages}
    sent = {o.notification.message for o in seen if isinstance(o, Sent)}
    assert sent <= arrived <= sent | {o.notification.message for o in cut}

    again = resend(notifications, seen)
    await client.send_many([notifications[i] for i in again])
    await client.aclose()
    counts = Counter(m.message for m in fake.messages)
    assert max(counts.values()) == 1  # nothing twice
    not_cut = {f"m{i}" for i in range(COUNT)} - {o.notification.message for o in cut}
    assert not_cut <= set(counts)  # everything else, once


@pytest.mark.anyio
async def test_a_send_cut_off_in_flight_may_have_been_sent(
    wire: tuple[str, str], fake: FakePushover, url: str
) -> None:
    """The fifth request is processed and its answer held back; the run is cancelled
    once the fake has it. The cut send is Failed with may_have_been_sent (it did
    arrive), the cancellation carries a SendProgress and a note, and the recipe
    leaves it out of the resend."""
    fake.inject(None, None, None, None, Slow(60))  # ended by the server's close
    client = client_for(wire, url)
    notifications = items()
    seen: list[SendOutcome] = []
    caught: list[BaseException] = []
    with anyio.fail_after(60):  # a bound for a broken run, not a timed assertion
        async with anyio.create_task_group() as group:

            async def run() -> None:
                try:
                    await client.send_many(
                        notifications, max_in_flight=1, on_outcome=seen.append
                    )
                except anyio.get_cancelled_exc_class() as error:
                    caught.append(error)
                    raise

            async def cancel_when_the_fifth_arrives() -> None:
                while len(fake.requests) < 5:
                    await anyio.sleep(0.01)
                group.cancel_scope.cancel()

            group.start_soon(run)
            group.start_soon(cancel_when_the_fifth_arrives)

    assert [type(o) for o in seen] == [Sent] * 4 + [Failed]
    cut = seen[4].error
    assert isinstance(cut, TransportError) and cut.may_have_been_sent
    [error] = caught
    progress = SendProgress.of(error)
    assert progress is not None
    assert progress.read == 5 and list(progress.outcomes) == seen
    assert progress.not_sent == ()
    note = "\n".join(getattr(error, "__notes__", []))
    assert "chump_typed.send_many was cut short after reading 5 notifications" in note
    assert "4 sent [0-3], 1 cut off in flight" in note
    assert len(fake.requests) == 5  # nothing after the cancellation

    again = resend(notifications, seen)
    assert again == list(range(5, COUNT))
    await client.send_many([notifications[i] for i in again])
    await client.aclose()
    assert delivered_once(fake)


@pytest.mark.anyio
async def test_a_streamed_run_stopped_by_its_consumer_reports_its_step(
    wire: tuple[str, str], fake: FakePushover, url: str
) -> None:
    """A consumer of send_iter that stops after the first outcome of a step still
    has the second through on_outcome (reported before either was yielded)."""
    client = client_for(wire, url)
    seen: list[SendOutcome] = []
    got: list[SendOutcome] = []
    stream = client.send_iter(items(), on_outcome=seen.append)
    async for outcome in stream:
        got.append(outcome)
        if len(got) == 3:
            break
    await stream.aclose()
    await client.aclose()

    assert len(got) == 3 and len(seen) == 4 == len(fake.messages)
    assert seen[:3] == got


@pytest.mark.parametrize("library", ["aiohttp", "httpx"])
def test_asyncio_wait_for_timeout_carries_the_progress(
    library: str, fake: FakePushover, url: str
) -> None:
    """The issue's case: asyncio.wait_for(send_many(...)) times out. Its TimeoutError
    is raised from the cancellation, which carries the progress: whatever the timing,
    each message the fake has is Sent or cut off in flight in it, and nothing it
    calls not sent, or did not read, reached the fake."""
    fake.inject(*([None] * 6), Slow(60))
    client = client_for(("asyncio", library), url)
    notifications = items()

    async def main() -> SendProgress | None:
        try:
            await asyncio.wait_for(client.send_many(notifications), timeout=1.0)
        except asyncio.TimeoutError as error:  # TimeoutError from 3.11 on
            return SendProgress.of(error)
        finally:
            await client.aclose()
        return None

    progress = asyncio.run(main())

    assert progress is not None
    arrived = {m.message for m in fake.messages}
    went = {
        o.notification.message
        for o in progress.outcomes
        if isinstance(o, Sent)
        or (isinstance(o.error, TransportError) and o.error.may_have_been_sent)
    }
    assert arrived <= went
    assert {
        o.notification.message for o in progress.outcomes if isinstance(o, Sent)
    } <= (arrived)
    assert len(progress.outcomes) == progress.read <= COUNT


# -- The sync path: an interrupt --------------------------------------------------------


def test_an_interrupt_from_on_outcome_is_noted_with_every_outcome(
    fake: FakePushover, url: str
) -> None:
    seen: list[SendOutcome] = []

    def on_outcome(outcome: SendOutcome) -> None:
        seen.append(outcome)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with (
        Client(APP_TOKEN, base_url=url) as client,
        pytest.raises(KeyboardInterrupt) as info,
    ):
        client.send_many(items(), on_outcome=on_outcome)

    progress = SendProgress.of(info.value)
    assert progress is not None
    # Every notification read has its outcome, in order; each one sent arrived, and
    # nothing else did (what the other sender had in flight is cut off, or done).
    assert [o.index for o in progress.outcomes] == list(range(progress.read))
    assert progress.outcomes[:5] == tuple(seen[:5])
    sent = {o.notification.message for o in progress.outcomes if isinstance(o, Sent)}
    cut = {
        o.notification.message
        for o in progress.outcomes
        if isinstance(o.error, TransportError) and o.error.may_have_been_sent
    }
    assert sent <= {m.message for m in fake.messages} <= sent | cut
    notes = getattr(info.value, "__notes__", [])
    assert f"send_many was cut short after reading {progress.read}" in notes[0]


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="POSIX signals")
def test_ctrl_c_during_a_sync_send_cuts_it_off_and_says_so(
    fake: FakePushover, url: str
) -> None:
    """A real SIGINT while the fifth send waits for its answer (the fake processed
    it and holds the answer back)."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    fake.inject(None, None, None, None, Slow(60))
    seen: list[SendOutcome] = []

    def interrupt_when_the_fifth_arrives() -> None:
        for _ in range(6000):  # paced, bounded: 60 s
            if len(fake.requests) >= 5:
                os.kill(os.getpid(), signal.SIGINT)
                return
            threading.Event().wait(0.01)

    interrupter = threading.Thread(target=interrupt_when_the_fifth_arrives)
    transport = Urllib3Transport(retries=RetryPolicy(backoff_floor=0))
    interrupter.start()
    with (
        Client(APP_TOKEN, base_url=url, transport=transport) as client,
        pytest.raises(KeyboardInterrupt) as info,
    ):
        client.send_many(items(), max_in_flight=1, on_outcome=seen.append)
    interrupter.join()

    assert [type(o) for o in seen] == [Sent] * 4 + [Failed]
    cut = seen[4].error
    assert isinstance(cut, TransportError) and cut.may_have_been_sent
    progress = SendProgress.of(info.value)
    assert progress is not None and list(progress.outcomes) == seen
    assert len(fake.requests) == 5
