"""Figures the reliability suites measure, printed in pytest's terminal summary.

Tests add to them; ``conftest.pytest_terminal_summary`` prints whatever was recorded,
so a run of the gate reports how many fault scenarios, messages and fuzzed inputs went
through, next to the pass/fail verdict. Tests assert on behaviour, never on these.

Under pytest-xdist each worker keeps its own figures; ``conftest`` sends them to the
controller (:func:`exported`), which folds them in (:func:`merge`): sums add up, peaks
keep the largest.
"""

from __future__ import annotations

import threading
from typing import Final

FIGURES: Final[dict[str, float]] = {}
#: The figures kept by :func:`peak` (the others are sums).
_PEAKS: Final[set[str]] = set()
_lock: Final = threading.Lock()


def add(name: str, amount: float = 1) -> None:
    """Add *amount* to the figure *name*."""
    with _lock:
        FIGURES[name] = FIGURES.get(name, 0) + amount


def peak(name: str, value: float) -> None:
    """Keep the largest *value* seen for *name*."""
    with _lock:
        _PEAKS.add(name)
        FIGURES[name] = max(FIGURES.get(name, value), value)


def exported() -> dict[str, dict[str, float]]:
    """This process's figures, as a worker sends them to the controller."""
    with _lock:
        sums = {k: v for k, v in FIGURES.items() if k not in _PEAKS}
        return {"sums": sums, "peaks": {k: FIGURES[k] for k in _PEAKS}}


def merge(figures: dict[str, dict[str, float]]) -> None:
    """Fold a worker's :func:`exported` figures into this process's."""
    for name, amount in figures["sums"].items():
        add(name, amount)
    for name, value in figures["peaks"].items():
        peak(name, value)
