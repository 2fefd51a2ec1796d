"""The validator library: the checks every entry point runs on local input.

Each check names the field it was given: a value of the wrong type raises
:class:`TypeError`, a value that breaks a documented bound raises
:class:`~chump_typed.errors.ValidationError` with the bound in its text. The models wire
them in as attrs validators (:func:`required`, :func:`optional`); the facade, the
command line, bulk sending and the logging handler call them directly, so one rule has
one implementation. Error texts describe a bad value without showing it: it may be a
secret.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from chump_typed.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable
    from urllib.parse import SplitResult

__all__ = [
    "API_VERSION",
    "ATTACHMENT_MAX",
    "BASE_URL_VARIABLE",
    "DEFAULT_BASE_URL",
    "DEVICE_NAME_MAX",
    "DEVICE_PATTERN",
    "INT_MAX",
    "INT_MIN",
    "KEY_PATTERN",
    "MAX_RECIPIENTS",
    "TIMESTAMP_MAX",
    "TIMESTAMP_MIN",
    "base_url_or_env",
    "check_base64_image",
    "check_base_url",
    "check_bool",
    "check_ca_certs",
    "check_callback",
    "check_controls",
    "check_devices",
    "check_email",
    "check_extra_params",
    "check_image_type",
    "check_int_range",
    "check_key",
    "check_line",
    "check_name",
    "check_recipients",
    "check_service_url",
    "check_team_token",
    "check_text",
    "check_timestamp",
    "check_unicode",
    "check_url",
    "describe",
    "describe_int",
    "instance_of",
    "is_loopback",
    "optional",
    "require_type",
    "required",
    "url_or_env",
]

# -- Documented bounds shared by several API families (pushover-api.md §1, §4) ---------

#: Keys joined by commas in one ``user`` (§4.1).
MAX_RECIPIENTS: Final = 50
DEVICE_NAME_MAX: Final = 25
#: Largest attachment, in bytes once decoded (pushover-api.md §4.6).
ATTACHMENT_MAX: Final = 5_242_880

#: The bounds of an int field without a documented one: a signed 64-bit integer.
INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**63 - 1
#: ``timestamp``: Unix seconds after the epoch (0 is Pushover's "never", §1) up to the
#: last second of the year 9999, the last a datetime can show.
TIMESTAMP_MIN: Final = 1
TIMESTAMP_MAX: Final = 253_402_300_799

KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9]{30}")
DEVICE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,25}")
#: C0 control characters (U+0000 to U+001F), refused in every text field...
_CONTROL: Final = re.compile(r"[\x00-\x1f]")
#: ... except tab, LF and CR in a message body (``multiline``).
_CONTROL_IN_LINES: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def describe(value: object) -> str:
    """A short, secret-free description of a bad value for an error message."""
    if isinstance(value, str):
        if not value:
            return "an empty string"
        return f"a string of {len(value)} character{'' if len(value) == 1 else 's'}"
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
        raise TypeError(f"{field}: expected {_kind_name(kind)}, got {describe(value)}")


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
            f"must be exactly 30 ASCII letters and digits, got {describe(value)}"
            + _whitespace_hint(value),
        )


def _whitespace_hint(value: str) -> str:
    """Say so when a key only fails for the spaces around it (a pasted value)."""
    if value != value.strip() and KEY_PATTERN.fullmatch(value.strip()):
        return ": it has leading or trailing whitespace"
    return ""


def check_team_token(field: str, value: object) -> None:
    """A Team API token: its format is undocumented, so any non-blank word."""
    if not isinstance(value, str):
        raise TypeError(f"{field}: expected str, got a {type(value).__name__}")
    if not value or any(c.isspace() or not c.isprintable() for c in value):
        raise ValidationError(
            field, "must be a non-empty token without spaces or control characters"
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
                f"got {describe(key)}" + _whitespace_hint(key),
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


def check_text(
    field: str,
    value: object,
    *,
    max_len: int,
    min_len: int = 0,
    multiline: bool = False,
) -> None:
    """A string whose length in code points lies in ``min_len..max_len``, without C0
    control characters (a *multiline* text, a message body, may hold tab, CR and LF)."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if not min_len <= len(value) <= max_len:
        bound = (
            f"at most {max_len}" if min_len == 0 else f"between {min_len} and {max_len}"
        )
        raise ValidationError(field, f"must be {bound} characters, got {len(value)}")
    check_controls(field, value, multiline=multiline)
    check_unicode(field, value)


