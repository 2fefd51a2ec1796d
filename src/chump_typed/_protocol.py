"""The sans-I/O core: HTTP values, the Transport protocol, and pure encode/decode.

Nothing here touches a socket. :func:`encode_request` turns an endpoint row and a request
model into an :class:`HTTPRequest`; a :class:`Transport` moves it; :func:`decode_response`
turns the :class:`HTTPResponse` into the row's result model or a typed error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Protocol

import attrs

from chump_typed._redact import redact_url

__all__ = ["HTTPRequest", "HTTPResponse", "Method", "Transport"]

Method = Literal["GET", "POST"]


@attrs.frozen(repr=False, kw_only=True)
class HTTPRequest:
    """One HTTP request, fully encoded: what a transport puts on the wire.

    ``retryable`` is false for calls that must never be resent automatically even after
    a server error (each success spends money, e.g. licence assignment). Independently
    of it, a transport never resends a POST once the request may have reached the server.
    """

    method: Method
    url: str
    headers: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    body: bytes = b""
    retryable: bool = True

    def __repr__(self) -> str:
        # The body and the query string carry the token: never show them.
        return (
            f"HTTPRequest(method={self.method!r}, url={redact_url(self.url)!r}, "
            f"body=<{len(self.body)} bytes>)"
        )


@attrs.frozen(kw_only=True)
class HTTPResponse:
    """One HTTP response as a transport received it. Header names are lower case."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    body: bytes = b""


class Transport(Protocol):
    """Moves one :class:`HTTPRequest` to a server and returns its :class:`HTTPResponse`.

    Implementations raise :class:`~chump_typed.errors.TransportError` when no response
    arrives. :class:`~chump_typed.Urllib3Transport` is the real one;
    :class:`~chump_typed.testing.FakeTransport` answers from an in-memory fake.
    """

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request* and return the response."""
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...
