"""The rules of a bulk send, without I/O: :class:`Stream` checks each notification
as it is read, keeps those read in order until their outcomes are reported, sorts
what each send gave (a spent quota or budget stops the run, a bug stops it too) and,
when a cancellation or an interrupt cuts the run short, gives every notification read
its outcome and tells the error (:func:`annotate`). The drivers, sync and async, are
in :mod:`chump_typed._bulk_run`.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import AsyncIterable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Final, cast

from chump_typed._bulk import (
    PROGRESS,
    E2EEKeys,
    Failed,
    NotAttempted,
    OnOutcome,
    SendOutcome,
    SendProgress,
    Sent,
    check_in_flight,
    check_key_mapping,
)
from chump_typed.errors import (
    BudgetExceededError,
    PushoverError,
    QuotaExceededError,
    TransportError,
    ValidationError,
)
from chump_typed.models import AnyNotification, SendResult

if TYPE_CHECKING:
    from chump_typed.e2ee import E2EEKey


class Slot:
    """One notification read, until its outcome is yielded."""

    __slots__ = ("index", "item", "key", "outcome", "started")

    def __init__(self, index: int, item: AnyNotification) -> None:
        self.index = index
        self.item = item
        self.key: E2EEKey | None = None
        self.started = False
        self.outcome: SendOutcome | None = None


#: How many notifications may be read and not yet reported, per send in flight: a
#: slow send holds back at most this many behind it (memory stays bounded).
WINDOW_PER_SEND: Final = 2


class Stream:
    """The rules of one bulk send, for both colours and every driver, without I/O.

    Each notification is checked as it is read (:meth:`take`) and kept, in order,
    until its outcome is reported (:meth:`collect`, :meth:`report`): at most
    ``window`` of them, so memory is bounded whatever the input's length. A spent
    quota or budget stops the sending (a lazy input is not read further; a
    sequence's rest is reported :class:`NotAttempted`); an error that is not an
    outcome (a bug) stops it too, and is raised once the sends in flight have
    finished; an interruption (:meth:`interrupted`) halts everything at once."""

    def __init__(
        self,
        notifications: object,
        max_in_flight: object,
        e2ee_key: E2EEKeys,
        on_outcome: OnOutcome | None,
    ) -> None:
        self.in_flight = check_in_flight(max_in_flight)
        if isinstance(notifications, (str, bytes)) or not isinstance(
            notifications, (Iterable, AsyncIterable)
        ):
            raise TypeError(
                "notifications: expected an iterable of notifications, got a "
                f"{type(notifications).__name__}"
            )
        #: A sequence is read to its end after a stop (its rest, NotAttempted).
        self.sequence = isinstance(notifications, Sequence)
        if on_outcome is not None and not callable(on_outcome):
            raise TypeError(
                f"on_outcome: expected a callable, got a {type(on_outcome).__name__}"
            )
        self.on_outcome = on_outcome
        self.keys = _KeyRule(e2ee_key)
        self.window = self.in_flight * WINDOW_PER_SEND
        self.read = 0
        self.exhausted = False
        #: A spent quota or budget: nothing more is sent.
        self.stopped = False
        #: An interruption: nothing more is read or sent, and nothing is reported
        #: but through on_outcome.
        self.halted = False
        self.crash: BaseException | None = None
        #: Read and not yet reported, in order.
        self.pending: deque[Slot] = deque()
        #: Reported to on_outcome and not yet handed to the caller.
        self.given: deque[SendOutcome] = deque()
        #: Sender threads still running (the sync driver).
        self.active = 0

    def sendable(self) -> bool:
        """Whether a sender may read and send another notification."""
        return not (
            self.exhausted or self.stopped or self.halted or self.crash is not None
        )

    def full(self) -> bool:
        """Whether a sender must wait for the oldest outcomes to be reported."""
        return self.sendable() and len(self.pending) >= self.window

    def rest_to_read(self) -> bool:
        """Whether a stopped sequence still has items to report NotAttempted."""
        return (
            self.stopped
            and self.sequence
            and not (self.exhausted or self.halted or self.crash is not None)
        )

    def take(self, item: object) -> Slot:
        """One notification read: checked, and ready to send (or its outcome known at
        once: not a notification, no key, or read after a stop)."""
        slot = Slot(self.read, cast("AnyNotification", item))
        self.read += 1
        try:
            if not isinstance(item, AnyNotification):
                raise TypeError(
                    f"notifications[{slot.index}]: expected a Notification or an "
                    f"EmergencyNotification, got a {type(item).__name__}"
                )
            slot.key = self.keys.key_for(slot.index, item)
        except (TypeError, ValidationError) as error:
            slot.outcome = Failed(index=slot.index, notification=slot.item, error=error)
        else:
            if self.stopped or self.halted:  # a sequence's rest, or a late read
                slot.outcome = NotAttempted(index=slot.index, notification=slot.item)
        if self.halted:  # read after an interruption: reported only to on_outcome
            assert slot.outcome is not None
            self._call(slot.outcome)
        else:
            self.pending.append(slot)
        return slot

    def settle(self, slot: Slot, outcome: SendResult | Exception) -> None:
        """Keep what sending *slot* gave. A result is :class:`Sent`; a
        :class:`PushoverError` is :class:`Failed` (a spent quota or budget also
        stops the run); anything else (a bug) stops the run and is raised once the
        sends in flight have finished, this send counted as cut off in flight."""
        index, notification = slot.index, slot.item
        if isinstance(outcome, SendResult):
            slot.outcome = Sent(index=index, notification=notification, result=outcome)
            return
        if isinstance(outcome, PushoverError):
            slot.outcome = Failed(index=index, notification=notification, error=outcome)
            if isinstance(outcome, (QuotaExceededError, BudgetExceededError)):
                self.stopped = True
            return
        self.crash = self.crash or outcome

    def collect(self) -> list[SendOutcome]:
        """The outcomes now known at the head, in order, taken off the window."""
        known: list[SendOutcome] = []
        while self.pending and self.pending[0].outcome is not None:
            outcome = self.pending.popleft().outcome
            assert outcome is not None
            known.append(outcome)
        return known

    def report(self, outcomes: list[SendOutcome]) -> None:
        """Give *outcomes* to ``on_outcome``, in order, and keep them for the caller
        (an error from ``on_outcome`` ends the run; they are kept all the same)."""
        self.given.extend(outcomes)
        for outcome in outcomes:
            self._call(outcome)

    def _call(self, outcome: SendOutcome) -> None:
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def hand_over(self) -> Iterator[SendOutcome]:
        """The outcomes reported and not yet handed to the caller, one at a time."""
        while self.given:
            yield self.given.popleft()

    def interrupted(self, error: BaseException, what: str = "send_iter") -> None:
        """*error* (a cancellation, an interrupt, a bug) cut the run short: nothing
        more is read or sent; every notification read gets its outcome (a send
        started and not finished is cut off in flight, one not started is
        :class:`NotAttempted`), each is reported, and *error* says so."""
        self.halted = True
        rest: list[SendOutcome] = []
        for slot in self.pending:
            if slot.outcome is None and slot.started:
                cut = TransportError(
                    f"notifications[{slot.index}]: its send was cut off in flight by "
                    f"{type(error).__name__}; it may have reached Pushover",
                    may_have_been_sent=True,
                )
                slot.outcome = Failed(
                    index=slot.index, notification=slot.item, error=cut
                )
            elif slot.outcome is None:
                slot.outcome = NotAttempted(index=slot.index, notification=slot.item)
            rest.append(slot.outcome)
        self.pending.clear()
        self.given.extend(rest)
        progress = SendProgress(read=self.read, outcomes=tuple(self.given))
        try:
            for outcome in rest:
                try:
                    self._call(outcome)
                except Exception as failed:  # the interruption goes on
                    _add_note(error, f"on_outcome raised {failed!r} for {outcome!r}")
        finally:
            annotate(error, progress, what)


def _add_note(error: BaseException, note: str) -> None:
    with contextlib.suppress(AttributeError, TypeError):
        setattr(error, "__notes__", [*getattr(error, "__notes__", ()), note])  # noqa: B010 - 3.10 knows no __notes__


class _KeyRule:
    """Each notification's E2EE key, decided as it is read: the one key given, or the
    key its recipients share in the mapping given (every recipient needs one)."""

    def __init__(self, e2ee_key: E2EEKeys) -> None:
        self.one: E2EEKey | None = None
        self.by_user: Mapping[str, E2EEKey] | None = None
        if e2ee_key is None:
            return
        from chump_typed.e2ee import E2EEKey  # the e2ee extra: only when keys are given

        if isinstance(e2ee_key, E2EEKey):
            self.one = e2ee_key
            return
        check_key_mapping(e2ee_key)
        self.by_user = e2ee_key

    def key_for(self, position: int, item: AnyNotification) -> E2EEKey | None:
        if self.by_user is None:
            return self.one
        users = item.user.split(",")
        missing = sum(1 for user in set(users) if user not in self.by_user)
        if missing:
            raise ValidationError(
                "e2ee_key",
                f"has no key for {missing} of the {len(set(users))} recipients of "
                f"notifications[{position}]: each needs one (nothing is sent in clear "
                "when encryption is asked for)",
            )
        shared = {self.by_user[user] for user in users}
        if len(shared) > 1:
            raise ValidationError(
                "e2ee_key",
                f"notifications[{position}] goes to users with different keys: one "
                "request carries one ciphertext (broadcast() groups users by key)",
            )
        return shared.pop()


def annotate(error: BaseException, progress: SendProgress, what: str) -> None:
    """Tell whoever catches *error* how far the bulk send *what* had gone: its
    ``send_progress`` attribute and a note (PEP 678), replacing an earlier one of
    ours (the outer call knows more)."""
    with contextlib.suppress(
        AttributeError, TypeError
    ):  # a slotted error: the note only
        setattr(error, PROGRESS, progress)
    notes = [
        note
        for note in getattr(error, "__notes__", ())
        if not (isinstance(note, str) and note.startswith(_NOTE_START))
    ]
    # BaseException.add_note is 3.11+; on 3.10 the attribute it fills is set directly.
    with contextlib.suppress(AttributeError, TypeError):
        setattr(error, "__notes__", [*notes, _note(progress, what)])  # noqa: B010 - 3.10 knows no __notes__


_NOTE_START: Final = "chump_typed."


def _note(progress: SendProgress, what: str) -> str:
    by_kind: dict[str, list[int]] = {"sent": [], "cut": [], "failed": [], "not": []}
    for outcome in progress.outcomes:
        if isinstance(outcome, Sent):
            by_kind["sent"].append(outcome.index)
        elif isinstance(outcome, NotAttempted):
            by_kind["not"].append(outcome.index)
        elif (
            isinstance(outcome.error, TransportError)
            and outcome.error.may_have_been_sent
        ):
            by_kind["cut"].append(outcome.index)
        else:
            by_kind["failed"].append(outcome.index)
    told = "outcomes" if what != "send_iter" else "outcomes not yet yielded"
    return (
        f"{_NOTE_START}{what} was cut short after reading {progress.read} "
        f"notifications; {told}: {len(by_kind['sent'])} sent "
        f"{_ranges(by_kind['sent'])}, {len(by_kind['cut'])} cut off in flight (may "
        f"have reached Pushover) {_ranges(by_kind['cut'])}, {len(by_kind['failed'])} "
        f"failed {_ranges(by_kind['failed'])}, {len(by_kind['not'])} not sent "
        f"{_ranges(by_kind['not'])}; nothing from position {progress.read} on was "
        "read. SendProgress.of(error) holds the outcomes."
    )


def _ranges(indices: Sequence[int]) -> str:
    """``[0-7, 9]`` for 0, 1, ..., 7, 9 (a long run's positions, told briefly)."""
    parts: list[str] = []
    for index in indices:
        if parts and parts[-1].rpartition("-")[2] == str(index - 1):
            parts[-1] = f"{parts[-1].partition('-')[0]}-{index}"
        else:
            parts.append(str(index))
    return f"[{', '.join(parts)}]"