#: A URL's scheme and its colon (RFC 3986 §3.1): ``https:``, ``mailto:``, an app's own.
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def check_url(field: str, value: object, *, max_len: int) -> None:
    """A supplementary URL: a line of at most *max_len* characters that starts with
    its scheme (``https://...``, or an app's own, ``twitter://...``). Pushover sends
    ``example.com/x`` as it is, and a device cannot open it; an empty URL is none."""
    check_text(field, value, max_len=max_len)
    assert isinstance(value, str)
    if value and not _SCHEME.match(value):
        # The value is not quoted: an end-to-end encrypted message keeps its URL secret.
        raise ValidationError(
            field,
            "must start with its scheme, e.g. https://example.com/x (or an app's "
            "own, such as twitter://); got a URL without one",
        )


def check_controls(field: str, value: str, *, multiline: bool = False) -> None:
    """No C0 control character (U+0000 to U+001F); tab, CR and LF are allowed in
    *multiline* text."""
    if (_CONTROL_IN_LINES if multiline else _CONTROL).search(value):
        allowed = " other than tab, CR and LF" if multiline else ""
        raise ValidationError(
            field,
            f"must not contain control characters (U+0000 to U+001F){allowed}",
        )


#: Wire names the library sets itself (credentials, encryption, attachments): an extra
#: parameter may never take one, so it can never override them.
RESERVED_PARAMS: Final = frozenset(
    {
        "token",
        "user",
        "secret",
        "encrypted",
        "attachment",
        "attachment_base64",
        "attachment_type",
    }
)
#: The most extra parameters one call takes, and the longest name and value.
EXTRA_PARAMS_MAX: Final = 32
EXTRA_NAME_MAX: Final = 64
EXTRA_VALUE_MAX: Final = 1024
_PARAM_NAME: Final = re.compile(rf"[A-Za-z0-9_]{{1,{EXTRA_NAME_MAX}}}")


def check_extra_params(
    field: str, value: object, *, taken: Collection[str]
) -> dict[str, str]:
    """*value* as the string parameters to add to a call: a mapping of names (1 to
    64 of ``[A-Za-z0-9_]``, none in :data:`RESERVED_PARAMS` or *taken*, the
    request's own wire names) to text (at most 1,024 characters, no control
    character but tab, CR and LF); at most 32 of them. Values are never shown."""
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{field}: expected a mapping of str to str, got a {type(value).__name__}"
        )
    items = list(cast("Mapping[object, object]", value).items())
    if len(items) > EXTRA_PARAMS_MAX:
        raise ValidationError(
            field, f"must hold at most {EXTRA_PARAMS_MAX} parameters, got {len(items)}"
        )
    checked: dict[str, str] = {}
    for name, text in items:
        if not isinstance(name, str):
            raise TypeError(
                f"{field}: a name must be a str, got a {type(name).__name__}"
            )
        if not _PARAM_NAME.fullmatch(name):
            raise ValidationError(
                field,
                f"a name must be 1 to {EXTRA_NAME_MAX} of A-Z a-z 0-9 _, "
                f"got {name[: EXTRA_NAME_MAX + 1]!r}",
            )
        if name in RESERVED_PARAMS or name in taken:
            raise ValidationError(
                field,
                f"{name!r} is a parameter the library sets itself: "
                "set it through its own argument or field",
            )
        where = f"{field}[{name!r}]"
        if not isinstance(text, str):
            raise TypeError(f"{where}: expected str, got a {type(text).__name__}")
        if len(text) > EXTRA_VALUE_MAX:
            raise ValidationError(
                where, f"must be at most {EXTRA_VALUE_MAX} characters, got {len(text)}"
            )
        check_controls(where, text, multiline=True)
        checked[name] = text
    return checked


