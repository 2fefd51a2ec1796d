"""The aiohttp transport: :class:`AiohttpTransport`, the default of
:class:`~chump_typed.AsyncClient` on asyncio.

This is the only module that imports aiohttp (extra ``chump_typed[aiohttp]``). One
``aiohttp.ClientSession`` with at most two keep-alive connections, made on first use in
the running event loop; TLS verified; aiohttp's own reading of the environment and its
decompression are off: the proxy is chump_typed's decision and the answer is decoded,
within the cap, by :mod:`chump_typed._body`. Each attempt runs under aiohttp's own timer
for the time the deadline leaves.
"""

from __future__ import annotations

import asyncio
import io
import math
import ssl
from typing import TYPE_CHECKING, Any, Final

try:
    import aiohttp
    import anyio  # noqa: F401  # pyright: ignore[reportUnusedImport]  # a missing extra names itself
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "AiohttpTransport needs aiohttp and anyio: pip install 'chump_typed[aiohttp]'"
    ) from exc

from chump_typed._async_base import AsyncKnobs, AsyncTransportBase
from chump_typed._body import CappedBody, TooLarge, UnreadableEncoding
from chump_typed._deadline import GRACE
from chump_typed._failure import (
    cert_problem,
    not_connected,
    transport_error,
    unreadable,
    where,
)
from chump_typed._proxy import choose_proxy
from chump_typed._retry import Failure, MaybeSent, NotConnected
from chump_typed._scrub import scrub_public
from chump_typed.errors import TransportError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["AiohttpTransport"]

_CHUNK: Final = 64 * 1024
#: aiohttp sends a larger body of bytes in one write, and warns that it may hold up
#: the event loop (an attachment can be 5 MiB): a file-like one is written in parts.
_ONE_WRITE: Final = 1 << 20


#: Bounds on the two small caches (URLs' proxy arguments, attempts' timers).
_ROUTES_KEPT: Final = 64
_TIMEOUTS_KEPT: Final = 16


def _payload(body: bytes) -> bytes | io.BytesIO | None:
    if not body:
        return None
    return body if len(body) <= _ONE_WRITE else io.BytesIO(body)


