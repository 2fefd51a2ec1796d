"""The httpx transports: :class:`AsyncHttpxTransport` (asyncio and trio, through anyio).

This is the only module that imports httpx (extra ``chump_typed[httpx]``). On top of
the httpx client, whether it is the caller's or ours, chump_typed's rules apply: one
deadline for the whole call (an anyio cancel scope, which also cuts off a server that
trickles its answer), a cap on the decoded answer, the shared retry policy, the proxy
decision and secret-free errors. A client the caller passes in keeps its own settings
(limits, proxies) and is never closed here.
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Final, cast

try:
    import anyio
    import httpx
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "the httpx transports need httpx and anyio: pip install 'chump_typed[httpx]'"
    ) from exc

from chump_typed._body import (
    DEFAULT_MAX_RESPONSE,
    CappedBody,
    TooLarge,
    UnreadableEncoding,
)
from chump_typed._checks import check_int_range, check_seconds, require_type
from chump_typed._failure import cert_problem, where
from chump_typed._proxy import Proxy, check_proxy, choose_proxy
from chump_typed._retry import (
    DEFAULT_BACKOFF_FLOOR,
    DEFAULT_MAX_WAIT,
    DEFAULT_RETRY_STATUSES,
    Attempts,
    Failure,
    MaybeSent,
    NotConnected,
    RetryEvent,
    RetryPolicy,
)
from chump_typed.errors import TransportError, UnexpectedResponseError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AsyncHttpxTransport"]

#: Connect and read timeouts, in seconds (each clipped to the time left).
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_READ_TIMEOUT: Final = 30.0
#: The longest one call may take, retries and their waits included, in seconds.
DEFAULT_DEADLINE: Final = 60.0


def _loop_identity() -> object:
    """The running event loop (asyncio) or run (trio): a transport's connections
    belong to the one they were opened in."""
    import sys

    try:
        import asyncio

        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")
    if trio is not None:
        return trio.lowlevel.current_trio_token()
    raise RuntimeError("AsyncHttpxTransport needs a running asyncio or trio loop")


class AsyncHttpxTransport:
    """Sends requests with an :class:`httpx.AsyncClient`, under asyncio or trio.

    :param client: an :class:`httpx.AsyncClient` to share (its limits, proxies and
        TLS settings are yours, and it is never closed here); by default the transport
        makes its own, with at most *maxsize* connections, TLS verified and the proxy
        chosen by chump_typed (``proxy=``, or the environment unless *trust_env* is
        false), on first use in the running event loop.
    :param timeout: seconds for connecting and for each read (default 10 s connect,
        30 s read; a number sets both).
    :param deadline: the longest one call may take, retries and waits included.
    :param retries: the most retries of one request, or a
        :class:`~chump_typed.RetryPolicy` (the other retry knobs are its fields, as on
        :class:`~chump_typed.Urllib3Transport`).
    :param max_response_size: the largest decoded answer read, in bytes.
    :param on_retry: called with a :class:`~chump_typed.RetryEvent` before each wait.
    :param sleep: how a retry waits (default :func:`anyio.sleep`).
    """

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float | None = None,
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
        sleep: Callable[[float], Awaitable[object]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if client is not None and not isinstance(client, httpx.AsyncClient):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"client: expected an httpx.AsyncClient, got a {type(client).__name__}"
            )
        if timeout is not None:
            check_seconds("timeout", timeout)
        check_seconds("deadline", deadline)
        self.retries: Final = (
            retries
            if isinstance(retries, RetryPolicy)
            else RetryPolicy(
                retries=retries,
                connect_retries=connect_retries,
                read_retries=read_retries,
                status_retries=status_retries,
                retry_statuses=retry_statuses,
                backoff_floor=backoff_floor,
                backoff_factor=backoff_factor,
                backoff_max=backoff_max,
                max_wait=max_wait,
            )
        )
        check_int_range("max_response_size", max_response_size, low=1)
        check_int_range("maxsize", maxsize, low=1, high=2)
        require_type("trust_env", trust_env, bool)
        if ca_certs is not None:
            require_type("ca_certs", ca_certs, str)
        if ssl_context is not None:
            require_type("ssl_context", ssl_context, ssl.SSLContext)
        for name, hook in (("on_retry", on_retry), ("sleep", sleep), ("clock", clock)):
            if hook is not None and not callable(hook):
                raise TypeError(
                    f"{name}: expected a callable, got a {type(hook).__name__}"
                )
        self.deadline: Final = float(deadline)
        self.max_response_size: Final = max_response_size
        self.trust_env: Final = trust_env
        self._proxy = None if proxy is None else check_proxy("proxy", proxy)
        self.proxy: Final = None if self._proxy is None else self._proxy.url
        self._connect = DEFAULT_CONNECT_TIMEOUT if timeout is None else float(timeout)
        self._read = DEFAULT_READ_TIMEOUT if timeout is None else float(timeout)
        self._verify: ssl.SSLContext | str | bool = ssl_context or ca_certs or True
        self._maxsize = maxsize
        self._shared = client
        self._owned: dict[Proxy | None, httpx.AsyncClient] = {}
        self._loop: object | None = None
        self._on_retry = on_retry
        self._sleep = sleep or anyio.sleep
        self._clock = clock

    # -- Clients -----------------------------------------------------------------------

    def _client_for(self, url: str) -> httpx.AsyncClient:
        loop = _loop_identity()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise RuntimeError(
                "this AsyncHttpxTransport's connections belong to another event loop: "
                "make one transport (and one AsyncClient) per event loop"
            )
        if self._shared is not None:
            return self._shared
        proxy = choose_proxy(url, proxy=self._proxy, trust_env=self.trust_env)
        client = self._owned.get(proxy)
        if client is None:
            if isinstance(self._verify, ssl.SSLContext):
                # Verified whatever the context says, as on every transport.
                self._verify.verify_mode = ssl.CERT_REQUIRED
                self._verify.check_hostname = True
            client = httpx.AsyncClient(
                limits=httpx.Limits(
                    max_connections=self._maxsize,
                    max_keepalive_connections=self._maxsize,
                ),
                verify=self._verify,
                proxy=None if proxy is None else _proxy_url(proxy),
                trust_env=False,  # the proxy is chump_typed's decision, made above
                follow_redirects=False,
            )
            self._owned[proxy] = client
        return client

    # -- Sending -----------------------------------------------------------------------

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as ``retries`` decides, within ``deadline`` seconds.

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        client = self._client_for(request.url)
        deadline = self._clock() + self.deadline
        attempts = Attempts(self.retries, request, self._on_retry)
        while True:
            result = await self._attempt(client, request, deadline - self._clock())
            if isinstance(result, HTTPResponse) and result.status < 500:
                return result
            wait = attempts.next_wait(result, remaining=deadline - self._clock())
            if wait is None:
                break
            if wait > 0:
                await self._sleep(wait)
        if isinstance(result, HTTPResponse):
            return result  # a 5xx not retried (again): decoding reports it
        raise result.error

    async def _attempt(
        self, client: httpx.AsyncClient, request: HTTPRequest, budget: float
    ) -> HTTPResponse | Failure:
        """One attempt within *budget* seconds; failures are returned, not raised, so
        that no httpx exception (whose frames hold the body) is chained to ours."""
        if budget <= 0:
            return self._deadline_passed(request)
        failure: Failure | None = None
        answer: HTTPResponse | None = None
        timeout = httpx.Timeout(
            connect=min(budget, self._connect),
            read=min(budget, self._read),
            write=min(budget, self._read),
            pool=budget,
        )
        with anyio.move_on_after(budget) as scope:
            try:
                async with client.stream(
                    request.method,
                    request.url,
                    content=request.body or None,
                    headers=dict(request.headers),
                    timeout=timeout,
                ) as response:
                    collected = CappedBody(
                        response.headers.get("content-encoding"),
                        self.max_response_size,
                    )
                    try:
                        # aclosing: an answer abandoned half-read must close its
                        # stream now (trio warns about a generator left open).
                        raw_answer = cast(
                            "AsyncGenerator[bytes, None]", response.aiter_raw()
                        )
                        async with contextlib.aclosing(raw_answer) as raw:
                            async for chunk in raw:
                                collected.feed(chunk)
                        body = collected.finish()
                    except (TooLarge, UnreadableEncoding) as exc:
                        start = exc.start if isinstance(exc, TooLarge) else b""
                        failure = Failure(
                            None,
                            self._unreadable(request, response.status_code, exc, start),
                        )
                    else:
                        answer = HTTPResponse(
                            status=response.status_code,
                            headers={k.lower(): v for k, v in response.headers.items()},
                            body=body,
                        )
            except httpx.HTTPError as exc:
                failure = _map_failure(request, exc)
        if scope.cancelled_caught:
            return self._deadline_passed(request)
        if answer is not None:
            return answer
        assert failure is not None
        return failure

    def _unreadable(
        self, request: HTTPRequest, status: int, why: Exception, start: bytes
    ) -> UnexpectedResponseError:
        return UnexpectedResponseError(
            f"{why}; stopped reading the answer to {where(request)}",
            http_status=status,
            body=start,
            may_have_been_sent=request.method != "GET",
        )

    def _deadline_passed(self, request: HTTPRequest) -> Failure:
        return Failure(
            None,
            TransportError(
                f"no complete answer to {where(request)} within the "
                f"{self.deadline:g} s deadline; the request may have reached Pushover",
                may_have_been_sent=True,
            ),
        )

    async def aclose(self) -> None:
        """Close the connections of the clients this transport made (never one it was
        given)."""
        owned, self._owned = self._owned, {}
        for client in owned.values():
            await client.aclose()
        self._loop = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        shared = "" if self._shared is None else ", client=<shared>"
        return (
            f"AsyncHttpxTransport(deadline={self.deadline:g}, retries={self.retries!r}, "
            f"proxy={self.proxy!r}{shared})"
        )


def _proxy_url(proxy: Proxy) -> str | httpx.Proxy:
    if proxy.credentials is None:
        return proxy.url
    user, _, password = proxy.credentials.partition(":")
    return httpx.Proxy(proxy.url, auth=(user, password))


def _map_failure(request: HTTPRequest, cause: httpx.HTTPError) -> Failure:
    """What an httpx failure means for retrying, and the error that reports it."""
    place = where(request)

    def error(text: str, *, may_have_been_sent: bool = False) -> TransportError:
        return TransportError(
            text,
            may_have_been_sent=may_have_been_sent,
            reason_type=type(cause).__name__,
            reason=str(cause)[:300],
        )

    kind = type(cause).__name__
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
        problem = cert_problem(cause)
        if problem is not None:
            return Failure(
                None, error(f"TLS verification failed for {place}: {problem}")
            )
        return Failure(NotConnected(), error(f"could not connect for {place}: {kind}"))
    if isinstance(cause, httpx.ProxyError):
        return Failure(None, error(f"the proxy refused {place}: {kind}"))
    if isinstance(cause, httpx.PoolTimeout):
        return Failure(None, error(f"no free connection for {place}: {kind}"))
    if isinstance(cause, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return Failure(None, error(f"{place} could not be sent: {kind}"))
    return Failure(
        MaybeSent(),
        error(
            f"{place} failed: {kind}; the request may have reached Pushover",
            may_have_been_sent=True,
        ),
    )
