"""Send log records as Pushover notifications: :class:`PushoverHandler`.

::

    import logging
    from chump_typed.logging import PushoverHandler

    logging.getLogger().addHandler(PushoverHandler(APP_TOKEN, USER_KEY))
    logging.getLogger("billing").error("card processor is down")  # -> your phone

Every application of an account shares one monthly allowance, and a logging call must
not wait for the network, so the handler:

* sends at most ``rate_limit`` notifications per ``window`` (10 a minute), each for a
  record unlike those already sent in it; the rest are counted in one summary;
* spends at most its *budget*, summaries included (by default 20 quota units an hour
  and 100 a day: 3,100 in a 31-day month, 31% of a 10,000 quota);
* after a 429 (or ``X-Limit-App-Remaining: 0``) sends nothing until the reset;
* sends from a background thread fed by a bounded queue (a full queue drops records,
  counted in :attr:`PushoverHandler.dropped` and in the next summary), restarted in
  a forked child; at interpreter exit, before the transports are torn down, and on
  :meth:`~PushoverHandler.close`, sends what is queued, within *timeout*;
* never raises into the application: a failure is one short line on standard error.

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
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, cast

import attrs

from chump_typed._checks import check_int_range, check_seconds
from chump_typed._checks import check_recipients as _check_recipients
from chump_typed._digest import Gate, RecordKey, check_fits, units_for
from chump_typed._fork import renew_after_fork
from chump_typed._redact import redact_text, remember
from chump_typed._scrub import scrub_public
from chump_typed.budget import Budget, MemoryBudget
from chump_typed.client import Client
from chump_typed.errors import PushoverError, QuotaExceededError, ValidationError
from chump_typed.models import TITLE_MAX, Notification, NotificationPriority, Priority
from chump_typed.models.messages import TRUNCATION_MARKER, truncate_message
from chump_typed.protocol import Transport

if TYPE_CHECKING:
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "DEFAULT_PER_DAY",
    "DEFAULT_PER_HOUR",
    "DEFAULT_PRIORITIES",
    "DEFAULT_QUEUE_SIZE",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_WINDOW",
    "MIN_CLOSURE",
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
#: Quota units the default budget spends in any hour (a day's 100 take over 4 hours).
DEFAULT_PER_HOUR: Final = 20
#: Quota units the default budget spends in any day: 31 x 100 = 3,100 in the longest
#: month, 31% of a 10,000 monthly quota.
DEFAULT_PER_DAY: Final = 100
#: Seconds a 429 closes the handler at least (when the reset Pushover gave has passed
#: by the handler's clock): one 4xx an hour at most, never a stream of them.
MIN_CLOSURE: Final[float] = 3600.0
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


@attrs.frozen
class _Flush:
    """Set *done* once what was queued before is considered."""

    done: threading.Event


class PushoverHandler(logging.Handler):
    """A :class:`logging.Handler` that sends records as notifications, rate-limited,
    with repeats collapsed, within a budget, from a background thread.

    :param app_token: the application's API token.
    :param user_key: the user or group key to notify (or several, comma-separated).
    :param level: the least severe level sent (default :data:`logging.ERROR`).
    :param base_url: the API root.
    :param transport: what moves the bytes; by default a urllib3 transport without
        retries whose whole call is bounded by *timeout*.
    :param timeout: seconds a send may take before it is abandoned; also the longest
        :meth:`close`, :meth:`flush` and the flush at exit wait.
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
    :param budget: what it may spend in quota units (one per key of *user_key*, a
        group's size for one in *group_sizes*), summaries included; by default a
        :class:`~chump_typed.budget.MemoryBudget` of :data:`DEFAULT_PER_HOUR` an hour
        and :data:`DEFAULT_PER_DAY` a day on *clock*. ``MemoryBudget()``: no caps.
        A shared one (SQLite, Redis) collapses repeats across its processes too.
    :param group_sizes: group key -> members, for group keys among *user_key*.
    :param clock: seconds since the epoch (:func:`time.time`), for the rate, collapse
        and budget windows and a 429's reset; *timeout* runs on the monotonic clock.

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
        budget: Budget | None = None,
        group_sizes: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.time,
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
        if not callable(clock):
            raise TypeError(
                "clock: expected a callable returning seconds since the epoch, "
                f"got a {type(clock).__name__}"
            )
        if budget is None:
            budget = MemoryBudget(
                per_hour=DEFAULT_PER_HOUR, per_day=DEFAULT_PER_DAY, clock=clock
            )
        elif not isinstance(budget, Budget):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"budget: expected a Budget such as MemoryBudget, "
                f"got a {type(budget).__name__}"
            )
        units = check_fits(budget, units_for("group_sizes", user_key, group_sizes))
        if transport is None:
            from chump_typed._urllib3 import Urllib3Transport

            # The deadline bounds the whole send; the socket timeouts stay the
            # defaults, clipped to it, so that a stall is reported as the deadline.
            transport = Urllib3Transport(deadline=timeout, retries=0)
        self.client: Final = Client(app_token, base_url=base_url, transport=transport)
        self.timeout: Final = float(timeout)
        self.background: Final = background
        #: What the handler spends, in quota units; closed by a 429 until the reset.
        self.budget: Final[Budget] = budget
        self._user = user_key
        self._e2ee_key = e2ee_key
        # EMERGENCY is refused above, so every value is a NotificationPriority.
        self._levels: Final[list[tuple[int, NotificationPriority]]] = sorted(
            cast("Mapping[int, NotificationPriority]", priorities).items(),
            reverse=True,
        )
        self._queue_size = queue_size
        self._gate: Final = Gate(
            limit=rate_limit,
            window=float(window),
            budget=budget,
            units=units,
            clock=clock,
            min_closure=MIN_CLOSURE,
            scope=user_key,
        )
        self.dropped = 0
        self._start_afresh()
        renew_after_fork(self)
        _flush_at_exit(self)

    def _start_afresh(self) -> None:
        self._state = threading.Lock()  # guards the thread's start and _closed
        self._queue: queue.Queue[_Item | _Stop | _Flush] = queue.Queue(self._queue_size)
        self._thread: threading.Thread | None = None
        self._closed = False
        self._unreported: tuple[int, str] = (0, "")

    def _after_fork_in_child(self) -> None:
        """In a forked child the parent's thread does not exist and its queue's locks
        may be held: start again (with the counts so far)."""
        self._gate.renew()
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
            self._gate.dropped()

    def handleError(self, record: logging.LogRecord) -> None:
        """One short line on standard error (as :mod:`logging` does, only when
        :data:`logging.raiseExceptions`), never a traceback: the error's text is
        redacted."""
        if not logging.raiseExceptions:
            return
        error = sys.exc_info()[1]
        what = "(unknown error)" if error is None else _describe(error)
        self._say(f"a record from {record.name!r} was not sent to Pushover: {what}")

    # -- Deciding, within the windows and the budget -----------------------------------

    def _consider(self, item: _Item) -> None:
        """Send *item* if the digest admits it and the budget pays for it, after the
        summary of a closed window."""
        message = item.notification
        summary, admitted = self._gate.consider(
            item.key, message.message, message.priority
        )
        self._say(self._gate.watch())
        if summary is not None:
            self._send_summary(*summary, record=item.record)
        if admitted:
            self._send(message, item.record)

    def _final_summary(self) -> tuple[int, str]:
        """Send the last summary if paid for; else what it counts, and why not."""
        summary, counted, why = self._gate.final()
        if summary is not None:
            self._send_summary(*summary, record=_summary_record())
        return counted, why

    # -- Sending -----------------------------------------------------------------------

    def _send(
        self,
        notification: Notification,
        record: logging.LogRecord,
        *,
        summary: bool = False,
    ) -> None:
        if self._gate.withheld(notification, summary=summary):
            return  # closed by a 429 since it was paid for: no request at all
        _sending.active = True
        try:
            result = self.client.send(notification, e2ee_key=self._e2ee_key)
        except QuotaExceededError as error:  # not delivered: reported after the reset
            reset = None if error.reset_at is None else error.reset_at.timestamp()
            self._say(self._gate.refused(reset, notification, summary=summary))
        except Exception:
            self.handleError(record)
        else:
            limit = result.rate_limit
            if limit is not None and limit.remaining <= 0:
                why = "X-Limit-App-Remaining: 0"
                self._say(self._gate.close_until(limit.reset.timestamp(), why)[1])
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
            summary=True,
        )

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
            try:
                item = self._queue.get(timeout=self._gate.next_wake())
            except queue.Empty:
                summary = self._gate.tick()
                self._say(self._gate.watch())
                if summary is not None:
                    self._send_summary(*summary, record=_summary_record())
                continue
            if isinstance(item, _Stop):
                self._drain(item.deadline)
                return
            if isinstance(item, _Flush):
                item.done.set()
            else:
                self._consider(item)

    def _drain(self, deadline: float) -> None:
        """Send what is queued while there is time, then the summary."""
        while time.monotonic() < deadline:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Flush):
                item.done.set()
            elif isinstance(item, _Item):
                self._consider(item)
        if time.monotonic() < deadline:
            self._unreported = self._final_summary()
        else:
            self._unreported = (self._gate.counted(), "no time was left")

    # -- Flushing and closing ----------------------------------------------------------

    def flush(self) -> None:
        """Wait until the records queued so far have been sent or counted, at most
        *timeout* seconds (the summary of the open window waits for it to close)."""
        thread = self._thread
        if self._closed or thread is None or not thread.is_alive():
            return
        deadline = time.monotonic() + self.timeout
        done = threading.Event()
        with contextlib.suppress(queue.Full):
            self._queue.put(_Flush(done), timeout=self.timeout)
            done.wait(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        """Send what is queued and the last summary, waiting at most *timeout*
        seconds in all, then close the client's connections and the handler. Records
        left unsent are counted in one line on standard error."""
        deadline = time.monotonic() + self.timeout
        try:
            stopping = self._begin_stop(deadline)
            if stopping is not None:
                self._end_stop(stopping, deadline, "of close()")
            elif self._thread is None or not self._thread.is_alive():
                # Closed at exit already: records considered in the logging call since
                # (a later exit hook's) may have left a summary.
                self._report(0, self._final_summary(), "of close()")
            self.client.close()
        finally:
            _OPEN.discard(self)
            super().close()

    def _begin_stop(self, deadline: float) -> list[threading.Thread] | None:
        """Tell the thread to finish by *deadline*; ``None`` if the handler was
        stopped already (the list holds the thread, if one runs)."""
        with self._state:
            already, self._closed = self._closed, True
            thread = self._thread
        if already:
            return None
        if thread is None or not thread.is_alive():
            return []
        # A full queue means the thread is stuck on a send: it is abandoned.
        with contextlib.suppress(queue.Full):
            self._queue.put(
                _Stop(deadline), timeout=max(0.0, deadline - time.monotonic())
            )
        return [thread]

    def _end_stop(
        self, stopping: list[threading.Thread], deadline: float, occasion: str
    ) -> None:
        """Wait for the thread (at most until *deadline*), then say on standard error
        what could not be sent."""
        if not stopping:
            if not self.background:
                self._report(0, self._final_summary(), occasion)
            return
        [thread] = stopping
        thread.join(max(0.0, deadline - time.monotonic()))
        unsent = sum(isinstance(i, _Item) for i in list(self._queue.queue))
        if thread.is_alive():
            self._report(unsent + 1, (0, ""), occasion)  # +1: the send it is stuck on
        else:
            self._report(unsent, self._unreported, occasion)

    def _report(self, unsent: int, unreported: tuple[int, str], occasion: str) -> None:
        parts: list[str] = []
        if unsent:
            parts.append(
                f"{_records(unsent)} not sent to Pushover within the "
                f"{self.timeout:g} s timeout {occasion}"
            )
        counted, why = unreported
        if counted:
            parts.append(f"{_records(counted)} left out of the last summary: {why}")
        if parts:
            self._say("; ".join(parts))

    def _say(self, text: str | None) -> None:
        """One line on standard error (if there is a line, and a usable stderr)."""
        if text is None:
            return
        with contextlib.suppress(Exception):  # no usable stderr: nothing more to do
            sys.stderr.write(f"chump_typed.logging: {text}\n")


#: The handlers not closed yet, which the exit hook flushes.
_OPEN: Final[weakref.WeakSet[PushoverHandler]] = weakref.WeakSet()
_hooked: list[bool] = []


def _flush_at_exit(handler: PushoverHandler) -> None:
    """Have *handler*'s queue sent at interpreter exit, before any transport it sends
    through is torn down.

    An :mod:`atexit` hook runs before urllib3's pool finalizers only if registered
    after :class:`weakref.finalize`'s own hook: an accident of import order. CPython
    runs ``threading._register_atexit`` hooks (3.9 to 3.13) before every :mod:`atexit`
    hook, from ``threading._shutdown``; :func:`atexit.register` is the fallback.
    Records logged after the flush (by a non-daemon thread, an exit hook) are sent in
    the logging call; :func:`logging.shutdown` closes the handler at the end.
    """
    _OPEN.add(handler)
    if _hooked:
        return
    register = getattr(threading, "_register_atexit", None)
    try:
        if register is None:
            raise RuntimeError("no threading._register_atexit")
        register(_flush_open_handlers)
    except RuntimeError:  # not CPython, or the interpreter is already shutting down
        import atexit

        atexit.register(_flush_open_handlers)
    _hooked.append(True)


def _flush_open_handlers() -> None:
    """Stop every open handler's thread at once, then wait for each: exit waits for
    the slowest *timeout*, not their sum. Never raises (the interpreter would skip the
    hooks after this one)."""
    stopping: list[tuple[PushoverHandler, list[threading.Thread], float]] = []
    for handler in list(_OPEN):
        with contextlib.suppress(Exception):  # one handler's failure spares the rest
            deadline = time.monotonic() + handler.timeout
            begun = handler._begin_stop(deadline)  # pyright: ignore[reportPrivateUsage]
            if begun is not None:
                stopping.append((handler, begun, deadline))
    for handler, begun, deadline in stopping:
        with contextlib.suppress(Exception):
            handler._end_stop(begun, deadline, "at exit")  # pyright: ignore[reportPrivateUsage]


def _records(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


def _summary_record() -> logging.LogRecord:  # what a failed summary is reported under
    return logging.LogRecord(SUMMARY_TITLE, logging.INFO, "", 0, "", (), None)


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
