"""Pushover's server-side rules for the fake, applied to raw wire parameters.

This module is deliberately independent of :mod:`chump_typed.models`: a test double that
reused the client's validators would agree with the client by construction and prove
nothing. Every rule here is re-read from ``pushover-api.md`` and applied to the strings
that arrived on the wire.

Each endpoint is a plain function ``(state, call) -> Reply`` registered in
:data:`ROUTES`; a rejection is raised as :class:`Rejection` and rendered by the
dispatcher.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import datetime as dt
import re
import secrets
import string
from collections.abc import Callable, Iterable, Mapping
from typing import Final, Literal

import attrs

__all__ = [
    "BUILTIN_SOUNDS",
    "LICENSE_PLATFORMS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_RECIPIENTS",
    "ROUTES",
    "Attachment",
    "Call",
    "GroupMember",
    "Receipt",
    "Rejection",
    "Reply",
    "Route",
    "SentMessage",
    "State",
    "TeamMember",
]

#: The 23 built-in sounds of pushover-api.md §5: wire value -> label.
BUILTIN_SOUNDS: Final[Mapping[str, str]] = {
    "pushover": "Pushover (default)",
    "bike": "Bike",
    "bugle": "Bugle",
    "cashregister": "Cash Register",
    "classical": "Classical",
    "cosmic": "Cosmic",
    "falling": "Falling",
    "gamelan": "Gamelan",
    "incoming": "Incoming",
    "intermission": "Intermission",
    "magic": "Magic",
    "mechanical": "Mechanical",
    "pianobar": "Piano Bar",
    "siren": "Siren",
    "spacealarm": "Space Alarm",
    "tugboat": "Tug Boat",
    "alien": "Alien Alarm (long)",
    "climb": "Climb (long)",
    "persistent": "Persistent (long)",
    "echo": "Pushover Echo (long)",
    "updown": "Up Down (long)",
    "vibrate": "Vibrate Only",
    "none": "None (silent)",
}

#: Decoded attachment size limit in bytes (§4.6).
MAX_ATTACHMENT_BYTES: Final = 5_242_880
#: Most user keys one message may name (§4.1).
MAX_RECIPIENTS: Final = 50
#: Platforms a licence may be assigned for (§11).
LICENSE_PLATFORMS: Final = frozenset({"Android", "iOS", "Desktop"})

#: Maximum length in code points of each bounded text parameter of a message (§4.1).
MESSAGE_TEXT_LIMITS: Final[Mapping[str, int]] = {
    "message": 1024,
    "title": 250,
    "url": 512,
    "url_title": 100,
}
#: Glance text fields and their limit (§9).
GLANCE_TEXT_LIMITS: Final[Mapping[str, int]] = {
    "title": 100,
    "text": 100,
    "subtext": 100,
}
GLANCE_FIELDS: Final = ("title", "text", "subtext", "count", "percent")
PRIORITIES: Final = range(-2, 3)
EMERGENCY: Final = 2
MIN_RETRY: Final = 30
MAX_EXPIRE: Final = 10_800
MAX_MEMO: Final = 200

_DEVICE: Final = re.compile(r"[A-Za-z0-9_-]{1,25}\Z")
_INT: Final = re.compile(r"-?[0-9]+\Z")
_CALLBACK: Final = re.compile(r"https?://[^/\s]+", re.IGNORECASE)
_ALPHABET: Final = string.ascii_letters + string.digits


def new_key() -> str:
    """A fresh 30-character key: receipts, group keys, subscribed user keys."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(30))


def next_month_start(now: float) -> int:
    """Unix time of 00:00 UTC on the first day of the month after *now*."""
    day = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return calendar.timegm((year, month, 1, 0, 0, 0))


# --------------------------------------------------------------------------- records


def _bytes_repr(data: bytes) -> str:
    return f"<{len(data)} bytes>"