def check_unicode(field: str, value: str) -> None:
    """Text that can go on the wire as UTF-8: no lone surrogate (``"\\ud800"``).

    Strict UTF-8 refuses exactly the surrogate code points; ASCII text has none (the
    common case, and a base64 image's 7 million characters, checked in C)."""
    if value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            field, "must be valid Unicode text, without lone surrogates"
        ) from None


def check_line(field: str, value: object) -> None:
    """A free one-line string (it could reach a URL path or a header): no C0 control
    character, CR, LF and NUL included."""
    require_type(field, value, str)
    assert isinstance(value, str)
    check_controls(field, value)
    check_unicode(field, value)


def check_callback(field: str, value: object) -> None:
    """An absolute ``http://`` or ``https://`` URL with a host (Pushover POSTs to it
    from the internet, pushover-api.md §7.3)."""
    check_line(field, value)
    assert isinstance(value, str)
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationError(
            field, "must be an absolute http:// or https:// URL with a host"
        )


def check_timestamp(field: str, value: object) -> None:
    """Unix seconds in ``TIMESTAMP_MIN..TIMESTAMP_MAX``, or a timezone-aware
    :class:`~datetime.datetime` in that range."""
    import datetime as dt

    require_type(field, value, (int, dt.datetime))
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(field, "a datetime must be timezone-aware (e.g. UTC)")
        seconds = int(value.timestamp())
        if not TIMESTAMP_MIN <= seconds <= TIMESTAMP_MAX:
            raise ValidationError(
                field,
                "must be after 1970-01-01 00:00:00 UTC and before the year 10000",
            )
        return
    check_int_range(field, value, low=TIMESTAMP_MIN, high=TIMESTAMP_MAX)


def check_int_range(
    field: str, value: object, *, low: int | None = None, high: int | None = None
) -> None:
    """An ``int`` (not a ``bool``, not a ``float``) within the inclusive bounds given;
    without a bound, within a signed 64-bit integer (what the wire can carry)."""
    require_type(field, value, int)
    assert isinstance(value, int)
    low = INT_MIN if low is None else low
    high = INT_MAX if high is None else high
    if value < low:
        raise ValidationError(field, f"must be >= {low}, got {describe_int(value)}")
    if value > high:
        raise ValidationError(field, f"must be <= {high}, got {describe_int(value)}")


def describe_int(value: int) -> str:
    """*value* for an error message; a huge one by its size (Python refuses to turn
    an int of more than 4300 digits into text)."""
    if abs(value) < 10**30:
        return str(value)
    digits = int(value.bit_length() * 0.30103) + 1
    return f"an int of about {digits} digits"


def check_ca_certs(field: str, value: object) -> None:
    """The path of an existing CA bundle file."""
    require_type(field, value, str)
    assert isinstance(value, str)
    if "\x00" in value or not os.path.isfile(value):
        raise ValidationError(field, "must name an existing file")


def check_seconds(field: str, value: object, *, allow_zero: bool = False) -> None:
    """A finite number of seconds (an ``int`` or ``float``, not a ``bool``), more
    than 0 (or at least 0 when *allow_zero*)."""
    require_type(field, value, (int, float))
    assert isinstance(value, (int, float))
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValidationError(field, f"must be a finite number of seconds {bound}")


def optional(check: Any, **bounds: Any) -> Any:
    """An attrs validator running *check* on a value that is not ``None``."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if value is not None:
            check(attribute.name, value, **bounds)

    return validate


def required(check: Any, **bounds: Any) -> Any:
    """An attrs validator running *check* on the value."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        check(attribute.name, value, **bounds)

    return validate


def check_bool(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name}: expected bool, got {describe(value)}")


