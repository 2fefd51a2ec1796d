"""The run of a bulk send: :func:`send_iter` and :func:`send_many`, and their async
twins, for both clients; :func:`broadcast` on top.

The rules live in :class:`_Stream`, without I/O: the input is read a step at a time
(at most two notifications, each checked as it is read), a step's sends run at once
and finish before its outcomes are yielded and the next step is read. The sync
driver runs a step's second send on a helper thread, the async one in an anyio task;
neither outlives its step, so nothing is in flight while the caller holds an outcome
and a cancellation can only cut off the sends of the step it strikes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import TYPE_CHECKING, Final, cast

from chump_typed._bulk import (
    MAX_IN_FLIGHT,
    PROGRESS,
    AsyncSender,
    E2EEKeys,
    Failed,
    NotAttempted,
    OnOutcome,
    Sender,
    SendOutcome,
    SendProgress,
    Sent,
    batches,
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


class _Slot:
    """One notification read, until its outcome is yielded."""

    __slots__ = ("index", "item", "key", "outcome", "started")

    def __init__(self, index: int, item: AnyNotification) -> None:
        self.index = index
        self.item = item
        self.key: E2EEKey | None = None
        self.started = False
        self.outcome: SendOutcome | None = None


class _Stream:
    """The rules of one bulk send, for both colours, without I/O: the input is read
    a step at a time (at most *max_in_flight* notifications, each checked as it is
    read), a step's sends run at once, and its outcomes are reported in order before
    the next step is read. Nothing but the current step is held, so memory is bounded
    whatever the input's length. A spent quota or budget stops the reading (a
    sequence's rest is reported :class:`NotAttempted`); an error that is not an
    outcome stops the run and is raised once the step's other send has finished."""

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
        self.read = 0
        self.stopped = False
        self.crash: BaseException | None = None
        self.step: list[_Slot] = []
        self.reported = 0

    def to_read(self) -> int:
        """How many notifications the next step reads (none: the run is over)."""
        self.step, self.reported = [], 0
        if self.crash is not None or (self.stopped and not self.sequence):
            return 0
        return self.in_flight

    def take(self, item: object) -> None:
        """One notification read: checked, and made ready to send (or its outcome
        known at once: not a notification, no key, or after a stop)."""
        slot = _Slot(self.read, cast("AnyNotification", item))
        self.read += 1
        self.step.append(slot)
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
            if self.stopped:  # a sequence's rest, after a stop
                slot.outcome = NotAttempted(index=slot.index, notification=slot.item)

    def ready(self) -> list[_Slot]:
        return [slot for slot in self.step if slot.outcome is None]

    def settle(self, slot: _Slot, outcome: SendResult | Exception) -> None:
        """Keep what sending *slot* gave. A result is :class:`Sent`; a
        :class:`PushoverError` is :class:`Failed` (a spent quota or budget also
        stops the run); anything else (a bug) stops the run and is raised at the end
        of the step, the send counted as cut off in flight."""
        index, notification = slot.index, slot.item
        if isinstance(outcome, SendResult):
            slot.outcome = Sent(index=index, notification=notification, result=outcome)
            return
        if isinstance(outcome, PushoverError):
            slot.outcome = Failed(index=index, notification=notification, error=outcome)
            if isinstance(outcome, (QuotaExceededError, BudgetExceededError)):
                self.stopped = True
            return
        self.stopped = True
        self.crash = self.crash or outcome

    def finish(self) -> list[SendOutcome]:
        """The step's outcomes, in order, each given to ``on_outcome`` first; or the
        run's unexpected error, raised with what the step did."""
        if self.crash is not None:
            crash = self.crash
            self.interrupted(crash)
            raise crash
        self._report()
        return [slot.outcome for slot in self.step if slot.outcome is not None]

    def _report(self) -> None:
        while self.reported < len(self.step):
            outcome = self.step[self.reported].outcome
            self.reported += 1
            if self.on_outcome is not None and outcome is not None:
                self.on_outcome(outcome)

    def interrupted(self, error: BaseException) -> None:
        """*error* (a cancellation, an interrupt, a bug) cut the step short: every
        notification of the step gets its outcome (cut off in flight, or never
        started), each is reported, and *error* says so."""
        for slot in self.step:
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
        outcomes = tuple(slot.outcome for slot in self.step if slot.outcome is not None)
        try:
            self._report()
        finally:
            annotate(
                error, SendProgress(read=self.read, outcomes=outcomes), "send_iter"
            )


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