@attrs.frozen
class Attachment:
    """An image that arrived with a message: as a multipart part or decoded base64."""

    content_type: str
    data: bytes = attrs.field(repr=_bytes_repr)
    filename: str | None = None


@attrs.frozen(kw_only=True)
class SentMessage:
    """One message the fake accepted, exactly as it was received.

    ``params`` holds every text parameter as sent (including ``token``); a multipart
    ``attachment`` part is kept in ``attachment`` instead. ``recipients`` is the
    ``user`` parameter split on commas.
    """

    request: str
    params: Mapping[str, str] = attrs.field(hash=False)
    recipients: tuple[str, ...]
    attachment: Attachment | None
    receipt: str | None
    received_at: float

    @property
    def message(self) -> str:
        """The ``message`` parameter."""
        return self.params["message"]

    @property
    def priority(self) -> int:
        """The ``priority`` parameter as an int (0 when absent)."""
        return int(self.params.get("priority") or 0)


@attrs.frozen(kw_only=True)
class Receipt:
    """One emergency receipt; on the wire 0 / "" mean "not yet" (§7.1)."""

    receipt: str
    token: str
    recipients: tuple[str, ...]
    tags: tuple[str, ...] = ()
    callback: str | None = None
    acknowledged: bool = False
    acknowledged_at: int = 0
    acknowledged_by: str = ""
    acknowledged_by_device: str = ""
    last_delivered_at: int = 0
    expired: bool = False
    expires_at: int = 0
    called_back: bool = False
    called_back_at: int = 0
    canceled: bool = False

    @property
    def active(self) -> bool:
        """Still re-alerting: not acknowledged, expired or cancelled."""
        return not (self.acknowledged or self.expired or self.canceled)

    def to_wire(self) -> dict[str, object]:
        """The fields of a ``GET /1/receipts/{r}.json`` answer."""
        return {
            "acknowledged": int(self.acknowledged),
            "acknowledged_at": self.acknowledged_at,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_by_device": self.acknowledged_by_device,
            "last_delivered_at": self.last_delivered_at,
            "expired": int(self.expired),
            "expires_at": self.expires_at,
            "called_back": int(self.called_back),
            "called_back_at": self.called_back_at,
        }


@attrs.frozen(kw_only=True)
class GroupMember:
    """One membership of a delivery group (``device`` None = all the user's devices)."""

    user: str
    device: str | None = None
    memo: str = ""
    disabled: bool = False


@attrs.frozen(kw_only=True)
class Group:
    """A delivery group: its key, name and memberships."""

    key: str
    name: str
    members: tuple[GroupMember, ...] = ()


@attrs.frozen(kw_only=True)
class TeamMember:
    """A user added through the Teams API."""

    email: str
    name: str = ""
    admin: bool = False
    instant: bool = False
    group: str = ""


@attrs.frozen(kw_only=True)
class License:
    """One licence assignment (``user`` or ``email`` is set, never both)."""

    user: str | None
    email: str | None
    os: str


# ----------------------------------------------------------------------------- state


@attrs.define(kw_only=True)
class State:
    """Everything the fake Pushover knows; only touched under the fake's lock."""

    clock: Callable[[], float]
    app_tokens: frozenset[str]
    team_token: str
    users: dict[str, tuple[str, ...]]
    groups: dict[str, Group]
    sounds: dict[str, str]
    subscription_codes: frozenset[str]
    limit: int
    remaining: int
    reset: int
    credits: int
    platforms: dict[str, frozenset[str]]
    receipts: dict[str, Receipt] = attrs.field(factory=dict[str, Receipt])
    messages: list[SentMessage] = attrs.field(factory=list[SentMessage])
    glances: dict[tuple[str, str | None], dict[str, str]] = attrs.field(
        factory=dict[tuple[str, str | None], dict[str, str]]
    )
    subscribers: dict[str, str] = attrs.field(factory=dict[str, str])
    licenses: list[License] = attrs.field(factory=list[License])
    team: dict[str, TeamMember] = attrs.field(factory=dict[str, TeamMember])

    def now(self) -> int:
        """The fake's clock as whole Unix seconds."""
        return int(self.clock())

    def base_user(self, key: str) -> str | None:
        """The real user behind a user key or a subscribed user key."""
        if key in self.users:
            return key
        return self.subscribers.get(key)

    def limit_headers(self) -> dict[str, str]:
        """The ``X-Limit-App-*`` headers (§2.4)."""
        return {
            "x-limit-app-limit": str(self.limit),
            "x-limit-app-remaining": str(self.remaining),
            "x-limit-app-reset": str(self.reset),
        }


