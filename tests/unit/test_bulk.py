"""Client.send_many and Client.broadcast: ordered typed outcomes, at most two
connections, quota stop, nothing ever sent twice."""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typing_extensions import assert_type

from chump_typed import (
    APIError,
    Client,
    Failed,
    HTTPRequest,
    HTTPResponse,
    NotAttempted,
    Notification,
    QuotaExceededError,
    RetryPolicy,
    SendOutcome,
    SendProgress,
    SendResult,
    Sent,
    TransportError,
    Urllib3Transport,
    ValidationError,
    chunk_recipients,
)
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
    Fault,
    serve,
)

if TYPE_CHECKING:
    from chump_typed.errors import PushoverError

OTHER_KEY = "oTHERuSERkEY000000000000000000"

pytestmark = pytest.mark.fake_options(
    users={USER_KEY: ("phone",), OTHER_KEY: ("phone",)}
)
UNKNOWN_KEY = "nOBODYnOBODYnOBODYnOBODYnOBODY"


def keys(count: int) -> list[str]:
    return [f"k{i:029d}" for i in range(count)]


def notes(count: int, user: str = USER_KEY) -> list[Notification]:
    return [Notification(user=user, message=f"n{i}") for i in range(count)]


def fake_client(fake: FakePushover) -> Client:
    return Client(
        APP_TOKEN, base_url="http://127.0.0.1/1/", transport=FakeTransport(fake)
    )


# -- Ordering and per-item errors -------------------------------------------------------


@pytest.mark.parametrize("max_in_flight", [1, 2])
def test_outcomes_follow_the_input_order(
    fake: FakePushover, max_in_flight: int
) -> None:
    items = notes(12)

    outcomes = fake_client(fake).send_many(items, max_in_flight=max_in_flight)

    assert [o.notification for o in outcomes] == items
    assert all(isinstance(o, Sent) for o in outcomes)
    by_request = {m.request: m.params["message"] for m in fake.messages}
    assert [by_request[o.result.request] for o in outcomes if o.result] == [
        n.message for n in items
    ]


def test_a_rejected_item_fails_alone(fake: FakePushover) -> None:
    items = [*notes(2), Notification(user=UNKNOWN_KEY, message="x"), *notes(2)]

    outcomes = fake_client(fake).send_many(items)

    assert [type(o) for o in outcomes] == [Sent, Sent, Failed, Sent, Sent]
    assert isinstance(outcomes[2].error, APIError)
    assert "user" in outcomes[2].error.bad_inputs
    assert len(fake.messages) == 4


def test_an_empty_batch_sends_nothing(fake: FakePushover) -> None:
    assert fake_client(fake).send_many([]) == []
    assert fake.requests == ()


def test_an_item_that_is_not_a_notification_fails_alone(fake: FakePushover) -> None:
    """Each item is checked as it is read (a lazy input cannot be checked whole)."""
    bad: list[object] = [*notes(2), "not a notification", *notes(1)]

    outcomes = fake_client(fake).send_many(bad)  # type: ignore[arg-type]  # the misuse under test

    assert [type(o) for o in outcomes] == [Sent, Sent, Failed, Sent]
    error = outcomes[2].error
    assert isinstance(error, TypeError)
    assert "notifications[2]" in str(error) and "got a str" in str(error)
    given: object = outcomes[2].notification  # the item as given, typed or not
    assert given == "not a notification"
    assert len(fake.requests) == 3


# -- Quota: stop early, never send the rest --------------------------------------------


def test_quota_exhaustion_stops_the_run_serially() -> None:
    fake = FakePushover(limit=3)

    outcomes = fake_client(fake).send_many(notes(8), max_in_flight=1)

    assert [type(o) for o in outcomes] == [Sent] * 3 + [Failed] + [NotAttempted] * 4
    assert isinstance(outcomes[3].error, QuotaExceededError)
    assert len(fake.requests) == 4


def test_quota_exhaustion_stops_the_run_with_two_in_flight() -> None:
    fake = FakePushover(limit=5)
    items = notes(40)

    outcomes = fake_client(fake).send_many(items)

    kinds = [type(o) for o in outcomes]
    assert kinds.count(Sent) == 5
    assert 1 <= kinds.count(Failed) <= 2  # the one in flight may also hit the quota
    assert all(isinstance(o.error, QuotaExceededError) for o in outcomes if o.error)
    # Everything after the first refusal that was not already in flight is untouched,
    # and nothing not attempted reached the fake.
    assert kinds[-30:] == [NotAttempted] * 30
    assert len(fake.requests) == len(items) - kinds.count(NotAttempted)


