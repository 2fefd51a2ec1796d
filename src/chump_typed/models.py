"""The values that go to Pushover and come back: frozen, keyword-only attrs models.

Request models check every documented rule when they are built, so an invalid request
cannot exist and nothing invalid is ever sent: a broken rule raises
:class:`~chump_typed.errors.ValidationError` naming the field and the bound. A value of
the wrong type raises :class:`TypeError`.

The models know nothing of the wire format; :mod:`chump_typed._converter` owns it.
Field names are Pushover's own parameter names.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from typing import Any, Final

import attrs

from chump_typed.errors import ValidationError

__all__ = [
    "AppLimits",
    "CancelByTagRequest",
    "CancelByTagResult",
    "CancelRequest",
    "CancelResult",
    "ErrorResponse",
    "LimitsRequest",
    "Notification",
    "Priority",
    "RateLimit",
    "Receipt",
    "ReceiptRequest",
    "Result",
    "SendResult",
    "SoundList",
    "SoundsRequest",
    "UserValidation",
    "ValidateUserRequest",
]


class Priority(enum.IntEnum):
    """Message priority (Pushover's ``priority`` parameter)."""

    LOWEST = -2
    """No notification at all; iOS only bumps the badge."""
    LOW = -1
    """No sound or vibration; a quiet banner may appear."""
    NORMAL = 0
    """Sound, vibration and banner, except during the user's quiet hours."""
    HIGH = 1
    """Bypasses quiet hours."""
    EMERGENCY = 2
    """Repeats every ``retry`` seconds until acknowledged or ``expire`` passes."""


# -- Documented bounds (pushover-api.md §1, §4) ----------------------------------------

MESSAGE_MAX: Final = 1024
TITLE_MAX: Final = 250
URL_MAX: Final = 512
URL_TITLE_MAX: Final = 100
MAX_RECIPIENTS: Final = 50
RETRY_MIN: Final = 30
EXPIRE_MAX: Final = 10800
DEVICE_NAME_MAX: Final = 25

KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9]{30}")
DEVICE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,25}")
_CONTROL: Final = re.compile(r"[\x00\r\n]")


# -- Checks shared by the validators ---------------------------------------------------


def _describe(value: object) -> str:
    """A short, secret-free description of a bad value for an error message."""
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    return f"a {type(value).__name__}"


def require_type(field: str, value: object, kind: type | tuple[type, ...]) -> None:
    """Raise :class:`TypeError` naming *field* unless *value* is a *kind*.

    ``bool`` is refused where an ``int`` is wanted: ``True`` is not a number of seconds.
    """
    if isinstance(value, bool) and bool not in (
        kind if isinstance(kind, tuple) else (kind,)
    ):
        raise TypeError(f"{field}: expected {_kind_name(kind)}, got a bool")
    if not isinstance(value, kind):
        raise TypeError(f"{field}: expected {_kind_name(kind)}, got {_describe(value)}")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def check_key(field: str, value: object) -> None:
    """A user key, group key, application token or receipt: 30 letters and digits."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if not KEY_PATTERN.fullmatch(value):
        raise ValidationError(
            field,
            f"must be exactly 30 ASCII letters and digits, got {_describe(value)}",
        )


def check_recipients(field: str, value: object) -> None:
    """One key, or 1..50 keys joined by commas without spaces."""
    require_type(field, value, str)
    assert isinstance(value, str)
    keys = value.split(",")
    if len(keys) > MAX_RECIPIENTS:
        raise ValidationError(
            field, f"at most {MAX_RECIPIENTS} comma-separated keys, got {len(keys)}"
        )
    for position, key in enumerate(keys, start=1):
        if not KEY_PATTERN.fullmatch(key):
            where = f"key {position} of {len(keys)}" if len(keys) > 1 else "the key"
            raise ValidationError(
                field,
                f"{where} must be exactly 30 ASCII letters and digits, "
                f"got {_describe(key)}",
            )


def check_devices(field: str, value: object, *, many: bool = True) -> None:
    """Device names: 1..25 of ``[A-Za-z0-9_-]``, comma-separated when *many*."""
    require_type(field, value, str)
    assert isinstance(value, str)
    names = value.split(",") if many else [value]
    for name in names:
        if not DEVICE_PATTERN.fullmatch(name):
            raise ValidationError(
                field,
                f"device names are 1 to {DEVICE_NAME_MAX} of A-Z a-z 0-9 _ -, "
                f"got {name!r}",
            )


def check_text(field: str, value: object, *, max_len: int, min_len: int = 0) -> None:
    """A string whose length in code points lies in ``min_len..max_len``."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if not min_len <= len(value) <= max_len:
        bound = (
            f"at most {max_len}" if min_len == 0 else f"between {min_len} and {max_len}"
        )
        raise ValidationError(field, f"must be {bound} characters, got {len(value)}")


