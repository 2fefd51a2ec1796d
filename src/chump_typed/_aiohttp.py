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
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

try:
    import aiohttp
    import anyio
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "AiohttpTransport needs aiohttp and anyio: pip install 'chump_typed[aiohttp]'"
    ) from exc

from chump_typed._body import CappedBody, TooLarge, UnreadableEncoding
from chump_typed._deadline import GRACE
from chump_typed._failure import (
    cert_problem,
    not_connected,
    transport_error,
    unreadable,
    where,
)
from chump_typed._fork import renew_after_fork
from chump_typed._loops import INHERITED, LoopBinding, running_loop
from chump_typed._retry import MaybeSent, NotConnected
from chump_typed._scrub import scrub_public
from chump_typed._transport_base import (
    Attempted,
    Failure,
    KnobsBase,
    Late,
    asend_with_retries,
    check_timeout,
)
from chump_typed.errors import TransportError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

    from chump_typed._transport_base import Knobs

__all__ = ["AiohttpTransport"]

_CHUNK: Final = 64 * 1024
#: aiohttp sends a larger body of bytes in one write, and warns that it may hold up
#: the event loop (an attachment can be 5 MiB): a file-like one is written in parts.
_ONE_WRITE: Final = 1 << 20


def _payload(body: bytes) -> bytes | io.BytesIO | None:
    if not body:
        return None
    return body if len(body) <= _ONE_WRITE else io.BytesIO(body)


class AiohttpTransport(KnobsBase):
    """Sends requests with one pooled :class:`aiohttp.ClientSession` (asyncio only).

    :param sleep: how a retry waits, a coroutine function (default
        :func:`anyio.sleep`).

    It takes the other keyword arguments of :class:`~chump_typed.Urllib3Transport`,
    ``timeout`` as a number of seconds.
    """

    def __init__(
        self,
        *,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        **knobs: Unpack[Knobs],
    ) -> None:
        timeouts = check_timeout(knobs.pop("timeout", None))
        super().__init__(knobs, timeouts=timeouts, sleep=sleep)
        self._sleep = sleep or anyio.sleep
        self._ssl = self._verified_context()
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._binding = LoopBinding(type(self).__name__)
        renew_after_fork(self)

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as its policy decides, within its deadline (the
        request's options, else the transport's ``retries`` and ``deadline``).

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        self._open()
        return await asend_with_retries(
            self._start(request), self._attempt, self._sleep
        )

    def _open(self) -> None:
        """Open the session in the running event loop on first use; the first loop
        binds the transport (:mod:`chump_typed._loops`): any other is refused."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "AiohttpTransport runs under asyncio only (under trio, use "
                "AsyncHttpxTransport)"
            ) from None
        self._binding.bind(loop)
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

    def _after_fork_in_child(self) -> None:
        """Start afresh in a forked child: the session and its connections are the
        parent's (kept, never closed); the child's first loop binds the transport."""
        if self._session is not None:
            INHERITED.append(self._session)
        self._session, self._loop = None, None

    async def _attempt(self, request: HTTPRequest, budget: float) -> Attempted:
        """One attempt, cut off by aiohttp's own timer after *budget* seconds. That
        timer covers the request and the reading of the answer, as an anyio cancel
        scope would, and aiohttp sets one on every request anyway."""
        assert self._session is not None and self._loop is not None  # by _open
        proxied = self._proxy_arguments(request.url)
        ends = self._loop.time() + budget
        try:
            async with self._session.request(
                request.method,
                request.url,
                data=_payload(request.body),
                headers=request.headers,
                allow_redirects=False,
                timeout=self._timer(budget),
                **proxied,
            ) as response:
                try:
                    length, cap = response.content_length, self._cap_for(request)
                    if (
                        length is not None
                        and length <= cap
                        and "content-encoding" not in response.headers
                    ):
                        # A plain answer whose declared length fits is read at once
                        # (aiohttp's parser stops at that length): Pushover's answers
                        # are all such.
                        body = await response.read()
                    else:
                        body = await self._read_capped(response, cap)
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
                return Late()  # the budget's timer, or a read timer at the same time
            return _map_failure(request, exc, proxied=bool(proxied))
        except (aiohttp.ClientError, OSError) as exc:
            return _map_failure(request, exc, proxied=bool(proxied))

    async def _read_capped(self, response: aiohttp.ClientResponse, cap: int) -> bytes:
        """The decoded body, within the *cap*, read in chunks."""
        encoding = response.headers.get("content-encoding")
        collected = CappedBody(encoding, cap)
        async for chunk in response.content.iter_chunked(_CHUNK):
            collected.feed(chunk)
        return collected.finish()

    def _proxy_arguments(self, url: str) -> dict[str, Any]:
        """aiohttp's proxy arguments for *url* (none for a direct connection)."""
        proxy = self._proxy_for(url)
        if proxy is None:
            return {}
        authorization = proxy.authorization()
        if authorization is None:
            return {"proxy": proxy.url}
        return {
            "proxy": proxy.url,
            "proxy_headers": {"Proxy-Authorization": authorization},
        }

    def _timer(self, budget: float) -> aiohttp.ClientTimeout:
        """The whole attempt within *budget* seconds, rounded up to the millisecond
        (an event loop's timer may fire up to its resolution early: the deadline must
        have passed when it does); connect and read timeouts as configured, clipped to
        it (reads to a :data:`~chump_typed._deadline.GRACE` past it: the deadline, not
        a read timeout ending at the same moment, reports a stall). Never rounded up
        to a whole second, as aiohttp does by default."""
        budget = math.ceil(budget * 1000) / 1000
        return aiohttp.ClientTimeout(
            total=budget,
            connect=min(budget, self._connect_timeout),
            sock_read=min(budget + GRACE, self._read_timeout),
            ceil_threshold=math.inf,
        )

    async def aclose(self) -> None:
        """Close the session and its connections, in the loop that opened them; the
        next loop to use the transport binds it afresh."""
        if self._session is not None:
            self._binding.bind(running_loop())  # never another loop's connections
        session, self._session, self._loop = self._session, None, None
        try:
            if session is not None:
                await session.close()
        finally:
            self._binding.release()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


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
