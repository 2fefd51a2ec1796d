"""The httpx transports: :class:`HttpxTransport` (sync) and
:class:`AsyncHttpxTransport` (asyncio and trio, through anyio).

This is the only module that imports httpx (extra ``chump_typed[httpx]``). On top of
the httpx client, whether it is the caller's or ours, chump_typed's rules apply: one
deadline for the whole call, a cap on the decoded answer, the shared retry policy, the
proxy decision and secret-free errors. A client the caller passes in keeps its own
settings (limits, proxies) and is never closed here.

The deadline: under async, an anyio cancel scope, which also cuts off a server that
trickles its answer. Under sync, the deadline watchdog of :mod:`chump_typed._deadline`
shuts the socket down, as for urllib3: the clients made here open their connections
through a network backend that tells the watchdog which socket each read and write
uses; with a client passed in, httpcore's ``trace`` extension names the socket of each
connection it opens, and every answer names its own once its head has arrived.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

try:
    import anyio
    import httpcore
    import httpx
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "the httpx transports need httpx and anyio: pip install 'chump_typed[httpx]'"
    ) from exc

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
from chump_typed._loops import INHERITED, LoopBinding, running_loop
from chump_typed._proxy import Proxy
from chump_typed._retry import MaybeSent, NotConnected
from chump_typed._scrub import scrub_public
from chump_typed._transport_base import (
    Attempted,
    Failure,
    KnobsBase,
    Late,
    asend_with_retries,
    check_timeout,
    send_with_retries,
)
from chump_typed.errors import TransportError
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

    from chump_typed._transport_base import Knobs

__all__ = ["AsyncHttpxTransport", "HttpxTransport"]


def _verify(knobs: KnobsBase) -> ssl.SSLContext | bool:
    """What httpx verifies with: the system's store, unless a context or CA given."""
    if knobs._ssl_context is None and knobs._ca_certs is None:  # pyright: ignore[reportPrivateUsage]
        return True
    return knobs._verified_context()  # pyright: ignore[reportPrivateUsage]


def _client_settings(knobs: KnobsBase, proxy: Proxy | None) -> dict[str, Any]:
    """The settings of an httpx client made here (sync and async alike)."""
    size = knobs._maxsize  # pyright: ignore[reportPrivateUsage]
    return {
        "limits": httpx.Limits(max_connections=size, max_keepalive_connections=size),
        "proxy": None if proxy is None else _proxy_url(proxy),
        "trust_env": False,  # the proxy is chump_typed's decision
        "follow_redirects": False,
    }


def _stream_arguments(
    knobs: KnobsBase, request: HTTPRequest, budget: float
) -> dict[str, Any]:
    """The arguments of ``client.stream`` for one attempt within *budget* seconds
    (reads may run a :data:`~chump_typed._deadline.GRACE` past it: the deadline, not
    a read timeout ending at the same moment, reports a stall)."""
    connect = knobs._connect_timeout  # pyright: ignore[reportPrivateUsage]
    read = knobs._read_timeout  # pyright: ignore[reportPrivateUsage]
    return {
        "method": request.method,
        "url": request.url,
        "content": request.body or None,
        "headers": dict(request.headers),
        "timeout": httpx.Timeout(
            connect=min(budget, connect),
            read=min(budget + GRACE, read),
            write=min(budget + GRACE, read),
            pool=budget,
        ),
    }


_Client = TypeVar("_Client", httpx.Client, httpx.AsyncClient)


def _client_for(
    knobs: KnobsBase,
    url: str,
    shared: _Client | None,
    owned: dict[Proxy | None, _Client],
    make: Callable[[Proxy | None], _Client],
) -> tuple[_Client, bool]:
    """The httpx client to send to *url* with: the one shared, or the one made here for
    the proxy chosen (one per proxy); and whether it goes through a proxy (for a
    shared client, its own business: reported as not)."""
    if shared is not None:
        return shared, False
    proxy = knobs._proxy_for(url)  # pyright: ignore[reportPrivateUsage]
    client = owned.get(proxy)
    if client is None:
        client = owned[proxy] = make(proxy)
    return client, proxy is not None


class _Socket:
    """A network stream as the watchdog sees it: something with a socket."""

    __slots__ = ("_stream",)

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    @property
    def sock(self) -> socket.socket | None:
        sock: socket.socket | None = self._stream.get_extra_info("socket")
        return sock


