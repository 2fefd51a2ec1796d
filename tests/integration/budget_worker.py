"""One process of the shared-budget tests: ``python budget_worker.py BACKEND WHERE
BASE_URL SENDS``, where BACKEND is ``sqlite`` (WHERE: the file) or ``redis`` (WHERE:
``URL PREFIX``). It builds ``Client(..., budget=)`` with a budget of 30 an hour, waits
for a line on its standard input (so that every process starts sending at once), tries
SENDS single-recipient sends and prints one JSON line: what was sent, what the budget
refused (with BudgetExceededError, before sending), and any other error.
"""

from __future__ import annotations

import json
import sys

from chump_typed import BudgetExceededError, Client, Notification
from chump_typed.budget import Budget
from chump_typed.testing import APP_TOKEN, USER_KEY


def _budget(backend: str, where: str) -> Budget:
    if backend == "sqlite":
        from chump_typed.budget import SQLiteBudget

        return SQLiteBudget(where, per_hour=30)
    from chump_typed.budget import RedisBudget

    url, prefix = where.split(" ", 1)
    return RedisBudget(url, per_hour=30, prefix=prefix)


def main(argv: list[str]) -> int:
    backend, where, base_url, sends = argv
    budget = _budget(backend, where)
    counts = {"sent": 0, "refused": 0, "aware": 0, "other": 0}
    with Client(APP_TOKEN, base_url=base_url, budget=budget) as client:
        client.sounds()  # connected, and no unit spent
        print("ready", flush=True)
        sys.stdin.readline()
        for number in range(int(sends)):
            try:
                client.send(Notification(user=USER_KEY, message=f"{backend} {number}"))
            except BudgetExceededError as error:
                counts["refused"] += 1
                counts["aware"] += error.retry_at.tzinfo is not None
            except Exception:  # counted: the test fails on it
                counts["other"] += 1
            else:
                counts["sent"] += 1
    print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
