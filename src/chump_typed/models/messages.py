"""Sending a message (pushover-api.md §4): :class:`Notification` and its
:class:`SendResult`.

What follows a message (sounds, user validation, receipts and cancellation, the
monthly limits) is in :mod:`chump_typed.models.followups`, loaded on first use.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

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
    describe_int,
    instance_of,
    optional,
    require_type,
    required,
)
from chump_typed._redact import redact_text
from chump_typed._scrub import scrub_public
from chump_typed.errors import ValidationError
from chump_typed.models._base import Priority, Request, Result
from chump_typed.models.attachment import Attachment

__all__ = [
    "EXPIRE_MAX",
    "MAX_RECIPIENTS",
    "MESSAGE_MAX",
    "RETRY_MIN",
    "TITLE_MAX",
    "URL_MAX",
    "URL_TITLE_MAX",
    "Notification",
    "SendResult",
]

# -- Documented bounds (pushover-api.md §4) ---------------------------------------------

MESSAGE_MAX: Final = 1024
TITLE_MAX: Final = 250
URL_MAX: Final = 512
URL_TITLE_MAX: Final = 100
RETRY_MIN: Final = 30
EXPIRE_MAX: Final = 10800


def _check_priority(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    require_type(attribute.name, value, int)
    assert isinstance(value, int)
    if value not in Priority._value2member_map_:
        raise ValidationError(
            attribute.name,
            f"must be between -2 and 2 (a Priority), got {describe_int(value)}",
        )


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


#: How much of a message :class:`Notification`'s repr shows.
REPR_MESSAGE: Final = 40


@attrs.frozen(kw_only=True)
class Notification(Request):
    """A message to send (``POST /1/messages.json``).

    ``user`` is one user or group key, or up to 50 user keys joined by commas.
    ``device`` is one device name or several joined by commas. Emergency messages
    (``priority=Priority.EMERGENCY``) need ``retry`` (>= 30 s) and ``expire``
    (<= 10800 s); ``retry``, ``expire``, ``callback`` and ``tags`` are refused on any
    other priority, and ``ttl`` is refused on emergency messages (Pushover ignores it).
    An image goes either as ``attachment`` (an :class:`Attachment`, sent as a multipart
    part) or as ``attachment_base64`` with its ``attachment_type``; either way at most
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
        default=None, validator=optional(check_text, max_len=URL_MAX)
    )
    """A supplementary URL (at most 512 characters)."""
    url_title: str | None = attrs.field(
        default=None, validator=optional(check_text, max_len=URL_TITLE_MAX)
    )
    """The URL's title (at most 100 characters)."""
    device: str | None = attrs.field(default=None, validator=optional(check_devices))
    """Only these devices of the user (names, comma-separated)."""
    priority: Priority = attrs.field(default=Priority.NORMAL, validator=_check_priority)
    """The priority; ``EMERGENCY`` needs ``retry`` and ``expire``."""
    sound: str | None = attrs.field(default=None, validator=optional(check_line))
    """A sound name from :meth:`Client.sounds <chump_typed.Client.sounds>`."""
    timestamp: _dt.datetime | int | None = attrs.field(
        default=None, validator=optional(check_timestamp)
    )
    """The time shown instead of the time of arrival (aware datetime or Unix seconds)."""
    ttl: int | None = attrs.field(
        default=None, validator=optional(check_int_range, low=1)
    )
    """Seconds after which the message is deleted from the devices."""
    html: bool = attrs.field(default=False, validator=check_bool)
    """The text is HTML (not with ``monospace``)."""
    monospace: bool = attrs.field(default=False, validator=check_bool)
    """The text is shown in a monospace font (not with ``html``)."""
    retry: int | None = attrs.field(
        default=None, validator=optional(check_int_range, low=RETRY_MIN)
    )
    """Emergency only: seconds between re-alerts, at least 30."""
    expire: int | None = attrs.field(
        default=None, validator=optional(check_int_range, low=1, high=EXPIRE_MAX)
    )
    """Emergency only: seconds of re-alerting, at most 10,800."""
    callback: str | None = attrs.field(default=None, validator=optional(check_callback))
    """Emergency only: a URL Pushover POSTs to on acknowledgement."""
    tags: str | None = attrs.field(default=None, validator=optional(check_line))
    """Emergency only: tags to cancel by (comma-separated)."""
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
        if self.priority == Priority.EMERGENCY:
            for name in ("retry", "expire"):
                if getattr(self, name) is None:
                    raise ValidationError(
                        name, "is required when priority is EMERGENCY (2)"
                    )
            if self.ttl is not None:
                raise ValidationError(
                    "ttl", "is ignored by Pushover for EMERGENCY messages; leave it out"
                )
        else:
            for name in ("retry", "expire", "callback", "tags"):
                if getattr(self, name) is not None:
                    raise ValidationError(
                        name, "is only allowed when priority is EMERGENCY (2)"
                    )

    def __repr__(self) -> str:
        """Every field that is set, for debugging, but the user key (and any text shaped
        like a key); the message cut to :data:`REPR_MESSAGE` characters, a base64
        attachment by its length."""
        shown = ["user=<redacted>"]
        for field in attrs.fields(Notification):
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
        return f"Notification({', '.join(shown)})"


# -- Results ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SendResult(Result):
    """A message was accepted. ``receipt`` is set for emergency messages."""

    receipt: str | None = None
    """An emergency message's receipt, to poll or cancel."""


scrub_public(globals())
