"""The run of a bulk send: :func:`send_iter` and :func:`send_many`, and their async
twins, for both clients; :func:`broadcast` on top. The rules are
:class:`~chump_typed._bulk_rules.Stream`'s, without I/O; here are the drivers.

* :func:`send_iter` (sync, and so :func:`send_many`): *max_in_flight* sender threads
  read and send, one notification each at a time, while the caller's thread reports
  and yields the outcomes in input order.
* :func:`send_many_async`: sender tasks in one task group for the whole run (nothing
  is yielded to the caller in between).
* :func:`send_iter_async`: steps of *max_in_flight* notifications, a step's sends
  finished before its outcomes are yielded, since no task may outlive a ``yield``
  of an async generator.

Each keeps at most two notifications per send in flight read and not yet reported.
"""

from __future__ import annotations

import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Generator,
    Iterable,
    Iterator,
)

from chump_typed._bulk import (
    MAX_IN_FLIGHT,
    PROGRESS,
    AsyncSender,
    E2EEKeys,
    OnOutcome,
    Sender,
    SendOutcome,
    SendProgress,
    batches,
)
from chump_typed._bulk_rules import Slot, Stream, annotate
from chump_typed.models import AnyNotification, SendResult


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

    *max_in_flight* (1 or 2) sender threads share the client's pool; each reads the
    next notification as it is about to send it, and none reads more than
    ``2 * max_in_flight`` notifications ahead of the oldest outcome not yet reported,
    so memory stays bounded for any input, an endless one included. An item that is
    not a notification, or whose recipients lack an E2EE key in the mapping given, is
    its own :class:`Failed` outcome (a :class:`TypeError` or a
    :class:`~chump_typed.ValidationError`) and is not sent. A
    :class:`~chump_typed.QuotaExceededError` or a
    :class:`~chump_typed.BudgetExceededError` stops the sending: the rest of a
    sequence is reported :class:`NotAttempted`, an iterator is not read further.

    *on_outcome* is called with each outcome, in order, in the caller's thread,
    before it is yielded. An interruption (Ctrl-C, an unexpected error) stops the
    reading and sending at once: the outcomes not yet yielded (a send cut off in
    flight is :class:`Failed` with ``may_have_been_sent``) go to *on_outcome*, and the
    error carries a :class:`SendProgress`. Closing the generator early waits for the
    sends in flight and reports them to *on_outcome*.

    :raises ValidationError: *max_in_flight* is not 1 or 2.
    :raises TypeError: *notifications* is not iterable, or *e2ee_key* not a key or
        a mapping of keys.
    """
    stream = Stream(notifications, max_in_flight, e2ee_key, on_outcome)
    return _sending(stream, client, iter(notifications))


def _sending(
    stream: Stream, client: Sender, reader: Iterator[object]
) -> Generator[SendOutcome, None, None]:
    """The caller's side of a threaded run: report and yield outcomes in order while
    the senders (:func:`_sender`) read and send."""
    state, reading = threading.Condition(), threading.Lock()
    senders = [
        threading.Thread(
            target=_sender,
            args=(stream, client, reader, state, reading),
            name=f"chump-typed-send-{n}",
            daemon=True,
        )
        for n in range(1, stream.in_flight + 1)
    ]
    stream.active = len(senders)
    try:
        for sender in senders:
            sender.start()
        while True:
            with state:
                while not (known := stream.collect()) and stream.active:
                    state.wait()
                state.notify_all()  # room in the window
                idle = not stream.active
            stream.report(known)
            yield from stream.hand_over()
            if idle and not known:
                break
        if stream.crash is not None:
            raise stream.crash
        while stream.rest_to_read():  # a stopped sequence: its rest, NotAttempted
            try:
                stream.take(next(reader))
            except StopIteration:
                stream.exhausted = True
            stream.report(stream.collect())
            yield from stream.hand_over()
    except GeneratorExit as closing:  # closed early: the sends in flight finish
        with state:
            stream.halted = True
            state.notify_all()
            while any(s.started and s.outcome is None for s in stream.pending):
                state.wait()  # each bounded by the transport's deadline
            stream.interrupted(closing)
        raise
    except BaseException as error:  # interrupted: halt now, report what is known
        with state:
            stream.halted = True
            state.notify_all()
            stream.interrupted(error)
        raise


def _sender(
    stream: Stream,
    client: Sender,
    reader: Iterator[object],
    state: threading.Condition,
    reading: threading.Lock,
) -> None:
    """One sender thread: read the next notification (one thread at a time, outside
    the state's lock, so that an input that blocks holds up no one else), send it,
    keep its outcome; until the input ends or the run stops."""
    try:
        while True:
            with reading:
                with state:
                    while stream.full():
                        state.wait()
                    if not stream.sendable():
                        return
                try:
                    item = next(reader)
                except StopIteration:
                    with state:
                        stream.exhausted = True
                    return
                with state:
                    slot = stream.take(item)
                    state.notify_all()
                    if stream.halted:
                        return
                    # Committed under the lock: an interruption from now on counts
                    # it as cut off in flight, never as not attempted.
                    slot.started = slot.outcome is None
            if not slot.started:
                continue
            try:
                outcome: SendResult | Exception = client.send(
                    slot.item, e2ee_key=slot.key
                )
            except Exception as error:  # sorted by settle(): nothing is lost
                outcome = error
            with state:
                stream.settle(slot, outcome)
                state.notify_all()
    except BaseException as error:  # the input's own error: the run stops with it
        with state:
            stream.crash = stream.crash or error
    finally:
        with state:
            stream.active -= 1
            state.notify_all()


def send_iter_async(
    client: AsyncSender,
    notifications: Iterable[AnyNotification] | AsyncIterable[AnyNotification],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    e2ee_key: E2EEKeys = None,
    on_outcome: OnOutcome | None = None,
) -> AsyncGenerator[SendOutcome, None]:
    """:func:`send_iter` for an async client: the same rules and outcomes, in
    steps, so that no task outlives a yield (an async generator must not yield
    inside a task group): a step reads up to *max_in_flight* notifications, awaits
    their sends at once (anyio tasks, under asyncio or trio), and yields their
    outcomes before the next is read. A cancellation of a step cuts off its sends:
    they are reported, and the cancellation carries a :class:`SendProgress`.
    *notifications* may be an async iterable."""
    stream = Stream(notifications, max_in_flight, e2ee_key, on_outcome)
    return _sending_async(stream, client, notifications)


_Reader = AsyncIterator[object] | Iterator[object]


def _reader(
    notifications: Iterable[AnyNotification] | AsyncIterable[AnyNotification],
) -> _Reader:
    if isinstance(notifications, AsyncIterable):
        return aiter(notifications)
    return iter(notifications)


async def _next(reader: _Reader) -> tuple[object] | None:
    """The next item of *reader* (in a tuple), or ``None`` at its end."""
    try:
        if isinstance(reader, AsyncIterator):
            return (await anext(reader),)
        return (next(reader),)
    except (StopIteration, StopAsyncIteration):
        return None


async def _sending_async(
    stream: Stream,
    client: AsyncSender,
    notifications: Iterable[AnyNotification] | AsyncIterable[AnyNotification],
) -> AsyncGenerator[SendOutcome, None]:
    reader = _reader(notifications)
    while True:
        try:
            await _step_async(stream, client, reader)
        except BaseException as error:
            stream.interrupted(error)
            raise
        if not stream.given:
            return
        for outcome in stream.hand_over():
            yield outcome


async def _step_async(stream: Stream, client: AsyncSender, reader: _Reader) -> None:
    """Read one step (or one item of a stopped sequence's rest), send it, report."""
    import anyio  # only async code gets here: the async extra brings it

    ready: list[Slot] = []
    while (
        stream.sendable()
        and len(ready) < stream.in_flight
        and len(stream.pending) < stream.window
    ):
        item = await _next(reader)
        if item is None:
            stream.exhausted = True
            break
        slot = stream.take(item[0])
        if slot.outcome is None:
            ready.append(slot)
    if stream.rest_to_read() and not ready:
        item = await _next(reader)
        if item is None:
            stream.exhausted = True
        else:
            stream.take(item[0])
    if len(ready) == 1:
        await _send_one_async(stream, client, ready[0])
    elif ready:
        async with anyio.create_task_group() as senders:
            for slot in ready:
                senders.start_soon(_send_one_async, stream, client, slot)
    if stream.crash is not None:
        raise stream.crash
    stream.report(stream.collect())


async def _send_one_async(stream: Stream, client: AsyncSender, slot: Slot) -> None:
    import anyio.lowlevel

    # A cancellation already delivered stops the send before it starts: NotAttempted,
    # not cut off in flight.
    await anyio.lowlevel.checkpoint_if_cancelled()
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
    """:func:`send_many` for an async client: the outcomes of
    :func:`send_iter_async`, under the same rules, but with *max_in_flight* sender
    tasks that keep their sends going without steps (nothing yields to the caller
    in between, so the tasks live in one task group for the whole run)."""
    import anyio  # only async code gets here: the async extra brings it

    stream = Stream(notifications, max_in_flight, e2ee_key, on_outcome)
    reader = _reader(notifications)
    # One thread: the state needs no lock. Only an async input is read under one
    # (its reads await); a full window is waited for on an event that each
    # report sets.
    reading = anyio.Lock()
    room: list[anyio.Event] = []

    def reported() -> None:
        _reported(stream)
        while room:
            room.pop().set()

    async def read() -> tuple[object] | None:
        if isinstance(reader, AsyncIterator):
            async with reading:
                if not stream.sendable():  # stopped while this sender waited
                    return None
                return await _next(reader)
        return await _next(reader)

    async def sender() -> None:
        try:
            while True:
                while stream.full():
                    room.append(anyio.Event())
                    await room[-1].wait()
                if not stream.sendable():
                    return
                item = await read()
                if item is None:
                    stream.exhausted = stream.exhausted or stream.sendable()
                    return
                slot = stream.take(item[0])
                reported()
                if slot.outcome is not None:
                    continue
                await _send_one_async(stream, client, slot)  # started at once
                reported()
        except Exception as error:  # the input's own, or on_outcome's: the run stops
            stream.crash = stream.crash or error

    try:
        async with anyio.create_task_group() as senders:
            for _ in range(stream.in_flight):
                senders.start_soon(sender)
        while stream.rest_to_read():  # a stopped sequence: its rest, NotAttempted
            item = await _next(reader)
            if item is None:
                stream.exhausted = True
            else:
                stream.take(item[0])
            _reported(stream)
        if stream.crash is not None:
            raise stream.crash
    except BaseException as error:
        stream.interrupted(error, _what)
        raise
    return list(stream.hand_over())


def _reported(stream: Stream) -> None:
    stream.report(stream.collect())


def _annotate_all(error: BaseException, given: list[SendOutcome], what: str) -> None:
    """*error*'s progress with the outcomes handed over before it too."""
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
