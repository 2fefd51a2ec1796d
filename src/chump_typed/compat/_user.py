"""chump's ``User``: a recipient, tied to an :class:`Application`.

The user owns its own state (is the key valid, its devices) behind its own lock; its
application and its messages report what Pushover said through :meth:`User.user_accepted`,
:meth:`User.user_rejected`, :meth:`User.user_unknown` and :meth:`User.user_checked`,
which change the state only for the key that is still current. A user's lock is taken
before its application's, never the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from threading import RLock
from typing import TYPE_CHECKING, Any, overload

from chump_typed._checks import check_key, require_type
from chump_typed._fork import renew_after_fork
from chump_typed._scrub import scrub_public
from chump_typed.compat._messages import (
    DEFAULT_EXPIRE,
    DEFAULT_RETRY,
    EMERGENCY,
    NORMAL,
    EmergencyMessage,
    EmergencyPriority,
    Message,
    OtherPriority,
    Timestamp,
)
from chump_typed.errors import APIError, ValidationError
from chump_typed.models.attachment import AttachmentSource

if TYPE_CHECKING:
    from chump_typed.compat._application import Application
    from chump_typed.e2ee import E2EEKey

__all__ = ["User"]


class User:
    """A Pushover user (or group), tied to an :class:`Application` (settable as ``app``).

    :param app: the application to send messages with.
    :param token: the user's key.
    :param e2ee_key: the end-to-end encryption key the user set on their devices (an
        addition to chump): every message to this user is then sent encrypted.
    """

    app: Application
    """The application to send messages with."""

    def __init__(
        self, app: Application, token: str, *, e2ee_key: E2EEKey | None = None
    ) -> None:
        self._lock = RLock()
        renew_after_fork(self)  # a child gets a lock no other thread holds
        self.app = app
        self._is_authenticated: bool | None = None
        self._devices: set[str] | None = None
        self.token = token
        self.e2ee_key = e2ee_key

    @property
    def e2ee_key(self) -> E2EEKey | None:
        """The key messages to this user are end-to-end encrypted with, if any."""
        return self._e2ee_key

    @e2ee_key.setter
    def e2ee_key(self, value: E2EEKey | None) -> None:
        if value is not None:
            from chump_typed.e2ee import E2EEKey  # the e2ee extra, when a key is given

            if not isinstance(value, E2EEKey):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(
                    f"e2ee_key: expected an E2EEKey, got a {type(value).__name__}"
                )
        self._e2ee_key = value

    def _after_fork_in_child(self) -> None:
        """In a forked child: a fresh lock (a thread of the parent may hold this one)."""
        self._lock = RLock()

    @property
    def token(self) -> str:
        """The user's key; setting a new one forgets what was loaded."""
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        # chump calls it the user's token; the error names what it is, Pushover's user.
        check_key("user", value)
        with self._lock:
            if getattr(self, "_token", None) != value:
                self._token = value
                self._is_authenticated = None
                self._devices = None

    # -- what Pushover said of the key ---------------------------------------------------

    def user_accepted(self, key: str) -> None:
        """Pushover accepted a message to *key*: it is valid (devices unchanged)."""
        with self._lock:
            if key == self._token:
                self._is_authenticated = True

    def user_rejected(self, key: str) -> None:
        """Pushover said *key* is invalid: not authenticated, no devices."""
        self._set_checked(key, valid=False, devices=None)

    def user_unknown(self, key: str) -> None:
        """An answer said nothing of *key* (the application token was refused): what
        was loaded is forgotten, to be asked again."""
        self._set_checked(key, valid=None, devices=None)

    def user_checked(self, key: str, devices: set[str]) -> None:
        """A validation found *key* valid, with these active *devices*."""
        self._set_checked(key, valid=True, devices=devices)

    def _set_checked(
        self, key: str, *, valid: bool | None, devices: set[str] | None
    ) -> None:
        with self._lock:
            if key == self._token:
                self._is_authenticated = valid
                self._devices = devices

    # -- lazy attributes ---------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        """Whether the key is valid (and the application is); loaded on first use."""
        with self._lock:
            if (
                self._is_authenticated is None
                and self.app.known_authentication is not False
            ):
                self._authenticate()
            return self.app.known_authentication is True and bool(
                self._is_authenticated
            )

    @is_authenticated.setter
    def is_authenticated(self, value: bool | None) -> None:
        self._is_authenticated = value

    @property
    def devices(self) -> set[str] | None:
        """The user's active device names if authenticated, otherwise ``None``."""
        with self._lock:
            if (
                self._devices is None
                and self._is_authenticated is not False
                and self.app.known_authentication is not False
            ):
                self._authenticate()
            return self._devices

    @devices.setter
    def devices(self, value: set[str] | None) -> None:
        self._devices = value

    def _authenticate(self) -> None:
        """Validate the key, following chump's reading of the answer."""
        app, key = self.app, self._token
        token = app.token
        try:
            result = app.client.validate_user(key)
        except APIError as error:
            if "token" in error.bad_inputs:  # a bad app token says nothing of the user
                app.token_rejected(token)
                self.user_unknown(key)
                return
            app.token_accepted(token)
            reason = error.bad_inputs.get("user")
            if reason is None or reason.startswith("valid"):
                self.user_checked(key, set())
            else:
                self.user_rejected(key)
        else:
            app.token_accepted(token)
            self.user_checked(key, set(result.devices))

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
        # An int, never a float or a bool: 2.0 == EMERGENCY, but is not a priority.
        require_type("priority", priority, int)
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


scrub_public(globals())
