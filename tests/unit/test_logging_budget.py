"""The handler cannot spend the month: its budget in quota units, the summary of what
it held back, and the injected clock that drives every window.

Every test here runs on an injected clock and ``background=False``: nothing depends on
the wall clock, on a thread's timing or on straddling an hour.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed.budget import DAY, HOUR, MemoryBudget
from chump_typed.errors import ValidationError
from chump_typed.logging import (
    DEFAULT_PER_DAY,
    DEFAULT_PER_HOUR,
    SUMMARY_TITLE,
    PushoverHandler,
)
from chump_typed.testing import (
    APP_TOKEN,
    GROUP_KEY,
    USER_KEY,
    FakePushover,
    FakeTransport,
    Fault,
    SentMessage,
)

PAGE: Final = Path(__file__).resolve().parents[2] / "docs" / "logging.md"

#: How a summary names what the default budget held back (docs/logging.md quotes it).
HELD_BY_DEFAULT: Final = (
    "records held back: the handler's budget (20 quota units an hour and 100 quota "
    "units a day) was spent"
)

#: A second user the fake knows (Pushover keys are 30 letters and digits).
OTHER_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsH"


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("tests.budget")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    log.propagate = True


def attach(
    logger: logging.Logger, fake: FakePushover, clock: Clock, **kwargs: object
) -> PushoverHandler:
    handler = PushoverHandler(
        APP_TOKEN,
        kwargs.pop("user_key", USER_KEY),  # type: ignore[arg-type]  # a str
        transport=FakeTransport(fake),
        background=False,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]  # the signature's
    )
    logger.addHandler(handler)
    return handler


def summaries(fake: FakePushover) -> list[str]:
    return [m.message for m in fake.messages if m.params["title"] == SUMMARY_TITLE]


def counts(summary: str) -> int:
    """Every record a summary accounts for."""
    numbers = re.findall(
        r"and (\d+) more$|^(\d+) (?:more repeats|other records|records? held back"
        r"|records dropped)",
        summary,
        re.M,
    )
    return sum(int(a or b) for a, b in numbers)


def most_in_any(sent: tuple[SentMessage, ...], span: float) -> int:
    """The most notifications (quota units, one recipient each) sent within any
    *span* seconds, by the fake's clock."""
    times = sorted(m.received_at for m in sent)
    return max(
        (bisect.bisect_left(times, t + span) - i for i, t in enumerate(times)),
        default=0,
    )


@pytest.mark.parametrize(("every", "days"), [(60, 31), (3, 1)])
def test_a_sustained_loop_spends_at_most_the_documented_monthly_share(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str], every: int, days: int
) -> None:
    """A distinct error every minute for 31 days (44,640 records), or every 3 s for a
    day (28,800), at the defaults: at most 20 notifications in any hour, 100 in any
    day, so 3,100 in any 31 days (the longest Pushover month), summaries included;
    every record is sent, summarised or counted on stderr."""
    clock = Clock()
    fake = FakePushover(limit=10**9, clock=clock)
    handler = attach(logger, fake, clock)
    records = days * 86_400 // every
    for n in range(records):
        logger.error("job %d failed", n)
        clock.now += every
    handler.close()

    sent = fake.messages
    assert (DEFAULT_PER_HOUR, DEFAULT_PER_DAY) == (20, 100)
    assert most_in_any(sent, HOUR) == 20
    assert most_in_any(sent, DAY) == 100
    assert most_in_any(sent, 31 * DAY) <= 31 * 100 == 3100  # 31% of 10,000
    first_day = sorted(m.received_at for m in sent)[:100]
    assert first_day[-1] - first_day[0] > 4 * HOUR  # not spent in under four hours
    one_by_one = [m for m in sent if m.params["title"] != SUMMARY_TITLE]
    assert len(one_by_one) >= 0.75 * len(sent)  # summaries do not eat the budget
    held = [
        m.received_at
        for m in sent
        if m.params["title"] == SUMMARY_TITLE and HELD_BY_DEFAULT in m.message
    ]
    assert held
    assert all(b - a >= HOUR for a, b in itertools.pairwise(held))  # hourly at most
    reported = sum(counts(text) for text in summaries(fake))
    err = capsys.readouterr().err
    left_out = re.findall(r"(\d+) records? left out of the last summary", err)
    assert len(one_by_one) + reported + sum(map(int, left_out)) == records
    if days == 31:  # the figures docs/logging.md gives
        figures = (
            f"every minute for 31 days ({records:,} records) at the defaults gives "
            f"{len(sent):,} notifications,\n{len(one_by_one):,} records one by one "
            f"and {len(sent) - len(one_by_one):,} summaries"
        )
        assert figures in PAGE.read_text(encoding="utf-8")


