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
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Final,
    Protocol,
    Union,
    cast,
    runtime_checkable,
)

import attrs

from chump_typed._checks import MAX_RECIPIENTS, require_type
from chump_typed._scrub import kept, scrub_public
from chump_typed.errors import (
    PushoverError,
    QuotaExceededError,
    ValidationError,
)
from chump_typed.models import AnyNotification, SendResult

if TYPE_CHECKING:
    from chump_typed.e2ee import E2EEKey

#: What the package re-exports; the module's other names are internal.
__all__ = [
    "Failed",
    "NotAttempted",
    "SendOutcome",
    "Sent",
    "chunk_recipients",
]


@runtime_checkable
class Sender(Protocol):
    """What bulk sending needs of a client: one send. :class:`~chump_typed.Client` is
    one; the rules here do not depend on the rest of it."""

    def send(
        self, notification: AnyNotification, *, e2ee_key: E2EEKey | None = None
    ) -> SendResult:
        """Send one notification (end-to-end encrypted with *e2ee_key*), raising a
        :class:`PushoverError` if it fails."""
        ...


@runtime_checkable
class AsyncSender(Protocol):
    """What async bulk sending needs of a client: one awaited send
    (:class:`~chump_typed.AsyncClient` is one)."""

    async def send(
        self, notification: AnyNotification, *, e2ee_key: E2EEKey | None = None
    ) -> SendResult:
        """Send one notification (end-to-end encrypted with *e2ee_key*), raising a
        :class:`PushoverError` if it fails."""
        ...


#: Pushover's limit on concurrent connections from one client.
MAX_IN_FLIGHT: Final = 2


@attrs.frozen(kw_only=True)
class Sent:
    """Pushover accepted the notification."""

    #: The notification's position in the input (its repr hides the user key).
    index: int
    notification: AnyNotification
    result: SendResult
    error: None = attrs.field(default=None, init=False)


def _kept(error: PushoverError) -> PushoverError:
    """*error*, :func:`~chump_typed._scrub.kept` (an untyped caller may pass
    anything: it is kept as it is)."""
    if isinstance(error, BaseException):  # pyright: ignore[reportUnnecessaryIsInstance]
        kept(error)
    return error


@attrs.frozen(kw_only=True)
class Failed:
    """The send failed; ``error`` says how (an :class:`~chump_typed.APIError`, a
    :class:`~chump_typed.TransportError`, ...). It was not retried; a notification
    that could not even be encoded fails with a
    :class:`~chump_typed.ValidationError` and was not sent."""

    #: The notification's position in the input.
    index: int
    notification: AnyNotification
    #: Kept scrubbed: no frame it holds has a secret in its locals, and it keeps no
    #: frame of the run alive.
    error: PushoverError = attrs.field(converter=_kept)
    result: None = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True)
class NotAttempted:
    """Never sent, because the monthly quota ran out on an earlier notification."""

    #: The notification's position in the input.
    index: int
    notification: AnyNotification
    result: None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)


#: What happened to one notification of :meth:`~chump_typed.Client.send_many`.
SendOutcome = Union[Sent, Failed, NotAttempted]  # noqa: UP007 - a runtime alias on 3.10


