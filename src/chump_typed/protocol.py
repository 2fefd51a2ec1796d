"""The sans-I/O layer, public for library authors: HTTP values, the Transport protocol,
and pure encode/decode.

Nothing here touches a socket. :func:`encode_request` turns an endpoint row and a request
model into an :class:`HTTPRequest`; a :class:`Transport` moves it; :func:`decode_response`
turns the :class:`HTTPResponse` into the row's result model or a typed error.

A request may carry per-call options (:class:`SendOptions`, in ``request.options``): a
deadline or a retry policy that replaces the transport's own for that one call, so
that clients sharing one transport (and its connections) can send with different
settings. The transports of this package honour them; a transport that ignores them
still works, with its own settings for every call.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, cast

import attrs

from chump_typed._checks import (
    check_extra_params,
    check_int_range,
    check_seconds,
    check_unicode,
    optional,
    require_type,
)
from chump_typed._endpoints import Method
from chump_typed._epoch import epoch_to_datetime
from chump_typed._redact import redact_url, secrets_of
from chump_typed._scrub import scrub_public
from chump_typed.errors import (
    APIError,
    ErrorResponse,
    QuotaExceededError,
    UnexpectedResponseError,
    ValidationError,
)
from chump_typed.models import Attachment, RateLimit, Result

if TYPE_CHECKING:
    from types import ModuleType as _ConverterModule

    from chump_typed._endpoints import Endpoint
    from chump_typed._retry import RetryPolicy
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "AsyncTransport",
    "HTTPRequest",
    "HTTPResponse",
    "Method",
    "SendOptions",
    "Transport",
    "decode_response",
    "encode_request",
    "fill_path",
    "form_encode",
    "is_async_transport",
    "parse_date",
    "parse_rate_limit",
]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=Result)

_UTC: Final = _dt.timezone.utc
_BASE_HEADERS: Final[Mapping[str, str]] = {"accept": "application/json"}
_FORM_HEADERS: Final[Mapping[str, str]] = {
    "accept": "application/json",
    "content-type": "application/x-www-form-urlencoded",
}


def _check_policy(_instance: object, _attribute: object, value: Any) -> None:
    if value is not None:
        # Imported here: the retry module imports this one (and a policy given means
        # that it is loaded already).
        from chump_typed._retry import RetryPolicy

        require_type("retries", value, RetryPolicy)


@attrs.frozen(kw_only=True)
class SendOptions:
    """Per-call options a request carries to its transport (``HTTPRequest.options``):
    each one set replaces the transport's own for that call only; ``None`` keeps it.

    The transports of this package honour them. A transport that ignores them (one
    written before they existed) still works, but sends every call with its own
    settings.

    :param deadline: the longest the call may take, retries and waits included, in
        seconds (a finite number above 0).
    :param retries: the :class:`~chump_typed.RetryPolicy` of the call.
    :param max_response_size: the largest decoded answer read for the call, in bytes
        (an int of at least 1): what an endpoint row with answers larger than most
        asks for (:attr:`Endpoint.max_response_size
        <chump_typed._endpoints.Endpoint.max_response_size>`).
    """

    deadline: float | None = attrs.field(
        default=None, validator=optional(check_seconds)
    )
    retries: RetryPolicy | None = attrs.field(default=None, validator=_check_policy)
    max_response_size: int | None = attrs.field(
        default=None, validator=optional(check_int_range, low=1)
    )


@attrs.frozen(repr=False, kw_only=True)
class HTTPRequest:
    """One HTTP request, fully encoded: what a transport puts on the wire.

    ``retryable`` is false for calls that must never be resent automatically even after
    a server error (each success spends money, e.g. licence assignment). Independently
    of it, a transport never resends a POST once the request may have reached the server.
    ``options`` are the call's own deadline and retry policy, if any (:class:`SendOptions`).
    """

    #: The HTTP method.
    method: Method
    #: The full URL.
    url: str
    #: The request's headers.
    headers: Mapping[str, str] = attrs.field(factory=dict[str, str], hash=False)
    #: The encoded body (form or multipart).
    body: bytes = b""
    #: False for a call never resent after a server error.
    retryable: bool = True
    #: The text parameters sent (token included), kept for error reports and logs,
    #: which redact them; not part of equality.
    params: Mapping[str, str] = attrs.field(
        factory=dict[str, str], eq=False, hash=False
    )
    #: The call's own deadline and retry policy, if any.
    options: SendOptions | None = attrs.field(default=None, eq=False, hash=False)

    def __repr__(self) -> str:
        # The body and the query string carry the token: never show them.
        return (
            f"HTTPRequest(method={self.method!r}, url={redact_url(self.url)!r}, "
            f"body=<{len(self.body)} bytes>)"
        )


@attrs.frozen(kw_only=True)
class HTTPResponse:
    """One HTTP response as a transport received it. Header names are lower case."""

    #: The HTTP status.
    status: int
    #: The answer's headers, names in lower case.
    headers: Mapping[str, str] = attrs.field(factory=dict[str, str], hash=False)
    #: The answer's body.
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


class AsyncTransport(Protocol):
    """The async twin of :class:`Transport`, for :class:`~chump_typed.AsyncClient`:
    ``send`` is a coroutine function (that is how the two are told apart).

    :class:`~chump_typed.AsyncHttpxTransport` is the real one;
    :class:`~chump_typed.testing.AsyncFakeTransport` answers from an in-memory fake.
    """

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request* and return the response."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...


def is_async_transport(transport: object) -> bool:
    """Whether *transport*'s ``send`` is a coroutine function."""
    import inspect

    return inspect.iscoroutinefunction(getattr(transport, "send", None))


