"""Sending many notifications: one typed outcome per notification, in order.

Pushover allows at most two concurrent connections per client and asks for keep-alive;
:func:`send_many` keeps at most ``max_in_flight`` (1 or 2) sends running on worker
threads that share the client's pooled transport, never resends anything (a failed send
is reported, not retried here), and stops taking new notifications once Pushover says
the monthly quota is spent: the rest are reported :class:`NotAttempted` and never sent.

:func:`chunk_recipients` turns a list of user keys into the fewest messages Pushover
accepts (50 comma-joined keys each); :func:`broadcast` sends one notification to all.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Sequence
from typing import Final, Protocol, Union

import attrs

from chump_typed._checks import MAX_RECIPIENTS, require_type
from chump_typed.errors import PushoverError, QuotaExceededError, ValidationError
from chump_typed.models import Notification, SendResult

__all__ = [
    "MAX_IN_FLIGHT",
    "Failed",
    "NotAttempted",
    "SendOutcome",
    "Sender",
    "Sent",
    "broadcast",
    "chunk_recipients",
    "send_many",
]


class Sender(Protocol):
    """What bulk sending needs of a client: one send. :class:`~chump_typed.Client` is
    one; the rules here do not depend on the rest of it."""

    def send(self, notification: Notification) -> SendResult:
        """Send one notification, raising a :class:`PushoverError` if it fails."""
        ...


#: Pushover's limit on concurrent connections from one client.
MAX_IN_FLIGHT: Final = 2


@attrs.frozen(kw_only=True)
class Sent:
    """Pushover accepted the notification."""

    #: The notification's position in the input (its repr hides the user key).
    index: int
    notification: Notification
    result: SendResult
    error: None = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True)
class Failed:
    """The send failed; ``error`` says how (an :class:`~chump_typed.APIError`, a
    :class:`~chump_typed.TransportError`, ...). It was not retried; a notification
    that could not even be encoded fails with a
    :class:`~chump_typed.ValidationError` and was not sent."""

    #: The notification's position in the input.
    index: int
    notification: Notification
    error: PushoverError
    result: None = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True)
class NotAttempted:
    """Never sent, because the monthly quota ran out on an earlier notification."""

    #: The notification's position in the input.
    index: int
    notification: Notification
    result: None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)


#: What happened to one notification of :meth:`~chump_typed.Client.send_many`.
SendOutcome = Union[Sent, Failed, NotAttempted]  # noqa: UP007 - a runtime alias on 3.10


def _check_in_flight(max_in_flight: object) -> int:
    require_type("max_in_flight", max_in_flight, int)
    assert isinstance(max_in_flight, int)
    if not 1 <= max_in_flight <= MAX_IN_FLIGHT:
        raise ValidationError(
            "max_in_flight",
            f"must be 1 or {MAX_IN_FLIGHT} (Pushover allows at most "
            f"{MAX_IN_FLIGHT} concurrent connections), got {max_in_flight}",
        )
    return max_in_flight


class _Run:
    """The shared state of one :func:`send_many`: a cursor over the notifications, the
    outcome slots, and the stop flag raised by a spent quota or an unexpected error."""

    def __init__(self, client: Sender, items: tuple[Notification, ...]) -> None:
        self.client = client
        self.items = items
        self.outcomes: list[SendOutcome] = [
            NotAttempted(index=i, notification=n) for i, n in enumerate(items)
        ]
        self.lock = threading.Lock()
        self.cursor = 0
        self.stopped = False
        self.crash: BaseException | None = None

    def _claim(self) -> int | None:
        with self.lock:
            if self.stopped or self.cursor >= len(self.items):
                return None
            index = self.cursor
            self.cursor += 1
            return index

    def work(self) -> None:
        """Send notifications until none are left or the run is stopped."""
        while (index := self._claim()) is not None:
            notification = self.items[index]
            try:
                result = self.client.send(notification)
            except QuotaExceededError as error:
                self.outcomes[index] = Failed(
                    index=index, notification=notification, error=error
                )
                with self.lock:
                    self.stopped = True
            except PushoverError as error:
                self.outcomes[index] = Failed(
                    index=index, notification=notification, error=error
                )
            except BaseException as crash:  # a bug or an interrupt: stop, re-raise
                with self.lock:
                    self.stopped = True
                    self.crash = self.crash or crash
                return
            else:
                self.outcomes[index] = Sent(
                    index=index, notification=notification, result=result
                )


def send_many(
    client: Sender,
    notifications: Iterable[Notification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> list[SendOutcome]:
    """Send every notification once and return their outcomes in the same order.

    At most *max_in_flight* sends run at once (each on its own pooled connection).
    A :class:`~chump_typed.QuotaExceededError` stops the run: notifications not yet
    started come back :class:`NotAttempted`. Any other :class:`PushoverError` is kept
    as that notification's :class:`Failed` outcome and the run goes on.

    :raises TypeError: an item is not a :class:`~chump_typed.Notification` (checked
        before anything is sent).
    :raises ValidationError: *max_in_flight* is not 1 or 2.
    """
    in_flight = _check_in_flight(max_in_flight)
    items = tuple(notifications)
    for position, item in enumerate(items):
        if not isinstance(item, Notification):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"notifications[{position}]: expected a Notification, "
                f"got a {type(item).__name__}"
            )
    run = _Run(client, items)
    helpers = [
        threading.Thread(target=run.work, name=f"chump-typed-send-{n}", daemon=True)
        for n in range(1, min(in_flight, len(items)))
    ]
    for helper in helpers:
        helper.start()
    try:
        run.work()  # the calling thread is one of the senders
    finally:
        for helper in helpers:
            helper.join()
    if run.crash is not None:
        _note_what_was_sent(run.crash, run.outcomes)
        raise run.crash
    return run.outcomes


def _note_what_was_sent(crash: BaseException, outcomes: Sequence[SendOutcome]) -> None:
    """Tell whoever catches an unexpected error which notifications went out before
    it, so that a retry of the batch need not send them twice (PEP 678 note, 3.11+)."""
    sent = [o.index for o in outcomes if isinstance(o, Sent)]
    note = (
        f"chump_typed.send_many: {len(sent)} of {len(outcomes)} notifications "
        f"were sent before this error, at positions {sent}"
    )
    # BaseException.add_note is 3.11+; on 3.10 the attribute it fills is set directly.
    with contextlib.suppress(AttributeError, TypeError):
        setattr(crash, "__notes__", [*getattr(crash, "__notes__", ()), note])  # noqa: B010 - 3.10 knows no __notes__


def chunk_recipients(users: Iterable[str], *, size: int = MAX_RECIPIENTS) -> list[str]:
    """Join *users* into comma-separated groups of at most *size* (Pushover: 50) keys,
    in order, each key once. The keys themselves are checked when a
    :class:`~chump_typed.Notification` is built from a group."""
    require_type("size", size, int)
    if not 1 <= size <= MAX_RECIPIENTS:
        raise ValidationError(
            "size", f"must be between 1 and {MAX_RECIPIENTS}, got {size}"
        )
    if isinstance(users, str):
        raise TypeError("users: expected an iterable of keys, got a str")
    keys: Sequence[str] = list(dict.fromkeys(users))
    return [",".join(keys[i : i + size]) for i in range(0, len(keys), size)]


def broadcast(
    client: Sender,
    template: Notification,
    users: Iterable[str],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> list[SendOutcome]:
    """Send *template* to every key in *users*, 50 recipients per request.

    Every request is built (and every key checked) before the first is sent. Returns
    one outcome per request, in order; see :func:`send_many`.
    """
    if not isinstance(template, Notification):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f"template: expected a Notification, got a {type(template).__name__}"
        )
    batches = [attrs.evolve(template, user=group) for group in chunk_recipients(users)]
    return send_many(client, batches, max_in_flight=max_in_flight)
