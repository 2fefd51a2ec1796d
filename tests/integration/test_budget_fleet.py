"""Budgets shared by real processes (issue 34's acceptance): four processes sharing an
``SQLiteBudget(path, per_hour=30)``, and four sharing a ``RedisBudget(url,
per_hour=30)`` against a real ``redis-server`` on loopback, each trying 25
single-recipient sends through ``Client(..., budget=)`` against the shipped fake served
over loopback: exactly 30 reach the fake, the other 70 are refused with
``BudgetExceededError`` before anything is sent.

The processes are started, connected and waiting on their standard input before any
of them sends, then released together, so they contend for the last units. These
tests run on the gate's main interpreter only (marker ``multiprocess``).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from chump_typed.testing import FakePushover, serve
from tests.redis_server import redis_server

pytestmark = [pytest.mark.integration, pytest.mark.multiprocess]

WORKER = Path(__file__).with_name("budget_worker.py")
PROCESSES = 4
SENDS = 25
PER_HOUR = 30
#: Seconds a worker may take in all (start-up included); never reached when all is well.
WORKER_LIMIT = 120


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _run_fleet(backend: str, where: str) -> tuple[FakePushover, list[dict[str, int]]]:
    fake = FakePushover()
    with serve(fake) as base_url, contextlib.ExitStack() as stack:
        workers = [
            stack.enter_context(  # closes the pipes, and waits, at the end
                subprocess.Popen(
                    [sys.executable, str(WORKER), backend, where, base_url, str(SENDS)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
            for _ in range(PROCESSES)
        ]
        try:
            for worker in workers:  # each is connected and has spent nothing
                assert worker.stdout is not None
                assert worker.stdout.readline().strip() == "ready"
            assert fake.messages == ()
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            results: list[dict[str, int]] = []
            for worker in workers:
                out, _ = worker.communicate(timeout=WORKER_LIMIT)
                assert worker.returncode == 0
                results.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
        return fake, results


def _check(fake: FakePushover, results: list[dict[str, int]]) -> None:
    assert len(results) == PROCESSES
    assert sum(r["sent"] for r in results) == PER_HOUR
    assert sum(r["refused"] for r in results) == PROCESSES * SENDS - PER_HOUR
    assert sum(r["aware"] for r in results) == PROCESSES * SENDS - PER_HOUR
    assert all(r["other"] == 0 for r in results)
    # What reached the fake is exactly what was sent: the refused never went out.
    assert len(fake.messages) == PER_HOUR


def test_four_processes_share_an_sqlite_budget(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite3"
    fake, results = _run_fleet("sqlite", str(path))
    _check(fake, results)
    assert path.stat().st_mode & 0o777 == 0o600


def test_four_processes_share_a_redis_budget(redis_url: str) -> None:
    fake, results = _run_fleet("redis", f"{redis_url} fleet-{uuid.uuid4().hex}")
    _check(fake, results)


#: A process that claims KEYS keys once its standard input says so, and prints how
#: many it won.
CLAIMER = """
import sys
from chump_typed.budget import RedisBudget, SQLiteBudget
backend, where, keys = sys.argv[1:]
if backend == "sqlite":
    budget = SQLiteBudget(where)
else:
    url, prefix = where.split(" ", 1)
    budget = RedisBudget(url, prefix=prefix)
with budget:
    budget.claim("warm-up", 60)  # connected before the start
    print("ready", flush=True)
    sys.stdin.readline()
    print(sum(budget.claim(f"record {n}", 600) for n in range(int(keys))), flush=True)
"""

KEYS = 40


def _claim_race(backend: str, where: str) -> list[int]:
    with contextlib.ExitStack() as stack:
        workers = [
            stack.enter_context(
                subprocess.Popen(
                    [sys.executable, "-c", CLAIMER, backend, where, str(KEYS)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
            for _ in range(PROCESSES)
        ]
        try:
            for worker in workers:
                assert worker.stdout is not None
                assert worker.stdout.readline().strip() == "ready"
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            wins: list[int] = []
            for worker in workers:
                out, _ = worker.communicate(timeout=WORKER_LIMIT)
                assert worker.returncode == 0
                wins.append(int(out.strip().splitlines()[-1]))
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
        return wins


def test_four_processes_claim_each_key_once_on_sqlite(tmp_path: Path) -> None:
    wins = _claim_race("sqlite", str(tmp_path / "claims.sqlite3"))
    assert sum(wins) == KEYS  # each key won by exactly one process


def test_four_processes_claim_each_key_once_on_redis(redis_url: str) -> None:
    wins = _claim_race("redis", f"{redis_url} claims-{uuid.uuid4().hex}")
    assert sum(wins) == KEYS
