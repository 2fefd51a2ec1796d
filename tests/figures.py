"""Figures the reliability suites measure, printed in pytest's terminal summary.

Tests add to them; ``conftest.pytest_terminal_summary`` prints whatever was recorded,
so a run of the gate reports how many fault scenarios, messages and fuzzed inputs went
through, next to the pass/fail verdict. Tests assert on behaviour, never on these.
"""

from __future__ import annotations

import threading
from typing import Final

FIGURES: Final[dict[str, float]] = {}
_lock: Final = threading.Lock()


def add(name: str, amount: float = 1) -> None:
    """Add *amount* to the figure *name*."""
    with _lock:
        FIGURES[name] = FIGURES.get(name, 0) + amount


def peak(name: str, value: float) -> None:
    """Keep the largest *value* seen for *name*."""
    with _lock:
        FIGURES[name] = max(FIGURES.get(name, value), value)
