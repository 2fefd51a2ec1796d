"""An SQLiteBudget used, then forked (gunicorn ``--preload``, Celery prefork): the
child opens its own connection instead of sharing its parent's, and both spend from
the one file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chump_typed.budget import SQLiteBudget
from tests.integration.test_fork import forked

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only"),
]


def test_a_forked_child_spends_through_its_own_connection(tmp_path: Path) -> None:
    budget = SQLiteBudget(tmp_path / "b.sqlite3", per_hour=10)
    assert budget.spend(3)  # the parent's connection is open
    # Held here, so the child cannot free it and reuse its address for a new one.
    inherited = budget._connection  # pyright: ignore[reportPrivateUsage]
    assert inherited is not None

    def child() -> list[str]:
        assert budget._connection is None  # pyright: ignore[reportPrivateUsage]
        spent = [budget.spend(1) for _ in range(3)]
        assert budget._connection is not inherited  # pyright: ignore[reportPrivateUsage]
        budget.close()
        return [str(spent)]

    _, result = forked(child)
    parent = [budget.spend(1) for _ in range(3)]
    assert result() == ["[True, True, True]"]
    assert parent == [True, True, True]
    assert budget.spend(1)  # 3 + 3 + 3 + 1 = 10: the cap
    assert not budget.spend(1)
    assert not budget.unreachable
    budget.close()
