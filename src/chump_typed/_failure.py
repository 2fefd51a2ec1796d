"""What every transport says about a failure, without a secret: the verification
problem behind a TLS error, and where the request was going."""

from __future__ import annotations

import ssl

from chump_typed._redact import redact_url
from chump_typed.protocol import HTTPRequest

__all__ = ["cert_problem", "where"]


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
