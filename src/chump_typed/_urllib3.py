"""The real transport: urllib3, pooled, verified, with Pushover's retry rules.

This is the only module that imports urllib3. It moves an already encoded
:class:`~chump_typed._protocol.HTTPRequest` and maps every urllib3 failure to
:class:`~chump_typed.errors.TransportError`.

Retry policy (Pushover's "being friendly" rules):

* a connection that could not be made is retried for any method (nothing was sent);
* 5xx answers are retried, waiting at least ``backoff_floor`` seconds (Pushover asks for
  5 s) and honouring ``Retry-After``;
* a POST is **never** resent once its request may have reached the server (a read
  timeout, a reset after the request was written): a notification must not be delivered
  twice; the error says ``may_have_been_sent``;
* a 4xx, 429 included, is never retried (Pushover blocks IPs that repeat them);
* a request marked not ``retryable`` (licence assignment) is never resent after a
  server error.
"""

from __future__ import annotations

import ssl
import time
from typing import TYPE_CHECKING, Any, Final

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util.retry import Retry

from chump_typed._protocol import HTTPRequest, HTTPResponse
from chump_typed._redact import redact_url
from chump_typed.errors import TransportError

if TYPE_CHECKING:
    from typing_extensions import Self
    from urllib3.connectionpool import HTTPConnectionPool

__all__ = ["DEFAULT_TIMEOUT", "PushoverRetry", "Urllib3Transport"]

#: Connect and read timeouts, in seconds, used when none are given.
DEFAULT_TIMEOUT: Final = urllib3.Timeout(connect=10.0, read=30.0)

#: Pushover's rule: never retry sooner than 5 seconds after the previous attempt.
DEFAULT_BACKOFF_FLOOR: Final = 5.0

_RETRY_STATUSES: Final = frozenset({500, 502, 503, 504})


class PushoverRetry(Retry):
    """urllib3's :class:`~urllib3.util.Retry` with a floor under every backoff.

    urllib3 waits nothing before the first retry; Pushover asks for at least five
    seconds between attempts. ``backoff_floor`` restores that (tests set it to 0).
    """

    def __init__(
        self, *args: Any, backoff_floor: float = DEFAULT_BACKOFF_FLOOR, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.backoff_floor = backoff_floor

    def new(self, **kw: Any) -> PushoverRetry:
        retry = super().new(**kw)
        assert isinstance(retry, PushoverRetry)
        retry.backoff_floor = self.backoff_floor
        return retry

    def is_retry(
        self, method: str, status_code: int, has_retry_after: bool = False
    ) -> bool:
        """Retry 5xx answers in the force list, whatever the method: the server said it
        did not complete the request. Never retry a 4xx (429 included)."""
        if status_code < 500:
            return False
        return bool(self.status_forcelist and status_code in self.status_forcelist)

    def get_backoff_time(self) -> float:
        return max(self.backoff_floor, super().get_backoff_time())

    def sleep_for_retry(self, response: Any) -> bool:
        retry_after = self.get_retry_after(response)
        if retry_after is None:
            return False
        delay = max(self.backoff_floor, retry_after)
        if delay > 0:
            time.sleep(delay)
        return True


def default_retries(*, backoff_floor: float = DEFAULT_BACKOFF_FLOOR) -> PushoverRetry:
    """The default policy: up to 3 retries; connect errors for any method, read errors
    for GET only, 5xx answers (at most 2) for any method."""
    return PushoverRetry(
        total=3,
        connect=3,
        read=2,
        status=2,
        other=0,
        redirect=0,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=_RETRY_STATUSES,
        backoff_factor=5.0,
        backoff_max=60.0,
        raise_on_status=False,
        respect_retry_after_header=True,
        backoff_floor=backoff_floor,
    )


class Urllib3Transport:
    """Sends requests with one pooled :class:`urllib3.PoolManager`.

    :param timeout: seconds, or a :class:`urllib3.Timeout` (connect and read are always
        set).
    :param retries: a :class:`PushoverRetry` (or any urllib3 ``Retry``), or ``0`` for no
        retries. POST requests have their read and status retries limited as described in
        the module docstring whatever policy is given.
    :param ca_certs: path of a CA bundle to verify servers against.
    :param ssl_context: a client :class:`ssl.SSLContext`, for full control of TLS.
    :param maxsize: connections kept per host; Pushover allows 2 at once.
    """

    def __init__(
        self,
        *,
        timeout: float | urllib3.Timeout = DEFAULT_TIMEOUT,
        retries: Retry | int | None = None,
        backoff_floor: float = DEFAULT_BACKOFF_FLOOR,
        ca_certs: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        maxsize: int = 2,
    ) -> None:
        if isinstance(timeout, (int, float)):
            timeout = urllib3.Timeout(connect=float(timeout), read=float(timeout))
        if timeout.connect_timeout is None or timeout.read_timeout is None:
            raise ValueError("timeout: both connect and read timeouts must be set")
        if retries is None:
            retries = default_retries(backoff_floor=backoff_floor)
        elif isinstance(retries, int):
            retries = default_retries(backoff_floor=backoff_floor).new(
                total=retries, connect=retries, read=retries, status=retries
            )
        self.timeout = timeout
        self.retries: Retry = retries
        pool_kwargs: dict[str, Any] = {"cert_reqs": "CERT_REQUIRED"}
        if ca_certs is not None:
            pool_kwargs["ca_certs"] = ca_certs
        if ssl_context is not None:
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
            return self.retries.new(read=False, status=0, other=0)
        return self.retries

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; raise :class:`TransportError` when no response arrives."""
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
            raise _transport_error(request, exc.reason or exc) from exc
        except HTTPError as exc:
            raise _transport_error(request, exc) from exc
        return HTTPResponse(
            status=response.status,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=response.data,
        )

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


_NOT_SENT: Final = (
    ConnectTimeoutError,
    NewConnectionError,
)


def _transport_error(request: HTTPRequest, cause: BaseException) -> TransportError:
    url = redact_url(request.url)
    if isinstance(cause, _NOT_SENT):
        return TransportError(
            f"could not connect for {request.method} {url}: {_kind(cause)}"
        )
    if isinstance(cause, SSLError):
        return TransportError(f"TLS failure for {request.method} {url}: {_kind(cause)}")
    if isinstance(cause, ReadTimeoutError):
        return TransportError(
            f"no response in time to {request.method} {url}; "
            "the request may have reached Pushover",
            may_have_been_sent=True,
        )
    if isinstance(cause, ProtocolError):
        return TransportError(
            f"connection broken during {request.method} {url}; "
            "the request may have reached Pushover",
            may_have_been_sent=True,
        )
    return TransportError(
        f"{request.method} {url} failed: {_kind(cause)}", may_have_been_sent=True
    )


def _kind(cause: BaseException) -> str:
    """Name the failure without echoing text that could contain the URL's query."""
    return type(cause).__name__
