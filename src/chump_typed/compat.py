"""chump's interface, on top of the typed core.

``Application``, ``User``, ``Message`` and ``EmergencyMessage`` keep chump 1.6.0's names,
signatures and behaviour: mutable objects with lazily loaded attributes, ``send()``
returning a bool and keeping the :class:`~chump_typed.errors.APIError` in ``.error``.
Underneath, each message holds an immutable :class:`~chump_typed.models.Notification`
snapshot; setting an attribute validates by building the next snapshot, so an invalid
message cannot be sent. The deliberate differences from chump are listed in
``docs/migrating.md``; the main ones: ``expire`` is at most 10800 (Pushover's current
limit), setters never do network I/O, tokens are redacted from reprs, and an emergency
``send()`` does not poll behind your back.

Lazy attributes are loaded under a lock, so one ``Application`` can be shared by threads.
"""

from __future__ import annotations

import datetime as _dt
import threading
import warnings
from collections.abc import Sequence
from typing import Any, Final, Generic, Literal, TypeVar, overload

import attrs

from chump_typed._checks import check_int_range, check_key, require_type
from chump_typed._converter import epoch_to_datetime
from chump_typed.client import DEFAULT_BASE_URL, Client
from chump_typed.errors import APIError, ValidationError
from chump_typed.models import (
    EXPIRE_MAX,
    Attachment,
    Notification,
    Priority,
    RateLimit,
)
from chump_typed.models.attachment import AttachmentSource, read_attachment
from chump_typed.protocol import Transport

