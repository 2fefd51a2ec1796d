"""Fault injection: what can go wrong on the wire, as values a test scripts."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Final, TypeAlias

import attrs

from chump_typed.protocol import HTTPResponse

__all__ = [
    "CANNED",
    "JSON_TYPE",
    "Disconnect",
    "Exchange",
    "Fault",
    "FaultStep",
    "ReceivedRequest",
    "Slow",
    "json_bytes",
]


class Fault(enum.Enum):
    """Something going wrong with one request, for reliability tests.

    :attr:`delivered` says whether the fake processed (and recorded) the request before
    failing: the case where resending would deliver a notification twice.
    """

    #: The connection is reset before the request is read. Not delivered.
    RESET_BEFORE_READ = "reset-before-read"
    #: The request is processed, then the connection is reset with no answer. Delivered.
    RESET_AFTER_READ = "reset-after-read"
    #: HTTP 500 with an HTML page, as a proxy would send. Not delivered.
    SERVER_ERROR_HTML = "500-html"
    #: HTTP 502 with an empty body. Not delivered.
    BAD_GATEWAY_EMPTY = "502-empty"
    #: HTTP 503 with a JSON error body. Not delivered.
    UNAVAILABLE_JSON = "503-json"
    #: The request is processed, then answered 200 with malformed JSON. Delivered.
    MALFORMED_JSON = "200-malformed-json"
    #: The request is processed; the answer announces more bytes than it sends, then
    #: the connection closes. Delivered.
    TRUNCATED_BODY = "truncated-body"
    #: HTTP 429 with the limit headers, as when the quota is spent. Not delivered.
    QUOTA_EXCEEDED = "429-quota"
    #: HTTP 400 with per-parameter errors. Not delivered.
    BAD_REQUEST = "400-bad-request"

    @property
    def delivered(self) -> bool:
        """Whether the request was processed before the failure."""
        return self in _DELIVERED

    @property
    def disconnects(self) -> bool:
        """Whether the failure is at connection level (no complete HTTP answer)."""
        return self in _DISCONNECTS


_DELIVERED: Final = frozenset(
    {Fault.RESET_AFTER_READ, Fault.MALFORMED_JSON, Fault.TRUNCATED_BODY}
)
_DISCONNECTS: Final = frozenset(
    {Fault.RESET_BEFORE_READ, Fault.RESET_AFTER_READ, Fault.TRUNCATED_BODY}
)


@attrs.frozen
class Slow:
    """Process the request normally, then wait *seconds* before answering. Delivered.

    Use it to trip a client's read timeout after the server has acted.
    """

    seconds: float = 1.0

    @property
    def delivered(self) -> bool:
        """Always true: the request is processed before the wait."""
        return True


#: One entry of a fault script: a fault, a slow answer, or None for a normal answer.
FaultStep: TypeAlias = "Fault | Slow | None"


def json_bytes(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


JSON_TYPE: Final = "application/json; charset=utf-8"

#: The canned answers of the faults that answer without processing the request.
CANNED: Final[Mapping[Fault, tuple[int, str, bytes]]] = {
    Fault.SERVER_ERROR_HTML: (
        500,
        "text/html",
        b"<html><body><h1>500 Internal Server Error</h1></body></html>",
    ),
    Fault.BAD_GATEWAY_EMPTY: (502, "text/html", b""),
    Fault.UNAVAILABLE_JSON: (
        503,
        JSON_TYPE,
        json_bytes({"status": 0, "errors": ["service temporarily unavailable"]}),
    ),
}


@attrs.frozen(kw_only=True)
class ReceivedRequest:
    """One request as the fake read it.

    ``path`` is as sent (still percent-encoded); ``params`` merges the query string
    and the body's text fields (file parts are not included).
    """

    method: str
    path: str
    params: Mapping[str, str] = attrs.field(hash=False)
    request: str


@attrs.frozen(kw_only=True)
class Exchange:
    """What to put on the wire for one request; the server-side view of a fault.

    ``response`` is None when the connection is reset instead. ``delay`` is how long
    to wait before answering. ``disconnect`` names a connection-level fault.
    """

    response: HTTPResponse | None
    delay: float = 0.0
    disconnect: Fault | None = None


class Disconnect(Exception):
    """Raised by :meth:`FakePushover.handle` for a connection-level fault."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(f"simulated {fault.value}")
        self.fault = fault

    @property
    def request_read(self) -> bool:
        """Whether the fake read and processed the request before failing."""
        return self.fault.delivered
