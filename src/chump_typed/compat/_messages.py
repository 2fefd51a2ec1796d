"""chump's ``Message`` and ``EmergencyMessage``, and the priority constants.

Each message holds an immutable :class:`~chump_typed.models.Notification` (or
:class:`~chump_typed.models.EmergencyNotification`) snapshot;
setting an attribute validates by building the next snapshot, so an invalid message
cannot be sent. A send tells the message's user and application what Pushover said,
through their own methods, for the token and key the send was made with.
"""

from __future__ import annotations

import datetime as _dt
import threading
import warnings
from collections.abc import Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    Generic,
    Literal,
    TypeVar,
    cast,
    overload,
)

import attrs

from chump_typed._checks import check_timestamp, describe_int, require_type
from chump_typed._epoch import epoch_to_datetime
from chump_typed._scrub import kept, scrub_public
from chump_typed.errors import APIError, ValidationError
from chump_typed.models import (
    EXPIRE_MAX,
    AnyNotification,
    Attachment,
    EmergencySendResult,
    Priority,
    SendResult,
    notification_for,
)
from chump_typed.models.attachment import AttachmentSource, read_attachment

if TYPE_CHECKING:
    from chump_typed.compat._user import User
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "DEFAULT_EXPIRE",
    "DEFAULT_RETRY",
    "EMERGENCY",
    "HIGH",
    "LOW",
    "LOWEST",
    "NORMAL",
    "EmergencyMessage",
    "EmergencyPriority",
    "Message",
    "OtherPriority",
    "Timestamp",
]

LOWEST: Final = -2
"""Message priority: no sound, no vibration, no banner."""
LOW: Final = -1
"""Message priority: no sound, no vibration, banner."""
NORMAL: Final = 0
"""Message priority: sound, vibration and banner outside the user's quiet hours."""
HIGH: Final = 1
"""Message priority: sound, vibration and banner regardless of quiet hours."""
EMERGENCY: Final = 2
"""Message priority: like HIGH, and re-alerts until acknowledged."""

#: chump's default ``retry`` for emergency messages, in seconds.
DEFAULT_RETRY: Final = 30
#: Default ``expire``: Pushover's current maximum (chump used 86400, no longer allowed).
DEFAULT_EXPIRE: Final = EXPIRE_MAX

_UTC: Final = _dt.timezone.utc

EmergencyPriority = Literal[2, Priority.EMERGENCY]
OtherPriority = Literal[
    -2, -1, 0, 1, Priority.LOWEST, Priority.LOW, Priority.NORMAL, Priority.HIGH
]
Timestamp = _dt.datetime | int | None


def _now() -> _dt.datetime:
    return _dt.datetime.now(_UTC)


def _as_datetime(timestamp: Timestamp) -> _dt.datetime | None:
    """chump shows ``timestamp`` as a datetime even when given Unix seconds, and takes
    a naive datetime as UTC, with chump's warning."""
    if isinstance(timestamp, _dt.datetime) and timestamp.utcoffset() is None:
        warnings.warn("Naïve datetime received: assuming UTC", RuntimeWarning, 3)
        return timestamp.replace(tzinfo=_UTC)
    if timestamp is None or isinstance(timestamp, _dt.datetime):
        return timestamp
    check_timestamp("timestamp", timestamp)  # the range the typed models accept
    return epoch_to_datetime(timestamp)


T = TypeVar("T")


def _is_user_like(value: object) -> bool:
    """Whether *value* has what a message needs of its
    :class:`~chump_typed.compat.User` (told without importing it: the user module
    imports this one). Plain ``hasattr`` rather than a runtime-checkable protocol,
    whose ``isinstance`` costs about 17 us on Python 3.11, once per message."""
    return hasattr(value, "token") and hasattr(value, "app")


class _Param(Generic[T]):
    """A message attribute read from, and written into, the message's snapshot.

    Writing builds a new :class:`Notification`, which validates the value.
    """

    name: str

    def __set_name__(self, owner: type[Message], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Message]) -> _Param[T]: ...
    @overload
    def __get__(self, obj: Message, owner: type[Message]) -> T: ...
    def __get__(self, obj: Message | None, owner: type[Message]) -> _Param[T] | T:
        if obj is None:
            return self
        # An emergency has no ttl: it reads as unset, as on chump's EmergencyMessage.
        return cast("T", getattr(obj.notification, self.name, None))

    def __set__(self, obj: Message, value: T) -> None:
        obj.update(**{self.name: value})


