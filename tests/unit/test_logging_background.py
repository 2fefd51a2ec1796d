"""The logging handler's promises: a burst cannot spend the month's quota, a logging
call never waits for the network, drops are counted, a forked child works, and exit
is bounded.

Threads are ordered with events, never with sleeps; nothing here asserts a duration.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import warnings
from collections.abc import Iterator

import pytest

from chump_typed.logging import SUMMARY_TITLE, PushoverHandler
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
)


class Blocking:
    """A transport whose first send waits until the test releases it."""

    def __init__(self, fake: FakePushover) -> None:
        self.inner = FakeTransport(fake)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def send(self, request: HTTPRequest) -> HTTPResponse:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            self.release.wait(30)
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


class Signalling(FakeTransport):
    """A fake transport that says when a send is over."""

    def __init__(self, fake: FakePushover) -> None:
        super().__init__(fake)
        self.sent = threading.Event()

    def send(self, request: HTTPRequest) -> HTTPResponse:
        try:
            return super().send(request)
        finally:
            self.sent.set()


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("tests.background")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    log.propagate = True


def counts(summary: str) -> int:
    """Every record a summary accounts for."""
    numbers = re.findall(
        r"and (\d+) more|^(\d+) (?:more repeats|other records|records dropped)",
        summary,
        re.M,
    )
    return sum(int(a or b) for a, b in numbers)


def test_a_burst_sends_the_limit_and_one_summary(logger: logging.Logger) -> None:
    fake = FakePushover(limit=10**9)
    # A queue that holds the whole burst: nothing is dropped, whatever the machine's
    # speed, so the counts are exact (drops have their own test).
    handler = PushoverHandler(
        APP_TOKEN, USER_KEY, transport=FakeTransport(fake), queue_size=20_000
    )
    logger.addHandler(handler)

    for n in range(5000):
        logger.error("disk full")
        logger.error("job %d failed", n)
    handler.close()

    one_by_one = [m for m in fake.messages if m.params["title"] != SUMMARY_TITLE]
    summaries = [m.message for m in fake.messages if m.params["title"] == SUMMARY_TITLE]
    assert len(one_by_one) == 10
    assert len(summaries) == 1
    assert "disk full ... and 4999 more" in summaries[0]
    assert len(one_by_one) + counts(summaries[0]) == 10_000
    assert handler.dropped == 0
    assert "4991 other records not sent one by one" in summaries[0]  # 9 jobs went


def test_the_logging_call_never_waits_for_the_network(logger: logging.Logger) -> None:
    fake = FakePushover()
    transport = Blocking(fake)
    handler = PushoverHandler(APP_TOKEN, USER_KEY, transport=transport)
    logger.addHandler(handler)

    logger.error("first")
    assert transport.entered.wait(30)  # the background thread is stuck in a send
    for n in range(49):
        logger.error("more %d", n)  # each returns while that send is still blocked

    assert not transport.release.is_set()
    assert transport.calls == 1
    transport.release.set()
    handler.close()
    assert len(fake.messages) == 11  # 10 one by one, then the summary
    assert "40 other records not sent" in fake.messages[-1].message


def test_drops_are_counted_and_reported(logger: logging.Logger) -> None:
    fake = FakePushover()
    transport = Blocking(fake)
    handler = PushoverHandler(APP_TOKEN, USER_KEY, transport=transport, queue_size=2)
    logger.addHandler(handler)

    logger.error("first")
    assert transport.entered.wait(30)
    for n in range(9):
        logger.error("more %d", n)  # two fit in the queue; seven are dropped

    assert handler.dropped == 7
    transport.release.set()
    handler.close()
    assert [m.message for m in fake.messages[:3]] == ["first", "more 0", "more 1"]
    assert "7 records dropped (the queue was full)" in fake.messages[-1].message


def test_exit_is_bounded_by_the_timeout(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakePushover()
    transport = Blocking(fake)
    handler = PushoverHandler(APP_TOKEN, USER_KEY, transport=transport, timeout=0.2)
    logger.addHandler(handler)
    logger.error("stuck")
    assert transport.entered.wait(30)
    sender = handler._thread  # pyright: ignore[reportPrivateUsage]
    assert sender is not None

    try:
        logger.removeHandler(handler)
        handler.close()  # returns although the send is still stuck
        assert not transport.release.is_set()
    finally:
        transport.release.set()
    # The stuck send then meets the closed transport: the record is reported as not
    # sent, in one line, by the thread, which then ends (within this test).
    sender.join(30)
    assert not sender.is_alive()
    err = capsys.readouterr().err
    assert "1 record not sent to Pushover within the 0.2 s timeout of close()" in err
    line = "a record from 'tests.background' was not sent to Pushover: transport"
    assert line in err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_the_thread_restarts_in_a_forked_child(logger: logging.Logger) -> None:
    """The parent's thread does not exist in the child, and the queue's lock is held
    by a parent thread at the moment of the fork: the child must still send."""
    fake = FakePushover()
    transport = Signalling(fake)
    handler = PushoverHandler(APP_TOKEN, USER_KEY, transport=transport)
    logger.addHandler(handler)
    logger.error("in the parent")
    # The parent's send is over (the fake's own lock is free) before the fork.
    assert transport.sent.wait(30)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with handler._queue.mutex:  # pyright: ignore[reportPrivateUsage]
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            signal.alarm(20)  # a child that hangs dies, and the test fails
            logger.error("in the child")
            handler.close()
            code = 0 if fake.messages[-1].message == "in the child" else 2
        finally:
            os._exit(code)
    release.set()
    holder.join()
    _, status = os.waitpid(pid, 0)
    handler.close()

    assert os.waitstatus_to_exitcode(status) == 0
    assert [m.message for m in fake.messages] == ["in the parent"]


def test_flush_waits_until_what_was_queued_is_sent(logger: logging.Logger) -> None:
    fake = FakePushover()
    handler = PushoverHandler(
        APP_TOKEN, USER_KEY, transport=FakeTransport(fake), timeout=30
    )
    logger.addHandler(handler)
    for n in range(3):
        logger.error("failure %d", n)
    handler.flush()
    assert [m.message for m in fake.messages] == [f"failure {n}" for n in range(3)]
    logger.removeHandler(handler)
    handler.close()
    handler.flush()  # closed: returns at once


def test_a_full_queue_bounds_flush_by_the_timeout(logger: logging.Logger) -> None:
    fake = FakePushover()
    transport = Blocking(fake)
    handler = PushoverHandler(
        APP_TOKEN, USER_KEY, transport=transport, queue_size=1, timeout=0.2
    )
    logger.addHandler(handler)
    logger.error("stuck")
    assert transport.entered.wait(30)
    logger.error("queued")  # the queue is full: flush cannot even queue its marker
    try:
        handler.flush()  # returns (after 0.2 s) though nothing moved
        assert transport.calls == 1
    finally:
        transport.release.set()


def test_the_timeout_runs_on_the_real_clock_not_the_injected_one(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    """An injected clock that never moves cannot hold close() open."""
    transport = Blocking(FakePushover())
    handler = PushoverHandler(
        APP_TOKEN, USER_KEY, transport=transport, timeout=0.2, clock=lambda: 1.78e9
    )
    logger.addHandler(handler)
    logger.error("stuck")
    assert transport.entered.wait(30)
    try:
        logger.removeHandler(handler)
        handler.close()  # returns: the deadline is on the monotonic clock
    finally:
        transport.release.set()
    assert "1 record not sent to Pushover within the 0.2 s" in capsys.readouterr().err
