"""The realtime stream's rules, without I/O: :class:`Machine` decides every step of
a listener (log in, download, give a message, report one that cannot be read,
delete, listen for a frame, hang up, wait, end), told only what happened and the
time; the sync and async listeners carry its commands out with their own WebSocket
and HTTP calls. Also here: what each frame means, the backoff, which ids may be
deleted (:class:`Progress`), the proxy decision and the redaction of the login line.

After each login the listener downloads, and once more on the first frame that
arrives: the login is never answered, so that frame is the first sign the server has
taken it.

Delivery point: a message counts as *taken* when the consumer asks for the next one.
What was taken is deleted on the server (``delete_through``) before the listener
waits for more, and once more when the listener is closed, so a message is deleted
only after the consumer has it; one yielded but not yet taken when the process stops
comes again on the next run (at least once across restarts, exactly once within a
stream). Deletion never passes an id that was downloaded and not yet taken.
"""

from __future__ import annotations

import enum
import logging
import random
from collections import deque
from collections.abc import Callable, Sequence
from typing import Final

import attrs

from chump_typed._logfilter import redact_loggers
from chump_typed.errors import (
    LoggedInElsewhereError,
    PushRejectedError,
    UnexpectedResponseError,
)
from chump_typed.models import ReceivedMessage, UndecodableMessage

__all__ = [
    "DEFAULT_SILENCE",
    "FIRST_WAIT",
    "LAST_DELETE",
    "LONGEST_WAIT",
    "MAX_BROKEN",
    "OPEN_TIMEOUT",
    "STABLE",
    "SYNC_PACE",
    "Action",
    "Backoff",
    "Command",
    "Connect",
    "Delete",
    "Download",
    "Finish",
    "Give",
    "Hangup",
    "Machine",
    "Progress",
    "Receive",
    "Report",
    "Sleep",
    "actions",
    "is_broken",
    "login_line",
    "proxy_for",
    "step",
    "stream_logger",
]

#: Seconds without any frame after which the socket is taken for dead and replaced.
#: Pushover sends keep-alives (``#``) well within it (it does not document how often).
DEFAULT_SILENCE: Final = 90.0
#: The first wait before reconnecting after ``R``, a drop, a silence or a failed
#: call; each one more doubles it ...
FIRST_WAIT: Final = 1.0
#: ... up to this. Each wait is jittered: between half of it and all of it.
LONGEST_WAIT: Final = 60.0
#: A login that stayed up this long (seconds) starts the waits again from the first.
STABLE: Final = 30.0
#: The least time between the starts of two downloads that ``!`` frames ask for: a
#: flood of ``!`` costs one download in flight and one pending, at most 5 a second.
SYNC_PACE: Final = 0.2
#: Downloads in a row whose answer cannot be read (not a failed connection: an
#: answer of the wrong shape, or too large) before the stream ends with the error.
MAX_BROKEN: Final = 5
#: The seconds the last deletion may take, when the listener is closed (one attempt).
LAST_DELETE: Final = 2.0
#: The seconds the WebSocket's opening handshake may take.
OPEN_TIMEOUT: Final = 10.0
#: Less than this (seconds) is no time at all: the clocks' rounding, not a wait.
_TICK: Final = 0.001
#: Ids of a stream remembered as given; past this, those already deleted are
#: forgotten (a stream that runs for months does not grow).
_REMEMBERED: Final = 100_000


class Action(enum.Enum):
    """What a frame asks the listener to do."""

    KEEP_ALIVE = "#"
    SYNC = "!"
    RECONNECT = "R"
    ERROR = "E"
    ELSEWHERE = "A"


_ACTIONS: Final = {ord(action.value): action for action in Action}


def actions(frame: str | bytes) -> list[Action]:
    """Each one-byte command in *frame*, text or binary (unknown bytes, such as a
    newline, are ignored)."""
    data = frame.encode("utf-8", "replace") if isinstance(frame, str) else frame
    return [_ACTIONS[byte] for byte in data if byte in _ACTIONS]


def step(frame: str | bytes, *, first: bool = False) -> Action:
    """What to do after *frame*: ``RECONNECT`` if it holds an ``R``, else ``SYNC`` if
    it holds a ``!`` or is the *first* frame after the login, else ``KEEP_ALIVE``
    (wait for the next frame).

    The login is never answered, so the first frame is the first sign that the server
    has taken it: a message that arrived after the download that followed the login,
    but before the server took the login, got no ``!``. Downloading once more then
    closes that gap.

    :raises PushRejectedError: an ``E``: the stream must not reconnect.
    :raises LoggedInElsewhereError: an ``A``: the same.
    """
    found = actions(frame)
    if Action.ERROR in found:
        raise PushRejectedError
    if Action.ELSEWHERE in found:
        raise LoggedInElsewhereError
    if Action.RECONNECT in found:
        return Action.RECONNECT
    return Action.SYNC if first or Action.SYNC in found else Action.KEEP_ALIVE