def check_line(field: str, value: object) -> None:
    """A free string that could reach a URL path or header: no CR, LF or NUL."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if _CONTROL.search(value):
        raise ValidationError(field, "must not contain CR, LF or NUL characters")


def check_int_range(
    field: str, value: object, *, low: int | None = None, high: int | None = None
) -> None:
    """An ``int`` (not a ``bool``) within the inclusive bounds given."""
    require_type(field, value, int)
    assert isinstance(value, int)
    if low is not None and value < low:
        raise ValidationError(field, f"must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValidationError(field, f"must be <= {high}, got {value}")


def _optional(check: Any, **bounds: Any) -> Any:
    """An attrs validator running *check* on a value that is not ``None``."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if value is not None:
            check(attribute.name, value, **bounds)

    return validate


def _required(check: Any, **bounds: Any) -> Any:
    """An attrs validator running *check* on the value."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        check(attribute.name, value, **bounds)

    return validate


def _check_bool(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name}: expected bool, got {_describe(value)}")


def _check_priority(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    require_type(attribute.name, value, int)
    if value not in Priority._value2member_map_:
        raise ValidationError(
            attribute.name, f"must be between -2 and 2 (a Priority), got {value}"
        )


def _check_timestamp(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is None:
        return
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(
                attribute.name, "a datetime must be timezone-aware (e.g. UTC)"
            )
        return
    check_int_range(attribute.name, value, low=0)


# -- Requests --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Notification:
    """A message to send (``POST /1/messages.json``).

    ``user`` is one user or group key, or up to 50 user keys joined by commas.
    ``device`` is one device name or several joined by commas. Emergency messages
    (``priority=Priority.EMERGENCY``) need ``retry`` (>= 30 s) and ``expire``
    (<= 10800 s); ``retry``, ``expire``, ``callback`` and ``tags`` are refused on any
    other priority, and ``ttl`` is refused on emergency messages (Pushover ignores it).
    """

    user: str = attrs.field(validator=_required(check_recipients))
    message: str = attrs.field(
        validator=_required(check_text, min_len=1, max_len=MESSAGE_MAX)
    )
    title: str | None = attrs.field(
        default=None, validator=_optional(check_text, max_len=TITLE_MAX)
    )
    url: str | None = attrs.field(
        default=None, validator=_optional(check_text, max_len=URL_MAX)
    )
    url_title: str | None = attrs.field(
        default=None, validator=_optional(check_text, max_len=URL_TITLE_MAX)
    )
    device: str | None = attrs.field(default=None, validator=_optional(check_devices))
    priority: Priority = attrs.field(default=Priority.NORMAL, validator=_check_priority)
    sound: str | None = attrs.field(default=None, validator=_optional(check_line))
    timestamp: _dt.datetime | int | None = attrs.field(
        default=None, validator=_check_timestamp
    )
    ttl: int | None = attrs.field(
        default=None, validator=_optional(check_int_range, low=1)
    )
    html: bool = attrs.field(default=False, validator=_check_bool)
    monospace: bool = attrs.field(default=False, validator=_check_bool)
    retry: int | None = attrs.field(
        default=None, validator=_optional(check_int_range, low=RETRY_MIN)
    )
    expire: int | None = attrs.field(
        default=None, validator=_optional(check_int_range, low=1, high=EXPIRE_MAX)
    )
    callback: str | None = attrs.field(default=None, validator=_optional(check_line))
    tags: str | None = attrs.field(default=None, validator=_optional(check_line))

    def __attrs_post_init__(self) -> None:
        if self.html and self.monospace:
            raise ValidationError("monospace", "html and monospace cannot both be set")
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
        return (
            f"Notification(user=<redacted>, message=<{len(self.message)} characters>)"
        )


@attrs.frozen(kw_only=True)
class SoundsRequest:
    """List the sounds the application may use (``GET /1/sounds.json``)."""


@attrs.frozen(kw_only=True)
class ValidateUserRequest:
    """Check a user or group key, optionally for one device (``users/validate``)."""

    user: str = attrs.field(validator=_required(check_key), repr=False)
    device: str | None = attrs.field(
        default=None, validator=_optional(check_devices, many=False)
    )


@attrs.frozen(kw_only=True)
class ReceiptRequest:
    """Poll an emergency message's receipt (``GET /1/receipts/{receipt}.json``)."""

    receipt: str = attrs.field(validator=_required(check_key))


