"""The fake Pushover's records and state, and the values every rule takes and gives.

The rules (one module per API family: :mod:`._messages`, :mod:`._groups`,
:mod:`._accounts`) are deliberately independent of :mod:`chump_typed.models`: a test
double that reused the client's validators would agree with the client by construction
and prove nothing. Every rule is re-read from ``pushover-api.md`` and applied to the
strings that arrived on the wire. Each endpoint is a plain function
``(state, call) -> Reply``, declared with its :func:`route` in its family's ``ROUTES``;
a rejection is raised as :class:`Rejection` and rendered by the dispatcher.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import secrets
import string
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

import attrs

__all__ = [
    "APP_TOKEN",
    "BUILTIN_SOUNDS",
    "DEFAULT_CREDITS",
    "DEFAULT_LIMIT",
    "GROUP_KEY",
    "MAX_ATTACHMENT_BYTES",
    "SUBSCRIPTION_CODE",
    "TEAM_TOKEN",
    "USER_DEVICES",
    "USER_KEY",
    "Account",
    "Call",
    "ClientDevice",
    "Group",
    "License",
    "Membership",
    "Problems",
    "ReceiptState",
    "Rejection",
    "Reply",
    "Route",
    "SentAttachment",
    "SentMessage",
    "State",
    "TeamMember",
    "current_receipt",
    "route",
]

# -- The example identifiers the fake knows by default ---------------------------------

#: The application token of Pushover's documentation examples.
APP_TOKEN: Final = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
#: The user key of Pushover's documentation examples.
USER_KEY: Final = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
#: The devices the default user has.
USER_DEVICES: Final[tuple[str, ...]] = ("iphone", "droid2")
#: The group key of Pushover's documentation examples; its only member is USER_KEY.
GROUP_KEY: Final = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"
#: The Team API token the fake accepts by default.
TEAM_TOKEN: Final = "tEAMtoKEN0000000000000000000te"
#: A subscription code the fake accepts by default.
SUBSCRIPTION_CODE: Final = "Example-abcd1234"
#: The default monthly message allowance.
DEFAULT_LIMIT: Final = 10_000
#: The default number of licence credits.
DEFAULT_CREDITS: Final = 10

#: The platforms a configured user is licensed for by default.
DEFAULT_PLATFORMS: Final = frozenset({"Android", "iOS"})


# -- Pushover's rules, as numbers --------------------------------------------------------

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
#: The last Unix second a timestamp may name: 9999-12-31T23:59:59Z (§1: Unix seconds).
LATEST_TIMESTAMP: Final = 253_402_300_799
MAX_EXPIRE: Final = 10_800
MAX_MEMO: Final = 200

DEVICE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,25}\Z")
INT_PATTERN: Final = re.compile(r"-?[0-9]+\Z")
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
class SentAttachment:
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

    An end-to-end encrypted message (``encrypted=1``) keeps its ciphertext in
    ``params``; when the fake knows a recipient's key
    (:meth:`~chump_typed.testing.FakePushover.set_e2ee_key`), ``decrypted`` holds the
    fields as that user will read them, and ``unreadable_by`` the recipients whose
    key does not open them.
    """

    request: str
    params: Mapping[str, str] = attrs.field(hash=False)
    recipients: tuple[str, ...]
    attachment: SentAttachment | None
    receipt: str | None
    received_at: float
    encrypted: bool = False
    decrypted: Mapping[str, str] | None = attrs.field(default=None, hash=False)
    unreadable_by: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """The ``message`` as its recipient reads it: decrypted when the fake could."""
        return (self.decrypted or self.params)["message"]

    @property
    def priority(self) -> int:
        """The ``priority`` parameter as an int (0 when absent)."""
        return int(self.params.get("priority") or 0)


@attrs.frozen(kw_only=True)
class Account:
    """A Pushover account the Open Client API can log in to."""

    email: str
    password: str = attrs.field(repr=False)
    user: str
    twofa: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class ClientDevice:
    """An Open Client device and the messages waiting for it (wire dicts, oldest
    first: what a download returns)."""

    id: str
    user: str
    name: str
    secret: str = attrs.field(repr=False)
    queue: tuple[Mapping[str, object], ...] = ()

    @property
    def pending(self) -> tuple[int, ...]:
        """The ids of the messages waiting, oldest first."""
        return tuple(int(str(item["id"])) for item in self.queue)


