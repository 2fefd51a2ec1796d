"""Which acknowledgement callbacks to confirm with a receipt poll, and when.

The rules :func:`~chump_typed.callbacks.callback_app` and its ASGI twin share, with
no I/O: each only asks :class:`ConfirmGate` what to do with an acknowledgement of a
receipt the application issued, does it (polls, or calls the handler), and reports
back. Pushover blocks the address of a client that keeps making requests it answers
with a 4xx, and a callback can be forged by anyone who knows its URL, so the gate
keeps the polls few:

- a receipt is polled at most once per *interval* seconds (measured from the start
  of its last poll), and never while a poll of it is under way;
- all receipts together are polled at most *per_minute* times a minute, in bursts of
  at most *burst* (a token bucket: in any span of *t* seconds, at most
  ``burst + t * per_minute / 60`` polls begin);
- a receipt Pushover refused (a 4xx: unknown, over a week old, another application's) is
  never polled again, and one it confirmed is not polled again either: its
  acknowledgement is handed to the handler until the handler returns once, and
  later copies are answered without it (the last :data:`REMEMBERED` receipts
  settled are remembered).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, Generic, Literal, Protocol, TypeVar, cast

import attrs

from chump_typed._callback_wire import Answer
from chump_typed.errors import APIError, PushoverError, QuotaExceededError

if TYPE_CHECKING:
    from chump_typed.models import Receipt

__all__ = [
    "LATER",
    "OK",
    "REMEMBERED",
    "Answer",
    "Claim",
    "ConfirmGate",
    "Confirmer",
    "Step",
]

#: How many settled receipts (confirmed, handled or refused) are remembered.
REMEMBERED: Final = 10_000

A = TypeVar("A")


class Claim(Protocol):
    """What the gate's user needs of an acknowledgement (a callback's)."""

    @property
    def receipt(self) -> str: ...

    @property
    def acknowledged(self) -> bool: ...


C = TypeVar("C", bound=Claim)

#: What to do with an acknowledgement: ``poll`` its receipt now; ``act`` (call the
#: handler with :attr:`Step.ack`, Pushover's confirmed acknowledgement); nothing, as
#: Pushover says the message is not acknowledged (``unconfirmed``: forged, or not yet),
#: it was ``handled`` already or its receipt ``refused`` by Pushover; or answer that
#: it cannot be confirmed now because its receipt was polled ``recent``-ly, is being
#: polled or handled (``busy``), or the overall ``rate`` is reached.
Kind = Literal[
    "poll", "act", "unconfirmed", "handled", "refused", "recent", "busy", "rate"
]


@attrs.frozen
class Step(Generic[A]):
    """The gate's answer for one acknowledgement."""

    kind: Kind
    ack: A | None = None


