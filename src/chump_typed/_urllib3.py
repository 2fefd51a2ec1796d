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
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    EmptyPoolError,
    HTTPError,
    LocationValueError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from chump_typed._body import CappedBody, TooLarge, UnreadableEncoding
from chump_typed._deadline import GRACE, WATCHDOG
from chump_typed._failure import (
    cert_problem,
    not_connected,
    transport_error,
    unreadable,
    where,
)
from chump_typed._fork import renew_after_fork
from chump_typed._logfilter import redact_loggers
from chump_typed._proxy import Proxy
from chump_typed._retry import MaybeSent, NotConnected, Outcome
from chump_typed._scrub import scrub_public
from chump_typed._transport_base import (
    MAX_ORIGINS,
    Attempted,
    Failure,
    KnobsBase,
    Late,
    check_timeout,
    send_with_retries,
    split_origin,
)
from chump_typed.errors import TransportError, ValidationError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack
    from urllib3.response import BaseHTTPResponse

    from chump_typed._transport_base import CommonKnobs

#: What the package re-exports; the module's other names are internal.
__all__ = [
    "Urllib3Transport",
]

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
    """The connect and the read timeout *value* sets: a number or ``None``, as for
    every transport, or a :class:`urllib3.Timeout` (a ``total`` bounds both)."""
    if isinstance(value, urllib3.Timeout):
        started = value.clone()  # read_timeout of a total needs a started clock
        started.start_connect()
        connect, read = started.connect_timeout, started.read_timeout
        if not (isinstance(connect, (int, float)) and isinstance(read, (int, float))):
            raise ValidationError(
                "timeout", "both the connect and the read timeout must be set"
            )
        return float(connect), float(read)
    return check_timeout(value)


