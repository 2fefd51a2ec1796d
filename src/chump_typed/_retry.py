"""The retry policy as a value: given what happened, "retry after N seconds" or "stop".

Pure: no clock, no sleeping, no I/O. Every transport, sync or async, asks the same
:class:`RetryPolicy`, so they cannot disagree about what is resent. The rules are
Pushover's "being friendly" rules; the table with the reasons is in
``docs/design-decisions.md``:

* a connection that could not be made is retried for any method (nothing was sent);
* a failure after the request may have reached the server (timeout, reset, truncated
  answer) is retried for GET only: a notification must never be delivered twice;
* 500, 502 and 503 answers are retried for any method; 504 for GET only, since the
  gateway may have given up on a server that went on to act;
* a 4xx, 429 included, is never retried (Pushover blocks IPs that repeat them);
* a request marked not ``retryable`` (each success costs money) is retried only when no
  connection was made;
* every wait is at least ``backoff_floor`` seconds and honours ``Retry-After``; a
  ``Retry-After`` longer than ``max_wait`` stops instead;
* no retry starts that could not finish before the call's deadline.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Collection, Sequence
from typing import Final, Literal

import attrs

from chump_typed._checks import (
    check_int_range,
    check_seconds,
    require_type,
    required,
)
from chump_typed._scrub import scrub_public
from chump_typed.errors import ValidationError

#: What the package re-exports; the module's other names are internal.
__all__ = [
    "Answered",
    "MaybeSent",
    "NotConnected",
    "RetryAfter",
    "RetryEvent",
    "RetryPolicy",
    "RetryStop",
]

#: Pushover's rule: never retry sooner than 5 seconds after the previous attempt.
DEFAULT_BACKOFF_FLOOR: Final = 5.0

#: The longest wait before a retry; a longer ``Retry-After`` ends the retries.
DEFAULT_MAX_WAIT: Final = 60.0

#: 5xx answers worth another attempt (504 for GET only).
DEFAULT_RETRY_STATUSES: Final = frozenset({500, 502, 503, 504})

#: No retry is started with less than this many seconds left before the deadline.
MIN_ATTEMPT: Final = 1.0

#: Answers after which the server may have acted: retried only for safe methods.
_MAY_HAVE_ACTED: Final = frozenset({504})

#: Methods that may be repeated after the request may have reached the server.
_SAFE_METHODS: Final = frozenset({"GET"})


@attrs.frozen
class NotConnected:
    """No connection was made (refused, DNS failure, connect timeout): nothing was
    sent."""

    #: Always "connect": what tells the outcomes apart.
    kind: Literal["connect"] = "connect"


@attrs.frozen
class MaybeSent:
    """The attempt failed after the request may have reached the server (a reset, a
    read timeout, a truncated answer)."""

    #: Always "read": what tells the outcomes apart.
    kind: Literal["read"] = "read"


@attrs.frozen
class Answered:
    """The server answered with *status*; ``retry_after`` is its ``Retry-After``
    header, as sent."""

    #: The answer's HTTP status.
    status: int
    #: The answer's Retry-After header, as sent (None without one).
    retry_after: str | None = None
    #: Always "status": what tells the outcomes apart.
    kind: Literal["status"] = "status"


Outcome = NotConnected | MaybeSent | Answered


@attrs.frozen
class RetryAfter:
    """Retry once *wait* seconds have passed; *reason* says why, for people."""

    #: Seconds to wait before the next attempt.
    wait: float
    #: Why the attempt is retried, for people.
    reason: str


@attrs.frozen
class RetryStop:
    """Do not retry; *reason* says why."""

    #: Why there is no retry, for people.
    reason: str


@attrs.frozen(kw_only=True)
class RetryEvent:
    """A retry a transport decided on, reported before it waits (so that a command
    line can tell a person that a retry is pending and when).

    ``attempt`` is the number of the attempt about to be made (2 for the first
    retry); ``url`` is redacted; ``reason`` is the policy's (``"no connection could be
    made"``), ``detail`` what failed (the error's text, or the answer's status).
    """

    #: The request's HTTP method.
    method: str
    #: The request's URL, redacted.
    url: str
    #: The number of the attempt about to be made (2 for the first retry).
    attempt: int
    #: Seconds the transport waits before that attempt.
    wait: float
    #: The policy's reason ("no connection could be made").
    reason: str
    #: What failed: the error's text, or the answer's status.
    detail: str = ""


def _statuses(value: object) -> frozenset[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Collection):
        raise TypeError("retry_statuses: expected a collection of 5xx status codes")
    statuses: frozenset[object] = frozenset(value)  # pyright: ignore[reportUnknownArgumentType]
    for status in statuses:
        require_type("retry_statuses", status, int)
        assert isinstance(status, int)
        if not 500 <= status <= 599:
            raise ValidationError(
                "retry_statuses",
                f"only 5xx answers may be retried (Pushover blocks clients that "
                f"repeat 4xx), got {status}",
            )
    return frozenset(s for s in statuses if isinstance(s, int))


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """What may be retried, how often and after how long. Every knob is checked when
    the policy is made.

    :param retries: the most retries of one request, all causes together (0 never
        retries).
    :param connect_retries: retries after a connection could not be made.
    :param read_retries: retries of a GET after the request may have reached the
        server.
    :param status_retries: retries after a 5xx answer in *retry_statuses*.
    :param retry_statuses: 5xx answers worth a retry (504 for GET only).
    :param backoff_floor: the least wait before any retry, in seconds (Pushover asks
        for 5).
    :param backoff_factor: the exponential backoff: the n-th consecutive failure waits
        ``backoff_factor * 2**(n-1)`` seconds (the first waits the floor).
    :param backoff_max: the longest backoff.
    :param max_wait: a ``Retry-After`` longer than this stops the retries.
    """

    #: The most retries of one request, all causes together.
    retries: int = attrs.field(default=3, validator=required(check_int_range, low=0))
    #: Retries after a connection could not be made.
    connect_retries: int = attrs.field(
        default=3, validator=required(check_int_range, low=0)
    )
    #: Retries of a GET after the request may have reached the server.
    read_retries: int = attrs.field(
        default=2, validator=required(check_int_range, low=0)
    )
    #: Retries after a 5xx answer in retry_statuses.
    status_retries: int = attrs.field(
        default=2, validator=required(check_int_range, low=0)
    )
    #: The 5xx answers worth a retry.
    retry_statuses: frozenset[int] = attrs.field(
        default=DEFAULT_RETRY_STATUSES, converter=_statuses
    )
    #: The least wait before any retry, in seconds.
    backoff_floor: float = attrs.field(
        default=DEFAULT_BACKOFF_FLOOR,
        validator=required(check_seconds, allow_zero=True),
    )
    #: The exponential backoff's factor, in seconds.
    backoff_factor: float = attrs.field(
        default=5.0,
        validator=required(check_seconds, allow_zero=True),
    )
    #: The longest backoff, in seconds.
    backoff_max: float = attrs.field(
        default=60.0,
        validator=required(check_seconds, allow_zero=True),
    )
    #: The longest Retry-After obeyed; a longer one stops the retries.
    max_wait: float = attrs.field(
        default=DEFAULT_MAX_WAIT,
        validator=required(check_seconds, allow_zero=True),
    )

    def backoff(self, failures: int) -> float:
        """The wait after *failures* consecutive failed attempts (5, 10, 20 ... s by
        default), never below the floor."""
        exponential = (
            0.0
            if failures <= 1
            else min(self.backoff_max, self.backoff_factor * 2.0 ** (failures - 1))
        )
        return max(self.backoff_floor, exponential)

    def decide(
        self,
        method: str,
        outcomes: Sequence[NotConnected | MaybeSent | Answered],
        *,
        retryable: bool = True,
        remaining: float = math.inf,
        now: float | None = None,
    ) -> RetryAfter | RetryStop:
        """Whether to try a request once more after the failed attempts *outcomes*
        (oldest first, the latest last).

        :param remaining: seconds left before the call's deadline.
        :param now: the wall clock (``time.time()``), to read a ``Retry-After`` date.
        """
        if not outcomes:
            raise ValueError("outcomes: at least the failed attempt is needed")
        latest = outcomes[-1]
        refusal = self._refusal(method, latest, retryable=retryable)
        if refusal is not None:
            return RetryStop(refusal)
        if len(outcomes) > self.retries:
            return RetryStop(f"{self.retries} retries are spent")
        limit = {
            "connect": self.connect_retries,
            "read": self.read_retries,
            "status": self.status_retries,
        }[latest.kind]
        if sum(o.kind == latest.kind for o in outcomes) > limit:
            return RetryStop(f"{limit} {latest.kind} retries are spent")
        wait = self.backoff(len(outcomes))
        if isinstance(latest, Answered):
            asked = parse_retry_after(latest.retry_after, now=now)
            if asked is not None and asked > self.max_wait:
                return RetryStop(
                    f"the server asked to wait {asked:.0f} s, more than max_wait "
                    f"({self.max_wait:g} s)"
                )
            wait = max(wait, asked or 0.0)
        if wait + MIN_ATTEMPT > remaining:
            return RetryStop(
                f"a wait of {wait:g} s leaves no time for another attempt before the "
                "deadline"
            )
        return RetryAfter(wait, _why(latest))

    def _refusal(
        self,
        method: str,
        latest: NotConnected | MaybeSent | Answered,
        *,
        retryable: bool,
    ) -> str | None:
        """Why *latest* may never be retried, or ``None``."""
        if isinstance(latest, NotConnected):
            return None
        if isinstance(latest, MaybeSent):
            if method not in _SAFE_METHODS or not retryable:
                return (
                    "the request may have reached Pushover: resending could repeat it"
                )
            return None
        if latest.status < 500 or latest.status not in self.retry_statuses:
            return f"HTTP {latest.status} is not retried"
        if not retryable:
            return "the call costs money: it is not resent after an answer"
        if latest.status in _MAY_HAVE_ACTED and method not in _SAFE_METHODS:
            return f"after HTTP {latest.status} the server may have acted"
        return None


def _why(outcome: Outcome) -> str:
    if isinstance(outcome, NotConnected):
        return "no connection could be made"
    if isinstance(outcome, MaybeSent):
        return "the answer was lost"
    return f"Pushover answered HTTP {outcome.status}"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """A ``Retry-After`` header in seconds from *now*: a number of seconds or an HTTP
    date; ``None`` when absent or malformed (the backoff applies instead)."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(int(value))
    if now is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def policy_from(retries: object) -> RetryPolicy:
    """A ``retries=`` argument as a policy: a :class:`RetryPolicy` as it is; an int
    *n* is shorthand for ``RetryPolicy(retries=n)``, *n* retries with Pushover's
    waits (what ``--retries`` on the command line means)."""
    if isinstance(retries, RetryPolicy):
        return retries
    if not isinstance(retries, int) or isinstance(retries, bool):
        raise TypeError(
            f"retries: expected an int or a RetryPolicy, got a {type(retries).__name__}"
        )
    return RetryPolicy(retries=retries)


scrub_public(globals())