#: The message parameters that can be set (as attributes, or with ``update``).
_PARAMETERS: Final = frozenset(
    {
        "message",
        "html",
        "title",
        "timestamp",
        "url",
        "url_title",
        "device",
        "priority",
        "sound",
        "monospace",
        "ttl",
        "attachment",
        "callback",
        "retry",
        "expire",
        "tags",
    }
)


class Message:
    """A Pushover message to a :class:`User`; every parameter is an attribute.

    Arguments are those of :meth:`User.create_message`. Setting an attribute validates
    it at once (:class:`~chump_typed.errors.ValidationError` names the field and bound).
    """

    message = _Param[str]()
    html = _Param[bool]()
    title = _Param[str | None]()
    url = _Param[str | None]()
    url_title = _Param[str | None]()
    device = _Param[str | None]()
    sound = _Param[str | None]()
    monospace = _Param[bool]()
    ttl = _Param[int | None]()
    attachment = _Param[Attachment | None]()
    """The image sent with the message (set an :class:`Attachment`, or ``None``)."""

    user: User
    """The recipient."""
    id: str | None
    """Pushover's id for the sending request, once sent; otherwise ``None``."""
    is_sent: bool
    """Whether the last :meth:`send` succeeded."""
    sent_at: _dt.datetime | None
    """When the message was sent (UTC), otherwise ``None``."""
    error: APIError | None
    """The :class:`APIError` of a rejected send, otherwise ``None``."""

    def __init__(
        self,
        user: User,
        message: str,
        html: bool = False,
        title: str | None = None,
        timestamp: Timestamp = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        priority: int = NORMAL,
        sound: str | None = None,
        *,
        monospace: bool = False,
        ttl: int | None = None,
        users: Sequence[User | str] = (),
        attachment: AttachmentSource | None = None,
    ) -> None:
        _check_kind(self, priority)
        self._init(
            user,
            users,
            message=message,
            html=html,
            title=title,
            timestamp=_as_datetime(timestamp),
            url=url,
            url_title=url_title,
            device=device,
            priority=_as_priority(priority),
            sound=sound,
            monospace=monospace,
            ttl=ttl,
            attachment=_load_attachment(attachment),
        )

    def _init(self, user: User, users: Sequence[User | str], **fields: Any) -> None:
        if not _is_user_like(user):
            raise TypeError(f"user: expected a User, got a {type(user).__name__}")
        self.user = user
        _check_shared_key(user, users)
        self._others = _other_keys(users)
        self._draft = notification_for(
            user=_recipients(user.token, self._others), **fields
        )
        self.id = None
        self.is_sent = False
        self.sent_at = None
        self.error = None
        # send() and poll() are serialised on the message: one POST per send, whatever
        # the threads do. _sends counts finished sends, so a send() that waited for
        # another one to finish takes its outcome instead of sending again.
        self._lock = threading.RLock()
        self._sends = 0

    @property
    def timestamp(self) -> _dt.datetime | None:
        """The time shown on the message instead of its arrival time (UTC)."""
        value = self._draft.timestamp
        return value if not isinstance(value, int) else epoch_to_datetime(value)

    @timestamp.setter
    def timestamp(self, value: Timestamp) -> None:
        self.update(timestamp=value)

    @property
    def priority(self) -> int:
        """The priority, -2 to 2 (see the module constants)."""
        return int(self._draft.priority)

    @priority.setter
    def priority(self, value: int) -> None:
        self.update(priority=value)

    @property
    def notification(self) -> AnyNotification:
        """The immutable request this message sends, as it stands now."""
        recipients = _recipients(self.user.token, self._others)
        if recipients == self._draft.user:
            return self._draft  # frozen and already validated: no copy to check again
        return attrs.evolve(self._draft, user=recipients)

    def update(self, **changes: Any) -> None:
        """Change several parameters at once, validated together (for example
        ``html=False, monospace=True``, which one at a time would pass through a
        state with both set). Setting one attribute is ``update`` of that one."""
        unknown = sorted(set(changes) - _PARAMETERS)
        if unknown:
            raise TypeError(f"{unknown[0]}: not a parameter of the message")
        if "timestamp" in changes:
            changes["timestamp"] = _as_datetime(changes["timestamp"])
        if "priority" in changes:
            changes["priority"] = _as_priority(changes["priority"])
            _check_kind(self, changes["priority"])
        draft = self._draft
        fields = {
            field.name: getattr(draft, field.name)
            for field in attrs.fields(type(draft))
        }
        # Rebuilt rather than evolved: a change of priority may change its kind, and
        # notification_for says what does not go with the priority.
        self._draft = notification_for(**{**fields, **changes})

    def send(self) -> bool:
        """Send the message (again, if it was sent before).

        Calls from several threads at once make one request: a ``send()`` that had to
        wait for another thread's send of this message returns that send's outcome.

        :returns: whether Pushover accepted it. A rejection returns ``False`` and keeps
            the :class:`APIError` in :attr:`error`; a transport failure raises.
        """
        observed = self._sends
        with self._lock:
            if self._sends != observed:  # another thread sent it while we waited
                return self.is_sent
            return self._send_counted()

    def _send_counted(self) -> bool:
        try:
            return self._send_now()
        finally:
            self._sends += 1

    def _forget_sent(self) -> None:
        """Clear what the last send left (a hook: emergencies clear their receipt)."""

    def _send_now(self) -> bool:
        """The request itself; the caller holds the message's lock."""
        self._forget_sent()
        self.id = None
        self.is_sent = False
        self.sent_at = None
        self.error = None
        user = self.user
        app = user.app
        token, key = app.token, user.token  # what the answer will be about
        notification = self.notification
        try:
            result = app.client.send(notification, e2ee_key=_e2ee_key_of(user))
        except APIError as error:
            # Like chump, a rejection leaves app.limit & co. alone (they describe sent
            # messages); a 429 keeps its limits in error.rate_limit.
            self.error = kept(error)
            if "token" in error.bad_inputs:
                app.token_rejected(token)
                user.user_unknown(key)
            elif "user" in error.bad_inputs:
                user.user_rejected(key)
            return False
        self.is_sent = True
        self.sent_at = _now()
        self.id = result.request
        user.user_accepted(key)
        app.token_accepted(token)
        app.rate_limit_reported(result.rate_limit)
        self._sent(result)
        return True

    def _sent(self, result: SendResult) -> None:
        """Hook for :class:`EmergencyMessage` to keep its receipt."""

    def __str__(self) -> str:
        return f"({self.title}) {self.message}" if self.title else self.message

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id!r} is_sent={self.is_sent!r}>"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, type(self))
            and self.id is not None
            and self.id == other.id
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like chump's: unhashable


