"""What every transport built on the shared knobs has in common: the keyword arguments
(checked here, once), and the sync retry loop around one attempt.

:class:`~chump_typed.Urllib3Transport` keeps its own constructor (it also takes a
:class:`urllib3.Timeout`) but shares the loop (:func:`send_with_retries`); the httpx and aiohttp transports take
these knobs as they are. Each transport then only says how one attempt is made with its
library, within a budget of seconds.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Final, TypedDict

from chump_typed._body import DEFAULT_MAX_RESPONSE
from chump_typed._checks import (
    check_ca_certs,
    check_int_range,
    check_seconds,
    require_type,
)
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

__all__ = [
    "AsyncKnobs",
    "CommonKnobs",
    "KnobsBase",
    "SyncKnobs",
    "check_hooks",
    "send_with_retries",
]

#: Connect and read timeouts, in seconds (each clipped to the time left).
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_READ_TIMEOUT: Final = 30.0
#: The longest one call may take, retries and their waits included, in seconds.
DEFAULT_DEADLINE: Final = 60.0


class CommonKnobs(TypedDict, total=False):
    """The keyword arguments every transport takes but ``sleep``."""

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
    clock: Callable[[], float]


class SyncKnobs(CommonKnobs, total=False):
    """The keyword arguments of :class:`~chump_typed.HttpxTransport`."""

    sleep: Callable[[float], object] | None


class AsyncKnobs(CommonKnobs, total=False):
    """The keyword arguments every async transport takes."""

    sleep: Callable[[float], Awaitable[object]] | None


def check_hooks(**hooks: object) -> None:
    """Refuse a hook that cannot be called, naming it."""
    for name, hook in hooks.items():
        if hook is not None and not callable(hook):
            raise TypeError(f"{name}: expected a callable, got a {type(hook).__name__}")


class KnobsBase:
    """Checks and keeps the knobs (documented on :class:`~chump_typed.HttpxTransport`)."""

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
        sleep: object = None,
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
        check_hooks(on_retry=on_retry, sleep=sleep, clock=clock)
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
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(deadline={self.deadline:g}, "
            f"retries={self.retries!r}, proxy={self.proxy!r})"
        )


def send_with_retries(
    request: HTTPRequest,
    attempt: Callable[[HTTPRequest, float], HTTPResponse | Failure],
    *,
    policy: RetryPolicy,
    deadline: float,
    on_retry: Callable[[RetryEvent], object] | None,
    sleep: Callable[[float], object],
    clock: Callable[[], float],
) -> HTTPResponse:
    """The sync retry loop: *attempt* (given the seconds left) until an answer below
    500 arrives or *policy* stops, all within *deadline* seconds.

    :raises TransportError: no response arrived in time.
    :raises UnexpectedResponseError: the answer was too large or unreadable.
    """
    ends = clock() + deadline
    attempts = Attempts(policy, request, on_retry)
    while True:
        result = attempt(request, ends - clock())
        if isinstance(result, HTTPResponse) and result.status < 500:
            return result
        wait = attempts.next_wait(result, remaining=ends - clock())
        if wait is None:
            break
        if wait > 0:
            sleep(wait)
    if isinstance(result, HTTPResponse):
        return result  # a 5xx not retried (again): decoding reports it
    raise result.error
