"""The async realtime stream (asyncio): :class:`AsyncListener`, what
:meth:`AsyncSession.listen <chump_typed.receive.AsyncSession.listen>` returns; the
twin of :class:`~chump_typed.receive.Listener` on websockets' asyncio client, with
the same rules from :mod:`chump_typed.receive._stream`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any

from chump_typed._scrub import scrub_public
from chump_typed.receive import _stream
from chump_typed.receive._listen import PASSING
from chump_typed.receive._stream import Action, Progress

if TYPE_CHECKING:
    from typing_extensions import Self

    from chump_typed.e2ee import E2EEKey
    from chump_typed.models import ReceivedMessage
    from chump_typed.receive._async import AsyncSession

__all__ = ["AsyncListener"]


class AsyncListener(AsyncIterator["ReceivedMessage"]):
    """An Open Client device's messages as they arrive, under asyncio: ``async for``
    over it, and :meth:`aclose` it (or leave its ``async with`` block) to stop."""

    def __init__(
        self,
        session: AsyncSession,
        device_id: str,
        *,
        e2ee_key: E2EEKey | None,
        silence: float,
        reconnect_wait: float,
    ) -> None:
        self._session = session
        self._device_id = device_id
        self._e2ee_key = e2ee_key
        self._silence = silence
        self._reconnect_wait = reconnect_wait
        self._closed = False
        self._socket: Any = None
        self._progress = Progress()
        self._messages = self._run()
        #: Held while the generator runs, as in :class:`~chump_typed.receive.Listener`:
        #: aclose() from another task must not close it then (nor may __anext__
        #: resume it while aclose() does).
        self._advancing = asyncio.Lock()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ReceivedMessage:
        async with self._advancing:
            if self._closed:
                await self._messages.aclose()
                raise StopAsyncIteration
            return await self._messages.__anext__()

    async def aclose(self) -> None:
        """Stop listening (from any task): the iteration ends."""
        self._closed = True
        socket = self._socket
        if socket is not None:
            await socket.close()
        # Running in another task, it cannot be closed here: it sees _closed.
        if not self._advancing.locked():
            async with self._advancing:
                await self._messages.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<AsyncListener device={self._device_id!r} {state}>"

    async def _deliver(self) -> AsyncIterator[ReceivedMessage]:
        """Download, yield what is new, and delete what the consumer took."""
        session, progress = self._session, self._progress
        downloaded = await session.download(self._device_id, e2ee_key=self._e2ee_key)
        for message in progress.fresh(downloaded):
            progress.give(message)
            yield message
            progress.took(message)
        through = progress.to_delete()
        if through is not None:
            await session.delete_through(self._device_id, through)
            progress.deleted_through(through)

    async def _run(self) -> AsyncGenerator[ReceivedMessage, None]:
        _require_asyncio()
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        passing: tuple[type[BaseException], ...] = (
            *PASSING,
            ConnectionClosed,
            InvalidHandshake,
        )
        async for message in self._deliver():  # the backlog
            yield message
        waits = _stream.reconnect_waits(self._reconnect_wait)
        while not self._closed:
            try:
                async with _connect(self._session) as socket:
                    self._socket = socket
                    line = _stream.login_line(self._device_id, self._session.secret)
                    await socket.send(line)
                    async for message in self._deliver():  # what arrived meanwhile
                        yield message
                    waits = _stream.reconnect_waits(self._reconnect_wait)
                    async for message in self._frames(socket):
                        yield message
            except passing:
                if not self._closed:
                    await asyncio.sleep(next(waits))
            finally:
                self._socket = None

    async def _frames(self, socket: Any) -> AsyncIterator[ReceivedMessage]:
        """Follow the socket's frames until ``R`` or a silence (then reconnect)."""
        first = True
        while not self._closed:
            try:
                frame = await asyncio.wait_for(socket.recv(), self._silence)
            except asyncio.TimeoutError:
                return  # silence: the socket is dead; a new one at once
            step = _stream.step(frame, first=first)
            first = False
            if step is Action.RECONNECT:
                return  # Pushover asks: at once
            if step is Action.SYNC:
                async for message in self._deliver():
                    yield message


def _require_asyncio() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "AsyncSession.listen runs under asyncio (websockets' asyncio client); "
            "under trio, run the sync Session.listen in a thread"
        ) from None


def _connect(session: AsyncSession) -> Any:
    from websockets.asyncio.client import connect

    client = session.client
    return connect(
        client.push_url,
        proxy=_stream.proxy_for(client.push_url, client.transport),
        logger=_stream.stream_logger(),
        open_timeout=10,
        close_timeout=2,
        max_size=4096,
    )


scrub_public(globals())
