"""Send log records as Pushover notifications: :class:`PushoverHandler`.

::

    import logging
    from chump_typed.logging import PushoverHandler

    logging.getLogger().addHandler(PushoverHandler(APP_TOKEN, USER_KEY))
    logging.getLogger("billing").error("card processor is down")  # -> your phone

Every application of an account shares one monthly allowance, and a logging call must
not wait for the network, so the handler:

* sends at most ``rate_limit`` notifications per ``window`` (10 a minute), each for a
  record unlike those already sent in that window; repeats and the rest are counted
  and reported in one summary when the window closes;
* sends from a background thread fed by a bounded queue: a full queue drops records,
  counted in :attr:`PushoverHandler.dropped` and in the next summary;
* restarts its thread in a forked child, and on :meth:`~PushoverHandler.close` (which
  :func:`logging.shutdown` calls at exit) sends what is queued, never holding exit
  longer than *timeout*;
* never raises into the application: a failed send is one short line on standard
  error.

``background=False`` sends in the logging call instead, for scripts.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, cast

import attrs

from chump_typed._checks import check_int_range, check_seconds
from chump_typed._checks import check_recipients as _check_recipients
from chump_typed._digest import Digest, RecordKey
from chump_typed._fork import renew_after_fork
from chump_typed._redact import redact_text, remember
from chump_typed._scrub import scrub_public
from chump_typed.client import Client
from chump_typed.errors import PushoverError, ValidationError
from chump_typed.models import TITLE_MAX, Notification, NotificationPriority, Priority
from chump_typed.models.messages import TRUNCATION_MARKER, truncate_message
from chump_typed.protocol import Transport

if TYPE_CHECKING:
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "DEFAULT_PRIORITIES",
    "DEFAULT_QUEUE_SIZE",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_WINDOW",
    "SUMMARY_TITLE",
    "TRUNCATION_MARKER",
    "PushoverHandler",
]

#: Log level -> priority; a record takes the entry of the highest level it reaches.
DEFAULT_PRIORITIES: Final[Mapping[int, Priority]] = {
    logging.NOTSET: Priority.LOWEST,
    logging.INFO: Priority.LOW,
    logging.WARNING: Priority.LOW,
    logging.ERROR: Priority.NORMAL,
    logging.CRITICAL: Priority.HIGH,
}

#: Notifications sent one by one per window, by default.
DEFAULT_RATE_LIMIT: Final = 10
#: The window, in seconds, over which the rate limit and the collapsing of repeats run.
DEFAULT_WINDOW: Final[float] = 60.0
#: Records waiting for the background thread, at most; more are dropped, and counted.
DEFAULT_QUEUE_SIZE: Final = 1000
#: The title of a summary notification.
SUMMARY_TITLE: Final = "chump_typed.logging: summary"

#: Set while this thread is sending, so records logged meanwhile (by chump_typed's
#: own logger, urllib3's, ...) are dropped instead of sent recursively.
_sending = threading.local()


@attrs.frozen
class _Item:
    """A record made ready in the logging call: what it is and what it becomes."""

    key: RecordKey
    notification: Notification
    record: logging.LogRecord


@attrs.frozen
class _Stop:
    """Tells the background thread to send what is queued by *deadline*, then end."""

    deadline: float


class PushoverHandler(logging.Handler):
    """A :class:`logging.Handler` that sends records as notifications, rate-limited,
    with repeats collapsed, from a background thread.

    :param app_token: the application's API token.
    :param user_key: the user or group key to notify (or several, comma-separated).
    :param level: the least severe level sent (default :data:`logging.ERROR`).
    :param base_url: the API root.
    :param transport: what moves the bytes; by default a urllib3 transport without
        retries whose whole call is bounded by *timeout*.
    :param timeout: seconds a send may take before it is abandoned; also the longest
        :meth:`close` waits to send what is queued.
    :param priorities: log level -> :class:`~chump_typed.Priority`, replacing
        :data:`DEFAULT_PRIORITIES`. ``EMERGENCY`` is refused: it needs acknowledging,
        which a log handler cannot manage.
    :param rate_limit: notifications sent one by one per *window* (default 10).
    :param window: seconds over which *rate_limit* runs and repeats are collapsed
        (default 60).
    :param queue_size: records the background thread may have waiting (default 1000).
    :param background: send from a background thread (default); ``False`` sends in
        the logging call.
    :param e2ee_key: the recipients' end-to-end encryption key: every notification
        (log text, logger name, summaries) is then sent encrypted.

    The title is the logger's name; the message is the formatted record (with its
    traceback), cut to 1024 characters ending in ``TRUNCATION_MARKER``, " [… truncated]".
    """

    #: Records dropped because the queue was full, since the handler was made.
    dropped: int

    def __init__(
        self,
        app_token: str,
        user_key: str,
        level: int = logging.ERROR,
        *,
        base_url: str | None = None,
        transport: Transport | None = None,
        timeout: float = 5.0,
        priorities: Mapping[int, Priority] = DEFAULT_PRIORITIES,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        window: float = DEFAULT_WINDOW,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        background: bool = True,
        e2ee_key: E2EEKey | None = None,
    ) -> None:
        super().__init__(level)
        remember(self, app_token, user_key, *str(user_key).split(","))
        _check_recipients("user_key", user_key)
        if e2ee_key is not None:
            from chump_typed.e2ee import E2EEKey  # the e2ee extra, when a key is given

            if not isinstance(e2ee_key, E2EEKey):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(
                    f"e2ee_key: expected an E2EEKey, got a {type(e2ee_key).__name__}"
                )
        check_seconds("timeout", timeout)
        check_int_range("rate_limit", rate_limit, low=1)
        check_seconds("window", window)
        check_int_range("queue_size", queue_size, low=1)
        if Priority.EMERGENCY in priorities.values():
            raise ValidationError(
                "priorities",
                "EMERGENCY needs acknowledging, which a handler cannot do; use HIGH",
            )
        if transport is None:
            from chump_typed._urllib3 import Urllib3Transport

            # The deadline bounds the whole send; the socket timeouts stay the
            # defaults, clipped to it, so that a stall is reported as the deadline.
            transport = Urllib3Transport(deadline=timeout, retries=0)
        self.client: Final = Client(app_token, base_url=base_url, transport=transport)
        self.timeout: Final = float(timeout)
        self.background: Final = background
        self._user = user_key
        self._e2ee_key = e2ee_key
        # EMERGENCY is refused above, so every value is a NotificationPriority.
        self._levels: Final[list[tuple[int, NotificationPriority]]] = sorted(
            cast("Mapping[int, NotificationPriority]", priorities).items(),
            reverse=True,
        )
        self._queue_size = queue_size
        self._digest = Digest(limit=rate_limit, window=float(window))
        self.dropped = 0
        self._start_afresh()
        renew_after_fork(self)
        _flush_at_exit(self)

    def _start_afresh(self) -> None:
        self._state = threading.Lock()  # guards the digest and the thread's start
        self._queue: queue.Queue[_Item | _Stop] = queue.Queue(self._queue_size)
        self._thread: threading.Thread | None = None
        self._closed = False

    def _after_fork_in_child(self) -> None:
        """In a forked child the parent's thread does not exist and its queue's locks
        may be held: start again (with the counts so far)."""
        self._start_afresh()

    # -- What a record becomes ---------------------------------------------------------

    def priority_for(self, levelno: int) -> NotificationPriority:
        """The priority of a record at *levelno*."""
        for level, priority in self._levels:
            if levelno >= level:
                return priority
        return Priority.LOWEST

    def notification(self, record: logging.LogRecord) -> Notification:
        """The notification *record* becomes."""
        text = truncate_message(_sendable(self.format(record)) or "(empty log message)")
        return Notification(
            user=self._user,
            message=text,
            title=_sendable(record.name, one_line=True)[:TITLE_MAX],
            priority=self.priority_for(record.levelno),
            timestamp=max(1, int(record.created)),
        )

    # -- The logging call --------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        """Queue *record* (or, with ``background=False``, consider it now); never
        waits for the network and never raises into the caller."""
        if getattr(_sending, "active", False):
            return
        try:
            item = _Item(
                (record.name, record.levelno, record.getMessage()),
                self.notification(record),
                record,
            )
        except Exception:
            self.handleError(record)
            return
        if not self.background or self._closed:
            # Closed (at exit, before a hook registered earlier logs its last words):
            # there is no thread to queue for, so it is considered now.
            self._consider(item)
            return
        self._ensure_thread()
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            with self._state:
                self.dropped += 1
                self._digest.dropped(time.monotonic())

    def handleError(self, record: logging.LogRecord) -> None:
        """One short line on standard error (as :mod:`logging` does, only when
        :data:`logging.raiseExceptions`), never a traceback: the error's text is
        redacted."""
        if not logging.raiseExceptions:
            return
        error = sys.exc_info()[1]
        what = "(unknown error)" if error is None else _describe(error)
        self._say(f"a record from {record.name!r} was not sent to Pushover: {what}")

    # -- Sending -----------------------------------------------------------------------

    def _consider(self, item: _Item) -> None:
        """Send *item* if the digest admits it, after the summary of a closed window."""
        now = time.monotonic()
        with self._state:
            summary = self._digest.due(now)
            admitted = self._digest.admit(
                item.key, item.notification.message, item.notification.priority, now
            )
        if summary is not None:
            self._send_summary(*summary, record=item.record)
        if admitted:
            self._send(item.notification, item.record)

    def _send(self, notification: Notification, record: logging.LogRecord) -> None:
        _sending.active = True
        try:
            self.client.send(notification, e2ee_key=self._e2ee_key)
        except Exception:
            self.handleError(record)
        finally:
            _sending.active = False

    def _send_summary(
        self, text: str, priority: NotificationPriority, *, record: logging.LogRecord
    ) -> None:
        message = truncate_message(_sendable(text))
        self._send(
            Notification(
                user=self._user, message=message, title=SUMMARY_TITLE, priority=priority
            ),
            record,
        )

    def _flush_summary(self) -> None:
        with self._state:
            summary = self._digest.flush()
        if summary is not None:
            record = logging.LogRecord(SUMMARY_TITLE, logging.INFO, "", 0, "", (), None)
            self._send_summary(*summary, record=record)

    # -- The background thread ---------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._state:
            if self._closed or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(
                target=self._run, name="chump_typed-logging", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._state:
                closes = self._digest.closes_at()
            wait = None if closes is None else max(0.0, closes - time.monotonic())
            try:
                item = self._queue.get(timeout=wait)
            except queue.Empty:
                with self._state:
                    summary = self._digest.due(time.monotonic())
                if summary is not None:
                    record = logging.LogRecord(
                        SUMMARY_TITLE, logging.INFO, "", 0, "", (), None
                    )
                    self._send_summary(*summary, record=record)
                continue
            if isinstance(item, _Stop):
                self._drain(item.deadline)
                return
            self._consider(item)

    def _drain(self, deadline: float) -> None:
        """Send what is queued while there is time, then the summary."""
        while time.monotonic() < deadline:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Item):
                self._consider(item)
        if time.monotonic() < deadline:
            self._flush_summary()

    def close(self) -> None:
        """Send what is queued and the last summary, waiting at most *timeout*
        seconds in all, then close the client's connections and the handler. Records
        left unsent are counted in one line on standard error."""
        deadline = time.monotonic() + self.timeout
        try:
            with self._state:
                already, self._closed = self._closed, True
                thread = self._thread
            if thread is not None and thread.is_alive():
                # A full queue means the thread is stuck on a send: it is abandoned.
                with contextlib.suppress(queue.Full):
                    self._queue.put(
                        _Stop(deadline), timeout=max(0.0, deadline - time.monotonic())
                    )
                thread.join(max(0.0, deadline - time.monotonic()))
                unsent = sum(isinstance(i, _Item) for i in list(self._queue.queue))
                unsent += thread.is_alive()  # the send it is stuck on
                if unsent and not already:
                    self._say(
                        f"{unsent} record{'s' if unsent > 1 else ''} not sent to "
                        f"Pushover within the {self.timeout:g} s timeout of close()"
                    )
            elif not self.background:
                self._flush_summary()
            self.client.close()
        finally:
            _OPEN.discard(self)
            super().close()

    def _say(self, text: str) -> None:
        """One line on standard error, if there is a usable one."""
        with contextlib.suppress(Exception):  # no usable stderr: nothing more to do
            sys.stderr.write(f"chump_typed.logging: {text}\n")


#: The handlers not closed yet, which the exit hook closes.
_OPEN: Final[weakref.WeakSet[PushoverHandler]] = weakref.WeakSet()
_hooked: list[bool] = []


def _flush_at_exit(handler: PushoverHandler) -> None:
    """Have *handler* closed (its queue sent) at interpreter exit, before the
    transports it sends through are torn down.

    :mod:`logging` closes handlers at exit too, but its hook was registered when it was
    imported, so it runs after urllib3's pools were drained (through
    :class:`weakref.finalize`, whose own exit hook is in place once the handler's
    client exists: it made one). A hook registered now runs before both.
    """
    _OPEN.add(handler)
    if not _hooked:
        import atexit

        atexit.register(_close_open_handlers)
        _hooked.append(True)


def _close_open_handlers() -> None:
    for handler in list(_OPEN):
        with contextlib.suppress(Exception):  # one handler's failure spares the rest
            handler.close()


def _describe(error: BaseException) -> str:
    """A one-line, secret-free description of a failed send."""
    if isinstance(error, PushoverError):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {redact_text(str(error))}"
    return " ".join(text.split())[:300]


#: What Pushover cannot take in a message body: C0 controls other than tab, CR and LF,
#: and lone surrogates (a record's text is whatever the program logged).
_UNSENDABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_LINE_BREAKS: Final = re.compile("[\t\r\n]")


def _sendable(text: str, *, one_line: bool = False) -> str:
    """*text* with what Pushover refuses replaced by U+FFFD (and, for a title, tabs
    and line breaks by spaces): a log record is reported, not refused."""
    text = _UNSENDABLE.sub("\ufffd", text)
    return _LINE_BREAKS.sub(" ", text) if one_line else text


scrub_public(globals())
