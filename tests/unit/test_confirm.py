"""The confirming callback apps' polling rules (``_confirm.ConfirmGate``), driven by a
clock of the test's own: no time passes, nothing is timed."""

from __future__ import annotations

import itertools
from typing import Literal

import attrs
from hypothesis import given
from hypothesis import strategies as st

from chump_typed._confirm import ConfirmGate, Step
from chump_typed.callbacks import POLL_BURST, POLLS_PER_MINUTE, RECEIPT_POLL_INTERVAL


@attrs.define
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def gate(clock: Clock, **rules: int) -> ConfirmGate[str]:
    return ConfirmGate[str](
        clock,
        interval=RECEIPT_POLL_INTERVAL,
        per_minute=rules.get("per_minute", POLLS_PER_MINUTE),
        burst=rules.get("burst", POLL_BURST),
    )


def test_the_documented_figures() -> None:
    assert (RECEIPT_POLL_INTERVAL, POLLS_PER_MINUTE, POLL_BURST) == (5.0, 60, 10)


def test_a_receipt_is_polled_once_in_five_seconds() -> None:
    clock = Clock()
    rules = gate(clock)
    assert rules.begin("r1") == Step("poll")
    assert rules.begin("r1") == Step("busy")  # its poll is under way
    rules.polled("r1", None)
    clock.now = 4.999
    assert rules.begin("r1") == Step("recent")
    clock.now = 5.0
    assert rules.begin("r1") == Step("poll")


def test_a_burst_then_the_rate() -> None:
    clock = Clock()
    rules = gate(clock)
    steps = [rules.begin(f"r{n}").kind for n in range(POLL_BURST + 2)]
    assert steps == ["poll"] * POLL_BURST + ["rate", "rate"]
    clock.now = 60 / POLLS_PER_MINUTE  # one more poll's worth
    assert [rules.begin(f"s{n}").kind for n in range(2)] == ["poll", "rate"]


def test_confirmed_refused_and_handled_receipts_are_not_polled_again() -> None:
    clock = Clock()
    rules = gate(clock)
    assert rules.begin("yes").kind == "poll"
    assert rules.polled("yes", "the ack") == Step("act", "the ack")
    assert rules.begin("yes") == Step("busy")  # being handled
    rules.handled("yes", ok=False)  # the handler raised: hand it over again
    clock.now = 100
    assert rules.begin("yes") == Step("act", "the ack")
    rules.handled("yes", ok=True)
    assert rules.begin("yes") == Step("handled")
    assert rules.begin("no").kind == "poll"
    rules.refused("no")
    clock.now = 10_000
    assert rules.begin("no") == Step("refused")


def test_what_is_remembered_is_bounded() -> None:
    clock = Clock()
    rules = ConfirmGate[str](
        clock, interval=5.0, per_minute=60, burst=10_000, remembered=3
    )
    for name in ("a", "b", "c", "d"):
        assert rules.begin(name).kind == "poll"
        rules.refused(name)
    clock.now = 10
    assert rules.begin("a").kind == "poll"  # forgotten: the oldest of four
    assert rules.begin("d") == Step("refused")


Outcome = Literal["acknowledged", "not", "refused", "failed", "later"]


@attrs.frozen
class Event:
    receipt: int
    wait: float
    outcome: Outcome
    handler_ok: bool


EVENTS = st.lists(
    st.builds(
        Event,
        receipt=st.integers(0, 5),
        wait=st.sampled_from([0.0, 0.5, 1.0, 4.999, 5.0]) | st.floats(0, 20),
        outcome=st.sampled_from(["acknowledged", "not", "refused", "failed", "later"]),
        handler_ok=st.booleans(),
    ),
    max_size=80,
)


@given(
    events=EVENTS,
    per_minute=st.integers(1, 120),
    burst=st.integers(1, 6),
)
def test_the_rules_hold_for_any_sequence(
    events: list[Event], per_minute: int, burst: int
) -> None:
    """For any arrival of acknowledgements, any poll outcomes, any handler failures
    and polls left unfinished for a while: a receipt's polls begin at least 5 s
    apart and never two at once; in any span of t seconds at most burst + t * rate
    polls begin; a receipt Pushover refused or confirmed is not polled again; the
    handler gets only what a poll confirmed, and once it returned, never again."""
    clock = Clock()
    rules = gate(clock, per_minute=per_minute, burst=burst)
    polls: list[tuple[float, str]] = []
    pending: list[tuple[str, Event]] = []  # polls under way ("later" leaves them)
    refused: set[str] = set()
    confirmed: set[str] = set()
    handled: set[str] = set()

    def finish(receipt: str, event: Event) -> None:
        outcome = "failed" if event.outcome == "later" else event.outcome
        if outcome == "acknowledged":
            step = rules.polled(receipt, f"ack of {receipt}")
            assert step == Step("act", f"ack of {receipt}")
            confirmed.add(receipt)
            act(receipt, event)
        elif outcome == "not":
            assert rules.polled(receipt, None) == Step("unconfirmed")
        elif outcome == "refused":
            rules.refused(receipt)
            refused.add(receipt)
        else:
            rules.failed(receipt)

    def act(receipt: str, event: Event) -> None:
        assert receipt in confirmed and receipt not in handled
        rules.handled(receipt, ok=event.handler_ok)
        if event.handler_ok:
            handled.add(receipt)

    for event in events:
        clock.now += event.wait
        receipt = f"r{event.receipt}"
        step = rules.begin(receipt)
        if step.kind == "poll":
            assert receipt not in refused | confirmed
            assert all(r != receipt for r, _ in pending)
            earlier = [t for t, r in polls if r == receipt]
            assert not earlier or clock.now - earlier[-1] >= RECEIPT_POLL_INTERVAL
            polls.append((clock.now, receipt))
            pending.append((receipt, event))
        elif step.kind == "act":
            assert step.ack == f"ack of {receipt}"
            act(receipt, event)
        elif step.kind == "handled":
            assert receipt in handled
        elif step.kind == "refused":
            assert receipt in refused
        else:
            assert step.kind in ("busy", "recent", "rate"), step
        # Finish every poll but those told to wait ("later"), which finish with the
        # next event that finishes anything.
        if event.outcome != "later" or len(pending) > 3:
            while pending:
                finish(*pending.pop(0))

    rate = per_minute / 60
    for (start, _), (end, _) in itertools.combinations(polls, 2):
        within = sum(1 for t, _ in polls if start <= t <= end)
        assert within <= burst + (end - start) * rate + 1e-9
