"""PushoverHandler: records become notifications; failures never reach the app."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import Priority, ValidationError
from chump_typed.logging import (
    DEFAULT_PRIORITIES,
    TRUNCATION_MARKER,
    PushoverHandler,
    _sendable,  # pyright: ignore[reportPrivateUsage]
)
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
    Fault,
    Slow,
    serve,
)
from tests.strategies import C0_BUT_LINES


class RecordingHandler(PushoverHandler):
    """Keeps what handleError was given instead of printing it."""

    failures: list[BaseException | None]

    def handleError(self, record: logging.LogRecord) -> None:
        import sys

        self.failures.append(sys.exc_info()[1])


def _handler(fake: FakePushover, **kwargs: object) -> RecordingHandler:
    handler = RecordingHandler(
        APP_TOKEN,
        USER_KEY,
        transport=FakeTransport(fake),
        **{"background": False, **kwargs},  # type: ignore[arg-type]  # the signature's
    )
    handler.failures = []
    return handler


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("tests.app")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    log.propagate = True
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.ERROR, Priority.NORMAL),
        (logging.CRITICAL, Priority.HIGH),
        (logging.WARNING, Priority.LOW),
        (logging.INFO, Priority.LOW),
        (logging.DEBUG, Priority.LOWEST),
    ],
)
def test_a_record_becomes_a_notification(
    logger: logging.Logger, level: int, priority: Priority
) -> None:
    fake = FakePushover()
    logger.addHandler(_handler(fake, level=logging.DEBUG))
    logger.log(level, "disk %s is full", "/var")
    [sent] = fake.messages
    assert sent.message == "disk /var is full"
    assert sent.params["title"] == "tests.app"
    assert sent.priority == priority
    assert sent.recipients == (USER_KEY,)


def test_records_below_the_level_are_not_sent(logger: logging.Logger) -> None:
    fake = FakePushover()
    logger.addHandler(_handler(fake))
    logger.warning("just a warning")
    logger.error("an error")
    assert [m.message for m in fake.messages] == ["an error"]


def test_the_traceback_is_part_of_the_message(logger: logging.Logger) -> None:
    fake = FakePushover()
    logger.addHandler(_handler(fake))
    try:
        int("one")
    except ValueError:
        logger.exception("sums failed")
    [sent] = fake.messages
    assert sent.message.startswith("sums failed\nTraceback (most recent call last):")
    assert "ValueError: invalid literal" in sent.message


@given(st.text(min_size=1, max_size=3000))
def test_messages_are_cut_to_the_limit_with_a_marker(text: str) -> None:
    fake = FakePushover()
    handler = _handler(fake)
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "%s", (text,), None)
    handler.handle(record)
    [sent] = fake.messages
    assert handler.failures == []
    text = _sendable(text)  # what Pushover refuses is replaced, never refused
    if len(text) <= 1024:
        assert sent.message == text
    else:
        assert len(sent.message) == 1024
        assert sent.message == text[: 1024 - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


@given(text=st.text(st.sampled_from(["a", "\t", "\n", "\x00", "\x1b", "\ud800"])))
def test_control_characters_and_surrogates_are_replaced_not_refused(text: str) -> None:
    fake = FakePushover()
    handler = _handler(fake)
    handler.handle(
        logging.LogRecord("a\tb\x00", logging.ERROR, __file__, 1, text, (), None)
    )

    assert handler.failures == []
    [sent] = fake.messages
    assert sent.params["title"] == "a b\ufffd"
    assert not set(sent.message) & set(C0_BUT_LINES + "\ud800")


def test_custom_priorities_and_emergency_refused() -> None:
    fake = FakePushover()
    handler = _handler(fake, priorities={logging.WARNING: Priority.HIGH})
    assert handler.priority_for(logging.ERROR) == Priority.HIGH
    assert handler.priority_for(logging.INFO) == Priority.LOWEST
    with pytest.raises(ValueError, match="EMERGENCY"):
        _handler(fake, priorities={**DEFAULT_PRIORITIES, 60: Priority.EMERGENCY})
    with pytest.raises(ValueError, match="timeout"):
        _handler(fake, timeout=0)


def test_bad_credentials_are_refused_up_front() -> None:
    with pytest.raises(ValidationError, match="user_key"):
        PushoverHandler(APP_TOKEN, "nope")
    with pytest.raises(ValidationError, match="token"):
        PushoverHandler("nope", USER_KEY)


def test_close_closes_the_transport() -> None:
    transport = FakeTransport()
    handler = PushoverHandler(APP_TOKEN, USER_KEY, transport=transport)
    handler.close()
    assert transport.closed


def test_a_rejection_goes_to_handle_error_not_the_app(logger: logging.Logger) -> None:
    fake = FakePushover(users={})  # the user key is unknown: Pushover says no
    handler = _handler(fake)
    logger.addHandler(handler)
    logger.error("lost")
    [failure] = handler.failures
    assert type(failure).__name__ == "APIError"


def test_handle_error_output_never_shows_secrets(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakePushover(users={})
    logger.addHandler(
        PushoverHandler(
            APP_TOKEN, USER_KEY, transport=FakeTransport(fake), background=False
        )
    )
    logger.error("lost")
    err = capsys.readouterr().err
    # One short line, not logging's 60-line "--- Logging error ---" traceback.
    assert err.count("\n") == 1
    assert err.startswith("chump_typed.logging: a record from 'tests.app' was not sent")
    assert "user identifier is not a valid user" in err
    assert "Traceback" not in err
    assert APP_TOKEN not in err
    assert USER_KEY not in err


# -- over loopback HTTP ----------------------------------------------------------------


def test_an_outage_is_survived_and_sending_resumes(logger: logging.Logger) -> None:
    outage = [Fault.RESET_BEFORE_READ, Fault.SERVER_ERROR_HTML, Fault.UNAVAILABLE_JSON]
    fake = FakePushover(faults=outage)
    with serve(fake) as base_url:
        handler = RecordingHandler(
            APP_TOKEN, USER_KEY, base_url=base_url, timeout=5, background=False
        )
        handler.failures = []
        logger.addHandler(handler)
        carried_on: list[int] = []
        for n in range(4):
            logger.error("failure %d", n)
            carried_on.append(n)
    assert carried_on == [0, 1, 2, 3]
    assert [type(f).__name__ for f in handler.failures] == [
        "TransportError",
        "UnexpectedResponseError",
        "UnexpectedResponseError",
    ]
    assert [m.message for m in fake.messages] == ["failure 3"]
    # One request read per record, no retries (the reset one was never read).
    assert len(fake.requests) == 3


def test_a_stopped_server_is_survived(logger: logging.Logger) -> None:
    with serve() as base_url:
        pass
    handler = RecordingHandler(
        APP_TOKEN, USER_KEY, base_url=base_url, timeout=5, background=False
    )
    handler.failures = []
    logger.addHandler(handler)
    logger.critical("nobody is listening")
    [failure] = handler.failures
    assert "could not connect" in str(failure)


def test_a_slow_server_is_abandoned_after_the_timeout(logger: logging.Logger) -> None:
    fake = FakePushover(faults=[Slow(30.0)])
    with serve(fake) as base_url:
        handler = RecordingHandler(
            APP_TOKEN, USER_KEY, base_url=base_url, timeout=0.2, background=False
        )
        handler.failures = []
        logger.addHandler(handler)
        logger.error("slow")
        # The 30 s answer was not waited for: the call's deadline cut it off.
        [failure] = handler.failures
        assert type(failure).__name__ == "TransportError"
        assert "within the 0.2 s deadline" in str(failure)


def test_its_own_logging_does_not_recurse() -> None:
    """Attached to the root logger at DEBUG, the handler sees chump_typed's and
    urllib3's debug records logged while it sends; it must drop them."""
    root = logging.getLogger()
    fake = FakePushover()
    with serve(fake) as base_url:
        handler = RecordingHandler(
            APP_TOKEN, USER_KEY, logging.DEBUG, base_url=base_url, background=False
        )
        handler.failures = []
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            logging.getLogger("tests.root").error("once")
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
            handler.close()
    assert handler.failures == []
    assert [m.message for m in fake.messages] == ["once"]