class AiohttpTransport(AsyncTransportBase):
    """Sends requests with one pooled :class:`aiohttp.ClientSession` (asyncio only).

    It takes the keyword arguments of :class:`~chump_typed.AsyncHttpxTransport` but
    ``client``.
    """

    def __init__(self, **knobs: Unpack[AsyncKnobs]) -> None:
        super().__init__(**knobs)
        context = self._ssl_context or ssl.create_default_context(cafile=self._ca_certs)
        # Verified whatever the context says, as on every transport.
        context.verify_mode = ssl.CERT_REQUIRED
        context.check_hostname = True
        self._ssl = context
        self._session: aiohttp.ClientSession | None = None
        #: The proxy arguments by URL: decided on first use of an origin, as
        #: urllib3's routes (a client sends to a handful of URLs, over and over).
        self._routes: dict[str, dict[str, Any]] = {}
        #: Each attempt's timer by budget (in whole milliseconds, rounded up): the
        #: first attempt of every call has the same one.
        self._timeouts: dict[int, aiohttp.ClientTimeout] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _prepare(self, request: HTTPRequest) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "AiohttpTransport runs under asyncio only (under trio, use "
                "AsyncHttpxTransport)"
            ) from None
        if self._session is None:
            self._loop = loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._maxsize, ssl=self._ssl),
                trust_env=False,  # the proxy is chump_typed's decision
                cookie_jar=aiohttp.DummyCookieJar(),  # Pushover sets no cookies
                auto_decompress=False,  # the answer is decoded within the cap
            )
            # aiohttp resends a GET once, on its own, when a reused connection breaks:
            # the retry policy alone decides what is resent (aiohttp's test client
            # turns this off the same way; there is no public switch).
            self._session._retry_connection = False  # pyright: ignore[reportPrivateUsage]
        elif loop is not self._loop:
            raise RuntimeError(
                "this AiohttpTransport's session belongs to another event loop: make "
                "one transport (and one AsyncClient) per event loop"
            )

    async def _attempt_within(
        self, request: HTTPRequest, budget: float
    ) -> HTTPResponse | Failure | None:
        """One attempt, cut off by aiohttp's own timer after *budget* seconds (``None``:
        it was). That timer covers the request and the reading of the answer, as an
        anyio cancel scope would, and aiohttp sets one on every request anyway: a
        scope on top of it cost a tenth of a bare call."""
        assert self._session is not None and self._loop is not None  # by _prepare
        proxied = self._route(request.url)
        ends = self._loop.time() + budget
        try:
            async with self._session.request(
                request.method,
                request.url,
                data=_payload(request.body),
                headers=request.headers,
                allow_redirects=False,
                timeout=self._timeout_within(budget),
                **proxied,
            ) as response:
                try:
                    length = response.content_length
                    if (
                        length is not None
                        and length <= self.max_response_size
                        and "content-encoding" not in response.headers
                    ):
                        # A plain answer whose declared length fits is read at once
                        # (aiohttp's parser stops at that length): Pushover's answers
                        # are all such.
                        body = await response.read()
                    else:
                        body = await self._read_capped(response)
                except (TooLarge, UnreadableEncoding) as exc:
                    response.close()  # never reuse a connection left mid-answer
                    start = exc.start if isinstance(exc, TooLarge) else b""
                    return Failure(
                        None, unreadable(request, response.status, exc, start)
                    )
                return HTTPResponse(
                    status=response.status,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=body,
                )
        except asyncio.TimeoutError as exc:
            if self._loop.time() >= ends:
                return None  # the budget's timer, or a read timer at the same time
            return _map_failure(request, exc, proxied=bool(proxied))
        except (aiohttp.ClientError, OSError) as exc:
            return _map_failure(request, exc, proxied=bool(proxied))

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        """The decoded body, within the cap, read in chunks."""
        encoding = response.headers.get("content-encoding")
        collected = CappedBody(encoding, self.max_response_size)
        async for chunk in response.content.iter_chunked(_CHUNK):
            collected.feed(chunk)
        return collected.finish()

    def _route(self, url: str) -> dict[str, Any]:
        """The proxy arguments for *url*, decided once per origin (every request of
        a client goes to the same one, and asking the environment costs as much as
        the rest of our work on a call) and remembered by URL."""
        proxied = self._routes.get(url)
        if proxied is not None:
            return proxied
        scheme, _, rest = url.partition("://")
        origin = f"{scheme}://{rest.partition('/')[0]}"
        proxied = self._routes.get(origin)
        if proxied is None:
            proxy = choose_proxy(origin, proxy=self._proxy, trust_env=self.trust_env)
            proxied = {}
            if proxy is not None:
                proxied["proxy"] = proxy.url
                authorization = proxy.authorization()
                if authorization is not None:
                    proxied["proxy_headers"] = {"Proxy-Authorization": authorization}
            self._routes[origin] = proxied
        if len(self._routes) < _ROUTES_KEPT:
            self._routes[url] = proxied
        return proxied

    def _timeout_within(self, budget: float) -> aiohttp.ClientTimeout:
        """The whole attempt within *budget* seconds, rounded up to the millisecond
        (the event loop's timers are no finer); connect and read timeouts as
        configured, clipped to it (reads to a :data:`~chump_typed._deadline.GRACE`
        past it: the deadline, not a read timeout ending at the same moment, reports a
        stall). Never rounded up to a whole second, as aiohttp does by default."""
        key = math.ceil(budget * 1000)
        timeout = self._timeouts.get(key)
        if timeout is None:
            budget = key / 1000
            timeout = aiohttp.ClientTimeout(
                total=budget,
                connect=min(budget, self._connect),
                sock_read=min(budget + GRACE, self._read),
                ceil_threshold=math.inf,
            )
            if len(self._timeouts) >= _TIMEOUTS_KEPT:
                self._timeouts.clear()  # retries' budgets: each seen once
            self._timeouts[key] = timeout
        return timeout

    async def aclose(self) -> None:
        """Close the session and its connections."""
        session, self._session, self._loop = self._session, None, None
        if session is not None:
            await session.close()


def _map_failure(
    request: HTTPRequest, cause: BaseException, *, proxied: bool
) -> Failure:
    """What an aiohttp failure means for retrying, and the error that reports it."""
    place = where(request)
    first_hop = "to the proxy " if proxied else ""

    def error(text: str, *, may_have_been_sent: bool = False) -> TransportError:
        return transport_error(text, cause, may_have_been_sent=may_have_been_sent)

    kind = type(cause).__name__
    if isinstance(cause, aiohttp.ClientConnectorCertificateError):
        problem = cert_problem(cause.certificate_error) or "certificate verify failed"
        return Failure(None, error(f"TLS verification failed for {place}: {problem}"))
    if isinstance(
        cause, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
    ):
        # Proxy connection failures are ClientConnectorErrors too, and a connect timer
        # runs out before the request is written: nothing was sent.
        return Failure(
            NotConnected(),
            error(not_connected(f"could not connect {first_hop}for {place}", cause)),
        )
    if isinstance(cause, aiohttp.ClientHttpProxyError):
        return Failure(None, error(f"the proxy refused {place}: {kind}"))
    if isinstance(cause, aiohttp.InvalidURL):
        return Failure(None, error(f"{place} could not be sent: {kind}"))
    return Failure(
        MaybeSent(),
        error(
            f"{place} failed: {kind}; the request may have reached Pushover",
            may_have_been_sent=True,
        ),
    )


scrub_public(globals())
