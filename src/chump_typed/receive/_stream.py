"""The realtime stream's rules, without I/O: what each frame means, which downloaded
messages to yield, when to delete, how long to wait before reconnecting, and the
redaction of the login line. The sync and async listeners drive these with their own
WebSocket and HTTP calls.

After each login the listener downloads once more on the first frame that arrives:
the login is never answered, so that frame is the first sign the server has taken it.

Delivery point: a message counts as *taken* when the consumer asks for the next one.
What was taken is deleted on the server (``delete_through``) before the listener
waits for more, so a message is deleted only after the consumer has it; one yielded
but not yet taken when the process stops comes again on the next run (at least once
across restarts, exactly once within a stream).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Iterator
from typing import Final

from chump_typed._logfilter import redact_loggers
from chump_typed.errors import LoggedInElsewhereError, PushRejectedError
from chump_typed.models import ReceivedMessage

__all__ = [
    "DEFAULT_SILENCE",
    "FIRST_WAIT",
    "LONGEST_WAIT",
    "Action",
    "Progress",
    "actions",
    "login_line",
    "proxy_for",
    "reconnect_waits",
    "step",
    "stream_logger",
]

#: Seconds without any frame after which the socket is taken for dead and replaced.
#: Pushover sends keep-alives (``#``) well within it (it does not document how often).
DEFAULT_SILENCE: Final = 90.0
#: The first wait before reconnecting after a drop; each failure doubles it ...
FIRST_WAIT: Final = 1.0
#: ... up to this.
LONGEST_WAIT: Final = 60.0


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


def reconnect_waits(first: float = FIRST_WAIT) -> Iterator[float]:
    """The waits before each reconnection attempt after a drop: *first*, doubling, at
    most :data:`LONGEST_WAIT` (a successful login starts the series again)."""
    wait = first
    while True:
        yield wait
        wait = min(LONGEST_WAIT, wait * 2 if wait else 0.0)


class Progress:
    """What one stream has yielded and what the consumer has taken."""

    def __init__(self) -> None:
        #: The highest id yielded; later downloads skip what is not above it.
        self.yielded: int | None = None
        #: The highest id taken (the consumer asked for the next message).
        self.taken: int | None = None
        #: The highest id deleted on the server.
        self.deleted: int | None = None

    def fresh(self, messages: Iterable[ReceivedMessage]) -> list[ReceivedMessage]:
        """The downloaded *messages* not yielded yet, in id order, each id once."""
        new: dict[int, ReceivedMessage] = {}
        for message in messages:
            if self.yielded is None or message.id > self.yielded:
                new.setdefault(message.id, message)
        return [new[number] for number in sorted(new)]

    def give(self, message: ReceivedMessage) -> None:
        """*message* is being yielded."""
        self.yielded = message.id

    def took(self, message: ReceivedMessage) -> None:
        """The consumer asked for the message after *message*."""
        self.taken = message.id

    def to_delete(self) -> int | None:
        """The id to delete through, if something taken is still on the server."""
        if self.taken is None or (
            self.deleted is not None and self.taken <= self.deleted
        ):
            return None
        return self.taken

    def deleted_through(self, message_id: int) -> None:
        self.deleted = message_id


# -- The login line carries the secret: websockets logs every frame at DEBUG ----------


def stream_logger() -> logging.Logger:
    """The logger given to websockets: ``chump_typed.receive.websocket``, redacting
    the login line (the session's secret is in use, and the line has its shape)."""
    redact_loggers("chump_typed.receive.websocket")
    return logging.getLogger("chump_typed.receive.websocket")