def proxy_for(push_url: str, transport: object) -> str | None:
    """The proxy the WebSocket goes through, as websockets takes it (``None``: a direct
    connection), decided as the transport decides for HTTP (:mod:`chump_typed._proxy`):
    websockets' own reading of the environment is never used."""
    from urllib.parse import quote

    from chump_typed._proxy import choose_proxy
    from chump_typed._transport_base import KnobsBase

    as_http = (
        "https" + push_url[3:] if push_url.startswith("wss") else "http" + push_url[2:]
    )
    if isinstance(transport, KnobsBase):  # one of ours: its decision, kept per origin
        chosen = transport._proxy_for(as_http)  # pyright: ignore[reportPrivateUsage]
    else:
        chosen = choose_proxy(
            as_http,
            proxy=getattr(transport, "_proxy", None),
            trust_env=getattr(transport, "trust_env", True),
        )
    if chosen is None:
        return None
    if chosen.credentials is None:
        return chosen.url
    user, _, password = chosen.credentials.partition(":")
    scheme, _, rest = chosen.url.partition("://")
    return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"


def login_line(device_id: str, secret: str) -> str:
    """The frame that logs the socket in (pushover-api.md §13)."""
    return f"login:{device_id}:{secret}\n"


def is_broken(error: BaseException) -> bool:
    """Whether *error* is an answer that cannot be read (wrong shape, too large, not
    JSON), which retrying is unlikely to mend, rather than a passing outage (no
    connection, a 5xx): those are retried for as long as the stream runs."""
    return isinstance(error, UnexpectedResponseError) and error.http_status < 500


class Backoff:
    """The one series of waits before reconnecting, whatever the cause (``R``, a
    drop, a silence, a failed call): *first* seconds, doubling up to
    :data:`LONGEST_WAIT`, each jittered to between half of it and all of it (so that
    the listeners a server sent away do not come back together). Only a login that
    stayed up :data:`STABLE` seconds starts it again (:meth:`reset`). *first* 0
    turns the waits off (for tests)."""

    def __init__(
        self, first: float = FIRST_WAIT, *, rng: Callable[[], float] = random.random
    ) -> None:
        self._first = first
        self._rng = rng
        self._next = first

    def wait(self) -> float:
        """The next wait, in seconds."""
        base = self._next
        self._next = min(LONGEST_WAIT, base * 2)
        return base * (0.5 + 0.5 * self._rng())

    def reset(self) -> None:
        """A login stayed up: the next wait is the first again."""
        self._next = self._first


class Progress:
    """The ids of one stream: which were given (yielded, or reported undecodable),
    which the consumer has not taken yet, which it took, and how far the server has
    deleted. Deletion goes through the highest id taken below every id not yet
    taken, so it never passes a message downloaded and not yet taken (one that
    arrives out of order, below ids already given, included)."""

    def __init__(self) -> None:
        self._given: set[int] = set()
        #: Ids at or below it were forgotten (deleted long ago): taken as given.
        self._floor: int | None = None
        self._open: set[int] = set()
        self._taken: set[int] = set()
        #: The highest id deleted on the server.
        self.deleted: int | None = None

    def is_new(self, number: int) -> bool:
        """Whether *number* was never given nor queued in this stream."""
        if self._floor is not None and number <= self._floor:
            return False
        return number not in self._given and number not in self._open

    def queued(self, number: int) -> None:
        """*number* will be given: deletion must not pass it until it is taken."""
        self._open.add(number)

    def give(self, number: int) -> None:
        """*number* is being given (it stays open until taken)."""
        self._given.add(number)

    def took(self, number: int) -> None:
        """The consumer took *number* (asked for the next message)."""
        self._open.discard(number)
        self._taken.add(number)

    def to_delete(self) -> int | None:
        """The id to delete through, if something taken is still on the server: the
        highest id taken below every open one. (An id taken that arrived late,
        below one deleted already, is still there: it counts too.)"""
        lowest_open = min(self._open, default=None)
        below = [t for t in self._taken if lowest_open is None or t < lowest_open]
        return max(below, default=None)

    def deleted_through(self, number: int) -> None:
        """The server deleted every id up to *number* (every id taken up to it
        was downloaded before, so it is gone)."""
        self.deleted = number if self.deleted is None else max(self.deleted, number)
        self._taken = {t for t in self._taken if t > number}
        if len(self._given) > _REMEMBERED:
            self._floor = self.deleted
            self._given = {g for g in self._given if g > self.deleted}


