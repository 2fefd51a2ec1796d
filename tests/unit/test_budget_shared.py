"""SQLiteBudget and RedisBudget, one process: the window arithmetic against a
reference (Hypothesis, with an injected clock), the closure, refunds, claims (stored
as digests), the file's mode, reprs without secrets, and the fall-back to this
process's share while the store is unreachable.

The Redis cases run against a real ``redis-server`` the tests start on loopback
(skipped, saying why, where the binary is missing).
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chump_typed.budget import Budget, RedisBudget, SQLiteBudget
from chump_typed.errors import ValidationError
from chump_typed.testing import FakePushover, serve
from tests.budget_model import Reference
from tests.redis_server import redis_server

START = 1_000_000.0


class Clock:
    """An injected clock: seconds since the epoch, moved by the test."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


Make = Callable[..., "SQLiteBudget | RedisBudget"]


@pytest.fixture(params=["sqlite", "redis"])
def make(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Make]:
    """Build budgets of one backend; those built by one call of the test share a
    store when given the same *name*."""
    made: list[SQLiteBudget | RedisBudget] = []
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")

        def build(name: str = "b", **kwargs: object) -> SQLiteBudget | RedisBudget:
            budget = SQLiteBudget(folder / f"{name}.sqlite3", **kwargs)  # type: ignore[arg-type]
            made.append(budget)
            return budget

    else:
        url: str = request.getfixturevalue("redis_url")
        run = uuid.uuid4().hex

        def build(name: str = "b", **kwargs: object) -> SQLiteBudget | RedisBudget:
            budget = RedisBudget(url, prefix=f"{run}-{name}", **kwargs)  # type: ignore[arg-type]
            made.append(budget)
            return budget

    yield build
    for budget in made:
        budget.close()


# -- The window arithmetic ------------------------------------------------------------

steps = st.lists(
    st.tuples(
        # Seconds on; now and then back (a clock set back: the spends it sees in
        # its future count until they leave the window from their own time).
        st.floats(min_value=-3000, max_value=9000, allow_nan=False),
        st.integers(min_value=1, max_value=4),  # units
        st.integers(min_value=0, max_value=2),  # reserve
    ),
    max_size=25,
)
caps = st.one_of(st.none(), st.integers(min_value=1, max_value=12))


# Each example builds its own store (a fresh name), so sharing *make* is harmless.
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, per_hour=caps, per_day=caps)
def test_the_windows_slide_as_the_reference_says(
    make: Make,
    steps: list[tuple[float, int, int]],
    per_hour: int | None,
    per_day: int | None,
) -> None:
    clock = Clock()
    name = f"w-{uuid.uuid4().hex}"
    budget = make(name, per_hour=per_hour, per_day=per_day, clock=clock)
    reference = Reference(per_hour, per_day)
    for seconds, units, reserve in steps:
        clock.now += seconds
        room_at = budget.try_spend(units, reserve=reserve)
        expected = reference.spend(clock.now, units, reserve)
        assert (room_at is None) == expected
        if room_at is not None:
            # Refused: it fits when the budget says, not a moment before (unless no
            # room can ever be made, when it names a whole window from now).
            assert room_at > clock.now
            never = any(units + reserve > cap for cap, _ in reference.caps())
            if not never:
                # (a microsecond on: time + span - span may round down a bit)
                assert reference.fits(room_at + 1e-6, units, reserve)
                assert not reference.fits(room_at - 0.01, units, reserve)
    for cap, span in reference.caps():
        # No window ever held more than its cap, even with the clock set back.
        for end, _ in reference.spends:
            held = [u for at, u in reference.spends if end - span < at <= end]
            assert sum(held) <= cap


def test_both_satisfy_the_protocol(make: Make) -> None:
    budget = make(per_hour=2, per_day=3)
    assert isinstance(budget, Budget)
    assert (budget.per_hour, budget.per_day) == (2, 3)


# -- Closing, refunds, claims ---------------------------------------------------------


def test_a_closure_holds_for_every_sharer_until_the_reset(make: Make) -> None:
    clock = Clock()
    one, two = make("c", per_hour=10, clock=clock), make("c", per_hour=10, clock=clock)
    one.close_until(START + 100)
    one.close_until(START + 50)  # an earlier reset does not shorten it
    assert two.closed_until() == START + 100
    assert two.try_spend(1) == START + 100
    assert not two.spend(1)
    clock.now = START + 100
    assert two.closed_until() is None
    assert two.spend(1)


def test_a_refund_gives_back_the_newest_spend(make: Make) -> None:
    clock = Clock()
    budget = make(per_hour=3, clock=clock)
    assert budget.spend(2)
    clock.now += 10
    assert budget.spend(1)
    assert not budget.spend(1)
    budget.refund(1)
    assert budget.spend(1)
    budget.refund(1)
    budget.refund(2)  # the older spend of 2
    assert budget.spend(3)


