"""Delivery groups (pushover-api.md §8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import attrs

from chump_typed.testing._state import (
    MAX_MEMO,
    Call,
    Group,
    Membership,
    Problems,
    Rejection,
    Reply,
    Route,
    State,
    invalid_user,
    new_key,
    route,
)

__all__ = ["ROUTES"]


# ---------------------------------------------------------------------------- groups


def _group(st: State, call: Call) -> Group:
    found = st.groups.get(call.path_args["group"])
    if found is None:
        raise Rejection(
            404,
            ["group not found or you are not authorized to edit it"],
            {"group": "not found"},
        )
    return found


def create_group(st: State, call: Call) -> Reply:
    """``POST /1/groups.json``."""
    name = call.get("name").strip()
    if not name:
        raise Rejection(400, ["name cannot be blank"], {"name": "invalid"})
    key = new_key()
    st.groups[key] = Group(key=key, name=name)
    return Reply(fields={"group": key})


def list_groups(st: State, call: Call) -> Reply:
    """``GET /1/groups.json``."""
    del call
    groups = [{"group": g.key, "name": g.name} for g in st.groups.values()]
    return Reply(fields={"groups": groups})


def group_info(st: State, call: Call) -> Reply:
    """``GET /1/groups/{group}.json``."""
    group = _group(st, call)
    users = [
        {"user": m.user, "device": m.device, "memo": m.memo, "disabled": m.disabled}
        for m in group.members
    ]
    return Reply(fields={"name": group.name, "users": users})


def _member_target(st: State, call: Call) -> tuple[str, str | None]:
    problems = Problems()
    user = call.get("user")
    if st.base_user(user) is None:
        invalid_user(problems)
    problems.device("device", call.get("device"))
    problems.check()
    return user, call.get("device") or None


def add_group_user(st: State, call: Call) -> Reply:
    """``POST /1/groups/{group}/add_user.json``."""
    group = _group(st, call)
    user, device = _member_target(st, call)
    problems = Problems()
    base = st.base_user(user) or user
    if device is not None and device not in st.users.get(base, ()):
        problems.add(
            "device", "device name is not valid for this user", "invalid for this user"
        )
    problems.text(call, {"memo": MAX_MEMO})
    if any(m.user == user and m.device == device for m in group.members):
        problems.add("user", "user is already a member of this group")
    problems.check()
    member = Membership(user=user, device=device, memo=call.get("memo"))
    st.groups[group.key] = attrs.evolve(group, members=(*group.members, member))
    return Reply()


def _matching(group: Group, user: str, device: str | None) -> list[Membership]:
    hits = [m for m in group.members if m.user == user]
    if device is not None:
        hits = [m for m in hits if m.device == device]
    if not hits:
        raise Rejection(
            400, ["user is not a member of this group"], {"user": "not a member"}
        )
    return hits


def _update_members(
    update: Callable[[Membership], Membership | None],
) -> Callable[[State, Call], Reply]:
    """A group-membership endpoint that rewrites (or drops, on None) the matches."""

    def endpoint(st: State, call: Call) -> Reply:
        group = _group(st, call)
        user, device = _member_target(st, call)
        hits = _matching(group, user, device)
        kept: list[Membership] = []
        for member in group.members:
            changed = update(member) if member in hits else member
            if changed is not None:
                kept.append(changed)
        st.groups[group.key] = attrs.evolve(group, members=tuple(kept))
        return Reply()

    return endpoint


remove_group_user = _update_members(lambda m: None)
disable_group_user = _update_members(lambda m: attrs.evolve(m, disabled=True))
enable_group_user = _update_members(lambda m: attrs.evolve(m, disabled=False))


def rename_group(st: State, call: Call) -> Reply:
    """``POST /1/groups/{group}/rename.json``."""
    group = _group(st, call)
    name = call.get("name").strip()
    if not name:
        raise Rejection(400, ["name cannot be blank"], {"name": "invalid"})
    st.groups[group.key] = attrs.evolve(group, name=name)
    return Reply()


_GROUP: Final = "/1/groups/{group}"

#: This family's endpoints.
ROUTES: Final[tuple[Route, ...]] = (
    route("/1/groups.json", "POST", create_group),
    route("/1/groups.json", "GET", list_groups),
    route(_GROUP + ".json", "GET", group_info),
    route(_GROUP + "/add_user.json", "POST", add_group_user),
    route(_GROUP + "/remove_user.json", "POST", remove_group_user),
    route(_GROUP + "/delete_user.json", "POST", remove_group_user),
    route(_GROUP + "/disable_user.json", "POST", disable_group_user),
    route(_GROUP + "/enable_user.json", "POST", enable_group_user),
    route(_GROUP + "/rename.json", "POST", rename_group),
)
