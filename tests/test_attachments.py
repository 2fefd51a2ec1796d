"""Reading attachments from bytes, paths and file objects."""

from __future__ import annotations

import errno
import io
from pathlib import Path
from typing import Any, BinaryIO, NoReturn, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed.errors import ValidationError
from chump_typed.models import ATTACHMENT_MAX, Attachment
from chump_typed.models import attachment as _attachments
from chump_typed.models.attachment import (
    IMAGE_SIGNATURES,
    read_attachment,
    read_file,
    read_path,
    sniff_image_type,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(8)


def test_path_gives_its_base_name_and_guessed_type(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpeg"
    path.write_bytes(b"\xff\xd8\xff" + bytes(10))
    for source in (path, str(path)):
        attachment = read_attachment(source)
        assert attachment == Attachment(
            data=path.read_bytes(), filename="photo.jpeg", content_type="image/jpeg"
        )
    assert Attachment.from_path(path) == read_path(path)


def test_path_with_explicit_name_and_type(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(PNG)
    attachment = read_path(path, filename="shown.png", content_type="image/png")
    assert (attachment.filename, attachment.content_type) == ("shown.png", "image/png")


def test_path_without_a_guessable_type_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(PNG)
    with pytest.raises(ValidationError) as error:
        read_path(path)
    assert "content_type" in str(error.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.png"
    with pytest.raises(ValidationError) as error:
        read_path(path)
    assert error.value.field == "attachment"
    assert str(path) in str(error.value)
    assert isinstance(error.value.__cause__, FileNotFoundError)


def test_unreadable_file_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # File modes do not stop root (CI runs as root), so the refusal is simulated
    # where the library opens the file.
    path = tmp_path / "secret.png"
    path.write_bytes(PNG)

    def refuse(name: str, mode: str = "r") -> NoReturn:
        raise PermissionError(errno.EACCES, "Permission denied", name)

    monkeypatch.setattr(_attachments, "open", refuse, raising=False)
    with pytest.raises(ValidationError) as error:
        read_path(path)
    assert str(path) in str(error.value)
    assert "Permission denied" in str(error.value)
    assert isinstance(error.value.__cause__, PermissionError)


def test_oversized_file_is_refused_after_reading_one_byte_past_the_limit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as file:
        file.truncate(ATTACHMENT_MAX * 3)
    with pytest.raises(ValidationError) as error:
        read_path(path)
    assert str(ATTACHMENT_MAX) in str(error.value)

    asked: list[int | None] = []

    class Counting(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            asked.append(size)
            return super().read(size)

    counting = Counting(bytes(ATTACHMENT_MAX * 2))
    with pytest.raises(ValidationError):
        read_file(counting, filename="x.png")
    assert asked == [ATTACHMENT_MAX + 1]


def test_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "max.png"
    path.write_bytes(bytes(ATTACHMENT_MAX))
    assert len(read_path(path).data) == ATTACHMENT_MAX


def test_file_object_uses_its_name(tmp_path: Path) -> None:
    path = tmp_path / "pic.gif"
    path.write_bytes(b"GIF89a" + bytes(4))
    with path.open("rb") as file:
        attachment = read_attachment(file)
    assert (attachment.filename, attachment.content_type) == ("pic.gif", "image/gif")
    assert attachment.data == path.read_bytes()


def test_file_object_reads_from_its_position() -> None:
    file = io.BytesIO(b"skip" + PNG)
    file.seek(4)
    assert Attachment.from_file(file, filename="a.png").data == PNG


def test_nameless_file_object_needs_a_filename() -> None:
    with pytest.raises(ValidationError) as error:
        read_file(io.BytesIO(PNG))
    assert "filename" in str(error.value)


def test_text_mode_file_is_a_type_error(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_text("text")
    with path.open() as file, pytest.raises(TypeError, match="binary mode"):
        read_file(cast("BinaryIO", file))


def test_closed_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(PNG)
    with path.open("rb") as file:
        pass
    with pytest.raises(ValidationError) as error:
        read_file(file)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(("signature", "kind"), IMAGE_SIGNATURES)
def test_bare_bytes_get_their_type_from_the_signature(
    signature: bytes, kind: str
) -> None:
    attachment = read_attachment(signature + b"rest")
    assert attachment.content_type == kind
    assert attachment.filename.startswith("image.")


def test_webp_signature() -> None:
    assert sniff_image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"


@given(data=st.binary(max_size=32))
def test_unrecognised_bytes_need_a_name_or_type(data: bytes) -> None:
    if sniff_image_type(data[:16]) is not None:
        return
    with pytest.raises(ValidationError):
        read_attachment(data)
    assert read_attachment(data, content_type="image/png").filename == "image.png"
    assert read_attachment(data, filename="x.jpg").content_type == "image/jpeg"


def test_bytes_over_the_limit_are_refused_without_copying() -> None:
    with pytest.raises(ValidationError) as error:
        read_attachment(memoryview(bytes(ATTACHMENT_MAX + 1)))
    assert error.value.field == "attachment"


def test_an_attachment_passes_through_unchanged() -> None:
    attachment = Attachment(data=PNG, filename="a.png")
    assert read_attachment(attachment) is attachment
    with pytest.raises(ValidationError):
        read_attachment(attachment, filename="b.png")


def test_other_sources_are_type_errors() -> None:
    with pytest.raises(TypeError):
        read_attachment(cast("Any", 42))
