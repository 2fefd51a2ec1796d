"""What the async transports share: the retry loop around one attempt, each attempt
within the time the deadline leaves (by default under an anyio cancel scope).

Each transport (:mod:`chump_typed._httpx`, :mod:`chump_typed._aiohttp`) only says how
one attempt is made with its library, within a budget of seconds; the knobs are checked
in :mod:`chump_typed._transport_base`, the deadline and the retry loop are here, once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import anyio

from chump_typed._failure import late
from chump_typed._retry import Attempts, Failure
from chump_typed._transport_base import AsyncKnobs, KnobsBase
from chump_typed.protocol import HTTPRequest, HTTPResponse

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

__all__ = ["AsyncKnobs", "AsyncTransportBase"]


class AsyncTransportBase(KnobsBase):
    """The retry loop of the async transports (their knobs are documented on
    :class:`~chump_typed.AsyncHttpxTransport`)."""

    def __init__(self, **knobs: Unpack[AsyncKnobs]) -> None:
        super().__init__(**knobs)
        sleep = knobs.get("sleep")
        self._sleep: Callable[[float], Awaitable[object]] = sleep or anyio.sleep

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send *request*; retry as ``retries`` decides, within ``deadline`` seconds.

        :raises TransportError: no response arrived in time.
        :raises UnexpectedResponseError: the answer was too large or unreadable.
        """
        self._prepare(request)
        deadline = self._clock() + self.deadline
        # The retry bookkeeping is made at the first failure: most calls have none.
        attempts: Attempts | None = None
        while True:
            budget = deadline - self._clock()
            answer: HTTPResponse | Failure | None = None
            if budget > 0:
                answer = await self._attempt_within(request, budget)
            # No answer: the deadline passed, before or during the attempt.
            result = self._deadline_passed(request) if answer is None else answer
            if isinstance(result, HTTPResponse) and result.status < 500:
                return result
            if attempts is None:
                attempts = Attempts(self.retries, request, self._on_retry)
            wait = attempts.next_wait(result, remaining=deadline - self._clock())
            if wait is None:
                break
            if wait > 0:
                await self._sleep(wait)
        if isinstance(result, HTTPResponse):
            return result  # a 5xx not retried (again): decoding reports it
        raise result.error

    def _prepare(self, request: HTTPRequest) -> None:
        """Get ready to send *request* (open a session, check the event loop); it
        never waits, so it is a plain method (one coroutine less per call)."""

    async def _attempt(
        self, request: HTTPRequest, budget: float
    ) -> HTTPResponse | Failure:
        """One attempt within *budget* seconds (the caller enforces it); failures are
        returned, not raised, so that no library exception is chained to ours."""
        raise NotImplementedError

    async def _attempt_within(
        self, request: HTTPRequest, budget: float
    ) -> HTTPResponse | Failure | None:
        """One attempt, cut off after *budget* seconds (``None``: it was): under an
        anyio cancel scope, unless the library's own timer does the same for less."""
        with anyio.move_on_after(budget):
            return await self._attempt(request, budget)
        return None

    def _deadline_passed(self, request: HTTPRequest) -> Failure:
        return Failure(None, late(request, self.deadline))

    async def aclose(self) -> None:
        """Release the connections."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