def send_iter(
    client: Sender,
    notifications: Iterable[AnyNotification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
    on_outcome: OnOutcome | None = None,
) -> Generator[SendOutcome, None, None]:
    """Send every notification once, reading them as it goes, and yield their
    outcomes in the input's order as they are known.

    The input is read *max_in_flight* (1 or 2) notifications at a time; their sends
    run at once (a second on a helper thread, sharing the client's pool) and both
    finish before their outcomes are yielded and the next are read, so nothing is in
    flight while the caller holds an outcome, and memory stays bounded for any
    input, an endless one included. An item that is not a notification, or whose
    recipients lack an E2EE key in the mapping given, is its own :class:`Failed`
    outcome (a :class:`TypeError` or a :class:`~chump_typed.ValidationError`) and is
    not sent. A :class:`~chump_typed.QuotaExceededError` or a
    :class:`~chump_typed.BudgetExceededError` stops the reading: the rest of a
    sequence is reported :class:`NotAttempted`, an iterator is not read further.

    *on_outcome* is called with each outcome, in order, before it is yielded; when an
    interruption (Ctrl-C, an unexpected error) cuts a step short, with each of that
    step's outcomes too, and the error carries a :class:`SendProgress`.

    :raises ValidationError: *max_in_flight* is not 1 or 2.
    :raises TypeError: *notifications* is not iterable, or *e2ee_key* not a key or
        a mapping of keys.
    """
    stream = _Stream(notifications, max_in_flight, e2ee_key, on_outcome)
    return _sending(stream, client, iter(notifications))


def _sending(
    stream: _Stream, client: Sender, reader: Iterator[object]
) -> Generator[SendOutcome, None, None]:
    while True:
        try:
            outcomes = _step(stream, client, reader)
        except BaseException as error:
            stream.interrupted(error)
            raise
        if not outcomes:
            return
        yield from outcomes


def _step(
    stream: _Stream, client: Sender, reader: Iterator[object]
) -> list[SendOutcome]:
    """Read one step of notifications, send them at once, and return their outcomes."""
    for _ in range(stream.to_read()):
        try:
            stream.take(next(reader))
        except StopIteration:
            break
    ready = stream.ready()
    helpers = [
        threading.Thread(
            target=_send_one,
            args=(stream, client, slot),
            name="chump-typed-send",
            daemon=True,
        )
        for slot in ready[1:]
    ]
    for helper in helpers:
        helper.start()
    try:
        if ready:
            _send_one(stream, client, ready[0])  # the calling thread is a sender too
    finally:
        for helper in helpers:
            helper.join()
    return stream.finish()


def _send_one(stream: _Stream, client: Sender, slot: _Slot) -> None:
    slot.started = True
    try:
        result = client.send(slot.item, e2ee_key=slot.key)
    except Exception as error:  # sorted by settle(): nothing is lost
        stream.settle(slot, error)
    else:
        stream.settle(slot, result)


def send_iter_async(
    client: AsyncSender,
    notifications: Iterable[AnyNotification] | AsyncIterable[AnyNotification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
    on_outcome: OnOutcome | None = None,
) -> AsyncGenerator[SendOutcome, None]:
    """:func:`send_iter` for an async client: the same rules and outcomes, a step's
    sends awaited at once (anyio tasks, under asyncio or trio) and finished before
    its outcomes are yielded, so that no task outlives a step (a cancellation of the
    step cuts off its sends: they are reported, and the cancellation carries a
    :class:`SendProgress`). *notifications* may be an async iterable."""
    stream = _Stream(notifications, max_in_flight, e2ee_key, on_outcome)
    return _sending_async(stream, client, notifications)


async def _sending_async(
    stream: _Stream,
    client: AsyncSender,
    notifications: Iterable[AnyNotification] | AsyncIterable[AnyNotification],
) -> AsyncGenerator[SendOutcome, None]:
    reader: AsyncIterator[object] | Iterator[object]
    if isinstance(notifications, AsyncIterable):
        reader = aiter(notifications)
    else:
        reader = iter(notifications)
    while True:
        try:
            outcomes = await _step_async(stream, client, reader)
        except BaseException as error:
            stream.interrupted(error)
            raise
        if not outcomes:
            return
        for outcome in outcomes:
            yield outcome


async def _step_async(
    stream: _Stream,
    client: AsyncSender,
    reader: AsyncIterator[object] | Iterator[object],
) -> list[SendOutcome]:
    import anyio  # only async code gets here: the async extra brings it
    import anyio.lowlevel

    for _ in range(stream.to_read()):
        try:
            if isinstance(reader, AsyncIterator):
                stream.take(await anext(reader))
            else:
                stream.take(next(reader))
        except (StopIteration, StopAsyncIteration):
            break
    ready = stream.ready()
    if ready:
        # A cancellation that came while reading stops the step before any send
        # starts: its notifications are NotAttempted, not cut off in flight.
        await anyio.lowlevel.checkpoint_if_cancelled()
    if len(ready) == 1:
        await _send_one_async(stream, client, ready[0])
    elif ready:
        async with anyio.create_task_group() as senders:
            for slot in ready:
                senders.start_soon(_send_one_async, stream, client, slot)
    return stream.finish()


async def _send_one_async(stream: _Stream, client: AsyncSender, slot: _Slot) -> None:
    slot.started = True
    try:
        result = await client.send(slot.item, e2ee_key=slot.key)
    except Exception as error:  # sorted by settle(); cancellation propagates
        stream.settle(slot, error)
    else:
        stream.settle(slot, result)


def send_many(
    client: Sender,
    notifications: Iterable[AnyNotification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
    on_outcome: OnOutcome | None = None,
    _what: str = "send_many",
) -> list[SendOutcome]:
    """``list(send_iter(...))``: every outcome, in order (see :func:`send_iter`).
    An error that cuts the run short carries a :class:`SendProgress` with every
    outcome known."""
    outcomes: list[SendOutcome] = []
    stream = send_iter(
        client,
        notifications,
        max_in_flight=max_in_flight,
        e2ee_key=e2ee_key,
        on_outcome=on_outcome,
    )
    try:
        for outcome in stream:
            outcomes.append(outcome)
    except BaseException as error:
        _annotate_all(error, outcomes, _what)
        raise
    return outcomes


async def send_many_async(
    client: AsyncSender,
    notifications: Iterable[AnyNotification] | AsyncIterable[AnyNotification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
    on_outcome: OnOutcome | None = None,
    _what: str = "send_many",
) -> list[SendOutcome]:
    """:func:`send_many` for an async client."""
    outcomes: list[SendOutcome] = []
    stream = send_iter_async(
        client,
        notifications,
        max_in_flight=max_in_flight,
        e2ee_key=e2ee_key,
        on_outcome=on_outcome,
    )
    try:
        async for outcome in stream:
            outcomes.append(outcome)
    except BaseException as error:
        _annotate_all(error, outcomes, _what)
        raise
    return outcomes


def _annotate_all(error: BaseException, given: list[SendOutcome], what: str) -> None:
    """*error*'s progress with the outcomes collected before its step too."""
    own = getattr(error, PROGRESS, None)
    step = own.outcomes if isinstance(own, SendProgress) else ()
    read = own.read if isinstance(own, SendProgress) else len(given)
    annotate(error, SendProgress(read=read, outcomes=(*given, *step)), what)


def broadcast(
    client: Sender,
    template: AnyNotification,
    users: Iterable[str],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
    on_outcome: OnOutcome | None = None,
) -> list[SendOutcome]:
    """Send *template* to every key in *users*, 50 recipients per request.

    With *e2ee_key* (one key for all, or a mapping from user key to key), a request
    only carries users who share a key, since it carries one ciphertext: the users
    of the first key come first, 50 at a time, then those of the next.

    Every request is built (and every key checked) before the first is sent. Returns
    one outcome per request, in order (``index`` is the request's position, and its
    ``notification.user`` its comma-joined keys); see :func:`send_many`.

    When one key of a request is unknown, Pushover rejects the request with an
    :class:`~chump_typed.APIError` whose ``bad_inputs`` name ``user``; whether it then
    delivers to the request's other keys is not confirmed by Pushover's documentation
    (the fake Pushover delivers to none). :func:`repair_broadcast` finds the unknown
    keys of such requests and sends once more to the others.
    """
    requests, keys = batches(template, users, e2ee_key)
    return send_many(
        client,
        requests,
        max_in_flight=max_in_flight,
        e2ee_key=keys or None,
        on_outcome=on_outcome,
        _what="broadcast",
    )


async def broadcast_async(
    client: AsyncSender,
    template: AnyNotification,
    users: Iterable[str],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
    on_outcome: OnOutcome | None = None,
) -> list[SendOutcome]:
    """:func:`broadcast` for an async client."""
    requests, keys = batches(template, users, e2ee_key)
    return await send_many_async(
        client,
        requests,
        max_in_flight=max_in_flight,
        e2ee_key=keys or None,
        on_outcome=on_outcome,
        _what="broadcast",
    )
