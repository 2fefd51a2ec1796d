"""Secrets stay secret: over random tokens and user keys, on success and on every error
path, neither appears in a repr, a str, exception text (causes included),
``APIError.request``/``.url``/``.response``, a log record (DEBUG on) or a warning.
"""

from __future__ import annotations

import logging
import socket
import traceback
import warnings
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chump_typed import (
    EMERGENCY,
    AnyNotification,
    APIError,
    Application,
    Client,
    PushoverError,
    QuotaExceededError,
    RetryPolicy,
    TransportError,
    UnexpectedResponseError,
    Urllib3Transport,
    ValidateUserRequest,
    ValidationError,
    _urllib3,
    notification_for,
)
from chump_typed.testing import FakePushover, FakeTransport, Fault, serve
from tests import figures
from tests import strategies as s

#: A token, a registered user key and an unregistered key, all different.
secrets = st.tuples(s.keys, s.keys, s.keys).filter(lambda t: len(set(t)) == 3)

FUNCTION_SCOPED: Final = settings(
    max_examples=min(40, settings().max_examples),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)

#: Every class of outcome a call can have; each test must see all of them.
OUTCOMES: Final = (
    "result",
    APIError.__name__,
    QuotaExceededError.__name__,
    TransportError.__name__,
    UnexpectedResponseError.__name__,
    ValidationError.__name__,
)


def texts_of(thing: object) -> list[str]:
    """Everything a program could print about *thing*."""
    texts = [repr(thing), str(thing)]
    if isinstance(thing, BaseException):
        texts.append("".join(traceback.format_exception(thing)))
        texts += [repr(arg) for arg in thing.args]
    if isinstance(thing, APIError):
        texts += [thing.url, repr(thing.request), repr(thing.response)]
    if isinstance(thing, UnexpectedResponseError):
        texts.append(thing.body.decode("latin-1"))
    return texts


class Witness:
    """Runs calls, keeps what they returned or raised, and checks none shows a secret."""

    def __init__(self, caplog: pytest.LogCaptureFixture, *hidden: str) -> None:
        self.caplog = caplog
        self.hidden = hidden
        self.seen: set[str] = set()
        self.texts: list[str] = []

    def run(self, call: Callable[[], object]) -> object:
        try:
            result = call()
        except PushoverError as error:
            self.seen.add(
                QuotaExceededError.__name__
                if isinstance(error, QuotaExceededError)
                else next(
                    c.__name__ for c in type(error).__mro__ if c.__name__ in OUTCOMES
                )
            )
            self.texts += texts_of(error)
            return error
        self.seen.add("result")
        self.texts += texts_of(result)
        return result

    def look_at(self, *things: object) -> None:
        for thing in things:
            self.texts += texts_of(thing)

    def check(self) -> None:
        self.texts.append(self.caplog.text)
        self.texts += [r.getMessage() for r in self.caplog.records]
        figures.add("secrets: texts checked", len(self.texts))
        for text in self.texts:
            for secret in self.hidden:
                assert secret not in text


@contextmanager
def watched(
    caplog: pytest.LogCaptureFixture, *hidden: str
) -> Generator[Witness, None, None]:
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    witness = Witness(caplog, *hidden)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield witness
    witness.texts += [str(w.message) for w in caught]
    witness.check()


def notify(user: str, message: str = "hi", **fields: Any) -> AnyNotification:
    return notification_for(user=user, message=message, **fields)


@FUNCTION_SCOPED
@given(keys=secrets)
def test_typed_client_in_memory(
    caplog: pytest.LogCaptureFixture, keys: tuple[str, str, str]
) -> None:
    token, user, stranger = keys
    fake = FakePushover(app_tokens=[token], users={user: ["phone"]})
    client = Client(token, transport=FakeTransport(fake))
    with watched(caplog, token, user, stranger) as w:
        w.look_at(
            client, client.transport, notify(user), ValidateUserRequest(user=user)
        )
        sent = w.run(
            lambda: client.send(notify(user, priority=EMERGENCY, retry=30, expire=60))
        )
        receipt = getattr(sent, "receipt", None)
        assert isinstance(receipt, str)
        w.run(lambda: client.receipt(receipt))
        w.run(lambda: client.cancel(receipt))
        w.run(client.sounds)
        w.run(client.limits)
        w.run(lambda: client.validate_user(user))
        w.run(lambda: client.validate_user(stranger))  # APIError
        w.run(lambda: Client(stranger, transport=FakeTransport(fake)).sounds())
        for fault in Fault:
            fake.inject(fault)
            w.run(lambda: client.send(notify(f"{user},{stranger}")))
        w.run(lambda: notify(user, message=""))
        w.run(lambda: notify(f"{user},{stranger}x"))
        w.run(lambda: Client(token[:-1] + "!"))
        w.run(lambda: ValidateUserRequest(user=user + "0"))
        w.run(lambda: notify(user, priority=EMERGENCY, retry=1, expire=60))
    assert set(OUTCOMES) == w.seen
    figures.add("secrets: key sets tried")


