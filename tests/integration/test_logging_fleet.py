"""Collapse across the fleet (issue 34, item 4): real processes, each with its own
``PushoverHandler`` over one shared budget (an ``SQLiteBudget`` file; a
``RedisBudget`` on a real ``redis-server`` on loopback), log the same error: it
reaches the shipped fake, served over loopback, once per window, and the repeats
collapsed in every process are reported, each exactly once, in the summaries.

The processes read their clock from a file the test writes (a window passes when the
test says so: nothing waits on the wall clock), and start each phase together,
released on their standard input. Marked ``multiprocess``: the gate runs them on its
main interpreter only.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from chump_typed.logging import SUMMARY_TITLE
from chump_typed.testing import FakePushover, SentMessage, serve
from tests.integration.handler_fleet_worker import ERROR, WINDOW
from tests.redis_server import redis_server

pytestmark = [pytest.mark.integration, pytest.mark.multiprocess]

WORKER = Path(__file__).with_name("handler_fleet_worker.py")
PROCESSES = 3
RECORDS = 5
#: Seconds a worker may take in all (start-up included); never reached when all is well.
WORKER_LIMIT = 120


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _release(workers: list[subprocess.Popen[str]], expect: str) -> None:
    """Tell every worker to go, then wait until each says *expect*."""
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == expect


def _run_fleet(backend: str, where: str, clock: Path, phases: int) -> FakePushover:
    fake = FakePushover()
    clock.write_text("0")
    command = [str(WORKER), backend, where, "", str(clock), str(RECORDS), str(phases)]
    with serve(fake) as base_url, contextlib.ExitStack() as stack:
        command[3] = base_url
        workers = [
            stack.enter_context(  # closes the pipes, and waits, at the end
                subprocess.Popen(
                    [sys.executable, *command],
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
            assert fake.messages == ()
            for phase in range(phases):
                clock.write_text(repr(phase * WINDOW))  # the next window
                _release(workers, "logged")
            for worker in workers:
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.close()
                assert worker.wait(timeout=WORKER_LIMIT) == 0
                # (read from the pipe's buffer: a readline may have taken it in)
                assert worker.stdout.read().strip().splitlines() == ["done"]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
    return fake


def _collapsed(summaries: list[SentMessage]) -> int:
    """The repeats of ERROR the summaries report, in all."""
    pattern = re.compile(rf"^{re.escape(ERROR)} \.\.\. and (\d+) more$", re.MULTILINE)
    return sum(int(n) for s in summaries for n in pattern.findall(s.message))


def _check(fake: FakePushover, phases: int) -> None:
    sent = [m for m in fake.messages if m.params.get("title") != SUMMARY_TITLE]
    summaries = [m for m in fake.messages if m.params.get("title") == SUMMARY_TITLE]
    # Once per window, from one process of the fleet.
    assert [m.message for m in sent] == [ERROR] * phases
    # Every other record was collapsed, and reported exactly once.
    assert _collapsed(summaries) == phases * (PROCESSES * RECORDS - 1)
    # No summary without something to report (the processes that found the count
    # taken by another sent none).
    assert all(s.message.strip() for s in summaries)
    assert len(summaries) <= phases * PROCESSES


@pytest.mark.parametrize("phases", [1, 2])
def test_processes_sharing_an_sqlite_budget_send_an_error_once_per_window(
    tmp_path: Path, phases: int
) -> None:
    path = tmp_path / "budget.sqlite3"
    fake = _run_fleet("sqlite", str(path), tmp_path / "clock", phases)
    _check(fake, phases)
    assert ERROR.encode() not in b"".join(
        p.read_bytes() for p in tmp_path.glob("budget.sqlite3*")
    )


def test_processes_sharing_a_redis_budget_send_an_error_once_per_window(
    redis_url: str, tmp_path: Path
) -> None:
    where = f"{redis_url} handlers-{uuid.uuid4().hex}"
    fake = _run_fleet("redis", where, tmp_path / "clock", 2)
    _check(fake, 2)
