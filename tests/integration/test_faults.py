"""Every fault of the fake, through each real transport (tests/wires.py), on loopback
HTTP.

For each scenario: the outcome class (delivered, or which typed error), how many
requests the fake read (what was retried), and from ``fake.messages`` that the message
was delivered at most once, and exactly once whenever the call returned success.
Retries never sleep here: the transport gets a zero backoff floor and factor, or a
``sleep`` that records the wait instead.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import (
    APIError,
    Client,
    Notification,
    PushoverError,
    QuotaExceededError,
    RetryPolicy,
    TransportError,
    UnexpectedResponseError,
)
from chump_typed.testing import (
    USER_KEY,
    FakePushover,
    Fault,
    Slow,
    serve,
)
from tests import figures
from tests.wires import Wire

pytestmark = pytest.mark.integration

FaultStep = Fault | Slow | None

RESET_AT: Final = 1_900_000_000
#: Far beyond the short read timeout; the server is woken early when serve() ends.
SLOW: Final = Slow(seconds=30.0)
#: Connect and read timeouts of the slow scenarios, in seconds.
SHORT_READ: Final = 1.0

OK: Final = "delivered"
SENT: Final = "TransportError(may have been sent)"
NOT_SENT: Final = "TransportError(not sent)"
UNEXPECTED: Final = "UnexpectedResponseError"
QUOTA: Final = "QuotaExceededError"
REJECTED: Final = "APIError"


def label(error: BaseException | None) -> str:
    """The outcome class of a call."""
    if error is None:
        return OK
    if isinstance(error, TransportError):
        return SENT if error.may_have_been_sent else NOT_SENT
    if isinstance(error, QuotaExceededError):
        return QUOTA
    if isinstance(error, APIError):
        return REJECTED
    if isinstance(error, UnexpectedResponseError):
        return UNEXPECTED
    raise AssertionError(f"not a typed outcome: {error!r}")


def attempt(call: Callable[[], object]) -> PushoverError | None:
    try:
        call()
    except PushoverError as error:
        return error
    return None


def send(client: Client, text: str) -> PushoverError | None:
    return attempt(lambda: client.send(Notification(user=USER_KEY, message=text)))


def fault_knobs(*, slow: bool = False) -> dict[str, Any]:
    """Retries without waiting; a short read timeout for the slow scenarios."""
    return {
        "retries": RetryPolicy(backoff_floor=0, backoff_factor=0),
        "timeout": SHORT_READ if slow else 30.0,
    }


def check_delivery(fake: FakePushover, succeeded: dict[str, bool]) -> None:
    """At most once for every message; exactly once for every success."""
    counts = Counter(m.message for m in fake.messages)
    duplicates = sum(1 for text in succeeded if counts[text] > 1)
    losses = sum(1 for text, ok in succeeded.items() if ok and counts[text] != 1)
    figures.add("faults: messages sent", len(succeeded))
    figures.add("faults: duplicates", duplicates)
    figures.add("faults: losses", losses)
    assert duplicates == 0, counts
    assert losses == 0, counts


#: POST messages.json: (script, outcome, times delivered, requests the fake read).
POST_SCENARIOS: Final[dict[str, tuple[list[FaultStep], str, int, int]]] = {
    "reset before read": ([Fault.RESET_BEFORE_READ], SENT, 0, 0),
    "reset after read": ([Fault.RESET_AFTER_READ], SENT, 1, 1),
    "500 html, then ok": ([Fault.SERVER_ERROR_HTML], OK, 1, 2),
    "502 empty, then ok": ([Fault.BAD_GATEWAY_EMPTY], OK, 1, 2),
    "503 json, then ok": ([Fault.UNAVAILABLE_JSON], OK, 1, 2),
    "503 and 500, then ok": (
        [Fault.UNAVAILABLE_JSON, Fault.SERVER_ERROR_HTML],
        OK,
        1,
        3,
    ),
    "5xx three times": (
        [Fault.SERVER_ERROR_HTML, Fault.BAD_GATEWAY_EMPTY, Fault.UNAVAILABLE_JSON],
        UNEXPECTED,
        0,
        3,
    ),
    "malformed json": ([Fault.MALFORMED_JSON], UNEXPECTED, 1, 1),
    "truncated body": ([Fault.TRUNCATED_BODY], SENT, 1, 1),
    "429 quota": ([Fault.QUOTA_EXCEEDED], QUOTA, 0, 1),
    "400 bad request": ([Fault.BAD_REQUEST], REJECTED, 0, 1),
    "slower than the read timeout": ([SLOW], SENT, 1, 1),
}

#: GET sounds.json: (script, outcome, requests the fake read).
GET_SCENARIOS: Final[dict[str, tuple[list[FaultStep], str, int]]] = {
    "reset before read": ([Fault.RESET_BEFORE_READ], OK, 1),
    "reset after read": ([Fault.RESET_AFTER_READ], OK, 2),
    "500 html": ([Fault.SERVER_ERROR_HTML], OK, 2),
    "502 empty": ([Fault.BAD_GATEWAY_EMPTY], OK, 2),
    "503 json": ([Fault.UNAVAILABLE_JSON], OK, 2),
    "malformed json": ([Fault.MALFORMED_JSON], UNEXPECTED, 1),
    "truncated body": ([Fault.TRUNCATED_BODY], OK, 2),
    "read failures run out": (
        [Fault.RESET_AFTER_READ, Fault.TRUNCATED_BODY, Fault.RESET_AFTER_READ],
        SENT,
        3,
    ),
    "429 quota": ([Fault.QUOTA_EXCEEDED], QUOTA, 1),
    "400 bad request": ([Fault.BAD_REQUEST], REJECTED, 1),
    "slower than the read timeout": ([SLOW], OK, 2),
}


def test_every_fault_is_covered() -> None:
    scripted = {
        step
        for table in (POST_SCENARIOS, GET_SCENARIOS)
        for script, *_ in table.values()
        for step in script
    }
    assert set(Fault) <= scripted
    assert any(isinstance(step, Slow) for step in scripted)


@pytest.mark.parametrize("name", POST_SCENARIOS)
def test_send_through_a_fault(wire: Wire, name: str) -> None:
    script, outcome, delivered, requests = POST_SCENARIOS[name]
    fake = FakePushover(faults=script, reset=RESET_AT)
    slow = any(isinstance(step, Slow) for step in script)
    with serve(fake) as url, wire.client(url, **fault_knobs(slow=slow)) as client:
        error = send(client, name)
        after = send(client, "ok")  # the client works again at once, same pool

    figures.add("faults: scenarios")
    assert outcome == label(error), repr(error)
    assert after is None
    assert requests + 1 == len(fake.requests)
    assert delivered == [m.message for m in fake.messages].count(name)
    check_delivery(fake, {name: error is None, "ok": True})
    if isinstance(error, TransportError):
        # The library's exception is named, not chained: its frames hold the body.
        assert error.__cause__ is None
        assert error.reason_type is not None
    if isinstance(error, QuotaExceededError):
        assert dt.datetime.fromtimestamp(RESET_AT, dt.timezone.utc) == error.reset_at
    if isinstance(error, APIError):
        assert error.http_status in (400, 429)
    if name == "400 bad request":
        assert isinstance(error, APIError)
        assert {"user", "message"} <= set(error.bad_inputs)


@pytest.mark.parametrize("name", GET_SCENARIOS)
def test_get_through_a_fault(wire: Wire, name: str) -> None:
    script, outcome, requests = GET_SCENARIOS[name]
    fake = FakePushover(faults=script)
    slow = any(isinstance(step, Slow) for step in script)
    with serve(fake) as url, wire.client(url, **fault_knobs(slow=slow)) as client:
        error = attempt(client.sounds)

    figures.add("faults: scenarios")
    assert outcome == label(error), repr(error)
    assert requests == len(fake.requests)
    assert all(r.path == "/1/sounds.json" for r in fake.requests)


def test_connection_refused_is_retried_then_not_sent(wire: Wire) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port now; the default policy waits 5, 10, 20 s (recorded).
    waits: list[float] = []
    with wire.client(f"http://127.0.0.1:{port}/1/", sleep=waits.append) as client:
        error = send(client, "x")

    figures.add("faults: scenarios")
    assert label(error) == NOT_SENT
    assert isinstance(error, TransportError)
    assert error.reason_type is not None
    assert error.__cause__ is None
    assert waits == [5.0, 10.0, 20.0]


def test_a_connect_that_times_out_is_not_sent(wire: Wire) -> None:
    """A server whose accept queue is full drops new connections' SYNs (Linux), so a
    connect waits: the connect timeout ends it, and nothing was sent."""
    with socket.socket() as full:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        port = full.getsockname()[1]
        queued: list[socket.socket] = []
        try:
            for _ in range(4):  # more than the queue takes: the rest wait
                waiting = socket.socket()
                queued.append(waiting)
                waiting.setblocking(False)
                waiting.connect_ex(("127.0.0.1", port))
            waits: list[float] = []
            url = f"http://127.0.0.1:{port}/1/"
            with wire.client(url, sleep=waits.append, timeout=0.2) as client:
                error = send(client, "x")
        finally:
            for waiting in queued:
                waiting.close()

    figures.add("faults: scenarios")
    assert label(error) == NOT_SENT
    assert isinstance(error, TransportError)
    assert "timed out" in str(error)
    assert waits == [5.0, 10.0, 20.0]  # retried: a connect failure sent nothing


@pytest.fixture(scope="module")
def storm(wire: Wire) -> Iterator[tuple[FakePushover, Client]]:
    fake = FakePushover(limit=1_000_000)
    with serve(fake) as url, wire.client(url, **fault_knobs()) as client:
        yield fake, client


_STEPS: Final = st.sampled_from([*Fault, None, None, None])


@settings(max_examples=40)
@given(script=st.lists(_STEPS, max_size=12), messages=st.integers(1, 8))
def test_random_fault_storms_never_deliver_twice(
    storm: tuple[FakePushover, Client], script: list[FaultStep], messages: int
) -> None:
    """Any sequence of faults: every message at most once, successes exactly once,
    and a ``TransportError`` that says "not sent" is never delivered."""
    fake, client = storm
    fake.reset()
    fake.inject(*script)
    succeeded: dict[str, bool] = {}
    not_sent: list[str] = []
    for n in range(messages):
        text = f"storm {n}"
        error = send(client, text)
        label(error)  # only typed outcomes
        succeeded[text] = error is None
        if isinstance(error, TransportError) and not error.may_have_been_sent:
            not_sent.append(text)

    figures.add("faults: storm scripts")
    check_delivery(fake, succeeded)
    delivered = {m.message for m in fake.messages}
    assert not delivered & set(not_sent)
