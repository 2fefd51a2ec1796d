"""Receiving Pushover's acknowledgement callbacks.

When an emergency message sent with ``callback=URL`` is acknowledged, Pushover POSTs
``receipt``, ``acknowledged`` (1), ``acknowledged_at`` (Unix time), ``acknowledged_by``
(the user key) and ``acknowledged_by_device`` to that URL, and tries again about a
minute later unless it gets a 2xx answer (pushover-api.md §7.3). The body's encoding is
not documented by Pushover: form encoding is the likely one and is what
:func:`parse_callback` expects; a JSON object is accepted too.

Nothing authenticates the POST: no signature, secret or source address is documented.
Treat a callback as a hint and confirm it with a receipt poll before acting on it. The
apps do that for you when given the client to poll with and a test of the receipts
the application issued (only those are polled, paced, so that forged callbacks
cannot make it repeat requests Pushover refuses)::

    from wsgiref.simple_server import make_server

    def on_ack(ack: AcknowledgementCallback) -> None:
        ...  # confirmed by Pushover; Pushover's own fields; once per receipt

    app = callback_app(on_ack, confirm_with=client, known_receipt=receipts.__contains__)
    make_server("", 8000, app).serve_forever()

Without ``confirm_with``, *handler* gets every well-formed callback as its sender
claims it: confirm it yourself (:meth:`chump_typed.Client.receipt`).
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final, cast
from urllib.parse import parse_qsl

import attrs

from chump_typed._callback_wire import (
    Answer,
    Gone,
    answer_wsgi,
    asgi_body,
    lifespan,
    send_answer,
    wsgi_body,
)
from chump_typed._checks import check_devices, check_key, describe
from chump_typed._confirm import OK, Confirmer, ConfirmGate, Step, peer_of
from chump_typed._epoch import epoch_to_datetime
from chump_typed._scrub import scrub_public
from chump_typed.errors import PushoverError, ValidationError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from chump_typed.aio import AsyncClient
    from chump_typed.client import Client
    from chump_typed.models import Receipt

__all__ = [
    "MAX_CALLBACK_BODY",
    "AcknowledgementCallback",
    "callback_app",
    "callback_asgi_app",
    "parse_callback",
]

#: The largest callback body :func:`callback_app` reads; a real one is ~150 bytes.
MAX_CALLBACK_BODY: Final = 16_384
#: A confirming app polls one receipt at most once in this many seconds (Pushover
#: asks for no more than one poll every 5 seconds).
RECEIPT_POLL_INTERVAL: Final = 5.0
#: A confirming app makes at most this many receipt polls a minute over time, all
#: receipts together ...
POLLS_PER_MINUTE: Final = 60
#: ... in bursts of at most this many (in any *t* seconds, at most
#: ``POLL_BURST + t * POLLS_PER_MINUTE / 60`` polls begin).
POLL_BURST: Final = 10


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


# -- Confirming an acknowledgement with a receipt poll ------------------------------------


def _confirmed(
    claimed: AcknowledgementCallback, polled: Receipt
) -> AcknowledgementCallback:
    """The acknowledgement Pushover confirms: its own fields, the claim's where it
    gives none."""
    return AcknowledgementCallback(
        receipt=claimed.receipt,
        acknowledged=True,
        acknowledged_at=polled.acknowledged_at or claimed.acknowledged_at,
        acknowledged_by=polled.acknowledged_by or claimed.acknowledged_by,
        acknowledged_by_device=polled.acknowledged_by_device,
    )


def _confirmer(
    confirm_with: object,
    known_receipt: Callable[[str], bool] | None,
    clock: Callable[[], float],
    *,
    asynchronous: bool,
) -> Confirmer[AcknowledgementCallback] | None:
    """The app's confirmer, or None when *handler* gets every callback as claimed.

    :raises TypeError: one of ``confirm_with`` and ``known_receipt`` without the
        other, or a client of the wrong colour.
    """
    if confirm_with is None and known_receipt is None:
        return None
    if confirm_with is None:
        raise TypeError("known_receipt: needs confirm_with, the client that polls")
    if not callable(known_receipt):
        raise TypeError(
            "known_receipt: required with confirm_with, a function telling the "
            f"receipts this application issued; got {describe(known_receipt)}"
        )
    poll = getattr(confirm_with, "receipt", None)
    if not callable(poll) or inspect.iscoroutinefunction(poll) != asynchronous:
        wanted, app = (
            ("an AsyncClient", "callback_asgi_app")
            if asynchronous
            else ("a Client", "callback_app")
        )
        raise TypeError(
            f"confirm_with: {app} needs {wanted}, got {describe(confirm_with)}"
        )
    gate = ConfirmGate[AcknowledgementCallback](
        clock,
        interval=RECEIPT_POLL_INTERVAL,
        per_minute=POLLS_PER_MINUTE,
        burst=POLL_BURST,
    )
    return Confirmer(gate, known_receipt, _confirmed)


# -- WSGI ----------------------------------------------------------------------------------


def callback_app(
    handler: Callable[[AcknowledgementCallback], object],
    *,
    confirm_with: Client | None = None,
    known_receipt: Callable[[str], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> WSGIApplication:
    """A WSGI application that hands each acknowledgement callback to *handler*.

    Mount it at the path of your callback URL (any path is accepted). Answers:
    ``200`` after *handler* returned, ``400`` with a one-line reason for a body that
    is not a callback (malformed, nested too deeply, a field given twice, a bad
    ``Content-Length``, a body the server failed to read or that ended short),
    ``405`` for anything but POST, ``413`` for a body (or a declared length) over
    :data:`MAX_CALLBACK_BODY` bytes: no input makes it answer 500. An exception from
    *handler* propagates, so the server answers 500 and Pushover calls again about a
    minute later. Uses only the standard library; serve it with :mod:`wsgiref` or any
    WSGI server.

    Nothing authenticates a callback: anyone who knows the URL can POST one. Without
    *confirm_with*, *handler* gets what the sender claims: put an unguessable token in
    the URL and confirm each acknowledgement with a receipt poll
    (:meth:`chump_typed.Client.receipt`) before acting on it.

    With ``confirm_with=client`` (a :class:`~chump_typed.Client`) and
    *known_receipt*, the app confirms for you: *handler* gets only acknowledgements
    Pushover confirms, with Pushover's own fields, and each once (once it returned).
    *known_receipt* (``receipt -> bool``) says whether the application issued a
    receipt (its emergency sends' receipts, kept in its database); no other receipt
    is polled, so a forger sending random receipts never makes the application
    repeat Pushover's 4xx answers, which get its address blocked. Polls are paced:
    at most one per receipt in 5 seconds, and overall at most 60 a minute in bursts
    of at most 10 (``RECEIPT_POLL_INTERVAL``, ``POLLS_PER_MINUTE``, ``POLL_BURST``);
    a receipt Pushover refuses is never polled again.

    A forged acknowledgement (Pushover says the message is not acknowledged), one
    naming a receipt the application did not issue or Pushover refused, a copy of
    one handled already, and one saying it is not an acknowledgement get the same
    ``200 OK`` as a real one, and a log record on the ``chump_typed.callbacks``
    logger (the receipt, the sender's address and why; no user key): none is acted
    on. One that cannot be confirmed now (its receipt polled in the last 5 seconds
    or being handled, the rate reached, the poll failed) gets ``503`` with
    ``Retry-After: 60``, so that Pushover calls again. An exception from
    *known_receipt* propagates as one from *handler* does. The poll runs in the
    request (within the client's deadline). *clock* (monotonic seconds) paces the
    polls; tests give their own.

    :raises TypeError: *confirm_with* without *known_receipt* or the reverse, or an
        :class:`~chump_typed.AsyncClient` (use :func:`callback_asgi_app`).
    """
    confirmer = _confirmer(confirm_with, known_receipt, clock, asynchronous=False)

    def confirm(claimed: AcknowledgementCallback, peer: str) -> Answer:
        assert confirmer is not None and confirm_with is not None
        step = confirmer.first(claimed, peer)
        if isinstance(step, Step) and step.kind == "poll":
            polled: Receipt | PushoverError
            try:
                polled = confirm_with.receipt(claimed.receipt)
            except PushoverError as exc:
                polled = exc
            except BaseException:  # not the client's error: the server answers 500
                confirmer.gate.failed(claimed.receipt)
                raise
            step = confirmer.after_poll(claimed, polled, peer)
        if not isinstance(step, Step):
            return step
        assert step.ack is not None
        try:
            handler(step.ack)
        except BaseException:
            confirmer.gate.handled(claimed.receipt, ok=False)
            raise
        confirmer.gate.handled(claimed.receipt, ok=True)
        return OK

    def application(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return answer_wsgi(
                start_response, (405, "POST only\n", [("Allow", "POST")])
            )
        try:
            body = wsgi_body(environ, MAX_CALLBACK_BODY)
            if body is None:
                return answer_wsgi(start_response, (413, "too large\n", []))
            callback = parse_callback(body)
        except ValidationError as exc:
            return answer_wsgi(start_response, (400, f"{exc}\n", []))
        if confirmer is not None:
            peer = peer_of(environ.get("REMOTE_ADDR"))
            return answer_wsgi(start_response, confirm(callback, peer))
        handler(callback)
        return answer_wsgi(start_response, OK)

    return application


# -- ASGI --------------------------------------------------------------------------------

#: The parts of the ASGI interface the app uses (no dependency on an ASGI library).
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
#: What :func:`callback_asgi_app` returns: an ASGI 3 application,
#: ``async (scope, receive, send) -> None`` (typed without an ASGI library).
ASGIApplication = Callable[[Scope, Receive, Send], Awaitable[None]]


def callback_asgi_app(
    handler: Callable[[AcknowledgementCallback], object],
    *,
    confirm_with: AsyncClient | None = None,
    known_receipt: Callable[[str], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ASGIApplication:
    """The ASGI twin of :func:`callback_app`, with the same answers, limits and
    confirmation (``confirm_with=`` an :class:`~chump_typed.AsyncClient`), for async
    servers (uvicorn, hypercorn, a Starlette or FastAPI mount). *handler* may be a
    plain function or a coroutine function; *known_receipt* is a plain function.
    When the client goes away before its body ended, or before the answer could be
    sent, nothing is answered, and a body cut short is not acted on.

    Nothing authenticates a callback: anyone who knows the URL can POST one. Confirm
    each acknowledgement with a receipt poll (:meth:`chump_typed.AsyncClient.receipt`)
    before acting on it, or let the app do it (``confirm_with``).

    :raises TypeError: *confirm_with* without *known_receipt* or the reverse, or a
        sync :class:`~chump_typed.Client` (use :func:`callback_app`).
    """
    confirmer = _confirmer(confirm_with, known_receipt, clock, asynchronous=True)

    async def hand_over(ack: AcknowledgementCallback) -> None:
        outcome = handler(ack)
        if inspect.isawaitable(outcome):
            await outcome

    async def confirm(claimed: AcknowledgementCallback, peer: str) -> Answer:
        assert confirmer is not None and confirm_with is not None
        step = confirmer.first(claimed, peer)
        if isinstance(step, Step) and step.kind == "poll":
            polled: Receipt | PushoverError
            try:
                polled = await confirm_with.receipt(claimed.receipt)
            except PushoverError as exc:
                polled = exc
            except BaseException:  # cancelled, or not the client's error
                confirmer.gate.failed(claimed.receipt)
                raise
            step = confirmer.after_poll(claimed, polled, peer)
        if not isinstance(step, Step):
            return step
        assert step.ack is not None
        try:
            await hand_over(step.ack)
        except BaseException:
            confirmer.gate.handled(claimed.receipt, ok=False)
            raise
        confirmer.gate.handled(claimed.receipt, ok=True)
        return OK

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "lifespan":
            await lifespan(receive, send)
            return
        if scope.get("type") != "http":
            return
        if scope.get("method") != "POST":
            await send_answer(send, (405, "POST only\n", [("Allow", "POST")]))
            return
        try:
            body = await asgi_body(scope, receive, MAX_CALLBACK_BODY)
            if body is Gone.GONE:
                return
            if body is None:
                await send_answer(send, (413, "too large\n", []))
                return
            callback = parse_callback(body)
        except ValidationError as exc:
            await send_answer(send, (400, f"{exc}\n", []))
            return
        if confirmer is not None:
            answer = await confirm(callback, peer_of(scope.get("client")))
            await send_answer(send, answer)
            return
        await hand_over(callback)
        await send_answer(send, OK)

    return application


scrub_public(globals())
