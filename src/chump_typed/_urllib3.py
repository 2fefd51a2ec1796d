"""The real transport: urllib3, pooled, verified, with Pushover's retry rules.

This is the only module that imports urllib3. It moves an already encoded
:class:`~chump_typed.protocol.HTTPRequest` and maps every urllib3 failure to
:class:`~chump_typed.errors.TransportError`.

Retry policy (Pushover's "being friendly" rules; the table with the reasons is in
``docs/design-decisions.md``):

* a connection that could not be made is retried for any method (nothing was sent);
* a read failure (timeout, reset, truncated answer) is retried for GET only: a POST is
  **never** resent once its request may have reached the server, because a
  notification must not be delivered twice; the error says ``may_have_been_sent``;
* 500, 502 and 503 answers are retried for any method (Pushover documents them as "not
  done, try again"); 504 only for GET, since the gateway may have given up on a server
  that went on to act;
* every wait is at least ``backoff_floor`` seconds (Pushover asks for 5 s) and honours
  ``Retry-After``; a ``Retry-After`` longer than ``max_wait`` ends the retries instead;
* a 4xx, 429 included, is never retried (Pushover blocks IPs that repeat them);
* a request marked not ``retryable`` (each success costs money) is never resent after
  it may have reached the server, whatever the answer.
"""

from __future__ import annotations

import logging
import math
import os
import ssl
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Final, cast

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    InvalidHeader,
    LocationValueError,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)
from urllib3.util.retry import Retry

from chump_typed._checks import check_int_range, require_type
from chump_typed._redact import redact_log_text, redact_url
from chump_typed.errors import TransportError, ValidationError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self
    from urllib3.connectionpool import ConnectionPool, HTTPConnectionPool
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "DEFAULT_BACKOFF_FLOOR",
    "DEFAULT_RETRY_STATUSES",
    "DEFAULT_TIMEOUT",
    "PushoverRetry",
    "Urllib3Transport",
]

#: Connect and read timeouts, in seconds, used when none are given.
DEFAULT_TIMEOUT: Final = urllib3.Timeout(connect=10.0, read=30.0)

#: Pushover's rule: never retry sooner than 5 seconds after the previous attempt.
DEFAULT_BACKOFF_FLOOR: Final = 5.0

#: The longest wait before a retry; a longer ``Retry-After`` ends the retries.
DEFAULT_MAX_WAIT: Final = 60.0

#: How retries wait (a module attribute so that tests can record the waits).
_sleep: Callable[[float], None] = time.sleep

#: 5xx answers worth another attempt.
DEFAULT_RETRY_STATUSES: Final = frozenset({500, 502, 503, 504})

#: Answers after which the server may have acted: retried only for safe methods.
_MAY_HAVE_ACTED: Final = frozenset({504})

#: Methods that may be repeated after the request may have reached the server.
_SAFE_METHODS: Final = frozenset({"GET"})


