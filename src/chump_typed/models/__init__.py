"""The values that go to Pushover and come back: frozen, keyword-only attrs models.

Request models check every documented rule when they are built, so an invalid request
cannot exist and nothing invalid is ever sent: a broken rule raises
:class:`~chump_typed.errors.ValidationError` naming the field and the bound. A value of
the wrong type raises :class:`TypeError`.

One module per API family: :mod:`~chump_typed.models.messages` (sending),
:mod:`~chump_typed.models.followups` (sounds, validation, receipts, limits),
:mod:`~chump_typed.models.attachment`,
:mod:`~chump_typed.models.groups`, :mod:`~chump_typed.models.accounts` (glances,
subscriptions, licences, teams) and :mod:`~chump_typed.models.client_api` (receiving:
the Open Client API); every name is also importable from here. The models
know nothing of the wire format; :mod:`chump_typed._converter` owns it. Field names are
Pushover's own parameter names.
"""

from __future__ import annotations

import typing as _typing

from chump_typed._checks import MAX_RECIPIENTS
from chump_typed.errors import ErrorResponse
from chump_typed.models._base import (
    Priority,
    RateLimit,
    Request,
    Result,
)
from chump_typed.models.attachment import (
    ATTACHMENT_MAX,
    Attachment,
    guess_image_type,
)
from chump_typed.models.messages import (
    EXPIRE_MAX,
    MESSAGE_MAX,
    RETRY_MIN,
    TITLE_MAX,
    URL_MAX,
    URL_TITLE_MAX,
    Notification,
    SendResult,
)

if _typing.TYPE_CHECKING:  # loaded on first use: see _FAMILIES below
    from chump_typed.models.accounts import (
        CLEAR,
        GLANCE_FIELDS,
        GLANCE_TEXT_MAX,
        LICENSE_OS,
        PERCENT_MAX,
        PERCENT_MIN,
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
        DEVICE_ID_PATTERN,
        OPEN_CLIENT_OS,
        SECRET_PATTERN,
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
        MEMO_MAX,
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
    "ATTACHMENT_MAX",
    "CLEAR",
    "DEVICE_ID_PATTERN",
    "EXPIRE_MAX",
    "GLANCE_FIELDS",
    "GLANCE_TEXT_MAX",
    "LICENSE_OS",
    "MAX_RECIPIENTS",
    "MEMO_MAX",
    "MESSAGE_MAX",
    "OPEN_CLIENT_OS",
    "PERCENT_MAX",
    "PERCENT_MIN",
    "RETRY_MIN",
    "SECRET_PATTERN",
    "TITLE_MAX",
    "URL_MAX",
    "URL_TITLE_MAX",
    "AcknowledgeRequest",
    "AcknowledgeResult",
    "AppLimits",
    "Attachment",
    "CancelByTagRequest",
    "CancelByTagResult",
    "CancelRequest",
    "CancelResult",
    "Clear",
    "DeleteThroughRequest",
    "DeleteThroughResult",
    "Device",
    "DeviceRegistration",
    "DeviceRequest",
    "DownloadRequest",
    "ErrorResponse",
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
    "LicenseAssignRequest",
    "LicenseAssignResult",
    "LicenseCredits",
    "LicenseCreditsRequest",
    "LicenseOS",
    "LimitsRequest",
    "LoginRequest",
    "LoginResult",
    "MessageList",
    "Notification",
    "Priority",
    "RateLimit",
    "Receipt",
    "ReceiptRequest",
    "ReceivedMessage",
    "Request",
    "Result",
    "SendResult",
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
    "UserValidation",
    "ValidateUserRequest",
    "guess_image_type",
]


#: The families loaded on first use of one of their names: a script that sends
#: messages pays for none of the followups, groups, accounts or receiving models.
_FAMILIES: dict[str, str] = {
    **dict.fromkeys(
        (
            "AppLimits",
            "CancelByTagRequest",
            "CancelByTagResult",
            "CancelRequest",
            "CancelResult",
            "LimitsRequest",
            "Receipt",
            "ReceiptRequest",
            "SoundList",
            "SoundsRequest",
            "UserValidation",
            "ValidateUserRequest",
        ),
        "chump_typed.models.followups",
    ),
    **dict.fromkeys(
        (
            "CLEAR",
            "GLANCE_FIELDS",
            "GLANCE_TEXT_MAX",
            "LICENSE_OS",
            "PERCENT_MAX",
            "PERCENT_MIN",
            "Clear",
            "GlanceResult",
            "GlanceUpdate",
            "LicenseAssignRequest",
            "LicenseAssignResult",
            "LicenseCredits",
            "LicenseCreditsRequest",
            "LicenseOS",
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
        ),
        "chump_typed.models.accounts",
    ),
    **dict.fromkeys(
        (
            "DEVICE_ID_PATTERN",
            "OPEN_CLIENT_OS",
            "SECRET_PATTERN",
            "AcknowledgeRequest",
            "AcknowledgeResult",
            "DeleteThroughRequest",
            "DeleteThroughResult",
            "Device",
            "DeviceRegistration",
            "DeviceRequest",
            "DownloadRequest",
            "LoginRequest",
            "LoginResult",
            "MessageList",
            "ReceivedMessage",
        ),
        "chump_typed.models.client_api",
    ),
    **dict.fromkeys(
        (
            "MEMO_MAX",
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
        ),
        "chump_typed.models.groups",
    ),
}

if not _typing.TYPE_CHECKING:  # hidden: type checkers see the imports above

    def __getattr__(name: str) -> object:
        module = _FAMILIES.get(name)
        if module is None:
            raise AttributeError(
                f"module 'chump_typed.models' has no attribute {name!r}"
            )
        from importlib import import_module

        value = getattr(import_module(module), name)
        globals()[name] = value  # later lookups skip this function
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_FAMILIES})
