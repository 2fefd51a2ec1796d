"""What the shared budgets (SQLite on one host, Redis for a fleet) have in common: the
checks of their arguments, the digest of a claim's key, and the fall-back to this
process's share of the caps while their store is unreachable.

A store that cannot be reached must neither silence alerts nor unleash them: while it
does not answer, a budget spends from a :class:`~chump_typed.budget.MemoryBudget` of
``cap // processes`` units (at least 1) for each cap, says so once in the log (logger
``chump_typed.budget``, WARNING), and tries the store again after 1 s, then 2, 4, ...
up to 60 s between attempts, by its clock; when the store answers again it says so
once (INFO) and spends from the store. No attempt waits: a refused attempt is one
failed call, bounded by the store's own timeout.
"""

from __future__ import annotations

import abc
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Protocol, TypeVar, runtime_checkable

from chump_typed._budget_keys import check_seconds, key_digest
from chump_typed._checks import check_int_range
from chump_typed._fork import renew_after_fork
from chump_typed._redact import redact_text
from chump_typed.budget import DAY, HOUR, Budget, MemoryBudget
from chump_typed.errors import ValidationError

__all__ = [
    "FIRST_RETRY",
    "LAST_RETRY",
    "Claiming",
    "Refunding",
    "SharedBudget",
    "TrySpending",
    "estimate_retry_at",
    "key_digest",
]

if TYPE_CHECKING:
    from typing_extensions import Self

_T = TypeVar("_T")

_log: Final = logging.getLogger("chump_typed.budget")

#: Seconds before the first new attempt at an unreachable store; then doubled.
FIRST_RETRY: Final = 1.0
#: The longest wait between two attempts at an unreachable store.
LAST_RETRY: Final = 60.0


@runtime_checkable
class TrySpending(Protocol):
    """A budget that says, when it refuses, when it will have room."""

    def try_spend(self, units: int, *, reserve: int = 0) -> float | None: ...


@runtime_checkable
class Refunding(Protocol):
    """A budget that can give back what a send that never went out cost."""

    def refund(self, units: int) -> None: ...


@runtime_checkable
class Claiming(Protocol):
    """A budget that collapses repeats: the first claimer of a key in a window wins,
    and the repeats refused are counted until a sender takes the count."""

    def claim(self, key: str, seconds: float) -> bool: ...

    def take_collapsed(self, key: str) -> int: ...


def check_reset(reset: object) -> float:
    if isinstance(reset, bool) or not isinstance(reset, (int, float)):
        raise TypeError(
            f"reset: expected seconds since the epoch, got a {type(reset).__name__}"
        )
    if not math.isfinite(reset):
        raise ValidationError("reset", "must be a finite number of seconds")
    return float(reset)


def check_clock(clock: object) -> None:
    if not callable(clock):
        raise TypeError(
            "clock: expected a callable returning seconds since the epoch, "
            f"got a {type(clock).__name__}"
        )


def estimate_retry_at(budget: Budget, now: float) -> float:
    """When *budget* (one that cannot say) has room again, at the latest: when it
    reopens if it is closed, else when everything spent now has left its longest
    window (a sliding window holds nothing older than its span)."""
    until = budget.closed_until()
    if until is not None:
        return until
    return now + (DAY if budget.per_day is not None else HOUR)


