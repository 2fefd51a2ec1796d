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
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, cast

try:
    import anyio  # noqa: F401  # pyright: ignore[reportUnusedImport]  # a missing extra names itself
    import httpx
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "the httpx transports need httpx and anyio: pip install 'chump_typed[httpx]'"
    ) from exc

from chump_typed._async_base import AsyncKnobs, AsyncTransportBase
from chump_typed._body import CappedBody, TooLarge, UnreadableEncoding
from chump_typed._deadline import GRACE
from chump_typed._failure import cert_problem, transport_error, unreadable, where
from chump_typed._proxy import Proxy, choose_proxy
from chump_typed._retry import Failure, MaybeSent, NotConnected
from chump_typed.errors import TransportError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["AsyncHttpxTransport"]


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


class AsyncHttpxTransport(AsyncTransportBase):
    """Sends requests with an :class:`httpx.AsyncClient`, under asyncio or trio.

    :param client: an :class:`httpx.AsyncClient` to share (its limits, proxies and
        TLS settings are yours, and it is never closed here); by default the transport
        makes its own, with at most *maxsize* connections, TLS verified and the proxy
        chosen by chump_typed, on first use in the running event loop.

    Keyword arguments, all optional:

    :param timeout: seconds for connecting and for each read (default 10 s connect,
        30 s read; a number sets both), each clipped to the time left.
    :param deadline: the longest one call may take, retries and waits included
        (default 60 s); a server that trickles its answer is cut off at it.
    :param retries: the most retries of one request (default 3), or a
        :class:`~chump_typed.RetryPolicy` replacing the retry knobs
        (``connect_retries``, ``read_retries``, ``status_retries``,
        ``retry_statuses``, ``backoff_floor``, ``backoff_factor``, ``backoff_max``,
        ``max_wait``: as on :class:`~chump_typed.Urllib3Transport`).
    :param max_response_size: the largest decoded answer read, in bytes (1 MiB).
    :param proxy: the proxy to go through; by default the environment decides
        (``trust_env=False`` ignores it); loopback is never proxied.
    :param ca_certs: a CA bundle to verify servers against.
    :param ssl_context: a client :class:`ssl.SSLContext`; certificates are verified
        whatever it says.
    :param maxsize: connections open at once, 1 or 2 (Pushover allows 2).
    :param on_retry: called with a :class:`~chump_typed.RetryEvent` before each wait.
    :param sleep: how a retry waits (default :func:`anyio.sleep`).
    :param clock: the monotonic clock of the deadline.
    """

    def __init__(
        self, *, client: httpx.AsyncClient | None = None, **knobs: Unpack[AsyncKnobs]
    ) -> None:
        if client is not None and not isinstance(client, httpx.AsyncClient):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"client: expected an httpx.AsyncClient, got a {type(client).__name__}"
            )
        super().__init__(**knobs)
        verify: ssl.SSLContext | str | bool = (
            self._ssl_context or self._ca_certs or True
        )
        if isinstance(verify, ssl.SSLContext):
            # Verified whatever the context says, as on every transport.
            verify.verify_mode = ssl.CERT_REQUIRED
            verify.check_hostname = True
        self._verify = verify
        self._shared = client
        self._owned: dict[Proxy | None, httpx.AsyncClient] = {}
        self._loop: object | None = None

    async def _prepare(self, request: HTTPRequest) -> None:
        loop = _loop_identity()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise RuntimeError(
                "this AsyncHttpxTransport's connections belong to another event loop: "
                "make one transport (and one AsyncClient) per event loop"
            )

    def _client_for(self, url: str) -> httpx.AsyncClient:
        if self._shared is not None:
            return self._shared
        proxy = choose_proxy(url, proxy=self._proxy, trust_env=self.trust_env)
        client = self._owned.get(proxy)
        if client is None:
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

    async def _attempt(
        self, request: HTTPRequest, budget: float
    ) -> HTTPResponse | Failure:
        timeout = httpx.Timeout(
            connect=min(budget, self._connect),
            read=min(budget + GRACE, self._read),
            write=min(budget + GRACE, self._read),
            pool=budget,
        )
        try:
            async with self._client_for(request.url).stream(
                request.method,
                request.url,
                content=request.body or None,
                headers=dict(request.headers),
                timeout=timeout,
            ) as response:
                collected = CappedBody(
                    response.headers.get("content-encoding"), self.max_response_size
                )
                try:
                    # aclosing: an answer abandoned half-read must close its stream
                    # now (trio warns about a generator left open).
                    raw_answer = cast(
                        "AsyncGenerator[bytes, None]", response.aiter_raw()
                    )
                    async with contextlib.aclosing(raw_answer) as raw:
                        async for chunk in raw:
                            collected.feed(chunk)
                    body = collected.finish()
                except (TooLarge, UnreadableEncoding) as exc:
                    start = exc.start if isinstance(exc, TooLarge) else b""
                    return Failure(
                        None,
                        unreadable(request, response.status_code, exc, start),
                    )
                return HTTPResponse(
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=body,
                )
        except httpx.HTTPError as exc:
            return _map_failure(request, exc)

    async def aclose(self) -> None:
        """Close the connections of the clients this transport made (never one it was
        given)."""
        owned, self._owned = self._owned, {}
        for client in owned.values():
            await client.aclose()
        self._loop = None

    def __repr__(self) -> str:
        shared = "" if self._shared is None else " (a shared httpx client)"
        return super().__repr__() + shared


def _proxy_url(proxy: Proxy) -> str | httpx.Proxy:
    if proxy.credentials is None:
        return proxy.url
    user, _, password = proxy.credentials.partition(":")
    return httpx.Proxy(proxy.url, auth=(user, password))


def _map_failure(request: HTTPRequest, cause: httpx.HTTPError) -> Failure:
    """What an httpx failure means for retrying, and the error that reports it."""
    place = where(request)

    def error(text: str, *, may_have_been_sent: bool = False) -> TransportError:
        return transport_error(text, cause, may_have_been_sent=may_have_been_sent)

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