class _WatchedStream(httpcore.NetworkStream):
    """A network stream that tells the watchdog, before each read and write, which
    socket this thread's attempt is using (and when it starts writing the request)."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._socket = _Socket(inner)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        WATCHDOG.attach(self._socket, sending=False)
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        WATCHDOG.attach(self._socket, sending=True)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        WATCHDOG.attach(self._socket, sending=False)  # the handshake is watched too
        tls = _WatchedStream(
            self._inner.start_tls(ssl_context, server_hostname, timeout)
        )
        WATCHDOG.attach(tls._socket, sending=False)
        return tls

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _WatchedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, with every stream it opens watched."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _WatchedStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )
        WATCHDOG.attach(stream._socket, sending=False)  # pyright: ignore[reportPrivateUsage]
        return stream

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - Pushover is reached over TCP
        return _WatchedStream(
            self._inner.connect_unix_socket(path, timeout, socket_options)
        )

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries
        self._inner.sleep(seconds)


#: The trace events whose return value is a newly opened network stream.
_OPENED: frozenset[str] = frozenset(
    {
        "connection.connect_tcp.complete",
        "connection.start_tls.complete",
        "http_proxy.start_tls.complete",
    }
)


def _trace(event: str, info: Mapping[str, Any]) -> None:
    """httpcore's ``trace`` extension, for a client passed in: name the socket of each
    connection opened for this thread's attempt, and when the request starts."""
    if event in _OPENED and isinstance(
        info.get("return_value"), httpcore.NetworkStream
    ):
        WATCHDOG.attach(_Socket(info["return_value"]), sending=False)
    elif event.endswith(".send_request_headers.started"):
        WATCHDOG.attach(None, sending=True)


def _watched_transport(knobs: KnobsBase, proxy: Proxy | None) -> httpx.HTTPTransport:
    """An httpx transport whose connections are opened through a watched backend.

    httpx takes no network backend, so the pool it made gets one: httpcore's pools
    keep it in ``_network_backend`` (pinned by the ``httpx<1`` requirement, and
    checked here rather than assumed)."""
    settings = _client_settings(knobs, proxy)
    transport = httpx.HTTPTransport(
        verify=_verify(knobs), limits=settings["limits"], proxy=settings["proxy"]
    )
    pool = transport._pool  # pyright: ignore[reportPrivateUsage]
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, httpcore.NetworkBackend):  # pragma: no cover
        raise RuntimeError(
            "this httpcore version keeps its network backend elsewhere: the deadline "
            "cannot be enforced (pin httpcore 1.x)"
        )
    setattr(pool, "_network_backend", _WatchedBackend(backend))  # noqa: B010
    return transport


class HttpxTransport(KnobsBase):
    """Sends requests with an :class:`httpx.Client`.

    :param client: an :class:`httpx.Client` to share (its limits, proxies and TLS
        settings are yours, and it is never closed here); by default the transport
        makes its own, with at most *maxsize* connections, TLS verified and the proxy
        chosen by chump_typed.

    It takes the other keyword arguments of :class:`~chump_typed.Urllib3Transport`,
    ``timeout`` as a number of seconds.

    The deadline holds over every connection of a client made here. With a client
    passed in, chump_typed learns a connection's socket when that connection is opened
    for one of its calls, or once the answer's head has arrived: a connection your
    client opened before, whose server then stalls in the middle of the head, is
    bounded by the read timeout of each read rather than by the deadline.

    A forked child makes its own clients; a client passed in is yours to renew.
    """

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], object] | None = None,
        **knobs: Unpack[Knobs],
    ) -> None:
        if client is not None and not isinstance(client, httpx.Client):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"client: expected an httpx.Client, got a {type(client).__name__}"
            )
        timeouts = check_timeout(knobs.pop("timeout", None))
        super().__init__(knobs, timeouts=timeouts, sleep=sleep)
        self._sleep = sleep or time.sleep
        self._shared = client
        self._owned: dict[Proxy | None, httpx.Client] = {}
        self._making = threading.Lock()  # two threads' first calls make one client
        #: What a forked child inherited: kept, never closed (the parent still uses it).
        self._inherited: list[object] = []
        renew_after_fork(self)

    def _make_client(self, proxy: Proxy | None) -> httpx.Client:
        return httpx.Client(
            transport=_watched_transport(self, proxy),
            trust_env=False,
            follow_redirects=False,
        )

    def _after_fork_in_child(self) -> None:
        """Start afresh in a forked child: the inherited connections are the
        parent's."""
        self._inherited.append(self._owned)
        self._owned = {}
        self._making = threading.Lock()  # a parent's thread may have held it

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as its policy decides, within its deadline (the
        request's options, else the transport's ``retries`` and ``deadline``).

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        return send_with_retries(self._start(request), self._attempt, self._sleep)

    def _attempt(self, request: HTTPRequest, budget: float) -> Attempted:
        """One attempt within *budget* seconds, watched by the deadline watchdog."""
        with self._making:
            client, proxied = _client_for(
                self, request.url, self._shared, self._owned, self._make_client
            )
        arguments = _stream_arguments(self, request, budget)
        if self._shared is not None:
            arguments["extensions"] = {"trace": _trace}
        guard = WATCHDOG.watch(budget)
        answer: HTTPResponse | Failure
        try:
            with client.stream(**arguments) as response:
                stream = response.extensions.get("network_stream")
                if isinstance(stream, httpcore.NetworkStream):
                    WATCHDOG.attach(_Socket(stream), sending=True)
                answer = _read(self, request, response)
        except httpx.HTTPError as exc:
            answer = _map_failure(request, exc, proxied=proxied)
        finally:
            expired = WATCHDOG.release(guard)
        if expired:  # even an answer that seems whole may have been cut short
            return Late(sending=guard.started_sending)
        return answer

    def close(self) -> None:
        """Close the connections of the clients this transport made (never one it was
        given)."""
        owned, self._owned = self._owned, {}
        for client in owned.values():
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        shared = "" if self._shared is None else " (a shared httpx client)"
        return super().__repr__() + shared