class Urllib3Transport(KnobsBase):
    """Sends requests with pooled urllib3 connections.

    Every argument is keyword-only and optional; the defaults follow Pushover's rules.
    Every transport of this package takes these arguments (the httpx and aiohttp ones
    take ``timeout`` in seconds only, and the async ones a coroutine function as
    ``sleep``).

    :param timeout: seconds for connecting and for each read, or a
        :class:`urllib3.Timeout` with both set (default: 10 s connect, 30 s read).
    :param deadline: the longest one call may take, in seconds, connecting, sending,
        reading and every retry with its wait together (default 60 s). No retry is
        started that could not finish in time, and a server that trickles its answer
        is cut off when the deadline passes.
    :param retries: a :class:`~chump_typed.RetryPolicy` (what is retried, how often,
        after how long), or an int *n* for ``RetryPolicy(retries=n)``: *n* retries at
        most (default 3; 0 never retries). Whatever the policy, a request that is not
        a GET is never resent once it may have reached the server.
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

    A request's :class:`~chump_typed.protocol.SendOptions` replace the deadline and
    the retry policy for its call.
    """

    def __init__(
        self,
        *,
        timeout: float | urllib3.Timeout | None = None,
        sleep: Callable[[float], object] | None = None,
        **knobs: Unpack[CommonKnobs],
    ) -> None:
        if isinstance(knobs.get("retries"), urllib3.Retry):
            raise TypeError(
                "retries: expected an int or a RetryPolicy; urllib3's Retry is not used "
                "(it would retry 429 answers and resend POSTs)"
            )
        super().__init__(knobs, timeouts=_check_timeout(timeout), sleep=sleep)
        #: The per-operation timeouts (each also clipped to the time left).
        self.timeout: Final = urllib3.Timeout(
            connect=self._connect_timeout, read=self._read_timeout
        )
        self._sleep = sleep or time.sleep
        self._pool_kwargs: dict[str, Any] = {
            "cert_reqs": "CERT_REQUIRED",
            "maxsize": self._maxsize,
            "block": True,
            "retries": False,
        }
        if self._ca_certs is not None:
            self._pool_kwargs["ca_certs"] = self._ca_certs
        if self._ssl_context is not None:
            self._pool_kwargs["ssl_context"] = self._ssl_context
        self._managers: dict[Proxy | None, urllib3.PoolManager] = {}
        self._openers: dict[str, HTTPConnectionPool | urllib3.PoolManager] = {}
        self._making = threading.Lock()
        #: What a forked child inherited: kept, never closed (the parent still uses it).
        self._inherited: list[object] = []
        renew_after_fork(self)

    # -- Pools -------------------------------------------------------------------------

    def _opener(self, url: str) -> tuple[HTTPConnectionPool | urllib3.PoolManager, str]:
        """What opens *url*, and the target to give it: without a proxy, the
        connection pool of *url*'s origin and the path; through a proxy, the proxy
        manager and the whole URL (it adds the proxy's headers).

        The pool's ``urlopen`` rather than the manager's, and the pool kept per origin:
        the manager parses the whole URL, normalises a key and looks for redirects on
        every call. In one ``bench/run.py`` run a bare ``HTTPConnectionPool.urlopen``
        cost 0.74x a bare ``PoolManager.urlopen`` (about 110 us, a fifth of
        ``Client.send``'s CPU), and finding the pool again costs 20 us (4%)."""
        origin, path = split_origin(url)
        opener = self._openers.get(origin)
        if opener is None or (
            isinstance(opener, HTTPConnectionPool) and opener.pool is None
        ):
            with self._making:  # two threads' first calls must not make two managers
                opener = self._open(origin)
        if isinstance(opener, urllib3.ProxyManager):
            return opener, url
        return opener, "/" + path

    def _open(self, origin: str) -> HTTPConnectionPool | urllib3.PoolManager:
        """The opener for *origin* (a pool, or a proxy manager), made and kept; a pool
        closed by :meth:`close` or evicted by its manager is replaced."""
        proxy = self._proxy_for(origin)
        manager = self._managers.get(proxy)
        if manager is None:
            manager = self._managers[proxy] = self._make_manager(proxy)
        opener = (
            manager
            if isinstance(manager, urllib3.ProxyManager)
            else manager.connection_from_url(origin)
        )
        if len(self._openers) >= MAX_ORIGINS:
            self._openers.clear()
        self._openers[origin] = opener
        return opener

    def _make_manager(self, proxy: Proxy | None) -> urllib3.PoolManager:
        if proxy is None:
            manager = urllib3.PoolManager(num_pools=MAX_ORIGINS, **self._pool_kwargs)
        else:
            headers = (
                None
                if proxy.credentials is None
                else urllib3.make_headers(proxy_basic_auth=proxy.credentials)
            )
            manager = urllib3.ProxyManager(
                proxy.url,
                num_pools=MAX_ORIGINS,
                proxy_headers=headers,
                **self._pool_kwargs,
            )
        manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager

    def _after_fork_in_child(self) -> None:
        """Start afresh in a forked child: the inherited pools share their sockets with
        the parent, and their locks may be held by threads the child does not have."""
        self._inherited.append(self._managers)
        self._managers = {}
        self._openers = {}
        self._making = threading.Lock()  # a parent's thread may have held it

    # -- Sending -----------------------------------------------------------------------

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as its policy decides, within its deadline (the
        request's options, else the transport's ``retries`` and ``deadline``).

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        return send_with_retries(self._start(request), self._attempt, self._sleep)

    def _attempt(self, request: HTTPRequest, budget: float) -> Attempted:
        """One attempt within *budget* seconds: the answer, or why there was none.

        Failures are returned, not raised, so that no urllib3 exception (whose frames
        hold the body) ends up in the chain of the error the caller sees."""
        # Outside the try: a bad proxy in the environment is the caller's
        # ValidationError, raised before anything is sent, not a transport failure.
        opener, target = self._opener(request.url)
        guard = WATCHDOG.watch(budget)
        response: BaseHTTPResponse | None = None
        failure: Failure | Late | None = None
        body = b""
        try:
            response = opener.urlopen(
                request.method,
                target,
                body=request.body or None,
                headers=request.headers,
                retries=False,
                timeout=self._timeout_within(budget),
                pool_timeout=budget,  # type: ignore[arg-type]  # seconds, as queue.get
                redirect=False,
                preload_content=False,
                decode_content=False,
            )
            body = self._read(response, self._cap_for(request))
        except (TooLarge, UnreadableEncoding) as exc:
            assert response is not None
            start = exc.start if isinstance(exc, TooLarge) else b""
            failure = Failure(None, unreadable(request, response.status, exc, start))
        except EmptyPoolError:
            failure = Late(sending=False)
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
            return Late(sending=guard.started_sending)
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
        stall as the deadline)."""
        return urllib3.Timeout(
            connect=min(budget, self._connect_timeout),
            read=min(budget + GRACE, self._read_timeout),
        )

    def _read(self, response: BaseHTTPResponse, cap: int) -> bytes:
        collected = CappedBody(response.headers.get("content-encoding"), cap)
        length = response.length_remaining
        if length is not None and length <= cap:
            # The common case: a declared length within the cap, read in one go.
            collected.feed(response.read(decode_content=False))
        else:
            while chunk := response.read(_CHUNK, decode_content=False):
                collected.feed(chunk)
        return collected.finish()

    def close(self) -> None:
        """Close every pooled connection (a call in another thread meanwhile opens
        a new pool; one that held a closed pool reports nothing sent)."""
        with self._making:  # not while another thread's first call adds a manager
            managers = list(self._managers.values())
            self._openers.clear()
        for manager in managers:
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
    if isinstance(cause, ClosedPoolError):
        # The pool was closed (close() in another thread, or evicted) before it
        # gave a connection: nothing was sent, and the next attempt gets a new one.
        return NotConnected(), error(f"the connection pool closed before {place}")
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
