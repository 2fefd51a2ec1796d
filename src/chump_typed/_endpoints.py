"""The table of Pushover calls: one typed row per call, run by one executor.

Each row is an :class:`Endpoint` that says how a request model goes on the wire (method,
path template), which result model comes back and which :class:`Credential`
authenticates it. :meth:`chump_typed.Client.call` runs any row. Adding a call is one
model pair in its family's module, one row here, one one-line client method and one
route in the fake; :data:`ENDPOINTS` is derived from the rows of this module, and the
tests walk it to name anything else that is missing.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, Final, Generic, Literal, TypeGuard, TypeVar

import attrs

from chump_typed import models
from chump_typed.errors import APIError, TwoFactorRequired, ValidationError

__all__ = [
    "ACCOUNT",
    "ACKNOWLEDGE",
    "ADD_GROUP_USER",
    "ADD_TEAM_USER",
    "APP",
    "ASSIGN_LICENSE",
    "CANCEL_BY_TAG",
    "CANCEL_RECEIPT",
    "CREATE_GROUP",
    "DELETE_THROUGH",
    "DISABLE_GROUP_USER",
    "DOWNLOAD_MESSAGES",
    "ENABLE_GROUP_USER",
    "ENDPOINTS",
    "GET_LIMITS",
    "GET_RECEIPT",
    "GROUP_DELETE_USER_PATH",
    "GROUP_INFO",
    "GROUP_REMOVE_USER_PATH",
    "LICENSE_CREDITS",
    "LIST_GROUPS",
    "LIST_SOUNDS",
    "LOGIN",
    "MIGRATE_SUBSCRIPTION",
    "REGISTER_DEVICE",
    "REMOVE_GROUP_USER",
    "REMOVE_GROUP_USER_LEGACY",
    "REMOVE_TEAM_USER",
    "RENAME_GROUP",
    "REVOKE_TEAM_INVITATION",
    "SEND_MESSAGE",
    "SESSION",
    "TEAM",
    "TEAM_INFO",
    "UPDATE_GLANCE",
    "VALIDATE_USER",
    "Credential",
    "Endpoint",
    "Method",
]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)

#: The HTTP methods Pushover's calls use.
Method = Literal["GET", "POST"]


@attrs.frozen
class Credential:
    """A kind of secret that authenticates calls: which parameter carries it, and
    which keyword of :class:`~chump_typed.Client` supplies it. A new kind of
    credential is a new value of this class, not a new code path.

    ``param`` is empty for ``ACCOUNT``, whose secrets (e-mail and password) are
    fields of the request itself. ``hint`` says how to get the credential, for the
    error raised when a client has none.
    """

    kind: str
    param: str
    keyword: str
    needed_for: str
    hint: str = ""

    def missing(self) -> str:
        """What to do when a client lacks this credential."""
        return self.hint or f"create the client with {self.keyword}="


#: The application's API token: most calls.
APP: Final = Credential(
    kind="app", param="token", keyword="token", needed_for="an application call"
)
#: The Team API token: the Teams calls (pushover-api.md §12).
TEAM: Final = Credential(
    kind="team", param="token", keyword="team_token", needed_for="a Teams API call"
)

#: An Open Client session's secret: the receiving calls (pushover-api.md §13).
SESSION: Final = Credential(
    kind="session",
    param="secret",
    keyword="secret",
    needed_for="an Open Client call",
    hint="run it in a chump_typed.receive.Session (OpenClient().login(...))",
)
#: No stored secret: the request carries the account's e-mail and password (login).
ACCOUNT: Final = Credential(
    kind="account",
    param="",
    keyword="",
    needed_for="a login",
    hint="run it with chump_typed.receive.OpenClient().login(...)",
)


def _placeholders_of(endpoint: Endpoint[Any, Any]) -> tuple[str, ...]:
    """The ``{field}`` names in the endpoint's path template, in order."""
    if not isinstance(endpoint.path, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"path: expected str, got a {type(endpoint.path).__name__}")
    try:
        parsed = list(string.Formatter().parse(endpoint.path))
    except ValueError as exc:  # a lone brace
        raise ValidationError("path", f"is not a valid path template ({exc})") from None
    return tuple(name for _, name, _, _ in parsed if name is not None)


@attrs.frozen
class Endpoint(Generic[Req, Resp]):
    """One Pushover call.

    ``path`` is relative to the base URL and may hold ``{field}`` placeholders, filled
    (percent-encoded) from the request field of that name. ``retryable`` is false for
    calls that must never be resent after a server error because each success has a
    cost. ``credential`` says which token authenticates the call. ``status_errors``
    names the error raised for an HTTP status that means something particular to
    this call (412 to a login: a 2FA code is needed); other 4xx are an
    :class:`~chump_typed.errors.APIError`.
    """

    name: str
    method: Method
    path: str
    request_type: type[Req]
    response_type: type[Resp]
    retryable: bool = True
    credential: Credential = APP
    status_errors: Mapping[int, type[APIError]] = attrs.field(
        factory=dict[int, "type[APIError]"], hash=False
    )
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

# -- Groups (pushover-api.md §8) --------------------------------------------------------

CREATE_GROUP: Final = Endpoint(
    "create_group",
    "POST",
    "groups.json",
    models.GroupCreateRequest,
    models.GroupCreateResult,
)
LIST_GROUPS: Final = Endpoint(
    "list_groups", "GET", "groups.json", models.GroupListRequest, models.GroupList
)
GROUP_INFO: Final = Endpoint(
    "group_info",
    "GET",
    "groups/{group}.json",
    models.GroupInfoRequest,
    models.GroupInfo,
)
ADD_GROUP_USER: Final = Endpoint(
    "add_group_user",
    "POST",
    "groups/{group}/add_user.json",
    models.GroupAddUserRequest,
    models.GroupAddUserResult,
)

