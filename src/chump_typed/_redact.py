"""Keeping secrets out of reprs, logs and exception text.

Pushover credentials travel as ordinary parameters (``token``, ``user``, ``secret``), so
they would leak into anything that prints a request. These helpers replace them before a
request reaches a repr, a log record or an exception. Only the wire sees the real values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "REDACTED",
    "SECRET_FIELDS",
    "redact_bytes",
    "redact_log_text",
    "redact_mapping",
    "redact_params",
    "redact_text",
    "redact_url",
]

REDACTED: Final = "<redacted>"

#: Parameters whose values are credentials or recipient keys.
SECRET_FIELDS: Final = frozenset(
    {"token", "user", "secret", "password", "email", "twofa"}
)

# Anything shaped like a Pushover key or token: 30 ASCII letters and digits standing
# alone. Used as a last line of defence on free text (bodies echoed back by a server,
# URL paths that hold a group key, third-party log records).
_KEY_SHAPED: Final = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{30}(?![A-Za-z0-9])")
_KEY_SHAPED_BYTES: Final = re.compile(
    rb"(?<![A-Za-z0-9])[A-Za-z0-9]{30}(?![A-Za-z0-9])"
)
# ``token=...`` (and the other secret names) inside a query string or form body; the
# value is what urlencode() leaves: letters, digits, ``%XX``, ``+`` and ``._~-``.
_SECRET_PARAM: Final = re.compile(
    r"(?<![A-Za-z0-9_])(" + "|".join(sorted(SECRET_FIELDS)) + r")=[A-Za-z0-9%+._~-]*"
)


# A group key as the segment after "groups/" in a Groups API path.
_GROUP_KEY_IN_PATH: Final = re.compile(r"(/groups/)[A-Za-z0-9]{30}(?![A-Za-z0-9])")


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of *data* with every secret parameter's value replaced."""
    return {k: (REDACTED if k in SECRET_FIELDS else v) for k, v in data.items()}


def redact_params(data: Mapping[str, str], *, limit: int = 100) -> dict[str, str]:
    """Like :func:`redact_mapping`, with key-shaped words in the other values replaced
    too and values longer than *limit* shown by length (for log records: a key pasted
    into a message must not show, an attachment must not flood the log)."""
    return {k: _loggable(k, v, limit) for k, v in data.items()}


def _loggable(name: str, value: str, limit: int) -> str:
    if name in SECRET_FIELDS:
        return REDACTED
    if len(value) > limit:
        return f"<{len(value)} characters>"
    return redact_text(value)


def redact_url(url: str) -> str:
    """Drop the query string (where GET calls carry the token) from *url*, and the
    group key from a Groups API path (a group key is a recipient key). Receipts stay
    visible: they are not credentials, and they are what one needs to debug a call."""
    from urllib.parse import urlsplit, urlunsplit  # for error reports: not at start-up

    parts = urlsplit(url)
    path = _GROUP_KEY_IN_PATH.sub(r"\1" + REDACTED, parts.path)
    query = REDACTED if parts.query else ""
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def redact_text(text: str) -> str:
    """Replace every key-shaped word in free *text*."""
    return _KEY_SHAPED.sub(REDACTED, text)


def redact_bytes(data: bytes) -> bytes:
    """Replace every key-shaped word in a raw body."""
    return _KEY_SHAPED_BYTES.sub(REDACTED.encode(), data)


def redact_log_text(text: str) -> str:
    """Replace secret ``name=value`` parameters and key-shaped words in *text* (for
    records that other libraries log with a full request target)."""
    return redact_text(_SECRET_PARAM.sub(rf"\1={REDACTED}", text))