def test_what_the_budget_held_back_is_summarised_once_it_has_room(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock)
    handler = attach(logger, fake, clock, budget=MemoryBudget(per_hour=5, clock=clock))
    for n in range(10):
        logger.error("failure %d", n)
    # Four one by one: the fifth unit is kept for the summary.
    assert [m.message for m in fake.messages] == [f"failure {n}" for n in range(4)]

    clock.now += 60  # the rate window closes: its summary is paid for
    logger.error("one more")  # the budget has no room left for it
    assert summaries(fake) == [
        "6 records held back: the handler's budget (5 quota units an hour) was spent"
    ]
    clock.now += 60  # the next window's summary cannot be paid for: it waits
    logger.error("and another")
    assert len(summaries(fake)) == 1

    clock.now += HOUR  # the hour has passed: the waiting summary goes first
    logger.error("back again")
    assert [m.message for m in fake.messages[5:]] == [
        "2 records held back: the handler's budget (5 quota units an hour) was spent",
        "back again",
    ]
    handler.close()
    assert capsys.readouterr().err == ""


def test_a_summary_that_cannot_be_paid_for_at_close_is_one_line_on_stderr(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock)
    handler = attach(logger, fake, clock, budget=MemoryBudget(per_day=2, clock=clock))
    for n in range(3):
        logger.error("failure %d", n)
    clock.now += 60
    logger.error("failure 3")  # the summary of the first window spends the day
    logger.error("failure 4")
    handler.close()

    assert len(fake.messages) == 2
    assert capsys.readouterr().err == (
        "chump_typed.logging: 2 records left out of the last summary: the handler's"
        " budget (2 quota units a day) was spent\n"
    )


def test_the_rate_window_runs_on_the_injected_clock(logger: logging.Logger) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock)
    attach(logger, fake, clock)
    for n in range(12):
        logger.error("failure %d", n)
    clock.now += 59.9
    logger.error("still the same window")
    assert summaries(fake) == []
    clock.now += 0.1
    logger.error("a new window")
    assert summaries(fake) == [
        "3 other records not sent one by one (at most 10 notifications per 60 s)"
    ]
    assert fake.messages[-1].message == "a new window"


def test_a_clock_set_back_closes_the_window(logger: logging.Logger) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock)
    attach(logger, fake, clock)
    for _ in range(3):
        logger.error("same")
    clock.now -= DAY  # the window is not held open for a day
    logger.error("later")
    assert summaries(fake) == ["same ... and 2 more"]


def test_a_group_costs_its_configured_size(logger: logging.Logger) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock)
    budget = MemoryBudget(per_hour=20, clock=clock)
    attach(
        logger,
        fake,
        clock,
        user_key=GROUP_KEY,
        group_sizes={GROUP_KEY: 7},
        budget=budget,
    )
    logger.error("first")
    logger.error("second")  # 7 spent, 7 more and 7 kept back would be 21
    assert [m.message for m in fake.messages] == ["first"]
    clock.now += 60
    logger.error("third")  # the summary is paid for (14); "third" is not (28)
    assert not budget.spend(7)  # 14 spent: 7 more would pass 20
    assert budget.spend(6)


def test_each_recipient_key_costs_a_unit(logger: logging.Logger) -> None:
    clock = Clock()
    fake = FakePushover(users={USER_KEY: ["phone"], OTHER_USER: ["phone"]}, clock=clock)
    budget = MemoryBudget(per_hour=5, clock=clock)
    attach(logger, fake, clock, user_key=f"{USER_KEY},{OTHER_USER}", budget=budget)
    logger.error("first")  # 2 units, 2 more kept back: 4 <= 5
    logger.error("second")  # 2 + 2 + 2 > 5: held back
    assert [m.message for m in fake.messages] == ["first"]
    assert budget.spend(3)  # 2 were spent
    assert not budget.spend(1)


def test_a_group_size_must_name_a_recipient_and_be_at_least_one() -> None:
    def handler(**kwargs: object) -> PushoverHandler:
        return PushoverHandler(APP_TOKEN, GROUP_KEY, **kwargs)  # type: ignore[arg-type]

    with pytest.raises(ValidationError, match="group_sizes: entry 1 is not one") as e:
        handler(group_sizes={USER_KEY: 3})
    assert USER_KEY not in str(e.value)
    with pytest.raises(ValidationError, match="group_sizes: must be >= 1"):
        handler(group_sizes={GROUP_KEY: 0})
    with pytest.raises(TypeError, match="group_sizes"):
        handler(group_sizes={GROUP_KEY: "3"})
    with pytest.raises(TypeError, match="group_sizes"):
        handler(group_sizes=[GROUP_KEY])
    with pytest.raises(ValidationError, match=r"budget: .* costs 30 quota units, more"):
        handler(group_sizes={GROUP_KEY: 30})  # the default budget's hour is 20
    with pytest.raises(ValidationError, match="its per_day of 5"):
        handler(budget=MemoryBudget(per_day=5), group_sizes={GROUP_KEY: 6})
    with pytest.raises(TypeError, match="budget"):
        handler(budget={"per_hour": 20})
    with pytest.raises(TypeError, match="clock"):
        handler(clock=1_780_000_000.0)


def test_no_caps_is_a_choice(logger: logging.Logger) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock)
    attach(logger, fake, clock, budget=MemoryBudget(clock=clock))
    for minute in range(10):
        for n in range(10):
            logger.error("failure %d in minute %d", n, minute)
        clock.now += 60
    assert len(fake.messages) == 100


