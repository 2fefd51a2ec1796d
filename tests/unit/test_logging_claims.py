"""The handler's collapse across processes, decided in one process: handlers sharing
a real ``SQLiteBudget`` file (each handler stands for a process), on an injected clock,
with ``background=False``, sending to the shipped fake. The multi-process version is
tests/integration/test_logging_fleet.py."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Final

import pytest

from chump_typed._digest import LOST_CLAIMS_KEPT, Digest, RecordKey
from chump_typed.budget import MemoryBudget, SQLiteBudget
from chump_typed.logging import SUMMARY_TITLE, PushoverHandler
from chump_typed.models import Priority
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, FakeTransport

START: Final = 1_800_000_000.0
ERROR: Final = "disk full on db-7"
#: A second user the fake knows.
OTHER_USER: Final = "uQiRzpo4DXghDmr9QzzfQu27cmVRsH"


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _handler(
    fake: FakePushover, budget: object, clock: Clock, user: str = USER_KEY
) -> PushoverHandler:
    return PushoverHandler(
        APP_TOKEN,
        user,
        transport=FakeTransport(fake),
        budget=budget,  # type: ignore[arg-type]
        window=60,
        background=False,
        clock=clock,
    )


def _record(text: str = ERROR, name: str = "billing") -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, text, (), None)


def _summaries(fake: FakePushover) -> list[str]:
    return [m.message for m in fake.messages if m.params["title"] == SUMMARY_TITLE]


def _sent(fake: FakePushover) -> list[str]:
    return [m.message for m in fake.messages if m.params["title"] != SUMMARY_TITLE]


def test_the_first_to_report_after_the_window_sends_the_fleets_count(
    tmp_path: Path,
) -> None:
    clock, fake = Clock(), FakePushover()
    path = tmp_path / "b.sqlite3"
    with (
        SQLiteBudget(path, per_hour=50, clock=clock) as one_budget,
        SQLiteBudget(path, per_hour=50, clock=clock) as two_budget,
    ):
        one, two = _handler(fake, one_budget, clock), _handler(fake, two_budget, clock)
        one.emit(_record())  # sent
        two.emit(_record())  # collapsed: counted in the file
        two.emit(_record())
        one.emit(_record())
        assert _sent(fake) == [ERROR]
        clock.now += 60
        two.emit(_record("another error"))  # two's window closed: it reports all 3
        assert _summaries(fake) == [f"{ERROR} ... and 3 more"]
        assert _sent(fake) == [ERROR, "another error"]
        one.emit(_record())  # one's window closed: nothing left to report; a new
        assert _summaries(fake) == [f"{ERROR} ... and 3 more"]  # window: sent again
        assert _sent(fake) == [ERROR, "another error", ERROR]
        one.close()
        two.close()
    assert ERROR.encode() not in b"".join(
        p.read_bytes() for p in tmp_path.glob("b.sqlite3*")
    )


def test_different_recipients_do_not_collapse_each_other(tmp_path: Path) -> None:
    clock, fake = Clock(), FakePushover(users={USER_KEY: (), OTHER_USER: ()})
    path = tmp_path / "b.sqlite3"
    with SQLiteBudget(path, clock=clock) as a, SQLiteBudget(path, clock=clock) as b:
        one = _handler(fake, a, clock)
        two = _handler(fake, b, clock, user=OTHER_USER)
        one.emit(_record())
        two.emit(_record())
        assert [m.recipients for m in fake.messages] == [(USER_KEY,), (OTHER_USER,)]
        one.close()
        two.close()


def test_an_unreachable_file_collapses_within_the_process(tmp_path: Path) -> None:
    clock, fake = Clock(), FakePushover()
    budget = SQLiteBudget(tmp_path / "missing" / "b.sqlite3", per_hour=50, clock=clock)
    handler = _handler(fake, budget, clock)
    for _ in range(4):
        handler.emit(_record())
    assert _sent(fake) == [ERROR]  # not unleashed: the local claims hold
    handler.close()  # the last summary counts the local repeats
    assert _summaries(fake) == [f"{ERROR} ... and 3 more"]
    assert budget.unreachable


@pytest.mark.parametrize("shared", [False, True])
def test_a_memory_budget_keeps_the_per_process_digest(shared: bool) -> None:
    clock, fake = Clock(), FakePushover()
    budget = MemoryBudget(per_hour=50, clock=clock)
    handler = _handler(fake, budget, clock)
    for _ in range(3):
        handler.emit(_record())
    other = _handler(fake, budget, clock) if shared else None
    if other is not None:  # a MemoryBudget's claims are not used: it sends its own
        other.emit(_record())
    assert _sent(fake) == [ERROR] * (2 if shared else 1)
    handler.close()
    assert any(re.match(rf"{ERROR} \.\.\. and 2 more", s) for s in _summaries(fake))


def test_background_handlers_collapse_too(tmp_path: Path) -> None:
    clock, fake = Clock(), FakePushover()
    path = tmp_path / "b.sqlite3"
    with SQLiteBudget(path, clock=clock) as a, SQLiteBudget(path, clock=clock) as b:
        fleet = [
            PushoverHandler(
                APP_TOKEN,
                USER_KEY,
                transport=FakeTransport(fake),
                budget=budget,
                window=60,
                clock=clock,
                timeout=60,  # flush's bound: never reached when all is well
            )
            for budget in (a, b)
        ]
        for handler in fleet:
            for _ in range(3):
                handler.emit(_record())
            handler.flush()  # waits until its queue is considered (bounded)
        assert _sent(fake) == [ERROR]
        for handler in fleet:
            handler.close()
    assert _summaries(fake) == [f"{ERROR} ... and 5 more"]


def test_a_storm_of_records_sent_elsewhere_keeps_the_window_bounded() -> None:
    """Lost claims are tracked by text up to a bound: memory, and the store calls a
    window's settling makes, stay bounded however many distinct records the fleet
    repeats (the sender that won each claim takes its count)."""
    digest = Digest(limit=10, window=60.0)
    for n in range(5_000):
        assert not digest.admit(
            ("app", logging.ERROR, f"disk {n}"),
            f"disk {n}",
            Priority.NORMAL,
            0.0,
            claimed=False,
        )
    taken: list[RecordKey] = []

    def take(key: RecordKey) -> int:
        taken.append(key)
        return 2

    digest.settle(take)
    assert len(taken) == LOST_CLAIMS_KEPT + 10
    summary = digest.due(61.0)
    assert summary is not None
    assert "disk 0" in summary[0]
