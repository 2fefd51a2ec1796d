"""A reference for the shared budgets' window arithmetic: the spends of the last hour
and day kept in a plain list, checked the slow, obvious way."""

from __future__ import annotations

import attrs

from chump_typed.budget import DAY, HOUR


@attrs.define
class Reference:
    per_hour: int | None
    per_day: int | None
    spends: list[tuple[float, int]] = attrs.Factory(list[tuple[float, int]])
    closed: float = 0.0

    def caps(self) -> list[tuple[int, float]]:
        return [
            (cap, span)
            for cap, span in ((self.per_hour, HOUR), (self.per_day, DAY))
            if cap is not None
        ]

    def used(self, now: float, span: float) -> int:
        return sum(units for at, units in self.spends if at > now - span)

    def fits(self, now: float, units: int, reserve: int = 0) -> bool:
        return now >= self.closed and all(
            self.used(now, span) + units + reserve <= cap for cap, span in self.caps()
        )

    def spend(self, now: float, units: int, reserve: int = 0) -> bool:
        if not self.fits(now, units, reserve):
            return False
        self.spends.append((now, units))
        return True
