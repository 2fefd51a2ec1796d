"""What a log handler sends in each window: a few notifications, and a summary of the
rest.

Every application of a Pushover account shares one monthly allowance, so an error loop
must not become thousands of notifications. Per window (a minute by default) the first
*limit* records that differ from those already sent go out one by one, if the budget
can pay for them; every other record is counted: a repeat (same logger, level and
message) under the record it repeats, anything else as over the limit, and a record
the budget could not pay for under the reason it gave. When the window closes, one
summary reports the counts, and the records a full queue dropped. A summary the budget
cannot pay for waits, still counting, until it can.

Over a shared budget (one with ``claim``, other than a :class:`MemoryBudget`), the
repeats are collapsed across every process sharing it: each record claims the digest
of its key for a window, the first claimer sends it, the others' repeats are counted
in the store, and each process takes the counts of its records when its window closes
(the first to take a count reports it).

:class:`Digest` is pure: the caller says what time it is, and what the budget says.
:class:`Gate` is the handler's decisions around it: the digest, the budget and a 429's
closure behind one lock, on one injected clock; it sends nothing, and returns the
lines the handler writes on standard error.
"""

from __future__ import annotations

import calendar
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final, cast

import attrs

from chump_typed._budget_shared import Claiming
from chump_typed._checks import check_int_range
from chump_typed.budget import HOUR, Budget, MemoryBudget
from chump_typed.errors import ValidationError
from chump_typed.models import Notification, NotificationPriority, Priority

__all__ = ["Digest", "Gate", "RecordKey", "Summary", "check_fits", "units_for"]

#: What makes two records the same: logger name, level, formatted message.
RecordKey = tuple[str, int, str]

#: A summary's text and priority.
Summary = tuple[str, NotificationPriority]

#: Repeated records listed by name in a summary; the rest are counted together.
_LISTED: Final = 5
#: Records sent elsewhere (a lost claim) that a window tracks by text, beyond those it
#: sent itself; each costs one store call when the window settles.
LOST_CLAIMS_KEPT: Final = 100


@attrs.define
class _Repeats:
    text: str
    count: int = 0


def _affordable() -> str | None:
    return None