def check_email(field: str, value: object) -> None:
    """An e-mail address: one ``@`` between non-empty parts, no spaces or controls."""
    require_type(field, value, str)
    assert isinstance(value, str)
    local, at, domain = value.rpartition("@")
    if not (at and local and domain) or _NOT_IN_EMAIL.search(value):
        raise ValidationError(
            field, f"must be an e-mail address (name@domain), got {describe(value)}"
        )


def check_name(field: str, value: object) -> None:
    """A name shown by Pushover: not blank, no control characters."""
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
    import base64
    import binascii

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


def instance_of(kind: type) -> Any:
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

# -- The service URLs: the API root and the push URL --------------------------------


#: The version segment every base URL ends in: Pushover's API has only version 1.
API_VERSION: Final = "1"
#: Pushover's API root; the ``1`` is the API version.
DEFAULT_BASE_URL: Final = "https://api.pushover.net/1/"

_PRINTABLE_URL: Final = re.compile(r"[!-~]+")


def is_loopback(host: str) -> bool:
    """Whether *host* names this machine (``localhost`` or a loopback address)."""
    if host == "localhost":
        return True
    import ipaddress  # with the first client: out of start-up

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_service_url(
    field: str, url: object, *, secure: str, plain: str
) -> SplitResult:
    """*url*'s parts, if it is an absolute *secure*:// URL (*plain*:// only for a
    loopback host, where the fake runs) of printable ASCII, without a query, a
    fragment or credentials; shared by the API root and the push URL.

    Only printable ASCII is accepted (write an international host name in its
    ``xn--`` form): control characters such as CR, LF or NUL could split the request
    line or a header.
    """
    from urllib.parse import urlsplit  # with the first client: out of start-up

    if not isinstance(url, str):
        raise TypeError(f"{field}: expected str, got a {type(url).__name__}")
    if not _PRINTABLE_URL.fullmatch(url):
        raise ValidationError(
            field,
            "must be printable ASCII without spaces (no CR, LF, NUL or other controls)",
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  # raises ValueError for a port out of range
    except ValueError as exc:
        raise ValidationError(field, f"is not a valid URL ({exc})") from None
    if parts.scheme not in (secure, plain) or not host:
        raise ValidationError(field, f"must be an absolute {secure}:// URL")
    if parts.scheme == plain and not is_loopback(host):
        raise ValidationError(
            field,
            f"must use {secure}:// (plain {plain} is only accepted for a loopback host)",
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValidationError(field, "must not carry a query or a fragment")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(field, "must not carry credentials")
    return parts


def check_base_url(base_url: str, *, field: str = "base_url") -> str:
    """Return *base_url* ending in ``/``; refuse anything but https, except on loopback
    (where the fake Pushover runs), anything with a query or credentials
    (:func:`check_service_url`), and a path that does not end in the API version.
    Errors name *field*."""
    parts = check_service_url(field, base_url, secure="https", plain="http")
    if parts.path.rstrip("/").rpartition("/")[2] != API_VERSION:
        raise ValidationError(
            field,
            f"must end in the API version, /{API_VERSION}/ (as in {DEFAULT_BASE_URL}): "
            "without it every call would fail as an unknown endpoint",
        )
    return base_url if base_url.endswith("/") else base_url + "/"


#: The environment variable a client reads its API root from when given none.
BASE_URL_VARIABLE: Final = "PUSHOVER_BASE_URL"


def url_or_env(
    url: str | None, variable: str, default: str, check: Callable[..., str]
) -> str:
    """*url*, else the environment's *variable* (``chump-typed fake`` prints it), else
    *default*; checked by *check* (an error names *variable* when the value came from
    it)."""
    if url is not None:
        return check(url)
    import os

    value = os.environ.get(variable)
    return check(value, field=variable) if value else default


def base_url_or_env(base_url: str | None) -> str:
    """*base_url*, else ``PUSHOVER_BASE_URL``, else Pushover's own (:func:`url_or_env`)."""
    return url_or_env(base_url, BASE_URL_VARIABLE, DEFAULT_BASE_URL, check_base_url)