def test_a_scripted_429_stops_the_run() -> None:
    fake = FakePushover(faults=[None, Fault.QUOTA_EXCEEDED])

    outcomes = fake_client(fake).send_many(notes(5), max_in_flight=1)

    assert [type(o) for o in outcomes] == [
        Sent,
        Failed,
        NotAttempted,
        NotAttempted,
        NotAttempted,
    ]
    assert len(fake.requests) == 2


# -- Over real HTTP: two connections, keep-alive, no resend ---------------------------


@pytest.fixture
def served() -> Iterator[tuple[FakePushover, Client]]:
    fake = FakePushover()
    with (
        serve(fake, delay=0.002) as base_url,
        Client(
            APP_TOKEN,
            base_url=base_url,
            transport=Urllib3Transport(retries=RetryPolicy(backoff_floor=0)),
        ) as client,
    ):
        yield fake, client


@pytest.mark.integration
def test_at_most_two_connections_kept_alive(
    served: tuple[FakePushover, Client],
) -> None:
    fake, client = served

    outcomes = client.send_many(notes(30))

    assert all(isinstance(o, Sent) for o in outcomes)
    assert len(fake.messages) == 30
    assert fake.peak_connections <= 2
    assert fake.connections_opened <= 2  # keep-alive: no reconnection per request


@pytest.mark.integration
def test_a_send_that_may_have_arrived_is_reported_not_resent(
    served: tuple[FakePushover, Client],
) -> None:
    fake, client = served
    fake.inject(None, Fault.RESET_AFTER_READ)

    outcomes = client.send_many(notes(6), max_in_flight=1)

    assert [type(o) for o in outcomes] == [Sent, Failed, Sent, Sent, Sent, Sent]
    error = outcomes[1].error
    assert isinstance(error, TransportError)
    assert error.may_have_been_sent
    assert len(fake.requests) == 6  # one request per notification, none repeated


# -- A crash in a sender is not swallowed ---------------------------------------------


class _Exploding:
    """A transport that raises something that is not a PushoverError.

    With one sender it raises on the third request. With two, the crash is put in a
    known order, without sleeping: the first request starts and waits; the second
    (the other sender's) raises; the first goes on only once that sender has ended
    (so the run has recorded the crash and stopped reading). Any request after that
    would be a notification claimed after the stop.
    """

    def __init__(self, senders: int) -> None:
        self.inner = FakeTransport()
        self.senders = senders
        self.calls = 0
        self.lock = threading.Lock()
        self.first_sending = threading.Event()
        self.crashed = threading.Event()
        self.crashed_in: threading.Thread | None = None

    def send(self, request: HTTPRequest) -> HTTPResponse:
        with self.lock:
            self.calls += 1
            calls = self.calls
        if self.senders == 1 and calls == 3:
            raise RuntimeError("bug in a transport")
        if self.senders == 2 and calls == 2:
            assert self.first_sending.wait(timeout=30), "the first never sent"
            self.crashed_in = threading.current_thread()
            self.crashed.set()
            raise RuntimeError("bug in a transport")
        if self.senders == 2 and calls == 1:
            self.first_sending.set()
            assert self.crashed.wait(timeout=30), "the other sender never sent"
            assert self.crashed_in is not None
            self.crashed_in.join(timeout=30)
            assert not self.crashed_in.is_alive()
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize(("max_in_flight", "calls"), [(1, 3), (2, 2)])
def test_an_unexpected_error_stops_the_run_and_is_raised(
    max_in_flight: int, calls: int
) -> None:
    """Nothing is sent after the crash is recorded: with one sender the third request
    is the last; with two, the request already in flight finishes and nothing
    follows."""
    transport = _Exploding(max_in_flight)
    client = Client(APP_TOKEN, base_url="http://127.0.0.1/1/", transport=transport)

    with pytest.raises(RuntimeError, match="bug in a transport"):
        client.send_many(notes(20), max_in_flight=max_in_flight)

    assert transport.calls == calls
    assert len(transport.inner.fake.messages) == calls - 1


# -- max_in_flight is Pushover's bound --------------------------------------------------


@given(st.integers(min_value=-5, max_value=10))
def test_max_in_flight_accepts_exactly_one_or_two(value: int) -> None:
    client = fake_client(FakePushover())
    if 1 <= value <= 2:
        assert len(client.send_many(notes(1), max_in_flight=value)) == 1
    else:
        with pytest.raises(ValidationError, match="max_in_flight"):
            client.send_many(notes(1), max_in_flight=value)


def test_max_in_flight_must_be_an_int(fake: FakePushover) -> None:
    with pytest.raises(TypeError, match="max_in_flight"):
        fake_client(fake).send_many(notes(1), max_in_flight=True)


# -- chunk_recipients and broadcast ------------------------------------------------------


def test_a_thousand_users_make_twenty_groups_of_fifty() -> None:
    groups = chunk_recipients(keys(1000))

    assert len(groups) == 20
    assert all(len(g.split(",")) == 50 for g in groups)


