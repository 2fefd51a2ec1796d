"""Sending a message (pushover-api.md §4): a :class:`Notification` and its
:class:`SendResult`, or an :class:`EmergencyNotification` and its
:class:`EmergencySendResult`.

What follows a message (sounds, user validation, receipts and cancellation, the
monthly limits) is in :mod:`chump_typed.models.followups`, loaded on first use.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final, Literal, TypeAlias

import attrs

from chump_typed._checks import (
    MAX_RECIPIENTS,
    check_base64_image,
    check_bool,
    check_callback,
    check_devices,
    check_image_type,
    check_int_range,
    check_line,
    check_recipients,
    check_text,
    check_timestamp,
    check_url,
    describe_int,
    instance_of,
    optional,
    require_type,
    required,
)
from chump_typed._redact import redact_text
from chump_typed._scrub import scrub_public
from chump_typed.errors import ValidationError
from chump_typed.models._base import (
    NotificationPriority,
    Priority,
    Request,
    Result,
    wire,
)
from chump_typed.models.attachment import Attachment

__all__ = [
    "EXPIRE_MAX",
    "MAX_RECIPIENTS",
    "MESSAGE_MAX",
    "RETRY_MIN",
    "TITLE_MAX",
    "URL_MAX",
    "URL_TITLE_MAX",
    "AnyNotification",
    "EmergencyNotification",
    "EmergencySendResult",
    "Notification",
    "SendResult",
    "notification_for",
]

# -- Documented bounds (pushover-api.md §4) ---------------------------------------------

#: The longest message, in characters.
MESSAGE_MAX: Final = 1024
#: The longest title, in characters.
TITLE_MAX: Final = 250
#: The longest supplementary URL, in characters.
URL_MAX: Final = 512
#: The longest supplementary URL's title, in characters.
URL_TITLE_MAX: Final = 100
#: The shortest interval between an emergency message's repeats, in seconds.
RETRY_MIN: Final = 30
#: The longest an emergency message is repeated, in seconds (3 hours).
EXPIRE_MAX: Final = 10800


# -- Requests ---------------------------------------------------------------------------


#: What ends a message cut to :data:`MESSAGE_MAX` by :func:`truncate_message`.
TRUNCATION_MARKER: Final = " [… truncated]"


def truncate_message(text: str) -> str:
    """*text*, cut to :data:`MESSAGE_MAX` characters ending in
    :data:`TRUNCATION_MARKER` when it is longer (as the logging handler and
    ``chump-typed send --truncate`` do)."""
    if len(text) <= MESSAGE_MAX:
        return text
    return text[: MESSAGE_MAX - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


#: How much of a message's repr shows of its text.
REPR_MESSAGE: Final = 40

#: The fields only an :class:`EmergencyNotification` has.
EMERGENCY_ONLY: Final = ("retry", "expire", "callback", "tags")


def _priority_of(field: str, value: object) -> Priority:
    """*value* as a :class:`Priority`, if it is one."""
    require_type(field, value, int)
    assert isinstance(value, int)
    if value not in Priority._value2member_map_:
        raise ValidationError(
            field, f"must be between -2 and 2 (a Priority), got {describe_int(value)}"
        )
    return Priority(value)


def _check_priority(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """An emergency's priority is ``EMERGENCY``; any other message's is not."""
    priority = _priority_of(attribute.name, value)
    if isinstance(instance, EmergencyNotification):
        if priority != Priority.EMERGENCY:
            raise ValidationError(
                attribute.name,
                f"is always EMERGENCY (2) on an EmergencyNotification, got "
                f"{describe_int(priority)}; use a Notification for -2 to 1",
            )
    elif priority == Priority.EMERGENCY:
        raise ValidationError(
            attribute.name,
            "EMERGENCY (2) is an EmergencyNotification (with retry and expire); "
            "a Notification takes -2 to 1",
        )


@attrs.frozen(kw_only=True)
class _Message(Request):
    """What every message has, emergency or not (``POST /1/messages.json``).

    ``user`` is one user or group key, or up to 50 user keys joined by commas.
    ``device`` is one device name or several joined by commas. An image goes either
    as ``attachment`` (an :class:`Attachment`, sent as a multipart part) or as
    ``attachment_base64`` with its ``attachment_type``; either way at most
    :data:`~chump_typed.models.ATTACHMENT_MAX` bytes once decoded.
    """

    user: str = attrs.field(validator=required(check_recipients))
    """The recipients: user or group keys, comma-separated (at most 50)."""
    message: str = attrs.field(
        validator=required(check_text, min_len=1, max_len=MESSAGE_MAX, multiline=True)
    )
    """The text, 1 to 1,024 characters."""
    title: str | None = attrs.field(
        default=None, validator=optional(check_text, max_len=TITLE_MAX)
    )
    """A title (at most 250 characters); the app's name if unset."""
    url: str | None = attrs.field(
        default=None, validator=optional(check_url, max_len=URL_MAX)
    )
    """A supplementary URL (at most 512 characters), starting with its scheme
    (``https://``, or an app's own)."""
    url_title: str | None = attrs.field(
        default=None, validator=optional(check_text, max_len=URL_TITLE_MAX)
    )
    """The URL's title (at most 100 characters)."""
    device: str | None = attrs.field(default=None, validator=optional(check_devices))
    """Only these devices of the user (names, comma-separated)."""
    sound: str | None = attrs.field(default=None, validator=optional(check_line))
    """A sound name from :meth:`Client.sounds <chump_typed.Client.sounds>`."""
    timestamp: _dt.datetime | int | None = attrs.field(
        default=None, validator=optional(check_timestamp)
    )
    """The time shown instead of the time of arrival (aware datetime or Unix seconds)."""
    html: bool = attrs.field(default=False, validator=check_bool)
    """The text is HTML (not with ``monospace``)."""
    monospace: bool = attrs.field(default=False, validator=check_bool)
    """The text is shown in a monospace font (not with ``html``)."""
    attachment: Attachment | None = attrs.field(
        default=None, validator=instance_of(Attachment)
    )
    """An image sent as a file part (at most 5 MiB)."""
    attachment_base64: str | None = attrs.field(
        default=None, validator=optional(check_base64_image)
    )
    """An image as base64 text (with ``attachment_type``)."""
    attachment_type: str | None = attrs.field(
        default=None, validator=optional(check_image_type)
    )
    """The MIME type of ``attachment_base64``, such as ``image/png``."""

    def __attrs_post_init__(self) -> None:
        if self.html and self.monospace:
            raise ValidationError("monospace", "html and monospace cannot both be set")
        if self.attachment is not None and self.attachment_base64 is not None:
            raise ValidationError(
                "attachment_base64", "send attachment or attachment_base64, not both"
            )
        if (self.attachment_base64 is None) != (self.attachment_type is None):
            raise ValidationError(
                "attachment_type",
                "attachment_base64 and attachment_type go together",
            )

    def __repr__(self) -> str:
        """Every field that is set, for debugging, but the user key (and any text shaped
        like a key); the message cut to :data:`REPR_MESSAGE` characters, a base64
        attachment by its length."""
        shown = ["user=<redacted>"]
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if field.name == "user" or value == field.default:
                continue
            if isinstance(value, str):
                # Anything shaped like a key never shows, whoever's it is: the repr
                # neither holds a secret nor depends on one.
                value = redact_text(value)
            if field.name == "message" and len(value) > REPR_MESSAGE:
                text = f"{value[:REPR_MESSAGE]!r}... ({len(value)} characters)"
            elif field.name == "attachment_base64":
                text = f"<{len(value)} characters>"
            else:
                text = repr(value)
            shown.append(f"{field.name}={text}")
        return f"{type(self).__name__}({', '.join(shown)})"


