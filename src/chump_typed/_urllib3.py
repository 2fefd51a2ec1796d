"""The real transport: urllib3, pooled, verified, with one deadline per call.

This is the only module that imports urllib3. It moves an already encoded
:class:`~chump_typed.protocol.HTTPRequest`, asks :class:`~chump_typed.RetryPolicy`
whether and when to try again, and maps every urllib3 failure to
:class:`~chump_typed.errors.TransportError`. What it adds to urllib3, and why:

* **one deadline for the whole call** (connect, send, headers, body and every retry with
  its wait): socket timeouts bound each read, and a server trickling a byte a second
  never trips them, so a watchdog shuts the socket down when the time is up
  (:mod:`chump_typed._deadline`);
* **a cap on the decoded answer** (1 MiB by default): reading stops past it
  (:mod:`chump_typed._body`);
* **fork safety**: a child process opens its own connections and never touches the
  ones it inherited (:mod:`chump_typed._fork`);
* **proxies** from the environment or ``proxy=``, decided by
  :mod:`chump_typed._proxy`; https goes through a CONNECT tunnel;
* **no third-party exception in the chain**: urllib3's frames hold the request body
  (token included) and error trackers record frame locals, so errors keep only the
  failure's type name and redacted text.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Final, cast

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    EmptyPoolError,
    HTTPError,
    LocationValueError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from chump_typed._body import (
    DEFAULT_MAX_RESPONSE,
    CappedBody,
    TooLarge,
    UnreadableEncoding,
)
from chump_typed._checks import (
    check_ca_certs,
    check_int_range,
    check_seconds,
    require_type,
)
from chump_typed._deadline import GRACE, WATCHDOG
from chump_typed._failure import (
    cert_problem,
    late,
    not_connected,
    transport_error,
    unreadable,
    where,
)
from chump_typed._fork import renew_after_fork
from chump_typed._logfilter import redact_loggers
from chump_typed._proxy import Proxy, check_proxy, choose_proxy
from chump_typed._retry import (
    DEFAULT_BACKOFF_FLOOR,
    DEFAULT_MAX_WAIT,
    DEFAULT_RETRY_STATUSES,
    Failure,
    MaybeSent,
    NotConnected,
    Outcome,
    RetryEvent,
    RetryPolicy,
    policy_from,
)
from chump_typed._scrub import scrub_public
from chump_typed._transport_base import DEFAULT_DEADLINE, check_hooks, send_with_retries
from chump_typed.errors import TransportError, ValidationError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "DEFAULT_BACKOFF_FLOOR",
    "DEFAULT_DEADLINE",
    "DEFAULT_RETRY_STATUSES",
    "DEFAULT_TIMEOUT",
    "Urllib3Transport",
]

#: Connect and read timeouts, in seconds, used when none are given.
DEFAULT_TIMEOUT: Final = urllib3.Timeout(connect=10.0, read=30.0)

logger: Final = logging.getLogger("chump_typed")

#: How much of an answer is read at a time (Pushover's fit in one read).
_CHUNK: Final = 64 * 1024


class _WatchedHTTPConnection(HTTPConnection):
    """An HTTP connection that tells the deadline watchdog which socket to cut off."""

    def connect(self) -> None:
        WATCHDOG.attach(self, sending=False)
        super().connect()
        WATCHDOG.attach(self, sending=False)

    def request(self, *args: Any, **kwargs: Any) -> None:
        WATCHDOG.attach(self, sending=True)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    """The https twin: the overrides above, then HTTPSConnection's TLS set-up (the
    handshake itself is bounded by the connect timeout, clipped to the time left)."""


# urllib3's own connection classes do not match its connection protocols either.
class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection  # pyright: ignore[reportAssignmentType]


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection  # pyright: ignore[reportAssignmentType]


#: The pools every manager makes (urllib3 reads this per manager instance).
_POOL_CLASSES: Final[dict[str, type[HTTPConnectionPool]]] = {
    "http": _HTTPPool,
    "https": _HTTPSPool,
}


def _check_timeout(value: object) -> tuple[float, float]:
    """The connect and the read timeout *value* sets (a ``total`` bounds both)."""
    if isinstance(value, urllib3.Timeout):
        started = value.clone()  # read_timeout of a total needs a started clock
        started.start_connect()
        connect, read = started.connect_timeout, started.read_timeout
        if not (isinstance(connect, (int, float)) and isinstance(read, (int, float))):
            raise ValidationError(
                "timeout", "both the connect and the read timeout must be set"
            )
        return float(connect), float(read)
    check_seconds("timeout", value)
    return float(value), float(value)  # type: ignore[arg-type]  # checked: a number


def _check_policy(retries: object, knobs: dict[str, object]) -> RetryPolicy:
    if isinstance(retries, RetryPolicy):
        return retries
    if isinstance(retries, urllib3.Retry):
        raise TypeError(
            "retries: expected an int or a RetryPolicy; urllib3's Retry is not used "
            "(it would retry 429 answers and resend POSTs)"
        )
    return policy_from(retries, **knobs)


class Urllib3Transport:
    """Sends requests with pooled urllib3 connections.

    Every argument is keyword-only and optional; the defaults follow Pushover's rules.

    :param timeout: seconds for connecting and for each read, or a
        :class:`urllib3.Timeout` with both set (default: 10 s connect, 30 s read).
    :param deadline: the longest one call may take, in seconds, connecting, sending,
        reading and every retry with its wait together (default 60 s). No retry is
        started that could not finish in time, and a server that trickles its answer
        is cut off when the deadline passes.
    :param retries: the most retries of one request, all causes together (default 3;
        0 never retries), or a :class:`~chump_typed.RetryPolicy` that replaces every
        retry knob below. Whatever the policy, a request that is not a GET is never
        resent once it may have reached the server.
    :param connect_retries: retries after a connection could not be made (default 3).
    :param read_retries: retries of a GET after a read failed (default 2).
    :param status_retries: retries after a 5xx answer in *retry_statuses* (default 2).
    :param retry_statuses: 5xx answers worth a retry (default 500, 502, 503, 504; 504
        for GET only). 4xx answers are refused here: they are never retried.
    :param backoff_floor: the least wait before any retry, in seconds (default 5, as
        Pushover asks; tests pass 0).
    :param backoff_factor: the exponential backoff factor (default 5 s: waits of 5,
        10, 20 ... seconds).
    :param backoff_max: the longest backoff (default 60 s).
    :param max_wait: a ``Retry-After`` longer than this ends the retries (default 60 s).
    :param max_response_size: the largest decoded answer read, in bytes (default
        1 MiB); a larger one raises :class:`~chump_typed.UnexpectedResponseError`.
    :param proxy: the proxy to go through (``http://host:port``, optionally with
        ``user:password@``); by default the environment's ``HTTPS_PROXY``,
        ``HTTP_PROXY`` and ``NO_PROXY`` decide. Loopback hosts are never proxied.
    :param trust_env: read the proxy from the environment (default true).
    :param ca_certs: path of a CA bundle to verify servers against.
    :param ssl_context: a client :class:`ssl.SSLContext`, for full control of TLS.
        Certificates are verified whatever the context says.
    :param maxsize: connections open at once, 1 or 2 (Pushover allows 2, the default).
        More callers wait for a free connection.
    :param on_retry: called with a :class:`~chump_typed.RetryEvent` before each
        retry's wait (to tell a person a retry is pending).
    :param sleep: how a retry waits (default :func:`time.sleep`; tests record instead).
    :param clock: the monotonic clock the deadline is measured on (default
        :func:`time.monotonic`).
    """

    def __init__(
        self,
        *,
        timeout: float | urllib3.Timeout = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        retries: RetryPolicy | int = 3,
        connect_retries: int = 3,
        read_retries: int = 2,
        status_retries: int = 2,
        retry_statuses: Collection[int] = DEFAULT_RETRY_STATUSES,
        backoff_floor: float = DEFAULT_BACKOFF_FLOOR,
        backoff_factor: float = 5.0,
        backoff_max: float = 60.0,
        max_wait: float = DEFAULT_MAX_WAIT,
        max_response_size: int = DEFAULT_MAX_RESPONSE,
        proxy: str | None = None,
        trust_env: bool = True,
        ca_certs: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        maxsize: int = 2,
        on_retry: Callable[[RetryEvent], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        connect, read = _check_timeout(timeout)
        #: The per-operation timeouts (each also clipped to the time left).
        self.timeout: Final = urllib3.Timeout(connect=connect, read=read)
        check_seconds("deadline", deadline)
        self.deadline: Final = float(deadline)
        self.retries: Final = _check_policy(
            retries,
            {
                "connect_retries": connect_retries,
                "read_retries": read_retries,
                "status_retries": status_retries,
                "retry_statuses": retry_statuses,
                "backoff_floor": backoff_floor,
                "backoff_factor": backoff_factor,
                "backoff_max": backoff_max,
                "max_wait": max_wait,
            },
        )
        check_int_range("max_response_size", max_response_size, low=1)
        self.max_response_size: Final = max_response_size
        self._proxy = None if proxy is None else check_proxy("proxy", proxy)
        #: The proxy given, without its credentials (``None``: the environment
        #: decides, unless *trust_env* is false).
        self.proxy: Final = None if self._proxy is None else self._proxy.url
        self.trust_env: Final = trust_env
        require_type("trust_env", trust_env, bool)
        check_int_range("maxsize", maxsize, low=1, high=2)
        check_hooks(on_retry=on_retry, sleep=sleep, clock=clock)
        self._on_retry = on_retry
        self._sleep = sleep
        self._clock = clock
        self._pool_kwargs: dict[str, Any] = {
            "cert_reqs": "CERT_REQUIRED",
            "maxsize": maxsize,
            "block": True,
            "retries": False,
        }
        if ca_certs is not None:
            check_ca_certs("ca_certs", ca_certs)
            self._pool_kwargs["ca_certs"] = ca_certs
        if ssl_context is not None:
            require_type("ssl_context", ssl_context, ssl.SSLContext)
            self._pool_kwargs["ssl_context"] = ssl_context
        self._managers: dict[Proxy | None, urllib3.PoolManager] = {}
        self._routes: dict[str, HTTPConnectionPool] = {}
        self._making = threading.Lock()
        #: What a forked child inherited: kept, never closed (the parent still uses it).
        self._inherited: list[object] = []
        renew_after_fork(self)

    # -- Pools -------------------------------------------------------------------------

    def _manager(self, proxy: Proxy | None) -> urllib3.PoolManager:
        manager = self._managers.get(proxy)
        if manager is None:
            if proxy is None:
                manager = urllib3.PoolManager(num_pools=4, **self._pool_kwargs)
            else:
                headers = (
                    None
                    if proxy.credentials is None
                    else urllib3.make_headers(proxy_basic_auth=proxy.credentials)
                )
                manager = urllib3.ProxyManager(
                    proxy.url, num_pools=4, proxy_headers=headers, **self._pool_kwargs
                )
            manager.pool_classes_by_scheme = _POOL_CLASSES
            self._managers[proxy] = manager
        return manager

    def _route(self, url: str) -> tuple[HTTPConnectionPool, str]:
        """The connection pool for *url*'s origin, and the request target (path and
        query). Remembered per origin: every request of a client goes to the same one,
        and parsing the URL each time costs as much as our whole encoding step."""
        scheme, _, rest = url.partition("://")
        netloc, _, target = rest.partition("/")
        origin = f"{scheme}://{netloc}"
        pool = self._routes.get(origin)
        if pool is None or pool.pool is None:  # unknown, or closed by clear()/eviction
            with self._making:  # two threads' first calls must not make two pools
                pool = self._routes.get(origin)
                if pool is None or pool.pool is None:
                    proxy = choose_proxy(
                        origin, proxy=self._proxy, trust_env=self.trust_env
                    )
                    pool = self._manager(proxy).connection_from_url(origin)
                    self._routes[origin] = pool
        return pool, "/" + target

    def _after_fork_in_child(self) -> None:
        """Start afresh in a forked child: the inherited pools share their sockets with
        the parent, and their locks may be held by threads the child does not have."""
        self._inherited.append((self._managers, self._routes))
        self._managers = {}
        self._routes = {}
        self._making = threading.Lock()  # a parent's thread may have held it

    # -- Sending -----------------------------------------------------------------------

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as ``retries`` decides, within ``deadline`` seconds.

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        return send_with_retries(
            request,
            self._attempt,
            policy=self.retries,
            deadline=self.deadline,
            on_retry=self._on_retry,
            sleep=self._sleep,
            clock=self._clock,
        )

    def _attempt(self, request: HTTPRequest, budget: float) -> HTTPResponse | Failure:
        """One attempt within *budget* seconds: the answer, or why there was none.

        Failures are returned, not raised, so that no urllib3 exception (whose frames
        hold the body) ends up in the chain of the error the caller sees."""
        if budget <= 0:
            return self._deadline_passed(request, sending=False)
        pool, target = self._route(request.url)
        guard = WATCHDOG.watch(budget)
        response: BaseHTTPResponse | None = None
        failure: Failure | None = None
        body = b""
        try:
            response = pool.urlopen(
                request.method,
                target,
                body=request.body or None,
                headers=request.headers,
                retries=False,
                timeout=self._timeout_within(budget),
                pool_timeout=budget,  # type: ignore[arg-type]  # seconds, as queue.get
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
            )
            body = self._read(response)
        except (TooLarge, UnreadableEncoding) as exc:
            assert response is not None
            start = exc.start if isinstance(exc, TooLarge) else b""
            failure = Failure(None, unreadable(request, response.status, exc, start))
        except EmptyPoolError:
            failure = self._deadline_passed(request, sending=False)
        except (HTTPError, OSError, ValueError) as exc:
            failure = Failure(*_map_failure(request, exc))
        finally:
            expired = WATCHDOG.release(guard)
            if response is not None:
                if failure is not None or expired:
                    response.close()  # never reuse a connection left mid-answer
                response.release_conn()
        if expired:
            # Even an answer that seems whole: a head cut off between two header
            # lines, or a body without a length cut off, reads as complete.
            return self._deadline_passed(request, sending=guard.started_sending)
        if failure is None and response is not None:
            return HTTPResponse(
                status=response.status,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=body,
            )
        assert failure is not None
        return failure

    def _timeout_within(self, budget: float) -> urllib3.Timeout:
        """The per-operation timeouts, clipped to the *budget* left (reads to a
        :data:`~chump_typed._deadline.GRACE` past it, so that the watchdog reports a
        stall as the deadline); the configured ones, unchanged, when the budget
        allows them: the common case."""
        connect = cast("float", self.timeout.connect_timeout)
        read = cast("float", self.timeout.read_timeout)
        if budget >= connect and budget + GRACE >= read:
            return self.timeout
        return urllib3.Timeout(
            connect=min(budget, connect), read=min(budget + GRACE, read)
        )

    def _read(self, response: BaseHTTPResponse) -> bytes:
        collected = CappedBody(
            response.headers.get("content-encoding"), self.max_response_size
        )
        length = response.length_remaining
        if length is not None and length <= self.max_response_size:
            # The common case: a declared length within the cap, read in one go.
            collected.feed(response.read(decode_content=False))
        else:
            while chunk := response.read(_CHUNK, decode_content=False):
                collected.feed(chunk)
        return collected.finish()

    def _deadline_passed(self, request: HTTPRequest, *, sending: bool) -> Failure:
        return Failure(None, late(request, self.deadline, sending=sending))

    def close(self) -> None:
        """Close every pooled connection."""
        self._routes.clear()
        for manager in self._managers.values():
            manager.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Urllib3Transport(timeout={self.timeout!r}, deadline={self.deadline:g}, "
            f"retries={self.retries!r}, proxy={self.proxy!r})"
        )


def _map_failure(
    request: HTTPRequest, cause: BaseException
) -> tuple[Outcome | None, TransportError]:
    """What a urllib3 failure means for retrying, and the error that reports it. The
    text names the failure, never the query string."""
    place = where(request)

    def error(text: str, *, may_have_been_sent: bool = False) -> TransportError:
        return transport_error(text, cause, may_have_been_sent=may_have_been_sent)

    if isinstance(cause, ProxyError):
        original = cause.original_error
        if isinstance(original, ConnectTimeoutError):
            return NotConnected(), error(
                not_connected(f"could not connect to the proxy for {place}", original),
            )
        return None, error(
            f"the proxy did not open a tunnel for {place}: {_kind(original)}",
        )
    if isinstance(cause, ReadTimeoutError):
        return MaybeSent(), error(
            f"no response in time to {place}; the request may have reached Pushover",
            may_have_been_sent=True,
        )
    if isinstance(cause, (ConnectTimeoutError, LocationValueError)):
        # NewConnectionError and NameResolutionError are ConnectTimeoutErrors.
        return NotConnected(), error(
            not_connected(f"could not connect for {place}", cause)
        )
    if isinstance(cause, SSLError):
        problem = cert_problem(cause)
        if problem is not None:
            return None, error(f"TLS verification failed for {place}: {problem}")
        return MaybeSent(), error(
            f"TLS failure during {place}: {_kind(cause)}",
            may_have_been_sent=True,
        )
    if isinstance(cause, ProtocolError):
        return MaybeSent(), error(
            f"connection broken during {place}; the request may have reached Pushover",
            may_have_been_sent=True,
        )
    return MaybeSent(), error(
        f"{place} failed: {_kind(cause)}", may_have_been_sent=True
    )


def _kind(cause: BaseException) -> str:
    """Name the failure without echoing text that could contain the URL's query."""
    return type(cause).__name__


#: Every urllib3 logger whose records can name a request target.
_URLLIB3_LOGGERS: Final = (
    "urllib3.connection",
    "urllib3.connectionpool",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)


redact_loggers(*_URLLIB3_LOGGERS)


scrub_public(globals())
