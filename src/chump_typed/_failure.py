"""What every transport says about a failure, without a secret: the verification
problem behind a TLS error, and where the request was going."""

from __future__ import annotations

import socket
import ssl

from chump_typed._redact import redact_url
from chump_typed.errors import TransportError, UnexpectedResponseError
from chump_typed.protocol import HTTPRequest

__all__ = [
    "cert_problem",
    "connect_problem",
    "late",
    "not_connected",
    "transport_error",
    "unreadable",
    "where",
]


def cert_problem(cause: BaseException) -> str | None:
    """The certificate verification failure behind a TLS error, if that is what it is
    (following the exception's arguments, cause and context)."""
    seen: BaseException | None = cause
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or "certificate verify failed"
        if isinstance(seen, ssl.CertificateError):
            return str(seen)
        nested = seen.args[0] if seen.args else None
        seen = (
            nested
            if isinstance(nested, BaseException)
            else seen.__cause__ or seen.__context__
        )
    return None


def _chain(cause: BaseException) -> list[BaseException]:
    """*cause* and what it wraps: its cause, context, exception arguments and the
    ``os_error``/``original_error`` attributes the HTTP libraries keep."""
    found: list[BaseException] = []
    pending: list[object] = [cause]
    while pending:
        seen = pending.pop()
        if not isinstance(seen, BaseException) or any(seen is f for f in found):
            continue
        found.append(seen)
        pending += [seen.__cause__, seen.__context__, *seen.args]
        pending += [
            getattr(seen, name, None) for name in ("os_error", "original_error")
        ]
    return found


def connect_problem(cause: BaseException) -> str | None:
    """Why a connection could not be made, in words: "connection refused", "host name
    not found" or "timed out" (``None`` when the libraries do not say)."""
    chain = _chain(cause)
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        type(e).__name__ == "NameResolutionError" for e in chain
    ):
        return "host name not found"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, TimeoutError) for e in chain) or any(
        "Timeout" in type(e).__name__ for e in chain
    ):
        return "timed out"
    return None


def not_connected(prefix: str, cause: BaseException) -> str:
    """The text of a connection failure: *prefix*, then why in words when known, then
    the library's name for it (``could not connect for POST ...: connection refused
    (NewConnectionError)``)."""
    kind = type(cause).__name__
    problem = connect_problem(cause)
    return f"{prefix}: {kind}" if problem is None else f"{prefix}: {problem} ({kind})"


def where(request: HTTPRequest) -> str:
    """``METHOD url`` with the query string and any key in the path redacted."""
    return f"{request.method} {redact_url(request.url)}"


def transport_error(
    text: str, cause: BaseException, *, may_have_been_sent: bool = False
) -> TransportError:
    """A :class:`TransportError` naming *cause* without chaining it (a library's
    frames hold the request body)."""
    return TransportError(
        text,
        may_have_been_sent=may_have_been_sent,
        reason_type=type(cause).__name__,
        reason=str(cause)[:300],
    )


def unreadable(
    request: HTTPRequest, status: int, why: Exception, start: bytes
) -> UnexpectedResponseError:
    """The error for an answer too large or undecodable: a POST the server answered
    may have been acted on."""
    return UnexpectedResponseError(
        f"{why}; stopped reading the answer to {where(request)}",
        http_status=status,
        body=start,
        may_have_been_sent=request.method != "GET",
    )


def late(
    request: HTTPRequest, deadline: float, *, sending: bool = True
) -> TransportError:
    """The error for a call whose *deadline* passed, while the request was being sent
    or answered (*sending*) or before it could be sent."""
    if sending:
        return TransportError(
            f"no complete answer to {where(request)} within the {deadline:g} s "
            "deadline; the request may have reached Pushover",
            may_have_been_sent=True,
        )
    return TransportError(
        f"{where(request)} could not be sent within the {deadline:g} s deadline"
    )
