"""Send log records as Pushover notifications: :class:`PushoverHandler`.

::

    import logging
    from chump_typed.logging import PushoverHandler

    logging.getLogger().addHandler(PushoverHandler(APP_TOKEN, USER_KEY))
    logging.getLogger("billing").error("card processor is down")  # -> your phone

The handler never raises into the application: a failed send goes to
:meth:`logging.Handler.handleError`, like any stdlib handler. It never blocks the
logging call for longer than *timeout* seconds, and makes no retries. To keep even
that wait off the application's threads, put it behind a
:class:`logging.handlers.QueueHandler` and :class:`logging.handlers.QueueListener`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from typing import Final

from chump_typed._checks import check_recipients as _check_recipients
from chump_typed.client import DEFAULT_BASE_URL, Client
from chump_typed.models import MESSAGE_MAX, TITLE_MAX, Notification, Priority
from chump_typed.protocol import Transport

__all__ = ["DEFAULT_PRIORITIES", "TRUNCATION_MARKER", "PushoverHandler"]

#: Log level -> priority; a record takes the entry of the highest level it reaches.
DEFAULT_PRIORITIES: Final[Mapping[int, Priority]] = {
    logging.NOTSET: Priority.LOWEST,
    logging.INFO: Priority.LOW,
    logging.WARNING: Priority.LOW,
    logging.ERROR: Priority.NORMAL,
    logging.CRITICAL: Priority.HIGH,
}

#: Ends a message that was cut to Pushover's 1024-character limit.
TRUNCATION_MARKER: Final = " [… truncated]"

#: Set while this thread is sending, so records logged meanwhile (by chump_typed's
#: own logger, urllib3's, ...) are dropped instead of sent recursively.
_sending = threading.local()


class PushoverHandler(logging.Handler):
    """A :class:`logging.Handler` that sends each record as a notification.

    :param app_token: the application's API token.
    :param user_key: the user or group key to notify (or several, comma-separated).
    :param level: the least severe level sent (default :data:`logging.ERROR`).
    :param base_url: the API root.
    :param transport: what moves the bytes; by default a urllib3 transport without
        retries whose whole request is bounded by *timeout*.
    :param timeout: seconds a send may take before it is abandoned.
    :param priorities: log level -> :class:`~chump_typed.Priority`, replacing
        :data:`DEFAULT_PRIORITIES`. ``EMERGENCY`` is refused: it needs acknowledging,
        which a log handler cannot manage.

    The title is the logger's name; the message is the formatted record (with its
    traceback), cut to 1024 characters ending in :data:`TRUNCATION_MARKER`.
    """

    def __init__(
        self,
        app_token: str,
        user_key: str,
        level: int = logging.ERROR,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: Transport | None = None,
        timeout: float = 5.0,
        priorities: Mapping[int, Priority] = DEFAULT_PRIORITIES,
    ) -> None:
        super().__init__(level)
        _check_recipients("user_key", user_key)
        if not timeout > 0:
            raise ValueError(f"timeout: must be more than 0 seconds, got {timeout}")
        if Priority.EMERGENCY in priorities.values():
            raise ValueError("priorities: EMERGENCY needs acknowledging; use HIGH")
        if transport is None:
            from chump_typed._urllib3 import Urllib3Transport

            transport = Urllib3Transport(timeout=timeout, deadline=timeout, retries=0)
        self.client: Final = Client(app_token, base_url=base_url, transport=transport)
        self._user = user_key
        self._levels: Final = sorted(priorities.items(), reverse=True)

    def priority_for(self, levelno: int) -> Priority:
        """The priority of a record at *levelno*."""
        return next(
            (p for level, p in self._levels if levelno >= level), Priority.LOWEST
        )

    def notification(self, record: logging.LogRecord) -> Notification:
        """The notification *record* becomes."""
        text = _sendable(self.format(record)) or "(empty log message)"
        if len(text) > MESSAGE_MAX:
            text = text[: MESSAGE_MAX - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
        return Notification(
            user=self._user,
            message=text,
            title=_sendable(record.name, one_line=True)[:TITLE_MAX],
            priority=self.priority_for(record.levelno),
            timestamp=int(record.created),
        )

    def emit(self, record: logging.LogRecord) -> None:
        """Send *record*; a failure goes to :meth:`~logging.Handler.handleError`, never
        to the caller."""
        if getattr(_sending, "active", False):
            return
        _sending.active = True
        try:
            self.client.send(self.notification(record))
        except Exception:
            self.handleError(record)
        finally:
            _sending.active = False

    def close(self) -> None:
        """Close the client's connections, then the handler."""
        try:
            self.client.close()
        finally:
            super().close()


#: What Pushover cannot take in a message body: C0 controls other than tab, CR and LF,
#: and lone surrogates (a record's text is whatever the program logged).
_UNSENDABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_LINE_BREAKS: Final = re.compile("[\t\r\n]")


def _sendable(text: str, *, one_line: bool = False) -> str:
    """*text* with what Pushover refuses replaced by U+FFFD (and, for a title, tabs
    and line breaks by spaces): a log record is reported, not refused."""
    text = _UNSENDABLE.sub("\ufffd", text)
    return _LINE_BREAKS.sub(" ", text) if one_line else text