@attrs.frozen(kw_only=True)
class ReceiptState:
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
    #: Every user the emergency message reached (who may acknowledge it).
    audience: tuple[str, ...] = ()

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
class Membership:
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
    members: tuple[Membership, ...] = ()


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
    receipts: dict[str, ReceiptState] = attrs.field(factory=dict[str, ReceiptState])
    messages: list[SentMessage] = attrs.field(factory=list[SentMessage])
    glances: dict[tuple[str, str | None], dict[str, str]] = attrs.field(
        factory=dict[tuple[str, str | None], dict[str, str]]
    )
    subscribers: dict[str, str] = attrs.field(factory=dict[str, str])
    licenses: list[License] = attrs.field(factory=list[License])
    team: dict[str, TeamMember] = attrs.field(factory=dict[str, TeamMember])
    #: The end-to-end encryption keys of users, by user key (``E2EEKey`` values).
    e2ee_keys: dict[str, Any] = attrs.field(factory=dict[str, Any])
    #: Accounts by e-mail (configuration: kept through ``reset()``).
    accounts: dict[str, Account] = attrs.field(factory=dict[str, Account])
    #: Open Client session secrets -> the user key they log in.
    sessions: dict[str, str] = attrs.field(factory=dict[str, str])
    #: Open Client devices by id.
    devices: dict[str, ClientDevice] = attrs.field(factory=dict[str, ClientDevice])
    #: The last message id given to a device's copy of a message.
    last_message_id: int = 0
    #: Devices that got a message since the stream was last told (``!`` to send).
    pending_push: list[str] = attrs.field(factory=list[str])

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


def current_receipt(st: State, receipt: ReceiptState) -> ReceiptState:
    """*receipt* with ``expired`` brought up to date with the fake's clock."""
    if receipt.expired or receipt.acknowledged or st.now() < receipt.expires_at:
        return receipt
    updated = attrs.evolve(receipt, expired=True)
    st.receipts[receipt.receipt] = updated
    return updated


# ----------------------------------------------------------------------------- calls


@attrs.frozen(kw_only=True)
class Call:
    """One parsed request: its parameters, path arguments and request id."""

    request: str
    params: Mapping[str, str] = attrs.field(hash=False)
    path_args: Mapping[str, str] = attrs.field(hash=False)
    files: Mapping[str, SentAttachment] = attrs.field(hash=False)

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
        if not INT_PATTERN.match(raw):
            self.add(name, f"{name} must be an integer")
            return None
        return int(raw)

    def text(self, call: Call, limits: Mapping[str, int]) -> None:
        """Check each bounded text parameter's length in code points."""
        for name, most in limits.items():
            if len(call.get(name)) > most:
                self.add(name, f"{name} cannot be longer than {most} characters")

    def flag(self, call: Call, name: str) -> bool:
        """An optional flag: Pushover's wording is "set to 1 to enable", so ``1`` is on
        and any other value (``0``, ``False``, ``true``, blank) is off, never an
        error (pushover-complete sends ``html=False``)."""
        return call.get(name).strip() == "1"

    def device(self, name: str, value: str) -> None:
        """Check a device-name list (comma separated) against the device grammar."""
        if value and not all(DEVICE_PATTERN.match(item) for item in value.split(",")):
            self.add(name, f"{name} name is not valid")


USER_INVALID: Final = "user identifier is not a valid user, group, or subscribed key"


def invalid_user(problems: Problems) -> None:
    problems.add("user", USER_INVALID)


# -------------------------------------------------------------------------------- routes

#: Who a route lets in: an app token, the team token, an Open Client session secret,
#: or anyone (a login, which checks the account's password itself).
Auth = Literal["app", "team", "session", "account"]
Handler = Callable[[State, Call], Reply]


@attrs.frozen
class Route:
    """One endpoint: a path pattern, its method, credential kind and handler."""

    pattern: re.Pattern[str]
    method: str
    handler: Handler
    auth: Auth = "app"


def route(path: str, method: str, handler: Handler, auth: Auth = "app") -> Route:
    """Compile *path*, whose ``{name}`` placeholders match one path segment each."""
    parts = re.split(r"\{(\w+)\}", path)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if odd % 2 else re.escape(part)
        for odd, part in enumerate(parts)
    )
    return Route(re.compile(regex + r"\Z"), method, handler, auth)
