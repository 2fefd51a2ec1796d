"""The Groups API's rows (pushover-api.md §8).

Rows of the endpoint table (:mod:`chump_typed._endpoints`), in their own module so
that they load, with their models, on first use: a script that only sends messages
pays for none of them.
"""

from __future__ import annotations

from typing import Final

from chump_typed import models
from chump_typed._endpoints import Endpoint

__all__ = [
    "ADD_GROUP_USER",
    "CREATE_GROUP",
    "DISABLE_GROUP_USER",
    "ENABLE_GROUP_USER",
    "GROUP_DELETE_USER_PATH",
    "GROUP_INFO",
    "GROUP_REMOVE_USER_PATH",
    "LIST_GROUPS",
    "REMOVE_GROUP_USER",
    "REMOVE_GROUP_USER_LEGACY",
    "RENAME_GROUP",
]

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
