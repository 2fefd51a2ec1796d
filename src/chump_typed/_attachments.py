"""Reading an attachment from a path or a binary file object.

The only file I/O of the library, kept out of :mod:`chump_typed.models` (pure values).
A file is read at most one byte past the 5,242,880-byte limit, so an oversized image is
refused without loading it; a file that cannot be read raises a
:class:`~chump_typed.errors.ValidationError` that names it, before anything is sent.
"""

from __future__ import annotations

import mimetypes
import os
from typing import BinaryIO, Final, TypeAlias

from chump_typed.errors import ValidationError
from chump_typed.models import ATTACHMENT_MAX, Attachment, guess_image_type

__all__ = [
    "IMAGE_SIGNATURES",
    "AttachmentSource",
    "read_attachment",
    "read_file",
    "read_path",
    "sniff_image_type",
]

#: What ``attachment=`` accepts: a ready :class:`Attachment`, the image's bytes, a path,
#: or a binary file object open for reading.
AttachmentSource: TypeAlias = (
    Attachment | bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO
)


def _build(
    data: bytes, *, filename: str | None, content_type: str | None, source: str
) -> Attachment:
    if filename is None:
        raise ValidationError(
            "attachment", f"{source} has no file name; pass filename= to send one"
        )
    if content_type is None:
        content_type = guess_image_type(filename)
        if content_type is None:
            raise ValidationError(
                "attachment",
                f"cannot guess the content type of {filename!r}; "
                "pass content_type (e.g. image/jpeg)",
            )
    return Attachment(data=data, filename=filename, content_type=content_type)


def _too_big(name: str, size: int) -> ValidationError:
    return ValidationError(
        "attachment",
        f"{name} is {size} bytes or more; at most {ATTACHMENT_MAX} are allowed",
    )


def read_path(
    path: str | os.PathLike[str],
    *,
    content_type: str | None = None,
    filename: str | None = None,
) -> Attachment:
    """Read the image at *path*; ``filename`` defaults to its base name."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as file:
            data = file.read(ATTACHMENT_MAX + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ValidationError(
            "attachment", f"cannot read attachment file {name!r}: {reason}"
        ) from exc
    if len(data) > ATTACHMENT_MAX:
        raise _too_big(repr(name), len(data))
    return _build(
        data,
        filename=os.path.basename(name) if filename is None else filename,
        content_type=content_type,
        source=repr(name),
    )


def read_file(
    file: BinaryIO, *, filename: str | None = None, content_type: str | None = None
) -> Attachment:
    """Read the rest of *file*; ``filename`` defaults to the base name of its
    ``name`` attribute, when it has a string one."""
    raw_name: object = getattr(file, "name", None)
    described = repr(raw_name) if isinstance(raw_name, str) else "the file object"
    try:
        data: object = file.read(ATTACHMENT_MAX + 1)
    except (OSError, ValueError) as exc:  # ValueError: a closed file
        raise ValidationError(
            "attachment", f"cannot read attachment file {described}: {exc}"
        ) from exc
    # A file opened in text mode is a BinaryIO only to the type checker.
    if not isinstance(data, bytes):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f"attachment: {described} must be opened in binary mode ('rb'), "
            f"read() gave a {type(data).__name__}"
        )
    if len(data) > ATTACHMENT_MAX:
        raise _too_big(described, len(data))
    if filename is None and isinstance(raw_name, str):
        filename = os.path.basename(raw_name)
    return _build(data, filename=filename, content_type=content_type, source=described)


#: Leading bytes of the common image formats -> their MIME type, for bare bytes.
IMAGE_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def sniff_image_type(head: bytes) -> str | None:
    """The MIME type announced by an image's first bytes, when it is a common one."""
    for signature, kind in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_attachment(
    source: AttachmentSource,
    *,
    filename: str | None = None,
    content_type: str | None = None,
) -> Attachment:
    """Turn any :data:`AttachmentSource` into an :class:`Attachment`.

    Bytes are sent as ``image.<extension>`` unless *filename* is given; their content
    type is *content_type*, else guessed from *filename*, else read from the first
    bytes for PNG, JPEG, GIF, BMP and WebP (:data:`IMAGE_SIGNATURES`).
    """
    if isinstance(source, Attachment):
        if filename is not None or content_type is not None:
            raise ValidationError(
                "attachment", "filename and content_type come from the Attachment"
            )
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) > ATTACHMENT_MAX:
            raise _too_big("the image", len(source))
        if filename is None and content_type is None:
            content_type = sniff_image_type(bytes(source[:16]))
        if filename is None and content_type is not None:
            filename = "image" + _extension(content_type)
        return _build(
            bytes(source),
            filename=filename,
            content_type=content_type,
            source="the image bytes",
        )
    if isinstance(source, (str, os.PathLike)):
        return read_path(source, content_type=content_type, filename=filename)
    if callable(getattr(source, "read", None)):
        return read_file(source, filename=filename, content_type=content_type)
    raise TypeError(
        "attachment: expected an Attachment, bytes, a path or a binary file, "
        f"got a {type(source).__name__}"
    )


def _extension(content_type: str) -> str:
    return mimetypes.guess_extension(content_type, strict=False) or ""
