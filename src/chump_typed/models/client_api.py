"""The Open Client API's values: logging in, devices and the messages a device
receives (pushover-api.md §13).

The requests check their rules locally, as every request model does: a device name is
1 to 25 of ``[A-Za-z0-9_-]``, a password is not empty, a session secret and a device id
have the shape :data:`SECRET_PATTERN` and :data:`DEVICE_ID_PATTERN` describe. Secrets
(the password, the 2FA code, the session secret) never show in a ``repr``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from chump_typed._checks import (
    check_devices,
    check_email,
    check_int_range,
    check_key,
    check_line,
    describe,
    optional,
    require_type,
    required,
)
from chump_typed._scrub import scrub_public
from chump_typed.errors import ValidationError
from chump_typed.models._base import Priority, Request, Result, wire

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_SIZE",
    "DEVICE_ID_PATTERN",
    "OPEN_CLIENT_OS",
    "SECRET_PATTERN",
    "AcknowledgeRequest",
    "AcknowledgeResult",
    "DeleteThroughRequest",
    "DeleteThroughResult",
    "Device",
    "DeviceRegistration",
    "DeviceRequest",
    "DownloadRequest",
    "LoginRequest",
    "LoginResult",
    "MessageList",
    "ReceivedMessage",
    "UndecodableMessage",
]

#: The ``os`` of an Open Client device (§13).
OPEN_CLIENT_OS: Final = "O"
#: A session secret, as this library accepts it: Pushover does not document its
#: format, so 1 to 256 printable ASCII characters without spaces (it travels in a
#: form field and in the WebSocket's login line).
SECRET_PATTERN: Final = re.compile(r"[!-~]{1,256}")
#: A device id, as this library accepts it (not documented: the ids seen are letters
#: and digits): 1 to 64 of ``[A-Za-z0-9_-]``, so it can fill a URL path segment and
#: the WebSocket's ``login:<device_id>:<secret>`` line unchanged.
DEVICE_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The largest download answer an Open Client reads by default, in bytes (16 MiB): a
#: week offline of a busy device (2,000 messages of 1,000 characters is about 2.3 MB
#: of JSON), seven times over. The other calls keep the transport's cap (1 MiB).
DEFAULT_MAX_DOWNLOAD_SIZE: Final[int] = 16 * 1024 * 1024
#: Most characters of a password or a 2FA code this library sends.
_SECRET_TEXT_MAX: Final = 1024


def check_secret(field: str, value: object) -> None:
    """A session secret: :data:`SECRET_PATTERN` (never shown in the error)."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if not SECRET_PATTERN.fullmatch(value):
        raise ValidationError(
            field,
            "must be 1 to 256 printable ASCII characters without spaces (the secret "
            f"a login returned), got {describe(value)}",
        )


def check_device_id(field: str, value: object) -> None:
    """A device id: :data:`DEVICE_ID_PATTERN`."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if not DEVICE_ID_PATTERN.fullmatch(value):
        raise ValidationError(
            field,
            "must be 1 to 64 of A-Z a-z 0-9 _ - (the id a device registration "
            f"returned), got {describe(value)}",
        )


def _check_password(field: str, value: object) -> None:
    require_type(field, value, str)
    assert isinstance(value, str)
    if not value:
        raise ValidationError(field, "must not be empty")
    if len(value) > _SECRET_TEXT_MAX:
        raise ValidationError(
            field, f"must be at most {_SECRET_TEXT_MAX} characters, got {len(value)}"
        )
    check_line(field, value)


def _check_twofa(field: str, value: object) -> None:
    """A 2FA code: the digits an authenticator app shows (spaces are not part of it)."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if not value.isascii() or not value.isdigit() or len(value) > 16:
        raise ValidationError(
            field,
            f"must be the 1 to 16 digits the authenticator shows, got {describe(value)}",
        )


# -- Requests ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LoginRequest(Request):
    """Log in to a Pushover account (``POST /1/users/login.json``). A 412 answer means
    the account uses two-factor authentication: log in again with ``twofa``."""

    email: str = attrs.field(validator=required(check_email), repr=False)
    """The account's e-mail address."""
    password: str = attrs.field(validator=required(_check_password), repr=False)
    """The account's password."""
    twofa: str | None = attrs.field(
        default=None, validator=optional(_check_twofa), repr=False
    )
    """The two-factor code, when a first login answered 412."""


@attrs.frozen(kw_only=True)
class DeviceRequest(Request):
    """Register an Open Client device (``POST /1/devices.json``): its *name* is what
    senders name in ``device=``, 1 to 25 of ``[A-Za-z0-9_-]``."""

    name: str = attrs.field(validator=required(check_devices, many=False))
    """The device's name: 1 to 25 of ``[A-Za-z0-9_-]``."""
    os: str = attrs.field(
        default=OPEN_CLIENT_OS, init=False, metadata=wire("always_sent")
    )
    """Always ``O``: an Open Client device."""


@attrs.frozen(kw_only=True)
class DownloadRequest(Request):
    """Download the messages waiting for a device (``GET /1/messages.json``)."""

    device_id: str = attrs.field(validator=required(check_device_id))
    """The device whose messages are downloaded."""


