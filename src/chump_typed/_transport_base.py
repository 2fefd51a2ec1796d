"""What every transport has in common: its keyword arguments (declared and checked
here, once), one call's settings and attempts (:class:`Call`), and the retry loop
around one attempt, once per colour (:func:`send_with_retries`,
:func:`asend_with_retries`).

Each transport only says how one attempt is made with its library within a budget of
seconds: an answer, a :class:`Failure`, or :class:`Late` when the budget ran out. The
call turns lateness into the error, so that it names the call's deadline, which a
request's :class:`~chump_typed.protocol.SendOptions` may have set.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypedDict

import attrs

from chump_typed._body import DEFAULT_MAX_RESPONSE
from chump_typed._checks import (
    check_ca_certs,
    check_int_range,
    check_seconds,
    require_type,
)
from chump_typed._failure import late
from chump_typed._proxy import Proxy, check_proxy, choose_proxy
from chump_typed._redact import redact_url
from chump_typed._retry import (
    Answered,
    MaybeSent,
    NotConnected,
    RetryEvent,
    RetryPolicy,
    RetryStop,
    policy_from,
)
from chump_typed.protocol import HTTPRequest, HTTPResponse

__all__ = [
    "RETRY_LOGGER",
    "Call",
    "CommonKnobs",
    "Failure",
    "Knobs",
    "KnobsBase",
    "Late",
    "asend_with_retries",
    "check_hooks",
    "check_timeout",
    "send_with_retries",
]

#: Where each retry a transport decides is logged, at WARNING (a logger of its own, so
#: that a program that says it otherwise, as the command line does, can silence it).
RETRY_LOGGER: Final = "chump_typed.retry"
_logger: Final = logging.getLogger(RETRY_LOGGER)

#: The most origins a transport keeps its proxy decision for.
MAX_ORIGINS: Final = 16

#: Connect and read timeouts, in seconds (each clipped to the time left).
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_READ_TIMEOUT: Final = 30.0
#: The longest one call may take, retries and their waits included, in seconds.
DEFAULT_DEADLINE: Final = 60.0

#: The retry knobs transports took before :class:`RetryPolicy` held them.
_RETIRED: Final = frozenset(
    {
        "connect_retries",
        "read_retries",
        "status_retries",
        "retry_statuses",
        "backoff_floor",
        "backoff_factor",
        "backoff_max",
        "max_wait",
    }
)


class CommonKnobs(TypedDict, total=False):
    """The keyword arguments every transport takes alike (documented on
    :class:`~chump_typed.Urllib3Transport`)."""

    deadline: float
    retries: RetryPolicy | int
    max_response_size: int
    proxy: str | None
    trust_env: bool
    ca_certs: str | None
    ssl_context: ssl.SSLContext | None
    maxsize: int
    on_retry: Callable[[RetryEvent], object] | None
    clock: Callable[[], float]


class Knobs(CommonKnobs, total=False):
    """With the timeout in seconds: the httpx and aiohttp transports' keyword
    arguments (``sleep`` and ``client`` aside). Urllib3Transport's ``timeout`` also
    takes a :class:`urllib3.Timeout`, so it declares its own."""

    timeout: float | None


def check_hooks(**hooks: object) -> None:
    """Refuse a hook that cannot be called, naming it."""
    for name, hook in hooks.items():
        if hook is not None and not callable(hook):
            raise TypeError(f"{name}: expected a callable, got a {type(hook).__name__}")


def check_timeout(value: object) -> tuple[float, float]:
    """The connect and read timeouts a ``timeout=`` number sets (``None``: the
    defaults, 10 and 30 s)."""
    if value is None:
        return DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
    check_seconds("timeout", value)
    return float(value), float(value)  # type: ignore[arg-type]  # checked: a number


def _refuse_unknown(owner: str, knobs: CommonKnobs) -> None:
    """A keyword the transports do not take is a TypeError, as for any function (the
    ``**knobs`` of the signatures would accept it silently)."""
    for name in sorted(knobs.keys() - CommonKnobs.__optional_keys__):
        if name in _RETIRED:
            raise TypeError(
                f"{name}: the retry knobs live on RetryPolicy: pass "
                f"retries=RetryPolicy({name}=...)"
            )
        raise TypeError(f"{owner}() got an unexpected keyword argument {name!r}")


def split_origin(url: str) -> tuple[str, str]:
    """*url*'s origin (``scheme://host:port``) and the rest, its path and query (the
    request target without its leading ``/``): cheaper than a URL parse, and enough
    for a URL the client built (checked when the client was made)."""
    scheme, _, rest = url.partition("://")
    netloc, _, target = rest.partition("/")
    return f"{scheme}://{netloc}", target


class KnobsBase:
    """Checks and keeps the knobs every transport takes. *timeouts* are the connect
    and read timeouts, already checked (each transport reads its ``timeout``)."""

    def __init__(
        self, knobs: CommonKnobs, *, timeouts: tuple[float, float], sleep: object
    ) -> None:
        _refuse_unknown(type(self).__name__, knobs)
        deadline = knobs.get("deadline", DEFAULT_DEADLINE)
        check_seconds("deadline", deadline)
        max_response_size = knobs.get("max_response_size", DEFAULT_MAX_RESPONSE)
        check_int_range("max_response_size", max_response_size, low=1)
        maxsize = knobs.get("maxsize", 2)
        check_int_range("maxsize", maxsize, low=1, high=2)
        trust_env = knobs.get("trust_env", True)
        require_type("trust_env", trust_env, bool)
        ca_certs = knobs.get("ca_certs")
        if ca_certs is not None:
            check_ca_certs("ca_certs", ca_certs)
        ssl_context = knobs.get("ssl_context")
        if ssl_context is not None:
            require_type("ssl_context", ssl_context, ssl.SSLContext)
        on_retry = knobs.get("on_retry")
        clock = knobs.get("clock", time.monotonic)
        check_hooks(on_retry=on_retry, sleep=sleep, clock=clock)
        proxy = knobs.get("proxy")
        self._proxy = None if proxy is None else check_proxy("proxy", proxy)

        #: The longest one call may take, in seconds, unless its request says less
        #: or more (:class:`~chump_typed.protocol.SendOptions`).
        self.deadline: Final = float(deadline)
        #: What is retried, and when, unless a request says otherwise.
        self.retries: Final = policy_from(knobs.get("retries", 3))
        self.max_response_size: Final = max_response_size
        self.trust_env: Final = trust_env
        #: The proxy given, without its credentials (``None``: the environment
        #: decides, unless *trust_env* is false).
        self.proxy: Final = None if self._proxy is None else self._proxy.url
        self._connect_timeout, self._read_timeout = timeouts
        self._ca_certs = ca_certs
        self._ssl_context = ssl_context
        self._maxsize = maxsize
        self._on_retry = on_retry
        self._clock = clock
        self._proxies: dict[str, Proxy | None] = {}

    def _verified_context(self) -> ssl.SSLContext:
        """The context given, or one trusting the CA bundle given (else the system's
        store), made to verify whatever it said, as on every transport."""
        context = self._ssl_context or ssl.create_default_context(cafile=self._ca_certs)
        context.verify_mode = ssl.CERT_REQUIRED
        context.check_hostname = True
        return context

    def _proxy_for(self, url: str) -> Proxy | None:
        """The proxy *url* goes through (:func:`~chump_typed._proxy.choose_proxy`),
        decided on this transport's first call to *url*'s origin and kept for it, as
        httpx reads the environment once, when its client is made: reading the proxy
        variables scans the whole environment, 30 to 90 us on every call otherwise
        (about a tenth of a send's CPU). A transport talks to one or two origins; past
        :data:`MAX_ORIGINS` it starts its list afresh."""
        origin, _ = split_origin(url)
        try:
            return self._proxies[origin]
        except KeyError:
            pass
        if len(self._proxies) >= MAX_ORIGINS:
            self._proxies.clear()
        chosen = self._proxies[origin] = choose_proxy(
            origin, proxy=self._proxy, trust_env=self.trust_env
        )
        return chosen

    def _cap_for(self, request: HTTPRequest) -> int:
        """The largest decoded answer read for *request*: its options' cap when they
        set one (a row with larger answers), else the transport's."""
        options = request.options
        if options is None or options.max_response_size is None:
            return self.max_response_size
        return options.max_response_size

    def _start(self, request: HTTPRequest) -> Call:
        """The call that sends *request*: its deadline and retry policy are those its
        options set, else the transport's."""
        deadline, policy = self.deadline, self.retries
        options = request.options
        if options is not None:
            deadline = deadline if options.deadline is None else options.deadline
            policy = policy if options.retries is None else options.retries
        return Call(
            request=request,
            deadline=deadline,
            ends=self._clock() + deadline,
            clock=self._clock,
            policy=policy,
            on_retry=self._on_retry,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(deadline={self.deadline:g}, "
            f"retries={self.retries!r}, proxy={self.proxy!r})"
        )


@attrs.frozen
class Failure:
    """An attempt that got no usable answer: what the policy is told (``None`` when
    retrying cannot help) and the error to raise if it says stop."""

    outcome: NotConnected | MaybeSent | Answered | None
    error: Exception


@attrs.frozen
class Late:
    """An attempt the call's deadline cut off: while the request was being sent or
    answered (*sending*), or before it could be sent."""

    sending: bool = True


#: No time was left to start an attempt.
_NO_TIME: Final = Late(sending=False)

#: What one attempt gives the loop.
Attempted = HTTPResponse | Failure | Late


@attrs.define(kw_only=True)
class Call:
    """One call in progress: its request, its deadline (seconds, and when it ends on
    the transport's clock), its retry policy and its failed attempts so far. It asks
    the policy after each failure, and reports each retry it decides (a WARNING
    record of the ``chump_typed`` logger, and a :class:`RetryEvent` given to
    *on_retry*)."""

    request: HTTPRequest
    deadline: float
    ends: float
    clock: Callable[[], float]
    policy: RetryPolicy
    on_retry: Callable[[RetryEvent], object] | None
    outcomes: list[NotConnected | MaybeSent | Answered] = attrs.field(
        factory=list[NotConnected | MaybeSent | Answered]
    )

    def left(self) -> float:
        """The seconds left before the deadline."""
        return self.ends - self.clock()

    def settle(self, attempted: Attempted) -> HTTPResponse | Failure:
        """An attempt's result, lateness turned into the error naming the deadline."""
        if isinstance(attempted, Late):
            error = late(self.request, self.deadline, sending=attempted.sending)
            return Failure(None, error)
        return attempted

    def next_wait(self, result: HTTPResponse | Failure) -> float | None:
        """After *result*: the seconds to wait before the next attempt, or ``None``
        when *result* is the call's outcome (an answer below 500, or the policy says
        stop)."""
        outcome: NotConnected | MaybeSent | Answered | None
        if isinstance(result, HTTPResponse):
            if result.status < 500:
                return None
            outcome = Answered(result.status, result.headers.get("retry-after"))
        else:
            outcome = result.outcome
        if outcome is None:
            return None
        self.outcomes.append(outcome)
        decision = self.policy.decide(
            self.request.method,
            self.outcomes,
            retryable=self.request.retryable,
            remaining=self.left(),
            now=time.time(),
        )
        if isinstance(decision, RetryStop):
            return None
        self._report(result, decision.wait, decision.reason)
        return decision.wait

    def _report(self, result: HTTPResponse | Failure, wait: float, reason: str) -> None:
        attempt = len(self.outcomes) + 1
        url = redact_url(self.request.url)
        method = self.request.method
        detail = (
            str(result.error)
            if isinstance(result, Failure)
            else f"HTTP {result.status}"
        )
        # A WARNING, so that a program that configured no logging still hears of a
        # call that is waiting (Python prints it on standard error): a refused
        # connection otherwise retries for 35 s in silence.
        what = detail if isinstance(result, Failure) else f"{method} {url}: {detail}"
        _logger.warning(
            "%s; %s, retrying in %g s (attempt %d)", what, reason, wait, attempt
        )
        if self.on_retry is not None:
            self.on_retry(
                RetryEvent(
                    method=method,
                    url=url,
                    attempt=attempt,
                    wait=wait,
                    reason=reason,
                    detail=detail,
                )
            )


def _outcome(result: HTTPResponse | Failure) -> HTTPResponse:
    """The call's outcome once no retry follows *result*."""
    if isinstance(result, HTTPResponse):
        return result  # below 500, or a 5xx not retried (again): decoding reports it
    raise result.error


def send_with_retries(
    call: Call,
    attempt: Callable[[HTTPRequest, float], Attempted],
    sleep: Callable[[float], object],
) -> HTTPResponse:
    """The sync retry loop: *attempt* (given the seconds left) until an answer below
    500 arrives or the policy stops, all within the call's deadline.

    :raises TransportError: no response arrived in time.
    :raises UnexpectedResponseError: the answer was too large or unreadable.
    """
    while True:
        budget = call.left()
        attempted = attempt(call.request, budget) if budget > 0 else _NO_TIME
        result = call.settle(attempted)
        wait = call.next_wait(result)
        if wait is None:
            return _outcome(result)
        if wait > 0:
            sleep(wait)


async def asend_with_retries(
    call: Call,
    attempt: Callable[[HTTPRequest, float], Awaitable[Attempted]],
    sleep: Callable[[float], Awaitable[object]],
) -> HTTPResponse:
    """The async twin of :func:`send_with_retries`: the same loop, awaited."""
    while True:
        budget = call.left()
        attempted = await attempt(call.request, budget) if budget > 0 else _NO_TIME
        result = call.settle(attempted)
        wait = call.next_wait(result)
        if wait is None:
            return _outcome(result)
        if wait > 0:
            await sleep(wait)
