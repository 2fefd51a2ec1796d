"""A 429 closes the handler until the reset Pushover gave: nothing is sent, no request
is made, one line on standard error when it closes and one when it reopens.

Over loopback: the shipped fake, and a server of the test's own that answers 429 with a
reset days away and counts the requests. The clock is injected (``background=False``):
ten days pass in no time.
"""

from __future__ import annotations

import calendar
import contextlib
import http.server
import json
import logging
import threading
import time
from collections.abc import Generator, Iterator

import pytest

from chump_typed.budget import DAY, MemoryBudget
from chump_typed.logging import MIN_CLOSURE, SUMMARY_TITLE, PushoverHandler
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


class QuotaServer:
    """``POST /1/messages.json`` over loopback: 429 (with the limit headers for
    *reset*, or none) from the *refuse_from*-th request on while *refusing*, else
    accepted. Counts every request and keeps what was accepted."""

    def __init__(self, *, reset: int | None, refuse_from: int = 1) -> None:
        self.reset = reset
        self.refuse_from = refuse_from
        self.refusing = True
        self.requests = 0
        self.accepted: list[dict[str, str]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                from urllib.parse import parse_qsl

                length = int(self.headers.get("content-length", "0"))
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                status, body, headers = server.answer(form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/1/"

    def answer(
        self, form: dict[str, str]
    ) -> tuple[int, dict[str, object], dict[str, str]]:
        with self._lock:
            self.requests += 1
            refused = self.refusing and self.requests >= self.refuse_from
            if not refused:
                self.accepted.append(form)
        reply: dict[str, object] = {"status": 1, "request": f"r{self.requests}"}
        headers: dict[str, str] = {}
        if self.reset is not None:
            headers = {
                "x-limit-app-limit": "10000",
                "x-limit-app-remaining": "0" if refused else "5000",
                "x-limit-app-reset": str(self.reset),
            }
        if refused:
            reply = {
                "status": 0,
                "errors": ["application has exceeded its monthly message limit"],
                "request": f"r{self.requests}",
            }
            return 429, reply, headers
        return 200, reply, headers


@contextlib.contextmanager
def quota_server(
    *, reset: int | None, refuse_from: int = 1
) -> Generator[QuotaServer, None, None]:
    """A :class:`QuotaServer`, serving while the block runs."""
    server = QuotaServer(reset=reset, refuse_from=refuse_from)
    thread = threading.Thread(target=server.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.http.shutdown()
        server.http.server_close()
        thread.join(30)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("tests.quota")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    log.propagate = True


def attach(
    logger: logging.Logger, url: str, clock: Clock, **kwargs: object
) -> PushoverHandler:
    handler = PushoverHandler(
        APP_TOKEN,
        USER_KEY,
        base_url=url,
        background=False,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]  # the signature's
    )
    logger.addHandler(handler)
    return handler


def test_a_429_with_a_reset_days_away_closes_the_handler_until_then(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    reset = int(clock.now + 10 * DAY)
    with quota_server(reset=reset) as server:
        attach(logger, server.url, clock, budget=MemoryBudget(clock=clock))
        logger.error("first")  # answered 429
        for n in range(100):  # ten days of errors: not one more request
            logger.error("failure %d", n)
            clock.now += 0.0999 * DAY
        assert server.requests == 1
        assert capsys.readouterr().err == (
            "chump_typed.logging: Pushover's quota is spent (HTTP 429): nothing is "
            f"sent until {utc(reset)}\n"
        )

        server.refusing = False
        clock.now = reset
        logger.error("back")

    assert capsys.readouterr().err == (
        f"chump_typed.logging: sending again: the quota was to reset at {utc(reset)}\n"
    )
    assert server.requests == 3
    summary, back = server.accepted
    assert summary["title"] == SUMMARY_TITLE
    assert summary["message"] == (
        "101 records held back: Pushover's quota was spent (sending closed until "
        f"{utc(reset)})"
    )
    assert back["message"] == "back"


def test_an_answer_with_no_quota_left_closes_it_before_any_429(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shipped fake with a quota of 2: the second answer says none remains
    (X-Limit-App-Remaining: 0), so the third record is never posted."""
    clock = Clock()
    reset = int(clock.now + 5 * DAY)
    fake = FakePushover(limit=2, reset=reset, clock=clock)
    with serve(fake) as url:
        attach(logger, url, clock)
        for n in range(5):
            logger.error("failure %d", n)

    assert [m.message for m in fake.messages] == ["failure 0", "failure 1"]
    assert len(fake.requests) == 2  # no 4xx at all
    assert capsys.readouterr().err == (
        "chump_typed.logging: Pushover's quota is spent (X-Limit-App-Remaining: 0): "
        f"nothing is sent until {utc(reset)}\n"
    )


def test_a_429_without_a_reset_closes_it_until_pushovers_next_month(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock(calendar.timegm((2026, 12, 20, 12, 0, 0)))
    with quota_server(reset=None) as server:
        attach(logger, server.url, clock)
        logger.error("first")
        clock.now = calendar.timegm((2027, 1, 1, 5, 59, 59))  # still December in Texas
        logger.error("second")
        assert server.requests == 1
    # Pushover's month turns at midnight US Central time: 06:00 UTC at the latest.
    assert "nothing is sent until 2027-01-01 06:00:00 UTC" in capsys.readouterr().err


def test_a_reset_that_has_passed_by_our_clock_closes_it_for_an_hour(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    with quota_server(reset=int(clock.now - 60)) as server:  # clocks differ
        attach(logger, server.url, clock)
        logger.error("first")
        clock.now += MIN_CLOSURE - 1
        logger.error("second")
        assert server.requests == 1
        clock.now += 1
        logger.error("third")  # one more try an hour later: at most one 4xx an hour
        assert server.requests == 2
    assert MIN_CLOSURE == 3600
    assert f"until {utc(1_780_000_000 + 3600)}" in capsys.readouterr().err


def test_a_summary_refused_by_a_429_is_carried_into_the_next(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    reset = int(clock.now + DAY)
    with quota_server(reset=reset, refuse_from=11) as server:
        attach(logger, server.url, clock)
        for n in range(12):
            logger.error("failure %d", n)  # ten sent; two over the rate limit
        clock.now += 60
        logger.error("the summary goes first, and is refused")
        assert server.requests == 11
        server.refusing = False
        clock.now = reset
        logger.error("back")
    summary = server.accepted[10]
    assert summary["title"] == SUMMARY_TITLE
    assert summary["message"] == (
        "2 other records not sent one by one (at most 10 notifications per 60 s)\n"
        "1 record held back: Pushover's quota was spent (sending closed until "
        f"{utc(reset)})"
    )
    assert server.accepted[11]["message"] == "back"
    assert capsys.readouterr().err.count("\n") == 2  # closed, reopened


def test_handlers_sharing_a_budget_close_together(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    reset = int(clock.now + DAY)
    shared = MemoryBudget(per_hour=20, per_day=100, clock=clock)
    other = logging.getLogger("tests.quota.other")
    other.propagate = False
    with quota_server(reset=reset) as server:
        attach(logger, server.url, clock, budget=shared)
        second = PushoverHandler(
            APP_TOKEN,
            USER_KEY,
            base_url=server.url,
            background=False,
            clock=clock,
            budget=shared,
        )
        other.addHandler(second)
        try:
            logger.error("refused")
            other.error("not even tried")
        finally:
            other.removeHandler(second)
            second.close()
    assert server.requests == 1
    err = capsys.readouterr().err
    assert f"the budget is closed: nothing is sent until {utc(reset)}" in err


def test_a_closed_handler_says_at_close_what_it_could_not_report(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    reset = int(clock.now + DAY)
    with quota_server(reset=reset) as server:
        handler = attach(logger, server.url, clock)
        for n in range(3):
            logger.error("failure %d", n)
        logger.removeHandler(handler)
        handler.close()
    assert server.requests == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "chump_typed.logging: 3 records left out of the last summary: sending is "
        f"closed until {utc(reset)} (a 429)"
    )


def test_a_reset_minutes_away_is_kept(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    reset = int(clock.now + 600)
    with quota_server(reset=reset) as server:
        attach(logger, server.url, clock)
        logger.error("first")
        server.refusing = False
        clock.now = reset
        logger.error("second")
        assert server.requests == 3  # the refused one, its summary, the second
    assert [form["message"] for form in server.accepted][1:] == ["second"]
    assert f"until {utc(reset)}" in capsys.readouterr().err


class Speaking(PushoverHandler):
    """Sets :attr:`reopened` when it says it sends again."""

    reopened: threading.Event

    def _say(self, text: str | None) -> None:
        super()._say(text)
        if text is not None and text.startswith("sending again"):
            self.reopened.set()


def test_the_thread_reopens_at_the_reset_without_a_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In the background the thread looks at least once a window: the reopening
    line comes at the reset by the handler's clock, with no record to prompt it."""
    clock = Clock()
    reset = int(clock.now + DAY)
    log = logging.getLogger("tests.quota.thread")
    log.propagate = False
    with quota_server(reset=reset) as server:
        handler = Speaking(
            APP_TOKEN, USER_KEY, base_url=server.url, clock=clock, window=0.05
        )
        handler.reopened = threading.Event()
        log.addHandler(handler)
        try:
            log.error("refused")
            handler.flush()
            assert server.requests == 1
            clock.now = reset
            assert handler.reopened.wait(30)
        finally:
            log.removeHandler(handler)
            handler.close()
    err = capsys.readouterr().err
    assert f"sending again: the quota was to reset at {utc(reset)}" in err
