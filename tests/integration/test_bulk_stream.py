"""Streamed bulk sends (issue 35, items 1 and 3) on every wire (urllib3 and httpx
sync; aiohttp, httpx under asyncio and under trio: tests/wires.py), against the fake
served over loopback: send_iter reads its input as it goes, yields outcomes in order
as they are known, stops reading at a spent quota or budget, and fails a bad item
alone; send_many and broadcast report every outcome to on_outcome.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chump_typed import (
    BudgetExceededError,
    Client,
    Failed,
    NotAttempted,
    Notification,
    QuotaExceededError,
    SendOutcome,
    Sent,
    ValidationError,
)
from chump_typed.budget import MemoryBudget
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, FakeTransport, Fault
from tests.wires import Wire

pytestmark = pytest.mark.integration


class Endless:
    """An endless input that counts what was read (a queue consumer's shape)."""

    def __init__(self, *, bad_every: int = 0) -> None:
        self.read = 0
        self.bad_every = bad_every

    def __iter__(self) -> Iterator[Notification]:
        while True:
            self.read += 1
            if self.bad_every and self.read % self.bad_every == 0:
                yield "not a notification"  # type: ignore[misc]  # the misuse under test
            else:
                yield Notification(user=USER_KEY, message=f"n{self.read - 1}")


@pytest.mark.parametrize("max_in_flight", [1, 2])
def test_an_endless_input_is_sent_as_it_is_read(
    wire: Wire, base_url: str, fake: FakePushover, max_in_flight: int
) -> None:
    """Each outcome is yielded in order as it is known, with a bounded number of
    notifications read ahead of it (a window of two per send in flight, read and not
    reported, and as many reported and not yet yielded); what was read was sent,
    and nothing else, the sends in flight when the stream is closed included."""
    source = Endless()
    read_at_yield: list[int] = []
    with wire.client(base_url) as client:
        outcomes = client.send_iter(iter(source), max_in_flight=max_in_flight)
        for outcome in outcomes:
            read_at_yield.append(source.read)
            assert isinstance(outcome, Sent) and outcome.index == len(read_at_yield) - 1
            if len(read_at_yield) == 9:
                break
        outcomes.close()

    window = 2 * max_in_flight
    assert all(read <= i + 2 * window for i, read in enumerate(read_at_yield, 1))
    assert source.read == len(fake.messages) <= 9 + 2 * window
    sent = sorted(int(m.message[1:]) for m in fake.messages)  # a step's two race
    assert sent == list(range(source.read))


def test_a_spent_quota_stops_the_reading(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    fake.inject(None, None, None, Fault.QUOTA_EXCEEDED)
    source = Endless()
    with wire.client(base_url) as client:
        outcomes = list(client.send_iter(iter(source), max_in_flight=1))

    assert [type(o) for o in outcomes] == [Sent, Sent, Sent, Failed]
    assert isinstance(outcomes[3].error, QuotaExceededError)
    assert source.read == 4  # nothing read after the 429: nothing NotAttempted
    assert len(fake.requests) == 4


def test_with_two_in_flight_nothing_is_read_after_a_429(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    fake.inject(None, None, Fault.QUOTA_EXCEEDED)
    source = Endless()
    with wire.client(base_url) as client:
        outcomes = list(client.send_iter(iter(source)))

    # The fake's third request is refused (whichever sender sent it); the other
    # sender's send, on its way then, has its own outcome. What was read was sent
    # and reported; nothing NotAttempted; nothing read once the 429 was known.
    kinds = [type(o) for o in outcomes]
    assert kinds.count(Failed) == 1 and kinds.count(Sent) == len(outcomes) - 1
    assert sum(isinstance(o.error, QuotaExceededError) for o in outcomes) == 1
    assert source.read == len(outcomes) == len(fake.requests)
    assert 3 <= len(outcomes) <= 3 + 2 * 2


def test_a_bad_item_fails_alone_and_the_stream_goes_on(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    source = Endless(bad_every=3)
    with wire.client(base_url) as client:
        outcomes: list[SendOutcome] = []
        stream = client.send_iter(iter(source))
        for outcome in stream:
            outcomes.append(outcome)
            if len(outcomes) == 7:
                break
        stream.close()  # the sends in flight finish

    assert [type(o) for o in outcomes] == [Sent, Sent, Failed] * 2 + [Sent]
    for failed in outcomes[2::3]:
        assert isinstance(failed.error, TypeError)
        assert f"notifications[{failed.index}]" in str(failed.error)
    # Every notification read was sent (the bad items, every third, were not).
    assert len(fake.messages) == source.read - source.read // 3


def test_on_outcome_sees_every_outcome_in_order(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    fake.inject(None, Fault.BAD_REQUEST)
    seen: list[SendOutcome] = []
    items = [Notification(user=USER_KEY, message=f"m{i}") for i in range(6)]
    with wire.client(base_url) as client:
        # One at a time: the fake's second request is the second notification.
        outcomes = client.send_many(items, max_in_flight=1, on_outcome=seen.append)
        broadcast = client.broadcast(items[0], [USER_KEY], on_outcome=seen.append)

    assert seen == [*outcomes, *broadcast]
    assert [o.index for o in outcomes] == list(range(6))
    assert [type(o) for o in outcomes] == [Sent, Failed, Sent, Sent, Sent, Sent]


def test_a_spent_budget_stops_the_run_like_a_429(fake: FakePushover) -> None:
    """A BudgetExceededError from a send is that notification's Failed outcome; the
    rest of a list are NotAttempted, and an iterator is not read further."""
    budget = MemoryBudget(per_hour=3)
    items = [Notification(user=USER_KEY, message=f"m{i}") for i in range(6)]
    with Client(APP_TOKEN, transport=FakeTransport(fake), budget=budget) as client:
        listed = client.send_many(items, max_in_flight=1)
        source = Endless()
        streamed = list(client.send_iter(iter(source)))

    assert [type(o) for o in listed] == [Sent] * 3 + [Failed] + [NotAttempted] * 2
    assert isinstance(listed[3].error, BudgetExceededError)
    # Each sender may have read one before the first refusal stopped the run.
    assert 1 <= len(streamed) == source.read <= 2
    assert all(isinstance(o.error, BudgetExceededError) for o in streamed)
    assert len(fake.messages) == 3


def test_a_missing_key_in_an_e2ee_mapping_is_checked_per_item(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    from chump_typed.e2ee import E2EEKey

    key = E2EEKey.from_hex("7a" * 32)
    items = [Notification(user=USER_KEY, message="secret") for _ in range(3)]
    other = Notification(user="u" * 30, message="no key")
    with wire.client(base_url) as client:
        outcomes = client.send_many(
            iter([*items[:2], other, items[2]]), e2ee_key={USER_KEY: key}
        )

    assert [type(o) for o in outcomes] == [Sent, Sent, Failed, Sent]
    assert isinstance(outcomes[2].error, ValidationError)
    assert outcomes[2].error.field == "e2ee_key"
    assert len(fake.messages) == 3 and all(m.encrypted for m in fake.messages)
