"""Sending many notifications: one typed outcome per notification, in order.

Pushover allows at most two concurrent connections per client and asks for keep-alive;
a bulk send (:mod:`chump_typed._bulk_run` runs it) keeps at most ``max_in_flight`` (1
or 2) sends running on the client's pooled transport, reads its input as it goes,
never resends anything (a failed send is reported, not retried here), and stops
reading once Pushover says the monthly quota is spent (or the client's budget is):
what was read and not sent is reported :class:`NotAttempted`. An error or a
cancellation that cuts a run short carries a :class:`SendProgress`.

:func:`chunk_recipients` turns a list of user keys into the fewest messages Pushover
accepts (50 comma-joined keys each); ``broadcast`` sends one notification to all.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
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
    "SendProgress",
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
    #: The notification sent.
    notification: AnyNotification
    #: Pushover's answer.
    result: SendResult
    #: Always None: nothing failed.
    error: None = attrs.field(default=None, init=False)


def _kept(error: PushoverError | TypeError) -> PushoverError | TypeError:
    """*error*, :func:`~chump_typed._scrub.kept` (an untyped caller may pass
    anything: it is kept as it is)."""
    if isinstance(error, BaseException):  # pyright: ignore[reportUnnecessaryIsInstance]
        kept(error)
    return error


@attrs.frozen(kw_only=True)
class Failed:
    """The send failed; ``error`` says how (an :class:`~chump_typed.APIError`, a
    :class:`~chump_typed.TransportError`, ...). It was not retried. A notification
    that could not even be encoded, or whose recipients have no E2EE key in the
    mapping given, fails with a :class:`~chump_typed.ValidationError`, and an item
    that is not a notification with a :class:`TypeError` (``notification`` is then
    that item, as given): neither was sent."""

    #: The notification's position in the input.
    index: int
    #: The notification that was not sent.
    notification: AnyNotification
    #: Kept scrubbed: no frame it holds has a secret in its locals, and it keeps no
    #: frame of the run alive.
    error: PushoverError | TypeError = attrs.field(converter=_kept)
    #: Always None: there is no answer.
    result: None = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True)
class NotAttempted:
    """Never sent, because the monthly quota ran out on an earlier notification."""

    #: The notification's position in the input.
    index: int
    #: The notification left unsent.
    notification: AnyNotification
    #: Always None: nothing was sent.
    result: None = attrs.field(default=None, init=False)
    #: Always None: nothing was tried.
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


#: What a bulk send calls with each outcome as it is known (``on_outcome=``).
OnOutcome = Callable[["SendOutcome"], object]

#: The attribute of an error that cut a bulk send short: its :class:`SendProgress`.
PROGRESS: Final = "send_progress"


@attrs.frozen(kw_only=True)
class SendProgress:
    """How far a bulk send had gone when an error or a cancellation cut it short:
    found on that error as its ``send_progress`` attribute (and told in a note).

    ``outcomes`` are those the caller has not been given: for
    :meth:`~chump_typed.Client.send_many` and
    :meth:`~chump_typed.Client.broadcast`, one for every notification read (they
    returned no list); for :meth:`~chump_typed.Client.send_iter`, those read since
    the last outcome it yielded. A send cut off in flight is :class:`Failed` with a
    :class:`~chump_typed.TransportError` whose ``may_have_been_sent`` is true; one
    not started is :class:`NotAttempted`. The first *read* notifications of the input
    were read; none after them was read or sent (an iterator given still holds them).
    """

    #: How many notifications were taken from the input.
    read: int
    #: The outcomes the caller has not been given (see above).
    outcomes: tuple[SendOutcome, ...]

    @property
    def not_sent(self) -> tuple[AnyNotification, ...]:
        """The notifications of :attr:`outcomes` that were never sent
        (:class:`NotAttempted`): what to send again, with those not read."""
        return tuple(
            o.notification for o in self.outcomes if isinstance(o, NotAttempted)
        )

    @classmethod
    def of(cls, error: BaseException) -> SendProgress | None:
        """The progress *error* carries, or the error it was raised from (as
        :func:`asyncio.wait_for`'s ``TimeoutError`` is, from the cancellation),
        if any."""
        seen: set[int] = set()
        found: BaseException | None = error
        while found is not None and id(found) not in seen:
            progress = getattr(found, PROGRESS, None)
            if isinstance(progress, SendProgress):
                return progress
            seen.add(id(found))
            found = found.__cause__ or found.__context__
        return None


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


def batches(
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


def _keys_of_users(users: Sequence[str], e2ee_key: E2EEKeys) -> dict[str, E2EEKey]:
    """Each user's E2EE key (none when *e2ee_key* is ``None``); every user must have
    one, or their message would go out unencrypted. Never names a user key."""
    if e2ee_key is None:
        return {}
    from chump_typed.e2ee import E2EEKey  # the e2ee extra: only when keys are given

    if isinstance(e2ee_key, E2EEKey):
        return dict.fromkeys(users, e2ee_key)
    check_key_mapping(e2ee_key)
    missing = sum(1 for user in set(users) if user not in e2ee_key)
    if missing:
        raise ValidationError(
            "e2ee_key",
            f"has no key for {missing} of the {len(set(users))} recipients: each "
            "needs one (nothing is sent in clear when encryption is asked for)",
        )
    return {user: e2ee_key[user] for user in users}


def check_key_mapping(e2ee_key: object) -> None:
    """*e2ee_key* is a mapping from user keys to E2EE keys (checked whole: it is
    given whole)."""
    from chump_typed.e2ee import E2EEKey

    if not isinstance(e2ee_key, Mapping):
        raise TypeError(
            "e2ee_key: expected an E2EEKey or a mapping from user key to E2EEKey, "
            f"got a {type(e2ee_key).__name__}"
        )
    for value in cast("Mapping[object, object]", e2ee_key).values():
        if not isinstance(value, E2EEKey):
            raise TypeError(
                f"e2ee_key: expected E2EEKey values, got a {type(value).__name__}"
            )


scrub_public(globals())
