"""chump_typed: a typed, declarative Pushover client with chump's interface on top.

Two ways in:

* the chump-compatible facade: :class:`Application`, :class:`User`, :class:`Message`,
  :class:`EmergencyMessage`, :class:`APIError` and the priority constants;
* the typed core: :class:`Client` with frozen request and result models, whose
  :meth:`Client.call` runs any row of the endpoint table.
"""

from __future__ import annotations

import typing as _typing

from chump_typed import _endpoints, models
from chump_typed._endpoints import SEND_MESSAGE, Credential, Endpoint
from chump_typed.client import DEFAULT_BASE_URL, Client
from chump_typed.errors import (
    APIError,
    DecryptionError,
    LoggedInElsewhereError,
    PushoverError,
    PushRejectedError,
    PushStreamError,
    QuotaExceededError,
    TransportError,
    TwoFactorRequired,
    UnexpectedResponseError,
    ValidationError,
)
from chump_typed.models import (
    Attachment,
    ErrorResponse,
    Notification,
    Priority,
    RateLimit,
    Request,
    Result,
    SendResult,
)
from chump_typed.models.attachment import AttachmentSource
from chump_typed.protocol import AsyncTransport, HTTPRequest, HTTPResponse, Transport

if _typing.TYPE_CHECKING:  # imported on first use: see _LAZY below
    from chump_typed._aiohttp import AiohttpTransport
    from chump_typed._bulk import (
        Failed,
        NotAttempted,
        SendOutcome,
        Sent,
        chunk_recipients,
    )
    from chump_typed._endpoints import ENDPOINTS
    from chump_typed._endpoints_accounts import (
        ADD_TEAM_USER,
        ASSIGN_LICENSE,
        LICENSE_CREDITS,
        MIGRATE_SUBSCRIPTION,
        REMOVE_TEAM_USER,
        REVOKE_TEAM_INVITATION,
        TEAM_INFO,
        UPDATE_GLANCE,
    )
    from chump_typed._endpoints_followups import (
        CANCEL_BY_TAG,
        CANCEL_RECEIPT,
        GET_LIMITS,
        GET_RECEIPT,
        LIST_SOUNDS,
        VALIDATE_USER,
    )
    from chump_typed._endpoints_groups import (
        ADD_GROUP_USER,
        CREATE_GROUP,
        DISABLE_GROUP_USER,
        ENABLE_GROUP_USER,
        GROUP_INFO,
        LIST_GROUPS,
        REMOVE_GROUP_USER,
        REMOVE_GROUP_USER_LEGACY,
        RENAME_GROUP,
    )
    from chump_typed._endpoints_receiving import (
        ACKNOWLEDGE,
        DELETE_THROUGH,
        DOWNLOAD_MESSAGES,
        LOGIN,
        REGISTER_DEVICE,
    )
    from chump_typed._httpx import AsyncHttpxTransport, HttpxTransport
    from chump_typed._repair import BroadcastRepair, KeyStatus
    from chump_typed._retry import (
        Answered,
        MaybeSent,
        NotConnected,
        RetryAfter,
        RetryEvent,
        RetryPolicy,
        RetryStop,
    )
    from chump_typed._urllib3 import Urllib3Transport
    from chump_typed.aio import AsyncClient
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
    from chump_typed.e2ee import E2EEKey
    from chump_typed.models.accounts import (
        CLEAR,
        Clear,
        GlanceResult,
        GlanceUpdate,
        LicenseAssignRequest,
        LicenseAssignResult,
        LicenseCredits,
        LicenseCreditsRequest,
        LicenseOS,
        SubscriptionMigrateRequest,
        SubscriptionMigrateResult,
        TeamAddUserRequest,
        TeamAddUserResult,
        TeamDevice,
        TeamInfo,
        TeamInfoRequest,
        TeamRemoveUserRequest,
        TeamRemoveUserResult,
        TeamRevokeInvitationRequest,
        TeamRevokeInvitationResult,
        TeamUser,
    )
    from chump_typed.models.client_api import (
        AcknowledgeRequest,
        AcknowledgeResult,
        DeleteThroughRequest,
        DeleteThroughResult,
        Device,
        DeviceRegistration,
        DeviceRequest,
        DownloadRequest,
        LoginRequest,
        LoginResult,
        MessageList,
        ReceivedMessage,
    )
    from chump_typed.models.followups import (
        AppLimits,
        CancelByTagRequest,
        CancelByTagResult,
        CancelRequest,
        CancelResult,
        LimitsRequest,
        Receipt,
        ReceiptRequest,
        SoundList,
        SoundsRequest,
        UserValidation,
        ValidateUserRequest,
    )
    from chump_typed.models.groups import (
        GroupAddUserRequest,
        GroupAddUserResult,
        GroupCreateRequest,
        GroupCreateResult,
        GroupDisableUserRequest,
        GroupDisableUserResult,
        GroupEnableUserRequest,
        GroupEnableUserResult,
        GroupInfo,
        GroupInfoRequest,
        GroupList,
        GroupListRequest,
        GroupMember,
        GroupRemoveUserRequest,
        GroupRemoveUserResult,
        GroupRenameRequest,
        GroupRenameResult,
        GroupSummary,
    )

