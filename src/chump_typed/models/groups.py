"""Delivery groups (pushover-api.md §8; every detail from libraries, not confirmed by
Pushover's documentation)."""

from __future__ import annotations

from typing import Final

import attrs

from chump_typed._checks import (
    check_devices,
    check_key,
    check_name,
    check_text,
    optional,
    required,
)
from chump_typed._scrub import scrub_public
from chump_typed.models._base import Request, Result, wire

__all__ = [
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
]

#: Group membership memo (§8).
MEMO_MAX: Final = 200


# -- Requests ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class GroupCreateRequest(Request):
    """Create a delivery group (``POST /1/groups.json``).

    No length limit for ``name`` is documented; it must not be blank.
    """

    name: str = attrs.field(validator=required(check_name))
    """The new group's name."""


@attrs.frozen(kw_only=True)
class GroupListRequest(Request):
    """List the application owner's delivery groups (``GET /1/groups.json``)."""


@attrs.frozen(kw_only=True)
class GroupInfoRequest(Request):
    """A group's name and members (``GET /1/groups/{group}.json``)."""

    group: str = attrs.field(validator=required(check_key), repr=False)
    """The group key."""


@attrs.frozen(kw_only=True)
class GroupAddUserRequest(Request):
    """Add a user to a group (``POST /1/groups/{group}/add_user.json``).

    ``device`` limits the membership to one of the user's devices; ``memo`` is a note
    of at most 200 characters.
    """

    group: str = attrs.field(validator=required(check_key), repr=False)
    """The group key."""
    user: str = attrs.field(validator=required(check_key), repr=False)
    """The user key to add."""
    device: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Only this device of the user receives the group's messages."""
    memo: str | None = attrs.field(
        default=None, validator=optional(check_text, max_len=MEMO_MAX)
    )
    """A note about the member (at most 200 characters)."""


@attrs.frozen(kw_only=True)
class GroupRemoveUserRequest(Request):
    """Remove a user from a group.

    Sent to ``groups/{group}/remove_user.json``, the name of the 2026 documentation;
    libraries written before 2026 call ``delete_user.json`` instead [UNVERIFIED which
    one the live API accepts]: run this request on
    :data:`~chump_typed._endpoints.REMOVE_GROUP_USER_LEGACY` for the older name.
    ``device`` (unverified) removes only that device's membership.
    """

    group: str = attrs.field(validator=required(check_key), repr=False)
    """The group key."""
    user: str = attrs.field(validator=required(check_key), repr=False)
    """The user key to remove."""
    device: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Remove only the membership for this device."""


@attrs.frozen(kw_only=True)
class GroupDisableUserRequest(Request):
    """Stop a member's deliveries for now (``groups/{group}/disable_user.json``).

    ``device`` (unverified) targets one membership of the user.
    """

    group: str = attrs.field(validator=required(check_key), repr=False)
    """The group key."""
    user: str = attrs.field(validator=required(check_key), repr=False)
    """The user key to pause."""
    device: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Pause only the membership for this device."""


@attrs.frozen(kw_only=True)
class GroupEnableUserRequest(Request):
    """Resume a disabled member's deliveries (``groups/{group}/enable_user.json``)."""

    group: str = attrs.field(validator=required(check_key), repr=False)
    """The group key."""
    user: str = attrs.field(validator=required(check_key), repr=False)
    """The user key to resume."""
    device: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Resume only the membership for this device."""


@attrs.frozen(kw_only=True)
class GroupRenameRequest(Request):
    """Rename a group (``POST /1/groups/{group}/rename.json``)."""

    group: str = attrs.field(validator=required(check_key), repr=False)
    """The group key."""
    name: str = attrs.field(validator=required(check_name))
    """The group's new name."""


# -- Results ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class GroupCreateResult(Result):
    """A delivery group was created; ``group`` is its new key."""

    group: str = attrs.field(repr=False)
    """The new group's key."""


@attrs.frozen(kw_only=True)
class GroupSummary:
    """One delivery group in a :class:`GroupList`."""

    group: str = attrs.field(repr=False)
    """The group key."""
    name: str
    """The group's name."""


@attrs.frozen(kw_only=True)
class GroupList(Result):
    """The delivery groups the application's owner has."""

    groups: tuple[GroupSummary, ...] = ()
    """The application's groups."""


@attrs.frozen(kw_only=True)
class GroupMember:
    """One membership of a group. ``device`` ``None`` means all the user's devices;
    ``name`` and ``email`` are given for Team groups only (not confirmed by Pushover's
    documentation)."""

    user: str = attrs.field(repr=False)
    """The member's user key."""
    device: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The only device that receives the group's messages; ``None``: all."""
    memo: str = attrs.field(default="", metadata=wire("null_is_empty"))
    """The note about the member (``""`` when none)."""
    disabled: bool = False
    """Whether the membership is paused."""
    name: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The member's name, when Pushover gives it."""
    email: str | None = attrs.field(
        default=None, repr=False, metadata=wire("blank_is_none")
    )
    """The member's e-mail address, when Pushover gives it."""


@attrs.frozen(kw_only=True)
class GroupInfo(Result):
    """A group's name and memberships."""

    name: str
    """The group's name."""
    users: tuple[GroupMember, ...] = ()
    """The group's members."""


@attrs.frozen(kw_only=True)
class GroupAddUserResult(Result):
    """The user was added to the group."""


@attrs.frozen(kw_only=True)
class GroupRemoveUserResult(Result):
    """The user was removed from the group."""


@attrs.frozen(kw_only=True)
class GroupDisableUserResult(Result):
    """The member's deliveries are paused."""


@attrs.frozen(kw_only=True)
class GroupEnableUserResult(Result):
    """The member's deliveries resumed."""


@attrs.frozen(kw_only=True)
class GroupRenameResult(Result):
    """The group was renamed."""


scrub_public(globals())
