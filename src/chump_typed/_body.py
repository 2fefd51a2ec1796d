"""Reading an answer without letting it grow past a cap, for every transport.

Pushover's answers are a few hundred bytes. A server (or something in between) that
sends hundreds of megabytes, an endless chunked body or a small gzip bomb must not grow
the process: the transport feeds the raw bytes here as they arrive and stops reading as
soon as the *decoded* size passes the cap. Compressed answers are decoded here, with the
output bounded, rather than by the HTTP library, which would inflate a whole chunk at
once.
"""

from __future__ import annotations

import zlib
from typing import Final, Protocol

__all__ = ["DEFAULT_MAX_RESPONSE", "CappedBody", "TooLarge", "UnreadableEncoding"]

#: The largest decoded answer accepted, in bytes (1 MiB; Pushover's are tiny).
DEFAULT_MAX_RESPONSE: Final = 1024 * 1024

#: zlib's window bits for each supported ``Content-Encoding``.
_WBITS: Final = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS}


class _Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...
    def flush(self, length: int = ..., /) -> bytes: ...


class TooLarge(Exception):
    """The decoded answer passed the cap; ``start`` is its first bytes."""

    def __init__(self, message: str, start: bytes) -> None:
        super().__init__(message)
        self.start = start


class UnreadableEncoding(Exception):
    """The answer uses a ``Content-Encoding`` that cannot be decoded (or is corrupt)."""


class CappedBody:
    """Collects one answer's body, decoding it if compressed, up to *cap* bytes."""

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        encoding = (content_encoding or "identity").strip().lower()
        self.cap = cap
        self._parts: list[bytes] = []
        self._size = 0
        self._decoder: _Decompressor | None = None
        if encoding == "deflate":
            self._decoder = zlib.decompressobj()
        elif encoding in _WBITS:
            self._decoder = zlib.decompressobj(_WBITS[encoding])
        elif encoding != "identity":
            raise UnreadableEncoding(f"content-encoding {encoding!r} was not asked for")

    def feed(self, raw: bytes) -> None:
        """Add the next raw bytes; raise :class:`TooLarge` past the cap."""
        if self._decoder is None:
            self._keep(raw)
            return
        try:
            # At most one byte more than the room left: enough to know it is too big.
            self._keep(self._decoder.decompress(raw, self.cap - self._size + 1))
        except zlib.error as exc:
            raise UnreadableEncoding(
                f"the compressed answer is corrupt ({exc})"
            ) from None

    def finish(self) -> bytes:
        """The whole decoded body."""
        if self._decoder is not None:
            try:
                self._keep(self._decoder.flush(self.cap - self._size + 1))
            except zlib.error as exc:
                raise UnreadableEncoding(
                    f"the compressed answer is corrupt ({exc})"
                ) from None
        return b"".join(self._parts)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self.cap:
            start = b"".join(self._parts[:4])[:576]
            raise TooLarge(f"the answer is larger than {self.cap} bytes", start)
        if data:
            self._parts.append(data)
