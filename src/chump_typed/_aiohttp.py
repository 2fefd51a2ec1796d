"""The aiohttp transport: :class:`AiohttpTransport`, the default of
:class:`~chump_typed.AsyncClient` on asyncio.

This is the only module that imports aiohttp (extra ``chump_typed[aiohttp]``). One
``aiohttp.ClientSession`` with at most two keep-alive connections, made on first use in
the running event loop; TLS verified; aiohttp's own reading of the environment and its
decompression are off: the proxy is chump_typed's decision and the answer is decoded,
within the cap, by :mod:`chump_typed._body`. The deadline is an anyio cancel scope.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Final

try:
    import aiohttp
    import anyio
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "AiohttpTransport needs aiohttp and anyio: pip install 'chump_typed[aiohttp]'"
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
from chump_typed.errors import TransportError, UnexpectedResponseError, ValidationError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AiohttpTransport"]

#: Connect and read timeouts, in seconds (each clipped to the time left).
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_READ_TIMEOUT: Final = 30.0
#: The longest one call may take, retries and their waits included, in seconds.
DEFAULT_DEADLINE: Final = 60.0
_CHUNK: Final = 64 * 1024


class AiohttpTransport:
    """Sends requests with one pooled :class:`aiohttp.ClientSession` (asyncio only).

    The keyword arguments are those of :class:`~chump_typed.AsyncHttpxTransport`
    (less ``client``): ``timeout``, ``deadline``, the retry knobs or a
    :class:`~chump_typed.RetryPolicy`, ``max_response_size``, ``proxy``,
    ``trust_env``, ``ca_certs``, ``ssl_context``, ``maxsize`` (1 or 2), ``on_retry``,
    ``sleep`` and ``clock``.
    """

    def __init__(
        self,
        *,
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
        for name, hook in (("on_retry", on_retry), ("sleep", sleep), ("clock", clock)):
            if hook is not None and not callable(hook):
                raise TypeError(
                    f"{name}: expected a callable, got a {type(hook).__name__}"
                )
        if ca_certs is not None:
            require_type("ca_certs", ca_certs, str)
            if "\x00" in ca_certs or not os.path.isfile(ca_certs):
                raise ValidationError("ca_certs", "must name an existing file")
        if ssl_context is None:
            ssl_context = ssl.create_default_context(cafile=ca_certs)
        else:
            require_type("ssl_context", ssl_context, ssl.SSLContext)
        # Verified whatever the context says, as on every transport.
        ssl_context.verify_mode = ssl.CERT_REQUIRED
        ssl_context.check_hostname = True
        self.deadline: Final = float(deadline)
        self.max_response_size: Final = max_response_size
        self.trust_env: Final = trust_env
        self._proxy = None if proxy is None else check_proxy("proxy", proxy)
        self.proxy: Final = None if self._proxy is None else self._proxy.url
        self._connect = DEFAULT_CONNECT_TIMEOUT if timeout is None else float(timeout)
        self._read = DEFAULT_READ_TIMEOUT if timeout is None else float(timeout)
        self._ssl = ssl_context
        self._maxsize = maxsize
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_retry = on_retry
        self._sleep = sleep or anyio.sleep
        self._clock = clock

    def _session_now(self) -> aiohttp.ClientSession:
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
                auto_decompress=False,  # the answer is decoded within the cap
            )
        elif loop is not self._loop:
            raise RuntimeError(
                "this AiohttpTransport's session belongs to another event loop: make "
                "one transport (and one AsyncClient) per event loop"
            )
        return self._session

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as ``retries`` decides, within ``deadline`` seconds.

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        session = self._session_now()
        proxy = choose_proxy(request.url, proxy=self._proxy, trust_env=self.trust_env)
        deadline = self._clock() + self.deadline
        attempts = Attempts(self.retries, request, self._on_retry)
        while True:
            budget = deadline - self._clock()
            result = await self._attempt(session, request, proxy, budget)
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
        self,
        session: aiohttp.ClientSession,
        request: HTTPRequest,
        proxy: Proxy | None,
        budget: float,
    ) -> HTTPResponse | Failure:
        """One attempt within *budget* seconds; failures are returned, not raised, so
        that no aiohttp exception is chained to ours."""
        if budget <= 0:
            return self._deadline_passed(request)
        failure: Failure | None = None
        answer: HTTPResponse | None = None
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=min(budget, self._connect),
            sock_read=min(budget, self._read),
        )
        auth = None
        if proxy is not None and proxy.credentials is not None:
            user, _, password = proxy.credentials.partition(":")
            auth = aiohttp.BasicAuth(user, password)
        with anyio.move_on_after(budget) as scope:
            try:
                async with session.request(
                    request.method,
                    request.url,
                    data=request.body or None,
                    headers=dict(request.headers),
                    proxy=None if proxy is None else proxy.url,
                    proxy_auth=auth,
                    allow_redirects=False,
                    timeout=timeout,
                ) as response:
                    collected = CappedBody(
                        response.headers.get("content-encoding"),
                        self.max_response_size,
                    )
                    try:
                        async for chunk in response.content.iter_chunked(_CHUNK):
                            collected.feed(chunk)
                        body = collected.finish()
                    except (TooLarge, UnreadableEncoding) as exc:
                        response.close()  # never reuse a connection left mid-answer
                        start = exc.start if isinstance(exc, TooLarge) else b""
                        failure = Failure(
                            None, self._unreadable(request, response.status, exc, start)
                        )
                    else:
                        answer = HTTPResponse(
                            status=response.status,
                            headers={k.lower(): v for k, v in response.headers.items()},
                            body=body,
                        )
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
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
        """Close the session and its connections."""
        session, self._session, self._loop = self._session, None, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"AiohttpTransport(deadline={self.deadline:g}, retries={self.retries!r}, "
            f"proxy={self.proxy!r})"
        )


def _map_failure(request: HTTPRequest, cause: BaseException) -> Failure:
    """What an aiohttp failure means for retrying, and the error that reports it."""
    place = where(request)

    def error(text: str, *, may_have_been_sent: bool = False) -> TransportError:
        return TransportError(
            text,
            may_have_been_sent=may_have_been_sent,
            reason_type=type(cause).__name__,
            reason=str(cause)[:300],
        )

    kind = type(cause).__name__
    if isinstance(cause, aiohttp.ClientConnectorCertificateError):
        problem = cert_problem(cause.certificate_error) or "certificate verify failed"
        return Failure(None, error(f"TLS verification failed for {place}: {problem}"))
    if isinstance(cause, aiohttp.ClientConnectorError):
        # Proxy connection failures are ClientConnectorErrors too: nothing was sent.
        return Failure(NotConnected(), error(f"could not connect for {place}: {kind}"))
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
