"""What every model family shares: the request and result markers, priorities and the
rate-limit figures."""

from __future__ import annotations

import datetime as _dt
import enum
from typing import Final, Literal, TypeAlias

import attrs

from chump_typed._scrub import scrub_public

__all__ = ["NotificationPriority", "Priority", "RateLimit", "Request", "Result"]


class Priority(enum.IntEnum):
    """Message priority (Pushover's ``priority`` parameter)."""

    LOWEST = -2
    """No notification at all; iOS only bumps the badge."""
    LOW = -1
    """No sound or vibration; a quiet banner may appear."""
    NORMAL = 0
    """Sound, vibration and banner, except during the user's quiet hours."""
    HIGH = 1
    """Bypasses quiet hours."""
    EMERGENCY = 2
    """Repeats every ``retry`` seconds until acknowledged or ``expire`` passes."""


#: The priorities of a :class:`~chump_typed.Notification`: all but ``EMERGENCY``,
#: which is an :class:`~chump_typed.EmergencyNotification` of its own.
NotificationPriority: TypeAlias = Literal[
    Priority.LOWEST, Priority.LOW, Priority.NORMAL, Priority.HIGH
]


#: The key of a field's wire rule in its attrs ``metadata`` (see :func:`wire`).
WIRE: Final = "chump_typed.wire"

#: Where a field's wire format differs from the converter's defaults:
#:
#: * ``"blank_is_none"``: an answer's ``""`` or ``null`` reads as ``None``;
#: * ``"null_is_empty"``: an answer's ``null`` reads as ``""``;
#: * ``"true_flag"``: a request sends ``True`` as the string ``true``, not ``1``;
#: * ``"always_sent"``: a request sends the field even at its default;
#: * ``"clearable"``: ``CLEAR`` goes as a blank, and a blank reads back as ``CLEAR``.
WireRule: TypeAlias = Literal[
    "blank_is_none", "null_is_empty", "true_flag", "always_sent", "clearable"
]


def wire(rule: WireRule) -> dict[str, WireRule]:
    """A field's ``metadata`` naming its wire rule. It is data: the converter reads
    it, so a rule sits on its field and no table of class names is kept."""
    return {WIRE: rule}


@attrs.frozen(kw_only=True)
class Request:
    """The marker of every request model: the converter finds request types by it
    (they are encoded leaving out what is unset), so no list of them is kept."""


@attrs.frozen(kw_only=True)
class RateLimit:
    """The ``X-Limit-App-*`` headers: the account's monthly allowance."""

    limit: int
    """The messages the application may send this month."""
    remaining: int
    """The messages it has left this month."""
    reset: _dt.datetime
    """When the allowance resets (aware UTC)."""

    def is_newer_than(self, other: RateLimit) -> bool:
        """Whether the server gave these figures after *other*'s.

        Responses can arrive in another order than the server answered them, so the
        order is read from the figures themselves: a later ``reset`` is a later period;
        within one period the allowance only grows (capacity can be bought, never
        taken back) and ``remaining`` only falls. Equal figures are not newer.
        """
        return _rate_limit_order(self) > _rate_limit_order(other)


def _rate_limit_order(figures: RateLimit) -> tuple[_dt.datetime, int, int]:
    return (figures.reset, figures.limit, -figures.remaining)


@attrs.frozen(kw_only=True)
class Result:
    """What every successful call returns: Pushover's request id, and the rate-limit
    headers when the response carried them."""

    request: str
    """Pushover's id for the call (quote it to Pushover's support)."""
    rate_limit: RateLimit | None = None
    """The monthly allowance, when the answer carried its headers."""


scrub_public(globals())
