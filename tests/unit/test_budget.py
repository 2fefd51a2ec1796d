"""MemoryBudget: sliding hourly and daily caps in quota units, closed by a 429 until
the reset, on an injected clock (no test here reads the wall clock)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed.budget import DAY, HOUR, Budget, MemoryBudget
from chump_typed.errors import ValidationError


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def used(spent: list[tuple[float, int]], now: float, span: float) -> int:
    """Units spent in the *span* seconds up to *now*."""
    return sum(units for when, units in spent if now - span < when <= now)


caps = st.none() | st.integers(1, 40)
gaps = st.integers(0, 200) | st.integers(3000, 4000) | st.integers(80_000, 90_000)


@given(
    per_hour=caps,
    per_day=caps,
    steps=st.lists(st.tuples(gaps, st.integers(1, 6), st.integers(0, 3)), max_size=120),
)
def test_a_spend_is_refused_exactly_when_a_window_would_overflow(
    per_hour: int | None,
    per_day: int | None,
    steps: list[tuple[int, int, int]],
) -> None:
    clock = Clock(0.0)
    budget = MemoryBudget(per_hour=per_hour, per_day=per_day, clock=clock)
    spent: list[tuple[float, int]] = []
    for gap, units, reserve in steps:
        clock.now += gap
        fits = all(
            cap is None or used(spent, clock.now, span) + units + reserve <= cap
            for cap, span in ((per_hour, HOUR), (per_day, DAY))
        )
        assert budget.spend(units, reserve=reserve) is fits
        if fits:
            spent.append((clock.now, units))
    # So no 3,600 s holds more than per_hour, and no 86,400 s more than per_day.
    for when, _ in spent:
        if per_hour is not None:
            assert used(spent, when, HOUR) <= per_hour
        if per_day is not None:
            assert used(spent, when, DAY) <= per_day


def test_a_unit_spent_leaves_the_hour_exactly_an_hour_later() -> None:
    clock = Clock()
    budget = MemoryBudget(per_hour=2, clock=clock)
    assert budget.spend(1)
    clock.now += 1800
    assert budget.spend(1)
    assert not budget.spend(1)
    clock.now += 1799.5
    assert not budget.spend(1)
    clock.now += 0.5  # the first unit is 3,600 s old: out of the window
    assert budget.spend(1)
    assert not budget.spend(1)


def test_the_reserve_keeps_room_back() -> None:
    budget = MemoryBudget(per_hour=3, clock=Clock())
    assert budget.spend(1, reserve=1)
    assert budget.spend(1, reserve=1)
    assert not budget.spend(1, reserve=1)  # the third unit is kept back
    assert budget.spend(1)
    assert not budget.spend(1)


def test_a_clock_set_back_does_not_close_the_budget_for_longer_than_a_day() -> None:
    clock = Clock()
    budget = MemoryBudget(per_day=1, clock=clock)
    assert budget.spend(1)
    clock.now -= 7 * DAY  # someone set the clock back a week
    assert not budget.spend(1)  # what was spent still counts ...
    clock.now += DAY
    assert budget.spend(1)  # ... for a day from now, not for eight


def test_a_closure_refuses_everything_until_the_reset() -> None:
    clock = Clock()
    budget = MemoryBudget(clock=clock)  # no caps: a 429 still closes it
    assert budget.closed_until() is None
    budget.close_until(clock.now + 10 * DAY)
    budget.close_until(clock.now + DAY)  # an earlier reset does not shorten it
    assert budget.closed_until() == clock.now + 10 * DAY
    assert not budget.spend(1)
    clock.now += 10 * DAY - 1
    assert not budget.spend(1)
    clock.now += 1
    assert budget.closed_until() is None
    assert budget.spend(1)


def test_what_a_closure_refused_was_not_spent() -> None:
    clock = Clock()
    budget = MemoryBudget(per_hour=1, clock=clock)
    budget.close_until(clock.now + 60)
    assert not budget.spend(1)
    clock.now += 60
    assert budget.spend(1)


def test_threads_sharing_a_budget_never_overspend() -> None:
    budget = MemoryBudget(per_hour=50, per_day=60, clock=Clock())
    granted: list[bool] = []
    start = threading.Barrier(8)

    def spend() -> None:
        start.wait()
        granted.extend(budget.spend(1) for _ in range(100))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == 50


def test_it_is_a_budget_and_says_its_caps() -> None:
    budget = MemoryBudget(per_hour=20, per_day=100)
    assert isinstance(budget, Budget)
    assert (budget.per_hour, budget.per_day) == (20, 100)
    assert repr(budget) == "MemoryBudget(per_hour=20, per_day=100)"


@pytest.mark.parametrize("field", ["per_hour", "per_day"])
@given(value=st.integers(max_value=0) | st.integers(min_value=1))
def test_caps_are_whole_numbers_of_at_least_one(field: str, value: int) -> None:
    """From 1 to the largest int Pushover's parameters take (a signed 64-bit one)."""
    if 1 <= value <= 2**63 - 1:
        MemoryBudget(**{field: value})  # type: ignore[arg-type]  # a keyword by name
        return
    bound = ">= 1" if value < 1 else f"<= {2**63 - 1}"
    with pytest.raises(ValidationError, match=f"{field}: must be {bound}"):
        MemoryBudget(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, 2.0, "20"])
@pytest.mark.parametrize("field", ["per_hour", "per_day"])
def test_a_cap_of_another_type_is_a_type_error(field: str, value: object) -> None:
    with pytest.raises(TypeError, match=field):
        MemoryBudget(**{field: value})  # type: ignore[arg-type]


def test_bad_arguments_name_their_field() -> None:
    with pytest.raises(TypeError, match="clock"):
        MemoryBudget(clock=5)  # type: ignore[arg-type]
    budget = MemoryBudget()
    with pytest.raises(ValidationError, match="units: must be >= 1"):
        budget.spend(0)
    with pytest.raises(ValidationError, match="reserve: must be >= 0"):
        budget.spend(1, reserve=-1)
    with pytest.raises(TypeError, match="units"):
        budget.spend(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="reset"):
        budget.close_until(float("nan"))
    with pytest.raises(TypeError, match="reset"):
        budget.close_until("tomorrow")  # type: ignore[arg-type]