@FUNCTION_SCOPED
@given(keys=secrets)
def test_facade_in_memory(
    caplog: pytest.LogCaptureFixture, keys: tuple[str, str, str]
) -> None:
    token, user, stranger = keys
    fake = FakePushover(app_tokens=[token], users={user: ["phone"]})
    app = Application(token, transport=FakeTransport(fake))
    with watched(caplog, token, user, stranger) as w:
        known, unknown = app.get_user(user), app.get_user(stranger)
        w.look_at(app, known, unknown, app.sounds, known.devices, unknown.devices)
        message = known.send_message("hi", users=[stranger])
        alarm = known.send_message("fire", priority=EMERGENCY, retry=30, expire=60)
        w.look_at(message, message.error, alarm, alarm.poll(), alarm.cancel())
        fake.inject(Fault.QUOTA_EXCEEDED)
        w.look_at(known.send_message("late"), app.limit, app.reset)
        w.run(lambda: known.create_message("x" * 1025))
        w.run(lambda: app.get_user(stranger + "!"))
        w.run(lambda: Application(token + "!"))
        bad = Application(stranger, transport=FakeTransport(fake))
        w.look_at(
            bad, bad.is_authenticated, bad.get_user(user).send_message("no").error
        )
    assert message.error is not None
    figures.add("secrets: key sets tried")


@settings(FUNCTION_SCOPED, max_examples=min(15, FUNCTION_SCOPED.max_examples))
@given(keys=secrets)
def test_real_transport_on_every_error_path(
    caplog: pytest.LogCaptureFixture, keys: tuple[str, str, str]
) -> None:
    """Over loopback HTTP, where urllib3's own exceptions and log records name the
    full request target (a GET carries the token in its query)."""
    token, user, stranger = keys
    fake = FakePushover(app_tokens=[token], users={user: ["phone"]})
    with watched(caplog, token, user, stranger) as w, serve(fake) as url:
        transport = Urllib3Transport(
            retries=RetryPolicy(backoff_floor=0, backoff_factor=0)
        )
        client = Client(token, base_url=url, transport=transport)
        w.run(client.sounds)
        w.run(lambda: client.send(notify(user)))
        w.run(lambda: client.validate_user(stranger))
        resets = [Fault.RESET_AFTER_READ, Fault.TRUNCATED_BODY, Fault.RESET_AFTER_READ]
        for script in (resets, [Fault.UNAVAILABLE_JSON] * 3, [Fault.QUOTA_EXCEEDED]):
            fake.inject(*script)
            w.run(client.limits)  # GET: the token is in the query
        for fault in Fault:
            fake.inject(fault)
            w.run(lambda: client.send(notify(user)))
        w.run(lambda: Client(token, base_url=url + "?token=" + token))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        closed = Client(
            token, base_url=f"http://127.0.0.1:{port}/1/", transport=transport
        )
        w.run(closed.sounds)
        client.close()
    assert set(OUTCOMES) == w.seen
    figures.add("secrets: key sets tried")


@pytest.mark.parametrize("name", _urllib3._URLLIB3_LOGGERS)  # pyright: ignore[reportPrivateUsage]
def test_urllib3_records_are_redacted(
    caplog: pytest.LogCaptureFixture, name: str
) -> None:
    token = "aZ" * 15
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger(name)

    logger.warning(
        "Failed to parse headers (url=%s): %s", f"/1/x.json?token={token}", 1
    )
    logger.debug(
        "Starting new HTTPS connection (%d): %s:%s", 1, "api.pushover.net", 443
    )

    leaky, plain = caplog.records
    assert token not in caplog.text
    assert (
        leaky.getMessage()
        == "Failed to parse headers (url=/1/x.json?token=<redacted>): 1"
    )
    assert plain.args == (1, "api.pushover.net", 443)  # untouched without a secret