def share(cap: int | None, processes: int) -> int | None:
    """This process's share of *cap* while the store is unreachable."""
    return None if cap is None else max(1, cap // processes)


class SharedBudget(abc.ABC):
    """A budget kept in a store shared by processes, with a local fall-back.

    Subclasses implement the ``_store_*`` methods, each one atomic in the store and
    raising one of :attr:`_unreachable` when the store cannot be reached.
    """

    #: What the store's library raises when the store cannot be reached.
    _unreachable: tuple[type[BaseException], ...] = (OSError,)

    def __init__(
        self,
        *,
        per_hour: int | None,
        per_day: int | None,
        clock: Callable[[], float] | None,
        processes: int,
    ) -> None:
        if per_hour is not None:
            check_int_range("per_hour", per_hour, low=1)
        if per_day is not None:
            check_int_range("per_day", per_day, low=1)
        if clock is not None:
            check_clock(clock)
        check_int_range("processes", processes, low=1)
        self._per_hour: Final = per_hour
        self._per_day: Final = per_day
        self._clock: Final = clock
        self._processes: Final = processes
        #: (cap, span) of each capped window.
        self._caps: Final = tuple(
            (cap, span)
            for cap, span in ((per_hour, HOUR), (per_day, DAY))
            if cap is not None
        )
        self._local: Final = MemoryBudget(
            per_hour=share(per_hour, processes),
            per_day=share(per_day, processes),
            clock=self.clock,
        )
        self._down = False
        self._pending_reset: float | None = None  # a closure the store missed
        self._next_try = 0.0
        self._delay = FIRST_RETRY
        self._state = threading.Lock()
        renew_after_fork(self)

    def _after_fork_in_child(self) -> None:
        self._state = threading.Lock()

    # -- What the protocol reads -------------------------------------------------------

    @property
    def per_hour(self) -> int | None:
        """Units that may be spent in any hour (``None``: no hourly cap)."""
        return self._per_hour

    @property
    def per_day(self) -> int | None:
        """Units that may be spent in any day (``None``: no daily cap)."""
        return self._per_day

    @property
    def processes(self) -> int:
        """How many processes are expected to share the store: each spends
        ``cap // processes`` (at least 1) while the store is unreachable."""
        return self._processes

    @property
    def clock(self) -> Callable[[], float]:
        """Where the budget reads the time: seconds since the epoch."""
        return time.time if self._clock is None else self._clock

    @property
    def unreachable(self) -> bool:
        """Whether the store failed its last attempt (the budget spends from this
        process's share meanwhile)."""
        return self._down

    # -- The protocol ------------------------------------------------------------------

    def spend(self, units: int, *, reserve: int = 0) -> bool:
        """Spend *units* now if both windows have room for them and *reserve* more
        (room kept back), and the budget is not closed.

        :returns: whether they were spent; ``False`` spends nothing.
        """
        return self.try_spend(units, reserve=reserve) is None

    def try_spend(self, units: int, *, reserve: int = 0) -> float | None:
        """Spend *units* as :meth:`spend` does.

        :returns: ``None`` when they were spent; else when the budget will have room
            for them (seconds since the epoch; nothing was spent).
        """
        check_int_range("units", units, low=1)
        check_int_range("reserve", reserve, low=0)
        now = self.clock()
        attempt = self._attempt(lambda: self._store_spend(self._now(), units, reserve))
        if not isinstance(attempt, _Failed):
            return attempt
        if self._local.spend(units, reserve=reserve):
            return None
        return estimate_retry_at(self._local, now)

    def refund(self, units: int) -> None:
        """Give back *units* spent on a send that certainly did not go out: the newest
        spend of at least that many units shrinks by *units*. Nothing is given back
        while the store is unreachable (the local share keeps what it spent)."""
        check_int_range("units", units, low=1)
        self._attempt(lambda: self._store_refund(self._now(), units))

    def close_until(self, reset: float) -> None:
        """Spend nothing before *reset* (seconds since the epoch), as after a 429, in
        every process sharing the store. A later reset than the one in force extends
        the closure; an earlier one does not shorten it."""
        until = check_reset(reset)
        self._local.close_until(until)  # kept through an outage of the store
        if isinstance(self._attempt(lambda: self._store_close_until(until)), _Failed):
            with self._state:  # written to the store when it answers again
                pending = self._pending_reset
                self._pending_reset = until if pending is None else max(pending, until)

    def closed_until(self) -> float | None:
        """When the budget reopens, if it is closed now; ``None`` when it is open."""
        local = self._local.closed_until()
        stored = self._attempt(lambda: self._store_closed_until(self._now()))
        times = [t for t in (local, stored) if isinstance(t, float)]
        return max(times) if times else None

    def claim(self, key: str, seconds: float) -> bool:
        """Whether this caller is the first to claim *key* in the *seconds* since the
        first claim (a repeat within them is refused, and counted for
        :meth:`take_collapsed`, in every process sharing the store). The store keeps a
        BLAKE2b digest of *key*, never its text. While the store is unreachable,
        claims are this process's own."""
        digest = key_digest(key)
        span = check_seconds("seconds", seconds)
        won = self._attempt(lambda: self._store_claim(self._now(), digest, span))
        if isinstance(won, bool):
            return won
        return self._local.claim(key, span)

    def take_collapsed(self, key: str) -> int:
        """How many claims of *key* were refused, by every process sharing the store,
        since the count was last taken (it is then 0): the first sender to take it
        reports them. A count not taken is kept for a day after its window. While the
        store is unreachable, this process's own count."""
        digest = key_digest(key)
        taken = self._attempt(lambda: self._store_take_collapsed(self._now(), digest))
        local = self._local.take_collapsed(key)
        return local + (taken if isinstance(taken, int) else 0)

    # -- Closing -----------------------------------------------------------------------

    @abc.abstractmethod
    def close(self) -> None:
        """Close this object's connections to the store (the counts stay in it)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- The store, or the fall-back ---------------------------------------------------

    def _now(self) -> float | None:
        """The time to give the store: ``None`` lets a store use its own clock."""
        return None if self._clock is None else self._clock()

    def _attempt(self, call: Callable[[], _T]) -> _T | _Failed:
        """*call* on the store unless it is resting after a failure; ``_FAILED`` when
        it failed or was not tried. Back from a failure, a closure the store missed
        is written first."""
        now = time.monotonic() if self._clock is None else self._clock()
        with self._state:
            if self._down and now < self._next_try:
                return _FAILED
            was_down = self._down
            pending = self._pending_reset if was_down else None
        try:
            if pending is not None:
                self._store_close_until(pending)
            result = call()
        except self._unreachable as error:
            self._failed(now, error)
            return _FAILED
        if was_down:
            with self._state:
                self._down, self._delay = False, FIRST_RETRY
                if self._pending_reset == pending:
                    self._pending_reset = None
            _log.info("%r answers again: spending from the shared store", self)
        return result

    def _failed(self, now: float, error: BaseException) -> None:
        with self._state:
            first = not self._down
            delay = FIRST_RETRY if first else min(LAST_RETRY, self._delay * 2)
            self._down, self._delay, self._next_try = True, delay, now + delay
        if first:
            _log.warning(
                "%r is unreachable (%s: %s): this process spends from its own share "
                "(per_hour=%s, per_day=%s) and tries the store again, after %g s, "
                "then up to every %g s",
                self,
                type(error).__name__,
                self._redacted(str(error)),
                self._local.per_hour,
                self._local.per_day,
                delay,
                LAST_RETRY,
            )

    def _redacted(self, text: str) -> str:
        """*text* without secrets (a subclass adds the store's password)."""
        return redact_text(text)

    @abc.abstractmethod
    def _store_spend(self, now: float | None, units: int, reserve: int) -> float | None:
        """Spend atomically: ``None`` when spent, else when there is room."""

    @abc.abstractmethod
    def _store_refund(self, now: float | None, units: int) -> None:
        """Shrink the newest spend of at least *units* by *units*."""

    @abc.abstractmethod
    def _store_close_until(self, reset: float) -> None:
        """Close the store's budget until *reset* unless it is closed longer."""

    @abc.abstractmethod
    def _store_closed_until(self, now: float | None) -> float | None:
        """When the store's budget reopens, if closed at *now*."""

    @abc.abstractmethod
    def _store_claim(self, now: float | None, digest: bytes, seconds: float) -> bool:
        """Claim *digest* for *seconds* unless an unexpired claim holds it (then count
        one more collapsed). A new window keeps the count not taken yet; a claim with
        a count is kept :data:`COLLAPSED_KEPT` seconds after its window."""

    @abc.abstractmethod
    def _store_take_collapsed(self, now: float | None, digest: bytes) -> int:
        """The collapsed count of *digest*'s claim, set to 0."""


class _Failed:
    """The store failed or was resting: use the local share."""

    __slots__ = ()


_FAILED: Final = _Failed()