# -- Encoding --------------------------------------------------------------------------

#: :mod:`chump_typed._converter`, once the first request is encoded: cattrs and the
#: converter are left out of start-up (an ``import`` per call would cost a microsecond).
_wire: _ConverterModule | None = None


def _load_wire() -> _ConverterModule:
    global _wire
    from chump_typed import _converter

    _wire = _converter
    return _converter


def _wire_value(value: object) -> str:
    """One unstructured value as form text: strings as they are, ints as digits.

    A subclass of ``str`` or ``int`` (a ``(str, Enum)`` member, ``Priority``) goes as
    the plain value it was validated as: formatting it would give ``Cls.MEMBER`` on
    some Pythons."""
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    return str(value)


#: Text made of base64's alphabet only; long runs of it are escaped with str.replace.
_BASE64_TEXT: Final = re.compile(r"[A-Za-z0-9+/=]*")
_LONG: Final = 4096


def _quote_value(value: str, quote_plus: Callable[[str], str]) -> str:
    # quote_plus walks the text in Python: ~0.5 s for a 5 MiB image in base64. For
    # base64's alphabet its output is three replacements, which run in C.
    if len(value) > _LONG and _BASE64_TEXT.fullmatch(value):
        return value.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return quote_plus(value)


def _form_text(fields: Mapping[str, str]) -> str:
    """``urllib.parse.urlencode(fields)``, character for character."""
    # Imported once per request, not per field: the statement costs 2 us each time
    # (urllib.parse is loaded by then: every transport uses it).
    from urllib.parse import quote_plus

    return "&".join(
        f"{_quote_value(k, quote_plus)}={_quote_value(v, quote_plus)}"
        for k, v in fields.items()
    )


def form_encode(fields: Mapping[str, str]) -> bytes:
    """``application/x-www-form-urlencoded`` bytes, as :func:`urllib.parse.urlencode`
    makes them (fast for a long base64 value such as ``attachment_base64``)."""
    return _form_text(fields).encode("ascii")


def _for_reports(
    fields: Mapping[str, str], files: Mapping[str, Attachment]
) -> dict[str, str]:
    """The parameters as error reports show them: an image is summarised, not copied
    (a base64 attachment is some 7 million characters)."""
    shown = dict(fields)
    if "attachment_base64" in shown:
        shown["attachment_base64"] = f"<{len(shown['attachment_base64'])} characters>"
    for name, attachment in files.items():
        shown[name] = (
            f"<{attachment.content_type}, {len(attachment.data)} bytes, "
            f"{attachment.filename!r}>"
        )
    return shown


def fill_path(template: str, values: Mapping[str, str]) -> str:
    """Fill *template*'s ``{field}`` placeholders so that no value can change the path.

    Each value is percent-encoded (``/`` too, so the segments stay the template's), and
    a segment left empty or only dots (``.``, ``..``), which URL normalisation would drop
    or read as "parent", is refused with :class:`ValidationError`.
    """
    from urllib.parse import quote

    segments: list[str] = []
    for segment in template.split("/"):
        filled, fields = segment, list[str]()
        for name, value in values.items():
            placeholder = "{" + name + "}"
            if placeholder in filled:
                filled = filled.replace(placeholder, quote(value, safe=""))
                fields.append(name)
        if fields and not filled.strip("."):
            raise ValidationError(
                fields[0], "must not be empty or only dots in a URL path"
            )
        segments.append(filled)
    return "/".join(segments)