def _load_attachment(source: AttachmentSource | None) -> Attachment | None:
    return None if source is None else read_attachment(source)


def _check_kind(message: Message, priority: int) -> None:
    """A plain :class:`Message` never becomes an emergency (chump's rule)."""
    if priority == EMERGENCY and not isinstance(message, EmergencyMessage):
        raise ValidationError(
            "priority", "EMERGENCY messages are EmergencyMessage objects"
        )


def _as_priority(value: int) -> Priority:
    require_type("priority", value, int)
    try:
        return Priority(value)
    except ValueError:
        raise ValidationError(
            "priority", f"must be between -2 and 2, got {describe_int(value)}"
        ) from None


def _other_keys(users: Sequence[User | str]) -> tuple[str, ...]:
    if isinstance(users, str):
        raise TypeError("users: expected a sequence of users or keys, got a str")
    keys: list[str] = []
    for position, item in enumerate(users):
        if isinstance(item, str):
            keys.append(item)
        elif _is_user_like(item):
            keys.append(item.token)
        else:
            raise TypeError(
                f"users[{position}]: expected a User or a key, "
                f"got a {type(item).__name__}"
            )
    return tuple(keys)


def _e2ee_key_of(user: object) -> E2EEKey | None:
    key: E2EEKey | None = getattr(user, "e2ee_key", None)
    return key


def _check_shared_key(user: object, users: Sequence[object]) -> None:
    """An encrypted message carries one ciphertext: its other recipients must be
    :class:`User` objects with the same key (checked before anything is sent)."""
    key = _e2ee_key_of(user)
    if key is None or not users:
        return
    if any(_e2ee_key_of(other) != key for other in users):
        raise ValidationError(
            "users",
            "a message to a user with an e2ee_key goes encrypted: its other "
            "recipients must be Users with the same e2ee_key",
        )


def _recipients(first: str, others: tuple[str, ...]) -> str:
    return ",".join((first, *others)) if others else first