@attrs.frozen(kw_only=True)
class DeleteThroughRequest(Request):
    """Delete a device's messages up to and including id *message*
    (``POST /1/devices/{device_id}/update_highest_message.json``)."""

    device_id: str = attrs.field(validator=required(check_device_id))
    """The device whose messages are deleted."""
    message: int = attrs.field(validator=required(check_int_range, low=0))
    """The highest message id processed: it and every lower one go."""


@attrs.frozen(kw_only=True)
class AcknowledgeRequest(Request):
    """Acknowledge an emergency message as its recipient
    (``POST /1/receipts/{receipt}/acknowledge.json``)."""

    receipt: str = attrs.field(validator=required(check_key))
    """The emergency message's receipt."""


# -- Results and values -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LoginResult(Result):
    """A login: the account's user key (``id``) and this login's session ``secret``
    (store it securely; each login has its own)."""

    id: str = attrs.field(repr=False)
    """The account's user key."""
    secret: str = attrs.field(repr=False)
    """This login's session secret (store it securely)."""


@attrs.frozen(kw_only=True)
class DeviceRegistration(Result):
    """A device was registered: its ``id``."""

    id: str
    """The new device's id."""


@attrs.frozen(kw_only=True)
class Device:
    """An Open Client device: its ``id`` (what the calls take) and, when this
    program registered it, its ``name`` (what senders put in ``device=``)."""

    id: str = attrs.field(validator=required(check_device_id))
    """The device's id."""
    name: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Its name, when this program registered it."""


@attrs.frozen(kw_only=True)
class ReceivedMessage:
    """One message as a device downloads it (§13). Ids are ints, times aware UTC
    datetimes; a field the server left out is ``None``.

    ``encrypted`` says the message arrived end-to-end encrypted. When a download was
    given the key, its text is decrypted; ``undecryptable`` is true when the key did
    not open it (the text is then the ciphertext, as it arrived).
    """

    id: int
    """The message's id on this device; deletions go up to an id."""
    umid: int | None = None
    """The message's id across the user's devices (for dismissal sync)."""
    message: str
    """The message text."""
    title: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The title, if the sender gave one."""
    app: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The sending application's name."""
    aid: int | None = None
    """The sending application's id."""
    icon: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The application's icon name (``https://api.pushover.net/icons/{icon}.png``)."""
    date: _dt.datetime | None = None
    """When the message was sent (its ``timestamp``, if the sender gave one)."""
    queued_date: _dt.datetime | None = None
    """When Pushover queued it."""
    dispatched_date: _dt.datetime | None = None
    """When Pushover dispatched it."""
    priority: Priority = Priority.NORMAL
    """Its priority; an emergency carries a ``receipt`` to acknowledge."""
    sound: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The sound the sender chose."""
    url: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """A supplementary URL."""
    url_title: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The supplementary URL's title."""
    acked: bool = False
    """Whether an emergency message has been acknowledged."""
    receipt: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """An emergency message's receipt, for :meth:`~chump_typed.receive.Session.acknowledge`."""
    html: bool = False
    """Whether the text is HTML."""
    encrypted: bool = False
    """Whether it arrived end-to-end encrypted."""
    undecryptable: bool = False
    """Whether the key given to the download failed to open it."""


@attrs.frozen(kw_only=True)
class MessageList(Result):
    """The messages waiting for a device, oldest first."""

    messages: tuple[ReceivedMessage, ...] = ()
    """The messages waiting, oldest first."""


@attrs.frozen(kw_only=True)
class UndecodableMessage:
    """A downloaded message that could not be read as a :class:`ReceivedMessage` (a
    field of the wrong type, say): what a listener's ``on_undecodable`` callback is
    given, and what is logged at WARNING without one. It is never yielded; once
    reported, the stream goes on and may delete it.

    ``fields`` are the message's fields as text, redacted of secrets and cut to a
    few hundred characters each; ``id`` is its id when that much could be read.
    """

    id: int | None
    """The message's id, when it is an int (deletion goes by it)."""
    fields: Mapping[str, str] = attrs.field(factory=dict[str, str], hash=False)
    """Its fields, as text, redacted of secrets and shortened."""
    reason: str
    """Why it could not be read (which field, and what was wrong)."""


@attrs.frozen(kw_only=True)
class MessageEnvelope(Result):
    """A download's answer with its messages left undecoded, so that each is read on
    its own and one malformed message does not hide the others (the listener's and
    :meth:`~chump_typed.receive.Session.download`'s way in; the row
    :data:`~chump_typed.DOWNLOAD_MESSAGES` decodes them all at once)."""

    messages: Any = ()
    """The messages as the JSON had them (a list, unless the answer is broken:
    :func:`~chump_typed.receive._calls.read_messages` checks)."""


@attrs.frozen(kw_only=True)
class DeleteThroughResult(Result):
    """Messages up to an id were deleted from a device."""


@attrs.frozen(kw_only=True)
class AcknowledgeResult(Result):
    """An emergency message was acknowledged."""


scrub_public(globals())