__all__ = [
    "EMERGENCY",
    "HIGH",
    "LOW",
    "LOWEST",
    "NORMAL",
    "Application",
    "EmergencyMessage",
    "Message",
    "User",
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


class Application:
    """The Pushover application in use.

    :param token: the application's API token.
    :param base_url: keyword-only: the API root (https, or http on loopback), e.g. the
        fake from :func:`chump_typed.testing.serve`.
    :param transport: keyword-only: what moves the bytes (default: pooled urllib3).
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: Transport | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._base_url = base_url
        self._transport = transport
        self._is_authenticated: bool | None = None
        self._sounds: dict[str, str] | None = None
        self._rate_limit: RateLimit | None = None
        self.token = token

    # -- token and client --------------------------------------------------------------

    @property
    def token(self) -> str:
        """The application's API token; setting a new one forgets what was loaded."""
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        check_key("token", value)
        with self._lock:
            if getattr(self, "_token", None) == value:
                return
            old = getattr(self, "_client", None)
            self._token = value
            transport = self._transport if old is None else old.transport
            self._client = Client(value, base_url=self._base_url, transport=transport)
            self._is_authenticated = None
            self._sounds = None

    @property
    def client(self) -> Client:
        """The typed :class:`~chump_typed.Client` this application sends with."""
        return self._client

    # -- lazy attributes ---------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        """Whether Pushover accepts the token; loaded with :attr:`sounds` on first use."""
        with self._lock:
            if self._is_authenticated is None:
                self._authenticate()
            return bool(self._is_authenticated)

    @is_authenticated.setter
    def is_authenticated(self, value: bool | None) -> None:
        self._is_authenticated = value

    @property
    def sounds(self) -> dict[str, str] | None:
        """The notification sounds (name to label) if authenticated, otherwise ``None``."""
        with self._lock:
            if self._sounds is None and self._is_authenticated is not False:
                self._authenticate()
            return self._sounds

    @sounds.setter
    def sounds(self, value: dict[str, str] | None) -> None:
        self._sounds = value

    def _authenticate(self) -> None:
        """Ask for the sounds; a token rejection means the token is bad."""
        try:
            self._sounds = dict(self._client.sounds().sounds)
        except APIError as error:
            if "token" in error.bad_inputs:
                self._is_authenticated = False
        else:
            self._is_authenticated = True

    def _forget_token(self) -> None:
        """Pushover said the token is invalid."""
        with self._lock:
            self._is_authenticated = False
            self._sounds = None

    def _note_rate_limit(self, rate_limit: RateLimit | None) -> None:
        """Keep the newest figures the server gave, whatever order responses arrive
        in (:meth:`RateLimit.is_newer_than`); the three change together."""
        if rate_limit is None:
            return
        with self._lock:
            if self._rate_limit is not None and not rate_limit.is_newer_than(
                self._rate_limit
            ):
                return
            self._rate_limit = rate_limit

    # One snapshot behind the three: a reader never sees two responses' figures mixed.

    @property
    def limit(self) -> int | None:
        """The monthly message limit, once a send has reported it; otherwise ``None``."""
        figures = self._rate_limit
        return None if figures is None else figures.limit

    @property
    def remaining(self) -> int | None:
        """Messages left this month, once a send has reported it; otherwise ``None``."""
        figures = self._rate_limit
        return None if figures is None else figures.remaining

    @property
    def reset(self) -> _dt.datetime | None:
        """When the monthly limit resets, once a send has reported it; otherwise
        ``None``."""
        figures = self._rate_limit
        return None if figures is None else figures.reset

    @property
    def rate_limit(self) -> RateLimit | None:
        """:attr:`limit`, :attr:`remaining` and :attr:`reset` as one value: the newest
        figures the server gave, or ``None`` before the first send reported them."""
        return self._rate_limit

    # -- users -------------------------------------------------------------------------

    def get_user(self, token: str) -> User:
        """Return a :class:`User` attached to this application."""
        return User(self, token)

    def __str__(self) -> str:
        return "Pushover Application: <redacted>"

    def __repr__(self) -> str:
        return "Application(token=<redacted>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Application) and self.token == other.token

    __hash__ = None  # type: ignore[assignment]  # mutable, like chump's: unhashable


class User:
    """A Pushover user (or group), tied to an :class:`Application` (settable as ``app``).

    :param app: the application to send messages with.
    :param token: the user's key.
    """

    app: Application
    """The application to send messages with."""

    def __init__(self, app: Application, token: str) -> None:
        self.app = app
        self._is_authenticated: bool | None = None
        self._devices: set[str] | None = None
        self.token = token

    @property
    def token(self) -> str:
        """The user's key; setting a new one forgets what was loaded."""
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        check_key("token", value)
        if getattr(self, "_token", None) != value:
            self._token = value
            self._is_authenticated = None
            self._devices = None

    @property
    def is_authenticated(self) -> bool:
        """Whether the key is valid (and the application is); loaded on first use."""
        with self.app._lock:  # pyright: ignore[reportPrivateUsage]
            app_state = self.app._is_authenticated  # pyright: ignore[reportPrivateUsage]
            if self._is_authenticated is None and app_state is not False:
                self._authenticate()
            return self.app._is_authenticated is True and bool(self._is_authenticated)  # pyright: ignore[reportPrivateUsage]

    @is_authenticated.setter
    def is_authenticated(self, value: bool | None) -> None:
        self._is_authenticated = value

    @property
    def devices(self) -> set[str] | None:
        """The user's active device names if authenticated, otherwise ``None``."""
        with self.app._lock:  # pyright: ignore[reportPrivateUsage]
            if (
                self._devices is None
                and self._is_authenticated is not False
                and self.app._is_authenticated is not False  # pyright: ignore[reportPrivateUsage]
            ):
                self._authenticate()
            return self._devices

    @devices.setter
    def devices(self, value: set[str] | None) -> None:
        self._devices = value

    def _authenticate(self) -> None:
        """Validate the key, following chump's reading of the answer."""
        app = self.app
        try:
            result = app.client.validate_user(self.token)
        except APIError as error:
            if "token" in error.bad_inputs:  # a bad app token says nothing of the user
                app._forget_token()  # pyright: ignore[reportPrivateUsage]
                self._is_authenticated = None
                self._devices = None
            else:
                app._is_authenticated = True  # pyright: ignore[reportPrivateUsage]
                reason = error.bad_inputs.get("user")
                if reason is None or reason.startswith("valid"):
                    self._is_authenticated = True
                    self._devices = set()
                else:
                    self._is_authenticated = False
                    self._devices = None
        else:
            app._is_authenticated = True  # pyright: ignore[reportPrivateUsage]
            self._is_authenticated = True
            self._devices = set(result.devices)

    # -- messages ----------------------------------------------------------------------

    @overload
    def create_message(
        self,
        message: str,
        html: bool = ...,
        title: str | None = ...,
        timestamp: Timestamp = ...,
        url: str | None = ...,
        url_title: str | None = ...,
        device: str | None = ...,
        *,
        priority: EmergencyPriority,
        callback: str | None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        monospace: bool = ...,
        tags: str | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> EmergencyMessage: ...
    @overload
    def create_message(
        self,
        message: str,
        html: bool,
        title: str | None,
        timestamp: Timestamp,
        url: str | None,
        url_title: str | None,
        device: str | None,
        priority: EmergencyPriority,
        callback: str | None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        *,
        monospace: bool = ...,
        tags: str | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> EmergencyMessage: ...
    @overload
    def create_message(
        self,
        message: str,
        html: bool = ...,
        title: str | None = ...,
        timestamp: Timestamp = ...,
        url: str | None = ...,
        url_title: str | None = ...,
        device: str | None = ...,
        priority: OtherPriority = ...,
        callback: None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        *,
        monospace: bool = ...,
        ttl: int | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> Message: ...
    @overload
    def create_message(
        self,
        message: str,
        html: bool = ...,
        title: str | None = ...,
        timestamp: Timestamp = ...,
        url: str | None = ...,
        url_title: str | None = ...,
        device: str | None = ...,
        priority: int = ...,
        callback: str | None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        *,
        monospace: bool = ...,
        ttl: int | None = ...,
        tags: str | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> Message | EmergencyMessage: ...
    def create_message(
        self,
        message: str,
        html: bool = False,
        title: str | None = None,
        timestamp: Timestamp = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        priority: int = NORMAL,
        callback: str | None = None,
        retry: int = DEFAULT_RETRY,
        expire: int = DEFAULT_EXPIRE,
        sound: str | None = None,
        *,
        monospace: bool = False,
        ttl: int | None = None,
        tags: str | None = None,
        devices: Sequence[str] | None = None,
        users: Sequence[User | str] = (),
        attachment: AttachmentSource | None = None,
    ) -> Message | EmergencyMessage:
        """Create an unsent message to this user.

        A priority of :data:`EMERGENCY` gives an :class:`EmergencyMessage` (using
        ``callback``, ``retry``, ``expire`` and ``tags``); any other priority gives a
        :class:`Message`. Keyword-only additions to chump: ``monospace``, ``ttl``,
        ``tags``, ``devices`` (several device names), ``users`` (more recipients;
        the message goes to this user and them, at most 50 in all) and ``attachment``
        (an image: an :class:`~chump_typed.models.Attachment`, its bytes, a path or a
        binary file; read here, so an unreadable file raises before anything is sent).
        """
        common: dict[str, Any] = {
            "html": html,
            "title": title,
            "timestamp": timestamp,
            "url": url,
            "url_title": url_title,
            "device": _join_devices(device, devices),
            "sound": sound,
            "monospace": monospace,
            "users": users,
            "attachment": attachment,
        }
        if priority == EMERGENCY:
            if ttl is not None:
                raise ValidationError(
                    "ttl", "is ignored by Pushover for EMERGENCY messages"
                )
            return EmergencyMessage(
                self,
                message,
                callback=callback,
                retry=retry,
                expire=expire,
                tags=tags,
                **common,
            )
        if callback is not None or tags is not None:
            name = "callback" if callback is not None else "tags"
            raise ValidationError(
                name, "is only allowed when priority is EMERGENCY (2)"
            )
        return Message(self, message, priority=priority, ttl=ttl, **common)

    @overload
    def send_message(
        self,
        message: str,
        html: bool = ...,
        title: str | None = ...,
        timestamp: Timestamp = ...,
        url: str | None = ...,
        url_title: str | None = ...,
        device: str | None = ...,
        *,
        priority: EmergencyPriority,
        callback: str | None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        monospace: bool = ...,
        tags: str | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> EmergencyMessage: ...
    @overload
    def send_message(
        self,
        message: str,
        html: bool,
        title: str | None,
        timestamp: Timestamp,
        url: str | None,
        url_title: str | None,
        device: str | None,
        priority: EmergencyPriority,
        callback: str | None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        *,
        monospace: bool = ...,
        tags: str | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> EmergencyMessage: ...
    @overload
    def send_message(
        self,
        message: str,
        html: bool = ...,
        title: str | None = ...,
        timestamp: Timestamp = ...,
        url: str | None = ...,
        url_title: str | None = ...,
        device: str | None = ...,
        priority: OtherPriority = ...,
        callback: None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        *,
        monospace: bool = ...,
        ttl: int | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> Message: ...
    @overload
    def send_message(
        self,
        message: str,
        html: bool = ...,
        title: str | None = ...,
        timestamp: Timestamp = ...,
        url: str | None = ...,
        url_title: str | None = ...,
        device: str | None = ...,
        priority: int = ...,
        callback: str | None = ...,
        retry: int = ...,
        expire: int = ...,
        sound: str | None = ...,
        *,
        monospace: bool = ...,
        ttl: int | None = ...,
        tags: str | None = ...,
        devices: Sequence[str] | None = ...,
        users: Sequence[User | str] = ...,
        attachment: AttachmentSource | None = ...,
    ) -> Message | EmergencyMessage: ...
    def send_message(
        self,
        message: str,
        html: bool = False,
        title: str | None = None,
        timestamp: Timestamp = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        priority: int = NORMAL,
        callback: str | None = None,
        retry: int = DEFAULT_RETRY,
        expire: int = DEFAULT_EXPIRE,
        sound: str | None = None,
        *,
        monospace: bool = False,
        ttl: int | None = None,
        tags: str | None = None,
        devices: Sequence[str] | None = None,
        users: Sequence[User | str] = (),
        attachment: AttachmentSource | None = None,
    ) -> Message | EmergencyMessage:
        """Like :meth:`create_message`, then send the message; returns it either way
        (check ``is_sent`` and ``error``)."""
        created = self.create_message(
            message,
            html,
            title,
            timestamp,
            url,
            url_title,
            device,
            priority,
            callback,
            retry,
            expire,
            sound,
            monospace=monospace,
            ttl=ttl,
            tags=tags,
            devices=devices,
            users=users,
            attachment=attachment,
        )
        created.send()
        return created

    def __str__(self) -> str:
        return "Pushover User: <redacted>"

    def __repr__(self) -> str:
        return f"User(app={self.app!r}, token=<redacted>)"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, User)
            and self.token == other.token
            and self.app == other.app
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like chump's: unhashable


def _join_devices(device: str | None, devices: Sequence[str] | None) -> str | None:
    if devices is None:
        return device
    if device is not None:
        raise ValidationError("devices", "give either device or devices, not both")
    if isinstance(devices, str):
        raise TypeError("devices: expected a sequence of device names, got a str")
    return ",".join(devices) if devices else None


def _as_datetime(timestamp: Timestamp) -> _dt.datetime | None:
    """chump shows ``timestamp`` as a datetime even when given Unix seconds, and takes
    a naive datetime as UTC, with chump's warning."""
    if isinstance(timestamp, _dt.datetime) and timestamp.utcoffset() is None:
        warnings.warn("Naïve datetime received: assuming UTC", RuntimeWarning, 3)
        return timestamp.replace(tzinfo=_UTC)
    if timestamp is None or isinstance(timestamp, _dt.datetime):
        return timestamp
    require_type("timestamp", timestamp, (_dt.datetime, int))
    check_int_range("timestamp", timestamp, low=0)
    try:
        return epoch_to_datetime(timestamp)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValidationError("timestamp", f"is out of range: {timestamp}") from exc


T = TypeVar("T")


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
        value: T = getattr(obj._draft, self.name)  # pyright: ignore[reportPrivateUsage]
        return value

    def __set__(self, obj: Message, value: T) -> None:
        changes: dict[str, Any] = {self.name: value}
        obj._draft = attrs.evolve(obj._draft, **changes)  # pyright: ignore[reportPrivateUsage]


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
        if priority == EMERGENCY and not isinstance(self, EmergencyMessage):
            raise ValidationError(
                "priority", "EMERGENCY messages are EmergencyMessage objects"
            )
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
        if not isinstance(user, User):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"user: expected a User, got a {type(user).__name__}")
        self.user = user
        self._others = _other_keys(users)
        self._draft = Notification(user=_recipients(user.token, self._others), **fields)
        self.id = None
        self.is_sent = False
        self.sent_at = None
        self.error = None

    @property
    def timestamp(self) -> _dt.datetime | None:
        """The time shown on the message instead of its arrival time (UTC)."""
        value = self._draft.timestamp
        return value if not isinstance(value, int) else epoch_to_datetime(value)

    @timestamp.setter
    def timestamp(self, value: Timestamp) -> None:
        self._draft = attrs.evolve(self._draft, timestamp=_as_datetime(value))

    @property
    def priority(self) -> int:
        """The priority, -2 to 2 (see the module constants)."""
        return int(self._draft.priority)

    @priority.setter
    def priority(self, value: int) -> None:
        self._draft = attrs.evolve(self._draft, priority=_as_priority(value))

    @property
    def notification(self) -> Notification:
        """The immutable request this message sends, as it stands now."""
        recipients = _recipients(self.user.token, self._others)
        if recipients == self._draft.user:
            return self._draft  # frozen and already validated: no copy to check again
        return attrs.evolve(self._draft, user=recipients)

    def send(self) -> bool:
        """Send the message (again, if it was sent before).

        :returns: whether Pushover accepted it. A rejection returns ``False`` and keeps
            the :class:`APIError` in :attr:`error`; a transport failure raises.
        """
        self.id = None
        self.is_sent = False
        self.sent_at = None
        self.error = None
        app = self.user.app
        notification = self.notification
        try:
            result = app.client.send(notification)
        except APIError as error:
            # Like chump, a rejection leaves app.limit & co. alone (they describe sent
            # messages); a 429 keeps its limits in error.rate_limit.
            self.error = error
            if "token" in error.bad_inputs:
                app._forget_token()  # pyright: ignore[reportPrivateUsage]
                self.user._is_authenticated = None  # pyright: ignore[reportPrivateUsage]
                self.user._devices = None  # pyright: ignore[reportPrivateUsage]
            elif "user" in error.bad_inputs:
                self.user._is_authenticated = False  # pyright: ignore[reportPrivateUsage]
                self.user._devices = None  # pyright: ignore[reportPrivateUsage]
            return False
        self.is_sent = True
        self.sent_at = _now()
        self.id = result.request
        self.user._is_authenticated = True  # pyright: ignore[reportPrivateUsage]
        app._is_authenticated = True  # pyright: ignore[reportPrivateUsage]
        app._note_rate_limit(result.rate_limit)  # pyright: ignore[reportPrivateUsage]
        self._sent(result.receipt)
        return True

    def _sent(self, receipt: str | None) -> None:
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


def _as_priority(value: int) -> Priority:
    require_type("priority", value, int)
    try:
        return Priority(value)
    except ValueError:
        raise ValidationError(
            "priority", f"must be between -2 and 2, got {value}"
        ) from None


def _other_keys(users: Sequence[User | str]) -> tuple[str, ...]:
    if isinstance(users, str):
        raise TypeError("users: expected a sequence of users or keys, got a str")
    return tuple(u.token if isinstance(u, User) else u for u in users)


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

    def send(self) -> bool:
        """Send the message (again, if it was sent before); see :meth:`Message.send`."""
        self._clear_receipt()
        return super().send()

    def _sent(self, receipt: str | None) -> None:
        self.receipt = receipt

    def poll(self) -> bool | None:
        """Poll the receipt, sending the message first if it was not sent.

        :returns: ``True`` while the message is neither acknowledged nor expired,
            ``False`` once it is, ``None`` if there is no receipt to poll with.
        """
        if not self.is_sent:
            self.send()
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