__all__ = [
    "ACKNOWLEDGE",
    "ADD_GROUP_USER",
    "ADD_TEAM_USER",
    "ASSIGN_LICENSE",
    "CANCEL_BY_TAG",
    "CANCEL_RECEIPT",
    "CLEAR",
    "CREATE_GROUP",
    "DEFAULT_BASE_URL",
    "DELETE_THROUGH",
    "DISABLE_GROUP_USER",
    "DOWNLOAD_MESSAGES",
    "EMERGENCY",
    "ENABLE_GROUP_USER",
    "ENDPOINTS",
    "GET_LIMITS",
    "GET_RECEIPT",
    "GROUP_INFO",
    "HIGH",
    "LICENSE_CREDITS",
    "LIST_GROUPS",
    "LIST_SOUNDS",
    "LOGIN",
    "LOW",
    "LOWEST",
    "MIGRATE_SUBSCRIPTION",
    "NORMAL",
    "REGISTER_DEVICE",
    "REMOVE_GROUP_USER",
    "REMOVE_GROUP_USER_LEGACY",
    "REMOVE_TEAM_USER",
    "RENAME_GROUP",
    "REVOKE_TEAM_INVITATION",
    "SEND_MESSAGE",
    "TEAM_INFO",
    "UPDATE_GLANCE",
    "VALIDATE_USER",
    "APIError",
    "AcknowledgeRequest",
    "AcknowledgeResult",
    "AiohttpTransport",
    "Answered",
    "AppLimits",
    "Application",
    "AsyncClient",
    "AsyncHttpxTransport",
    "AsyncTransport",
    "Attachment",
    "AttachmentSource",
    "BroadcastRepair",
    "CancelByTagRequest",
    "CancelByTagResult",
    "CancelRequest",
    "CancelResult",
    "Clear",
    "Client",
    "Credential",
    "DecryptionError",
    "DeleteThroughRequest",
    "DeleteThroughResult",
    "Device",
    "DeviceRegistration",
    "DeviceRequest",
    "DownloadRequest",
    "E2EEKey",
    "EmergencyMessage",
    "Endpoint",
    "ErrorResponse",
    "Failed",
    "GlanceResult",
    "GlanceUpdate",
    "GroupAddUserRequest",
    "GroupAddUserResult",
    "GroupCreateRequest",
    "GroupCreateResult",
    "GroupDisableUserRequest",
    "GroupDisableUserResult",
    "GroupEnableUserRequest",
    "GroupEnableUserResult",
    "GroupInfo",
    "GroupInfoRequest",
    "GroupList",
    "GroupListRequest",
    "GroupMember",
    "GroupRemoveUserRequest",
    "GroupRemoveUserResult",
    "GroupRenameRequest",
    "GroupRenameResult",
    "GroupSummary",
    "HTTPRequest",
    "HTTPResponse",
    "HttpxTransport",
    "KeyStatus",
    "LicenseAssignRequest",
    "LicenseAssignResult",
    "LicenseCredits",
    "LicenseCreditsRequest",
    "LicenseOS",
    "LimitsRequest",
    "LoggedInElsewhereError",
    "LoginRequest",
    "LoginResult",
    "MaybeSent",
    "Message",
    "MessageList",
    "NotAttempted",
    "NotConnected",
    "Notification",
    "Priority",
    "PushRejectedError",
    "PushStreamError",
    "PushoverError",
    "QuotaExceededError",
    "RateLimit",
    "Receipt",
    "ReceiptRequest",
    "ReceivedMessage",
    "Request",
    "Result",
    "RetryAfter",
    "RetryEvent",
    "RetryPolicy",
    "RetryStop",
    "SendOutcome",
    "SendResult",
    "Sent",
    "SoundList",
    "SoundsRequest",
    "SubscriptionMigrateRequest",
    "SubscriptionMigrateResult",
    "TeamAddUserRequest",
    "TeamAddUserResult",
    "TeamDevice",
    "TeamInfo",
    "TeamInfoRequest",
    "TeamRemoveUserRequest",
    "TeamRemoveUserResult",
    "TeamRevokeInvitationRequest",
    "TeamRevokeInvitationResult",
    "TeamUser",
    "Transport",
    "TransportError",
    "TwoFactorRequired",
    "UnexpectedResponseError",
    "Urllib3Transport",
    "User",
    "UserValidation",
    "ValidateUserRequest",
    "ValidationError",
    "chunk_recipients",
]