def _read(
    knobs: KnobsBase, request: HTTPRequest, response: httpx.Response
) -> HTTPResponse | Failure:
    """The answer, read within the size cap (sync)."""
    try:
        collected = _collector(knobs, request, response)
        for chunk in response.iter_raw():
            collected.feed(chunk)
        body = collected.finish()
    except (TooLarge, UnreadableEncoding) as exc:
        return _unreadable(request, response, exc)
    return _answer(response, body)


async def _aread(
    knobs: KnobsBase, request: HTTPRequest, response: httpx.Response
) -> HTTPResponse | Failure:
    """The answer, read within the size cap (async)."""
    try:
        collected = _collector(knobs, request, response)
        # aclosing: an answer abandoned half-read must close its stream now (trio
        # warns about a generator left open).
        raw_answer = cast("AsyncGenerator[bytes, None]", response.aiter_raw())
        async with contextlib.aclosing(raw_answer) as raw:
            async for chunk in raw:
                collected.feed(chunk)
        body = collected.finish()
    except (TooLarge, UnreadableEncoding) as exc:
        return _unreadable(request, response, exc)
    return _answer(response, body)


def _collector(
    knobs: KnobsBase, request: HTTPRequest, response: httpx.Response
) -> CappedBody:
    cap = knobs._cap_for(request)  # pyright: ignore[reportPrivateUsage]
    return CappedBody(response.headers.get("content-encoding"), cap)


def _unreadable(
    request: HTTPRequest, response: httpx.Response, why: TooLarge | UnreadableEncoding
) -> Failure:
    start = why.start if isinstance(why, TooLarge) else b""
    return Failure(None, unreadable(request, response.status_code, why, start))


def _answer(response: httpx.Response, body: bytes) -> HTTPResponse:
    return HTTPResponse(
        status=response.status_code,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=body,
    )


class _OneChunk(httpx.AsyncByteStream):
    """A body sent by a plain iterator, not httpx's async generator, which a send cut
    off mid-body leaves unfinished for trio to warn of (encode/httpx#3686)."""

    def __init__(self, body: bytes) -> None:
        self._body, self._left = body, b""

    def __aiter__(self) -> _OneChunk:
        self._left = self._body  # each iteration sends the whole body once
        return self

    async def __anext__(self) -> bytes:
        if not self._left:
            raise StopAsyncIteration
        chunk, self._left = self._left, b""
        return chunk


