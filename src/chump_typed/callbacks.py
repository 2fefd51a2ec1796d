"""Receiving Pushover's acknowledgement callbacks.

When an emergency message sent with ``callback=URL`` is acknowledged, Pushover POSTs
``receipt``, ``acknowledged`` (1), ``acknowledged_at`` (Unix time), ``acknowledged_by``
(the user key) and ``acknowledged_by_device`` to that URL, and tries again about a
minute later unless it gets a 2xx answer (pushover-api.md §7.3). The body's encoding is
not documented by Pushover: form encoding is the likely one and is what
:func:`parse_callback` expects; a JSON object is accepted too.

Nothing authenticates the POST: no signature, secret or source address is documented.
Treat a callback as a hint, put an unguessable token in the callback URL, and confirm
with a receipt poll (:meth:`chump_typed.Client.receipt`) before acting on it::

    from wsgiref.simple_server import make_server

    def on_ack(ack: AcknowledgementCallback) -> None:
        if client.receipt(ack.receipt).acknowledged:  # confirm before trusting it
            ...

    make_server("", 8000, callback_app(on_ack)).serve_forever()
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final, cast
from urllib.parse import parse_qsl

import attrs

from chump_typed._checks import check_devices, check_key, describe
from chump_typed._epoch import epoch_to_datetime
from chump_typed._scrub import scrub_public
from chump_typed.errors import ValidationError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "MAX_CALLBACK_BODY",
    "AcknowledgementCallback",
    "callback_app",
    "callback_asgi_app",
    "parse_callback",
]

#: The largest callback body :func:`callback_app` reads; a real one is ~150 bytes.
MAX_CALLBACK_BODY: Final = 16_384


@attrs.frozen(kw_only=True)
class AcknowledgementCallback:
    """One acknowledgement, as Pushover reports it to a callback URL.

    Confirm it with a receipt poll before acting on it: anybody who knows the URL can
    POST the same fields.
    """

    receipt: str
    acknowledged: bool
    acknowledged_at: _dt.datetime
    acknowledged_by: str = attrs.field(repr=False)
    acknowledged_by_device: str | None = None


def _field(data: Mapping[str, object], name: str) -> str:
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or value == "":
        raise ValidationError(name, "is missing from the callback")
    if not isinstance(value, str):
        raise ValidationError(name, f"must be text, got {describe(value)}")
    return value


def _unique(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """*pairs* as a dict; a name given twice is refused rather than one of its values
    silently kept (which one would a forger choose?)."""
    data: dict[str, object] = {}
    for name, value in pairs:
        if name in data:
            raise ValidationError(name, "appears more than once in the callback")
        data[name] = value
    return data


def _to_mapping(body: bytes | Mapping[str, object]) -> Mapping[str, object]:
    if not isinstance(body, (bytes, bytearray)):
        return body
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("body", "is not UTF-8 text") from None
    if text.lstrip().startswith("{"):
        try:
            data: object = json.loads(text, object_pairs_hook=_unique)
        except RecursionError:
            raise ValidationError("body", "is nested too deeply") from None
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError("body", "is not a valid JSON object") from None
        if not isinstance(data, dict):
            raise ValidationError("body", "is not a JSON object")
        return cast("dict[str, object]", data)
    return _unique(parse_qsl(text, keep_blank_values=True))


def parse_callback(body: bytes | Mapping[str, object]) -> AcknowledgementCallback:
    """Read a callback from its raw body (form-encoded, or a JSON object) or from
    already parsed fields.

    Anyone who knows the callback URL can send one: the result says what the sender
    claims. Confirm it with a receipt poll (:meth:`chump_typed.Client.receipt`)
    before acting on it.

    :raises ValidationError: a field is missing, malformed or given twice; it is
        named.
    """
    data = _to_mapping(body)
    receipt = _field(data, "receipt")
    check_key("receipt", receipt)
    acknowledged = _field(data, "acknowledged")
    if acknowledged not in ("0", "1"):
        raise ValidationError("acknowledged", f"must be 0 or 1, got {acknowledged!r}")
    raw_at = _field(data, "acknowledged_at")
    if not raw_at.isdigit() or not raw_at.isascii():
        raise ValidationError("acknowledged_at", "must be Unix seconds")
    try:
        acknowledged_at = epoch_to_datetime(int(raw_at))
    except (OverflowError, OSError, ValueError):
        raise ValidationError("acknowledged_at", "is out of range") from None
    acknowledged_by = _field(data, "acknowledged_by")
    check_key("acknowledged_by", acknowledged_by)
    device = data.get("acknowledged_by_device") or None
    if device is not None:
        if not isinstance(device, str):
            raise ValidationError(
                "acknowledged_by_device", f"must be text, got {describe(device)}"
            )
        check_devices("acknowledged_by_device", device, many=False)
    return AcknowledgementCallback(
        receipt=receipt,
        acknowledged=acknowledged == "1",
        acknowledged_at=acknowledged_at,
        acknowledged_by=acknowledged_by,
        acknowledged_by_device=device,
    )


_TEXT: Final = [("Content-Type", "text/plain; charset=utf-8")]


def _answer(
    start_response: StartResponse,
    status: str,
    text: str,
    headers: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    body = text.encode("utf-8")
    start_response(
        status, [*_TEXT, ("Content-Length", str(len(body))), *(headers or [])]
    )
    return [body]


def _declared_length(raw: object) -> int:
    """A ``Content-Length`` as a number; only ASCII digits count. A number of more
    digits than any body could have is read as too large (``int()`` refuses one of
    over 4,300 digits)."""
    text = str(raw or "0").strip()
    if not (text.isascii() and text.isdigit()):
        raise ValidationError("Content-Length", "must be a number of bytes")
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(MAX_CALLBACK_BODY)):
        return MAX_CALLBACK_BODY + 1
    return int(digits)


def _body(environ: WSGIEnvironment) -> bytes | None:
    """The request body, or None when it is larger than :data:`MAX_CALLBACK_BODY`.

    :raises ValidationError: the ``Content-Length`` is not ASCII digits (``int()``
        would take ``"٣"`` and choke on ``"²"``).
    """
    length = _declared_length(environ.get("CONTENT_LENGTH"))
    if length > MAX_CALLBACK_BODY:
        return None
    if not length:
        return b""
    try:
        data: object = environ["wsgi.input"].read(length)
    except Exception as exc:  # the client went away, a timeout: any server's error
        raise ValidationError(
            "body", f"could not be read ({type(exc).__name__})"
        ) from None
    if not isinstance(data, bytes):
        raise ValidationError("body", "the server gave no bytes")
    return data


def callback_app(
    handler: Callable[[AcknowledgementCallback], object],
) -> WSGIApplication:
    """A WSGI application that hands each acknowledgement callback to *handler*.

    Mount it at the path of your callback URL (any path is accepted). Answers:
    ``200`` after *handler* returned, ``400`` with a one-line reason for a body that
    is not a callback (malformed, nested too deeply, a field given twice, a bad
    ``Content-Length``, a body the server failed to read), ``405`` for anything but
    POST, ``413`` for a body (or a declared length) over
    :data:`MAX_CALLBACK_BODY` bytes: no input makes it answer 500. An exception from
    *handler* propagates, so the server answers 500 and Pushover calls again about a
    minute later. Uses only the standard library; serve it with :mod:`wsgiref` or any
    WSGI server.

    Nothing authenticates a callback: anyone who knows the URL can POST one. Put an
    unguessable token in the URL and confirm each acknowledgement with a receipt poll
    (:meth:`chump_typed.Client.receipt`) before acting on it.
    """

    def application(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(
                start_response,
                "405 Method Not Allowed",
                "POST only\n",
                [("Allow", "POST")],
            )
        try:
            body = _body(environ)
            if body is None:
                return _answer(start_response, "413 Content Too Large", "too large\n")
            callback = parse_callback(body)
        except ValidationError as exc:
            return _answer(start_response, "400 Bad Request", f"{exc}\n")
        handler(callback)
        return _answer(start_response, "200 OK", "OK\n")

    return application


# -- ASGI --------------------------------------------------------------------------------

#: The parts of the ASGI interface the app uses (no dependency on an ASGI library).
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApplication = Callable[[Scope, Receive, Send], Awaitable[None]]


def callback_asgi_app(
    handler: Callable[[AcknowledgementCallback], object],
) -> ASGIApplication:
    """The ASGI twin of :func:`callback_app`, with the same answers and limits, for
    async servers (uvicorn, hypercorn, a Starlette or FastAPI mount). *handler* may
    be a plain function or a coroutine function.

    Nothing authenticates a callback: anyone who knows the URL can POST one. Confirm
    each acknowledgement with a receipt poll (:meth:`chump_typed.AsyncClient.receipt`)
    before acting on it.
    """

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "lifespan":
            await _lifespan(receive, send)
            return
        if scope.get("type") != "http":
            return
        if scope.get("method") != "POST":
            await _send_answer(send, 405, "POST only\n", [(b"allow", b"POST")])
            return
        try:
            body = await _asgi_body(scope, receive)
            if body is None:
                await _send_answer(send, 413, "too large\n")
                return
            callback = parse_callback(body)
        except ValidationError as exc:
            await _send_answer(send, 400, f"{exc}\n")
            return
        outcome = handler(callback)
        if inspect.isawaitable(outcome):
            await outcome
        await _send_answer(send, 200, "OK\n")

    return application


async def _lifespan(receive: Receive, send: Send) -> None:
    """Nothing to start or stop: acknowledge both."""
    while True:
        message = await receive()
        if message.get("type") == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message.get("type") == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _asgi_body(scope: Scope, receive: Receive) -> bytes | None:
    """The request body, or None past :data:`MAX_CALLBACK_BODY` (declared or sent)."""
    declared = next(
        (
            value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name.lower() == b"content-length"
        ),
        None,
    )
    if declared is not None and _declared_length(declared) > MAX_CALLBACK_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            message = await receive()
        except Exception as exc:  # the server's own failure to read: not a callback
            raise ValidationError(
                "body", f"could not be read ({type(exc).__name__})"
            ) from None
        if message.get("type") == "http.disconnect":
            break
        chunk = message.get("body", b"")
        if not isinstance(chunk, bytes):
            raise ValidationError("body", "the server gave no bytes")
        size += len(chunk)
        if size > MAX_CALLBACK_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send_answer(
    send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


scrub_public(globals())
