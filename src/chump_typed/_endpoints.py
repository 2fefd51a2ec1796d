"""The table of Pushover calls: one typed row per call, run by one executor.

Each row is an :class:`Endpoint` that says how a request model goes on the wire (method,
path template) and which result model comes back. :meth:`chump_typed.Client.call` runs
any row; adding a call is one model pair, one row here and one one-line client method.
"""

from __future__ import annotations

import string
from typing import Any, Final, Generic, Literal, TypeVar

import attrs

from chump_typed import models
from chump_typed._protocol import Method

__all__ = [
    "CANCEL_BY_TAG",
    "CANCEL_RECEIPT",
    "ENDPOINTS",
    "GET_LIMITS",
    "GET_RECEIPT",
    "LIST_SOUNDS",
    "SEND_MESSAGE",
    "VALIDATE_USER",
    "Credential",
    "Endpoint",
]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)

Credential = Literal["app", "team"]


def _placeholders_of(endpoint: Endpoint[Any, Any]) -> tuple[str, ...]:
    """The ``{field}`` names in the endpoint's path template, in order."""
    parsed = string.Formatter().parse(endpoint.path)
    return tuple(name for _, name, _, _ in parsed if name is not None)


@attrs.frozen
class Endpoint(Generic[Req, Resp]):
    """One Pushover call.

    ``path`` is relative to the base URL and may hold ``{field}`` placeholders, filled
    (percent-encoded) from the request field of that name. ``retryable`` is false for
    calls that must never be resent after a server error because each success has a
    cost. ``credential`` says which token authenticates the call.
    """

    name: str
    method: Method
    path: str
    request_type: type[Req]
    response_type: type[Resp]
    retryable: bool = True
    credential: Credential = "app"
    placeholders: tuple[str, ...] = attrs.field(
        init=False, default=attrs.Factory(_placeholders_of, takes_self=True)
    )


SEND_MESSAGE: Final = Endpoint(
    "send_message", "POST", "messages.json", models.Notification, models.SendResult
)
LIST_SOUNDS: Final = Endpoint(
    "list_sounds", "GET", "sounds.json", models.SoundsRequest, models.SoundList
)
VALIDATE_USER: Final = Endpoint(
    "validate_user",
    "POST",
    "users/validate.json",
    models.ValidateUserRequest,
    models.UserValidation,
)
GET_RECEIPT: Final = Endpoint(
    "get_receipt",
    "GET",
    "receipts/{receipt}.json",
    models.ReceiptRequest,
    models.Receipt,
)
CANCEL_RECEIPT: Final = Endpoint(
    "cancel_receipt",
    "POST",
    "receipts/{receipt}/cancel.json",
    models.CancelRequest,
    models.CancelResult,
)
CANCEL_BY_TAG: Final = Endpoint(
    "cancel_by_tag",
    "POST",
    "receipts/cancel_by_tag/{tag}.json",
    models.CancelByTagRequest,
    models.CancelByTagResult,
)
GET_LIMITS: Final = Endpoint(
    "get_limits", "GET", "apps/limits.json", models.LimitsRequest, models.AppLimits
)

#: Every row, in the order of Pushover's documentation.
ENDPOINTS: Final[tuple[Endpoint[Any, Any], ...]] = (
    SEND_MESSAGE,
    LIST_SOUNDS,
    VALIDATE_USER,
    GET_RECEIPT,
    CANCEL_RECEIPT,
    CANCEL_BY_TAG,
    GET_LIMITS,
)
