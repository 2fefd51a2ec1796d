"""The fake in memory, as a :class:`~chump_typed.protocol.Transport` without sockets."""

from __future__ import annotations

from urllib.parse import urlsplit

from chump_typed.errors import TransportError
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.testing._fake import FakePushover
from chump_typed.testing._faults import Disconnect

__all__ = ["AsyncFakeTransport", "FakeTransport"]


class FakeTransport:
    """A :class:`~chump_typed.protocol.Transport` that answers from a fake, in memory.

    Connection-level faults become :class:`~chump_typed.errors.TransportError`, with
    ``may_have_been_sent`` true when the fake had already processed the request.
    """

    def __init__(self, fake: FakePushover | None = None) -> None:
        self.fake = FakePushover() if fake is None else fake
        self.closed = False

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Hand *request* to the fake and return its answer."""
        if self.closed:
            raise TransportError("transport is closed")
        split = urlsplit(request.url)
        target = split.path + (f"?{split.query}" if split.query else "")
        try:
            return self.fake.handle(
                request.method, target, request.headers, request.body
            )
        except Disconnect as exc:
            raise TransportError(
                f"connection failed: {exc}", may_have_been_sent=exc.request_read
            ) from exc

    def close(self) -> None:
        """Mark the transport closed; later sends fail like a closed pool would."""
        self.closed = True


class AsyncFakeTransport:
    """The async twin of :class:`FakeTransport`, for
    :class:`~chump_typed.AsyncClient`: the same fake, in memory, under any event loop.
    """

    def __init__(self, fake: FakePushover | None = None) -> None:
        self.sync = FakeTransport(fake)
        self.fake = self.sync.fake

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self.sync.closed

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Hand *request* to the fake and return its answer."""
        return self.sync.send(request)

    async def aclose(self) -> None:
        """Mark the transport closed."""
        self.sync.close()
