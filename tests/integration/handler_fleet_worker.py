"""One process of the fleet-collapse tests: ``python handler_fleet_worker.py BACKEND
WHERE BASE_URL CLOCK_FILE RECORDS PHASES``, where BACKEND is ``sqlite`` (WHERE: the
file) or ``redis`` (WHERE: ``URL PREFIX``).

It builds a ``PushoverHandler`` (sending in the logging call, a window of 60 s) over a
shared budget, both on a clock read from CLOCK_FILE (seconds after a fixed start,
written by the test: no test waits for a window to pass). It prints ``ready``, then
for each of PHASES lines on its standard input logs the same error RECORDS times and
prints ``logged``; then it closes the handler (its last summary) and prints ``done``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from chump_typed.budget import Budget
from chump_typed.logging import PushoverHandler
from chump_typed.testing import APP_TOKEN, USER_KEY

START = 1_800_000_000.0
WINDOW = 60.0
ERROR = "disk full on db-7: /var/lib/postgresql"


def _budget(backend: str, where: str, clock: Callable[[], float]) -> Budget:
    if backend == "sqlite":
        from chump_typed.budget import SQLiteBudget

        return SQLiteBudget(where, per_hour=100, clock=clock)
    from chump_typed.budget import RedisBudget

    url, prefix = where.split(" ", 1)
    return RedisBudget(url, per_hour=100, prefix=prefix, clock=clock)


def main(argv: list[str]) -> int:
    backend, where, base_url, clock_name, records, phases = argv
    clock_file = Path(clock_name)

    def clock() -> float:
        return START + float(clock_file.read_text())

    budget = _budget(backend, where, clock)
    handler = PushoverHandler(
        APP_TOKEN,
        USER_KEY,
        base_url=base_url,
        budget=budget,
        window=WINDOW,
        background=False,
        clock=clock,
    )
    log = logging.getLogger("billing")
    log.propagate = False
    log.addHandler(handler)
    budget.closed_until()  # connected to the store before the start
    print("ready", flush=True)
    for _ in range(int(phases)):
        sys.stdin.readline()
        for _ in range(int(records)):
            log.error(ERROR)
        print("logged", flush=True)
    handler.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
