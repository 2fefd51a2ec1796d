"""What follows a message: the sounds one may send with it, checking a user key
before sending, an emergency message's receipt and the cancelling of its retries, the
monthly allowance (pushover-api.md §5-§7).

Loaded on first use of one of its names (``chump_typed.models`` exports them all): a
script that only sends pays for none of these classes.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from chump_typed._checks import (
    check_devices,
    check_key,
    check_line,
    check_text,
    optional,
    required,
)
from chump_typed._scrub import scrub_public
from chump_typed.models._base import Request, Result, wire

__all__ = [
    "AppLimits",
    "CancelByTagRequest",
    "CancelByTagResult",
    "CancelRequest",
    "CancelResult",
    "LimitsRequest",
    "Receipt",
    "ReceiptRequest",
    "SoundList",
    "SoundsRequest",
    "UserValidation",
    "ValidateUserRequest",
]

# -- Requests ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SoundsRequest(Request):
    """List the sounds the application may use (``GET /1/sounds.json``)."""


@attrs.frozen(kw_only=True)
class ValidateUserRequest(Request):
    """Check a user or group key, optionally for one device (``users/validate``)."""

    user: str = attrs.field(validator=required(check_key), repr=False)
    """The user or group key to check."""
    device: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Also check that the user has this device."""


@attrs.frozen(kw_only=True)
class ReceiptRequest(Request):
    """Poll an emergency message's receipt (``GET /1/receipts/{receipt}.json``)."""

    receipt: str = attrs.field(validator=required(check_key))
    """The receipt an emergency message's send returned."""


@attrs.frozen(kw_only=True)
class CancelRequest(Request):
    """Stop an emergency message's retries (``receipts/{receipt}/cancel``)."""

    receipt: str = attrs.field(validator=required(check_key))
    """The receipt of the emergency message to stop."""


@attrs.frozen(kw_only=True)
class CancelByTagRequest(Request):
    """Stop every active emergency message sent with *tag*."""

    tag: str = attrs.field(
        validator=[
            required(check_text, min_len=1, max_len=1024),
            required(check_line),
        ]
    )
    """The tag given to the emergency messages to stop."""


@attrs.frozen(kw_only=True)
class LimitsRequest(Request):
    """Ask for the monthly message allowance (``GET /1/apps/limits.json``)."""


# -- Results ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SoundList(Result):
    """Sound names to send as ``sound``, mapped to their labels."""

    sounds: dict[str, str] = attrs.field(hash=False)
    """Sound names (to send as ``sound``) and their labels."""


@attrs.frozen(kw_only=True)
class UserValidation(Result):
    """A key is valid and has at least one active device."""

    devices: tuple[str, ...] = ()
    """The user's active device names."""
    licenses: tuple[str, ...] = ()
    """The platforms the user is licensed for."""
    group: bool = False
    """Whether the key is a group key."""


@attrs.frozen(kw_only=True)
class Receipt(Result):
    """The state of an emergency message. Times that have not happened are ``None``."""

    acknowledged: bool
    """Whether a recipient acknowledged the message."""
    acknowledged_at: _dt.datetime | None = None
    """When it was acknowledged."""
    acknowledged_by: str | None = attrs.field(
        default=None, repr=False, metadata=wire("blank_is_none")
    )
    """The user key that acknowledged it."""
    acknowledged_by_device: str | None = attrs.field(
        default=None, metadata=wire("blank_is_none")
    )
    """The device it was acknowledged on."""
    last_delivered_at: _dt.datetime | None = None
    """When it was last delivered (re-alerted)."""
    expired: bool = False
    """Whether ``expire`` has passed."""
    expires_at: _dt.datetime | None = None
    """When re-alerting stops."""
    called_back: bool = False
    """Whether Pushover has called the callback URL."""
    called_back_at: _dt.datetime | None = None
    """When it called the callback URL."""


@attrs.frozen(kw_only=True)
class CancelResult(Result):
    """Retries of one emergency message were stopped."""


@attrs.frozen(kw_only=True)
class CancelByTagResult(Result):
    """Retries of every message with a tag were stopped; ``canceled`` counts them
    when Pushover says."""

    canceled: int | None = None
    """How many messages were stopped, when Pushover says."""


@attrs.frozen(kw_only=True)
class AppLimits(Result):
    """The monthly allowance, what remains of it, and when it resets."""

    limit: int
    """The messages the application may send this month."""
    remaining: int
    """The messages it has left this month."""
    reset: _dt.datetime
    """When the allowance resets (aware UTC)."""


scrub_public(globals())