class EmergencyMessage(Message):
    """A message of priority :data:`EMERGENCY`: it re-alerts until acknowledged.

    Arguments are those of :class:`Message` plus ``callback``, ``retry`` (>= 30 s) and
    ``expire`` (<= 10800 s, the default). ``send()`` does not poll; call :meth:`poll`.
    """

    callback = _Param[str | None]()
    retry = _Param[int]()
    expire = _Param[int]()
    tags = _Param[str | None]()

    receipt: str | None
    """The receipt to poll with, once sent."""
    last_polled_at: _dt.datetime | None
    """When the receipt was last polled."""
    last_delivered_at: _dt.datetime | None
    """When the message was last delivered."""
    is_acknowledged: bool | None
    """Whether a user acknowledged the message (``None`` before the first poll)."""
    acknowledged_at: _dt.datetime | None
    """When it was acknowledged, otherwise ``None``."""
    acknowledged_by: User | None
    """The first user to acknowledge it, otherwise ``None``."""
    is_expired: bool | None
    """Whether re-alerting has expired (``None`` before the first poll)."""
    expires_at: _dt.datetime | None
    """When re-alerting stops."""
    is_called_back: bool | None
    """Whether Pushover has called the callback URL (``None`` before the first poll)."""
    called_back_at: _dt.datetime | None
    """When the callback URL was called, otherwise ``None``."""

    def __init__(
        self,
        user: User,
        message: str,
        html: bool = False,
        title: str | None = None,
        timestamp: Timestamp = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        sound: str | None = None,
        callback: str | None = None,
        retry: int = DEFAULT_RETRY,
        expire: int = DEFAULT_EXPIRE,
        *,
        monospace: bool = False,
        tags: str | None = None,
        users: Sequence[User | str] = (),
        attachment: AttachmentSource | None = None,
    ) -> None:
        self._init(
            user,
            users,
            message=message,
            html=html,
            title=title,
            timestamp=_as_datetime(timestamp),
            url=url,
            url_title=url_title,
            device=device,
            priority=Priority.EMERGENCY,
            sound=sound,
            monospace=monospace,
            callback=callback,
            retry=retry,
            expire=expire,
            tags=tags,
            attachment=_load_attachment(attachment),
        )
        self.last_polled_at = None
        self._clear_receipt()

    def _clear_receipt(self) -> None:
        self.receipt = None
        self.last_delivered_at = None
        self.is_acknowledged = None
        self.acknowledged_at = None
        self.acknowledged_by = None
        self.is_expired = None
        self.expires_at = None
        self.is_called_back = None
        self.called_back_at = None

    def _forget_sent(self) -> None:
        self._clear_receipt()

    def _sent(self, result: SendResult) -> None:
        self.receipt = (
            result.receipt if isinstance(result, EmergencySendResult) else None
        )

    def poll(self) -> bool | None:
        """Poll the receipt, sending the message first if it was not sent.

        Serialised with :meth:`Message.send` on the message: however many threads poll an
        unsent message at once, it is sent once.

        :returns: ``True`` while the message is neither acknowledged nor expired,
            ``False`` once it is, ``None`` if there is no receipt to poll with.
        """
        observed = self._sends
        with self._lock:
            if not self.is_sent and self._sends == observed:
                self._send_counted()
            return self._poll_receipt()

    def _poll_receipt(self) -> bool | None:
        if self.receipt is None:
            return None
        if not (self.is_expired and self.is_acknowledged and self.is_called_back):
            state = self.user.app.client.receipt(self.receipt)
            self.last_polled_at = _now()
            self.is_acknowledged = state.acknowledged
            self.is_expired = state.expired
            self.is_called_back = state.called_back
            # Like chump: a time that has not happened leaves the attribute as it was.
            for name in (
                "acknowledged_at",
                "expires_at",
                "called_back_at",
                "last_delivered_at",
            ):
                value = getattr(state, name)
                if value is not None:
                    setattr(self, name, value)
            if state.acknowledged_by:
                self.acknowledged_by = (
                    self.user
                    if state.acknowledged_by == self.user.token
                    else self.user.app.get_user(state.acknowledged_by)
                )
        return not (self.is_acknowledged or self.is_expired)

    def cancel(self) -> bool:
        """Stop re-alerting. Returns ``False`` without any request if the message has
        no receipt; a rejection raises :class:`APIError`, as in chump."""
        if self.receipt is None:
            return False
        self.user.app.client.cancel(self.receipt)
        self.last_polled_at = _now()
        return True

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EmergencyMessage)
            and self.receipt is not None
            and self.receipt == other.receipt
        )


scrub_public(globals())
