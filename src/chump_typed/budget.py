"""Notification budgets in quota units: :class:`MemoryBudget`.

Pushover counts one message per user it reaches (a delivery group: one per member), and
every application of an account draws on one monthly pool (10,000 free from May 2026).
A budget caps what one sender may spend, in those *units*:

* at most ``per_hour`` units in any 3,600 seconds and ``per_day`` in any 86,400
  (sliding windows: a burst at 00:59 and another at 01:00 share one hour);
* nothing at all while it is **closed**: after a 429, or an answer saying no quota
  remains, until the reset time Pushover gave.

::

    from chump_typed.budget import MemoryBudget

    budget = MemoryBudget(per_hour=20, per_day=100)
    if budget.spend(1):
        ...  # send one notification to one user

A :class:`MemoryBudget` counts within one process (a forked child starts from its
parent's counts, then spends on its own). Times are read from its *clock*, seconds
since the epoch (:func:`time.time` by default; inject another to test without the wall
clock), because Pushover gives its reset times in that scale.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from chump_typed._checks import check_int_range
from chump_typed._fork import renew_after_fork
from chump_typed.errors import ValidationError

if TYPE_CHECKING:
    from chump_typed._budget_redis import RedisBudget as RedisBudget
    from chump_typed._budget_sqlite import SQLiteBudget as SQLiteBudget

__all__ = ["DAY", "HOUR", "Budget", "MemoryBudget", "RedisBudget", "SQLiteBudget"]


#: The shared budgets, loaded on first use (as the package loads its lazy names).
_SHARED: Final = {
    "SQLiteBudget": "chump_typed._budget_sqlite",
    "RedisBudget": "chump_typed._budget_redis",
}


def __getattr__(name: str) -> object:
    """The shared budgets, loaded on first use: :class:`SQLiteBudget` (one host) and
    :class:`RedisBudget` (a fleet; needs redis-py, extra ``chump_typed[redis]``)."""
    module = _SHARED.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The hourly window, in seconds.
HOUR: Final = 3600.0
#: The daily window, in seconds.
DAY: Final = 86400.0


@runtime_checkable
class Budget(Protocol):
    """What a sender asks of a budget (:class:`MemoryBudget` is one)."""

    @property
    def per_hour(self) -> int | None:
        """Units that may be spent in any hour (``None``: no hourly cap)."""
        ...

    @property
    def per_day(self) -> int | None:
        """Units that may be spent in any day (``None``: no daily cap)."""
        ...

    def spend(self, units: int, *, reserve: int = 0) -> bool:
        """Spend *units* now if both windows have room for them and *reserve* more,
        and the budget is not closed; ``False`` (nothing spent) otherwise."""
        ...

    def close_until(self, reset: float) -> None:
        """Spend nothing before *reset* (seconds since the epoch)."""
        ...

    def closed_until(self) -> float | None:
        """When a closed budget reopens; ``None`` when it is open now."""
        ...


class _Window:
    """Units spent in the last *span* seconds: a queue of (time, units), oldest first,
    and their sum."""

    __slots__ = ("entries", "span", "total")

    def __init__(self, span: float) -> None:
        self.span = span
        self.entries: deque[tuple[float, int]] = deque()
        self.total = 0

    def used(self, now: float) -> int:
        entries = self.entries
        if entries and entries[-1][0] > now:
            # The clock went back: what was spent "later" counts as spent now, so it
            # stays counted a whole window from now (never longer: a clock set back by
            # a week must not close the budget for a week).
            self.entries = deque((min(when, now), units) for when, units in entries)
            entries = self.entries
        while entries and entries[0][0] <= now - self.span:
            self.total -= entries.popleft()[1]
        return self.total

    def add(self, now: float, units: int) -> None:
        self.entries.append((now, units))
        self.total += units


class MemoryBudget:
    """A budget kept in this process's memory, safe to share between threads.

    :param per_hour: units that may be spent in any 3,600 s (``None``: no cap).
    :param per_day: units that may be spent in any 86,400 s (``None``: no cap).
    :param clock: seconds since the epoch, :func:`time.time` by default.

    It remembers one entry per spend within the capped windows, so at most
    ``per_hour + per_day`` entries.
    """

    def __init__(
        self,
        *,
        per_hour: int | None = None,
        per_day: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if per_hour is not None:
            check_int_range("per_hour", per_hour, low=1)
        if per_day is not None:
            check_int_range("per_day", per_day, low=1)
        if not callable(clock):
            raise TypeError(
                "clock: expected a callable returning seconds since the epoch, "
                f"got a {type(clock).__name__}"
            )
        self._per_hour: Final = per_hour
        self._per_day: Final = per_day
        self._clock: Final = clock
        self._windows: Final = [
            (limit, _Window(span))
            for limit, span in ((per_hour, HOUR), (per_day, DAY))
            if limit is not None
        ]
        self._closed_until: float | None = None
        self._lock = threading.Lock()
        renew_after_fork(self)

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()  # a parent's thread may have held it

    @property
    def per_hour(self) -> int | None:
        """Units that may be spent in any hour (``None``: no hourly cap)."""
        return self._per_hour

    @property
    def per_day(self) -> int | None:
        """Units that may be spent in any day (``None``: no daily cap)."""
        return self._per_day

    @property
    def clock(self) -> Callable[[], float]:
        """Where the budget reads the time: seconds since the epoch."""
        return self._clock

    def spend(self, units: int, *, reserve: int = 0) -> bool:
        """Spend *units* now if both windows have room for them and *reserve* more
        (room kept back, for instance for a summary), and the budget is not closed.

        :returns: whether they were spent; ``False`` spends nothing.
        """
        check_int_range("units", units, low=1)
        check_int_range("reserve", reserve, low=0)
        with self._lock:
            now = self._clock()
            if self._closed_at(now):
                return False
            for limit, window in self._windows:
                if window.used(now) + units + reserve > limit:
                    return False
            for _, window in self._windows:
                window.add(now, units)
            return True

    def close_until(self, reset: float) -> None:
        """Spend nothing before *reset* (seconds since the epoch), as after a 429. A
        later reset than the one in force extends the closure; an earlier one does not
        shorten it."""
        if isinstance(reset, bool) or not isinstance(reset, (int, float)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"reset: expected seconds since the epoch, got a {type(reset).__name__}"
            )
        if not math.isfinite(reset):
            raise ValidationError("reset", "must be a finite number of seconds")
        with self._lock:
            if self._closed_until is None or reset > self._closed_until:
                self._closed_until = float(reset)

    def closed_until(self) -> float | None:
        """When the budget reopens, if it is closed now; ``None`` when it is open."""
        with self._lock:
            now = self._clock()
            return self._closed_until if self._closed_at(now) else None

    def _closed_at(self, now: float) -> bool:
        if self._closed_until is None:
            return False
        if now < self._closed_until:
            return True
        self._closed_until = None
        return False

    def __repr__(self) -> str:
        return f"MemoryBudget(per_hour={self._per_hour!r}, per_day={self._per_day!r})"