# ----------------------------------------------------------------------------- calls


@attrs.frozen(kw_only=True)
class Call:
    """One parsed request: its parameters, path arguments and request id."""

    request: str
    params: Mapping[str, str] = attrs.field(hash=False)
    path_args: Mapping[str, str] = attrs.field(hash=False)
    files: Mapping[str, Attachment] = attrs.field(hash=False)

    def get(self, name: str) -> str:
        """The parameter's value, or "" when it is absent."""
        return self.params.get(name, "")


@attrs.frozen(kw_only=True)
class Reply:
    """A successful answer: extra body fields and extra headers."""

    fields: Mapping[str, object] = attrs.field(factory=dict[str, object], hash=False)
    headers: Mapping[str, str] = attrs.field(factory=dict[str, str], hash=False)


class Rejection(Exception):
    """A failure answer: HTTP status, the ``errors`` value and per-parameter reasons."""

    def __init__(
        self,
        status: int,
        errors: list[str] | dict[str, list[str]],
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(errors)
        self.status = status
        self.errors = errors
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})

    def body(self, request: str) -> dict[str, object]:
        """The JSON body Pushover sends for this rejection."""
        return {**self.fields, "status": 0, "request": request, "errors": self.errors}


class Problems:
    """Collects every broken rule of one request, then rejects them together."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.fields: dict[str, str] = {}

    def add(self, param: str, error: str, reason: str = "invalid") -> None:
        """Record that *param* broke a rule."""
        self.errors.append(error)
        self.fields.setdefault(param, reason)

    def check(self, headers: Mapping[str, str] | None = None) -> None:
        """Raise a 400 :class:`Rejection` if anything was recorded."""
        if self.errors:
            raise Rejection(400, self.errors, self.fields, headers)

    def integer(self, call: Call, name: str) -> int | None:
        """Parse an optional integer parameter; blank means absent."""
        raw = call.get(name).strip()
        if not raw:
            return None
        if not _INT.match(raw):
            self.add(name, f"{name} must be an integer")
            return None
        return int(raw)

    def text(self, call: Call, limits: Mapping[str, int]) -> None:
        """Check each bounded text parameter's length in code points."""
        for name, most in limits.items():
            if len(call.get(name)) > most:
                self.add(name, f"{name} cannot be longer than {most} characters")

    def flag(self, call: Call, name: str) -> bool:
        """Parse an optional 0/1 flag."""
        raw = call.get(name).strip()
        if raw not in ("", "0", "1"):
            self.add(name, f"{name} must be 0 or 1")
        return raw == "1"

    def device(self, name: str, value: str) -> None:
        """Check a device-name list (comma separated) against the device grammar."""
        if value and not all(_DEVICE.match(item) for item in value.split(",")):
            self.add(name, f"{name} name is not valid")


_USER_INVALID: Final = "user identifier is not a valid user, group, or subscribed key"


def _invalid_user(problems: Problems) -> None:
    problems.add("user", _USER_INVALID)


# -------------------------------------------------------------------------- messages


