"""What the async transports share: their knobs, the retry loop around one attempt,
and the errors for an answer that is unreadable or late.

Each transport (:mod:`chump_typed._httpx`, :mod:`chump_typed._aiohttp`) only says how
one attempt is made with its library, within a budget of seconds; the deadline, the
retry policy and the reporting are here, once.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Final, TypedDict

import anyio

from chump_typed._body import DEFAULT_MAX_RESPONSE
from chump_typed._checks import (
    check_ca_certs,
    check_int_range,
    check_seconds,
    require_type,
)
from chump_typed._failure import late
from chump_typed._proxy import check_proxy
from chump_typed._retry import (
    DEFAULT_BACKOFF_FLOOR,
    DEFAULT_MAX_WAIT,
    DEFAULT_RETRY_STATUSES,
    Attempts,
    Failure,
    RetryEvent,
    RetryPolicy,
    policy_from,
)
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AsyncKnobs", "AsyncTransportBase"]

#: Connect and read timeouts, in seconds (each clipped to the time left).
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_READ_TIMEOUT: Final = 30.0
#: The longest one call may take, retries and their waits included, in seconds.
DEFAULT_DEADLINE: Final = 60.0


class AsyncKnobs(TypedDict, total=False):
    """The keyword arguments every async transport takes (see
    :class:`AsyncTransportBase`)."""

    timeout: float | None
    deadline: float
    retries: RetryPolicy | int
    connect_retries: int
    read_retries: int
    status_retries: int
    retry_statuses: Collection[int]
    backoff_floor: float
    backoff_factor: float
    backoff_max: float
    max_wait: float
    max_response_size: int
    proxy: str | None
    trust_env: bool
    ca_certs: str | None
    ssl_context: ssl.SSLContext | None
    maxsize: int
    on_retry: Callable[[RetryEvent], object] | None
    sleep: Callable[[float], Awaitable[object]] | None
    clock: Callable[[], float]


class AsyncTransportBase:
    """The knobs and the retry loop of the async transports (documented on
    :class:`~chump_typed.AsyncHttpxTransport`)."""

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
        self.retries: Final = policy_from(
            retries,
            connect_retries=connect_retries,
            read_retries=read_retries,
            status_retries=status_retries,
            retry_statuses=retry_statuses,
            backoff_floor=backoff_floor,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            max_wait=max_wait,
        )
        check_int_range("max_response_size", max_response_size, low=1)
        check_int_range("maxsize", maxsize, low=1, high=2)
        require_type("trust_env", trust_env, bool)
        if ca_certs is not None:
            check_ca_certs("ca_certs", ca_certs)
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
        #: The proxy given, without its credentials.
        self.proxy: Final = None if self._proxy is None else self._proxy.url
        self._connect = DEFAULT_CONNECT_TIMEOUT if timeout is None else float(timeout)
        self._read = DEFAULT_READ_TIMEOUT if timeout is None else float(timeout)
        self._ca_certs = ca_certs
        self._ssl_context = ssl_context
        self._maxsize = maxsize
        self._on_retry = on_retry
        self._sleep = sleep or anyio.sleep
        self._clock = clock

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as ``retries`` decides, within ``deadline`` seconds.

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        await self._prepare(request)
        deadline = self._clock() + self.deadline
        attempts = Attempts(self.retries, request, self._on_retry)
        while True:
            budget = deadline - self._clock()
            answer: HTTPResponse | Failure | None = None
            if budget > 0:
                with anyio.move_on_after(budget):
                    answer = await self._attempt(request, budget)
            # No answer: the deadline passed, before or during the attempt.
            result = self._deadline_passed(request) if answer is None else answer
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

    async def _prepare(self, request: HTTPRequest) -> None:
        """Get ready to send *request* (open a session, check the event loop)."""

    async def _attempt(
        self, request: HTTPRequest, budget: float
    ) -> HTTPResponse | Failure:
        """One attempt within *budget* seconds (the caller enforces it); failures are
        returned, not raised, so that no library exception is chained to ours."""
        raise NotImplementedError

    def _deadline_passed(self, request: HTTPRequest) -> Failure:
        return Failure(None, late(request, self.deadline))

    async def aclose(self) -> None:
        """Release the connections."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(deadline={self.deadline:g}, "
            f"retries={self.retries!r}, proxy={self.proxy!r})"
        )
