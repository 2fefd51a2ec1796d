"""What a log handler sends in each window: a few notifications, and a summary of the
rest.

Every application of a Pushover account shares one monthly allowance, so an error loop
must not become thousands of notifications. Per window (a minute by default) the first
*limit* records that differ from those already sent go out one by one; every other
record is counted: a repeat (same logger, level and message) under the record it
repeats, anything else as over the limit. When the window closes, one summary reports
the counts, and the records a full queue dropped. Pure: the caller says what time it is.
"""

from __future__ import annotations

from typing import Final

import attrs

from chump_typed.models import NotificationPriority, Priority

__all__ = ["Digest", "RecordKey"]

#: What makes two records the same: logger name, level, formatted message.
RecordKey = tuple[str, int, str]

#: Repeated records listed by name in a summary; the rest are counted together.
_LISTED: Final = 5


@attrs.define
class _Repeats:
    text: str
    count: int = 0


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
    _priority: NotificationPriority = Priority.LOWEST

    def admit(
        self, key: RecordKey, text: str, priority: NotificationPriority, now: float
    ) -> bool:
        """Whether the record goes out now; otherwise it is counted for the summary."""
        if self._opened_at is None:
            self._opened_at = now
        repeats = self._repeats.get(key)
        if repeats is not None:
            repeats.count += 1
        elif self._sent < self.limit:
            self._sent += 1
            self._repeats[key] = _Repeats(text)
            return True
        else:
            self._over_limit += 1
        self._priority = max(self._priority, priority)
        return False

    def dropped(self, now: float) -> None:
        """Count a record that was dropped before it could be considered."""
        if self._opened_at is None:
            self._opened_at = now
        self._dropped += 1

    def closes_at(self) -> float | None:
        """When the open window closes (``None``: no window is open)."""
        return None if self._opened_at is None else self._opened_at + self.window

    def due(self, now: float) -> tuple[str, NotificationPriority] | None:
        """The summary of a window that has closed by *now*, if it has anything to
        report; the next record opens a new window."""
        closes = self.closes_at()
        if closes is None or now < closes:
            return None
        return self.flush()

    def flush(self) -> tuple[str, NotificationPriority] | None:
        """Close the window now: its summary (text and priority), or ``None``."""
        lines = [
            f"{r.text} ... and {r.count} more"
            for r in sorted(self._repeats.values(), key=lambda r: -r.count)
            if r.count
        ]
        unlisted = sum(
            r.count
            for r in sorted(self._repeats.values(), key=lambda r: -r.count)[_LISTED:]
        )
        lines = lines[:_LISTED]
        if unlisted:
            lines.append(f"{unlisted} more repeats of other records")
        if self._over_limit:
            lines.append(
                f"{self._over_limit} other records not sent one by one "
                f"(at most {self.limit} notifications per {self.window:g} s)"
            )
        if self._dropped:
            lines.append(f"{self._dropped} records dropped (the queue was full)")
        priority = self._priority
        self._opened_at, self._sent, self._repeats = None, 0, {}
        self._over_limit = self._dropped = 0
        self._priority = Priority.LOWEST
        if not lines:
            return None
        return "\n".join(lines), priority
