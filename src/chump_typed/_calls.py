"""What each client method asks for: its row of the table and its request, built from
the method's arguments.

One function per method that builds a request, shared by :class:`~chump_typed.Client`
and :class:`~chump_typed.AsyncClient`, so that the two clients cannot build a request
differently: each of their methods is ``self._run(*_calls.name(...))``, what their
``call`` runs. Pure.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._checks import check_key, check_team_token
from chump_typed._redact import redact_params, redact_url
from chump_typed.errors import ValidationError
from chump_typed.protocol import (
    HTTPRequest,
    HTTPResponse,
    decode_response,
    encode_request,
)

if TYPE_CHECKING:
    import logging

    from chump_typed.e2ee import E2EEKey

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)

_DEBUG: Final = 10  # logging.DEBUG
_logger: logging.Logger | None = None


def _debug_logger() -> logging.Logger | None:
    """The library's logger, ``chump_typed``, if it writes debug records. :mod:`logging`
    is imported with the first call, not at start-up (every transport library imports
    it anyway)."""
    global _logger
    if _logger is None:
        import logging

        _logger = logging.getLogger("chump_typed")
    return _logger if _logger.isEnabledFor(_DEBUG) else None


# -- The executor's two halves, around the transport's send ---------------------------


def credentials(token: str, team_token: str | None) -> dict[ep.Credential, str]:
    """A client's secrets by the credential they are (both checked)."""
    check_key("token", token)
    found = {ep.APP: token}
    if team_token is not None:
        check_team_token("team_token", team_token)
        found[ep.TEAM] = team_token
    return found


#: The environment variables ``from_env()`` reads (the command line reads them too).
TOKEN_VARIABLE: Final = "PUSHOVER_TOKEN"
TEAM_TOKEN_VARIABLE: Final = "PUSHOVER_TEAM_TOKEN"
BASE_URL_VARIABLE: Final = "PUSHOVER_BASE_URL"


def settings_from_env(
    environ: Mapping[str, str], default_base_url: str
) -> tuple[str, str | None, str]:
    """The token, team token and base URL a client takes from *environ*; a missing
    token is an error naming its variable."""
    token = environ.get(TOKEN_VARIABLE, "")
    if not token:
        raise ValidationError(
            TOKEN_VARIABLE,
            "is not set: export it (the application's API token), or pass the "
            "token to the client",
        )
    team = environ.get(TEAM_TOKEN_VARIABLE) or None
    return token, team, environ.get(BASE_URL_VARIABLE) or default_base_url


def http_request_for(
    endpoint: ep.Endpoint[Req, Any],
    request: Req,
    credentials: Mapping[ep.Credential, str],
    base_url: str,
    e2ee_key: E2EEKey | None = None,
) -> HTTPRequest:
    """Check that *request* fits *endpoint* and encode it (logged at DEBUG, redacted)."""
    if not isinstance(endpoint, ep.Endpoint):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f"endpoint: expected an Endpoint, got a {type(endpoint).__name__}"
        )
    if not isinstance(request, endpoint.request_type):
        raise TypeError(
            f"{endpoint.name} takes a {endpoint.request_type.__name__}, "
            f"got a {type(request).__name__}"
        )
    needed = endpoint.credential
    token = credentials.get(needed, "" if needed is ep.ACCOUNT else None)
    if token is None:
        raise ValidationError(
            needed.keyword,
            f"{endpoint.name} is {needed.needed_for}: {needed.missing()}",
        )
    http_request = encode_request(
        endpoint, request, token=token, base_url=base_url, e2ee_key=e2ee_key
    )
    logger = _debug_logger()
    if logger is not None:
        logger.debug("%s %s", _where(http_request), redact_params(http_request.params))
    return http_request


def result_of(
    endpoint: ep.Endpoint[Any, Resp],
    http_request: HTTPRequest,
    response: HTTPResponse,
    started: float,
) -> Resp:
    """Decode *response* (logged at DEBUG with its time since *started*)."""
    logger = _debug_logger()
    if logger is not None:
        logger.debug(
            "%s -> HTTP %d, %d bytes in %.1f ms",
            _where(http_request),
            response.status,
            len(response.body),
            (time.perf_counter() - started) * 1000,
        )
    return decode_response(endpoint, http_request, response)


def log_failure(http_request: HTTPRequest, started: float, error: Exception) -> None:
    logger = _debug_logger()
    if logger is not None:
        logger.debug(
            "%s failed after %.1f ms: %s",
            _where(http_request),
            (time.perf_counter() - started) * 1000,
            error,
        )


def _where(http_request: HTTPRequest) -> str:
    # Redacting costs a URL parse: only when a record will be logged.
    return f"{http_request.method} {redact_url(http_request.url)}"


# -- One function per method that builds its request ----------------------------------


def sounds() -> tuple[
    ep.Endpoint[models.SoundsRequest, models.SoundList], models.SoundsRequest
]:
    return ep.LIST_SOUNDS, models.SoundsRequest()


def validate_user(
    user: str, device: str | None
) -> tuple[
    ep.Endpoint[models.ValidateUserRequest, models.UserValidation],
    models.ValidateUserRequest,
]:
    return ep.VALIDATE_USER, models.ValidateUserRequest(user=user, device=device)


def receipt(
    receipt: str,
) -> tuple[ep.Endpoint[models.ReceiptRequest, models.Receipt], models.ReceiptRequest]:
    return ep.GET_RECEIPT, models.ReceiptRequest(receipt=receipt)


