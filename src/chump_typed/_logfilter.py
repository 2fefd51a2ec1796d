"""The one log filter: other libraries' records redacted before any handler sees them.

urllib3 logs the full request target (a GET carries the token in its query), httpx
logs each request's URL at INFO, and websockets logs every frame at DEBUG (the login
line carries the session secret). Their loggers get :class:`RedactRecords`, which passes each record's text through
:func:`~chump_typed._redact.redact_text`: the secrets in use, key-shaped words and
secret parameters, whatever quotes or backslashes a secret holds.
"""

from __future__ import annotations

import logging

from chump_typed._redact import redact_text

__all__ = ["RedactRecords", "redact_loggers"]


class RedactRecords(logging.Filter):
    """Replaces every secret in a record's text (the record is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem, not ours
            return True
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def redact_loggers(*names: str) -> None:
    """Give each logger named in *names* the filter (once)."""
    for name in names:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactRecords) for f in target.filters):
            target.addFilter(RedactRecords())
