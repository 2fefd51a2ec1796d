"""The callback apps' edge: reading a request's body and sending an answer, for WSGI
and ASGI servers, whatever the client sends or the server does.

A bad ``Content-Length`` (not ASCII digits, thousands of digits, two different ones),
a body the server fails to read or that ends short, and a server's message that is
not what ASGI says become a :class:`~chump_typed.errors.ValidationError` naming the
part (a 400); a body over the limit is None (a 413); a client that went away is
:data:`Gone.GONE` (ASGI: nothing is answered) or an :class:`OSError` from ``send``
(the answer is dropped).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, cast

from chump_typed.errors import ValidationError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from chump_typed.callbacks import Receive, Scope, Send

__all__ = [
    "Answer",
    "Gone",
    "answer_wsgi",
    "asgi_body",
    "lifespan",
    "send_answer",
    "wsgi_body",
]

#: An answer: HTTP status, one line of text, extra headers.
Answer = tuple[int, str, list[tuple[str, str]]]

_REASONS: Final = {
    200: "OK",
    400: "Bad Request",
    405: "Method Not Allowed",
    413: "Content Too Large",
    503: "Service Unavailable",
}


class Gone(enum.Enum):
    """The client went away before its body ended."""

    GONE = "gone"


def declared_length(raw: object, limit: int) -> int:
    """A ``Content-Length`` as a number; only ASCII digits count. A number of more
    digits than *limit* has is read as ``limit + 1`` (``int()`` refuses one of over
    4,300 digits)."""
    text = str(raw or "0").strip()
    if not (text.isascii() and text.isdigit()):
        raise ValidationError("Content-Length", "must be a number of bytes")
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(limit)):
        return limit + 1
    return int(digits)


# -- WSGI ---------------------------------------------------------------------------------


def wsgi_body(environ: WSGIEnvironment, limit: int) -> bytes | None:
    """The request body, or None when it is larger than *limit* bytes.

    :raises ValidationError: the ``Content-Length`` is not ASCII digits (``int()``
        would take ``"٣"`` and choke on ``"²"``), the server failed to read the body
        or it ended short of its length.
    """
    length = declared_length(environ.get("CONTENT_LENGTH"), limit)
    if length > limit:
        return None
    data = b""
    while len(data) < length:
        try:
            chunk: object = environ["wsgi.input"].read(length - len(data))
        except Exception as exc:  # the client went away, a timeout: any server's error
            raise ValidationError(
                "body", f"could not be read ({type(exc).__name__})"
            ) from None
        if not isinstance(chunk, bytes):
            raise ValidationError("body", "the server gave no bytes")
        if not chunk or len(chunk) > length - len(data):
            raise ValidationError(
                "body", f"is not the {length} bytes its Content-Length says"
            )
        data += chunk
    return data


def answer_wsgi(start_response: StartResponse, answer: Answer) -> Iterable[bytes]:
    status, text, headers = answer
    body = text.encode("utf-8")
    start_response(
        f"{status} {_REASONS[status]}",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *headers,
        ],
    )
    return [body]


# -- ASGI ---------------------------------------------------------------------------------


async def lifespan(receive: Receive, send: Send) -> None:
    """Nothing to start or stop: acknowledge both."""
    while True:
        message = await receive()
        if message.get("type") == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message.get("type") == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _asgi_declared_length(headers: object, limit: int) -> int | None:
    """The ``Content-Length`` among a scope's *headers*, if one is given.

    :raises ValidationError: the headers are not pairs of bytes, or give two
        different lengths.
    """
    if not isinstance(headers, (list, tuple)):
        raise ValidationError("headers", "are not a list of name-value pairs")
    found: set[bytes] = set()
    for item in cast("list[object]", headers):
        pair = (
            cast("tuple[object, ...]", item) if isinstance(item, (list, tuple)) else ()
        )
        if len(pair) != 2 or not all(isinstance(part, bytes) for part in pair):
            raise ValidationError("headers", "are not a list of name-value pairs")
        name, value = cast("tuple[bytes, bytes]", pair)
        if name.lower() == b"content-length":
            found.add(value.strip())
    if len(found) > 1:
        raise ValidationError("Content-Length", "is given twice, with different values")
    return None if not found else declared_length(found.pop().decode("latin-1"), limit)


async def asgi_body(scope: Scope, receive: Receive, limit: int) -> bytes | Gone | None:
    """The request body; None past *limit* bytes (declared or sent);
    :data:`Gone.GONE` when the client went away before the body ended."""
    declared = _asgi_declared_length(scope.get("headers", ()), limit)
    if declared is not None and declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            message = cast("object", await receive())
        except Exception as exc:  # the server's own failure to read: not a callback
            raise ValidationError(
                "body", f"could not be read ({type(exc).__name__})"
            ) from None
        if not isinstance(message, Mapping):
            raise ValidationError("body", "the server gave no message")
        message = cast("Mapping[str, object]", message)
        if message.get("type") == "http.disconnect":
            return Gone.GONE
        chunk = message.get("body", b"")
        if not isinstance(chunk, bytes):
            raise ValidationError("body", "the server gave no bytes")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def send_answer(send: Send, answer: Answer) -> None:
    """Send *answer*; a client gone already (the server's :class:`OSError`, as the
    ASGI specification has it) gets none."""
    status, text, headers = answer
    body = text.encode("utf-8")
    try:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    *(
                        (name.lower().encode(), value.encode())
                        for name, value in headers
                    ),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
    except OSError:
        return
