"""What every transport says about a failure, without a secret: the verification
problem behind a TLS error, and where the request was going."""

from __future__ import annotations

import ssl

from chump_typed._redact import redact_url
from chump_typed.errors import TransportError, UnexpectedResponseError
from chump_typed.protocol import HTTPRequest

__all__ = ["cert_problem", "late", "transport_error", "unreadable", "where"]


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
