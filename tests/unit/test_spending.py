"""``Client(..., budget=)`` and ``AsyncClient(..., budget=)``: message sends spend one
unit per recipient key before anything goes out, a spent budget raises
BudgetExceededError and sends nothing, a refused or never-sent request gives its units
back, and a 429 or ``X-Limit-App-Remaining: 0`` closes the budget until the reset.
Other calls spend nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chump_typed import (
    APIError,
    AsyncClient,
    BudgetExceededError,
    Client,
    EmergencyNotification,
    Failed,
    NotAttempted,
    Notification,
    QuotaExceededError,
    TransportError,
    ValidationError,
)
from chump_typed import _endpoints as ep
from chump_typed.budget import MemoryBudget, SQLiteBudget
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.testing import (
    APP_TOKEN,
    USER_DEVICES,
    USER_KEY,
    AsyncFakeTransport,
    FakePushover,
    FakeTransport,
)

MEMORY_URL = "http://127.0.0.1:1/1/"
OTHER_KEY = "u" + "x" * 29
UNKNOWN_KEY = "z" * 30
START = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _client(fake: FakePushover, budget: object) -> Client:
    return Client(
        APP_TOKEN,
        base_url=MEMORY_URL,
        transport=FakeTransport(fake),
        budget=budget,  # type: ignore[arg-type]
    )


def test_a_send_spends_a_unit_per_recipient_key_and_nothing_else_spends() -> None:
    fake = FakePushover(users={USER_KEY: USER_DEVICES, OTHER_KEY: USER_DEVICES})
    budget = MemoryBudget(per_hour=3, clock=Clock())
    client = _client(fake, budget)
    client.sounds()
    client.validate_user(USER_KEY)
    client.limits()
    client.send(Notification(user=f"{USER_KEY},{OTHER_KEY}", message="two"))
    client.call(ep.SEND_MESSAGE, Notification(user=USER_KEY, message="one"))
    with pytest.raises(BudgetExceededError) as raised:
        client.send(Notification(user=USER_KEY, message="no room"))
    assert [m.message for m in fake.messages] == ["two", "one"]
    retry_at = raised.value.retry_at
    assert retry_at.tzinfo is not None
    assert retry_at == dt.datetime.fromtimestamp(START + 3600, dt.timezone.utc)


def test_the_shared_budgets_say_when_there_is_room(tmp_path: Path) -> None:
    clock = Clock()
    budget = SQLiteBudget(tmp_path / "b.sqlite3", per_hour=2, clock=clock)
    client = _client(FakePushover(), budget)
    client.send(Notification(user=USER_KEY, message="1"))
    clock.now += 600
    client.send(Notification(user=USER_KEY, message="2"))
    with pytest.raises(BudgetExceededError) as raised:
        client.send(Notification(user=USER_KEY, message="3"))
    # The first spend leaves the hour first.
    assert raised.value.retry_at.timestamp() == START + 3600
    budget.close()


def test_an_emergency_spends_too() -> None:
    fake = FakePushover()
    client = _client(fake, MemoryBudget(per_day=1))
    emergency = EmergencyNotification(
        user=USER_KEY, message="down", retry=60, expire=3600
    )
    client.send(emergency)
    with pytest.raises(BudgetExceededError):
        client.send(emergency)
    assert len(fake.messages) == 1


def test_a_send_that_could_never_fit_names_the_field() -> None:
    fake = FakePushover(users={USER_KEY: USER_DEVICES, OTHER_KEY: USER_DEVICES})
    client = _client(fake, MemoryBudget(per_hour=1))
    with pytest.raises(ValidationError, match=r"user.*per_hour=1"):
        client.send(Notification(user=f"{USER_KEY},{OTHER_KEY}", message="x"))
    assert fake.messages == ()


def test_a_budget_of_the_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="budget"):
        _client(FakePushover(), 30)


def test_bad_input_spends_nothing(tmp_path: Path) -> None:
    budget = SQLiteBudget(tmp_path / "b.sqlite3", per_hour=1)
    client = _client(FakePushover(), budget)
    with pytest.raises(ValidationError):
        client.send(
            Notification(user=USER_KEY, message="x"), extra_params={"token": "no"}
        )
    client.send(Notification(user=USER_KEY, message="still room"))
    budget.close()


def test_a_refused_request_gives_its_units_back(tmp_path: Path) -> None:
    budget = SQLiteBudget(tmp_path / "b.sqlite3", per_hour=1)
    fake = FakePushover()
    client = _client(fake, budget)
    with pytest.raises(APIError) as raised:
        client.send(Notification(user=UNKNOWN_KEY, message="to nobody"))
    assert raised.value.http_status == 400
    client.send(Notification(user=USER_KEY, message="paid once"))
    assert [m.message for m in fake.messages] == ["paid once"]
    budget.close()


class Failing:
    """A transport whose first send fails with *error*; then the fake answers."""

    def __init__(self, fake: FakePushover, error: TransportError) -> None:
        self.inner = FakeTransport(fake)
        self.error: TransportError | None = error

    def send(self, request: HTTPRequest) -> HTTPResponse:
        error, self.error = self.error, None
        if error is not None:
            raise error
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize("may_have_been_sent", [False, True])
def test_a_send_that_certainly_did_not_go_out_is_given_back(
    tmp_path: Path, may_have_been_sent: bool
) -> None:
    budget = SQLiteBudget(tmp_path / "b.sqlite3", per_hour=1)
    failure = TransportError(
        "connection refused", may_have_been_sent=may_have_been_sent
    )
    client = Client(
        APP_TOKEN,
        base_url=MEMORY_URL,
        transport=Failing(FakePushover(), failure),
        budget=budget,
    )
    with pytest.raises(TransportError):
        client.send(Notification(user=USER_KEY, message="lost"))
    if may_have_been_sent:  # it may have been delivered: it stays paid
        with pytest.raises(BudgetExceededError):
            client.send(Notification(user=USER_KEY, message="again"))
    else:
        client.send(Notification(user=USER_KEY, message="again"))
    budget.close()


def test_remaining_zero_closes_the_budget_until_the_reset(tmp_path: Path) -> None:
    reset = int(START) + 86400 * 3
    fake = FakePushover(limit=1, reset=reset)
    clock = Clock()
    budget = SQLiteBudget(tmp_path / "b.sqlite3", per_hour=10, clock=clock)
    other = SQLiteBudget(tmp_path / "b.sqlite3", per_hour=10, clock=clock)
    client = _client(fake, budget)
    client.send(Notification(user=USER_KEY, message="the last one"))
    assert other.closed_until() == reset  # for every process sharing it
    with pytest.raises(BudgetExceededError) as raised:
        client.send(Notification(user=USER_KEY, message="not sent"))
    assert raised.value.retry_at.timestamp() == reset
    assert len(fake.messages) == 1
    budget.close()
    other.close()


def test_a_429_closes_the_budget_until_the_reset_and_keeps_the_unit() -> None:
    reset = int(START) + 600
    fake = FakePushover(limit=1, reset=reset)
    _client(fake, None).send(Notification(user=USER_KEY, message="spends the month"))
    clock = Clock()
    budget = MemoryBudget(per_hour=10, clock=clock)
    client = _client(fake, budget)
    with pytest.raises(QuotaExceededError):
        client.send(Notification(user=USER_KEY, message="429"))
    assert budget.closed_until() == reset
    clock.now = reset
    assert budget.spend(9)  # the 429's unit stays spent
    assert not budget.spend(1)


def test_a_reset_already_past_closes_for_an_hour() -> None:
    fake = FakePushover(limit=1, reset=int(START) - 60)
    clock = Clock()
    budget = MemoryBudget(per_hour=10, clock=clock)
    _client(fake, budget).send(Notification(user=USER_KEY, message="last"))
    assert budget.closed_until() == START + 3600


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_the_async_client_spends_the_same_way(
    tmp_path: Path, anyio_backend: str
) -> None:
    fake = FakePushover()
    budget = SQLiteBudget(tmp_path / f"{anyio_backend}.sqlite3", per_hour=2)
    async with AsyncClient(
        APP_TOKEN,
        base_url=MEMORY_URL,
        transport=AsyncFakeTransport(fake),
        budget=budget,
    ) as client:
        await client.sounds()
        await client.send(Notification(user=USER_KEY, message="1"))
        with pytest.raises(APIError):
            await client.send(Notification(user=UNKNOWN_KEY, message="refunded"))
        await client.send(Notification(user=USER_KEY, message="2"))
        with pytest.raises(BudgetExceededError):
            await client.send(Notification(user=USER_KEY, message="3"))
    assert [m.message for m in fake.messages] == ["1", "2"]
    budget.close()


def test_with_options_shares_the_budget() -> None:
    fake = FakePushover()
    client = _client(fake, MemoryBudget(per_hour=1))
    client.with_options(deadline=5).send(Notification(user=USER_KEY, message="1"))
    with pytest.raises(BudgetExceededError):
        client.send(Notification(user=USER_KEY, message="2"))


def test_bulk_sends_stop_at_the_budget() -> None:
    """send_many spends through send: what the budget refuses is never sent, and the
    run stops there (the rest is refused or not attempted)."""
    fake = FakePushover()
    client = _client(fake, MemoryBudget(per_hour=2))
    outcomes = client.send_many(
        [Notification(user=USER_KEY, message=str(n)) for n in range(6)]
    )
    assert [type(o).__name__ for o in outcomes[:2]] == ["Sent", "Sent"]
    for outcome in outcomes[2:]:
        assert isinstance(outcome, NotAttempted) or (
            isinstance(outcome, Failed)
            and isinstance(outcome.error, BudgetExceededError)
        )
    assert isinstance(outcomes[-1], NotAttempted)
    assert sorted(m.message for m in fake.messages) == ["0", "1"]  # two at a time