@given(
    st.lists(st.sampled_from(keys(200)), max_size=300),
    st.integers(min_value=1, max_value=50),
)
def test_chunks_keep_every_key_once_in_order(users: list[str], size: int) -> None:
    groups = chunk_recipients(users, size=size)

    unique = list(dict.fromkeys(users))
    assert [k for g in groups for k in g.split(",")] == unique
    assert all(1 <= len(g.split(",")) <= size for g in groups)
    assert len(groups) == -(-len(unique) // size)


@given(st.integers(min_value=-5, max_value=120))
def test_chunk_size_is_bounded_by_pushovers_fifty(size: int) -> None:
    if 1 <= size <= 50:
        assert chunk_recipients(keys(3), size=size)
    else:
        with pytest.raises(ValidationError, match="size"):
            chunk_recipients(keys(3), size=size)


def test_chunk_recipients_refuses_a_bare_string() -> None:
    with pytest.raises(TypeError, match="users"):
        chunk_recipients(USER_KEY)


def test_broadcast_sends_one_request_per_fifty_users() -> None:
    users = keys(120)
    fake = FakePushover(users=dict.fromkeys(users, ("phone",)))
    template = Notification(user=users[0], message="to all", title="News")

    outcomes = fake_client(fake).broadcast(template, users)

    assert len(outcomes) == 3 == len(fake.requests)
    assert all(isinstance(o, Sent) for o in outcomes)
    assert [o.notification.user for o in outcomes] == chunk_recipients(users)
    assert sorted(r for m in fake.messages for r in m.recipients) == sorted(users)
    assert {m.params["title"] for m in fake.messages} == {"News"}


def test_broadcast_checks_every_key_before_sending(fake: FakePushover) -> None:
    template = Notification(user=USER_KEY, message="x")

    with pytest.raises(ValidationError, match="user"):
        fake_client(fake).broadcast(template, [USER_KEY, "short"])

    assert fake.requests == ()


# -- Types ------------------------------------------------------------------------------


def test_outcome_types_are_precise(fake: FakePushover) -> None:
    outcomes = fake_client(fake).send_many(notes(1))
    assert_type(outcomes, list[SendOutcome])
    outcome = outcomes[0]
    assert_type(outcome.result, SendResult | None)
    error: PushoverError | TypeError | None = outcome.error
    assert error is None
    if isinstance(outcome, Sent):
        assert_type(outcome.result, SendResult)
        assert outcome.result.request
    else:
        pytest.fail("expected a Sent outcome")


# -- Outcomes are never lost ------------------------------------------------------------


def _unencodable(text: str = "\ud800") -> Notification:
    """A notification carrying text the models would refuse (set past them, as a
    value from elsewhere could be): it cannot be encoded."""
    notification = copy.copy(Notification(user=USER_KEY, message="placeholder"))
    object.__setattr__(notification, "message", text)
    return notification


@pytest.mark.parametrize("max_in_flight", [1, 2])
def test_a_bad_notification_in_the_middle_fails_alone(
    fake: FakePushover, max_in_flight: int
) -> None:
    items = [*notes(3), _unencodable(), *notes(1, user=OTHER_KEY)]

    outcomes = fake_client(fake).send_many(items, max_in_flight=max_in_flight)

    assert [type(o) for o in outcomes] == [Sent, Sent, Sent, Failed, Sent]
    assert [o.index for o in outcomes] == [0, 1, 2, 3, 4]
    error = outcomes[3].error
    assert isinstance(error, ValidationError) and error.field == "message"
    assert len(fake.messages) == 4  # the bad one never reached the fake


def test_every_outcome_carries_its_position(fake: FakePushover) -> None:
    fake.inject(None, Fault.QUOTA_EXCEEDED)

    outcomes = fake_client(fake).send_many(notes(5), max_in_flight=1)

    assert [(type(o), o.index) for o in outcomes] == [
        (Sent, 0),
        (Failed, 1),
        (NotAttempted, 2),
        (NotAttempted, 3),
        (NotAttempted, 4),
    ]


def test_an_unexpected_error_says_what_was_sent_before_it() -> None:
    transport = _Exploding(1)
    client = Client(APP_TOKEN, base_url="http://127.0.0.1/1/", transport=transport)

    with pytest.raises(RuntimeError) as caught:
        client.send_many(notes(20), max_in_flight=1)

    notes_text = "\n".join(getattr(caught.value, "__notes__", []))
    assert "after reading 3 notifications" in notes_text
    assert "2 sent [0-1], 1 cut off in flight" in notes_text
    progress = SendProgress.of(caught.value)
    assert progress is not None and progress.read == 3
    assert [type(o) for o in progress.outcomes] == [Sent, Sent, Failed]


# -- Repairing a broadcast ---------------------------------------------------------------

KNOWN: Final = keys(120)
UNKNOWN: Final = [f"u{i:029d}" for i in range(4)]


def repair_fake() -> FakePushover:
    return FakePushover(users=dict.fromkeys(KNOWN, ("phone",)))


def deliveries(fake: FakePushover) -> Counter[str]:
    return Counter(key for m in fake.messages for key in m.recipients)


def test_one_bad_key_sinks_its_batch_and_the_repair_reaches_the_rest() -> None:
    fake = repair_fake()
    client = fake_client(fake)
    users = [*KNOWN[:49], UNKNOWN[0], *KNOWN[49:60]]  # batch 0: 50 keys, batch 1: 10
    template = Notification(user=USER_KEY, message="maintenance")

    outcomes = client.broadcast(template, users)

    assert [type(o) for o in outcomes] == [Failed, Sent]
    assert outcomes[0].index == 0
    assert UNKNOWN[0] in outcomes[0].notification.user.split(",")

    repair = client.repair_broadcast(outcomes)

    assert repair.invalid == (UNKNOWN[0],)
    assert repair.unchecked == ()
    assert [type(o) for o in repair.resent] == [Sent]
    assert deliveries(fake) == Counter(KNOWN[:60])  # each valid key exactly once
    validations = [r for r in fake.requests if r.path.endswith("validate.json")]
    assert len(validations) == 50  # the rejected batch's keys only
    assert repair.known[UNKNOWN[0]] == "invalid"
    assert repair.known[KNOWN[0]] == "delivered"


def test_the_4xx_answers_of_a_repair_are_bounded() -> None:
    fake = repair_fake()
    client = fake_client(fake)
    users = [UNKNOWN[0], KNOWN[0], UNKNOWN[1], UNKNOWN[2], KNOWN[1], UNKNOWN[3]]
    outcomes = client.broadcast(Notification(user=USER_KEY, message="m"), users)

    repair = client.repair_broadcast(outcomes, max_rejections=2)

    rejected = [
        r
        for r in fake.requests
        if r.path.endswith("validate.json") and r.params["user"] in UNKNOWN
    ]
    assert len(rejected) == 2
    assert repair.invalid == (UNKNOWN[0], UNKNOWN[1])
    assert repair.unchecked == (UNKNOWN[2], KNOWN[1], UNKNOWN[3])
    assert deliveries(fake) == Counter([KNOWN[0]])  # unchecked keys are not sent


def test_a_second_repair_checks_no_key_twice() -> None:
    fake = repair_fake()
    client = fake_client(fake)
    users = [UNKNOWN[0], KNOWN[0], UNKNOWN[1], KNOWN[1]]
    outcomes = client.broadcast(Notification(user=USER_KEY, message="m"), users)
    first = client.repair_broadcast(outcomes, max_rejections=1)
    checked_before = len(fake.requests)

    second = client.repair_broadcast(outcomes, known=first.known, max_rejections=1)

    checked = [
        r.params["user"]
        for r in fake.requests[checked_before:]
        if r.path.endswith("validate.json")
    ]
    assert first.known == {UNKNOWN[0]: "invalid"}  # the bound stopped it after one
    assert checked == [KNOWN[0], UNKNOWN[1]]  # UNKNOWN[0] is not asked again
    assert second.invalid == (UNKNOWN[0], UNKNOWN[1])
    assert second.unchecked == (KNOWN[1],)
    assert deliveries(fake) == Counter([KNOWN[0]])


@given(st.integers(min_value=-3, max_value=3))
def test_max_rejections_accepts_exactly_one_or_more(value: int) -> None:
    client = fake_client(repair_fake())
    if value >= 1:
        assert client.repair_broadcast([], max_rejections=value).resent == []
    else:
        with pytest.raises(ValidationError, match="max_rejections"):
            client.repair_broadcast([], max_rejections=value)


def test_a_broadcast_without_rejections_is_left_alone() -> None:
    fake = repair_fake()
    client = fake_client(fake)
    outcomes = client.broadcast(Notification(user=USER_KEY, message="m"), KNOWN[:3])

    repair = client.repair_broadcast(outcomes)

    assert repair.resent == []
    assert len(fake.messages) == 1


def test_repairing_twice_sends_to_nobody_twice() -> None:
    fake = repair_fake()
    client = fake_client(fake)
    outcomes = client.broadcast(
        Notification(user=USER_KEY, message="m"), [UNKNOWN[0], *KNOWN[:3]]
    )
    first = client.repair_broadcast(outcomes)

    second = client.repair_broadcast(outcomes, known=first.known)

    assert second.resent == []
    assert deliveries(fake) == Counter(KNOWN[:3])
