"""The executors: what every client method runs, around its transport's send.

A method of :class:`~chump_typed.Client` or :class:`~chump_typed.AsyncClient` (and
of the receiving session) builds its request model, and :func:`http_request_for`
checks it against its row and encodes it; :func:`execute` (or
:func:`execute_async`) sends it and decodes the answer as the row's result. Debug
records are redacted. The default transports are chosen here too.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._checks import BASE_URL_VARIABLE, check_key, check_team_token
from chump_typed._redact import redact_params, redact_url
from chump_typed.errors import PushoverError, ValidationError
from chump_typed.protocol import (
    AsyncTransport,
    HTTPRequest,
    HTTPResponse,
    SendOptions,
    Transport,
    decode_response,
    encode_request,
    is_async_transport,
)

if TYPE_CHECKING:
    import logging

    from chump_typed._retry import RetryPolicy
    from chump_typed.e2ee import E2EEKey

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)

_DEBUG: Final = 10  # logging.DEBUG
_logger: logging.Logger | None = None


def _debug_logger() -> logging.Logger | None:
    """The library's logger, ``chump_typed``, if it writes debug records. :mod:`logging`
    is imported with the first call, not at start-up (every transport library imports
    it anyway)."""
    global _logger
    if _logger is None:
        import logging

        _logger = logging.getLogger("chump_typed")
    return _logger if _logger.isEnabledFor(_DEBUG) else None


# -- Around the transport's send: credentials, encoding, decoding, debug records ------


def credentials(token: str, team_token: str | None) -> dict[ep.Credential, str]:
    """A client's secrets by the credential they are (both checked)."""
    check_key("token", token)
    found = {ep.APP: token}
    if team_token is not None:
        check_team_token("team_token", team_token)
        found[ep.TEAM] = team_token
    return found


#: The environment variables ``from_env()`` reads (the command line reads them too).
TOKEN_VARIABLE: Final = "PUSHOVER_TOKEN"
TEAM_TOKEN_VARIABLE: Final = "PUSHOVER_TEAM_TOKEN"


def settings_from_env(
    environ: Mapping[str, str], default_base_url: str
) -> tuple[str, str | None, str]:
    """The token, team token and base URL a client takes from *environ*; a missing
    token is an error naming its variable."""
    token = environ.get(TOKEN_VARIABLE, "")
    if not token:
        raise ValidationError(
            TOKEN_VARIABLE,
            "is not set: export it (the application's API token), or pass the "
            "token to the client",
        )
    team = environ.get(TEAM_TOKEN_VARIABLE) or None
    return token, team, environ.get(BASE_URL_VARIABLE) or default_base_url


def send_options(
    current: SendOptions | None,
    *,
    deadline: float | None,
    retries: RetryPolicy | int | None,
) -> SendOptions:
    """*current* with *deadline* and *retries* (a policy, or a number of retries) in
    place of its own where given: what ``with_options`` sends with (checked here, so
    a bad value is refused when the client is made)."""
    from chump_typed._retry import policy_from

    current = current or SendOptions()
    return SendOptions(
        deadline=current.deadline if deadline is None else deadline,
        retries=current.retries if retries is None else policy_from(retries),
    )


def http_request_for(
    endpoint: ep.Endpoint[Req, Any],
    request: Req,
    credentials: Mapping[ep.Credential, str],
    base_url: str,
    e2ee_key: E2EEKey | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> HTTPRequest:
    """Check that *request* fits *endpoint* and encode it (logged at DEBUG, redacted)."""
    if not isinstance(endpoint, ep.Endpoint):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f"endpoint: expected an Endpoint, got a {type(endpoint).__name__}"
        )
    if not isinstance(request, endpoint.request_type):
        raise TypeError(
            f"{endpoint.name} takes a {endpoint.request_type.__name__}, "
            f"got a {type(request).__name__}"
        )
    needed = endpoint.credential
    token = credentials.get(needed, "" if needed is ep.ACCOUNT else None)
    if token is None:
        raise ValidationError(
            needed.keyword,
            f"{endpoint.name} is {needed.needed_for}: {needed.missing()}",
        )
    http_request = encode_request(
        endpoint,
        request,
        token=token,
        base_url=base_url,
        e2ee_key=e2ee_key,
        extra_params=extra_params,
    )
    logger = _debug_logger()
    if logger is not None:
        logger.debug("%s %s", _where(http_request), redact_params(http_request.params))
    return http_request


def result_of(
    endpoint: ep.Endpoint[Any, Resp],
    http_request: HTTPRequest,
    response: HTTPResponse,
    started: float,
) -> Resp:
    """Decode *response* (logged at DEBUG with its time since *started*)."""
    logger = _debug_logger()
    if logger is not None:
        logger.debug(
            "%s -> HTTP %d, %d bytes in %.1f ms",
            _where(http_request),
            response.status,
            len(response.body),
            (time.perf_counter() - started) * 1000,
        )
    return decode_response(endpoint, http_request, response)


