"""MemoryBudget's ``try_spend``, ``refund``, ``claim`` and ``take_collapsed``, with the
meaning the shared budgets give them: the window arithmetic against the reference
(Hypothesis, an injected clock), and a ``Client`` over the shipped fake served on
loopback that gets an exact ``retry_at`` and a unit back when a send certainly did not
go out."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import APIError, BudgetExceededError, Client, Notification
from chump_typed._budget_shared import Claiming, Refunding, TrySpending
from chump_typed.budget import DAY, HOUR, MemoryBudget
from chump_typed.errors import ValidationError
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Fault, serve
from tests.budget_model import Reference

START = 1_800_000_000.0


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _refund(reference: Reference, now: float, units: int) -> None:
    """The shared budgets' refund, the slow way: the newest spend of at least *units*
    in the longest capped window shrinks by *units* (gone at 0)."""
    spans = [span for _, span in reference.caps()]
    if not spans:
        return
    live = [
        i for i, (at, _units) in enumerate(reference.spends) if at > now - max(spans)
    ]
    for i in reversed(live):
        at, spent = reference.spends[i]
        if spent >= units:
            if spent == units:
                del reference.spends[i]
            else:
                reference.spends[i] = (at, spent - units)
            return


operations = st.lists(
    st.tuples(
        st.sampled_from(["spend", "spend", "refund"]),
        # Seconds on: often a little, now and then past a window's edge.
        st.floats(min_value=0, max_value=200, allow_nan=False)
        | st.sampled_from([HOUR, DAY, HOUR - 1e-3, 0.0]),
        st.integers(min_value=1, max_value=4),  # units
        st.integers(min_value=0, max_value=2),  # reserve
    ),
    max_size=40,
)
caps = st.one_of(st.none(), st.integers(min_value=1, max_value=12))


@settings(max_examples=300)
@given(steps=operations, per_hour=caps, per_day=caps)
def test_try_spend_and_refund_follow_the_reference(
    steps: list[tuple[str, float, int, int]],
    per_hour: int | None,
    per_day: int | None,
) -> None:
    clock = Clock()
    budget = MemoryBudget(per_hour=per_hour, per_day=per_day, clock=clock)
    reference = Reference(per_hour, per_day)
    for operation, seconds, units, reserve in steps:
        clock.now += seconds
        if operation == "refund":
            budget.refund(units)
            _refund(reference, clock.now, units)
            continue
        room_at = budget.try_spend(units, reserve=reserve)
        assert (room_at is None) == reference.spend(clock.now, units, reserve)
        if room_at is None:
            continue
        assert room_at > clock.now
        never = [span for cap, span in reference.caps() if units + reserve > cap]
        if never:
            # No room can ever be made: a whole window from now, as the stores say.
            assert clock.now + max(never) <= room_at <= clock.now + DAY
        else:
            # Exact: room at that time (a microsecond on: time + span - span may
            # round down a bit), none a moment before.
            assert reference.fits(room_at + 1e-6, units, reserve)
            assert not reference.fits(room_at - 1e-3, units, reserve)


def test_a_closed_budget_names_its_reopening() -> None:
    clock = Clock()
    budget = MemoryBudget(per_hour=5, clock=clock)
    budget.close_until(START + 90)
    assert budget.try_spend(1) == START + 90
    clock.now = START + 90
    assert budget.try_spend(1) is None


def test_a_refund_gives_back_the_newest_spend_as_the_shared_budgets_do() -> None:
    clock = Clock()
    budget = MemoryBudget(per_hour=3, clock=clock)
    assert budget.spend(2)
    clock.now += 10
    assert budget.spend(1)
    assert not budget.spend(1)
    budget.refund(1)
    assert budget.spend(1)
    budget.refund(1)
    budget.refund(2)  # the older spend of 2
    assert budget.spend(3)
    budget.refund(4)  # no spend that large: nothing changes
    assert budget.try_spend(1) == START + 10 + HOUR


def test_refunds_keep_the_entries_bounded() -> None:
    budget = MemoryBudget(per_hour=2, per_day=3, clock=Clock())
    for _ in range(1000):
        assert budget.spend(1)
        budget.refund(1)
    windows = budget._windows  # pyright: ignore[reportPrivateUsage]
    assert [len(w.entries) for _, w in windows] == [0, 0]
    assert [w.total for _, w in windows] == [0, 0]


def test_the_client_finds_try_spend_refund_and_claim() -> None:
    budget = MemoryBudget(per_hour=1)
    assert isinstance(budget, TrySpending)
    assert isinstance(budget, Refunding)
    assert isinstance(budget, Claiming)


def test_a_claim_is_won_once_per_window_and_counts_the_repeats() -> None:
    clock = Clock()
    budget = MemoryBudget(clock=clock)
    key = "disk full on db-7"
    assert budget.claim(key, 60)
    assert not budget.claim(key, 60)
    assert not budget.claim(key, 30)  # the first claim's window holds
    assert budget.claim("another record", 60)
    clock.now += 60
    assert budget.claim(key, 60)  # a new window; the count waits to be taken
    assert not budget.claim(key, 60)
    assert budget.take_collapsed(key) == 3
    assert budget.take_collapsed(key) == 0
    assert budget.take_collapsed("never claimed") == 0
    claims = budget._claims  # pyright: ignore[reportPrivateUsage]
    assert all(len(d) == 16 for d in claims)  # digests, not the keys


def test_a_count_not_taken_is_kept_a_day_then_forgotten() -> None:
    clock = Clock()
    budget = MemoryBudget(clock=clock)
    assert budget.claim("k", 60)
    assert not budget.claim("k", 60)
    clock.now += 60 + DAY - 1
    assert budget.claim("other", 60)
    assert budget.take_collapsed("k") == 1
    assert budget.claim("k", 60)
    assert not budget.claim("k", 60)
    clock.now += 60 + DAY
    assert budget.claim("other", 60)  # a day after its window: forgotten
    assert budget.take_collapsed("k") == 0


def test_claims_of_ever_new_keys_keep_memory_bounded() -> None:
    clock = Clock()
    budget = MemoryBudget(clock=clock)
    for window in range(20):
        for number in range(1000):
            assert budget.claim(f"record {window} {number}", 60)
        clock.now += 60
    claims = budget._claims  # pyright: ignore[reportPrivateUsage]
    assert len(claims) <= 2 * 1000


def test_bad_arguments_name_their_field() -> None:
    budget = MemoryBudget(per_hour=1)
    with pytest.raises(ValidationError, match="units"):
        budget.try_spend(0)
    with pytest.raises(ValidationError, match="reserve"):
        budget.try_spend(1, reserve=-1)
    with pytest.raises(ValidationError, match="units"):
        budget.refund(0)
    for seconds in (0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValidationError, match="seconds"):
            budget.claim("k", seconds)
    with pytest.raises(TypeError, match="seconds"):
        budget.claim("k", True)
    with pytest.raises(TypeError, match="key"):
        budget.claim(b"k", 60)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="key"):
        budget.take_collapsed(1)  # type: ignore[arg-type]


# -- A Client over the fake served on loopback ---------------------------------------


def test_a_client_gets_an_exact_retry_at_and_a_unit_back() -> None:
    clock = Clock()
    budget = MemoryBudget(per_hour=2, per_day=10, clock=clock)
    fake = FakePushover()
    with (
        serve(fake) as base_url,
        Client(APP_TOKEN, base_url=base_url, budget=budget) as client,
    ):
        client.send(Notification(user=USER_KEY, message="one"))
        clock.now += 600
        fake.inject(Fault.BAD_REQUEST)  # refused: certainly not sent
        with pytest.raises(APIError) as refused:
            client.send(Notification(user=USER_KEY, message="refused"))
        assert refused.value.http_status == 400
        clock.now += 600
        client.send(Notification(user=USER_KEY, message="two"))  # the unit came back
        with pytest.raises(BudgetExceededError) as spent:
            client.send(Notification(user=USER_KEY, message="three"))
    # The first spend leaves the hour first: not a whole day from now.
    assert spent.value.retry_at == dt.datetime.fromtimestamp(
        START + HOUR, dt.timezone.utc
    )
    assert [m.message for m in fake.messages] == ["one", "two"]


claim_steps = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=90, allow_nan=False),  # seconds on
        st.sampled_from(["a", "b", "c"]),  # the key
        st.booleans(),  # claim (True) or take the count (False)
        st.sampled_from([30.0, 60.0]),  # a claim's window
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(steps=claim_steps)
def test_claims_follow_the_reference_and_every_repeat_is_taken_once(
    steps: list[tuple[float, str, bool, float]],
) -> None:
    clock = Clock()
    budget = MemoryBudget(clock=clock)
    held: dict[str, list[float]] = {}  # key -> [until, collapsed]
    refused = taken = 0
    for seconds_on, key, claiming, window in steps:
        clock.now += seconds_on
        if not claiming:
            count = budget.take_collapsed(key)
            assert count == (int(held[key][1]) if key in held else 0)
            if key in held:
                held[key][1] = 0
            taken += count
            continue
        entry = held.get(key)
        expected = entry is None or entry[0] <= clock.now
        assert budget.claim(key, window) is expected
        if expected:
            held[key] = [clock.now + window, entry[1] if entry else 0]
        else:
            assert entry is not None
            entry[1] += 1
            refused += 1
    taken += sum(budget.take_collapsed(key) for key in "abc")
    assert taken == refused  # each repeat counted once, none lost
