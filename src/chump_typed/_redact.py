"""Keeping secrets out of reprs, logs and exception text.

Pushover credentials travel as ordinary parameters (``token``, ``user``, ``secret``), so
they would leak into anything that prints a request or an answer that echoes one. Text
that leaves the library goes through :func:`redact_text` (or a wrapper of it), which
replaces, in this order:

1. **the exact secrets in use**: every object that holds a secret (a client, a session,
   a handler, an E2EE key, the facade's application and users) hands it to
   :func:`remember` when it is made, and it is forgotten when that object is collected.
   Any alphabet is matched (quotes, backslashes, spaces, non-ASCII), with the escaped
   forms a secret takes in JSON, in a ``repr`` and in a form or query string. Secrets
   shorter than :data:`MIN_SECRET` characters would match ordinary words, so they are
   redacted only in their own field (rule 3);
2. anything **shaped like a key** (30 ASCII letters and digits standing alone), whoever's
   it is: a last line of defence for keys no object holds;
3. the value of a **secret parameter** (``token=...`` in a form body or a query string,
   ``"secret": "..."`` in a JSON body, ``login:DEVICE:SECRET`` on the realtime stream).

Only the wire sees the real values.
"""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from collections.abc import Iterable, Mapping
from typing import Any, Final

__all__ = [
    "MIN_SECRET",
    "REDACTED",
    "SECRET_FIELDS",
    "forms",
    "redact_bytes",
    "redact_mapping",
    "redact_params",
    "redact_text",
    "redact_url",
    "remember",
    "secrets_in_use",
]

REDACTED: Final = "<redacted>"

#: Parameters whose values are credentials or recipient keys.
SECRET_FIELDS: Final = frozenset(
    {"token", "user", "secret", "password", "email", "twofa"}
)

#: Shorter secrets are redacted only in their own field: as free text they would match
#: ordinary words.
MIN_SECRET: Final = 6

# Anything shaped like a Pushover key or token: 30 ASCII letters and digits standing
# alone. A last line of defence on free text (bodies echoed back by a server, URL paths
# that hold a group key, third-party log records).
_KEY_SHAPED: Final = r"(?<![A-Za-z0-9])[A-Za-z0-9]{30}(?![A-Za-z0-9])"
_NAMES: Final = "|".join(sorted(SECRET_FIELDS))
# The value of a secret parameter, in the three shapes one travels in: a form body or
# query string (what urlencode() leaves: letters, digits, %XX, + and ._~-), a JSON
# string (up to its closing quote, escapes included), and the realtime stream's login
# line (up to a quote or white space: the secret itself is matched by rule 1).
_SECRET_PARAM: Final = (
    rf"(?<![A-Za-z0-9_])(?P<form>{_NAMES})=[A-Za-z0-9%+._~-]*"
    rf"|(?P<json>\"(?:{_NAMES})\"\s*:\s*)\"(?:[^\"\\]|\\.)*\""
    r"|login:[^:\s'\"]*:[^\s'\"]*"
)

# A group key as the segment after "groups/" in a Groups API path.
_GROUP_KEY_IN_PATH: Final = re.compile(r"(/groups/)[A-Za-z0-9]{30}(?![A-Za-z0-9])")


# -- The secrets in use ----------------------------------------------------------------

# No lock: a holder's finalizer may run inside any allocation (the garbage collector),
# even while this thread reads the table; dict assignment and pop are atomic, and the
# reader copies the values in one step, trying again if a finalizer changed the table.
_held: dict[int, frozenset[str]] = {}
_tickets: Final = itertools.count()


def remember(holder: object, *secrets: str | None) -> None:
    """Redact *secrets* from outgoing text for as long as *holder* lives."""
    kept = frozenset(s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET)
    if kept:
        ticket = next(_tickets)
        _held[ticket] = kept
        weakref.finalize(holder, _held.pop, ticket, None)


def secrets_in_use() -> frozenset[str]:
    """Every secret a living holder gave :func:`remember`."""
    while True:
        try:
            held = tuple(_held.values())
        except RuntimeError:  # a finalizer changed the table meanwhile
            continue
        return frozenset[str]().union(*held)


def forms(secret: str) -> set[str]:
    """*secret* as it can appear in text: itself, escaped in JSON and in a ``repr``,
    and percent-encoded in a form or a query string."""
    import json
    from urllib.parse import quote, quote_plus

    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }


@functools.lru_cache(maxsize=8)
def _pattern(secrets: frozenset[str], *, shapes: bool) -> re.Pattern[str]:
    """A pattern of *secrets* in every form (rule 1), longest first so that no secret
    is half replaced by a shorter one inside it; with *shapes*, rules 2 and 3 too.
    Compiled once per set of secrets (the set in use changes when a holder is made or
    collected, which is rare)."""
    exact = sorted({f for s in secrets for f in forms(s)} - {""}, key=len, reverse=True)
    parts = [re.escape(f) for f in exact]
    if shapes:
        parts += [_KEY_SHAPED, _SECRET_PARAM]
    return re.compile("|".join(parts) or "(?!)")


def _replace(match: re.Match[str]) -> str:
    if match["form"]:
        return f"{match['form']}={REDACTED}"
    if match["json"]:
        return f'{match["json"]}"{REDACTED}"'
    if match[0].startswith("login:") and match[0].count(":") >= 2:
        return f"login:{REDACTED}"
    return REDACTED


def redact_text(text: str, extra: Iterable[str] = ()) -> str:
    """*text* without the secrets in use, the *extra* ones (a request's own, from an
    answer that echoes them), key-shaped words and the values of secret parameters."""
    own = frozenset(s for s in extra if len(s) >= MIN_SECRET)
    if own:
        text = _pattern(own, shapes=False).sub(REDACTED, text)
    return _pattern(secrets_in_use(), shapes=True).sub(_replace, text)


def redact_bytes(data: bytes, extra: Iterable[str] = ()) -> bytes:
    """:func:`redact_text` on a raw body, read as Latin-1 so that every byte survives
    (a non-ASCII secret is also looked for as its UTF-8 bytes read that way)."""
    every = secrets_in_use() | set(extra)
    raw = [s.encode("utf-8").decode("latin-1") for s in every]
    return redact_text(data.decode("latin-1"), [*every, *raw]).encode("latin-1")


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of *data* with every secret parameter's value replaced."""
    return {k: (REDACTED if k in SECRET_FIELDS else v) for k, v in data.items()}


def secrets_of(data: Mapping[str, Any]) -> list[str]:
    """The values of *data*'s secret parameters (a request's), to redact from what the
    server answered to it."""
    return [v for k, v in data.items() if k in SECRET_FIELDS and isinstance(v, str)]


def redact_params(data: Mapping[str, str], *, limit: int = 100) -> dict[str, str]:
    """Like :func:`redact_mapping`, with the other values redacted too and values
    longer than *limit* shown by length (for log records: a key pasted into a message
    must not show, an attachment must not flood the log)."""
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
