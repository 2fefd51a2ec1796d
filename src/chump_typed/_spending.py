"""A client's notification budget (``Client(..., budget=)``): what a message send
spends, when it is refused, what is given back, and what closes the budget.

* A message send (``messages.json``, however it is called) costs one quota unit per
  recipient key in its ``user`` field; it is spent after the request is encoded (bad
  input costs nothing) and before anything goes out. No other call spends.
* No room: :class:`~chump_typed.BudgetExceededError`, nothing sent; its ``retry_at`` is
  what the budget's ``try_spend`` says (every budget of :mod:`chump_typed.budget` has
  one), else a time by which it certainly has room (the reopening of a closed budget,
  or a whole window from now).
* Given back (when the budget can, :meth:`refund`): Pushover refused the request (an
  :class:`~chump_typed.APIError` other than a 429 or a 5xx), or it failed with
  ``may_have_been_sent=False``.
* Closed until Pushover's reset: a 429 (:class:`~chump_typed.QuotaExceededError`), or
  an answer with ``X-Limit-App-Remaining: 0``. A reset Pushover did not give is 06:00
  UTC on the next first of the month; one already past by our clock, an hour from now.

The async twin runs the calls of a budget that is not a
:class:`~chump_typed.budget.MemoryBudget` (SQLite, Redis: they wait on a file lock or a
socket) on a worker thread, so the event loop never waits on them.
"""

from __future__ import annotations

import datetime as _dt
import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeVar

from chump_typed import _endpoints as ep
from chump_typed._budget_shared import Refunding, TrySpending, estimate_retry_at
from chump_typed._digest import next_month
from chump_typed._execute import execute as _execute
from chump_typed._execute import execute_async as _execute_async
from chump_typed.budget import Budget, MemoryBudget
from chump_typed.errors import (
    APIError,
    BudgetExceededError,
    PushoverError,
    QuotaExceededError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from chump_typed.models import EmergencyNotification, Notification, Result

if TYPE_CHECKING:
    import attrs

    from chump_typed.protocol import AsyncTransport, HTTPRequest, Transport

__all__ = [
    "MIN_CLOSURE",
    "check_budget",
    "execute",
    "execute_async",
    "units_for",
]

#: Seconds a 429 whose reset has already passed (by our clock) closes the budget.
MIN_CLOSURE: Final = 3600.0

_UTC: Final = _dt.timezone.utc

Req = TypeVar("Req", bound="attrs.AttrsInstance")
Resp = TypeVar("Resp", bound=Result)
_T = TypeVar("_T")

_MESSAGE_ROWS: Final = (ep.SEND_MESSAGE, ep.SEND_EMERGENCY)


def check_budget(budget: object) -> Budget | None:
    """*budget* if it is one (``None`` for none); a ``TypeError`` naming it if not."""
    if budget is None or isinstance(budget, Budget):
        return budget
    raise TypeError(
        "budget: expected a Budget (MemoryBudget, SQLiteBudget, RedisBudget), "
        f"got a {type(budget).__name__}"
    )


def units_for(endpoint: ep.Endpoint[Req, Resp], request: Req) -> int:
    """Quota units *request* spends: one per recipient key of a message, else 0."""
    if endpoint not in _MESSAGE_ROWS or not isinstance(
        request, (Notification, EmergencyNotification)
    ):
        return 0
    return sum(1 for key in request.user.split(",") if key.strip())


def _now(budget: Budget) -> float:
    clock: object = getattr(budget, "clock", None)
    if callable(clock):
        now = clock()
        if isinstance(now, (int, float)):
            return float(now)
    return time.time()


def _check_fits(budget: Budget, units: int) -> None:
    for name, cap in (("per_hour", budget.per_hour), ("per_day", budget.per_day)):
        if cap is not None and units > cap:
            raise ValidationError(
                "user",
                f"{units} recipient keys cost {units} quota units, more than the "
                f"budget's {name}={cap}: it could never be sent",
            )


def _spend(budget: Budget, units: int) -> None:
    """Spend *units* or raise :class:`BudgetExceededError` (nothing spent)."""
    _check_fits(budget, units)
    if isinstance(budget, TrySpending):
        when = budget.try_spend(units)
    else:
        when = None if budget.spend(units) else estimate_retry_at(budget, _now(budget))
    if when is not None:
        raise BudgetExceededError(_dt.datetime.fromtimestamp(when, _UTC))


def _close(budget: Budget, reset: _dt.datetime | None) -> None:
    now = _now(budget)
    until = next_month(now) if reset is None else reset.timestamp()
    if until <= now:  # our clock is ahead of Pushover's: try again in a while
        until = now + MIN_CLOSURE
    budget.close_until(until)


def _after_error(budget: Budget, units: int, error: PushoverError) -> None:
    """Close on a 429; give *units* back when the send certainly did not go out."""
    if isinstance(error, QuotaExceededError):
        _close(budget, error.reset_at)
        return
    refused = isinstance(error, APIError) and (
        error.http_status is None or error.http_status < 500
    )
    lost = (
        isinstance(error, (TransportError, UnexpectedResponseError))
        and not error.may_have_been_sent
    )
    if (refused or lost) and isinstance(budget, Refunding):
        budget.refund(units)


def _after_result(budget: Budget, result: Result) -> None:
    """Close when Pushover says nothing remains (``X-Limit-App-Remaining: 0``)."""
    limit = getattr(result, "rate_limit", None)
    remaining: object = getattr(limit, "remaining", None)
    if isinstance(remaining, int) and remaining <= 0:
        reset: object = getattr(limit, "reset", None)
        _close(budget, reset if isinstance(reset, _dt.datetime) else None)


def execute(
    budget: Budget,
    units: int,
    transport: Transport,
    http_request: HTTPRequest,
    endpoint: ep.Endpoint[Req, Resp],
) -> Resp:
    """Spend *units* from *budget*, then send (``_execute.execute``) and settle."""
    _spend(budget, units)
    try:
        result = _execute(transport, http_request, endpoint)
    except PushoverError as error:
        _after_error(budget, units, error)
        raise
    _after_result(budget, result)
    return result


async def _call(budget: Budget, function: Callable[[], _T]) -> _T:
    """*function* (a call on *budget*), on a worker thread unless the budget is in
    memory."""
    if isinstance(budget, MemoryBudget):
        return function()
    import anyio.to_thread  # only async code gets here: the async extras bring anyio

    return await anyio.to_thread.run_sync(function)


async def execute_async(
    budget: Budget,
    units: int,
    transport: AsyncTransport,
    http_request: HTTPRequest,
    endpoint: ep.Endpoint[Req, Resp],
) -> Resp:
    """What :func:`execute` does, awaited."""
    await _call(budget, functools.partial(_spend, budget, units))
    try:
        result = await _execute_async(transport, http_request, endpoint)
    except PushoverError as error:
        await _call(budget, functools.partial(_after_error, budget, units, error))
        raise
    await _call(budget, functools.partial(_after_result, budget, result))
    return result