def test_a_claim_is_won_once_per_window_and_stored_as_a_digest(
    make: Make, tmp_path: Path
) -> None:
    clock = Clock()
    one, two = make("k", per_hour=5, clock=clock), make("k", per_hour=5, clock=clock)
    key = "disk full on db-7 /var/lib/postgresql"
    assert one.claim(key, 60)
    assert not two.claim(key, 60)
    assert two.claim("another record", 60)
    clock.now += 60
    assert two.claim(key, 60)
    assert not one.claim(key, 60)
    if isinstance(one, SQLiteBudget):
        stored = b"".join(
            p.read_bytes() for p in one.path.parent.glob(one.path.name + "*")
        )
    else:
        client = one._client  # pyright: ignore[reportPrivateUsage]
        scan = cast(
            "Callable[[str], Iterator[bytes]]",
            client.scan_iter,  # pyright: ignore[reportUnknownMemberType]
        )
        names = list(scan(f"{{{one.prefix}}}:*"))
        dumps = [client.dump(name) or b"" for name in names]
        stored = b"".join(names + dumps)
    assert b"disk full" not in stored
    assert "disk full".encode("utf-16-le") not in stored


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=90, allow_nan=False),  # seconds on
            st.sampled_from(["a", "b"]),  # the key
            st.integers(min_value=0, max_value=2),  # sharer 0 or 1 claims; 2 takes
        ),
        max_size=30,
    )
)
def test_claims_across_sharers_follow_the_reference(
    make: Make, steps: list[tuple[float, str, int]]
) -> None:
    clock = Clock()
    name = f"c-{uuid.uuid4().hex}"
    sharers = (make(name, clock=clock), make(name, clock=clock))
    held: dict[str, float] = {}  # key -> until
    refused = taken = 0
    for seconds_on, key, who in steps:
        clock.now += seconds_on
        if who == 2:
            taken += sharers[0].take_collapsed(key)
            continue
        expected = key not in held or held[key] <= clock.now
        assert sharers[who].claim(key, 60) is expected
        if expected:
            held[key] = clock.now + 60
        else:
            refused += 1
    taken += sum(sharers[1].take_collapsed(key) for key in "ab")
    assert taken == refused  # each repeat counted once, by the store, none lost