#: Where a member is removed: the name of the 2026 documentation and libraries.
GROUP_REMOVE_USER_PATH: Final = "groups/{group}/remove_user.json"
#: The name libraries written before 2026 use; see :data:`REMOVE_GROUP_USER_LEGACY`.
GROUP_DELETE_USER_PATH: Final = "groups/{group}/delete_user.json"

REMOVE_GROUP_USER: Final = Endpoint(
    "remove_group_user",
    "POST",
    GROUP_REMOVE_USER_PATH,
    models.GroupRemoveUserRequest,
    models.GroupRemoveUserResult,
)
#: The same call under its older path name [UNVERIFIED which name the live API takes]:
#: ``client.call(REMOVE_GROUP_USER_LEGACY, request)`` if ``remove_user.json`` fails.
#: An alias of :data:`REMOVE_GROUP_USER`, so it is not listed in :data:`ENDPOINTS`.
REMOVE_GROUP_USER_LEGACY: Final = Endpoint(
    "remove_group_user_legacy",
    "POST",
    GROUP_DELETE_USER_PATH,
    models.GroupRemoveUserRequest,
    models.GroupRemoveUserResult,
)
DISABLE_GROUP_USER: Final = Endpoint(
    "disable_group_user",
    "POST",
    "groups/{group}/disable_user.json",
    models.GroupDisableUserRequest,
    models.GroupDisableUserResult,
)
ENABLE_GROUP_USER: Final = Endpoint(
    "enable_group_user",
    "POST",
    "groups/{group}/enable_user.json",
    models.GroupEnableUserRequest,
    models.GroupEnableUserResult,
)
RENAME_GROUP: Final = Endpoint(
    "rename_group",
    "POST",
    "groups/{group}/rename.json",
    models.GroupRenameRequest,
    models.GroupRenameResult,
)

# -- Glances, subscriptions, licensing, teams (§9-§12) ---------------------------------

UPDATE_GLANCE: Final = Endpoint(
    "update_glance", "POST", "glances.json", models.GlanceUpdate, models.GlanceResult
)
MIGRATE_SUBSCRIPTION: Final = Endpoint(
    "migrate_subscription",
    "POST",
    "subscriptions/migrate.json",
    models.SubscriptionMigrateRequest,
    models.SubscriptionMigrateResult,
)
#: Never retried: each success spends a licence credit.
ASSIGN_LICENSE: Final = Endpoint(
    "assign_license",
    "POST",
    "licenses/assign.json",
    models.LicenseAssignRequest,
    models.LicenseAssignResult,
    retryable=False,
)
LICENSE_CREDITS: Final = Endpoint(
    "license_credits",
    "GET",
    "licenses.json",
    models.LicenseCreditsRequest,
    models.LicenseCredits,
)
ADD_TEAM_USER: Final = Endpoint(
    "add_team_user",
    "POST",
    "teams/add_user.json",
    models.TeamAddUserRequest,
    models.TeamAddUserResult,
    credential=TEAM,
)
REMOVE_TEAM_USER: Final = Endpoint(
    "remove_team_user",
    "POST",
    "teams/remove_user.json",
    models.TeamRemoveUserRequest,
    models.TeamRemoveUserResult,
    credential=TEAM,
)
TEAM_INFO: Final = Endpoint(
    "team_info",
    "GET",
    "teams.json",
    models.TeamInfoRequest,
    models.TeamInfo,
    credential=TEAM,
)
REVOKE_TEAM_INVITATION: Final = Endpoint(
    "revoke_team_invitation",
    "POST",
    "teams/revoke_invitation.json",
    models.TeamRevokeInvitationRequest,
    models.TeamRevokeInvitationResult,
    credential=TEAM,
)

# -- The Open Client API: receiving (§13) ------------------------------------------------

LOGIN: Final = Endpoint(
    "login",
    "POST",
    "users/login.json",
    models.LoginRequest,
    models.LoginResult,
    credential=ACCOUNT,
    status_errors={412: TwoFactorRequired},
)
REGISTER_DEVICE: Final = Endpoint(
    "register_device",
    "POST",
    "devices.json",
    models.DeviceRequest,
    models.DeviceRegistration,
    credential=SESSION,
)
DOWNLOAD_MESSAGES: Final = Endpoint(
    "download_messages",
    "GET",
    "messages.json",
    models.DownloadRequest,
    models.MessageList,
    credential=SESSION,
)
DELETE_THROUGH: Final = Endpoint(
    "delete_through",
    "POST",
    "devices/{device_id}/update_highest_message.json",
    models.DeleteThroughRequest,
    models.DeleteThroughResult,
    credential=SESSION,
)
ACKNOWLEDGE: Final = Endpoint(
    "acknowledge",
    "POST",
    "receipts/{receipt}/acknowledge.json",
    models.AcknowledgeRequest,
    models.AcknowledgeResult,
    credential=SESSION,
)


#: Every call once, in the order of this module (Pushover's documentation), derived
#: from the rows above; an alias row (another path for the same call) is left out.
def _is_row(value: object) -> TypeGuard[Endpoint[Any, Any]]:
    return isinstance(value, Endpoint)


def _rows(namespace: dict[str, object]) -> tuple[Endpoint[Any, Any], ...]:
    return tuple(
        value
        for name, value in namespace.items()
        if _is_row(value) and not name.endswith("_LEGACY")
    )


ENDPOINTS: Final = _rows(dict(globals()))
