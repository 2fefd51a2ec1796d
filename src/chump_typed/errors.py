"""The exceptions chump_typed raises.

Every exception is a :class:`PushoverError`, so one ``except`` catches them all::

    PushoverError
    ├── ValidationError(PushoverError, ValueError)  bad local input, raised before any I/O
    ├── APIError                                     Pushover answered and said no
    │   ├── QuotaExceededError                       HTTP 429: the monthly quota is spent
    │   └── TwoFactorRequired                        HTTP 412 to a login: send the 2FA code
    ├── PushStreamError                              the realtime stream ended for good
    │   ├── PushRejectedError                        "E": log in again or re-enable the device
    │   └── LoggedInElsewhereError                   "A": the device listens elsewhere
    ├── TransportError                               no response (connect/read failure, timeout)
    └── UnexpectedResponseError                      a response we cannot decode

Exception text never contains an application token or a user key: values that could be
secrets are redacted before they reach a message.

A leaf module: it imports nothing of chump_typed but :mod:`chump_typed._redact`, so
every other module may raise these errors without an import cycle.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, cast, runtime_checkable

import attrs

from chump_typed._redact import (
    redact_bytes,
    redact_mapping,
    redact_text,
    redact_url,
    secrets_of,
)
from chump_typed._scrub import scrub_public

if TYPE_CHECKING:
    from chump_typed.models import RateLimit

__all__ = [
    "APIError",
    "BudgetExceededError",
    "DecryptionError",
    "ErrorResponse",
    "LoggedInElsewhereError",
    "PushRejectedError",
    "PushStreamError",
    "PushoverError",
    "QuotaExceededError",
    "TransportError",
    "TwoFactorRequired",
    "UnexpectedResponseError",
    "ValidationError",
]


_UTC: Final = _dt.timezone.utc


@attrs.frozen(kw_only=True)
class ErrorResponse:
    """Pushover's answer to a rejected request.

    ``errors`` arrives either as a list of messages or, from some APIs (licensing, open
    client), as an object mapping a parameter to its messages; both are kept as sent.
    ``bad_inputs`` holds the per-parameter reasons (``{"user": "invalid"}``) and
    ``extra`` any other key Pushover added, so nothing in the answer is lost.
    """

    status: int = 0
    """The body's ``status``: 0 for a rejection."""
    request: str | None = None
    """Pushover's id for the call, if the body carried one."""
    errors: tuple[str, ...] | dict[str, tuple[str, ...]] = attrs.field(
        default=(), hash=False
    )
    """The error messages, as a list or per parameter, as Pushover sent them."""
    bad_inputs: dict[str, str] = attrs.field(factory=dict[str, str], hash=False)
    """Per-parameter reasons, such as ``{"user": "invalid"}``."""
    receipt: str | None = None
    """The receipt, if the rejected message was an emergency one."""
    extra: dict[str, object] = attrs.field(factory=dict[str, object], hash=False)
    """Any other key of the body, kept as it came."""

    @classmethod
    def from_body(cls, data: Mapping[str, Any]) -> ErrorResponse:
        """Read an error body leniently: whatever its shape, keep everything in it.

        An error response is read to be reported, so it never fails to decode: odd
        types are turned to text rather than refused.
        """
        status = data.get("status", 0)
        request = data.get("request")
        receipt = data.get("receipt")
        bad_inputs: dict[str, str] = {}
        if isinstance(receipt, str) and not _RECEIPT.fullmatch(receipt):
            # {"receipt": "not found"}: a reason about the receipt parameter, not one.
            bad_inputs["receipt"] = receipt
            receipt = None
        extra: dict[str, object] = {}
        for key, value in data.items():
            if key in _ENVELOPE_KEYS:
                continue
            if isinstance(value, str):
                bad_inputs[key] = value
            else:
                extra[key] = value
        return cls(
            status=status
            if isinstance(status, int) and not isinstance(status, bool)
            else 0,
            request=request if isinstance(request, str) else None,
            errors=_structure_errors(data.get("errors")),
            bad_inputs=bad_inputs,
            receipt=receipt if isinstance(receipt, str) else None,
            extra=extra,
        )

    def messages(self) -> list[str]:
        """Every error message as one flat list; object-form entries read
        ``"parameter: message"``."""
        if isinstance(self.errors, dict):
            return [
                f"{name}: {text}"
                for name, texts in self.errors.items()
                for text in texts
            ]
        return list(self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this value was read from (chump's ``APIError.response``)."""
        data: dict[str, Any] = dict(self.extra)
        data.update(self.bad_inputs)
        data["status"] = self.status
        data["request"] = self.request
        data["errors"] = (
            {k: list(v) for k, v in self.errors.items()}
            if isinstance(self.errors, dict)
            else list(self.errors)
        )
        if self.receipt is not None:
            data["receipt"] = self.receipt
        return data


_ENVELOPE_KEYS: Final = frozenset({"status", "request", "errors", "receipt"})

#: A receipt id (30 letters and digits); any other ``receipt`` value is a reason.
_RECEIPT: Final = re.compile(r"[A-Za-z0-9]{30}")


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(t) for t in cast("list[object]", value))
    return (str(value),)


def _structure_errors(value: object) -> tuple[str, ...] | dict[str, tuple[str, ...]]:
    """``errors`` is a list of strings, or an object mapping a parameter to strings."""
    if value is None:
        return ()
    if isinstance(value, dict):
        items = cast("dict[object, object]", value).items()
        return {str(key): _texts(texts) for key, texts in items}
    return _texts(value)


def _redacted(response: ErrorResponse, secrets: list[str]) -> ErrorResponse:
    """*response* with the texts a server writes redacted (:func:`redact_text`)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return redact_text(value, secrets)
        if isinstance(value, (list, tuple)):
            return type(value)(clean(v) for v in value)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
        return value

    return attrs.evolve(  # the request id and the receipt are not secrets: kept
        response,
        errors=clean(response.errors),
        bad_inputs=clean(response.bad_inputs),
        extra=clean(response.extra),
    )


@runtime_checkable
class _RateLimitLike(Protocol):
    """What :class:`QuotaExceededError` needs of a
    :class:`~chump_typed.models.RateLimit` (checked without importing the models)."""

    @property
    def limit(self) -> int: ...
    @property
    def remaining(self) -> int: ...
    @property
    def reset(self) -> _dt.datetime: ...


class PushoverError(Exception):
    """The root of every error chump_typed raises."""


class ValidationError(PushoverError, ValueError):
    """Local input broke one of Pushover's rules; nothing was sent.

    ``field`` names the offending parameter, ``problem`` says what was wrong with it.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.problem))


