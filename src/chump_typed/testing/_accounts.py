"""Glances, subscriptions, licensing and teams (pushover-api.md §9-§12)."""

from __future__ import annotations

from typing import Final

from chump_typed.testing._state import (
    DEVICE_PATTERN,
    GLANCE_FIELDS,
    GLANCE_TEXT_LIMITS,
    LICENSE_PLATFORMS,
    Call,
    License,
    Problems,
    Rejection,
    Reply,
    Route,
    State,
    TeamMember,
    invalid_user,
    new_key,
    route,
)

__all__ = ["ROUTES"]


# --------------------------------------------------------------------------- glances


def update_glance(st: State, call: Call) -> Reply:
    """``POST /1/glances.json`` (§9): fields persist; "" clears one."""
    problems = Problems()
    user = call.get("user")
    if st.base_user(user) is None:
        invalid_user(problems)
    device = call.get("device")
    if device and not DEVICE_PATTERN.match(device):
        problems.add("device", "device name is not valid")
    sent = [name for name in GLANCE_FIELDS if name in call.params]
    if not sent:
        problems.add("glance", "at least one of title, text, subtext, count or percent")
    problems.text(call, GLANCE_TEXT_LIMITS)
    problems.integer(call, "count")
    percent = problems.integer(call, "percent")
    if percent is not None and not 0 <= percent <= 100:
        problems.add("percent", "percent must be between 0 and 100")
    problems.check()
    fields = st.glances.setdefault((user, device or None), {})
    for name in sent:
        if call.params[name]:
            fields[name] = call.params[name]
        else:
            fields.pop(name, None)
    return Reply()


# --------------------------------------------------------------------- subscriptions


def migrate_subscription(st: State, call: Call) -> Reply:
    """``POST /1/subscriptions/migrate.json`` (§10): returns a subscribed user key."""
    problems = Problems()
    code, user = call.get("subscription"), call.get("user")
    if code not in st.subscription_codes:
        problems.add("subscription", "subscription code is not valid")
    if user not in st.users:
        invalid_user(problems)
    device = call.get("device_name")
    if device and device not in st.users.get(user, ()):
        problems.add(
            "device_name",
            "device name is not valid for this user",
            "invalid for this user",
        )
    sound = call.get("sound")
    if sound and sound not in st.sounds:
        problems.add("sound", "sound is not a valid sound")
    problems.check()
    existing = [k for k, base in st.subscribers.items() if base == user]
    key = existing[0] if existing else new_key()
    st.subscribers[key] = user
    return Reply(fields={"subscribed_user_key": key})


# ------------------------------------------------------------------------- licensing


def assign_license(st: State, call: Call) -> Reply:
    """``POST /1/licenses/assign.json`` (§11); failures use object-form ``errors``."""
    user, email, os_name = call.get("user"), call.get("email"), call.get("os")
    errors: dict[str, list[str]] = {}
    if bool(user) == bool(email):
        errors["user"] = ["exactly one of user or email is required"]
    elif user and st.base_user(user) is None:
        errors["user"] = ["is not a valid user"]
    elif email and "@" not in email:
        errors["email"] = ["is not a valid e-mail address"]
    if os_name and os_name not in LICENSE_PLATFORMS:
        errors["os"] = ["must be Android, iOS or Desktop"]
    if not errors and st.credits <= 0:
        errors["token"] = ["is out of available license credits"]
    if errors:
        raise Rejection(400, errors, dict.fromkeys(errors, "invalid"))
    st.credits -= 1
    st.licenses.append(License(user=user or None, email=email or None, os=os_name))
    base = st.base_user(user) if user else None
    if base is not None and os_name:
        st.platforms[base] = st.platforms.get(base, frozenset()) | {os_name}
    return Reply(fields={"credits": st.credits})


def license_credits(st: State, call: Call) -> Reply:
    """``GET /1/licenses.json``."""
    del call
    return Reply(fields={"credits": st.credits})


# ----------------------------------------------------------------------------- teams


def _team_email(call: Call) -> str:
    email = call.get("email")
    if "@" not in email:
        raise Rejection(
            400, ["email is not a valid e-mail address"], {"email": "invalid"}
        )
    return email


def add_team_user(st: State, call: Call) -> Reply:
    """``POST /1/teams/add_user.json`` (§12); flags are the string ``true``."""
    email = _team_email(call)
    if email in st.team:
        raise Rejection(
            400, ["user is already a member of this team"], {"email": "taken"}
        )
    st.team[email] = TeamMember(
        email=email,
        name=call.get("name"),
        admin=call.get("admin") == "true",
        instant=call.get("instant") == "true",
        group=call.get("group"),
    )
    return Reply()


#: The team's name in ``GET /1/teams.json`` answers.
TEAM_NAME: Final = "Example team"


def team_info(st: State, call: Call) -> Reply:
    """``GET /1/teams.json`` (§12, UNVERIFIED: the shape one 2026 library mocks)."""
    del call
    users: list[dict[str, object]] = [
        {"name": m.name, "email": m.email, "administrator": m.admin, "devices": []}
        for m in st.team.values()
    ]
    return Reply(fields={"name": TEAM_NAME, "users": users})


def revoke_team_invitation(st: State, call: Call) -> Reply:
    """``POST /1/teams/revoke_invitation.json`` (§12, UNVERIFIED). The fake has no
    sign-up step, so every member it added still holds a pending invitation."""
    email = _team_email(call)
    if st.team.pop(email, None) is None:
        raise Rejection(
            400, ["no pending invitation for this e-mail"], {"email": "not invited"}
        )
    return Reply()


def remove_team_user(st: State, call: Call) -> Reply:
    """``POST /1/teams/remove_user.json``."""
    email = _team_email(call)
    if st.team.pop(email, None) is None:
        raise Rejection(
            400, ["user is not a member of this team"], {"email": "not a member"}
        )
    return Reply()


#: This family's endpoints.
ROUTES: Final[tuple[Route, ...]] = (
    route("/1/glances.json", "POST", update_glance),
    route("/1/subscriptions/migrate.json", "POST", migrate_subscription),
    route("/1/licenses/assign.json", "POST", assign_license),
    route("/1/licenses.json", "GET", license_credits),
    route("/1/teams/add_user.json", "POST", add_team_user, "team"),
    route("/1/teams/remove_user.json", "POST", remove_team_user, "team"),
    route("/1/teams.json", "GET", team_info, "team"),
    route("/1/teams/revoke_invitation.json", "POST", revoke_team_invitation, "team"),
)