def check_in_flight(max_in_flight: object) -> int:
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

    def __init__(
        self,
        client: Sender | AsyncSender,
        items: tuple[AnyNotification, ...],
        keys: tuple[E2EEKey | None, ...],
    ) -> None:
        self.client = client
        self.items = items
        self.keys = keys
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

    def record(self, index: int, outcome: SendResult | BaseException) -> bool:
        """Keep what sending notification *index* gave; whether to go on sending.

        The rules of a run, for the sync and the async sender alike: a result is
        :class:`Sent`; a spent quota is :class:`Failed` and stops the run; any other
        :class:`PushoverError` is :class:`Failed` and the run goes on; anything else
        (a bug, an interrupt) stops the run and is raised at its end."""
        notification = self.items[index]
        if isinstance(outcome, SendResult):
            self.outcomes[index] = Sent(
                index=index, notification=notification, result=outcome
            )
            return True
        if isinstance(outcome, PushoverError):
            self.outcomes[index] = Failed(
                index=index, notification=notification, error=outcome
            )
            if isinstance(outcome, QuotaExceededError):
                with self.lock:
                    self.stopped = True
            return True
        with self.lock:
            self.stopped = True
            self.crash = self.crash or outcome
        return False

    def work(self) -> None:
        """Send notifications until none are left or the run is stopped."""
        assert isinstance(self.client, Sender)
        while (index := self._claim()) is not None:
            try:
                outcome: SendResult | BaseException = self.client.send(
                    self.items[index], e2ee_key=self.keys[index]
                )
            except BaseException as error:  # sorted by record(): nothing is lost
                outcome = error
            if not self.record(index, outcome):
                return

    async def work_async(self) -> None:
        """:meth:`work` for an async sender. Cancellation is not an outcome: it
        propagates."""
        assert isinstance(self.client, AsyncSender)
        while (index := self._claim()) is not None:
            try:
                outcome: SendResult | BaseException = await self.client.send(
                    self.items[index], e2ee_key=self.keys[index]
                )
            except Exception as error:  # sorted by record(); cancellation propagates
                outcome = error
            if not self.record(index, outcome):
                return

    def finish(self) -> list[SendOutcome]:
        """The outcomes, or the run's unexpected error, noted with what was sent."""
        if self.crash is not None:
            _note_what_was_sent(self.crash, self.outcomes)
            raise self.crash
        return self.outcomes


def send_many(
    client: Sender,
    notifications: Iterable[AnyNotification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
) -> list[SendOutcome]:
    """Send every notification once and return their outcomes in the same order.

    At most *max_in_flight* sends run at once (each on its own pooled connection).
    A :class:`~chump_typed.QuotaExceededError` stops the run: notifications not yet
    started come back :class:`NotAttempted`. Any other :class:`PushoverError` is kept
    as that notification's :class:`Failed` outcome and the run goes on.

    *e2ee_key* encrypts every notification end to end: one key for all, or a mapping
    from user key to each recipient's key (every recipient needs one).

    :raises TypeError: an item is not a :class:`~chump_typed.Notification` or an
        :class:`~chump_typed.EmergencyNotification`, or a key not an :class:`~chump_typed.e2ee.E2EEKey` (checked before anything is sent).
    :raises ValidationError: *max_in_flight* is not 1 or 2, or a recipient has no
        key in the mapping.
    """
    in_flight = check_in_flight(max_in_flight)
    items = _checked(tuple(notifications))
    run = _Run(client, items, keys_for(items, e2ee_key))
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
    return run.finish()


async def send_many_async(
    client: AsyncSender,
    notifications: Iterable[AnyNotification] | AsyncIterable[AnyNotification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
) -> list[SendOutcome]:
    """:func:`send_many` for an async client: the same rules and outcomes, with at most
    *max_in_flight* sends awaited at once (anyio tasks, under asyncio or trio).
    *notifications* may be an async iterable; all are read and checked before the
    first is sent."""
    import anyio  # only async code gets here: the async extra brings it

    in_flight = check_in_flight(max_in_flight)
    if isinstance(notifications, AsyncIterable):
        collected = [n async for n in notifications]
    else:
        collected = list(notifications)
    items = _checked(tuple(collected))
    run = _Run(client, items, keys_for(items, e2ee_key))
    async with anyio.create_task_group() as senders:
        for _ in range(min(in_flight, len(run.items))):
            senders.start_soon(run.work_async)
    return run.finish()


def _checked(items: tuple[object, ...]) -> tuple[AnyNotification, ...]:
    """*items*, each a notification of either kind (checked before anything is
    sent)."""
    for position, item in enumerate(items):
        if not isinstance(item, AnyNotification):
            raise TypeError(
                f"notifications[{position}]: expected a Notification or an "
                f"EmergencyNotification, got a {type(item).__name__}"
            )
    return cast("tuple[AnyNotification, ...]", items)


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
    template: AnyNotification,
    users: Iterable[str],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
) -> list[SendOutcome]:
    """Send *template* to every key in *users*, 50 recipients per request.

    With *e2ee_key* (one key for all, or a mapping from user key to key), a request
    only carries users who share a key, since it carries one ciphertext: the users
    of the first key come first, 50 at a time, then those of the next.

    Every request is built (and every key checked) before the first is sent. Returns
    one outcome per request, in order (``index`` is the request's position, and its
    ``notification.user`` its comma-joined keys); see :func:`send_many`.

    When one key of a request is unknown, Pushover rejects the request with an
    :class:`~chump_typed.APIError` whose ``bad_inputs`` name ``user``; whether it then
    delivers to the request's other keys is not confirmed by Pushover's documentation
    (the fake Pushover delivers to none). :func:`repair_broadcast` finds the unknown
    keys of such requests and sends once more to the others.
    """
    batches, keys = _batches(template, users, e2ee_key)
    return send_many(
        client, batches, max_in_flight=max_in_flight, e2ee_key=keys or None
    )


async def broadcast_async(
    client: AsyncSender,
    template: AnyNotification,
    users: Iterable[str],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
) -> list[SendOutcome]:
    """:func:`broadcast` for an async client."""
    batches, keys = _batches(template, users, e2ee_key)
    return await send_many_async(
        client, batches, max_in_flight=max_in_flight, e2ee_key=keys or None
    )


def _batches(
    template: AnyNotification, users: Iterable[str], e2ee_key: E2EEKeys
) -> tuple[list[AnyNotification], dict[str, E2EEKey]]:
    """One notification per 50 keys sharing an E2EE key, all built (every key
    checked) up front; and the E2EE key of each user, if any."""
    if not isinstance(template, AnyNotification):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            "template: expected a Notification or an EmergencyNotification, got a "
            f"{type(template).__name__}"
        )
    if isinstance(users, str):
        raise TypeError("users: expected an iterable of keys, got a str")
    unique = list(dict.fromkeys(users))
    keys = _keys_of_users(unique, e2ee_key)
    groups: dict[E2EEKey | None, list[str]] = {}
    for user in unique:
        groups.setdefault(keys.get(user), []).append(user)
    batches = [
        attrs.evolve(template, user=group)
        for members in groups.values()
        for group in chunk_recipients(members)
    ]
    return batches, keys


