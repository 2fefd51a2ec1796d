"""chump_typed: a typed, declarative Pushover client with chump's interface on top.

Two ways in:

* the chump-compatible facade: :class:`Application`, :class:`User`, :class:`Message`,
  :class:`EmergencyMessage`, :class:`APIError` and the priority constants;
* the typed core: :class:`Client` with frozen request and result models, whose
  :meth:`Client.call` runs any row of the endpoint table.
"""

from __future__ import annotations

from chump_typed._endpoints import (
    CANCEL_BY_TAG,
    CANCEL_RECEIPT,
    ENDPOINTS,
    GET_LIMITS,
    GET_RECEIPT,
    LIST_SOUNDS,
    SEND_MESSAGE,
    VALIDATE_USER,
    Endpoint,
)
from chump_typed._protocol import HTTPRequest, HTTPResponse, Transport
from chump_typed._urllib3 import PushoverRetry, Urllib3Transport
from chump_typed.client import DEFAULT_BASE_URL, Client
from chump_typed.compat import (
    EMERGENCY,
    HIGH,
    LOW,
    LOWEST,
    NORMAL,
    Application,
    EmergencyMessage,
    Message,
    User,
)
from chump_typed.errors import (
    APIError,
    PushoverError,
    QuotaExceededError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from chump_typed.models import (
    AppLimits,
    CancelByTagRequest,
    CancelByTagResult,
    CancelRequest,
    CancelResult,
    ErrorResponse,
    LimitsRequest,
    Notification,
    Priority,
    RateLimit,
    Receipt,
    ReceiptRequest,
    Result,
    SendResult,
    SoundList,
    SoundsRequest,
    UserValidation,
    ValidateUserRequest,
)

__all__ = [
    "CANCEL_BY_TAG",
    "CANCEL_RECEIPT",
    "DEFAULT_BASE_URL",
    "EMERGENCY",
    "ENDPOINTS",
    "GET_LIMITS",
    "GET_RECEIPT",
    "HIGH",
    "LIST_SOUNDS",
    "LOW",
    "LOWEST",
    "NORMAL",
    "SEND_MESSAGE",
    "VALIDATE_USER",
    "APIError",
    "AppLimits",
    "Application",
    "CancelByTagRequest",
    "CancelByTagResult",
    "CancelRequest",
    "CancelResult",
    "Client",
    "EmergencyMessage",
    "Endpoint",
    "ErrorResponse",
    "HTTPRequest",
    "HTTPResponse",
    "LimitsRequest",
    "Message",
    "Notification",
    "Priority",
    "PushoverError",
    "PushoverRetry",
    "QuotaExceededError",
    "RateLimit",
    "Receipt",
    "ReceiptRequest",
    "Result",
    "SendResult",
    "SoundList",
    "SoundsRequest",
    "Transport",
    "TransportError",
    "UnexpectedResponseError",
    "Urllib3Transport",
    "User",
    "UserValidation",
    "ValidateUserRequest",
    "ValidationError",
]


def __getattr__(name: str) -> str:
    # The version comes from the installed metadata, read only when asked for.
    if name == "__version__":
        from importlib.metadata import version

        return version("chump_typed")
    raise AttributeError(f"module 'chump_typed' has no attribute {name!r}")