@attrs.define
class Digest:
    """Counts records per window and decides which are sent one by one."""

    limit: int
    window: float
    _opened_at: float | None = None
    _sent: int = 0
    _repeats: dict[RecordKey, _Repeats] = attrs.field(factory=dict[RecordKey, _Repeats])
    _over_limit: int = 0
    _dropped: int = 0
    #: Records held back, by the reason the budget gave.
    _held: dict[str, int] = attrs.field(factory=dict[str, int])
    #: Summaries that could not be delivered, reported again in the next.
    _carried: list[str] = attrs.field(factory=list[str])
    _priority: NotificationPriority = Priority.LOWEST

    def admit(
        self,
        key: RecordKey,
        text: str,
        priority: NotificationPriority,
        now: float,
        *,
        afford: Callable[[], str | None] = _affordable,
        claimed: bool | None = None,
    ) -> bool:
        """Whether the record goes out now; otherwise it is counted for the summary.

        *afford* is asked only for a record that would go out one by one: it pays for
        it and returns ``None``, or returns why it cannot (the record is then held
        back, and counted under that reason).

        *claimed* is what a shared budget's claim said (``None``: no claim was made,
        repeats are this window's): ``False``, a repeat of a record sent elsewhere
        in its window, counted in the shared store (:meth:`settle` takes the count);
        ``True``, a record new to every sender, even if this window has seen it.
        """
        self._open(now)
        repeats = self._repeats.get(key)
        if claimed is None and repeats is not None:
            repeats.count += 1
        elif claimed is False:
            if repeats is None and len(self._repeats) < LOST_CLAIMS_KEPT + self.limit:
                # Its text, for the count settled at the end. Past the bound, the
                # count stays in the store for the sender that won the claim (which
                # tracks what it sent): memory and store calls stay bounded.
                self._repeats[key] = _Repeats(text)
        elif self._sent < self.limit:
            reason = afford()
            if reason is None:
                self._sent += 1
                if repeats is None:
                    self._repeats[key] = _Repeats(text)
                return True
            self.hold(reason, priority, now)
        else:
            self._over_limit += 1
        self._priority = max(self._priority, priority)
        return False

    def settle(self, take: Callable[[RecordKey], int]) -> None:
        """Add to each record's count the repeats a shared store counted for it
        (*take*: the count, which the store then forgets)."""
        for key, repeats in self._repeats.items():
            repeats.count += take(key)

    def hold(self, reason: str, priority: NotificationPriority, now: float) -> None:
        """Count a record held back for *reason* (the budget's, or a closure's)."""
        self._open(now)
        self._held[reason] = self._held.get(reason, 0) + 1
        self._priority = max(self._priority, priority)

    def dropped(self, now: float) -> None:
        """Count a record that was dropped before it could be considered."""
        self._open(now)
        self._dropped += 1

    def carry(self, summary: str, priority: NotificationPriority, now: float) -> None:
        """Report *summary* (one that could not be delivered) in the next one."""
        self._open(now)
        self._carried.append(summary)
        self._priority = max(self._priority, priority)

    def _open(self, now: float) -> None:
        if self._opened_at is None:
            self._opened_at = now

    def closes_at(self) -> float | None:
        """When the open window closes (``None``: no window is open)."""
        return None if self._opened_at is None else self._opened_at + self.window

    def is_due(self, now: float) -> bool:
        """Whether a window is open and has closed by *now* (or the clock went back
        past its opening: it is not kept open for as long as the clock was set back)."""
        if self._opened_at is None:
            return False
        return not self._opened_at <= now < self._opened_at + self.window

    def counted(self) -> int:
        """The records the summary would account for (a carried summary as one)."""
        return (
            sum(r.count for r in self._repeats.values())
            + self._over_limit
            + self._dropped
            + sum(self._held.values())
            + len(self._carried)
        )

    def holds(self) -> bool:
        """Whether the window counted records held back."""
        return bool(self._held)

    def postpone(self, now: float) -> None:
        """Keep the window open, counting, for another *window* from *now*: its summary
        could not be paid for."""
        self._opened_at = now

    def due(self, now: float) -> tuple[str, NotificationPriority] | None:
        """The summary of a window that has closed by *now*, if it has anything to
        report; the next record opens a new window."""
        if not self.is_due(now):
            return None
        return self.flush()

    def flush(self) -> tuple[str, NotificationPriority] | None:
        """Close the window now: its summary (text and priority), or ``None``."""
        by_count = sorted(self._repeats.values(), key=lambda r: -r.count)
        lines = list(self._carried)
        lines += [f"{r.text} ... and {r.count} more" for r in by_count if r.count][
            :_LISTED
        ]
        unlisted = sum(r.count for r in by_count[_LISTED:])
        if unlisted:
            lines.append(f"{_some(unlisted, 'more repeat')} of other records")
        if self._over_limit:
            lines.append(
                f"{_some(self._over_limit, 'other record')} not sent one by one "
                f"(at most {self.limit} notifications per {self.window:g} s)"
            )
        lines += [
            f"{_some(n, 'record')} held back: {why}" for why, n in self._held.items()
        ]
        if self._dropped:
            lines.append(
                f"{_some(self._dropped, 'record')} dropped (the queue was full)"
            )
        priority = self._priority
        self._opened_at, self._sent, self._repeats = None, 0, {}
        self._over_limit = self._dropped = 0
        self._held, self._carried = {}, []
        self._priority = Priority.LOWEST
        if not lines:
            return None
        return "\n".join(lines), priority