@attrs.frozen(kw_only=True)
class CancelRequest:
    """Stop an emergency message's retries (``receipts/{receipt}/cancel``)."""

    receipt: str = attrs.field(validator=_required(check_key))


@attrs.frozen(kw_only=True)
class CancelByTagRequest:
    """Stop every active emergency message sent with *tag*."""

    tag: str = attrs.field(
        validator=[
            _required(check_text, min_len=1, max_len=1024),
            _required(check_line),
        ]
    )


@attrs.frozen(kw_only=True)
class LimitsRequest:
    """Ask for the monthly message allowance (``GET /1/apps/limits.json``)."""


# -- Results ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RateLimit:
    """The ``X-Limit-App-*`` headers: the account's monthly allowance."""

    limit: int
    remaining: int
    reset: _dt.datetime


@attrs.frozen(kw_only=True)
class Result:
    """What every successful call returns: Pushover's request id, and the rate-limit
    headers when the response carried them."""

    request: str
    rate_limit: RateLimit | None = None


@attrs.frozen(kw_only=True)
class SendResult(Result):
    """A message was accepted. ``receipt`` is set for emergency messages."""

    receipt: str | None = None


@attrs.frozen(kw_only=True)
class SoundList(Result):
    """Sound names to send as ``sound``, mapped to their labels."""

    sounds: dict[str, str] = attrs.field(hash=False)


@attrs.frozen(kw_only=True)
class UserValidation(Result):
    """A key is valid and has at least one active device."""

    devices: tuple[str, ...] = ()
    licenses: tuple[str, ...] = ()
    group: bool = False


@attrs.frozen(kw_only=True)
class Receipt(Result):
    """The state of an emergency message. Times that have not happened are ``None``."""

    acknowledged: bool
    acknowledged_at: _dt.datetime | None = None
    acknowledged_by: str | None = attrs.field(default=None, repr=False)
    acknowledged_by_device: str | None = None
    last_delivered_at: _dt.datetime | None = None
    expired: bool = False
    expires_at: _dt.datetime | None = None
    called_back: bool = False
    called_back_at: _dt.datetime | None = None


@attrs.frozen(kw_only=True)
class CancelResult(Result):
    """Retries of one emergency message were stopped."""


@attrs.frozen(kw_only=True)
class CancelByTagResult(Result):
    """Retries of every message with a tag were stopped; ``canceled`` counts them
    when Pushover says."""

    canceled: int | None = None


@attrs.frozen(kw_only=True)
class AppLimits(Result):
    """The monthly allowance, what remains of it, and when it resets."""

    limit: int
    remaining: int
    reset: _dt.datetime


# -- Errors ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ErrorResponse:
    """Pushover's answer to a rejected request.

    ``errors`` arrives either as a list of messages or, from some APIs (licensing, open
    client), as an object mapping a parameter to its messages; both are kept as sent.
    ``bad_inputs`` holds the per-parameter reasons (``{"user": "invalid"}``) and
    ``extra`` any other key Pushover added, so nothing in the answer is lost.
    """

    status: int = 0
    request: str | None = None
    errors: tuple[str, ...] | dict[str, tuple[str, ...]] = attrs.field(
        default=(), hash=False
    )
    bad_inputs: dict[str, str] = attrs.field(factory=dict[str, str], hash=False)
    receipt: str | None = None
    extra: dict[str, object] = attrs.field(factory=dict[str, object], hash=False)

    def messages(self) -> list[str]:
        """Every error message as one flat list; object-form entries read
        ``"parameter: message"``."""
        if isinstance(self.errors, dict):
            return [
                f"{name}: {text}"
                for name, texts in self.errors.items()
                for text in texts
            ]
        return list(self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this value was read from (chump's ``APIError.response``)."""
        data: dict[str, Any] = dict(self.extra)
        data.update(self.bad_inputs)
        data["status"] = self.status
        data["request"] = self.request
        data["errors"] = (
            {k: list(v) for k, v in self.errors.items()}
            if isinstance(self.errors, dict)
            else list(self.errors)
        )
        if self.receipt is not None:
            data["receipt"] = self.receipt
        return data