# -- What the machine asks the listener to do ---------------------------------------


@attrs.frozen
class Connect:
    """Open the WebSocket and send the login line (within :data:`OPEN_TIMEOUT`)."""


@attrs.frozen
class Download:
    """Download the device's messages; tell :meth:`Machine.downloaded` (or
    :meth:`Machine.failed`)."""


@attrs.frozen
class Give:
    """Yield *message*; when the consumer asks for the next, :meth:`Machine.took`."""

    message: ReceivedMessage


@attrs.frozen
class Report:
    """Give *message*, which could not be read, to ``on_undecodable`` (or log it);
    then :meth:`Machine.took`."""

    message: UndecodableMessage


@attrs.frozen
class Delete:
    """Delete the device's messages through id *through*; tell
    :meth:`Machine.deleted` (or :meth:`Machine.failed`)."""

    through: int


@attrs.frozen
class Receive:
    """Wait at most *timeout* seconds for a frame; tell :meth:`Machine.frame`,
    :meth:`Machine.timed_out`, or :meth:`Machine.failed` (the socket dropped)."""

    timeout: float


@attrs.frozen
class Hangup:
    """Close the WebSocket (a new one comes later, or never)."""


@attrs.frozen
class Sleep:
    """Wait *seconds* (cut short by ``close()``) before reconnecting."""

    seconds: float


@attrs.frozen
class Finish:
    """The stream ends: with *error* (raise it), or without one."""

    error: Exception | None = None


Command = (
    Connect | Download | Give | Report | Delete | Receive | Hangup | Sleep | Finish
)