def _received_attachment(call: Call, problems: Problems) -> Attachment | None:
    """The attachment as sent: a multipart part, or decoded ``attachment_base64``."""
    part = call.files.get("attachment")
    encoded = call.get("attachment_base64")
    if part is not None and encoded:
        problems.add("attachment", "send attachment or attachment_base64, not both")
        return None
    if part is not None:
        if not part.filename:
            problems.add("attachment", "attachment part needs a filename")
        return part
    if not encoded:
        return None
    kind = call.get("attachment_type")
    if not kind:
        problems.add("attachment_type", "attachment_type is required")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        problems.add("attachment_base64", "attachment_base64 is not valid base64")
        return None
    return Attachment(content_type=kind, data=data)


def _attachment(call: Call, problems: Problems) -> Attachment | None:
    """The attachment, checked: an image of at most 5 MiB once decoded (§4.6)."""
    found = _received_attachment(call, problems)
    if found is None:
        return None
    if not found.content_type.startswith("image/"):
        problems.add("attachment", "attachment must be an image")
    if len(found.data) > MAX_ATTACHMENT_BYTES:
        problems.add(
            "attachment",
            f"attachment cannot be larger than {MAX_ATTACHMENT_BYTES} bytes",
        )
    return found


def _emergency(call: Call, problems: Problems) -> None:
    retry = problems.integer(call, "retry")
    expire = problems.integer(call, "expire")
    if retry is None:
        problems.add("retry", "retry is required for emergency priority")
    elif retry < MIN_RETRY:
        problems.add("retry", f"retry must be at least {MIN_RETRY} seconds")
    if expire is None:
        problems.add("expire", "expire is required for emergency priority")
    elif not 0 < expire <= MAX_EXPIRE:
        problems.add("expire", f"expire must be between 1 and {MAX_EXPIRE} seconds")


def _audience(st: State, keys: Iterable[str]) -> tuple[int, str | None]:
    """How many users a message reaches (quota units), and the first of them."""
    count, first = 0, None
    for key in keys:
        group = st.groups.get(key)
        users = [m.user for m in group.members if not m.disabled] if group else [key]
        unique = list(dict.fromkeys(users))
        count += len(unique)
        first = first or (unique[0] if unique else None)
    return count, first


def send_message(st: State, call: Call) -> Reply:
    """``POST /1/messages.json`` (§4)."""
    problems = Problems()
    headers = st.limit_headers()
    keys = call.get("user").split(",") if call.get("user") else []
    if not keys:
        problems.add("user", "user identifier is required")
    elif len(keys) > MAX_RECIPIENTS:
        problems.add("user", f"at most {MAX_RECIPIENTS} users per message")
    elif not all(st.base_user(k) or k in st.groups for k in keys):
        _invalid_user(problems)
    if not call.get("message"):
        problems.add("message", "message cannot be blank")
    problems.text(call, MESSAGE_TEXT_LIMITS)
    problems.device("device", call.get("device"))
    priority = problems.integer(call, "priority") or 0
    if priority not in PRIORITIES:
        problems.add("priority", "priority must be -2, -1, 0, 1 or 2")
    elif priority == EMERGENCY:
        _emergency(call, problems)
    for name in ("timestamp", "ttl"):
        value = problems.integer(call, name)
        if value is not None and value <= 0:
            problems.add(name, f"{name} must be positive")
    html, monospace = problems.flag(call, "html"), problems.flag(call, "monospace")
    if html and monospace:
        problems.add("monospace", "html and monospace cannot be used together")
    sound = call.get("sound")
    if sound and sound not in st.sounds:
        problems.add("sound", "sound is not a valid sound")
    if call.get("callback") and not _CALLBACK.match(call.get("callback")):
        problems.add("callback", "callback must be an http or https URL")
    attachment = _attachment(call, problems)
    problems.check(headers)

    count, first = _audience(st, keys)
    if count > st.remaining:
        raise Rejection(
            429,
            ["application has exceeded its monthly message limit"],
            headers=headers,
        )
    st.remaining -= count
    now = st.now()
    fields: dict[str, object] = {}
    receipt: str | None = None
    if priority == EMERGENCY:
        receipt = new_key()
        st.receipts[receipt] = Receipt(
            receipt=receipt,
            token=call.get("token"),
            recipients=(first,) if first else (),
            tags=tuple(t for t in call.get("tags").split(",") if t),
            callback=call.get("callback") or None,
            last_delivered_at=now,
            expires_at=now + int(call.get("expire")),
        )
        fields["receipt"] = receipt
    st.messages.append(
        SentMessage(
            request=call.request,
            params=dict(call.params),
            recipients=tuple(keys),
            attachment=attachment,
            receipt=receipt,
            received_at=st.clock(),
        )
    )
    return Reply(fields=fields, headers=st.limit_headers())