#: What a bulk send takes as ``e2ee_key``: none, one key for all, or each user's key.
E2EEKeys = Union["E2EEKey", Mapping[str, "E2EEKey"], None]


def keys_for(
    items: Sequence[AnyNotification], e2ee_key: E2EEKeys
) -> tuple[E2EEKey | None, ...]:
    """The E2EE key of each notification (all checked before anything is sent): the
    one key given, or the key its recipients share in the mapping given."""
    if e2ee_key is None:
        return (None,) * len(items)
    by_user = _keys_of_users(
        [user for item in items for user in item.user.split(",")], e2ee_key
    )
    chosen: list[E2EEKey | None] = []
    for position, item in enumerate(items):
        shared = {by_user[user] for user in item.user.split(",")}
        if len(shared) > 1:
            raise ValidationError(
                "e2ee_key",
                f"notifications[{position}] goes to users with different keys: one "
                "request carries one ciphertext (broadcast() groups users by key)",
            )
        chosen.append(shared.pop())
    return tuple(chosen)


def _keys_of_users(users: Sequence[str], e2ee_key: E2EEKeys) -> dict[str, E2EEKey]:
    """Each user's E2EE key (none when *e2ee_key* is ``None``); every user must have
    one, or their message would go out unencrypted. Never names a user key."""
    if e2ee_key is None:
        return {}
    from chump_typed.e2ee import E2EEKey  # the e2ee extra: only when keys are given

    if isinstance(e2ee_key, E2EEKey):
        return dict.fromkeys(users, e2ee_key)
    if not isinstance(e2ee_key, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            "e2ee_key: expected an E2EEKey or a mapping from user key to E2EEKey, "
            f"got a {type(e2ee_key).__name__}"
        )
    for value in e2ee_key.values():
        if not isinstance(value, E2EEKey):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"e2ee_key: expected E2EEKey values, got a {type(value).__name__}"
            )
    missing = sum(1 for user in set(users) if user not in e2ee_key)
    if missing:
        raise ValidationError(
            "e2ee_key",
            f"has no key for {missing} of the {len(set(users))} recipients: each "
            "needs one (nothing is sent in clear when encryption is asked for)",
        )
    return {user: e2ee_key[user] for user in users}


scrub_public(globals())
