"""The values that go to Pushover and come back: frozen, keyword-only attrs models.

Request models check every documented rule when they are built, so an invalid request
cannot exist and nothing invalid is ever sent: a broken rule raises
:class:`~chump_typed.errors.ValidationError` naming the field and the bound. A value of
the wrong type raises :class:`TypeError`.

The models know nothing of the wire format; :mod:`chump_typed._converter` owns it.
Field names are Pushover's own parameter names.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import enum
import mimetypes
import re
from typing import TYPE_CHECKING, Any, BinaryIO, Final, Literal

import attrs

from chump_typed.errors import ValidationError

if TYPE_CHECKING:
    import os

__all__ = [
    "ATTACHMENT_MAX",
    "AppLimits",
    "Attachment",
    "CancelByTagRequest",
    "CancelByTagResult",
    "CancelRequest",
    "CancelResult",
    "ErrorResponse",
    "GlanceResult",
    "GlanceUpdate",
    "GroupAddUserRequest",
    "GroupAddUserResult",
    "GroupCreateRequest",
    "GroupCreateResult",
    "GroupDisableUserRequest",
    "GroupDisableUserResult",
    "GroupEnableUserRequest",
    "GroupEnableUserResult",
    "GroupInfo",
    "GroupInfoRequest",
    "GroupList",
    "GroupListRequest",
    "GroupMember",
    "GroupRemoveUserRequest",
    "GroupRemoveUserResult",
    "GroupRenameRequest",
    "GroupRenameResult",
    "GroupSummary",
    "LicenseAssignRequest",
    "LicenseAssignResult",
    "LicenseCredits",
    "LicenseCreditsRequest",
    "LicenseOS",
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
    "SubscriptionMigrateRequest",
    "SubscriptionMigrateResult",
    "TeamAddUserRequest",
    "TeamAddUserResult",
    "TeamDevice",
    "TeamInfo",
    "TeamInfoRequest",
    "TeamRemoveUserRequest",
    "TeamRemoveUserResult",
    "TeamRevokeInvitationRequest",
    "TeamRevokeInvitationResult",
    "TeamUser",
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
#: Largest attachment, in bytes once decoded (pushover-api.md §4.6).
ATTACHMENT_MAX: Final = 5_242_880
#: Group membership memo (§8).
MEMO_MAX: Final = 200
#: Glance title, text and subtext (§9).
GLANCE_TEXT_MAX: Final = 100
#: Glance percent range (§9).
PERCENT_MIN: Final = 0
PERCENT_MAX: Final = 100

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


def check_email(field: str, value: object) -> None:
    """An e-mail address: one ``@`` between non-empty parts, no spaces or controls."""
    require_type(field, value, str)
    assert isinstance(value, str)
    local, at, domain = value.rpartition("@")
    if not (at and local and domain) or _NOT_IN_EMAIL.search(value):
        raise ValidationError(
            field, f"must be an e-mail address (name@domain), got {_describe(value)}"
        )


def check_name(field: str, value: object) -> None:
    """A name shown by Pushover: not blank, no CR, LF or NUL."""
    check_line(field, value)
    assert isinstance(value, str)
    if not value.strip():
        raise ValidationError(field, "must not be blank")


def check_image_type(field: str, value: object) -> None:
    """A MIME type of an image, such as ``image/jpeg``."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if not _IMAGE_TYPE.fullmatch(value):
        raise ValidationError(
            field, f"must be an image MIME type such as image/jpeg, got {value!r}"
        )


def check_base64_image(field: str, value: object) -> None:
    """Base64 text whose decoded size is at most :data:`ATTACHMENT_MAX` bytes."""
    require_type(field, value, str)
    assert isinstance(value, str)
    try:
        size = len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        raise ValidationError(field, "must be valid base64 text") from None
    if size > ATTACHMENT_MAX:
        raise ValidationError(
            field, f"decodes to {size} bytes; at most {ATTACHMENT_MAX} are allowed"
        )


