"""Image attachments: the :class:`Attachment` value, and reading one from a file.

The only file I/O of the library lives here, at the edge: :meth:`Attachment.from_path`
and :meth:`Attachment.from_file` (and the facade's ``attachment=``) read a file once,
at most one byte past the 5,242,880-byte limit, so an oversized image is refused
without loading it; a file that cannot be read raises a
:class:`~chump_typed.errors.ValidationError` that names it, before anything is sent.
The value itself is plain bytes with a name and a type.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO, Final, TypeAlias

import attrs

from chump_typed._checks import (
    ATTACHMENT_MAX,
    check_image_type,
    check_name,
    check_text,
    require_type,
)
from chump_typed._scrub import scrub_public
from chump_typed.errors import ValidationError

__all__ = [
    "ATTACHMENT_MAX",
    "Attachment",
    "AttachmentSource",
    "guess_image_type",
]


def guess_image_type(filename: str) -> str | None:
    """The MIME type :mod:`mimetypes` guesses from *filename*, or ``None``."""
    import mimetypes  # not at start-up: most messages carry no image

    kind, _ = mimetypes.guess_type(filename, strict=False)
    return kind


def _as_bytes(value: bytes | bytearray | memoryview) -> bytes:
    """Copy a bytearray or memoryview to bytes; the validator refuses anything else."""
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def _guessed_type(attachment: Attachment) -> str:
    # The default is computed before validators run: the filename may be anything yet.
    if isinstance(attachment.filename, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        kind = guess_image_type(attachment.filename)
        if kind is not None:
            return kind
    raise ValidationError(
        "attachment",
        f"cannot guess the content type of {attachment.filename!r}; "
        "pass content_type (e.g. image/jpeg)",
    )


def _check_attachment_data(
    _instance: object, _attribute: attrs.Attribute[Any], value: object
) -> None:
    require_type("attachment", value, bytes)
    assert isinstance(value, bytes)
    if len(value) > ATTACHMENT_MAX:
        raise ValidationError(
            "attachment",
            f"must be at most {ATTACHMENT_MAX} bytes, got {len(value)}",
        )


def _check_filename(
    _instance: object, _attribute: attrs.Attribute[Any], value: object
) -> None:
    check_text("attachment.filename", value, min_len=1, max_len=255)
    check_name("attachment.filename", value)


def _check_content_type(
    _instance: object, _attribute: attrs.Attribute[Any], value: object
) -> None:
    check_image_type("attachment.content_type", value)


def _data_repr(data: bytes) -> str:
    return f"<{len(data)} bytes>"


@attrs.frozen(kw_only=True)
class Attachment:
    """An image sent with a message as a multipart ``attachment`` part.

    ``data`` is at most :data:`ATTACHMENT_MAX` (5,242,880) bytes; ``filename`` is sent
    with it; ``content_type`` (an ``image/*`` MIME type) is guessed from the filename
    with :mod:`mimetypes` when not given. Build one from a file with :meth:`from_path`
    or :meth:`from_file`; both refuse an oversized file before reading all of it.
    """

    data: bytes = attrs.field(
        converter=_as_bytes, validator=_check_attachment_data, repr=_data_repr
    )
    """The image's bytes (at most 5 MiB)."""
    filename: str = attrs.field(validator=_check_filename)
    """The file name sent with the image."""
    content_type: str = attrs.field(
        default=attrs.Factory(_guessed_type, takes_self=True),
        validator=_check_content_type,
    )
    """The image's MIME type, such as ``image/jpeg``."""

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike[str],
        *,
        content_type: str | None = None,
        filename: str | None = None,
    ) -> Attachment:
        """Read the image at *path*; ``filename`` defaults to its base name.

        :raises ValidationError: the file cannot be read (the error names it) or breaks
            a rule above.
        """
        return read_path(path, content_type=content_type, filename=filename)

    @classmethod
    def from_file(
        cls,
        file: BinaryIO,
        *,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> Attachment:
        """Read the rest of a binary file object; ``filename`` defaults to the base
        name of its ``name`` attribute."""
        return read_file(file, filename=filename, content_type=content_type)

    def base64(self) -> str:
        """The image as Base64 text, for ``attachment_base64`` (+ ``attachment_type``)."""
        import base64

        return base64.b64encode(self.data).decode("ascii")


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


def _too_big(name: str, size: int | None) -> ValidationError:
    """The error for a file over the bound: its size when known (a regular file's),
    else that it is larger than the bound (a pipe's, which is not read to its end)."""
    bound = f"{ATTACHMENT_MAX:,} bytes ({ATTACHMENT_MAX / 2**20:g} MiB)"
    if size is None:
        return ValidationError(
            "attachment", f"{name} is larger than {bound}, the most Pushover accepts"
        )
    return ValidationError(
        "attachment",
        f"{name} is {size:,} bytes; at most {bound} are allowed",
    )


def _size_left(file: object) -> int | None:
    """The bytes left to read in *file* when it is a regular file, else ``None``."""
    import stat

    try:
        fileno = getattr(file, "fileno", None)
        tell = getattr(file, "tell", None)
        if fileno is None or tell is None:
            return None
        status = os.fstat(fileno())
        if not stat.S_ISREG(status.st_mode):
            return None
        return max(status.st_size - int(tell()), 0)
    except (OSError, ValueError, TypeError):  # io.UnsupportedOperation is an OSError
        return None


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
            size = _size_left(file)
            oversized = size is not None and size > ATTACHMENT_MAX
            # An oversized regular file is refused without reading it.
            data = b"" if oversized else file.read(ATTACHMENT_MAX + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ValidationError(
            "attachment", f"cannot read attachment file {name!r}: {reason}"
        ) from exc
    if oversized:
        raise _too_big(repr(name), size)
    if len(data) > ATTACHMENT_MAX:  # not a regular file: it was not read to its end
        raise _too_big(repr(name), None)
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
        left = _size_left(file)  # after the read: what it did not read
        raise _too_big(described, None if left is None else len(data) + left)
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
    import mimetypes

    return mimetypes.guess_extension(content_type, strict=False) or ""


scrub_public(globals())