def test_a_group_key_costs_one_unit_unless_its_size_is_given(
    logger: logging.Logger,
) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock)
    budget = MemoryBudget(per_hour=3, clock=clock)
    attach(logger, fake, clock, user_key=GROUP_KEY, budget=budget)
    logger.error("first")
    logger.error("second")  # 1 + 1 spent, 1 kept back
    assert len(fake.messages) == 2
    assert budget.spend(1)
    assert not budget.spend(1)


def test_each_handler_has_a_budget_of_its_own_by_default() -> None:
    first = PushoverHandler(APP_TOKEN, USER_KEY, transport=FakeTransport())
    second = PushoverHandler(APP_TOKEN, USER_KEY, transport=FakeTransport())
    try:
        assert first.budget is not second.budget
        assert isinstance(first.budget, MemoryBudget)
        assert (first.budget.per_hour, first.budget.per_day) == (20, 100)
    finally:
        first.close()
        second.close()


def test_the_clock_is_seconds_since_the_epoch_by_default() -> None:
    import inspect
    import time

    default = inspect.signature(PushoverHandler).parameters["clock"].default
    assert default is time.time
    handler = PushoverHandler(APP_TOKEN, USER_KEY, transport=FakeTransport())
    try:
        assert isinstance(handler.budget, MemoryBudget)
        assert handler.budget.clock is time.time  # the default budget reads it too
    finally:
        handler.close()


def test_the_record_time_and_a_formatter(logger: logging.Logger) -> None:
    """The notification's time is the record's creation time, not the delivery's;
    a Formatter set on the handler shapes the message."""
    clock = Clock()
    fake = FakePushover(clock=clock)
    handler = attach(logger, fake, clock)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    record = logger.makeRecord(
        logger.name, logging.ERROR, __file__, 1, "disk full", (), None
    )
    record.created = 1_700_000_000.75
    logger.handle(record)
    [sent] = fake.messages
    assert sent.params["timestamp"] == "1700000000"
    assert sent.message == "ERROR disk full"


class Quiet(PushoverHandler):
    """Keeps its standard error lines."""

    lines: list[str]

    def _say(self, text: str | None) -> None:
        if text is not None:
            self.lines.append(text)


@settings(max_examples=60, deadline=None)
@given(
    per_hour=st.integers(1, 8),
    per_day=st.integers(1, 25),
    steps=st.lists(
        st.tuples(
            st.integers(0, 90) | st.integers(3000, 4000) | st.integers(80_000, 90_000),
            st.integers(0, 12),
        ),
        max_size=120,
    ),
)
def test_no_sequence_of_records_overspends_and_none_is_lost(
    per_hour: int, per_day: int, steps: list[tuple[int, int]]
) -> None:
    """Whatever is logged when, the notifications (summaries included) stay within
    the budget in every hour and day, and every record is sent one by one, counted in
    a summary, or counted in the line written at close."""
    clock = Clock()
    fake = FakePushover(clock=clock)
    budget = MemoryBudget(per_hour=per_hour, per_day=per_day, clock=clock)
    handler = Quiet(
        APP_TOKEN,
        USER_KEY,
        transport=FakeTransport(fake),
        background=False,
        clock=clock,
        budget=budget,
    )
    handler.lines = []
    for gap, which in steps:
        clock.now += gap
        handler.handle(
            logging.LogRecord("x", logging.ERROR, __file__, 1, "e%d", (which,), None)
        )
    handler.close()

    sent = fake.messages
    assert most_in_any(sent, HOUR) <= per_hour
    assert most_in_any(sent, DAY) <= per_day
    one_by_one = [m for m in sent if m.params["title"] != SUMMARY_TITLE]
    reported = sum(counts(text) for text in summaries(fake))
    left_out = [
        int(n)
        for line in handler.lines
        for n in re.findall(r"(\d+) records? left out of the last summary", line)
    ]
    assert len(one_by_one) + reported + sum(left_out) == len(steps)


def test_a_failed_send_is_paid_for_too(logger: logging.Logger) -> None:
    clock = Clock()
    fake = FakePushover(clock=clock, faults=[Fault.UNAVAILABLE_JSON])
    budget = MemoryBudget(per_hour=3, clock=clock)
    handler = attach(logger, fake, clock, budget=budget)
    handler.handleError = lambda record: None  # type: ignore[method-assign]  # quiet
    logger.error("fails")
    logger.error("arrives")  # 2 spent, 1 kept back
    logger.error("held back")
    assert [m.message for m in fake.messages] == ["arrives"]
    assert budget.spend(1)
    assert not budget.spend(1)


def test_the_page_quotes_the_handlers_own_words() -> None:
    """What docs/logging.md quotes is what the tests see the handler say."""
    page = " ".join(PAGE.read_text(encoding="utf-8").split())
    for words in (
        HELD_BY_DEFAULT,  # the sustained loop's summaries
        "Pushover's quota is spent (HTTP 429): nothing is sent until",  # quota tests
        "3 records not sent to Pushover within the 2 s timeout at exit",  # exit
        "4990 other records not sent one by one (at most 10 notifications per 60 s)",
    ):
        assert words in page
