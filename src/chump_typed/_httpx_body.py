"""The request body the async httpx transport sends: one chunk, from a plain iterator.

httpx sends ``bytes`` content through ``ByteStream.__aiter__``, an async generator; a
send cut off while it writes the body leaves that generator unfinished, and trio
reports it as a ``ResourceWarning`` when the collector meets it (encode/httpx#3686).
"""

from __future__ import annotations

import httpx

__all__ = ["OneChunk"]


class OneChunk(httpx.AsyncByteStream):
    """A request body sent as one chunk by a plain iterator (see above); the request
    keeps the ``Content-Length`` httpx set from the same bytes."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._left: bytes | None = None

    def __aiter__(self) -> OneChunk:
        self._left = self._body  # each iteration sends the whole body once
        return self

    async def __anext__(self) -> bytes:
        if self._left is None:
            raise StopAsyncIteration
        chunk, self._left = self._left, None
        return chunk