def test_the_repeats_a_claim_refused_are_counted_for_every_sharer(make: Make) -> None:
    clock = Clock()
    one, two = make("t", clock=clock), make("t", clock=clock)
    key = "disk full on db-7"
    assert one.claim(key, 60)
    assert not two.claim(key, 60)
    assert not one.claim(key, 60)
    clock.now += 60
    assert two.claim(key, 60)  # a new window keeps the count not taken yet
    assert not one.claim(key, 60)
    assert one.claim("another", 60)
    assert two.take_collapsed(key) == 3  # the first to take it has it all
    assert one.take_collapsed(key) == 0
    assert one.take_collapsed("never claimed") == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"per_hour": 0}, ValidationError, "per_hour"),
        ({"per_day": True}, TypeError, "per_day"),
        ({"processes": 0}, ValidationError, "processes"),
        ({"clock": 3}, TypeError, "clock"),
    ],
)
def test_bad_arguments_name_their_field(
    make: Make, kwargs: dict[str, object], error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        make(**kwargs)


@pytest.mark.parametrize("units", [0, -1])
def test_units_are_positive(make: Make, units: int) -> None:
    budget = make(per_hour=3)
    with pytest.raises(ValidationError, match="units"):
        budget.spend(units)
    with pytest.raises(TypeError, match="seconds"):
        budget.claim("k", "60")  # type: ignore[arg-type]


# -- SQLite specifics -----------------------------------------------------------------


def test_the_sqlite_file_is_created_0600_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite3"
    budget = SQLiteBudget(path, per_hour=3)
    assert budget.spend(1)
    for file in tmp_path.iterdir():  # the -wal and -shm files too
        assert file.stat().st_mode & 0o777 == 0o600, file
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    budget.close()
    assert repr(budget) == f"SQLiteBudget({str(path)!r}, per_hour=3, per_day=None)"


def test_an_unreachable_file_falls_back_to_this_process_share(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    folder = tmp_path / "not-yet"
    budget = SQLiteBudget(folder / "b.sqlite3", per_hour=8, processes=4, clock=clock)
    with caplog.at_level(logging.INFO, logger="chump_typed.budget"):
        assert budget.spend(1)
        assert _down(budget)
        assert budget.spend(1)  # 8 // 4 = 2 from the local share
        room_at = budget.try_spend(1)
        assert room_at is not None and room_at <= clock.now + 3600
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1  # said once
        assert "per_hour=2" in warnings[0].getMessage()
        folder.mkdir()
        assert not budget.spend(1)  # not tried again before the backoff's 1 s
        clock.now += 1
        assert budget.spend(1)  # the store answers: spends from it again
        assert not _down(budget)
        assert any("answers again" in r.getMessage() for r in caplog.records)
    budget.close()


def _down(budget: SQLiteBudget | RedisBudget) -> bool:
    return budget.unreachable  # (a call: the checkers narrow a property)


def test_the_backoff_doubles_up_to_a_minute(tmp_path: Path) -> None:
    clock = Clock()
    budget = SQLiteBudget(tmp_path / "no" / "b.sqlite3", per_hour=400, clock=clock)
    attempts: list[float] = []
    for _ in range(12):
        budget.spend(1)
        attempts.append(budget._next_try - clock.now)  # pyright: ignore[reportPrivateUsage]
        clock.now = budget._next_try  # pyright: ignore[reportPrivateUsage]
    assert attempts == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]


# -- Redis specifics ------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port  # nothing listens once it is closed


def test_a_redis_password_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    secret = "Sup3r-s3cret-pw"
    url = f"redis://ops:{secret}@127.0.0.1:{_closed_port()}/0"
    budget = RedisBudget(url, per_hour=4, processes=2)
    assert secret not in repr(budget)
    assert repr(budget).startswith("RedisBudget('redis://ops:<redacted>@127.0.0.1:")
    with caplog.at_level(logging.WARNING, logger="chump_typed.budget"):
        assert budget.spend(1)  # unreachable: the local share (4 // 2)
        assert budget.spend(1)
        assert not budget.spend(1)
    assert len(caplog.records) == 1
    assert secret not in caplog.text
    budget.close()
    with pytest.raises(ValidationError, match="url_or_client") as raised:
        RedisBudget(f"http://ops:{secret}@127.0.0.1/0")
    assert secret not in str(raised.value)


@pytest.mark.parametrize(
    "where",
    [
        "redis://ops:{secret}@127.0.0.1:{port}/0",
        "redis://127.0.0.1:{port}/0?password={secret}",
        "redis://127.0.0.1:{port}/0?db=0&username=ops&password={secret}#frag",
    ],
)
def test_a_redis_password_never_shows_wherever_the_url_holds_it(
    where: str, caplog: pytest.LogCaptureFixture
) -> None:
    """redis-py reads a password beside the user name and in the query: neither
    shows in the repr, the log records or a refused setting's traceback locals."""
    secret = "Sup3r-s3cret-pw"
    url = where.format(secret=secret, port=_closed_port())
    budget = RedisBudget(url, per_hour=4, processes=2)
    with caplog.at_level(logging.WARNING, logger="chump_typed.budget"):
        assert budget.spend(1)  # unreachable: the local share
    assert len(caplog.records) == 1
    assert secret not in repr(budget)
    assert secret not in caplog.text
    budget.close()
    with pytest.raises(ValidationError, match="per_hour") as raised:
        RedisBudget(url, per_hour=0)
    frames = [tb.tb_frame for tb in _tracebacks(raised.value)]
    assert (
        frames[0].f_code
        is test_a_redis_password_never_shows_wherever_the_url_holds_it.__code__
    )
    shown = [repr(value) for frame in frames[1:] for value in frame.f_locals.values()]
    assert len(frames) > 1  # the library's frames, below this test's
    assert not [text for text in shown if secret in text]


def _tracebacks(error: BaseException) -> Iterator[TracebackType]:
    tb = error.__traceback__
    while tb is not None:
        yield tb
        tb = tb.tb_next


def test_a_failed_commit_leaves_no_transaction_open(tmp_path: Path) -> None:
    """A COMMIT that fails (here a deferred constraint; busy, I/O or a full disk
    alike) is rolled back: the next spend starts its own transaction."""
    budget = SQLiteBudget(tmp_path / "budget.sqlite3", per_hour=5)
    assert budget.spend(1)
    with budget._transaction() as db:  # pyright: ignore[reportPrivateUsage]
        db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        db.execute(
            "CREATE TABLE t (x INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"
        )
    connection = budget._connection  # pyright: ignore[reportPrivateUsage]
    assert connection is not None
    connection.execute("PRAGMA foreign_keys=ON")
    with (
        pytest.raises(sqlite3.IntegrityError),
        budget._transaction() as db,  # pyright: ignore[reportPrivateUsage]
    ):
        db.execute("INSERT INTO t VALUES (123456)")  # fails only at COMMIT
    assert not connection.in_transaction
    assert budget.spend(1)  # not "cannot start a transaction within a transaction"
    budget.close()


def test_a_redis_client_of_yours_is_used_and_left_open(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)  # pyright: ignore[reportUnknownMemberType]
    with client:
        budget = RedisBudget(client, per_hour=1, prefix=uuid.uuid4().hex)
        assert budget.spend(1)
        assert not budget.spend(1)
        budget.close()
        assert client.ping()  # pyright: ignore[reportUnknownMemberType]
        assert repr(budget).startswith("RedisBudget('<Redis>'")


def test_the_servers_clock_is_the_default(redis_url: str) -> None:
    """No clock given: the spends are timed by the Redis server, so a machine whose
    clock is off still counts them in the right window."""
    budget = RedisBudget(redis_url, per_hour=1, prefix=uuid.uuid4().hex)
    assert budget.spend(1)
    room_at = budget.try_spend(1)
    assert room_at is not None
    import time

    # An hour after the server's time of the first spend (the server and this test
    # share a machine, so its clock is ours here, give or take the call).
    assert abs(room_at - (time.time() + 3600)) < 60
    budget.close()


def test_a_closure_seen_in_an_outage_reaches_the_store_first(tmp_path: Path) -> None:
    clock = Clock()
    folder = tmp_path / "later"
    budget = SQLiteBudget(folder / "b.sqlite3", per_hour=8, clock=clock)
    budget.close_until(START + 500)  # the store is unreachable: kept locally
    assert budget.closed_until() == START + 500
    assert not budget.spend(1)
    folder.mkdir()
    clock.now += 1  # the backoff's first second
    assert budget.try_spend(1) == START + 500  # written, then the spend refused
    other = SQLiteBudget(folder / "b.sqlite3", per_hour=8, clock=clock)
    assert other.closed_until() == START + 500
    budget.close()
    other.close()


def test_the_docs_redis_example_runs_as_written(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/budgets.md's Redis example (not run by the docs' own test, which has no
    Redis): as written, but for the URL of the server started here."""
    page = (Path(__file__).parents[2] / "docs" / "budgets.md").read_text("utf-8")
    blocks = re.findall(r"^```\{code-block\} python\n(.*?)^```$", page, re.M | re.S)
    assert len(blocks) == 1
    example = blocks[0]
    assert "redis://localhost:6379/0" in example
    example = example.replace("redis://localhost:6379/0", redis_url)
    example = example.replace('prefix="alerts"', f'prefix="{uuid.uuid4().hex}"')
    fake = FakePushover()
    with serve(fake) as base_url:
        monkeypatch.setenv("PUSHOVER_BASE_URL", base_url)
        exec(compile(example, "docs/budgets.md", "exec"), {"__name__": "docs_budgets"})
    assert [m.message for m in fake.messages] == ["Deploy done"]


def test_a_redis_server_that_stops_and_comes_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A real server stopped under the budget: the local share, one WARNING; started
    again on the same port: the store again after the backoff, one INFO. (Without
    persistence the new server starts empty: the counts of the outage are lost.)"""
    clock = Clock()
    prefix = uuid.uuid4().hex
    with redis_server(tmp_path / "first") as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        budget = RedisBudget(url, per_hour=8, processes=4, prefix=prefix, clock=clock)
        assert budget.spend(6)
    with caplog.at_level(logging.INFO, logger="chump_typed.budget"):
        assert budget.spend(2)  # the local share: 8 // 4
        assert _down(budget)
        assert not budget.spend(1)
        with redis_server(tmp_path / "second", port=port):
            assert not budget.spend(1)  # resting: the backoff's first second
            clock.now += 1
            assert budget.spend(8)  # the new server's empty budget
            assert not _down(budget)
            assert not budget.spend(1)
    said = [r.levelname for r in caplog.records if r.name == "chump_typed.budget"]
    assert said == ["WARNING", "INFO"]
    budget.close()


def test_a_file_held_while_it_turns_to_wal_is_waited_for(tmp_path: Path) -> None:
    """Another process writing the file, still in rollback mode, when the budget
    switches it to WAL: SQLite answers "database is locked" at once, without its busy
    wait (the switch reads first, and a reader cannot wait for a writer). This is
    what processes opening a new file together met. The budget tries again, paced,
    within its timeout, instead of falling back to its local share."""
    import sqlite3
    import threading

    path = tmp_path / "b.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE other (x)")  # a file in rollback mode
    holder.execute("BEGIN IMMEDIATE")  # writing: the switch cannot wait for it
    with (
        contextlib.closing(sqlite3.connect(path, timeout=5)) as plain,
        pytest.raises(sqlite3.OperationalError, match="locked"),
    ):
        plain.execute("PRAGMA journal_mode=WAL")  # at once, as said
    release = threading.Timer(0.2, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        budget = SQLiteBudget(path, per_hour=3)
        assert budget.spend(1)
        assert not _down(budget)  # from the file, not the local share
    finally:
        release.join()
        holder.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    budget.close()