# --------------------------------------------------------------------- sounds, users


def list_sounds(st: State, call: Call) -> Reply:
    """``GET /1/sounds.json`` (§5)."""
    del call
    return Reply(fields={"sounds": dict(st.sounds)})


def validate_user(st: State, call: Call) -> Reply:
    """``POST /1/users/validate.json`` (§6)."""
    key, device = call.get("user"), call.get("device")
    if key in st.groups:
        return Reply(fields={"devices": [], "licenses": [], "group": 1})
    user = st.base_user(key)
    if user is None:
        raise Rejection(400, [_USER_INVALID], {"user": "invalid"})
    problems = Problems()
    devices = st.users[user]
    if not devices:
        problems.add("user", "user has no active devices")
    if device and device not in devices:
        problems.add(
            "device", "device name is not valid for this user", "invalid for this user"
        )
    problems.check()
    return Reply(
        fields={
            "devices": list(devices),
            "licenses": sorted(st.platforms.get(user, frozenset())),
            "group": 0,
        }
    )


# -------------------------------------------------------------------------- receipts


def _receipt(st: State, call: Call) -> Receipt:
    found = st.receipts.get(call.path_args["receipt"])
    if found is None or found.token != call.get("token"):
        raise Rejection(
            404,
            ["receipt not found; may be invalid or expired"],
            {"receipt": "not found"},
        )
    return current_receipt(st, found)


def current_receipt(st: State, receipt: Receipt) -> Receipt:
    """*receipt* with ``expired`` brought up to date with the fake's clock."""
    if receipt.expired or receipt.acknowledged or st.now() < receipt.expires_at:
        return receipt
    updated = attrs.evolve(receipt, expired=True)
    st.receipts[receipt.receipt] = updated
    return updated


def get_receipt(st: State, call: Call) -> Reply:
    """``GET /1/receipts/{receipt}.json`` (§7.1)."""
    return Reply(fields=_receipt(st, call).to_wire())


def cancel_receipt(st: State, call: Call) -> Reply:
    """``POST /1/receipts/{receipt}/cancel.json`` (§7.2)."""
    found = _receipt(st, call)
    st.receipts[found.receipt] = attrs.evolve(found, canceled=True)
    return Reply()


def cancel_by_tag(st: State, call: Call) -> Reply:
    """``POST /1/receipts/cancel_by_tag/{tag}.json`` (§7.2): cancel active receipts."""
    tag, token = call.path_args["tag"], call.get("token")
    receipts = [current_receipt(st, r) for r in list(st.receipts.values())]
    hits = [r for r in receipts if r.token == token and r.active and tag in r.tags]
    for r in hits:
        st.receipts[r.receipt] = attrs.evolve(r, canceled=True)
    return Reply(fields={"canceled": len(hits)})


def app_limits(st: State, call: Call) -> Reply:
    """``GET /1/apps/limits.json`` (§2.4); costs no quota."""
    del call
    return Reply(
        fields={"limit": st.limit, "remaining": st.remaining, "reset": st.reset}
    )


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
        _invalid_user(problems)
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
    member = GroupMember(user=user, device=device, memo=call.get("memo"))
    st.groups[group.key] = attrs.evolve(group, members=(*group.members, member))
    return Reply()