class Machine:
    """One listener's decisions, without I/O: :meth:`next` says what to do, and the
    listener tells it what happened (each event with the time, on a monotonic clock
    in seconds). The listener holds only sockets and calls.

    The rules: the backlog is downloaded first; then the WebSocket is opened and
    logged in, and the device downloads at once and again on the first frame; ``!``
    asks for a download, coalesced and paced (:data:`SYNC_PACE`); each downloaded
    message is given once, in id order (one below ids already given, never given,
    included), and one that could not be read is reported in its place; what the
    consumer took is deleted before the listener waits for more; ``R``, a dropped
    socket, a silence of *silence* seconds and a failed call lead to a new
    connection after the next wait of one :class:`Backoff`; ``E`` and ``A`` end the
    stream with their errors, and :data:`MAX_BROKEN` unreadable download answers in
    a row with the last one's.
    """

    def __init__(
        self,
        *,
        silence: float = DEFAULT_SILENCE,
        first_wait: float = FIRST_WAIT,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.silence = silence
        self.progress = Progress()
        self._backoff = Backoff(first_wait, rng=rng)
        self._queue: deque[Give | Report] = deque()
        self._giving: int | None = None  # the id given, until taken
        self._giving_any = False
        self._doing: Command | None = None
        self._started = False
        self._connected = False
        self._connected_at = 0.0
        self._first_frame = False
        self._hangup = False
        self._wait: float | None = None
        self._want = False  # a download is wanted ...
        self._at_once = False  # ... without pacing
        self._last_download: float | None = None
        self._heard = 0.0
        self._silence_due = False
        self._broken = 0
        self._delete_failed = False
        self._end: Finish | None = None

    # -- What to do next ------------------------------------------------------------

    def next(self, now: float) -> Command:
        """The next command. After :class:`Give` or :class:`Report`, call
        :meth:`took` first."""
        if self._giving_any:
            raise RuntimeError("the message given was not taken: call took() first")
        command = self._decide(now)
        self._doing = command
        if isinstance(command, (Give, Report)):
            self._giving_any = True
            self._giving = command.message.id
            if self._giving is not None:
                self.progress.give(self._giving)
        return command

    def _decide(self, now: float) -> Command:
        if self._hangup or (self._end is not None and self._connected):
            self._hangup = self._connected = False
            return Hangup()
        if self._end is not None:
            return self._end
        if self._queue:
            return self._queue.popleft()
        through = self.progress.to_delete()
        if through is not None and not self._delete_failed:
            return Delete(through)
        if not self._started:
            self._started = True
            self._last_download = now
            return Download()  # the backlog
        if self._wait is not None:
            wait, self._wait = self._wait, None
            return Sleep(wait)
        if not self._connected:
            return Connect()
        if self._want:
            left = self._pace_left(now)
            if self._at_once or left < _TICK:
                self._want = self._at_once = False
                self._last_download = now
                return Download()
        silence_left = self.silence - (now - self._heard)
        if silence_left < _TICK:
            self._drop(now)  # the socket died without closing
            return self._decide(now)
        pace_left = self._pace_left(now) if self._want else silence_left
        # A timeout that ends the silence, not the pace, means the socket is dead
        # (decided here, not by comparing clocks again: rounding could miss it).
        self._silence_due = silence_left <= pace_left
        return Receive(min(silence_left, pace_left))

    def _pace_left(self, now: float) -> float:
        if self._last_download is None:
            return 0.0
        return self._last_download + SYNC_PACE - now

    def to_delete(self) -> int | None:
        """What to delete through as the listener closes (one attempt of at most
        :data:`LAST_DELETE` seconds), if anything."""
        return self.progress.to_delete()

    # -- What happened --------------------------------------------------------------

    def connected(self, now: float) -> None:
        """The WebSocket is open and the login line sent."""
        self._connected = True
        self._connected_at = self._heard = now
        self._first_frame = True
        self._want = self._at_once = True

    def frame(self, data: str | bytes, now: float) -> None:
        """A frame arrived."""
        self._heard = now
        found = actions(data)
        if Action.ERROR in found:
            self._end = Finish(PushRejectedError())
        elif Action.ELSEWHERE in found:
            self._end = Finish(LoggedInElsewhereError())
        elif Action.RECONNECT in found:
            self._drop(now)
        elif self._first_frame or Action.SYNC in found:
            self._want = True
            self._at_once = self._at_once or self._first_frame
        self._first_frame = False

    def timed_out(self, now: float) -> None:
        """No frame came within the :class:`Receive`'s timeout."""
        if self._silence_due:
            self._drop(now)

    def downloaded(
        self,
        read: Sequence[ReceivedMessage],
        unread: Sequence[UndecodableMessage],
        now: float,
    ) -> None:
        """A download answered: the messages read, and those that could not be."""
        self._broken = 0
        self._delete_failed = False
        self._heard = max(self._heard, now)
        fresh: dict[int, Give | Report] = {}
        for message in read:
            if self.progress.is_new(message.id):
                fresh.setdefault(message.id, Give(message))
        for bad in unread:
            if bad.id is None:
                self._queue.append(Report(bad))  # no place in the order: at once
            elif self.progress.is_new(bad.id):
                fresh.setdefault(bad.id, Report(bad))
        for number in sorted(fresh):
            self.progress.queued(number)
            self._queue.append(fresh[number])

    def took(self, now: float) -> None:
        """The consumer took what was given (or the report was made)."""
        if self._giving is not None:
            self.progress.took(self._giving)
        self._giving, self._giving_any = None, False
        self._heard = max(self._heard, now)

    def deleted(self, through: int) -> None:
        """The server deleted through *through*."""
        self.progress.deleted_through(through)

    def failed(self, error: BaseException, now: float) -> None:
        """The last command failed with *error*: a call that got no usable answer, a
        handshake that did not complete, a socket that dropped."""
        if isinstance(self._doing, Delete):
            self._delete_failed = True  # again after the next download
        if isinstance(self._doing, Download) and is_broken(error):
            self._broken += 1
            if self._broken >= MAX_BROKEN and isinstance(error, Exception):
                self._end = Finish(error)
                return
        self._drop(now)

    def _drop(self, now: float) -> None:
        """Hang up (if connected), and reconnect after the next wait."""
        if self._connected:
            self._hangup = True
            self._connected = False
            if now - self._connected_at >= STABLE:
                self._backoff.reset()
        self._want = self._at_once = self._first_frame = False
        if self._wait is None:  # one wait per reconnection, however many failures
            self._wait = self._backoff.wait()


# -- The login line carries the secret: websockets logs every frame at DEBUG ----------


def stream_logger() -> logging.Logger:
    """The logger given to websockets: ``chump_typed.receive.websocket``, redacting
    the login line (the session's secret is in use, and the line has its shape)."""
    redact_loggers("chump_typed.receive.websocket")
    return logging.getLogger("chump_typed.receive.websocket")
