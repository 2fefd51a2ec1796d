"""Repairing a broadcast: when Pushover rejects a request of many keys for one unknown
key, find the unknown keys (each checked once, within a bound on 4xx answers, since
Pushover blocks an IP address that repeats them) and send once more to the others,
so that nobody gets the message twice.

The rules are one plan (:func:`_plan`, a generator of keys to check) driven by the sync
and the async client alike.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from typing import Final, Literal, Protocol, cast

import attrs

from chump_typed._bulk import (
    MAX_IN_FLIGHT,
    AsyncSender,
    Failed,
    NotAttempted,
    Sender,
    SendOutcome,
    Sent,
    check_in_flight,
)
from chump_typed._bulk_run import send_many, send_many_async
from chump_typed._checks import check_int_range
from chump_typed._scrub import scrub_public
from chump_typed.errors import (
    APIError,
    QuotaExceededError,
    ValidationError,
)
from chump_typed.models import AnyNotification, UserValidation

#: What the package re-exports; the module's other names are internal.
__all__ = [
    "BroadcastRepair",
    "KeyStatus",
]

#: What a repair knows of a key: Pushover said it is valid or not, or a repair's
#: resend was delivered to it.
KeyStatus = Literal["valid", "invalid", "delivered"]

#: Default bound on the 4xx answers one :func:`repair_broadcast` may cause: Pushover
#: blocks an IP address that repeats them (pushover-api.md §2.2).
MAX_REJECTIONS: Final = 5


class KeyChecker(Sender, Protocol):
    """What repairing a broadcast needs of a client: sends and key validation."""

    def validate_user(self, user: str, device: str | None = None) -> UserValidation:
        """Check one key; an :class:`~chump_typed.APIError` names a bad one."""
        ...


class AsyncKeyChecker(AsyncSender, Protocol):
    """What an async repair needs of a client: sending and key validation."""

    async def validate_user(
        self, user: str, device: str | None = None
    ) -> UserValidation:
        """Check *user*; raise :class:`APIError` naming ``user`` if it is unknown."""
        ...


@attrs.frozen(kw_only=True)
class BroadcastRepair:
    """What :meth:`~chump_typed.Client.repair_broadcast` did.

    ``resent`` holds the outcomes of the new requests, to the valid keys of the
    rejected ones; ``invalid`` the keys Pushover said are not valid; ``unchecked`` the
    keys of rejected requests left unchecked (and unsent) because the bound on 4xx
    answers was reached; ``known`` what is known of every key so far, to pass to the
    next repair, so that no key is checked twice and none that was delivered to is
    sent to again.
    """

    #: The outcomes of the new requests, to the valid keys of the rejected ones.
    resent: list[SendOutcome]
    #: The keys Pushover said are not valid.
    invalid: tuple[str, ...] = attrs.field(repr=False)
    #: The keys left unchecked and unsent: the bound on 4xx answers was reached.
    unchecked: tuple[str, ...] = attrs.field(repr=False)
    #: What is known of every key so far: pass it to the next repair.
    known: dict[str, KeyStatus] = attrs.field(repr=False, hash=False)


def _rejected_for_a_key(outcome: SendOutcome) -> bool:
    return (
        isinstance(outcome, Failed)
        and isinstance(outcome.error, APIError)
        and not isinstance(outcome.error, QuotaExceededError)
        and "user" in outcome.error.bad_inputs
    )


def repair_broadcast(
    client: KeyChecker,
    outcomes: Sequence[SendOutcome],
    *,
    known: Mapping[str, KeyStatus] | None = None,
    max_rejections: int = MAX_REJECTIONS,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> BroadcastRepair:
    """Find the unknown keys of the requests of a :func:`broadcast` that Pushover
    rejected over a user key, and send each such request once more, to its valid keys.

    Only requests that failed over a key are touched, so nobody who was sent the
    message is sent it twice; a request whose keys are all valid is not resent (it
    failed for another reason). Keys are checked with ``validate_user``, one call
    each, skipping those in *known* (the ``known`` of an earlier repair). Each
    unknown key costs one 4xx answer, and Pushover blocks IP addresses that repeat
    them: after *max_rejections* of them no further key is checked, and the keys left
    are reported ``unchecked``, not sent.

    :raises ValidationError: *max_rejections* is not an int of at least 1.
    """
    check_int_range("max_rejections", max_rejections, low=1)
    check_in_flight(max_in_flight)
    _check_outcomes(outcomes)
    answers = _known_answers(known)
    plan = _plan(outcomes, answers, max_rejections)
    planned: _Planned | None = None
    try:
        key = next(plan)
        while True:
            key = plan.send(_is_valid(client, key))
    except StopIteration as done:
        planned = _planned(done)
    # Sent outside the except block: an error there must not chain StopIteration.
    assert planned is not None
    retries, invalid, unchecked = planned
    resent = send_many(client, retries, max_in_flight=max_in_flight)
    return _repaired(resent, answers, invalid, unchecked)


async def repair_broadcast_async(
    client: AsyncKeyChecker,
    outcomes: Sequence[SendOutcome],
    *,
    known: Mapping[str, KeyStatus] | None = None,
    max_rejections: int = MAX_REJECTIONS,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> BroadcastRepair:
    """:func:`repair_broadcast` for an async client: the same plan, awaited."""
    check_int_range("max_rejections", max_rejections, low=1)
    check_in_flight(max_in_flight)
    _check_outcomes(outcomes)
    answers = _known_answers(known)
    plan = _plan(outcomes, answers, max_rejections)
    planned: _Planned | None = None
    try:
        key = next(plan)
        while True:
            key = plan.send(await _is_valid_async(client, key))
    except StopIteration as done:
        planned = _planned(done)
    # Sent outside the except block: an error there must not chain StopIteration.
    assert planned is not None
    retries, invalid, unchecked = planned
    resent = await send_many_async(client, retries, max_in_flight=max_in_flight)
    return _repaired(resent, answers, invalid, unchecked)


_Planned = tuple[list[AnyNotification], list[str], list[str]]
_Plan = Generator[str, bool, _Planned]


def _planned(done: StopIteration) -> _Planned:
    """What a finished plan returned: resends, invalid keys, unchecked keys."""
    value: _Planned = done.value
    return value


def _plan(
    outcomes: Sequence[SendOutcome],
    answers: dict[str, KeyStatus],
    max_rejections: int,
) -> _Plan:
    """The rules of a repair, for the sync and the async client alike: yields each key
    to check (and is sent whether it is valid), then returns the requests to resend,
    the invalid keys and the keys left unchecked. *answers* is filled in as it goes."""
    rejections = 0
    retries: list[AnyNotification] = []
    invalid: list[str] = []
    unchecked: list[str] = []
    for outcome in outcomes:
        if not _rejected_for_a_key(outcome):
            continue
        keys = outcome.notification.user.split(",")
        valid: list[str] = []
        for key in keys:
            if key not in answers:
                if rejections >= max_rejections:
                    unchecked.append(key)
                    continue
                answers[key] = "valid" if (yield key) else "invalid"
                rejections += answers[key] == "invalid"
            if answers[key] == "valid":
                valid.append(key)
            elif answers[key] == "invalid":
                invalid.append(key)
        if valid and len(valid) < len(keys):
            retries.append(attrs.evolve(outcome.notification, user=",".join(valid)))
    return retries, invalid, unchecked


def _repaired(
    resent: list[SendOutcome],
    answers: dict[str, KeyStatus],
    invalid: list[str],
    unchecked: list[str],
) -> BroadcastRepair:
    for sent in resent:
        if isinstance(sent, Sent):
            answers.update(
                dict.fromkeys(sent.notification.user.split(","), "delivered")
            )
    return BroadcastRepair(
        resent=resent,
        invalid=tuple(dict.fromkeys(invalid)),
        unchecked=tuple(dict.fromkeys(unchecked)),
        known=answers,
    )


def _check_outcomes(outcomes: object) -> None:
    if isinstance(outcomes, (str, bytes)) or not isinstance(outcomes, Sequence):
        raise TypeError(
            f"outcomes: expected a list of outcomes, got a {type(outcomes).__name__}"
        )
    for position, outcome in enumerate(cast("Sequence[object]", outcomes)):
        if not isinstance(outcome, (Sent, Failed, NotAttempted)):
            raise TypeError(
                f"outcomes[{position}]: expected an outcome of broadcast, "
                f"got a {type(outcome).__name__}"
            )


def _known_answers(known: object) -> dict[str, KeyStatus]:
    if known is None:
        return {}
    if not isinstance(known, Mapping):
        raise TypeError(f"known: expected a mapping, got a {type(known).__name__}")
    answers: dict[str, KeyStatus] = {}
    for key, status in cast("Mapping[object, object]", known).items():
        if not isinstance(key, str):
            raise TypeError(f"known: keys are user keys, got a {type(key).__name__}")
        if status not in _KEY_STATUSES:
            raise ValidationError(
                "known", f"a status is one of {', '.join(_KEY_STATUSES)}"
            )
        answers[key] = status
    return answers


_KEY_STATUSES: Final = ("valid", "invalid", "delivered")


def _is_valid(client: KeyChecker, key: str) -> bool:
    try:
        client.validate_user(key)
    except APIError as error:
        if "user" in error.bad_inputs:
            return False
        raise
    return True


async def _is_valid_async(client: AsyncKeyChecker, key: str) -> bool:
    try:
        await client.validate_user(key)
    except APIError as error:
        if "user" in error.bad_inputs:
            return False
        raise
    return True


scrub_public(globals())