def _expect(name: str, value: object, kind: type | tuple[type, ...]) -> None:
    """Raise :class:`TypeError` unless *value* is a *kind* (and not a bool for int)."""
    if not isinstance(value, kind) or (
        isinstance(value, bool)
        and kind is not bool
        and bool not in (kind if isinstance(kind, tuple) else ())
    ):
        raise TypeError(f"{name}: got a {type(value).__name__}")


class APIError(PushoverError):
    """Pushover rejected a request (HTTP 4xx, or a body whose ``status`` is not 1).

    Keeps chump's constructor and attributes (``url``, ``request``, ``response``,
    ``timestamp``, ``id``, ``status``, ``errors``, ``bad_inputs``, ``receipt``), and adds
    the typed :class:`~chump_typed.models.ErrorResponse` as :attr:`error_response` and the
    HTTP status as :attr:`http_status`.

    ``request`` is the request payload with the ``token`` and ``user`` values redacted;
    ``url`` never carries a query string. ``timestamp`` is always an aware
    ``datetime``: the one given (a naive one is taken as UTC), or the moment the error
    was made; ``id`` is always a string, empty when the body carried no request id.
    """

    #: The URL called, without its query string.
    url: str
    #: The request's parameters, with the token and user key redacted.
    request: dict[str, Any]
    #: Pushover's answer as a dict (chump's attribute).
    response: dict[str, Any]
    #: When the error happened: an aware datetime.
    timestamp: _dt.datetime
    #: The answer's HTTP status, or None when there was none.
    http_status: int | None
    #: Pushover's answer, typed.
    error_response: ErrorResponse

    def __init__(
        self,
        url: str,
        request: Mapping[str, Any],
        response: Mapping[str, Any] | ErrorResponse,
        timestamp: _dt.datetime | None,
        *,
        http_status: int | None = None,
    ) -> None:
        _expect("url", url, str)
        _expect("request", request, Mapping)
        _expect("response", response, (Mapping, ErrorResponse))
        _expect("timestamp", timestamp, (_dt.datetime, type(None)))
        _expect("http_status", http_status, (int, type(None)))
        if isinstance(response, ErrorResponse):
            typed = response
        else:
            typed = ErrorResponse.from_body(dict(response))
        # A server may echo what it was sent: the request's own secrets go too.
        typed = _redacted(typed, secrets_of(request))
        if timestamp is None:
            timestamp = _dt.datetime.now(_UTC)
        elif timestamp.tzinfo is None or timestamp.utcoffset() is None:
            timestamp = timestamp.replace(tzinfo=_UTC)
        self.url = redact_url(url)
        self.request = redact_mapping(request)
        self.error_response = typed
        self.response = typed.to_dict()
        self.timestamp = timestamp
        self.http_status = http_status
        super().__init__(str(self))

    @property
    def id(self) -> str:
        """The request id Pushover gave this call (quote it to Pushover support);
        empty when the answer carried none."""
        return self.error_response.request or ""

    @property
    def status(self) -> int:
        """The ``status`` field of the body (0 for a rejection)."""
        return self.error_response.status

    @property
    def errors(self) -> list[str]:
        """Human-readable error messages, flattened to one list of strings."""
        return self.error_response.messages()

    @property
    def bad_inputs(self) -> dict[str, str]:
        """Per-parameter reasons, e.g. ``{"user": "invalid"}``."""
        return dict(self.error_response.bad_inputs)

    @property
    def receipt(self) -> str | None:
        """The receipt, if the rejected message was an emergency one."""
        return self.error_response.receipt

    def __str__(self) -> str:
        # What went wrong first; the request id, for Pushover's support, after.
        return f"{', '.join(self.errors)} (request {self.id})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url={self.url!r}, request={self.request!r}, "
            f"response={self.response!r}, timestamp={self.timestamp!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_api_error,
            (
                type(self),
                self.url,
                self.request,
                self.response,
                self.timestamp,
                self.http_status,
            ),
            dict(vars(self)),  # subclasses' extra attributes (rate_limit) come back too
        )


