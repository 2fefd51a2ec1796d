"""The async realtime stream (asyncio): :class:`AsyncListener`, what
:meth:`AsyncSession.listen <chump_typed.receive.AsyncSession.listen>` returns; the
twin of :class:`~chump_typed.receive.Listener` on websockets' asyncio client, carrying
out the same :class:`~chump_typed.receive._stream.Machine`'s commands.

Every wait (the handshake, an HTTP call, a frame, the wait before reconnecting) races
the closing event, so :meth:`AsyncListener.aclose` from any task ends it at once;
then what the consumer took is deleted (one attempt of at most
:data:`~chump_typed.receive._stream.LAST_DELETE` seconds). ``async with`` is the way
to make sure of it: an ``async for`` left by ``break`` deletes only when the event
loop finalizes the generator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from chump_typed._scrub import scrub_public
from chump_typed.receive import _calls as rc
from chump_typed.receive import _stream
from chump_typed.receive._listen import CLOSE_TIMEOUT, PASSING

if TYPE_CHECKING:
    from typing_extensions import Self

    from chump_typed.e2ee import E2EEKey
    from chump_typed.models import ReceivedMessage
    from chump_typed.receive._async import AsyncSession

__all__ = ["AsyncListener"]

T = TypeVar("T")

_logger = logging.getLogger("chump_typed.receive")


class _Closed(Exception):
    """The listener was closed while it waited."""


class _Core:
    """What the stream's generator uses (not the listener itself)."""

    def __init__(
        self,
        session: AsyncSession,
        device_id: str,
        *,
        e2ee_key: E2EEKey | None,
        silence: float,
        reconnect_wait: float,
        on_undecodable: rc.OnUndecodable | None,
    ) -> None:
        self.session = session
        self.device_id = device_id
        self.e2ee_key = e2ee_key
        self.on_undecodable = on_undecodable
        self.machine = _stream.Machine(silence=silence, first_wait=reconnect_wait)
        self.closed = False
        self.closing = asyncio.Event()
        self.socket: Any = None

    def close(self) -> None:
        self.closed = True
        self.closing.set()

    async def until_closed(self, work: Awaitable[T]) -> T:
        """*work*'s result, unless the listener is closed first (then it is
        cancelled, and :class:`_Closed`)."""
        task = asyncio.ensure_future(work)
        task.add_done_callback(_retrieve)  # one cut short may still fail: no warning
        if self.closed:
            task.cancel()
            raise _Closed
        closing = asyncio.ensure_future(self.closing.wait())
        try:
            await asyncio.wait({task, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            if not task.done():
                task.cancel()  # closed, or this task was cancelled
        if task.cancelled() or not task.done():
            raise _Closed
        return task.result()

    async def connect(self) -> Any:
        """A WebSocket to the push URL, logged in."""
        client = self.session.client
        connection = await _connect(client.push_url, client.transport)
        try:
            await connection.send(
                _stream.login_line(self.device_id, self.session.secret)
            )
        except BaseException:
            connection.transport.abort()
            raise
        return connection

    async def hang_up(self) -> None:
        connection, self.socket = self.socket, None
        if connection is None:
            return
        if self.closed:
            connection.transport.abort()  # at once
            return
        try:
            await self.until_closed(connection.close())
        except _Closed:
            connection.transport.abort()
        except Exception:  # the peer may be gone
            return

    async def last_delete(self) -> None:
        """Delete what the consumer took, with one short attempt; a failure is
        logged (the consumer's own exception, if any, goes on)."""
        through = self.machine.to_delete()
        if through is None:
            return
        delete = self.session._delete_once(self.device_id, through)  # pyright: ignore[reportPrivateUsage]
        try:
            await asyncio.wait_for(delete, _stream.LAST_DELETE + 0.5)
        except Exception as error:
            _logger.warning(
                "could not delete the messages taken, through id %d, as the "
                "listener closed (they come again on the next run): %s",
                through,
                error,
            )
        else:
            self.machine.deleted(through)


class AsyncListener(AsyncIterator["ReceivedMessage"]):
    """An Open Client device's messages as they arrive, under asyncio: ``async for``
    over it inside ``async with``, and :meth:`aclose` it (or leave the block) to
    stop: what the consumer took is deleted then."""

    def __init__(
        self,
        session: AsyncSession,
        device_id: str,
        *,
        e2ee_key: E2EEKey | None,
        silence: float,
        reconnect_wait: float,
        on_undecodable: rc.OnUndecodable | None = None,
    ) -> None:
        self._device_id = device_id
        self._core = _Core(
            session,
            device_id,
            e2ee_key=e2ee_key,
            silence=silence,
            reconnect_wait=reconnect_wait,
            on_undecodable=on_undecodable,
        )
        self._messages = _run(self._core)
        #: Held while the generator runs, as in :class:`~chump_typed.receive.Listener`:
        #: aclose() from another task must not close it then (nor may __anext__
        #: resume it while aclose() does).
        self._advancing = asyncio.Lock()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ReceivedMessage:
        async with self._advancing:
            if self._core.closed:
                await self._messages.aclose()
                raise StopAsyncIteration
            return await self._messages.__anext__()

    async def aclose(self) -> None:
        """Stop listening (from any task), at once wherever the listener waits; then
        what was taken is deleted (one attempt of at most 2 s)."""
        self._core.close()
        # Running in another task, it cannot be closed here: it sees the event and
        # ends, deleting as it goes.
        if not self._advancing.locked():
            async with self._advancing:
                await self._messages.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._core.closed else "open"
        return f"<AsyncListener device={self._device_id!r} {state}>"


async def _run(core: _Core) -> AsyncGenerator[ReceivedMessage, None]:
    """The stream: the machine's commands, carried out."""
    _require_asyncio()
    try:
        async for message in _follow(core):
            yield message
    except _Closed:
        return
    finally:
        await core.hang_up()
        await core.last_delete()


async def _follow(core: _Core) -> AsyncGenerator[ReceivedMessage, None]:
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    passing: tuple[type[BaseException], ...] = (
        *PASSING,
        ConnectionClosed,
        InvalidHandshake,
    )
    loop = asyncio.get_running_loop()
    machine, session = core.machine, core.session
    while not core.closed:
        command = machine.next(loop.time())
        if isinstance(command, _stream.Give):
            yield command.message
            machine.took(loop.time())
        elif isinstance(command, _stream.Report):
            rc.report_undecodable(command.message, core.on_undecodable)
            machine.took(loop.time())
        elif isinstance(command, _stream.Receive):
            try:
                frame = await core.until_closed(
                    asyncio.wait_for(core.socket.recv(), command.timeout)
                )
            except (TimeoutError, asyncio.TimeoutError):  # one class from 3.11
                machine.timed_out(loop.time())
            except passing as error:
                machine.failed(error, loop.time())
            else:
                machine.frame(frame, loop.time())
        elif isinstance(command, _stream.Download):
            download = session._download(core.device_id, core.e2ee_key)  # pyright: ignore[reportPrivateUsage]
            try:
                read, unread = await core.until_closed(download)
            except passing as error:
                machine.failed(error, loop.time())
            else:
                machine.downloaded(read, unread, loop.time())
        elif isinstance(command, _stream.Delete):
            delete = session.delete_through(core.device_id, command.through)
            try:
                await core.until_closed(delete)
            except passing as error:
                machine.failed(error, loop.time())
            else:
                machine.deleted(command.through)
        elif isinstance(command, _stream.Connect):
            try:
                core.socket = await core.until_closed(core.connect())
            except passing as error:
                machine.failed(error, loop.time())
            else:
                machine.connected(loop.time())
        elif isinstance(command, _stream.Hangup):
            await core.hang_up()
        elif isinstance(command, _stream.Sleep):
            await core.until_closed(asyncio.sleep(command.seconds))
        else:
            if command.error is not None:
                raise command.error
            return


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark *task*'s outcome as seen (the listener may have stopped waiting)."""
    if not task.cancelled():
        task.exception()


def _require_asyncio() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "AsyncSession.listen runs under asyncio (websockets' asyncio client); "
            "under trio, run the sync Session.listen in a thread"
        ) from None


def _connect(push_url: str, transport: object) -> Any:
    from websockets.asyncio.client import connect

    return connect(
        push_url,
        proxy=_stream.proxy_for(push_url, transport),
        logger=_stream.stream_logger(),
        open_timeout=_stream.OPEN_TIMEOUT,
        close_timeout=CLOSE_TIMEOUT,
        max_size=4096,
    )


scrub_public(globals())