#: Names imported on first use, so that ``import chump_typed`` stays cheap for scripts
#: that need neither the chump facade nor the urllib3 transport (nor urllib3 itself).
_LAZY: dict[str, str] = {
    # Every row (it loads every family), and the families other than sending: each
    # name is loaded by the module that defers it, whose table says which it defers.
    "ENDPOINTS": "chump_typed._endpoints",
    **{
        name: "chump_typed._endpoints"
        for name in _endpoints._FAMILY_ROWS  # pyright: ignore[reportPrivateUsage]
        if name in __all__
    },
    **{
        name: "chump_typed.models"
        for name in models._FAMILIES  # pyright: ignore[reportPrivateUsage]
        if name in __all__
    },
    **dict.fromkeys(
        ("Failed", "NotAttempted", "SendOutcome", "Sent", "chunk_recipients"),
        "chump_typed._bulk",
    ),
    **dict.fromkeys(("BroadcastRepair", "KeyStatus"), "chump_typed._repair"),
    **dict.fromkeys(
        (
            "Answered",
            "MaybeSent",
            "NotConnected",
            "RetryAfter",
            "RetryEvent",
            "RetryPolicy",
            "RetryStop",
        ),
        "chump_typed._retry",
    ),
    "Urllib3Transport": "chump_typed._urllib3",
    "AsyncHttpxTransport": "chump_typed._httpx",
    "HttpxTransport": "chump_typed._httpx",
    "E2EEKey": "chump_typed.e2ee",
    "AiohttpTransport": "chump_typed._aiohttp",
    "AsyncClient": "chump_typed.aio",
    **dict.fromkeys(
        (
            "EMERGENCY",
            "HIGH",
            "LOW",
            "LOWEST",
            "NORMAL",
            "Application",
            "EmergencyMessage",
            "Message",
            "User",
        ),
        "chump_typed.compat",
    ),
}

if _typing.TYPE_CHECKING:
    __version__: str
else:
    # Hidden from type checkers: a module-level __getattr__ would make every misspelt
    # name (``chump_typed.Clinet``) type-check. They see the lazy names imported above.
    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is not None:
            from importlib import import_module

            value = getattr(import_module(module), name)
            globals()[name] = value  # later lookups skip this function
            return value
        # The version comes from the installed metadata, read only when asked for.
        if name == "__version__":
            from importlib.metadata import version

            return version("chump_typed")
        if name == "PushoverRetry":
            raise AttributeError(
                "chump_typed.PushoverRetry was replaced by chump_typed.RetryPolicy, "
                "which every transport asks (see CHANGELOG.md)"
            )
        raise AttributeError(f"module 'chump_typed' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