class ConfirmGate(Generic[A]):
    """The polling rules for one callback app; safe to share between threads.

    *clock* gives monotonic seconds (:func:`time.monotonic`; a test's own clock).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        interval: float,
        per_minute: int,
        burst: int,
        remembered: int = REMEMBERED,
    ) -> None:
        self._clock = clock
        self._interval = interval
        self._per_second = per_minute / 60
        self._burst = burst
        self._remembered = remembered
        self._lock = threading.Lock()
        #: Receipts polled within the interval, by when the poll began (oldest first).
        self._polled: OrderedDict[str, float] = OrderedDict()
        self._polling: set[str] = set()
        self._settled: OrderedDict[str, tuple[str, A | None]] = OrderedDict()
        self._tokens = float(burst)
        self._filled_at: float | None = None

    def begin(self, receipt: str) -> Step[A]:
        """What to do with an acknowledgement of *receipt*, a receipt the application
        issued. A ``poll`` must be followed by :meth:`polled`, :meth:`refused` or
        :meth:`failed`; an ``act`` by :meth:`handled`."""
        with self._lock:
            now = self._clock()
            settled = self._settled.get(receipt)
            if settled is not None:
                self._settled.move_to_end(receipt)
                state, ack = settled
                if state == "confirmed":
                    self._settled[receipt] = ("handling", ack)
                    return Step("act", ack)
                if state == "handling":
                    return Step("busy")
                return Step("handled" if state == "handled" else "refused")
            while self._polled:
                oldest, when = next(iter(self._polled.items()))
                if now - when < self._interval:
                    break
                del self._polled[oldest]
            if receipt in self._polling:
                return Step("busy")
            if receipt in self._polled:
                return Step("recent")
            self._refill(now)
            if self._tokens < 1:
                return Step("rate")
            self._tokens -= 1
            self._polled[receipt] = now
            self._polling.add(receipt)
            return Step("poll")

    def _refill(self, now: float) -> None:
        if self._filled_at is not None and now > self._filled_at:
            gained = (now - self._filled_at) * self._per_second
            self._tokens = min(float(self._burst), self._tokens + gained)
        if self._filled_at is None or now > self._filled_at:
            self._filled_at = now

    def _settle(self, receipt: str, state: str, ack: A | None) -> None:
        self._settled[receipt] = (state, ack)
        self._settled.move_to_end(receipt)
        while len(self._settled) > self._remembered:
            self._settled.popitem(last=False)

    def polled(self, receipt: str, ack: A | None) -> Step[A]:
        """The poll of *receipt* answered: *ack* is the acknowledgement Pushover
        confirms, or None when it says the message is not acknowledged."""
        with self._lock:
            self._polling.discard(receipt)
            if ack is None:
                return Step("unconfirmed")
            self._settle(receipt, "handling", ack)
            return Step("act", ack)

    def refused(self, receipt: str) -> None:
        """Pushover answered the poll of *receipt* with a 4xx: never poll it again."""
        with self._lock:
            self._polling.discard(receipt)
            self._settle(receipt, "refused", None)

    def failed(self, receipt: str) -> None:
        """The poll of *receipt* gave no answer (it still counts for the interval)."""
        with self._lock:
            self._polling.discard(receipt)

    def handled(self, receipt: str, *, ok: bool) -> None:
        """The handler returned (*ok*) or raised for *receipt*'s acknowledgement; in
        the second case the next copy of the callback hands it over again."""
        with self._lock:
            state = self._settled.get(receipt)
            if state is None or state[0] != "handling":
                return
            self._settle(
                receipt, "handled" if ok else "confirmed", None if ok else state[1]
            )


# -- The answers of a confirming app, and its log records ---------------------------------

OK: Final[Answer] = (200, "OK\n", [])
#: Asks the sender to call again later: Pushover does, about a minute later.
LATER: Final[Answer] = (503, "not confirmed yet\n", [("Retry-After", "60")])

_logger: Final = logging.getLogger("chump_typed.callbacks")

_NOT_NOW: Final = "cannot be confirmed now ({}): answered 503, to be called again"

#: Why an acknowledgement is not acted on: the log level and the words.
_NOTES: Final[Mapping[str, tuple[int, str]]] = {
    "not-acknowledged": (logging.WARNING, "says it is not acknowledged: not acted on"),
    "unknown": (
        logging.WARNING,
        "names a receipt this application did not issue: not polled, not acted on",
    ),
    "unconfirmed": (
        logging.WARNING,
        "is not confirmed by Pushover (forged, or early): not acted on",
    ),
    "refused": (
        logging.WARNING,
        "names a receipt Pushover refused: not polled again, not acted on",
    ),
    "handled": (logging.INFO, "was handled already: not acted on again"),
    "recent": (logging.INFO, _NOT_NOW.format("its receipt was polled lately")),
    "busy": (logging.INFO, _NOT_NOW.format("it is being confirmed or handled")),
    "rate": (logging.WARNING, _NOT_NOW.format("receipt polls are at their limit")),
    "poll-failed": (logging.WARNING, _NOT_NOW.format("the receipt poll failed: {}")),
}


def peer_of(value: object) -> str:
    """The sender's address for a log record (the server's word, kept short): a
    WSGI ``REMOTE_ADDR`` or an ASGI ``client`` pair."""
    if isinstance(value, (list, tuple)) and value:
        value = cast("list[object]", value)[0]
    if isinstance(value, str) and value.isprintable() and len(value) <= 64:
        return value
    return "unknown"


def _note(outcome: str, claimed: Claim, peer: str, detail: str = "") -> Answer:
    """One log record for an acknowledgement not acted on, and the answer to it.

    The record holds the receipt (not a secret), the sender's address and why;
    never the user key the acknowledgement names.
    """
    level, text = _NOTES[outcome]
    _logger.log(
        level,
        "acknowledgement of receipt %s from %s %s",
        claimed.receipt,
        peer,
        text.format(detail),
        extra={"receipt": claimed.receipt, "outcome": outcome, "peer": peer},
    )
    return LATER if outcome in ("recent", "busy", "rate", "poll-failed") else OK


def _refused(polled: object) -> bool:
    """Whether Pushover said no to the poll itself (a 4xx, or a ``status`` of 0):
    the receipt is unknown, over a week old, or another application's. A 429 and a 5xx
    say nothing about the receipt."""
    if not isinstance(polled, APIError) or isinstance(polled, QuotaExceededError):
        return False
    return polled.http_status is None or polled.http_status < 500


@attrs.frozen
class Confirmer(Generic[C]):
    """A confirming app's decisions: which acknowledgements to poll, what to answer,
    what to hand to the handler. The app does the I/O in between (sync or async).

    *known_receipt* is the application's test; *confirmed* makes the acknowledgement
    the handler gets from the claim and Pushover's :class:`~chump_typed.Receipt`.
    """

    gate: ConfirmGate[C]
    known_receipt: Callable[[str], bool]
    confirmed: Callable[[C, Receipt], C]

    def first(self, claimed: C, peer: str) -> Step[C] | Answer:
        """A ``poll`` or ``act`` step for *claimed*, or the answer when there is
        nothing to do (an exception from *known_receipt* propagates)."""
        if not claimed.acknowledged:
            return _note("not-acknowledged", claimed, peer)
        if not self.known_receipt(claimed.receipt):
            return _note("unknown", claimed, peer)
        return self._step(self.gate.begin(claimed.receipt), claimed, peer)

    def _step(self, step: Step[C], claimed: C, peer: str) -> Step[C] | Answer:
        if step.kind in ("poll", "act"):
            return step
        return _note(step.kind, claimed, peer)

    def after_poll(
        self, claimed: C, polled: Receipt | PushoverError, peer: str
    ) -> Step[C] | Answer:
        """What follows a poll that answered (a :class:`~chump_typed.Receipt`) or
        failed with the client's error: an ``act`` step, or the answer."""
        receipt = claimed.receipt
        if _refused(polled):
            self.gate.refused(receipt)
            return _note("refused", claimed, peer)
        if isinstance(polled, PushoverError):
            self.gate.failed(receipt)
            status = getattr(polled, "http_status", None)
            error = type(polled).__name__ + (
                "" if status is None else f", HTTP {status}"
            )
            return _note("poll-failed", claimed, peer, error)
        ack = self.confirmed(claimed, polled) if polled.acknowledged else None
        return self._step(self.gate.polled(receipt, ack), claimed, peer)