def _rebuild_api_error(
    cls: type[APIError],
    url: str,
    request: dict[str, Any],
    response: dict[str, Any],
    timestamp: _dt.datetime,
    http_status: int | None,
) -> APIError:
    return cls(url, request, response, timestamp, http_status=http_status)


class QuotaExceededError(APIError):
    """HTTP 429: the account's monthly message quota is spent.

    Do not retry before :attr:`reset_at`; :attr:`rate_limit` holds the limit headers when
    Pushover sent them.
    """

    #: The answer's limit headers, or None when it had none.
    rate_limit: RateLimit | None

    def __init__(
        self,
        url: str,
        request: Mapping[str, Any],
        response: Mapping[str, Any] | ErrorResponse,
        timestamp: _dt.datetime | None,
        *,
        http_status: int | None = 429,
        rate_limit: RateLimit | None = None,
    ) -> None:
        if rate_limit is not None and not isinstance(rate_limit, _RateLimitLike):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"rate_limit: got a {type(rate_limit).__name__}")
        self.rate_limit = rate_limit
        super().__init__(url, request, response, timestamp, http_status=http_status)

    @property
    def reset_at(self) -> _dt.datetime | None:
        """When the quota resets, if Pushover said."""
        return None if self.rate_limit is None else self.rate_limit.reset


class BudgetExceededError(PushoverError):
    """The budget a client or handler spends from (:mod:`chump_typed.budget`) has no
    room for this send: nothing was sent. Try again at :attr:`retry_at` at the
    earliest."""

    retry_at: _dt.datetime
    """When the budget has room again (aware, UTC)."""

    def __init__(self, retry_at: _dt.datetime) -> None:
        if not isinstance(retry_at, _dt.datetime):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"retry_at: expected an aware datetime, got a {type(retry_at).__name__}"
            )
        if retry_at.tzinfo is None:
            raise ValidationError("retry_at", "must be timezone-aware")
        self.retry_at = retry_at
        super().__init__(
            f"the notification budget is spent: nothing was sent; it has room again "
            f"at {retry_at.isoformat(timespec='seconds')}"
        )


class TwoFactorRequired(APIError):
    """HTTP 412 to a login: the account uses two-factor authentication. Log in again
    with the code from the authenticator app (``twofa=``)."""

    def __str__(self) -> str:
        return (
            "this account uses two-factor authentication: log in again with the code "
            f"from the authenticator app (twofa=) (request {self.id})"
        )


