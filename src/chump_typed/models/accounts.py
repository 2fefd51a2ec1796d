"""Accounts and their widgets: glances, subscriptions, licences and teams
(pushover-api.md §9-§12)."""

from __future__ import annotations

import enum
from typing import Any, Final, Literal

import attrs

from chump_typed._checks import (
    check_bool,
    check_devices,
    check_email,
    check_int_range,
    check_key,
    check_line,
    check_name,
    check_text,
    optional,
    required,
)
from chump_typed._scrub import scrub_public
from chump_typed.errors import ValidationError
from chump_typed.models._base import Request, Result, wire

__all__ = [
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
]

#: Glance title, text and subtext (§9).
GLANCE_TEXT_MAX: Final = 100
#: Glance percent range (§9).
PERCENT_MIN: Final = 0
#: The highest glance percent.
PERCENT_MAX: Final = 100


# -- Requests ---------------------------------------------------------------------------

#: The fields of a glance, in the order Pushover documents them.
GLANCE_FIELDS: Final = ("title", "text", "subtext", "count", "percent")


class Clear(enum.Enum):
    """The type of :data:`CLEAR`."""

    #: The only value: see CLEAR.
    CLEAR = "clear"

    def __repr__(self) -> str:
        return "CLEAR"


#: Clears a glance field, text or number alike (sent as a blank, which Pushover reads
#: as "remove this field").
CLEAR: Final = Clear.CLEAR