def _matching(group: Group, user: str, device: str | None) -> list[GroupMember]:
    hits = [m for m in group.members if m.user == user]
    if device is not None:
        hits = [m for m in hits if m.device == device]
    if not hits:
        raise Rejection(
            400, ["user is not a member of this group"], {"user": "not a member"}
        )
    return hits


def _update_members(
    update: Callable[[GroupMember], GroupMember | None],
) -> Callable[[State, Call], Reply]:
    """A group-membership endpoint that rewrites (or drops, on None) the matches."""

    def endpoint(st: State, call: Call) -> Reply:
        group = _group(st, call)
        user, device = _member_target(st, call)
        hits = _matching(group, user, device)
        kept: list[GroupMember] = []
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


# --------------------------------------------------------------------------- glances


def update_glance(st: State, call: Call) -> Reply:
    """``POST /1/glances.json`` (§9): fields persist; "" clears one."""
    problems = Problems()
    user = call.get("user")
    if st.base_user(user) is None:
        _invalid_user(problems)
    device = call.get("device")
    if device and not _DEVICE.match(device):
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
        _invalid_user(problems)
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


# --------------------------------------------------------------------------- routing

Auth = Literal["app", "team"]
Handler = Callable[[State, Call], Reply]


@attrs.frozen
class Route:
    """One endpoint: a path pattern, its method, credential kind and handler."""

    pattern: re.Pattern[str]
    method: str
    handler: Handler
    auth: Auth = "app"


def _route(path: str, method: str, handler: Handler, auth: Auth = "app") -> Route:
    """Compile *path*, whose ``{name}`` placeholders match one path segment each."""
    parts = re.split(r"\{(\w+)\}", path)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if odd % 2 else re.escape(part)
        for odd, part in enumerate(parts)
    )
    return Route(re.compile(regex + r"\Z"), method, handler, auth)


_GROUP: Final = "/1/groups/{group}"

#: Every endpoint of pushover-api.md §2-§12.
ROUTES: Final[tuple[Route, ...]] = (
    _route("/1/messages.json", "POST", send_message),
    _route("/1/sounds.json", "GET", list_sounds),
    _route("/1/users/validate.json", "POST", validate_user),
    _route("/1/receipts/cancel_by_tag/{tag}.json", "POST", cancel_by_tag),
    _route("/1/receipts/{receipt}.json", "GET", get_receipt),
    _route("/1/receipts/{receipt}/cancel.json", "POST", cancel_receipt),
    _route("/1/apps/limits.json", "GET", app_limits),
    _route("/1/groups.json", "POST", create_group),
    _route("/1/groups.json", "GET", list_groups),
    _route(_GROUP + ".json", "GET", group_info),
    _route(_GROUP + "/add_user.json", "POST", add_group_user),
    _route(_GROUP + "/remove_user.json", "POST", remove_group_user),
    _route(_GROUP + "/delete_user.json", "POST", remove_group_user),
    _route(_GROUP + "/disable_user.json", "POST", disable_group_user),
    _route(_GROUP + "/enable_user.json", "POST", enable_group_user),
    _route(_GROUP + "/rename.json", "POST", rename_group),
    _route("/1/glances.json", "POST", update_glance),
    _route("/1/subscriptions/migrate.json", "POST", migrate_subscription),
    _route("/1/licenses/assign.json", "POST", assign_license),
    _route("/1/licenses.json", "GET", license_credits),
    _route("/1/teams/add_user.json", "POST", add_team_user, "team"),
    _route("/1/teams/remove_user.json", "POST", remove_team_user, "team"),
    _route("/1/teams.json", "GET", team_info, "team"),
    _route("/1/teams/revoke_invitation.json", "POST", revoke_team_invitation, "team"),
)