def cancel(
    receipt: str,
) -> tuple[
    ep.Endpoint[models.CancelRequest, models.CancelResult], models.CancelRequest
]:
    return ep.CANCEL_RECEIPT, models.CancelRequest(receipt=receipt)


def cancel_by_tag(
    tag: str,
) -> tuple[
    ep.Endpoint[models.CancelByTagRequest, models.CancelByTagResult],
    models.CancelByTagRequest,
]:
    return ep.CANCEL_BY_TAG, models.CancelByTagRequest(tag=tag)


def limits() -> tuple[
    ep.Endpoint[models.LimitsRequest, models.AppLimits], models.LimitsRequest
]:
    return ep.GET_LIMITS, models.LimitsRequest()


def create_group(
    name: str,
) -> tuple[
    ep.Endpoint[models.GroupCreateRequest, models.GroupCreateResult],
    models.GroupCreateRequest,
]:
    return ep.CREATE_GROUP, models.GroupCreateRequest(name=name)


def list_groups() -> tuple[
    ep.Endpoint[models.GroupListRequest, models.GroupList], models.GroupListRequest
]:
    return ep.LIST_GROUPS, models.GroupListRequest()


def group_info(
    group: str,
) -> tuple[
    ep.Endpoint[models.GroupInfoRequest, models.GroupInfo], models.GroupInfoRequest
]:
    return ep.GROUP_INFO, models.GroupInfoRequest(group=group)


def add_group_user(
    group: str, user: str, device: str | None, memo: str | None
) -> tuple[
    ep.Endpoint[models.GroupAddUserRequest, models.GroupAddUserResult],
    models.GroupAddUserRequest,
]:
    request = models.GroupAddUserRequest(
        group=group, user=user, device=device, memo=memo
    )
    return ep.ADD_GROUP_USER, request


def remove_group_user(
    group: str, user: str, device: str | None
) -> tuple[
    ep.Endpoint[models.GroupRemoveUserRequest, models.GroupRemoveUserResult],
    models.GroupRemoveUserRequest,
]:
    request = models.GroupRemoveUserRequest(group=group, user=user, device=device)
    return ep.REMOVE_GROUP_USER, request


def disable_group_user(
    group: str, user: str, device: str | None
) -> tuple[
    ep.Endpoint[models.GroupDisableUserRequest, models.GroupDisableUserResult],
    models.GroupDisableUserRequest,
]:
    request = models.GroupDisableUserRequest(group=group, user=user, device=device)
    return ep.DISABLE_GROUP_USER, request


def enable_group_user(
    group: str, user: str, device: str | None
) -> tuple[
    ep.Endpoint[models.GroupEnableUserRequest, models.GroupEnableUserResult],
    models.GroupEnableUserRequest,
]:
    request = models.GroupEnableUserRequest(group=group, user=user, device=device)
    return ep.ENABLE_GROUP_USER, request


def rename_group(
    group: str, name: str
) -> tuple[
    ep.Endpoint[models.GroupRenameRequest, models.GroupRenameResult],
    models.GroupRenameRequest,
]:
    return ep.RENAME_GROUP, models.GroupRenameRequest(group=group, name=name)


def migrate_subscription(
    subscription: str, user: str, device_name: str | None, sound: str | None
) -> tuple[
    ep.Endpoint[models.SubscriptionMigrateRequest, models.SubscriptionMigrateResult],
    models.SubscriptionMigrateRequest,
]:
    request = models.SubscriptionMigrateRequest(
        subscription=subscription, user=user, device_name=device_name, sound=sound
    )
    return ep.MIGRATE_SUBSCRIPTION, request


def assign_license(
    user: str | None, email: str | None, os: models.LicenseOS | None
) -> tuple[
    ep.Endpoint[models.LicenseAssignRequest, models.LicenseAssignResult],
    models.LicenseAssignRequest,
]:
    return ep.ASSIGN_LICENSE, models.LicenseAssignRequest(user=user, email=email, os=os)


def license_credits() -> tuple[
    ep.Endpoint[models.LicenseCreditsRequest, models.LicenseCredits],
    models.LicenseCreditsRequest,
]:
    return ep.LICENSE_CREDITS, models.LicenseCreditsRequest()


def add_team_user(
    email: str,
    name: str | None,
    password: str | None,
    instant: bool,
    admin: bool,
    group: str | None,
) -> tuple[
    ep.Endpoint[models.TeamAddUserRequest, models.TeamAddUserResult],
    models.TeamAddUserRequest,
]:
    request = models.TeamAddUserRequest(
        email=email,
        name=name,
        password=password,
        instant=instant,
        admin=admin,
        group=group,
    )
    return ep.ADD_TEAM_USER, request


def remove_team_user(
    email: str,
) -> tuple[
    ep.Endpoint[models.TeamRemoveUserRequest, models.TeamRemoveUserResult],
    models.TeamRemoveUserRequest,
]:
    return ep.REMOVE_TEAM_USER, models.TeamRemoveUserRequest(email=email)


def team_info() -> tuple[
    ep.Endpoint[models.TeamInfoRequest, models.TeamInfo], models.TeamInfoRequest
]:
    return ep.TEAM_INFO, models.TeamInfoRequest()


def revoke_team_invitation(
    email: str,
) -> tuple[
    ep.Endpoint[models.TeamRevokeInvitationRequest, models.TeamRevokeInvitationResult],
    models.TeamRevokeInvitationRequest,
]:
    return ep.REVOKE_TEAM_INVITATION, models.TeamRevokeInvitationRequest(email=email)
