"""The realtime stream's rules without I/O: frames, the backoff, the delivery point,
what may be deleted, and :class:`Machine` driven by a simulated server and clock
(an ``R`` storm, a flood of ``!``, silence, unreadable messages and answers, ids out
of order, closing). Also the proxy decision and the redaction of the login line."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    LoggedInElsewhereError,
    PushRejectedError,
    TransportError,
    UnexpectedResponseError,
    Urllib3Transport,
)
from chump_typed._logfilter import RedactRecords
from chump_typed.receive import ReceivedMessage, UndecodableMessage
from chump_typed.receive._stream import (
    LONGEST_WAIT,
    MAX_BROKEN,
    STABLE,
    SYNC_PACE,
    Action,
    Backoff,
    Command,
    Connect,
    Delete,
    Download,
    Finish,
    Give,
    Hangup,
    Machine,
    Progress,
    Receive,
    Report,
    Sleep,
    actions,
    is_broken,
    login_line,
    proxy_for,
    step,
)

# -- Frames ---------------------------------------------------------------------------


@given(st.text("#!RAE \n", max_size=8))
def test_a_frame_reads_the_same_as_text_or_bytes(frame: str) -> None:
    assert actions(frame.encode()) == actions(frame)
    assert len(actions(frame)) == len(frame.replace(" ", "").replace("\n", ""))


@given(st.text("#!", max_size=6))
def test_keep_alives_and_syncs(frame: str) -> None:
    expected = Action.SYNC if "!" in frame else Action.KEEP_ALIVE
    assert step(frame) is expected


def test_the_first_frame_after_the_login_means_download() -> None:
    # The login is not answered: its first frame is the sign it was taken.
    assert step("#", first=True) is Action.SYNC
    assert step("#") is Action.KEEP_ALIVE
    assert step("R", first=True) is Action.RECONNECT


@given(st.text("#!R", max_size=6).map(lambda t: t + "R"))
def test_r_means_reconnect_whatever_else_the_frame_holds(frame: str) -> None:
    assert step(frame) is Action.RECONNECT
    assert step(frame.encode()) is Action.RECONNECT


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("E", PushRejectedError),
        ("A", LoggedInElsewhereError),
        (b"!E", PushRejectedError),
    ],
)
def test_e_and_a_are_final(frame: str | bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        step(frame)


# -- The backoff ----------------------------------------------------------------------


@given(
    st.floats(min_value=0, max_value=100),
    st.lists(st.floats(min_value=0, max_value=1, exclude_max=True), max_size=40),
)
def test_waits_double_up_to_the_longest_each_jittered_to_half_or_more(
    first: float, draws: list[float]
) -> None:
    rolls = iter(draws)
    backoff = Backoff(first, rng=lambda: next(rolls))
    base = first
    for _ in draws:
        wait = backoff.wait()
        assert base / 2 <= wait <= base <= max(first, LONGEST_WAIT)
        base = min(LONGEST_WAIT, base * 2)


def test_a_reset_starts_the_waits_again() -> None:
    backoff = Backoff(1.0, rng=lambda: 0.999)
    first = [backoff.wait() for _ in range(4)]
    backoff.reset()
    assert backoff.wait() == first[0]
    assert first[-1] > 4


def test_which_failures_are_broken_answers() -> None:
    assert is_broken(UnexpectedResponseError("bad shape", http_status=200))
    assert not is_broken(UnexpectedResponseError("proxy page", http_status=502))
    assert not is_broken(TransportError("no route"))


# -- Progress: what may be deleted ----------------------------------------------------


def test_only_what_was_taken_is_deleted() -> None:
    progress = Progress()
    for number in (1, 2):
        progress.queued(number)
    assert progress.to_delete() is None
    progress.give(1)
    assert progress.to_delete() is None  # yielded, not taken
    progress.took(1)
    progress.give(2)
    assert progress.to_delete() == 1
    progress.deleted_through(1)
    assert progress.to_delete() is None  # nothing new to delete


def test_deletion_never_passes_an_id_not_yet_taken() -> None:
    progress = Progress()
    for number in (5, 6):
        progress.queued(number)
        progress.give(number)
        progress.took(number)
    progress.queued(3)  # arrived late, below what was taken
    assert progress.to_delete() is None
    progress.give(3)
    progress.took(3)
    assert progress.to_delete() == 6
    assert not progress.is_new(3) and progress.is_new(4)


# -- The machine, against a simulated server ------------------------------------------


def message(number: int) -> ReceivedMessage:
    return ReceivedMessage(id=number, message=f"m{number}")


@attrs.define
class World:
    """A simulated Open Client server and clock for one :class:`Machine`.

    ``frames(connection)`` says which frames a connection sends: a list of
    (seconds after the login, frame). ``arrivals`` are (time, id) of messages put on
    the server; they show in the downloads after that time, until a deletion
    through an id at or above theirs (one that arrives later, below an id already
    deleted, shows: Pushover's ids need not arrive in order).
    """

    machine: Machine
    frames: Callable[[int], list[tuple[float, str]]] = lambda _: [(0.0, "#")]
    arrivals: list[tuple[float, int]] = attrs.Factory(list[tuple[float, int]])
    unreadable: set[int] = attrs.Factory(set[int])
    download_error: Callable[[int], Exception | None] = lambda _: None
    cost: float = 0.005  # seconds each call takes
    take: Callable[[int], bool] = lambda _: True  # whether the consumer goes on

    now: float = 0.0
    connections: int = 0
    requests: int = 0
    downloads: int = 0
    given: list[int] = attrs.Factory(list[int])
    reported: list[int] = attrs.Factory(list[int])
    taken: set[int] = attrs.Factory(set[int])
    deletes: list[int] = attrs.Factory(list[int])
    deleted: set[int] = attrs.Factory(set[int])
    downloaded_ids: set[int] = attrs.Factory(set[int])
    commands: list[Command] = attrs.Factory(list[Command])
    _pending: list[tuple[float, str]] = attrs.Factory(list[tuple[float, str]])

    def on_server(self) -> list[int]:
        return sorted(
            n for t, n in self.arrivals if t <= self.now and n not in self.deleted
        )

    def run(self, until: float) -> Finish | None:
        """Drive the machine until *until* (simulated seconds), its end, or the
        consumer stopping; the end, if it came."""
        machine = self.machine
        while self.now < until:
            command = machine.next(self.now)
            self.commands.append(command)
            if isinstance(command, Give):
                self.given.append(command.message.id)
                if not self.take(command.message.id):
                    return None  # the consumer stopped: not taken
                self.taken.add(command.message.id)
                machine.took(self.now)
            elif isinstance(command, Report):
                assert command.message.id is not None
                self.reported.append(command.message.id)
                self.taken.add(command.message.id)
                machine.took(self.now)
            elif isinstance(command, Download):
                self._download()
            elif isinstance(command, Delete):
                # The server deletes what it holds as the call arrives (a message
                # arriving meanwhile, below *through*, would go unseen: Pushover's
                # deletion is by id; the simulation leaves that race out).
                going = [n for n in self.on_server() if n <= command.through]
                self._call()
                # Never past an id this stream downloaded and the consumer did not take.
                assert all(n in self.taken for n in going if n in self.downloaded_ids)
                self.deletes.append(command.through)
                self.deleted.update(going)
                machine.deleted(command.through)
            elif isinstance(command, Connect):
                self._call()
                self.connections += 1
                login = self.now
                self._pending = [
                    (login + d, f) for d, f in self.frames(self.connections)
                ]
                machine.connected(self.now)
            elif isinstance(command, Receive):
                self._receive(command.timeout)
            elif isinstance(command, Hangup):
                self._pending = []
            elif isinstance(command, Sleep):
                assert command.seconds >= 0
                self.now += command.seconds
            else:
                return command
        return None

    def _call(self) -> None:
        self.requests += 1
        self.now += self.cost

    def _download(self) -> None:
        self._call()
        self.downloads += 1
        error = self.download_error(self.downloads)
        if error is not None:
            self.machine.failed(error, self.now)
            return
        present = self.on_server()
        self.downloaded_ids.update(present)
        read = [message(n) for n in present if n not in self.unreadable]
        unread = [
            UndecodableMessage(id=n, fields={"priority": "urgent"}, reason="priority")
            for n in present
            if n in self.unreadable
        ]
        self.machine.downloaded(read, unread, self.now)

    def _receive(self, timeout: float) -> None:
        assert timeout > 0 or self._pending
        if self._pending and self._pending[0][0] <= self.now + timeout:
            at, frame = self._pending.pop(0)
            self.now = max(self.now, at)
            self.machine.frame(frame, self.now)
        else:
            self.now += max(timeout, 0.0)
            self.machine.timed_out(self.now)


def storm(_: int) -> list[tuple[float, str]]:
    return [(0.001, "R")]


@pytest.mark.parametrize("seed", range(5))
def test_an_r_storm_costs_at_most_5_requests_a_second(seed: int) -> None:
    rng = random.Random(seed)
    world = World(Machine(rng=rng.random), frames=storm)
    world.run(until=10.0)
    assert world.requests <= 5 * 10
    assert world.connections >= 3  # it kept trying, paced


def test_the_backoff_starts_again_only_after_a_login_that_stayed_up() -> None:
    def frames(connection: int) -> list[tuple[float, str]]:
        if connection <= 3:
            return [(0.001, "R")]  # three short logins: waits grow
        if connection == 4:
            return [(0.0, "#"), (STABLE + 1, "R")]  # one that stays up
        return [(0.001, "R")]

    world = World(Machine(rng=lambda: 0.999), frames=frames)
    world.run(until=200.0)
    sleeps = [c.seconds for c in world.commands if isinstance(c, Sleep)]
    assert sleeps[1] > sleeps[0] and sleeps[2] > sleeps[1]
    # After the login that stayed up, the series starts again from the first wait.
    assert sleeps[3] == pytest.approx(sleeps[0])
    assert sleeps[4] == pytest.approx(sleeps[1])


@given(st.integers(min_value=1, max_value=2000), st.floats(0.0001, 0.05))
def test_a_flood_of_syncs_is_coalesced_and_paced(count: int, gap: float) -> None:
    def frames(_: int) -> list[tuple[float, str]]:
        return [(0.0, "#")] + [(0.01 + i * gap, "!") for i in range(count)]

    world = World(Machine(), frames=frames)
    world.run(until=0.01 + count * gap + 1.0)
    flood = count * gap
    # The backlog, the one after the login, the first frame's, and then at most one
    # per SYNC_PACE of the flood (plus the last one pending).
    assert world.downloads <= 3 + flood / SYNC_PACE + 2


def test_silence_hangs_up_and_reconnects_after_a_wait() -> None:
    world = World(Machine(silence=5.0, first_wait=1.0), frames=lambda _: [])
    world.run(until=20.0)
    kinds = [type(c) for c in world.commands]
    assert Hangup in kinds and world.connections >= 2
    first_hangup = kinds.index(Hangup)
    assert kinds[first_hangup + 1] is Sleep and kinds[first_hangup + 2] is Connect


@pytest.mark.parametrize(
    ("frame", "error"), [("E", PushRejectedError), ("A", LoggedInElsewhereError)]
)
def test_e_and_a_hang_up_and_end_without_reconnecting(
    frame: str, error: type[Exception]
) -> None:
    world = World(Machine(), frames=lambda _: [(0.0, "#"), (1.0, frame)])
    end = world.run(until=100.0)
    assert end is not None and isinstance(end.error, error)
    assert isinstance(world.commands[-2], Hangup)
    assert world.connections == 1


def test_an_unreadable_message_is_reported_in_its_place_and_deleted_past() -> None:
    world = World(Machine(), arrivals=[(0, 1), (0, 2), (0, 3)], unreadable={2})
    world.run(until=5.0)
    assert world.given == [1, 3] and world.reported == [2]
    order = [c.message.id for c in world.commands if isinstance(c, (Give, Report))]
    assert order == [1, 2, 3]
    assert world.deletes == [3]


def test_an_undecodable_message_without_an_id_is_reported_at_once() -> None:
    machine = Machine()
    assert isinstance(machine.next(0.0), Download)
    bad = UndecodableMessage(id=None, fields={}, reason="not a JSON object")
    machine.downloaded([message(4)], [bad], 0.1)
    first = machine.next(0.1)
    assert isinstance(first, Report) and first.message is bad
    machine.took(0.1)
    second = machine.next(0.1)
    assert isinstance(second, Give) and second.message.id == 4


def test_broken_answers_end_the_stream_after_paced_retries() -> None:
    broken = UnexpectedResponseError("download_messages: bad shape", http_status=200)
    world = World(Machine(first_wait=1.0), download_error=lambda _: broken)
    end = world.run(until=10_000.0)
    assert end is not None and end.error is broken
    assert world.downloads == MAX_BROKEN
    sleeps = [c for c in world.commands if isinstance(c, Sleep)]
    assert len(sleeps) == MAX_BROKEN - 1 and all(s.seconds >= 0.5 for s in sleeps)


def test_passing_failures_are_retried_for_as_long_as_the_stream_runs() -> None:
    down = TransportError("connection refused")
    world = World(Machine(first_wait=1.0), download_error=lambda n: down)
    assert world.run(until=3_600.0) is None
    assert world.downloads > MAX_BROKEN
    # Paced: an hour of failures is a few dozen attempts, not thousands.
    assert world.downloads <= 3_600 / (LONGEST_WAIT / 2) + 10


@given(
    st.lists(
        st.tuples(st.floats(0, 30), st.integers(min_value=1, max_value=60)),
        max_size=40,
    ),
    st.integers(min_value=0, max_value=60),
)
def test_every_message_is_given_once_and_only_taken_ones_are_deleted(
    arrivals: list[tuple[float, int]], stop_after: int
) -> None:
    """Messages arrive at any time, with any id (below ids already given too); the
    server says ``!`` for each. Each is given once; deletion (checked in World)
    never passes one downloaded and not taken; and at close, what may be deleted
    leaves the last one given on the server."""
    arrivals = list({n: (t, n) for t, n in arrivals}.values())  # ids are unique

    def frames(_: int) -> list[tuple[float, str]]:
        return [(0.0, "#")] + [(t + 0.001, "!") for t, _ in sorted(arrivals)]

    world = World(
        Machine(silence=1_000.0),
        frames=frames,
        arrivals=arrivals,
        take=lambda _: len(world.given) <= stop_after,
    )
    world.run(until=40.0)
    assert len(world.given) == len(set(world.given))
    if len(world.given) <= stop_after:
        assert sorted(world.given) == sorted(n for _, n in arrivals)
        return
    # The consumer stopped at the last one given: closing deletes below it only.
    last = world.given[-1]
    through = world.machine.to_delete()
    assert through is None or through < last or last not in world.downloaded_ids
    assert last not in world.taken


def test_closing_deletes_through_the_last_message_taken() -> None:
    machine = Machine()
    machine.next(0.0)
    machine.downloaded([message(n) for n in (1, 2, 3)], [], 0.0)
    for _ in range(2):
        assert isinstance(machine.next(0.0), Give)
        machine.took(0.0)
    given = machine.next(0.0)
    assert isinstance(given, Give) and given.message.id == 3
    # The consumer stops with 3 in hand: 1 and 2 go, 3 comes again on the next run.
    assert machine.to_delete() == 2


def test_next_refuses_to_go_on_before_the_message_is_taken() -> None:
    machine = Machine()
    machine.next(0.0)
    machine.downloaded([message(1)], [], 0.0)
    machine.next(0.0)
    with pytest.raises(RuntimeError, match="took"):
        machine.next(0.0)


# -- The login line and the proxy -----------------------------------------------------


def test_the_login_line() -> None:
    assert login_line("dev", "s3cret") == "login:dev:s3cret\n"


def test_the_login_line_is_redacted_in_records() -> None:
    record = logging.LogRecord(
        "websockets",
        logging.DEBUG,
        __file__,
        1,
        "> TEXT %r [%d bytes]",
        ("login:dev1:aSecretValue\n", 23),
        None,
    )
    assert RedactRecords().filter(record)
    assert "aSecretValue" not in record.getMessage()
    assert "login:<redacted>" in record.getMessage()


def test_the_stream_takes_the_transports_proxy_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    push = "wss://client.pushover.net/push"
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_for(push, Urllib3Transport()) is None
    chosen = Urllib3Transport(proxy="http://me:p%40ss@proxy.example:3128")
    assert proxy_for(push, chosen) == "http://me:p%40ss@proxy.example:3128"
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy.example:8080")
    assert proxy_for(push, Urllib3Transport()) == "http://env-proxy.example:8080"
    assert proxy_for(push, Urllib3Transport(trust_env=False)) is None
    assert proxy_for("ws://127.0.0.1:9/push", Urllib3Transport()) is None  # loopback


def test_a_late_id_below_one_deleted_is_deleted_once_taken() -> None:
    progress = Progress()
    for number in (5, 3):  # 3 arrives after 5 was taken and deleted
        progress.queued(number)
        progress.give(number)
        progress.took(number)
        assert progress.to_delete() == number
        progress.deleted_through(number)
        assert progress.to_delete() is None


# -- Any sequence of events -----------------------------------------------------------

Event = tuple[str, int]
events = st.lists(
    st.tuples(
        st.sampled_from(["ok", "ok", "ok", "passing", "broken", "#", "!", "R", "drop"]),
        st.integers(min_value=1, max_value=30),
    ),
    max_size=80,
)


@given(events)
def test_whatever_happens_reconnections_are_paced_and_deletion_is_safe(
    script: list[Event],
) -> None:
    """Any sequence of answers, failures and frames: every new connection after the
    first is preceded by a wait of at least half the first; nothing is given twice;
    no deletion passes an id downloaded and not taken; the stream ends only with a
    broken answer after MAX_BROKEN in a row."""
    machine = Machine(silence=1_000.0, first_wait=1.0, rng=lambda: 0.0)
    now, slept_since_connect, connects = 0.0, True, 0
    given_ids: list[int] = []
    downloaded: set[int] = set()
    taken: set[int] = set()
    on_server: set[int] = set()
    broken_in_a_row = 0
    for kind, number in script:
        command = machine.next(now)
        if isinstance(command, Give):
            given_ids.append(command.message.id)
            taken.add(command.message.id)
            machine.took(now)
        elif isinstance(command, Report):
            machine.took(now)
        elif isinstance(command, Connect):
            assert slept_since_connect or connects == 0
            connects += 1
            slept_since_connect = False
            if kind in ("passing", "broken"):
                machine.failed(TransportError("refused"), now)
            else:
                machine.connected(now)
        elif isinstance(command, Download):
            on_server.add(number)
            if kind == "passing":
                machine.failed(TransportError("reset"), now)
            elif kind == "broken":
                broken_in_a_row += 1
                machine.failed(UnexpectedResponseError("shape", http_status=200), now)
            else:
                broken_in_a_row = 0
                downloaded |= on_server
                machine.downloaded([message(n) for n in sorted(on_server)], [], now)
        elif isinstance(command, Delete):
            going = {n for n in on_server if n <= command.through}
            assert going & downloaded <= taken
            if kind == "passing":
                machine.failed(TransportError("reset"), now)
            else:
                on_server -= going
                machine.deleted(command.through)
        elif isinstance(command, Receive):
            now += 0.01
            if kind in ("#", "!", "R"):
                machine.frame(kind, now)
            elif kind == "drop":
                machine.failed(TransportError("dropped"), now)
            else:
                machine.timed_out(now)  # the pace's end (silence is 1,000 s)
        elif isinstance(command, Sleep):
            assert command.seconds >= 0.5
            slept_since_connect = True
            now += command.seconds
        elif isinstance(command, Hangup):
            pass
        else:
            assert isinstance(command, Finish)
            assert isinstance(command.error, UnexpectedResponseError)
            assert broken_in_a_row == MAX_BROKEN
            break
        now += 0.001
    assert len(given_ids) == len(set(given_ids))
