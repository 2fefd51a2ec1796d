"""The rows of glances, subscriptions, licences and teams (pushover-api.md §9-§12).

Rows of the endpoint table (:mod:`chump_typed._endpoints`), in their own module so
that they load, with their models, on first use: a script that only sends messages
pays for none of them.
"""

from __future__ import annotations

from typing import Final

from chump_typed import models
from chump_typed._endpoints import TEAM, Endpoint

__all__ = [
    "ADD_TEAM_USER",
    "ASSIGN_LICENSE",
    "LICENSE_CREDITS",
    "MIGRATE_SUBSCRIPTION",
    "REMOVE_TEAM_USER",
    "REVOKE_TEAM_INVITATION",
    "TEAM_INFO",
    "UPDATE_GLANCE",
]

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