class PushStreamError(PushoverError):
    """Pushover ended an Open Client device's realtime stream for good: it must not
    reconnect (pushover-api.md §13). The subclass says what the user must do."""


class PushRejectedError(PushStreamError):
    """The stream's ``E`` frame: the session or the device is no longer valid. Log in
    again (``chump-typed login``), or re-enable the device in Pushover's dashboard."""

    def __init__(self) -> None:
        super().__init__(
            "Pushover ended the realtime stream with a permanent error (E): log in "
            "again, or re-enable the device, then listen again"
        )


class LoggedInElsewhereError(PushStreamError):
    """The stream's ``A`` frame: the device logged in from somewhere else. Only one
    program may listen as a device: stop the other one, or register a device of this
    program's own."""

    def __init__(self) -> None:
        super().__init__(
            "the device logged in elsewhere (A): only one program may listen as a "
            "device; stop the other one or register another device"
        )


class TransportError(PushoverError):
    """No usable response arrived: the connection failed, was reset or timed out.

    ``may_have_been_sent`` is true when the request could have reached Pushover before
    the failure, so blindly resending it could deliver a notification twice.

    The underlying library's exception is *not* kept (its frames hold the request body,
    token included, and error trackers record them): ``reason_type`` is its type's name
    and ``reason`` its text with secrets redacted.
    """

    def __init__(
        self,
        message: str,
        *,
        may_have_been_sent: bool = False,
        reason_type: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.may_have_been_sent = may_have_been_sent
        self.reason_type = reason_type
        self.reason = None if reason is None else redact_text(reason)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_transport_error,
            (
                type(self),
                str(self),
                self.may_have_been_sent,
                self.reason_type,
                self.reason,
            ),
        )


def _rebuild_transport_error(
    cls: type[TransportError],
    message: str,
    may_have_been_sent: bool,
    reason_type: str | None = None,
    reason: str | None = None,
) -> TransportError:
    return cls(
        message,
        may_have_been_sent=may_have_been_sent,
        reason_type=reason_type,
        reason=reason,
    )


class UnexpectedResponseError(PushoverError):
    """Pushover (or something in between) answered with a body we cannot decode.

    Typical causes: a 5xx HTML page from a proxy, malformed JSON, a JSON shape that
    drifted from the documented one, or an answer too large to be Pushover's.
    ``http_status`` and a short, redacted ``body`` excerpt are kept for diagnosis.
    ``may_have_been_sent`` is true when the server may have acted on the request (it
    answered, but not in a way that says it did not), so resending could repeat it.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int,
        body: bytes = b"",
        may_have_been_sent: bool = False,
        secrets: Iterable[str] = (),
    ) -> None:
        _expect("http_status", http_status, int)
        _expect("body", body, bytes)
        if isinstance(secrets, (str, bytes)):
            raise TypeError("secrets: expected an iterable of str, got a str")
        secrets = tuple(secrets)
        for secret in secrets:
            _expect("secrets", secret, str)
        super().__init__(f"{redact_text(message, secrets)} (HTTP {http_status})")
        self.http_status = http_status
        # Redact before cutting, so that no secret is cut in two and half kept: a
        # secret parameter's JSON value ("secret": "...") may run past the cut.
        self.body = redact_bytes(body[:4096], secrets)[:512]
        self.may_have_been_sent = may_have_been_sent

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_unexpected,
            (
                type(self),
                self.args[0],
                self.http_status,
                self.body,
                self.may_have_been_sent,
            ),
        )


def _rebuild_unexpected(
    cls: type[UnexpectedResponseError],
    text: str,
    http_status: int,
    body: bytes,
    may_have_been_sent: bool = False,
) -> UnexpectedResponseError:
    suffix = f" (HTTP {http_status})"
    message = text[: -len(suffix)] if text.endswith(suffix) else text
    return cls(
        message,
        http_status=http_status,
        body=body,
        may_have_been_sent=may_have_been_sent,
    )


class DecryptionError(PushoverError):
    """An end-to-end encrypted field could not be decrypted: its MAC does not match
    the key (a wrong key, or a field altered on the way), or what the MAC covers is
    not base64, AES-CBC with PKCS#7 padding, gzip and UTF-8 text within the size cap.

    The text says which check failed, never the key or the field.
    """


scrub_public(globals())