def log_failure(http_request: HTTPRequest, started: float, error: Exception) -> None:
    logger = _debug_logger()
    if logger is not None:
        logger.debug(
            "%s failed after %.1f ms: %s",
            _where(http_request),
            (time.perf_counter() - started) * 1000,
            error,
        )


def _where(http_request: HTTPRequest) -> str:
    # Redacting costs a URL parse: only when a record will be logged.
    return f"{http_request.method} {redact_url(http_request.url)}"


def execute(
    transport: Transport, http_request: HTTPRequest, endpoint: ep.Endpoint[Any, Resp]
) -> Resp:
    """The sync executor: send *http_request* and decode the answer as *endpoint*'s
    result (the request was built by :func:`http_request_for`)."""
    started = time.perf_counter()
    try:
        response = transport.send(http_request)
    except PushoverError as error:
        log_failure(http_request, started, error)
        raise
    return result_of(endpoint, http_request, response, started)


async def execute_async(
    transport: AsyncTransport,
    http_request: HTTPRequest,
    endpoint: ep.Endpoint[Any, Resp],
) -> Resp:
    """The async executor, the twin of :func:`execute`."""
    started = time.perf_counter()
    try:
        response = await transport.send(http_request)
    except PushoverError as error:
        log_failure(http_request, started, error)
        raise
    return result_of(endpoint, http_request, response, started)


# -- The transports a client gets by default ------------------------------------------


def sync_transport(transport: Transport | None, owner: str) -> Transport:
    """*transport*, checked to be a sync one (a pooled
    :class:`~chump_typed.Urllib3Transport` when ``None``); *owner* is the class that
    takes it (the error names its async twin)."""
    if transport is None:
        from chump_typed._urllib3 import Urllib3Transport

        return Urllib3Transport()
    if not callable(getattr(transport, "send", None)):
        raise TypeError(
            f"transport: expected a Transport, got a {type(transport).__name__}"
        )
    if is_async_transport(transport):
        raise TypeError(
            f"transport: {type(transport).__name__} is async (its send is a "
            f"coroutine function): use it with Async{owner}"
        )
    return transport


class _DefaultTransport:
    """Chooses the transport on first use, when the event loop is known:
    :class:`~chump_typed.AiohttpTransport` under asyncio (else the httpx one),
    :class:`~chump_typed.AsyncHttpxTransport` under trio. The first loop binds it
    (:mod:`chump_typed._loops`): threads racing at first use make one transport, and
    every loop but the first gets a :class:`RuntimeError` naming both. ``aclose()``
    and a fork (in the child) unbind it, and the next loop chooses afresh."""

    def __init__(self) -> None:
        if not (_installed("aiohttp") or _installed("httpx")):
            raise ImportError(
                "AsyncClient needs an async transport library: pip install "
                "'chump_typed[aiohttp]' (asyncio) or 'chump_typed[httpx]' (asyncio "
                "and trio)"
            )
        from chump_typed._fork import renew_after_fork
        from chump_typed._loops import LoopBinding

        self.chosen: AsyncTransport | None = None
        self._binding = LoopBinding("AsyncClient")
        renew_after_fork(self)

    def _choose(self) -> AsyncTransport:
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            on_asyncio = False
        else:
            on_asyncio = True
        if on_asyncio and _installed("aiohttp"):
            from chump_typed._aiohttp import AiohttpTransport

            return AiohttpTransport()
        if not _installed("httpx"):
            raise ImportError(
                "AsyncClient under trio needs httpx: pip install 'chump_typed[httpx]'"
            )
        from chump_typed._httpx import AsyncHttpxTransport

        return AsyncHttpxTransport()

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        from chump_typed._loops import running_loop

        self._binding.bind(running_loop())
        if self.chosen is None:
            self.chosen = self._choose()
        return await self.chosen.send(request)

    async def aclose(self) -> None:
        from chump_typed._loops import running_loop

        if self.chosen is not None:
            self._binding.bind(running_loop())  # never another loop's connections
        chosen, self.chosen = self.chosen, None
        try:
            if chosen is not None:
                await chosen.aclose()
        finally:
            self._binding.release()

    def _after_fork_in_child(self) -> None:
        """The transport chosen for the parent's loop is the parent's (kept, never
        closed): the child's first loop chooses afresh."""
        from chump_typed._loops import INHERITED

        if self.chosen is not None:
            INHERITED.append(self.chosen)
        self.chosen = None

    def __repr__(self) -> str:
        return f"<chosen on first use: {self.chosen!r}>"


def _installed(library: str) -> bool:
    """Whether *library* can be imported (without importing it: start-up stays
    cheap)."""
    import importlib.util

    return importlib.util.find_spec(library) is not None


def async_transport(transport: AsyncTransport | None, owner: str) -> AsyncTransport:
    """*transport*, checked to be an async one (chosen on first use when ``None``);
    *owner* is the class that takes it (the error names its sync twin)."""
    if transport is None:
        return _DefaultTransport()
    if not is_async_transport(transport):
        raise TypeError(
            f"transport: expected an AsyncTransport (whose send is a coroutine "
            f"function), got a {type(transport).__name__}; a sync transport "
            f"goes with {owner.removeprefix('Async')}"
        )
    return transport
