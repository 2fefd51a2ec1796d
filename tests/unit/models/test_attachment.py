"""Attachments: building them, their bounds, and reading them from bytes, paths and
file objects."""

from __future__ import annotations

import base64
import errno
import io
from pathlib import Path
from typing import Any, BinaryIO, NoReturn, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed.errors import ValidationError
from chump_typed.models import (
    ATTACHMENT_MAX,
    Attachment,
    Notification,
)
from chump_typed.models import attachment as _attachments
from chump_typed.models.attachment import (
    IMAGE_SIGNATURES,
    read_attachment,
    read_file,
    read_path,
    sniff_image_type,
)
from tests.strategies import attachments

PNG = b"\x89PNG\r\n\x1a\n" + bytes(8)


KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


# Sizes on both sides of the attachment limit (building them is cheap: zero bytes).
near_limit = st.integers(min_value=ATTACHMENT_MAX - 3, max_value=ATTACHMENT_MAX + 3)


sizes = st.integers(min_value=0, max_value=4096) | near_limit


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
    # Its size and the bound, both (a regular file's size is known without reading).
    assert f"is {ATTACHMENT_MAX * 3:,} bytes;" in str(error.value)
    assert f"at most {ATTACHMENT_MAX:,} bytes (5 MiB)" in str(error.value)

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


@settings(max_examples=25)
@given(size=sizes)
def test_attachment_size_limit_accepts_exactly_up_to_the_limit(size: int) -> None:
    data = bytes(size)
    if size <= ATTACHMENT_MAX:
        assert len(Attachment(data=data, filename="a.png").data) == size
    else:
        with pytest.raises(ValidationError) as error:
            Attachment(data=data, filename="a.png")
        assert error.value.field == "attachment"
        assert str(ATTACHMENT_MAX) in error.value.problem


@settings(max_examples=25)
@given(size=sizes)
def test_base64_limit_is_on_the_decoded_size(size: int) -> None:
    encoded = base64.b64encode(bytes(size)).decode()

    def make() -> Notification:
        return Notification(
            user=KEY,
            message="m",
            attachment_base64=encoded,
            attachment_type="image/png",
        )

    if size <= ATTACHMENT_MAX:
        assert make().attachment_base64 == encoded
    else:
        # The encoded text is ~4/3 larger: only the decoded size may decide.
        with pytest.raises(ValidationError) as error:
            make()
        assert error.value.field == "attachment_base64"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("cat.png", "image/png"),
        ("CAT.JPG", "image/jpeg"),
        ("photo.jpeg", "image/jpeg"),
        ("anim.gif", "image/gif"),
        ("dir.name/x.png", "image/png"),
    ],
)
def test_content_type_is_guessed_from_the_filename(
    filename: str, expected: str
) -> None:
    assert Attachment(data=PNG, filename=filename).content_type == expected


@pytest.mark.parametrize("filename", ["noextension", "archive.zip", "notes.txt"])
def test_content_type_that_is_not_an_image_is_refused(filename: str) -> None:
    with pytest.raises(ValidationError) as error:
        Attachment(data=PNG, filename=filename)
    assert error.value.field.startswith("attachment")


def test_given_content_type_wins_over_the_guess() -> None:
    attachment = Attachment(data=PNG, filename="x.jpg", content_type="image/png")
    assert attachment.content_type == "image/png"


@pytest.mark.parametrize(
    "kind", ["image/png", "image/svg+xml", "image/x-icon", "IMAGE/PNG", "image/vnd.a.b"]
)
def test_image_content_types_are_accepted(kind: str) -> None:
    assert Attachment(data=PNG, filename="x", content_type=kind).content_type == kind


@pytest.mark.parametrize(
    "kind",
    [
        "",
        "image/",
        "image",
        "text/plain",
        "image/png; x=1",
        "image/p ng",
        "image/png\n",
    ],
)
def test_other_content_types_are_refused(kind: str) -> None:
    with pytest.raises(ValidationError) as error:
        Attachment(data=PNG, filename="x", content_type=kind)
    assert error.value.field == "attachment.content_type"


@given(
    kind=st.text(max_size=30).filter(
        lambda k: not k.startswith("image/") and not k.startswith("IMAGE/")
    )
)
def test_anything_but_image_types_is_refused(kind: str) -> None:
    with pytest.raises(ValidationError):
        Attachment(data=PNG, filename="x", content_type=kind)


@pytest.mark.parametrize("filename", ["", "a\r\nb.png", "a\x00.png", "x" * 256])
def test_bad_filenames_are_refused(filename: str) -> None:
    with pytest.raises(ValidationError) as error:
        Attachment(data=PNG, filename=filename, content_type="image/png")
    assert error.value.field == "attachment.filename"


def test_attachment_data_must_be_bytes_but_bytearray_and_memoryview_convert() -> None:
    assert Attachment(data=bytearray(b"ab"), filename="a.png").data == b"ab"
    assert Attachment(data=memoryview(b"ab"), filename="a.png").data == b"ab"
    with pytest.raises(TypeError):
        Attachment(data="ab", filename="a.png")  # type: ignore[arg-type]  # misuse


def test_attachment_repr_does_not_dump_the_image() -> None:
    text = repr(Attachment(data=bytes(1000), filename="a.png"))
    assert "<1000 bytes>" in text
    assert "\\x00" not in text


@given(attachment=attachments)
def test_base64_form_decodes_to_the_same_image(attachment: Attachment) -> None:
    assert base64.b64decode(attachment.base64()) == attachment.data


def test_attachment_and_base64_together_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        Notification(
            user=KEY,
            message="m",
            attachment=Attachment(data=PNG, filename="a.png"),
            attachment_base64=base64.b64encode(PNG).decode(),
            attachment_type="image/png",
        )
    assert error.value.field == "attachment_base64"


@pytest.mark.parametrize(
    "fields",
    [
        {"attachment_base64": "aGk="},
        {"attachment_type": "image/png"},
    ],
)
def test_base64_and_its_type_go_together(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        Notification(user=KEY, message="m", **fields)
    assert error.value.field == "attachment_type"


@pytest.mark.parametrize("text", ["not base64!", "aGk", "a===", "\u00e9"])
def test_invalid_base64_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        Notification(
            user=KEY, message="m", attachment_base64=text, attachment_type="image/png"
        )
    assert error.value.field == "attachment_base64"


def test_notification_attachment_must_be_an_attachment() -> None:
    with pytest.raises(TypeError):
        Notification(user=KEY, message="m", attachment=PNG)  # type: ignore[arg-type]  # misuse
