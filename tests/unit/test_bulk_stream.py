"""The rules of a streamed bulk send (issue 35, item 3), as Hypothesis properties over
any input and any quota, for the sync client and the async one under asyncio and
trio (against the in-memory fake: the wire-level tests are
tests/integration/test_bulk_stream.py and test_bulk_cancel.py).

For any mix of good notifications, items that are not notifications and notifications
Pushover refuses, any quota and one or two in flight: one outcome per item read, in
order, each carrying its item; at most max_in_flight items read ahead of an outcome;
each Sent delivered once and nothing else delivered; a bad item Failed with a
TypeError; after a 429 a lazy input is not read further and a list's rest is
NotAttempted.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Literal

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import (
    APIError,
    AsyncClient,
    Client,
    Failed,
    NotAttempted,
    Notification,
    QuotaExceededError,
    SendOutcome,
    SendProgress,
    Sent,
    TransportError,
    ValidationError,
)
from chump_typed._bulk_rules import WINDOW_PER_SEND
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    AsyncFakeTransport,
    FakePushover,
    FakeTransport,
)

Kind = Literal["ok", "bad", "unknown"]
UNKNOWN_KEY = "nOBODYnOBODYnOBODYnOBODYnOBODY"


def made(kinds: list[Kind]) -> list[object]:
    items: list[object] = []
    for n, kind in enumerate(kinds):
        if kind == "bad":
            items.append(f"not a notification {n}")
        else:
            user = USER_KEY if kind == "ok" else UNKNOWN_KEY
            items.append(Notification(user=user, message=f"n{n}"))
    return items


class Reader:
    """A lazy input that records how much was read when each outcome came."""

    def __init__(self, items: list[object]) -> None:
        self.items = items
        self.read = 0

    def __iter__(self) -> Iterator[object]:
        for item in self.items:
            self.read += 1
            yield item

    async def __aiter__(self) -> AsyncIterator[object]:
        for item in self.items:
            self.read += 1
            yield item


def check(
    kinds: list[Kind],
    items: list[object],
    outcomes: list[SendOutcome],
    read_at: list[int],
    in_flight: int,
    fake: FakePushover,
    *,
    lazy: bool,
) -> None:
    assert [o.index for o in outcomes] == list(range(len(outcomes)))
    assert all(o.notification is items[o.index] for o in outcomes)
    # Bounded read-ahead: at most a window (two per send in flight) read and not
    # reported, and at most a window reported and not yet yielded.
    window = WINDOW_PER_SEND * in_flight
    assert all(read <= i + 1 + 2 * window for i, read in enumerate(read_at))
    # Each Sent was delivered once, and nothing else was.
    sent = sorted(o.notification.message for o in outcomes if isinstance(o, Sent))
    assert sorted(m.message for m in fake.messages) == sent
    quota = [o.index for o in outcomes if isinstance(o.error, QuotaExceededError)]
    stop = quota[0] if quota else None
    for o in outcomes:
        kind = kinds[o.index]
        if kind == "bad":
            assert isinstance(o, Failed) and isinstance(o.error, TypeError)
        elif isinstance(o, NotAttempted):
            assert stop is not None and o.index >= stop + 1 and not lazy
        elif kind == "unknown" and isinstance(o, Failed):
            assert isinstance(o.error, (APIError, QuotaExceededError))
        elif kind == "unknown":
            pytest.fail(f"an unknown key was sent: {o}")
    if stop is None:
        assert len(outcomes) == len(items)
    elif lazy:
        # Nothing is read once the 429 is known: at most what the other sender
        # read meanwhile, within the window.
        assert len(outcomes) <= stop + 1 + window
    else:
        assert len(outcomes) == len(items)


kinds_st = st.lists(st.sampled_from(["ok", "ok", "ok", "bad", "unknown"]), max_size=24)


@settings(max_examples=60, deadline=None)
@given(
    kinds=kinds_st,
    limit=st.integers(min_value=0, max_value=24),
    in_flight=st.integers(min_value=1, max_value=2),
    lazy=st.booleans(),
)
def test_the_sync_stream_keeps_its_rules(
    kinds: list[Kind], limit: int, in_flight: int, lazy: bool
) -> None:
    fake = FakePushover(limit=limit)
    items = made(kinds)
    reader = Reader(items)
    client = Client(APP_TOKEN, transport=FakeTransport(fake))
    outcomes: list[SendOutcome] = []
    read_at: list[int] = []
    source = iter(reader) if lazy else items
    for outcome in client.send_iter(source, max_in_flight=in_flight):  # type: ignore[arg-type]  # bad items on purpose
        outcomes.append(outcome)
        read_at.append(reader.read if lazy else outcome.index + 1)

    check(kinds, items, outcomes, read_at, in_flight, fake, lazy=lazy)
    if lazy:
        assert reader.read == len(outcomes)  # everything read is reported


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("form", ["send_iter", "send_many"])
@settings(max_examples=30, deadline=None)
@given(
    kinds=kinds_st,
    limit=st.integers(min_value=0, max_value=24),
    in_flight=st.integers(min_value=1, max_value=2),
    lazy=st.booleans(),
)
def test_the_async_stream_keeps_its_rules(
    backend: str,
    form: str,
    kinds: list[Kind],
    limit: int,
    in_flight: int,
    lazy: bool,
) -> None:
    """send_iter (in steps) and send_many (sender tasks, no steps) alike; for
    send_many, on_outcome stands for the yields."""
    fake = FakePushover(limit=limit)
    items = made(kinds)
    reader = Reader(items)
    client = AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake))
    outcomes: list[SendOutcome] = []
    read_at: list[int] = []

    def seen(outcome: SendOutcome) -> None:
        outcomes.append(outcome)
        read_at.append(reader.read if lazy else outcome.index + 1)

    async def main() -> None:
        lazily = aiter(reader)
        source = lazily if lazy else items
        if form == "send_many":
            listed = await client.send_many(
                source,  # type: ignore[arg-type]  # bad items on purpose
                max_in_flight=in_flight,
                on_outcome=seen,
            )
            assert listed == outcomes
        else:
            async for outcome in client.send_iter(source, max_in_flight=in_flight):  # type: ignore[arg-type]  # bad items on purpose
                seen(outcome)
        await lazily.aclose()  # type: ignore[attr-defined]  # ours, left unread after a stop

    anyio.run(main, backend=backend)

    check(kinds, items, outcomes, read_at, in_flight, fake, lazy=lazy)


@given(st.integers(min_value=-3, max_value=6))
def test_send_iter_refuses_a_bad_max_in_flight_at_the_call(value: int) -> None:
    client = Client(APP_TOKEN, transport=FakeTransport())
    notes = [Notification(user=USER_KEY, message="m")]
    if 1 <= value <= 2:
        assert len(list(client.send_iter(notes, max_in_flight=value))) == 1
    else:
        with pytest.raises(ValidationError, match="max_in_flight"):
            client.send_iter(notes, max_in_flight=value)  # before any iteration


def test_arguments_of_the_wrong_type_are_refused_at_the_call() -> None:
    client = Client(APP_TOKEN, transport=FakeTransport())
    with pytest.raises(TypeError, match="notifications"):
        client.send_iter(3)  # type: ignore[arg-type]  # the misuse under test
    with pytest.raises(TypeError, match="on_outcome"):
        client.send_iter([], on_outcome="print")  # type: ignore[arg-type]  # the misuse under test
    with pytest.raises(TypeError, match="e2ee_key"):
        client.send_iter([], e2ee_key="key")  # type: ignore[arg-type]  # the misuse under test


def test_progress_of_an_error_without_one_is_none() -> None:
    assert SendProgress.of(RuntimeError("x")) is None
    inner = RuntimeError("inner")
    progress = SendProgress(read=0, outcomes=())
    setattr(inner, "send_progress", progress)  # noqa: B010 - as the run sets it
    outer = TimeoutError()
    outer.__cause__ = inner  # as ``raise TimeoutError from inner`` leaves it
    assert SendProgress.of(outer) is progress


class Jittery:
    """The in-memory fake behind a few checkpoints, a number drawn per request, so
    that sends interleave differently (a cancellation may find one in flight)."""

    def __init__(self, fake: FakePushover, pauses: list[int]) -> None:
        self.inner = AsyncFakeTransport(fake)
        self.pauses = pauses
        self.calls = 0

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        pause = self.pauses[self.calls % len(self.pauses)]
        self.calls += 1
        for _ in range(pause):
            await anyio.sleep(0)
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("form", ["send_iter", "send_many"])
@settings(max_examples=40, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=16),
    cancel_after=st.integers(min_value=1, max_value=16),
    in_flight=st.integers(min_value=1, max_value=2),
    pauses=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=8),
)
def test_a_cancellation_anywhere_loses_nothing_and_sends_nothing_after(
    backend: str,
    form: str,
    count: int,
    cancel_after: int,
    in_flight: int,
    pauses: list[int],
) -> None:
    """Whenever the scope is cancelled (as the cancel_after-th outcome is reported),
    every notification read is reported once, in order; every Sent one arrived, and
    nothing arrived that is not Sent or cut off in flight."""
    fake = FakePushover()
    items = made(["ok"] * count)
    reader = Reader(items)
    client = AsyncClient(APP_TOKEN, transport=Jittery(fake, pauses))
    seen: list[SendOutcome] = []

    async def main() -> None:
        lazily = aiter(reader)
        with anyio.CancelScope() as scope:

            def on_outcome(outcome: SendOutcome) -> None:
                seen.append(outcome)
                if len(seen) == cancel_after:
                    scope.cancel()

            if form == "send_many":
                await client.send_many(
                    lazily,  # type: ignore[arg-type]  # items typed as objects
                    max_in_flight=in_flight,
                    on_outcome=on_outcome,
                )
            else:
                stream = client.send_iter(
                    lazily,  # type: ignore[arg-type]  # items typed as objects
                    max_in_flight=in_flight,
                    on_outcome=on_outcome,
                )
                async with contextlib.aclosing(stream):
                    async for _ in stream:
                        pass
        await lazily.aclose()  # type: ignore[attr-defined]  # ours

    anyio.run(main, backend=backend)

    assert [o.index for o in seen] == list(range(reader.read))
    arrived = [m.message for m in fake.messages]
    assert len(arrived) == len(set(arrived))
    sent = {o.notification.message for o in seen if isinstance(o, Sent)}
    cut = {
        o.notification.message
        for o in seen
        if isinstance(o.error, TransportError) and o.error.may_have_been_sent
    }
    assert sent <= set(arrived) <= sent | cut
    if cancel_after <= count:
        assert all(isinstance(o, Sent) for o in seen[:cancel_after])
    else:
        assert [type(o) for o in seen] == [Sent] * count


class Interrupt(BaseException):
    """What Ctrl-C is to a run (KeyboardInterrupt itself would stop Hypothesis)."""


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=1, max_value=16),
    interrupt_after=st.integers(min_value=1, max_value=16),
    in_flight=st.integers(min_value=1, max_value=2),
)
def test_an_interrupt_anywhere_in_a_sync_run_loses_nothing(
    count: int, interrupt_after: int, in_flight: int
) -> None:
    """An interrupt raised as the interrupt_after-th outcome is reported: the error
    carries every outcome read, in order; every Sent one arrived, and nothing arrived
    that is not Sent or cut off in flight (a sender finishing a committed send after
    the interrupt is one of those)."""
    fake = FakePushover()
    reader = Reader(made(["ok"] * count))
    client = Client(APP_TOKEN, transport=FakeTransport(fake))
    seen: list[SendOutcome] = []

    def on_outcome(outcome: SendOutcome) -> None:
        seen.append(outcome)
        if len(seen) == interrupt_after:
            raise Interrupt

    try:
        outcomes = client.send_many(
            iter(reader),  # type: ignore[arg-type]  # items typed as objects
            max_in_flight=in_flight,
            on_outcome=on_outcome,
        )
    except Interrupt as error:
        progress = SendProgress.of(error)
        assert progress is not None
        outcomes = list(progress.outcomes)
        assert interrupt_after <= count
    else:
        assert interrupt_after > count
        progress = SendProgress(read=count, outcomes=tuple(outcomes))

    assert [o.index for o in outcomes] == list(range(progress.read))
    sent = {o.notification.message for o in outcomes if isinstance(o, Sent)}
    cut = {
        o.notification.message
        for o in outcomes
        if isinstance(o.error, TransportError) and o.error.may_have_been_sent
    }
    arrived = [m.message for m in fake.messages]
    assert len(arrived) == len(set(arrived))
    assert sent <= set(arrived) <= sent | cut
