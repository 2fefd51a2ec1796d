"""``multipart/form-data`` bodies (RFC 7578), built by a pure function.

Pushover takes a binary ``attachment`` only as a multipart part carrying a filename and
a ``Content-Type``. The boundary has a fixed format, :data:`BOUNDARY_PREFIX` followed
by 32 hexadecimal digits derived from the content, so the same request always encodes
to the same bytes (no randomness in the sans-I/O layer) and the boundary is checked to
occur nowhere in the content.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Final

from chump_typed.models import Attachment

__all__ = ["BOUNDARY_PREFIX", "encode_multipart"]

#: Every boundary is this prefix followed by 32 lower-case hexadecimal digits.
BOUNDARY_PREFIX: Final = "chump-typed-"

_CRLF: Final = b"\r\n"

#: What a name or filename cannot hold inside a quoted header parameter; the
#: replacements are the ones browsers use (WHATWG HTML, "multipart/form-data").
_HEADER_ESCAPES: Final = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A"})


def _quoted(value: str) -> bytes:
    return value.translate(_HEADER_ESCAPES).encode("utf-8")


def _text_part(name: str, value: str) -> list[bytes]:
    return [
        b'Content-Disposition: form-data; name="' + _quoted(name) + b'"',
        _CRLF * 2,
        value.encode("utf-8"),
    ]


def _file_part(name: str, attachment: Attachment) -> list[bytes]:
    return [
        b'Content-Disposition: form-data; name="'
        + _quoted(name)
        + b'"; filename="'
        + _quoted(attachment.filename)
        + b'"',
        _CRLF,
        b"Content-Type: " + attachment.content_type.encode("ascii"),
        _CRLF * 2,
        attachment.data,
    ]


def _boundary(parts: list[list[bytes]]) -> bytes:
    """The first boundary of the fixed format, seeded by the content, absent from it."""
    import hashlib  # only an attachment needs it: left out of start-up

    seed = hashlib.blake2b(digest_size=16)
    for part in parts:
        for chunk in part:
            seed.update(chunk)
    for counter in itertools.count():
        digest = seed.copy()
        digest.update(counter.to_bytes(8, "big"))
        candidate = (BOUNDARY_PREFIX + digest.hexdigest()).encode("ascii")
        if not any(candidate in chunk for part in parts for chunk in part):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def encode_multipart(
    fields: Mapping[str, str], files: Mapping[str, Attachment]
) -> tuple[bytes, str]:
    """Encode text *fields* and binary *files* as one body; pure.

    :returns: the body and the ``Content-Type`` header value that names its boundary.
    """
    parts = [_text_part(name, value) for name, value in fields.items()]
    parts += [_file_part(name, attachment) for name, attachment in files.items()]
    boundary = _boundary(parts)
    delimiter = b"--" + boundary + _CRLF
    chunks: list[bytes] = []
    for part in parts:
        chunks.append(delimiter)
        chunks.extend(part)
        chunks.append(_CRLF)
    chunks.append(b"--" + boundary + b"--" + _CRLF)
    content_type = "multipart/form-data; boundary=" + boundary.decode("ascii")
    return b"".join(chunks), content_type