class Gate:
    """What the handler sends, decided on *clock* (seconds since the epoch): the
    digest's windows of *window* seconds, the *budget* (a notification costs *units*;
    one by one only while room for a summary is left), and the closure after a 429
    (at least *min_closure* seconds).

    A summary reporting records the budget held back goes at most once an hour (the
    budget's shortest window): otherwise, in a sustained loop, each unit the sliding
    windows free would go to the summary due every *window*, and summaries would be
    nearly all the budget buys.
    """

    def __init__(
        self,
        *,
        limit: int,
        window: float,
        budget: Budget,
        units: int,
        clock: Callable[[], float],
        min_closure: float,
        scope: str = "",
    ) -> None:
        self.digest: Final = Digest(limit=limit, window=window)
        self.budget: Final = budget
        #: The shared budget that collapses repeats across processes, if any (a
        #: MemoryBudget is this process's: the digest collapses them already).
        self.claims: Final = (
            budget
            if isinstance(budget, Claiming) and not isinstance(budget, MemoryBudget)
            else None
        )
        self.scope: Final = scope
        self.units: Final = units
        self.clock: Final = clock
        self.window: Final = window
        self.min_closure: Final = min_closure
        self.spent_reason: Final = _spent_reason(budget)
        self._seen: float | None = None  # the closure last reported
        self._held_reported: float | None = None  # the last summary of held records
        self.renew()

    def renew(self) -> None:
        """A fresh lock (in a forked child, a parent's thread may have held it)."""
        self._lock = threading.Lock()

    def consider(
        self, key: RecordKey, text: str, priority: NotificationPriority
    ) -> tuple[Summary | None, bool]:
        """The summary of a window that closed, if it is paid for; and whether the
        record goes out one by one (paid for)."""
        with self._lock:
            now = self.clock()
            summary = self._take_summary(now)
            claimed = None
            if self.claims is not None:
                claimed = self.claims.claim(self.claim_key(key), self.window)
            admitted = self.digest.admit(
                key, text, priority, now, afford=self._afford, claimed=claimed
            )
        return summary, admitted

    def claim_key(self, key: RecordKey) -> str:
        """What a shared budget's claim is keyed by (the store keeps its digest):
        the record's key, for this handler's recipients."""
        return json.dumps([self.scope, *key])

    def _settle(self) -> None:
        """Take the repeats the shared store counted for this window's records."""
        claims = self.claims
        if claims is not None:
            self.digest.settle(lambda key: claims.take_collapsed(self.claim_key(key)))

    def tick(self) -> Summary | None:
        """The summary of a window that closed, if it is paid for."""
        with self._lock:
            return self._take_summary(self.clock())

    def dropped(self) -> None:
        """Count a record a full queue dropped."""
        with self._lock:
            self.digest.dropped(self.clock())

    def counted(self) -> int:
        """The records the next summary accounts for."""
        with self._lock:
            return self.digest.counted()

    def final(self) -> tuple[Summary | None, int, str]:
        """Close the window: its summary if it is paid for; or how many records it
        would have reported, and why it cannot be sent."""
        with self._lock:
            self._settle()
            counted = self.digest.counted()
            if not counted:
                return self.digest.flush(), 0, ""
            until = self.budget.closed_until()
            if until is not None:
                return None, counted, f"sending is closed until {utc(until)} (a 429)"
            if not self.budget.spend(self.units):
                return None, counted, self.spent_reason
            return self.digest.flush(), 0, ""

    def _afford(self) -> str | None:
        """Pay for one notification, keeping room for a summary; or say why not."""
        until = self.budget.closed_until()
        if until is not None:
            return _closed_reason(until)
        if self.budget.spend(self.units, reserve=self.units):
            return None
        return self.spent_reason

    def _take_summary(self, now: float) -> Summary | None:
        """The summary of a window closed by *now*, if the budget pays for it; if it
        cannot, the window stays open, counting, and the summary is tried again a
        window later."""
        if not self.digest.is_due(now):
            return None
        self._settle()  # the first sender after the window reports the fleet's count
        if not self.digest.counted():
            self.digest.flush()
            return None
        holds, last = self.digest.holds(), self._held_reported
        if (
            (holds and last is not None and last <= now < last + HOUR)
            or self.budget.closed_until() is not None
            or not self.budget.spend(self.units)
        ):
            self.digest.postpone(now)
            return None
        if holds:
            self._held_reported = now
        return self.digest.flush()

    # -- A 429 ----------------------------------------------------------------------

    def refused(
        self, reset: float | None, notification: Notification, *, summary: bool
    ) -> str | None:
        """A 429: close until *reset*, and withhold *notification*. Returns the line
        to write, if the budget was open."""
        reason, line = self.close_until(reset, "HTTP 429")
        self._withhold(notification, summary=summary, reason=reason)
        return line

    def withheld(self, notification: Notification, *, summary: bool) -> bool:
        """Whether the budget is closed (a 429 met since *notification* was paid
        for, here or by another sender sharing the budget): it is then withheld."""
        until = self.budget.closed_until()
        if until is not None:
            self._withhold(notification, summary=summary, reason=_closed_reason(until))
        return until is not None

    def _withhold(
        self, notification: Notification, *, summary: bool, reason: str
    ) -> None:
        """Count a record as held back for *reason*; carry a summary into the next."""
        text, priority = notification.message, notification.priority
        with self._lock:
            now = self.clock()
            if summary:
                self.digest.carry(text, priority, now)
            else:
                self.digest.hold(reason, priority, now)

    def close_until(self, reset: float | None, why: str) -> tuple[str, str | None]:
        """Close the budget until *reset* (the start of Pushover's next month when it
        gave none; *min_closure* from now if it has passed by our clock). Returns the
        reason records are held back, and the line to write if it was open."""
        now = self.clock()
        until = next_month(now) if reset is None else reset
        if until <= now:  # our clock is ahead of Pushover's: try again in a while
            until = now + self.min_closure
        self.budget.close_until(until)
        until = self.budget.closed_until() or until
        with self._lock:
            seen, self._seen = self._seen, until
        line = None
        if seen is None:
            line = (
                f"Pushover's quota is spent ({why}): nothing is sent until {utc(until)}"
            )
        return _closed_reason(until), line

    def watch(self) -> str | None:
        """The line to write when the budget has reopened (or was closed by another
        sender sharing it), once."""
        until = self.budget.closed_until()
        with self._lock:
            seen, self._seen = self._seen, until
        if until is not None and seen is None:
            return f"the budget is closed: nothing is sent until {utc(until)}"
        if until is None and seen is not None:
            return f"sending again: the quota was to reset at {utc(seen)}"
        return None

    def next_wake(self) -> float | None:
        """Seconds until the open window closes or the budget reopens (at most a
        window; ``None``: nothing to wait for)."""
        with self._lock:
            closes = self.digest.closes_at()
        until = self.budget.closed_until()
        times = [t for t in (closes, until) if t is not None]
        if not times:
            return None
        return min(self.window, max(0.0, min(times) - self.clock()))


