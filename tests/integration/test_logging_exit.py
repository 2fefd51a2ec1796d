"""The last alert arrives: real child interpreters log and exit at once (sys.exit, an
uncaught exception), and what they logged reaches the shipped fake over loopback.

Each scenario runs ten children side by side, each against its own served fake. No
assertion here is timed: the children get generous subprocess timeouts.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from typing import Final

import pytest

from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Fault, Slow, serve

#: Children per scenario.
RUNS: Final = 10

CHILD: Final = """
import atexit, logging, sys, threading, time
from chump_typed.logging import PushoverHandler

url, how, token, user = sys.argv[1:5]
log = logging.getLogger("app")
log.propagate = False
timeout = 2.0 if how == "stuck" else 5.0
handler = PushoverHandler(token, user, base_url=url, timeout=timeout)
log.addHandler(handler)
if how in ("delivered", "failed", "crash"):
    log.error("an earlier alert")
    handler.flush()  # sent (or failed) before the last three
if how == "late":
    def worker():  # a non-daemon thread that logs after the main thread has ended
        while threading.main_thread().is_alive():
            time.sleep(0.01)
        log.error("from a worker, after the exit flush")
    threading.Thread(target=worker).start()
    atexit.register(log.error, "from an atexit hook")
if how == "torn down":
    # An exit hook registered after the handler, that tears its transport down, as
    # urllib3's pool finalizers do when their hook is registered late: atexit runs it
    # first, but the handler's flush runs before every atexit hook.
    transport = handler.client.transport
    atexit.register(setattr, transport, "send", None)
for number in range(3):
    log.error("fatal error %d, exiting", number)
if how == "crash":
    raise RuntimeError("uncaught")
sys.exit(1)
"""


def run_children(
    how: str, fault: Fault | Slow | None
) -> list[tuple[FakePushover, str]]:
    """Run :data:`RUNS` children side by side, each against its own served fake with
    *fault* as its first answer; return each fake and the child's stderr."""
    with contextlib.ExitStack() as stack:
        children: list[tuple[FakePushover, subprocess.Popen[str]]] = []
        for _ in range(RUNS):
            fake = FakePushover(faults=() if fault is None else (fault,))
            url = stack.enter_context(serve(fake))
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, url, how, APP_TOKEN, USER_KEY],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            stack.callback(child.kill)  # a no-op for a child that has ended
            children.append((fake, child))
        results: list[tuple[FakePushover, str]] = []
        for fake, child in children:
            _, err = child.communicate(timeout=120)
            assert child.returncode == 1, err
            results.append((fake, err))
        return results


LAST_THREE: Final = [f"fatal error {n}, exiting" for n in range(3)]


@pytest.mark.parametrize(
    ("how", "fault"),
    [
        ("first", None),
        ("delivered", None),
        ("failed", Fault.UNAVAILABLE_JSON),
        ("crash", Fault.UNAVAILABLE_JSON),
    ],
)
def test_the_records_logged_just_before_exit_are_sent(
    how: str, fault: Fault | None
) -> None:
    """A program that logs and exits at once (sys.exit, or an uncaught exception),
    first thing or after an alert that was delivered or failed, delivers its last
    three records, ten runs out of ten."""
    for fake, err in run_children(how, fault):
        sent = [m.message for m in fake.messages]
        assert sent[-3:] == LAST_THREE, err
        assert "not sent to Pushover within" not in err
        failures = err.count("was not sent to Pushover")
        assert failures == (1 if fault is not None else 0), err
        assert ("an earlier alert" in sent) is (how == "delivered")


def test_the_flush_runs_before_every_atexit_hook() -> None:
    """Whatever was registered with atexit after the handler (here a hook that tears
    its transport down) runs after the handler's queue was sent."""
    for fake, err in run_children("torn down", None):
        assert [m.message for m in fake.messages] == LAST_THREE, err


def test_records_logged_after_the_flush_are_sent_in_the_logging_call() -> None:
    """A non-daemon thread and an atexit hook log after the exit flush: each record
    is sent in its logging call."""
    for fake, err in run_children("late", None):
        sent = [m.message for m in fake.messages]
        assert sent[:3] == LAST_THREE, err
        assert sorted(sent[3:]) == [
            "from a worker, after the exit flush",
            "from an atexit hook",
        ], err


def test_exit_waits_at_most_the_timeout_and_says_what_was_not_sent() -> None:
    """The first answer takes 30 s; the handler's timeout is 2 s: the child exits
    without it, and says in one line that its three records were not sent (one
    line: logging.shutdown's close() afterwards neither waits nor speaks again)."""
    for fake, err in run_children("stuck", Slow(30.0)):
        assert len(fake.messages) <= 1  # the first may have arrived; its answer not
        assert err == (
            "chump_typed.logging: 3 records not sent to Pushover within the 2 s "
            "timeout at exit\n"
        )