def _glance(check: Any, **bounds: Any) -> Any:
    """A glance field's validator: :data:`CLEAR`, ``None`` or a value *check* takes."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if value is not None and value is not CLEAR:
            check(attribute.name, value, **bounds)

    return validate


@attrs.frozen(kw_only=True)
class GlanceUpdate(Request):
    """Push data to a user's glance widget (``POST /1/glances.json``).

    At least one of ``title``, ``text``, ``subtext`` (at most 100 characters each),
    ``count`` (any integer) and ``percent`` (0 to 100) is required. Pushover keeps
    fields between updates; :data:`CLEAR` clears any field (it is sent as a blank,
    which also clears a text field given as ``""``, as client libraries report:
    not confirmed by Pushover's documentation).
    ``device`` sends to one device only. Whether group keys are accepted is not
    documented, so ``user`` is one key.
    """

    user: str = attrs.field(validator=required(check_key), repr=False)
    """The user key whose widget is updated."""
    device: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Only this device's widget."""
    title: str | Clear | None = attrs.field(
        default=None,
        validator=_glance(check_text, max_len=GLANCE_TEXT_MAX),
        metadata=wire("clearable"),
    )
    """The widget's title (at most 100 characters)."""
    text: str | Clear | None = attrs.field(
        default=None,
        validator=_glance(check_text, max_len=GLANCE_TEXT_MAX),
        metadata=wire("clearable"),
    )
    """Its main line (at most 100 characters)."""
    subtext: str | Clear | None = attrs.field(
        default=None,
        validator=_glance(check_text, max_len=GLANCE_TEXT_MAX),
        metadata=wire("clearable"),
    )
    """Its second line (at most 100 characters)."""
    count: int | Clear | None = attrs.field(
        default=None, validator=_glance(check_int_range), metadata=wire("clearable")
    )
    """A number shown on the widget."""
    percent: int | Clear | None = attrs.field(
        default=None,
        validator=_glance(check_int_range, low=PERCENT_MIN, high=PERCENT_MAX),
        metadata=wire("clearable"),
    )
    """A percentage, 0 to 100, shown as progress."""

    def __attrs_post_init__(self) -> None:
        if all(getattr(self, name) is None for name in GLANCE_FIELDS):
            raise ValidationError(
                "glance", "at least one of title, text, subtext, count or percent"
            )


@attrs.frozen(kw_only=True)
class SubscriptionMigrateRequest(Request):
    """Turn a user key into a subscribed user key for a subscription
    (``POST /1/subscriptions/migrate.json``).

    ``subscription`` is the subscription code; ``device_name`` (Pushover's name for
    it here, not ``device``) limits it to one device; ``sound`` is the preferred sound.
    """

    subscription: str = attrs.field(validator=required(check_name))
    """The subscription code."""
    user: str = attrs.field(validator=required(check_key), repr=False)
    """The user key to subscribe."""
    device_name: str | None = attrs.field(
        default=None, validator=optional(check_devices, many=False)
    )
    """Only this device of the user."""
    sound: str | None = attrs.field(default=None, validator=optional(check_line))
    """The sound the subscription's messages use."""


#: The platforms a licence can be assigned for.
LicenseOS = Literal["Android", "iOS", "Desktop"]
#: The values of LicenseOS, for checks at run time.
LICENSE_OS: Final[tuple[LicenseOS, ...]] = ("Android", "iOS", "Desktop")


def _check_os(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None and value not in LICENSE_OS:
        raise ValidationError(
            attribute.name, f"must be one of Android, iOS or Desktop, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class LicenseAssignRequest(Request):
    """Spend one licence credit on a user (``POST /1/licenses/assign.json``).

    Give exactly one of ``user`` (a user key) or ``email``; ``os`` picks the platform,
    or leave it out for the first platform the user registers. Never retried
    automatically: each success spends a credit.
    """

    user: str | None = attrs.field(
        default=None, validator=optional(check_key), repr=False
    )
    """The user key to license (or give ``email``)."""
    email: str | None = attrs.field(
        default=None, validator=optional(check_email), repr=False
    )
    """An e-mail address to license (or give ``user``)."""
    os: LicenseOS | None = attrs.field(default=None, validator=_check_os)
    """The platform: ``Android``, ``iOS`` or ``Desktop``; any when unset."""

    def __attrs_post_init__(self) -> None:
        if (self.user is None) == (self.email is None):
            raise ValidationError("user", "give exactly one of user or email")


@attrs.frozen(kw_only=True)
class LicenseCreditsRequest(Request):
    """Ask how many licence credits remain (``GET /1/licenses.json``)."""


@attrs.frozen(kw_only=True)
class TeamAddUserRequest(Request):
    """Add a user to a Pushover for Teams team (``POST /1/teams/add_user.json``).

    Authenticated by the team token, not the application token. Without
    ``password`` Pushover generates one and e-mails it; ``instant`` puts a 7-day
    login link in the welcome mail; ``admin`` makes the user a team administrator;
    ``group`` names a delivery group to add them to (created if missing). The two
    flags go on the wire as the string ``true`` (left out when false).
    """

    email: str = attrs.field(validator=required(check_email), repr=False)
    """The new member's e-mail address."""
    name: str | None = attrs.field(default=None, validator=optional(check_name))
    """The new member's name."""
    password: str | None = attrs.field(
        default=None,
        validator=optional(check_text, min_len=1, max_len=1024),
        repr=False,
    )
    """A password for an account created for them."""
    instant: bool = attrs.field(
        default=False, validator=check_bool, metadata=wire("true_flag")
    )
    """Add them without an invitation to accept."""
    admin: bool = attrs.field(
        default=False, validator=check_bool, metadata=wire("true_flag")
    )
    """Make them an administrator of the team."""
    group: str | None = attrs.field(default=None, validator=optional(check_name))
    """A team group to add them to."""


@attrs.frozen(kw_only=True)
class TeamRemoveUserRequest(Request):
    """Remove a user from the team (``POST /1/teams/remove_user.json``; the path is
    the one client libraries use, not confirmed by Pushover's documentation)."""

    email: str = attrs.field(validator=required(check_email), repr=False)
    """The member's e-mail address."""


@attrs.frozen(kw_only=True)
class TeamInfoRequest(Request):
    """The team, its users and their devices (``GET /1/teams.json``) [UNVERIFIED: seen
    in two 2026 libraries only]."""


@attrs.frozen(kw_only=True)
class TeamRevokeInvitationRequest(Request):
    """Withdraw a pending invitation to the team
    (``POST /1/teams/revoke_invitation.json``) [UNVERIFIED: one 2026 library only]."""

    email: str = attrs.field(validator=required(check_email), repr=False)
    """The invited e-mail address."""


# -- Results ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class GlanceResult(Result):
    """The glance data was accepted."""


@attrs.frozen(kw_only=True)
class SubscriptionMigrateResult(Result):
    """The subscribed user key to send to from now on, in place of the user key."""

    subscribed_user_key: str = attrs.field(repr=False)
    """The key to send to from now on."""


@attrs.frozen(kw_only=True)
class LicenseAssignResult(Result):
    """A licence was assigned; ``credits`` remain (``None`` when the answer does not
    say: the credit is spent either way)."""

    credits: int | None = None
    """The licence credits left."""


@attrs.frozen(kw_only=True)
class LicenseCredits(Result):
    """The licence credits that remain."""

    credits: int
    """The licence credits left."""


@attrs.frozen(kw_only=True)
class TeamAddUserResult(Result):
    """The user was added to the team."""


@attrs.frozen(kw_only=True)
class TeamRemoveUserResult(Result):
    """The user was removed from the team."""


@attrs.frozen(kw_only=True)
class TeamRevokeInvitationResult(Result):
    """The invitation was withdrawn."""


@attrs.frozen(kw_only=True)
class TeamDevice:
    """One device of a team user. The field names follow a 2026 client library: not
    confirmed by Pushover's documentation."""

    name: str
    """The device's name."""
    os: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """Its platform, when Pushover gives it."""
    os_version: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """Its platform's version, when Pushover gives it."""
    enabled: bool = True
    """Whether it receives messages."""
    administratively_disabled: bool = False
    """Whether the team's administrator disabled it."""


@attrs.frozen(kw_only=True)
class TeamUser:
    """One user of the team [UNVERIFIED field names]; ``administrator`` marks a team
    administrator."""

    name: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
    """The member's name, when Pushover gives it."""
    email: str | None = attrs.field(
        default=None, repr=False, metadata=wire("blank_is_none")
    )
    """The member's e-mail address, when Pushover gives it."""
    administrator: bool = False
    """Whether the member administers the team."""
    devices: tuple[TeamDevice, ...] = ()
    """The member's devices."""


@attrs.frozen(kw_only=True)
class TeamInfo(Result):
    """The team's name and users [UNVERIFIED shape]."""

    name: str
    """The team's name."""
    users: tuple[TeamUser, ...] = ()
    """The team's members."""


scrub_public(globals())