class PushoverRetry(Retry):
    """urllib3's :class:`~urllib3.util.Retry`, held to Pushover's rules.

    Differences from ``Retry``: no 4xx is ever retried (``Retry`` retries 413, 429 and
    503 that carry ``Retry-After``); 5xx answers in ``status_forcelist`` are retried
    for every method except those in ``_MAY_HAVE_ACTED``, which only safe methods
    repeat; every wait is at least ``backoff_floor`` seconds (``Retry`` waits nothing
    before the first retry); a malformed ``Retry-After`` falls back to the backoff
    instead of raising; a ``Retry-After`` above ``max_wait`` stops retrying.
    """

    def __init__(
        self,
        *args: Any,
        backoff_floor: float = DEFAULT_BACKOFF_FLOOR,
        max_wait: float = DEFAULT_MAX_WAIT,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.backoff_floor = backoff_floor
        self.max_wait = max_wait

    def new(self, **kw: Any) -> Self:
        kw.setdefault("backoff_floor", self.backoff_floor)
        kw.setdefault("max_wait", self.max_wait)
        return super().new(**kw)

    def is_retry(
        self, method: str, status_code: int, has_retry_after: bool = False
    ) -> bool:
        """Whether an answer with *status_code* is worth another attempt."""
        if status_code < 500 or status_code not in self.status_forcelist:
            return False
        return status_code not in _MAY_HAVE_ACTED or self._is_method_retryable(method)

    def retry_after(self, response: BaseHTTPResponse | None) -> float | None:
        """The response's ``Retry-After`` in seconds; ``None`` when absent, malformed
        or not respected."""
        if response is None or not self.respect_retry_after_header:
            return None
        try:
            return self.get_retry_after(response)
        except InvalidHeader:
            return None

    def get_backoff_time(self) -> float:
        return max(self.backoff_floor, super().get_backoff_time())

    def wait_before_retry(self, response: BaseHTTPResponse | None = None) -> float:
        """Seconds to wait before the next attempt: the backoff (never below the
        floor), or the server's ``Retry-After`` when it asks for longer."""
        backoff = self.get_backoff_time()
        retry_after = self.retry_after(response)
        return backoff if retry_after is None else max(backoff, retry_after)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        delay = self.wait_before_retry(response)
        if delay > 0:
            _sleep(delay)

    def sleep_for_retry(self, response: BaseHTTPResponse) -> bool:
        # Only used by urllib3 for redirects, which chump_typed never follows.
        self.sleep(response)
        return True

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        retry_after = self.retry_after(response)
        if retry_after is not None and retry_after > self.max_wait:
            # urllib3 then returns this response (raise_on_status=False).
            raise MaxRetryError(
                _pool,  # type: ignore[arg-type]  # urllib3 passes None itself
                url,
                ResponseError(f"Retry-After of {retry_after:.0f} s exceeds max_wait"),
            )
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _check_seconds(field: str, value: object, *, allow_zero: bool) -> float:
    require_type(field, value, (int, float))
    assert isinstance(value, (int, float))
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValidationError(field, f"must be a finite number of seconds {bound}")
    return float(value)


def _check_timeout(value: object) -> urllib3.Timeout:
    if isinstance(value, urllib3.Timeout):
        started = value.clone()  # read_timeout of a total needs a started clock
        started.start_connect()
        connect, read = started.connect_timeout, started.read_timeout
        if not (isinstance(connect, (int, float)) and isinstance(read, (int, float))):
            raise ValidationError(
                "timeout", "both the connect and the read timeout must be set"
            )
        return value
    seconds = _check_seconds("timeout", value, allow_zero=False)
    return urllib3.Timeout(connect=seconds, read=seconds)


def _check_statuses(value: object) -> frozenset[int]:
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


class Urllib3Transport:
    """Sends requests with one pooled :class:`urllib3.PoolManager`.

    Every argument is keyword-only and optional; the defaults follow Pushover's rules.

    :param timeout: seconds for connecting and for each read, or a
        :class:`urllib3.Timeout` with both set (default: 10 s connect, 30 s read).
    :param retries: the most retries of one request, all causes together (default 3;
        0 never retries), or a :class:`PushoverRetry` that replaces every retry knob
        below. Whatever the policy, a request that is not a GET is never resent once
        it may have reached the server.
    :param connect_retries: retries after a connection could not be made (default 3).
    :param read_retries: retries of a GET after a read failed (default 2).
    :param status_retries: retries after a 5xx answer in *retry_statuses* (default 2).
    :param retry_statuses: 5xx answers worth a retry (default 500, 502, 503, 504; 504
        for GET only). 4xx answers are refused here: they are never retried.
    :param backoff_floor: the least wait before any retry, in seconds (default 5, as
        Pushover asks; tests pass 0).
    :param backoff_factor: urllib3's exponential backoff factor (default 5 s: waits of
        5, 10, 20 ... seconds).
    :param backoff_max: the longest backoff (default 60 s).
    :param max_wait: a ``Retry-After`` longer than this ends the retries (default 60 s).
    :param ca_certs: path of a CA bundle to verify servers against.
    :param ssl_context: a client :class:`ssl.SSLContext`, for full control of TLS.
        Certificates are verified whatever the context says.
    :param maxsize: connections open at once, 1 or 2 (Pushover allows 2, the default).
        More callers wait for a free connection.
    """

    def __init__(
        self,
        *,
        timeout: float | urllib3.Timeout = DEFAULT_TIMEOUT,
        retries: PushoverRetry | int = 3,
        connect_retries: int = 3,
        read_retries: int = 2,
        status_retries: int = 2,
        retry_statuses: Collection[int] = DEFAULT_RETRY_STATUSES,
        backoff_floor: float = DEFAULT_BACKOFF_FLOOR,
        backoff_factor: float = 5.0,
        backoff_max: float = 60.0,
        max_wait: float = DEFAULT_MAX_WAIT,
        ca_certs: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        maxsize: int = 2,
    ) -> None:
        self.timeout: Final = _check_timeout(timeout)
        policy = cast("object", retries)  # checked at run time, for untyped callers
        if isinstance(policy, Retry) and not isinstance(policy, PushoverRetry):
            raise TypeError(
                "retries: expected an int or a PushoverRetry; a plain urllib3 Retry "
                "would retry 429 answers"
            )
        if not isinstance(policy, PushoverRetry):
            check_int_range("retries", policy, low=0)
            for name, value in (
                ("connect_retries", connect_retries),
                ("read_retries", read_retries),
                ("status_retries", status_retries),
            ):
                check_int_range(name, value, low=0)
            policy = PushoverRetry(
                total=retries,
                connect=connect_retries,
                read=read_retries,
                status=status_retries,
                other=0,
                redirect=0,
                allowed_methods=_SAFE_METHODS,
                status_forcelist=_check_statuses(retry_statuses),
                backoff_factor=_check_seconds(
                    "backoff_factor", backoff_factor, allow_zero=True
                ),
                backoff_max=_check_seconds("backoff_max", backoff_max, allow_zero=True),
                raise_on_status=False,
                raise_on_redirect=False,
                respect_retry_after_header=True,
                backoff_floor=_check_seconds(
                    "backoff_floor", backoff_floor, allow_zero=True
                ),
                max_wait=_check_seconds("max_wait", max_wait, allow_zero=True),
            )
        self.retries: Final[PushoverRetry] = policy
        # The per-request policies, derived once: Retry.new() costs as much as our whole
        # encoding step, and these never change.
        self._once_retries = policy.new(read=False, status=0, other=0)
        self._post_retries = policy.new(read=False, other=0)
        check_int_range("maxsize", maxsize, low=1, high=2)
        pool_kwargs: dict[str, Any] = {"cert_reqs": "CERT_REQUIRED"}
        if ca_certs is not None:
            require_type("ca_certs", ca_certs, str)
            if "\x00" in ca_certs or not os.path.isfile(ca_certs):
                raise ValidationError("ca_certs", "must name an existing file")
            pool_kwargs["ca_certs"] = ca_certs
        if ssl_context is not None:
            require_type("ssl_context", ssl_context, ssl.SSLContext)
            pool_kwargs["ssl_context"] = ssl_context
        self._pool = urllib3.PoolManager(
            num_pools=4, maxsize=maxsize, block=True, retries=False, **pool_kwargs
        )
        self._routes: dict[str, HTTPConnectionPool] = {}

    def _route(self, url: str) -> tuple[HTTPConnectionPool, str]:
        """The connection pool for *url*'s origin, and the request target (path and
        query). Remembered per origin: every request of a client goes to the same one,
        and parsing the URL each time costs as much as our whole encoding step."""
        scheme, _, rest = url.partition("://")
        netloc, _, target = rest.partition("/")
        origin = f"{scheme}://{netloc}"
        pool = self._routes.get(origin)
        if pool is None or pool.pool is None:  # unknown, or closed by clear()/eviction
            pool = self._pool.connection_from_url(origin)
            self._routes[origin] = pool
        return pool, "/" + target

    def _retries_for(self, request: HTTPRequest) -> Retry:
        if not request.retryable:
            # Only a connection that was never made may be tried again.
            return self._once_retries
        if request.method not in _SAFE_METHODS:
            # At most once: no resend after the request may have reached the server.
            return self._post_retries
        return self.retries

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; raise :class:`TransportError` when no response arrives."""
        failure: BaseException
        try:
            pool, target = self._route(request.url)
            response = pool.urlopen(
                request.method,
                target,
                body=request.body or None,
                headers=request.headers,
                retries=self._retries_for(request),
                timeout=self.timeout,
                redirect=False,
                assert_same_host=False,
                preload_content=True,
            )
        except MaxRetryError as exc:
            failure = exc.reason or exc
        except HTTPError as exc:
            failure = exc
        else:
            return HTTPResponse(
                status=response.status,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=response.data,
            )
        # Raised outside the except blocks and chained to the reason, so that neither
        # the cause nor the context is a MaxRetryError, whose text holds the URL.
        cause = None if isinstance(failure, MaxRetryError) else failure
        raise _transport_error(request, failure) from cause

    def close(self) -> None:
        """Close every pooled connection."""
        self._routes.clear()
        self._pool.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Urllib3Transport(timeout={self.timeout!r}, retries={self.retries!r})"


def _cert_problem(cause: BaseException) -> str | None:
    """The verification failure behind a TLS error, if that is what it is."""
    seen: BaseException | None = cause
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or "certificate verify failed"
        if isinstance(seen, ssl.CertificateError):
            return str(seen)
        nested = seen.args[0] if seen.args else None
        seen = nested if isinstance(nested, BaseException) else seen.__cause__
    return None


def _transport_error(request: HTTPRequest, cause: BaseException) -> TransportError:
    """Map a urllib3 failure; the text names the failure, never the query string."""
    where = f"{request.method} {redact_url(request.url)}"
    if isinstance(cause, ReadTimeoutError):
        return TransportError(
            f"no response in time to {where}; the request may have reached Pushover",
            may_have_been_sent=True,
        )
    if isinstance(cause, (ConnectTimeoutError, LocationValueError)):
        # NewConnectionError and NameResolutionError are ConnectTimeoutErrors.
        return TransportError(f"could not connect for {where}: {_kind(cause)}")
    if isinstance(cause, SSLError):
        problem = _cert_problem(cause)
        if problem is not None:
            return TransportError(f"TLS verification failed for {where}: {problem}")
        return TransportError(
            f"TLS failure during {where}: {_kind(cause)}", may_have_been_sent=True
        )
    if isinstance(cause, ProtocolError):
        return TransportError(
            f"connection broken during {where}; the request may have reached Pushover",
            may_have_been_sent=True,
        )
    return TransportError(f"{where} failed: {_kind(cause)}", may_have_been_sent=True)


def _kind(cause: BaseException) -> str:
    """Name the failure without echoing text that could contain the URL's query."""
    return type(cause).__name__


class _RedactRecords(logging.Filter):
    """Redacts urllib3's own log records, which name the full request target (a GET
    carries the token in its query) in debug lines and retry warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem, not ours
            return True
        cleaned = redact_log_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


#: Every urllib3 logger whose records can name a request target.
_URLLIB3_LOGGERS: Final = (
    "urllib3.connection",
    "urllib3.connectionpool",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)


def _install_log_filter() -> None:
    for name in _URLLIB3_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, _RedactRecords) for f in target.filters):
            target.addFilter(_RedactRecords())


_install_log_filter()


def total_timeout(seconds: float) -> urllib3.Timeout:
    """A timeout bounding the whole request, connect and read together, by *seconds*
    (for callers such as a logging handler that must not block longer)."""
    return urllib3.Timeout(connect=seconds, read=seconds, total=seconds)
