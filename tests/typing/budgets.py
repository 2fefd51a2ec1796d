"""The types of the shared budgets and of ``Client(..., budget=)``, pinned with
``assert_type`` (issue 34). Checked by the repository-wide mypy and pyright runs; never
imported or executed."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import redis
from typing_extensions import assert_type

from chump_typed import AsyncClient, BudgetExceededError, Client
from chump_typed.budget import Budget, MemoryBudget, RedisBudget, SQLiteBudget
from chump_typed.testing import APP_TOKEN


def sqlite_budget(path: Path) -> None:
    budget = SQLiteBudget(path, per_hour=30, per_day=100, clock=time.time, processes=4)
    assert_type(budget, SQLiteBudget)
    assert_type(SQLiteBudget("budget.sqlite3", timeout=5.0), SQLiteBudget)
    assert_type(budget.path, Path)
    assert_type(budget.spend(1, reserve=1), bool)
    assert_type(budget.try_spend(1, reserve=1), float | None)
    assert_type(budget.refund(1), None)
    assert_type(budget.claim("disk full", 300), bool)
    assert_type(budget.take_collapsed("disk full"), int)
    assert_type(budget.close_until(0.0), None)
    assert_type(budget.closed_until(), float | None)
    assert_type(budget.per_hour, int | None)
    assert_type(budget.per_day, int | None)
    assert_type(budget.processes, int)
    assert_type(budget.unreachable, bool)
    assert_type(budget.close(), None)
    with budget as entered:
        assert_type(entered, SQLiteBudget)
    shared: Budget = budget
    assert_type(Client(APP_TOKEN, budget=shared).budget, Budget | None)
    assert_type(AsyncClient(APP_TOKEN, budget=budget).budget, Budget | None)
    assert_type(Client.from_env(budget=MemoryBudget(per_hour=1)), Client)


def redis_budget(client: redis.Redis) -> None:
    budget = RedisBudget("redis://localhost:6379/0", per_hour=30, prefix="alerts")
    assert_type(budget, RedisBudget)
    assert_type(RedisBudget(client, per_day=100, clock=time.time), RedisBudget)
    assert_type(budget.prefix, str)
    assert_type(budget.try_spend(2), float | None)
    assert_type(budget.claim("disk full", 60.0), bool)
    assert_type(budget.take_collapsed("disk full"), int)
    with budget as entered:
        assert_type(entered, RedisBudget)


def refused(error: BudgetExceededError) -> None:
    assert_type(error.retry_at, dt.datetime)