def encode_request(
    endpoint: Endpoint[Req, Any],
    request: Req,
    *,
    token: str,
    base_url: str,
    e2ee_key: E2EEKey | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> HTTPRequest:
    """Build the :class:`HTTPRequest` for *request* on *endpoint*; pure.

    *token* is the secret of the row's credential (sent under its parameter name).
    Path placeholders are filled from the request's fields, percent-encoded so that a
    value can never change the path; the other fields and the token go in the query
    string (GET) or a form-encoded body (POST). A request holding a binary
    :class:`~chump_typed.models.Attachment` goes as ``multipart/form-data`` instead,
    the attachment as a file part with its filename and content type.

    With *e2ee_key* (a message only), the fields Pushover's apps decrypt are encrypted
    for that key (:func:`chump_typed.e2ee.seal_fields`); the rest stay in clear.

    *extra_params* are string parameters Pushover documents after this release, sent
    as they are (never encrypted). A name the request has as a field, or one the
    library sets itself (:data:`~chump_typed._checks.RESERVED_PARAMS`: the token, the
    user, encryption, attachments), is refused: an extra parameter can never
    override them.
    """
    param = endpoint.credential.param  # empty: the request carries its own secrets
    fields: dict[str, str] = {param: token} if param else {}
    files: dict[str, Attachment] = {}
    for name, value in (_wire or _load_wire()).unstructure_request(request).items():
        if isinstance(value, Attachment):
            files[name] = value
        else:
            fields[name] = _wire_value(value)
    if e2ee_key is not None:
        fields = _sealed(endpoint, fields, e2ee_key)
    if extra_params is not None:  # after sealing: never encrypted
        taken = {field.name for field in attrs.fields(type(request))} | set(fields)
        fields.update(check_extra_params("extra_params", extra_params, taken=taken))
    path = endpoint.path
    if endpoint.placeholders:  # most rows have none: their path is the template
        path = fill_path(
            path, {name: fields.pop(name) for name in endpoint.placeholders}
        )
    url = base_url + path
    try:
        return _build(endpoint, url, fields, files)
    except UnicodeEncodeError:  # a lone surrogate that got past the models' checks
        raise _unencodable(fields) from None


def _sealed(
    endpoint: Endpoint[Any, Any], fields: dict[str, str], e2ee_key: object
) -> dict[str, str]:
    """*fields* with the message's text encrypted (cryptography is imported here,
    on the first encrypted send only)."""
    if endpoint.path != "messages.json":
        raise TypeError(f"{endpoint.name}: only a message can be end-to-end encrypted")
    from chump_typed.e2ee import E2EEKey, seal_fields

    if not isinstance(e2ee_key, E2EEKey):
        raise TypeError(
            f"e2ee_key: expected an E2EEKey, got a {type(e2ee_key).__name__}"
        )
    return seal_fields(e2ee_key, fields)


def _unencodable(fields: Mapping[str, str]) -> ValidationError:
    """The error for the field that is not valid Unicode (named, never shown: the
    value may be a secret)."""
    try:
        for name, value in fields.items():
            check_unicode(name, value)
    except ValidationError as error:
        return error
    return ValidationError("request", "must be valid Unicode text")


def _build(
    endpoint: Endpoint[Any, Any],
    url: str,
    fields: dict[str, str],
    files: dict[str, Attachment],
) -> HTTPRequest:
    """The HTTP request for encoded *fields* (and *files*) of *endpoint* at *url*."""
    if files:
        if endpoint.method != "POST":
            raise TypeError(f"{endpoint.name}: only a POST can carry a file")
        from chump_typed._multipart import encode_multipart  # with the first file

        body, content_type = encode_multipart(fields, files)
        return HTTPRequest(
            method="POST",
            url=url,
            headers={**_BASE_HEADERS, "content-type": content_type},
            body=body,
            retryable=endpoint.retryable,
            params=_for_reports(fields, files),
        )
    if endpoint.method == "GET":
        return HTTPRequest(
            method="GET",
            url=f"{url}?{_form_text(fields)}",
            headers=_BASE_HEADERS,
            retryable=endpoint.retryable,
            params=fields,
        )
    return HTTPRequest(
        method="POST",
        url=url,
        headers=_FORM_HEADERS,
        body=form_encode(fields),
        retryable=endpoint.retryable,
        params=_for_reports(fields, {}),
    )


# -- Decoding --------------------------------------------------------------------------


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """The ``X-Limit-App-*`` headers as a :class:`RateLimit`, or ``None`` when any is
    missing or malformed (they are documented for the messages endpoint only)."""
    try:
        limit = headers["x-limit-app-limit"]
        remaining = headers["x-limit-app-remaining"]
        reset = headers["x-limit-app-reset"]
        return RateLimit(
            limit=int(limit),
            remaining=int(remaining),
            reset=epoch_to_datetime(int(reset)),
        )
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        return None


def parse_date(headers: Mapping[str, str]) -> _dt.datetime | None:
    """The response's ``Date`` header as an aware datetime, if present and valid."""
    import email.utils  # only error reports need it: left out of start-up

    value = headers.get("date")
    if value is None:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)