@attrs.frozen(kw_only=True, repr=False)
class Notification(_Message):
    """A message of priority ``LOWEST`` to ``HIGH`` (``POST /1/messages.json``).

    An emergency, which repeats until acknowledged, is an
    :class:`EmergencyNotification`; :func:`notification_for` builds either from a
    priority chosen at run time.
    """

    priority: NotificationPriority = attrs.field(
        default=Priority.NORMAL, validator=_check_priority
    )
    """The priority, ``LOWEST`` to ``HIGH``."""
    ttl: int | None = attrs.field(
        default=None, validator=optional(check_int_range, low=1)
    )
    """Seconds after which the message is deleted from the devices."""


@attrs.frozen(kw_only=True, repr=False)
class EmergencyNotification(_Message):
    """A message that repeats every ``retry`` seconds until a device acknowledges it
    or ``expire`` seconds pass (``priority=2``); sending it returns an
    :class:`EmergencySendResult` whose ``receipt`` polls or cancels it. Pushover
    ignores ``ttl`` on emergencies, so it has none.
    """

    priority: Literal[Priority.EMERGENCY] = attrs.field(
        default=Priority.EMERGENCY,
        validator=_check_priority,
        metadata=wire("always_sent"),
    )
    """Always ``EMERGENCY``."""
    retry: int = attrs.field(validator=required(check_int_range, low=RETRY_MIN))
    """Seconds between re-alerts, at least 30."""
    expire: int = attrs.field(
        validator=required(check_int_range, low=1, high=EXPIRE_MAX)
    )
    """Seconds of re-alerting, at most 10,800."""
    callback: str | None = attrs.field(default=None, validator=optional(check_callback))
    """A URL Pushover POSTs to when a device acknowledges it."""
    tags: str | None = attrs.field(default=None, validator=optional(check_line))
    """Tags to cancel by (comma-separated)."""


#: Either kind of message: what :func:`notification_for` returns, and what
#: ``send_many``, ``broadcast`` and the rest accept.
AnyNotification: TypeAlias = Notification | EmergencyNotification


def notification_for(
    *, priority: Priority | int = Priority.NORMAL, **fields: object
) -> AnyNotification:
    """A :class:`Notification`, or an :class:`EmergencyNotification` when *priority*
    is ``EMERGENCY``: for a priority chosen at run time (configuration, a command
    line). *fields* are the message's; ``retry``, ``expire``, ``callback`` and
    ``tags`` go with an emergency only, ``ttl`` with any other priority.

    :raises ValidationError: a field that does not go with *priority*, a missing
        ``retry`` or ``expire``, or any field's own rule.
    """
    priority = _priority_of("priority", priority)
    given = {name: value for name, value in fields.items() if value is not None}
    build: Any
    if priority == Priority.EMERGENCY:
        for name in ("retry", "expire"):
            if name not in given:
                raise ValidationError(
                    name, "is required when priority is EMERGENCY (2)"
                )
        if "ttl" in given:
            raise ValidationError(
                "ttl", "is ignored by Pushover for EMERGENCY messages; leave it out"
            )
        build = EmergencyNotification
    else:
        for name in EMERGENCY_ONLY:
            if name in given:
                raise ValidationError(
                    name, "is only allowed when priority is EMERGENCY (2)"
                )
        build = Notification
    message: AnyNotification = build(priority=priority, **given)
    return message


# -- Results ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SendResult(Result):
    """A message was accepted."""


@attrs.frozen(kw_only=True)
class EmergencySendResult(SendResult):
    """An emergency was accepted: ``receipt`` polls or cancels it."""

    receipt: str
    """The receipt, to :meth:`~chump_typed.Client.receipt` or
    :meth:`~chump_typed.Client.cancel`."""


scrub_public(globals())