class AsyncHttpxTransport(KnobsBase):
    """Sends requests with an :class:`httpx.AsyncClient`, under asyncio or trio.

    :param client: an :class:`httpx.AsyncClient` to share (its limits, proxies and
        TLS settings are yours, and it is never closed here); by default the transport
        makes its own, with at most *maxsize* connections, TLS verified and the proxy
        chosen by chump_typed, on first use in the running event loop.
    :param sleep: how a retry waits, a coroutine function (default
        :func:`anyio.sleep`).

    It takes the other keyword arguments of :class:`~chump_typed.Urllib3Transport`,
    ``timeout`` as a number of seconds. The deadline is an anyio cancel scope: it
    also cuts off a server that trickles its answer.
    """

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        **knobs: Unpack[Knobs],
    ) -> None:
        if client is not None and not isinstance(client, httpx.AsyncClient):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"client: expected an httpx.AsyncClient, got a {type(client).__name__}"
            )
        timeouts = check_timeout(knobs.pop("timeout", None))
        super().__init__(knobs, timeouts=timeouts, sleep=sleep)
        self._sleep = sleep or anyio.sleep
        self._verify = _verify(self)
        self._shared = client
        self._owned: dict[Proxy | None, httpx.AsyncClient] = {}
        self._binding = LoopBinding(type(self).__name__)
        renew_after_fork(self)

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as its policy decides, within its deadline (the
        request's options, else the transport's ``retries`` and ``deadline``).

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        self._check_loop()
        return await asend_with_retries(
            self._start(request), self._attempt, self._sleep
        )

    def _check_loop(self) -> None:
        """The connections belong to the event loop of the first call: the first loop
        binds the transport (:mod:`chump_typed._loops`), any other is refused."""
        self._binding.bind(running_loop())

    def _after_fork_in_child(self) -> None:
        """Start afresh in a forked child: the connections are the parent's (kept,
        never closed); the child's first loop binds the transport. A client passed in
        is yours to renew."""
        INHERITED.append(self._owned)
        self._owned = {}

    def _make_client(self, proxy: Proxy | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(**_client_settings(self, proxy), verify=self._verify)

    async def _attempt(self, request: HTTPRequest, budget: float) -> Attempted:
        """One attempt, cut off after *budget* seconds by an anyio cancel scope."""
        with anyio.move_on_after(budget):
            return await self._exchange(request, budget)
        return Late()

    async def _exchange(
        self, request: HTTPRequest, budget: float
    ) -> HTTPResponse | Failure:
        client, proxied = _client_for(
            self, request.url, self._shared, self._owned, self._make_client
        )
        try:
            built = client.build_request(**_stream_arguments(self, request, budget))
            if request.body:
                built.stream = _OneChunk(request.body)
            response = await client.send(built, stream=True)
            try:
                return await _aread(self, request, response)
            finally:
                # Closed here, shielded: a deadline that cancels the read must not
                # cancel the closing of its connection too (the socket would be left
                # open until garbage collection).
                with anyio.CancelScope(shield=True):
                    await response.aclose()
        except httpx.HTTPError as exc:
            return _map_failure(request, exc, proxied=proxied)

    async def aclose(self) -> None:
        """Close the connections of the clients this transport made (never one it was
        given)."""
        if self._owned:
            self._binding.bind(running_loop())  # never another loop's connections
        owned, self._owned = self._owned, {}
        try:
            for client in owned.values():
                await client.aclose()
        finally:
            self._binding.release()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        shared = "" if self._shared is None else " (a shared httpx client)"
        return super().__repr__() + shared


def _proxy_url(proxy: Proxy) -> str | httpx.Proxy:
    if proxy.credentials is None:
        return proxy.url
    user, _, password = proxy.credentials.partition(":")
    return httpx.Proxy(proxy.url, auth=(user, password))


def _map_failure(
    request: HTTPRequest, cause: httpx.HTTPError, *, proxied: bool
) -> Failure:
    """What an httpx failure means for retrying, and the error that reports it
    (*proxied*: the connection was to a proxy)."""
    place = where(request)
    first_hop = "to the proxy " if proxied else ""

    def error(text: str, *, may_have_been_sent: bool = False) -> TransportError:
        return transport_error(text, cause, may_have_been_sent=may_have_been_sent)

    kind = type(cause).__name__
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
        problem = cert_problem(cause)
        if problem is not None:
            return Failure(
                None, error(f"TLS verification failed for {place}: {problem}")
            )
        return Failure(
            NotConnected(),
            error(not_connected(f"could not connect {first_hop}for {place}", cause)),
        )
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


# httpx logs every request's full URL at INFO ("HTTP Request: GET ...?token=...").
redact_loggers("httpx")


scrub_public(globals())