def _load_json(response: HTTPResponse) -> dict[str, Any] | None:
    import json  # with the first answer: out of start-up

    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None  # pyright: ignore[reportUnknownVariableType]


def _is_success(status: object) -> bool:
    """Whether a body's ``status`` says success: ``1``, ``1.0`` or ``"1"``."""
    if isinstance(status, bool):
        return False
    if isinstance(status, (int, float)):
        return status == 1
    return isinstance(status, str) and status.strip() == "1"


def decode_response(
    endpoint: Endpoint[Any, Resp], request: HTTPRequest, response: HTTPResponse
) -> Resp:
    """Turn *response* into the row's result model, or raise a typed error; pure.

    * 429 -> :class:`QuotaExceededError` (with the limit headers);
    * another 4xx -> :class:`APIError`;
    * a 200 whose ``status`` is ``1`` (or ``1.0``, ``"1"``) -> the result;
    * a 200 whose ``status`` is anything else, 5xx, other statuses, a body that is not
      a JSON object, or a success body that does not match the documented shape ->
      :class:`UnexpectedResponseError`, with ``may_have_been_sent`` true when a POST
      was answered with a 2xx (or a 504): the server may have acted on it.
    """
    status = response.status
    # A POST the server answered with a 2xx (or a 504 gateway timeout) may have been
    # acted on: an error about its answer must not invite a resend.
    acted = request.method != "GET" and (200 <= status < 300 or status == 504)
    data = _load_json(response)
    if data is None and status == 429:
        data = {}  # the quota is spent whatever the body says (or fails to say)
    if data is None:
        kind = "server error" if status >= 500 else "response that is not a JSON object"
        raise UnexpectedResponseError(
            f"{endpoint.name}: {kind}",
            http_status=status,
            body=response.body,
            may_have_been_sent=acted,
            secrets=secrets_of(request.params),
        )
    if status == 429 or 400 <= status < 500:
        error_cls = endpoint.status_errors.get(status) or (
            QuotaExceededError if status == 429 else APIError
        )
        kwargs: dict[str, Any] = {"http_status": status}
        if status == 429:
            kwargs["rate_limit"] = parse_rate_limit(response.headers)
        raise error_cls(
            redact_url(request.url),
            request.params,
            ErrorResponse.from_body(data),
            parse_date(response.headers) or _dt.datetime.now(_UTC),
            **kwargs,
        )
    if status != 200:
        raise UnexpectedResponseError(
            f"{endpoint.name}: unexpected HTTP status",
            http_status=status,
            body=response.body,
            may_have_been_sent=acted,
            secrets=secrets_of(request.params),
        )
    if not _is_success(data.get("status")):
        # Pushover rejects with a 4xx; a 200 that does not say success is not a
        # rejection we can trust (the message may well have gone out).
        raise UnexpectedResponseError(
            f"{endpoint.name}: a 200 answer whose status is not 1",
            http_status=status,
            body=response.body,
            may_have_been_sent=acted,
            secrets=secrets_of(request.params),
        )
    # Ours to fill, from the headers; the converter takes a RateLimit as it is, so the
    # result is built once (no attrs.evolve re-running validators on a frozen value).
    data["rate_limit"] = parse_rate_limit(response.headers)
    wire = _wire or _load_wire()
    try:
        result = cast("Resp", wire.structure(data, endpoint.response_type))
    except wire.ShapeError as exc:
        raise UnexpectedResponseError(
            f"{endpoint.name}: response does not match the documented shape ({exc})",
            http_status=status,
            body=response.body,
            may_have_been_sent=acted,
            secrets=secrets_of(request.params),
        ) from exc
    return result


scrub_public(globals())