def _instance_of(kind: type) -> Any:
    """An attrs validator refusing anything but a *kind* (``None`` allowed)."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if value is not None:
            require_type(attribute.name, value, kind)

    return validate


_NOT_IN_EMAIL: Final = re.compile(r"[\s\x00-\x1f\x7f]")
_IMAGE_TYPE: Final = re.compile(
    r"image/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}", re.IGNORECASE
)


# -- Attachments -----------------------------------------------------------------------


def guess_image_type(filename: str) -> str | None:
    """The MIME type :mod:`mimetypes` guesses from *filename*, or ``None``."""
    kind, _ = mimetypes.guess_type(filename, strict=False)
    return kind


def _as_bytes(value: bytes | bytearray | memoryview) -> bytes:
    """Copy a bytearray or memoryview to bytes; the validator refuses anything else."""
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def _guessed_type(attachment: Attachment) -> str:
    # The default is computed before validators run: the filename may be anything yet.
    if isinstance(attachment.filename, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        kind = guess_image_type(attachment.filename)
        if kind is not None:
            return kind
    raise ValidationError(
        "attachment",
        f"cannot guess the content type of {attachment.filename!r}; "
        "pass content_type (e.g. image/jpeg)",
    )


def _check_attachment_data(
    _instance: object, _attribute: attrs.Attribute[Any], value: object
) -> None:
    require_type("attachment", value, bytes)
    assert isinstance(value, bytes)
    if len(value) > ATTACHMENT_MAX:
        raise ValidationError(
            "attachment",
            f"must be at most {ATTACHMENT_MAX} bytes, got {len(value)}",
        )


def _check_filename(
    _instance: object, _attribute: attrs.Attribute[Any], value: object
) -> None:
    check_text("attachment.filename", value, min_len=1, max_len=255)
    check_name("attachment.filename", value)


def _check_content_type(
    _instance: object, _attribute: attrs.Attribute[Any], value: object
) -> None:
    check_image_type("attachment.content_type", value)


def _data_repr(data: bytes) -> str:
    return f"<{len(data)} bytes>"


@attrs.frozen(kw_only=True)
class Attachment:
    """An image sent with a message as a multipart ``attachment`` part.

    ``data`` is at most :data:`ATTACHMENT_MAX` (5,242,880) bytes; ``filename`` is sent
    with it; ``content_type`` (an ``image/*`` MIME type) is guessed from the filename
    with :mod:`mimetypes` when not given. Build one from a file with :meth:`from_path`
    or :meth:`from_file`; both refuse an oversized file before reading all of it.
    """

    data: bytes = attrs.field(
        converter=_as_bytes, validator=_check_attachment_data, repr=_data_repr
    )
    filename: str = attrs.field(validator=_check_filename)
    content_type: str = attrs.field(
        default=attrs.Factory(_guessed_type, takes_self=True),
        validator=_check_content_type,
    )

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike[str],
        *,
        content_type: str | None = None,
        filename: str | None = None,
    ) -> Attachment:
        """Read the image at *path*; ``filename`` defaults to its base name.

        :raises ValidationError: the file cannot be read (the error names it) or breaks
            a rule above.
        """
        from chump_typed._attachments import read_path

        return read_path(path, content_type=content_type, filename=filename)

    @classmethod
    def from_file(
        cls,
        file: BinaryIO,
        *,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> Attachment:
        """Read the rest of a binary file object; ``filename`` defaults to the base
        name of its ``name`` attribute."""
        from chump_typed._attachments import read_file

        return read_file(file, filename=filename, content_type=content_type)

    def base64(self) -> str:
        """The image as Base64 text, for ``attachment_base64`` (+ ``attachment_type``)."""
        return base64.b64encode(self.data).decode("ascii")


# -- Requests --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Notification:
    """A message to send (``POST /1/messages.json``).

    ``user`` is one user or group key, or up to 50 user keys joined by commas.
    ``device`` is one device name or several joined by commas. Emergency messages
    (``priority=Priority.EMERGENCY``) need ``retry`` (>= 30 s) and ``expire``
    (<= 10800 s); ``retry``, ``expire``, ``callback`` and ``tags`` are refused on any
    other priority, and ``ttl`` is refused on emergency messages (Pushover ignores it).
    An image goes either as ``attachment`` (an :class:`Attachment`, sent as a multipart
    part) or as ``attachment_base64`` with its ``attachment_type``; either way at most
    :data:`ATTACHMENT_MAX` bytes once decoded.
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
    attachment: Attachment | None = attrs.field(
        default=None, validator=_instance_of(Attachment)
    )
    attachment_base64: str | None = attrs.field(
        default=None, validator=_optional(check_base64_image)
    )
    attachment_type: str | None = attrs.field(
        default=None, validator=_optional(check_image_type)
    )

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


# -- Groups (pushover-api.md §8; every detail [LIB]) ----------------------------------


@attrs.frozen(kw_only=True)
class GroupCreateRequest:
    """Create a delivery group (``POST /1/groups.json``).

    No length limit for ``name`` is documented; it must not be blank.
    """

    name: str = attrs.field(validator=_required(check_name))


@attrs.frozen(kw_only=True)
class GroupListRequest:
    """List the application owner's delivery groups (``GET /1/groups.json``)."""


@attrs.frozen(kw_only=True)
class GroupInfoRequest:
    """A group's name and members (``GET /1/groups/{group}.json``)."""

    group: str = attrs.field(validator=_required(check_key), repr=False)


@attrs.frozen(kw_only=True)
class GroupAddUserRequest:
    """Add a user to a group (``POST /1/groups/{group}/add_user.json``).

    ``device`` limits the membership to one of the user's devices; ``memo`` is a note
    of at most 200 characters.
    """

    group: str = attrs.field(validator=_required(check_key), repr=False)
    user: str = attrs.field(validator=_required(check_key), repr=False)
    device: str | None = attrs.field(
        default=None, validator=_optional(check_devices, many=False)
    )
    memo: str | None = attrs.field(
        default=None, validator=_optional(check_text, max_len=MEMO_MAX)
    )


@attrs.frozen(kw_only=True)
class GroupRemoveUserRequest:
    """Remove a user from a group.

    Sent to ``groups/{group}/remove_user.json``, the name of the 2026 documentation;
    libraries written before 2026 call ``delete_user.json`` instead [UNVERIFIED which
    one the live API accepts]: run this request on
    :data:`~chump_typed._endpoints.REMOVE_GROUP_USER_LEGACY` for the older name.
    ``device`` (unverified) removes only that device's membership.
    """

    group: str = attrs.field(validator=_required(check_key), repr=False)
    user: str = attrs.field(validator=_required(check_key), repr=False)
    device: str | None = attrs.field(
        default=None, validator=_optional(check_devices, many=False)
    )


@attrs.frozen(kw_only=True)
class GroupDisableUserRequest:
    """Stop a member's deliveries for now (``groups/{group}/disable_user.json``).

    ``device`` (unverified) targets one membership of the user.
    """

    group: str = attrs.field(validator=_required(check_key), repr=False)
    user: str = attrs.field(validator=_required(check_key), repr=False)
    device: str | None = attrs.field(
        default=None, validator=_optional(check_devices, many=False)
    )


@attrs.frozen(kw_only=True)
class GroupEnableUserRequest:
    """Resume a disabled member's deliveries (``groups/{group}/enable_user.json``)."""

    group: str = attrs.field(validator=_required(check_key), repr=False)
    user: str = attrs.field(validator=_required(check_key), repr=False)
    device: str | None = attrs.field(
        default=None, validator=_optional(check_devices, many=False)
    )


@attrs.frozen(kw_only=True)
class GroupRenameRequest:
    """Rename a group (``POST /1/groups/{group}/rename.json``)."""

    group: str = attrs.field(validator=_required(check_key), repr=False)
    name: str = attrs.field(validator=_required(check_name))


# -- Glances, subscriptions, licensing, teams (§9-§12) ---------------------------------

GLANCE_FIELDS: Final = ("title", "text", "subtext", "count", "percent")


@attrs.frozen(kw_only=True)
class GlanceUpdate:
    """Push data to a user's glance widget (``POST /1/glances.json``).

    At least one of ``title``, ``text``, ``subtext`` (at most 100 characters each),
    ``count`` (any integer) and ``percent`` (0 to 100) is required. Pushover keeps
    fields between updates; an empty string clears a text field [LIB].
    ``device`` sends to one device only. Whether group keys are accepted is not
    documented, so ``user`` is one key.
    """

    user: str = attrs.field(validator=_required(check_key), repr=False)
    device: str | None = attrs.field(
        default=None, validator=_optional(check_devices, many=False)
    )
    title: str | None = attrs.field(
        default=None, validator=_optional(check_text, max_len=GLANCE_TEXT_MAX)
    )
    text: str | None = attrs.field(
        default=None, validator=_optional(check_text, max_len=GLANCE_TEXT_MAX)
    )
    subtext: str | None = attrs.field(
        default=None, validator=_optional(check_text, max_len=GLANCE_TEXT_MAX)
    )
    count: int | None = attrs.field(default=None, validator=_optional(check_int_range))
    percent: int | None = attrs.field(
        default=None,
        validator=_optional(check_int_range, low=PERCENT_MIN, high=PERCENT_MAX),
    )

    def __attrs_post_init__(self) -> None:
        if all(getattr(self, name) is None for name in GLANCE_FIELDS):
            raise ValidationError(
                "glance", "at least one of title, text, subtext, count or percent"
            )


@attrs.frozen(kw_only=True)
class SubscriptionMigrateRequest:
    """Turn a user key into a subscribed user key for a subscription
    (``POST /1/subscriptions/migrate.json``).

    ``subscription`` is the subscription code; ``device_name`` (Pushover's name for
    it here, not ``device``) limits it to one device; ``sound`` is the preferred sound.
    """

    subscription: str = attrs.field(validator=_required(check_name))
    user: str = attrs.field(validator=_required(check_key), repr=False)
    device_name: str | None = attrs.field(
        default=None, validator=_optional(check_devices, many=False)
    )
    sound: str | None = attrs.field(default=None, validator=_optional(check_line))


LicenseOS = Literal["Android", "iOS", "Desktop"]
LICENSE_OS: Final[tuple[LicenseOS, ...]] = ("Android", "iOS", "Desktop")


def _check_os(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None and value not in LICENSE_OS:
        raise ValidationError(
            attribute.name, f"must be one of Android, iOS or Desktop, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class LicenseAssignRequest:
    """Spend one licence credit on a user (``POST /1/licenses/assign.json``).

    Give exactly one of ``user`` (a user key) or ``email``; ``os`` picks the platform,
    or leave it out for the first platform the user registers. Never retried
    automatically: each success spends a credit.
    """

    user: str | None = attrs.field(
        default=None, validator=_optional(check_key), repr=False
    )
    email: str | None = attrs.field(
        default=None, validator=_optional(check_email), repr=False
    )
    os: LicenseOS | None = attrs.field(default=None, validator=_check_os)

    def __attrs_post_init__(self) -> None:
        if (self.user is None) == (self.email is None):
            raise ValidationError("user", "give exactly one of user or email")


@attrs.frozen(kw_only=True)
class LicenseCreditsRequest:
    """Ask how many licence credits remain (``GET /1/licenses.json``)."""


@attrs.frozen(kw_only=True)
class TeamAddUserRequest:
    """Add a user to a Pushover for Teams team (``POST /1/teams/add_user.json``).

    Authenticated by the team token, not the application token. Without
    ``password`` Pushover generates one and e-mails it; ``instant`` puts a 7-day
    login link in the welcome mail; ``admin`` makes the user a team administrator;
    ``group`` names a delivery group to add them to (created if missing). The two
    flags go on the wire as the string ``true`` (left out when false).
    """

    email: str = attrs.field(validator=_required(check_email), repr=False)
    name: str | None = attrs.field(default=None, validator=_optional(check_name))
    password: str | None = attrs.field(
        default=None,
        validator=_optional(check_text, min_len=1, max_len=1024),
        repr=False,
    )
    instant: bool = attrs.field(default=False, validator=_check_bool)
    admin: bool = attrs.field(default=False, validator=_check_bool)
    group: str | None = attrs.field(default=None, validator=_optional(check_name))


@attrs.frozen(kw_only=True)
class TeamRemoveUserRequest:
    """Remove a user from the team (``POST /1/teams/remove_user.json``) [LIB]."""

    email: str = attrs.field(validator=_required(check_email), repr=False)


@attrs.frozen(kw_only=True)
class TeamInfoRequest:
    """The team, its users and their devices (``GET /1/teams.json``) [UNVERIFIED: seen
    in two 2026 libraries only]."""


@attrs.frozen(kw_only=True)
class TeamRevokeInvitationRequest:
    """Withdraw a pending invitation to the team
    (``POST /1/teams/revoke_invitation.json``) [UNVERIFIED: one 2026 library only]."""

    email: str = attrs.field(validator=_required(check_email), repr=False)


# -- Results ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RateLimit:
    """The ``X-Limit-App-*`` headers: the account's monthly allowance."""

    limit: int
    remaining: int
    reset: _dt.datetime

    def is_newer_than(self, other: RateLimit) -> bool:
        """Whether the server gave these figures after *other*'s.

        Responses can arrive in another order than the server answered them, so the
        order is read from the figures themselves: a later ``reset`` is a later period;
        within one period the allowance only grows (capacity can be bought, never
        taken back) and ``remaining`` only falls. Equal figures are not newer.
        """
        return _rate_limit_order(self) > _rate_limit_order(other)


def _rate_limit_order(figures: RateLimit) -> tuple[_dt.datetime, int, int]:
    return (figures.reset, figures.limit, -figures.remaining)


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


@attrs.frozen(kw_only=True)
class GroupCreateResult(Result):
    """A delivery group was created; ``group`` is its new key."""

    group: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class GroupSummary:
    """One delivery group in a :class:`GroupList`."""

    group: str = attrs.field(repr=False)
    name: str


@attrs.frozen(kw_only=True)
class GroupList(Result):
    """The delivery groups the application's owner has."""

    groups: tuple[GroupSummary, ...] = ()


@attrs.frozen(kw_only=True)
class GroupMember:
    """One membership of a group. ``device`` ``None`` means all the user's devices;
    ``name`` and ``email`` are given for Team groups only [UNVERIFIED]."""

    user: str = attrs.field(repr=False)
    device: str | None = None
    memo: str = ""
    disabled: bool = False
    name: str | None = None
    email: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class GroupInfo(Result):
    """A group's name and memberships."""

    name: str
    users: tuple[GroupMember, ...] = ()


@attrs.frozen(kw_only=True)
class GroupAddUserResult(Result):
    """The user was added to the group."""


@attrs.frozen(kw_only=True)
class GroupRemoveUserResult(Result):
    """The user was removed from the group."""


@attrs.frozen(kw_only=True)
class GroupDisableUserResult(Result):
    """The member's deliveries are paused."""


@attrs.frozen(kw_only=True)
class GroupEnableUserResult(Result):
    """The member's deliveries resumed."""


@attrs.frozen(kw_only=True)
class GroupRenameResult(Result):
    """The group was renamed."""


@attrs.frozen(kw_only=True)
class GlanceResult(Result):
    """The glance data was accepted."""


@attrs.frozen(kw_only=True)
class SubscriptionMigrateResult(Result):
    """The subscribed user key to send to from now on, in place of the user key."""

    subscribed_user_key: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class LicenseAssignResult(Result):
    """A licence was assigned; ``credits`` remain."""

    credits: int


@attrs.frozen(kw_only=True)
class LicenseCredits(Result):
    """The licence credits that remain."""

    credits: int


@attrs.frozen(kw_only=True)
class TeamAddUserResult(Result):
    """The user was added to the team."""


@attrs.frozen(kw_only=True)
class TeamRemoveUserResult(Result):
    """The user was removed from the team."""


@attrs.frozen(kw_only=True)
class TeamRevokeInvitationResult(Result):
    """The invitation was withdrawn."""


@attrs.frozen(kw_only=True)
class TeamDevice:
    """One device of a team user. Field names follow a 2026 library [UNVERIFIED]."""

    name: str
    os: str | None = None
    os_version: str | None = None
    enabled: bool = True
    administratively_disabled: bool = False


@attrs.frozen(kw_only=True)
class TeamUser:
    """One user of the team [UNVERIFIED field names]; ``administrator`` marks a team
    administrator."""

    name: str | None = None
    email: str | None = attrs.field(default=None, repr=False)
    administrator: bool = False
    devices: tuple[TeamDevice, ...] = ()


@attrs.frozen(kw_only=True)
class TeamInfo(Result):
    """The team's name and users [UNVERIFIED shape]."""

    name: str
    users: tuple[TeamUser, ...] = ()


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
