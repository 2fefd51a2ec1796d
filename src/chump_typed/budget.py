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

Beyond the :class:`Budget` protocol, every budget here says when it will have room
(``try_spend``), gives back what a send that never went out cost (``refund``), and
collapses repeats (``claim``, ``take_collapsed``): ``Client(..., budget=)`` and the
logging handler use them. A :class:`MemoryBudget` counts within one process (a forked
child starts from its parent's counts, then spends on its own). Times are read from its *clock*, seconds
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

from chump_typed._budget_keys import COLLAPSED_KEPT, check_seconds, key_digest
from chump_typed._checks import check_int_range
from chump_typed._fork import renew_after_fork
from chump_typed._scrub import scrub_public
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


class _Spend:
    """One spend: when, and how many units (fewer after a refund). Each window holds
    the same object, so a refund shrinks it in all of them."""

    __slots__ = ("at", "units")

    def __init__(self, at: float, units: int) -> None:
        self.at = at
        self.units = units


class _Window:
    """Units spent in the last *span* seconds: a queue of spends, oldest first, and
    their sum."""

    __slots__ = ("entries", "span", "total")

    def __init__(self, span: float) -> None:
        self.span = span
        self.entries: deque[_Spend] = deque()
        self.total = 0

    def used(self, now: float) -> int:
        entries = self.entries
        if entries and entries[-1].at > now:
            # The clock went back: what was spent "later" counts as spent now, so it
            # stays counted a whole window from now (never longer: a clock set back by
            # a week must not close the budget for a week).
            for spend in entries:
                spend.at = min(spend.at, now)
        while entries and entries[0].at <= now - self.span:
            self.total -= entries.popleft().units
        return self.total

    def room_at(self, now: float, excess: int) -> float:
        """When *excess* units have left the window (a whole window from *now* when
        more than it holds)."""
        for spend in self.entries:
            excess -= spend.units
            if excess <= 0:
                return spend.at + self.span
        return now + self.span

    def add(self, spend: _Spend) -> None:
        self.entries.append(spend)
        self.total += spend.units

    def shrink(self, spend: _Spend, units: int) -> None:
        """*spend* (if held here) has given back *units*; gone when none is left."""
        if any(held is spend for held in self.entries):
            self.total -= units
            if spend.units == 0:
                self.entries.remove(spend)


#: Claims held before the first pruning of the forgotten ones (then twice those left).
_PRUNE_AT: Final = 256


def _forgotten(held: _Claim, now: float) -> bool:
    """Whether *held* has passed its window, with no count or a count kept too long."""
    return held.until <= now and (
        held.collapsed == 0 or held.until + COLLAPSED_KEPT <= now
    )


class _Claim:
    """A claim's window (until when it holds) and the repeats it collapsed."""

    __slots__ = ("collapsed", "until")

    def __init__(self, until: float, collapsed: int) -> None:
        self.until = until
        self.collapsed = collapsed


class MemoryBudget:
    """A budget kept in this process's memory, safe to share between threads.

    :param per_hour: units that may be spent in any 3,600 s (``None``: no cap).
    :param per_day: units that may be spent in any 86,400 s (``None``: no cap).
    :param clock: seconds since the epoch, :func:`time.time` by default.

    It remembers one entry per spend within the capped windows, so at most
    ``per_hour + per_day`` entries (a spend refunded in full is forgotten), and the
    keys claimed in a window (one holding a count not taken, a day longer), pruned
    when they have doubled.
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
        self._claims: dict[bytes, _Claim] = {}
        self._prune_at = _PRUNE_AT
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
        return self.try_spend(units, reserve=reserve) is None

    def try_spend(self, units: int, *, reserve: int = 0) -> float | None:
        """Spend *units* as :meth:`spend` does.

        :returns: ``None`` when they were spent; else when the budget will have room
            for them and *reserve* (seconds since the epoch; nothing was spent): the
            reopening of a closed budget, else the time enough of the oldest spends
            leave each full window (a whole window from now for more than a cap).
        """
        check_int_range("units", units, low=1)
        check_int_range("reserve", reserve, low=0)
        with self._lock:
            now = self._clock()
            closed = self._reopens_at(now)
            if closed is not None:
                return closed
            room_at: float | None = None
            for limit, window in self._windows:
                excess = window.used(now) + units + reserve - limit
                if excess > 0:
                    when = window.room_at(now, excess)
                    room_at = when if room_at is None else max(room_at, when)
            if room_at is not None:
                return room_at
            spend = _Spend(now, units)
            for _, window in self._windows:
                window.add(spend)
            return None

    def refund(self, units: int) -> None:
        """Give back *units* spent on a send that certainly did not go out: the newest
        spend of at least that many units (still in a window) shrinks by *units*, as
        the shared budgets do. With no such spend, nothing changes."""
        check_int_range("units", units, low=1)
        with self._lock:
            if not self._windows:
                return
            now = self._clock()
            for _, window in self._windows:
                window.used(now)
            longest = self._windows[-1][1]  # the day's when capped: it holds the hour's
            spend = next(
                (s for s in reversed(longest.entries) if s.units >= units), None
            )
            if spend is None:
                return
            spend.units -= units
            for _, window in self._windows:
                window.shrink(spend, units)

    def claim(self, key: str, seconds: float) -> bool:
        """Whether this caller is the first to claim *key* in the *seconds* since the
        first claim; a repeat within them is refused and counted (see
        :meth:`take_collapsed`). Within this process: the shared budgets hold claims
        for every process. Kept as a BLAKE2b digest of *key*, as they store it."""
        digest = key_digest(key)
        span = check_seconds("seconds", seconds)
        with self._lock:
            now = self._clock()
            if len(self._claims) >= self._prune_at:  # amortised: memory stays bounded
                self._forget_claims(now)
                self._prune_at = max(_PRUNE_AT, 2 * len(self._claims))
            held = self._held(digest, now)
            if held is not None and held.until > now:
                held.collapsed += 1
                return False
            if held is None:
                self._claims[digest] = _Claim(now + span, 0)
            else:  # a new window; the count not taken yet is kept
                held.until = now + span
            return True

    def take_collapsed(self, key: str) -> int:
        """How many claims of *key* were refused since the count was last taken (it is
        then 0): the first sender to take it reports them. A count not taken is kept
        for a day after its window."""
        digest = key_digest(key)
        with self._lock:
            held = self._held(digest, self._clock())
            if held is None:
                return 0
            collapsed, held.collapsed = held.collapsed, 0
            return collapsed

    def _held(self, digest: bytes, now: float) -> _Claim | None:
        """The claim of *digest*, unless it is forgotten by *now* (under the lock)."""
        held = self._claims.get(digest)
        if held is not None and _forgotten(held, now):
            del self._claims[digest]
            return None
        return held

    def _forget_claims(self, now: float) -> None:
        """Drop the claims whose window has passed, unless they hold a count not
        taken yet (kept :data:`COLLAPSED_KEPT` seconds more)."""
        for digest in [d for d, held in self._claims.items() if _forgotten(held, now)]:
            del self._claims[digest]

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
            return self._reopens_at(now)

    def _reopens_at(self, now: float) -> float | None:
        """When the budget reopens, if it is closed at *now* (under the lock)."""
        until = self._closed_until
        if until is not None and now >= until:
            self._closed_until = until = None
        return until

    def __repr__(self) -> str:
        return f"MemoryBudget(per_hour={self._per_hour!r}, per_day={self._per_day!r})"


scrub_public(globals())