def units_for(field: str, user_key: str, group_sizes: object) -> int:
    """Quota units a notification to *user_key* costs: one per key, a group's size for
    a group in *group_sizes* (checked: a mapping of some of *user_key*'s keys to sizes
    of at least 1)."""
    keys = user_key.split(",")
    if group_sizes is None:
        return len(keys)
    if not isinstance(group_sizes, Mapping):
        raise TypeError(
            f"{field}: expected a mapping of group key to size, "
            f"got a {type(group_sizes).__name__}"
        )
    sizes = cast("Mapping[object, object]", group_sizes)
    for position, (key, size) in enumerate(sizes.items(), start=1):
        if key not in keys:
            raise ValidationError(
                field, f"entry {position} is not one of the keys of user_key"
            )
        check_int_range(field, size, low=1)
    return sum(cast("int", sizes.get(key, 1)) for key in keys)


def check_fits(budget: Budget, units: int) -> int:
    """*units*, if a notification costing them fits the *budget*'s caps (else a
    ``ValidationError`` naming ``budget``)."""
    for name, cap in (("per_hour", budget.per_hour), ("per_day", budget.per_day)):
        if cap is not None and units > cap:
            raise ValidationError(
                "budget",
                f"a notification to user_key costs {units} quota units, "
                f"more than its {name} of {cap}: none could ever be sent",
            )
    return units


def _some(count: int, thing: str) -> str:
    return f"{count} {thing}{'' if count == 1 else 's'}"


def _spent_reason(budget: Budget) -> str:
    caps = [
        f"{cap} quota units {span}"
        for cap, span in ((budget.per_hour, "an hour"), (budget.per_day, "a day"))
        if cap is not None
    ]
    return f"the handler's budget ({' and '.join(caps) or 'its allowance'}) was spent"


def _closed_reason(until: float) -> str:
    return f"Pushover's quota was spent (sending closed until {utc(until)})"


def utc(seconds: float) -> str:
    """*seconds* since the epoch as UTC text."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def next_month(now: float) -> float:
    """06:00 UTC on the first of the month after *now*: Pushover's quota resets at
    midnight US Central time (05:00 or 06:00 UTC), so never earlier than that."""
    year, month = time.gmtime(now)[:2]
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return float(calendar.timegm((year, month, 1, 6, 0, 0)))
