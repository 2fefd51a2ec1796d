"""Keeping secrets out of reprs, logs and exception text.

Pushover credentials travel as ordinary parameters (``token``, ``user``, ``secret``), so
they would leak into anything that prints a request. These helpers replace them before a
request reaches a repr, a log record or an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

__all__ = ["REDACTED", "SECRET_FIELDS", "redact_mapping", "redact_text", "redact_url"]

REDACTED: Final = "<redacted>"

#: Parameters whose values are credentials or recipient keys.
SECRET_FIELDS: Final = frozenset({"token", "user", "secret", "password", "email"})

# Anything shaped like a Pushover key or token: 30 ASCII letters and digits standing
# alone. Used as a last line of defence on free text (bodies echoed back by a server).
_KEY_SHAPED: Final = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{30}(?![A-Za-z0-9])")


# A group key as the segment after "groups/" in a Groups API path.
_GROUP_KEY_IN_PATH: Final = re.compile(r"(/groups/)[A-Za-z0-9]{30}(?![A-Za-z0-9])")


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of *data* with every secret parameter's value replaced."""
    return {k: (REDACTED if k in SECRET_FIELDS else v) for k, v in data.items()}


def redact_url(url: str) -> str:
    """Drop the query string (where GET calls carry the token) from *url*, and the
    group key from a Groups API path (a group key is a recipient key)."""
    parts = urlsplit(url)
    path = _GROUP_KEY_IN_PATH.sub(r"\1" + REDACTED, parts.path)
    if not parts.query and path == parts.path:
        return url
    query = REDACTED if parts.query else ""
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def redact_text(text: str) -> str:
    """Replace every key-shaped word in free *text*."""
    return _KEY_SHAPED.sub(REDACTED, text)
