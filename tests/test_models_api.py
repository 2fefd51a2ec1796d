"""The rules of the models added for the whole API: each bound accepts exactly its
valid side (Hypothesis), and each broken rule names its field."""

from __future__ import annotations

import base64
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import models
from chump_typed._checks import DEVICE_PATTERN
from chump_typed.client import Client, check_team_token
from chump_typed.errors import ValidationError
from chump_typed.models import (
    ATTACHMENT_MAX,
    Attachment,
    GlanceUpdate,
    GroupAddUserRequest,
    LicenseAssignRequest,
    Notification,
    TeamAddUserRequest,
)

from .strategies import REQUESTS, attachments, device_names, emails, keys, names

KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
GROUP = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"
TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)

# Sizes on both sides of the attachment limit (building them is cheap: zero bytes).
near_limit = st.integers(min_value=ATTACHMENT_MAX - 3, max_value=ATTACHMENT_MAX + 3)
sizes = st.integers(min_value=0, max_value=4096) | near_limit


def _name(cls: object) -> str:
    return cls.__name__ if isinstance(cls, type) else str(cls)


# -- Attachments -------------------------------------------------------------------------


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


# -- Groups ------------------------------------------------------------------------------


@given(memo=st.text(max_size=400))
def test_memo_accepts_exactly_200_characters(memo: str) -> None:
    if len(memo) <= models.MEMO_MAX:
        assert GroupAddUserRequest(group=GROUP, user=KEY, memo=memo).memo == memo
    else:
        with pytest.raises(ValidationError) as error:
            GroupAddUserRequest(group=GROUP, user=KEY, memo=memo)
        assert error.value.field == "memo"
        assert "200" in error.value.problem


@pytest.mark.parametrize(
    "cls",
    [
        models.GroupAddUserRequest,
        models.GroupRemoveUserRequest,
        models.GroupDisableUserRequest,
        models.GroupEnableUserRequest,
    ],
)
@given(device=st.text(max_size=30))
def test_membership_device_is_one_device_name(cls: type[Any], device: str) -> None:
    valid = DEVICE_PATTERN.fullmatch(device) is not None
    if valid:
        assert cls(group=GROUP, user=KEY, device=device).device == device
    else:
        with pytest.raises(ValidationError) as error:
            cls(group=GROUP, user=KEY, device=device)
        assert error.value.field == "device"


@pytest.mark.parametrize(
    "cls",
    [
        models.GroupInfoRequest,
        models.GroupAddUserRequest,
        models.GroupRemoveUserRequest,
        models.GroupDisableUserRequest,
        models.GroupEnableUserRequest,
        models.GroupRenameRequest,
    ],
)
def test_group_key_is_checked(cls: type[Any]) -> None:
    fields: dict[str, Any] = {"group": "short"}
    if "user" in attrs.fields_dict(cls):
        fields["user"] = KEY
    if "name" in attrs.fields_dict(cls):
        fields["name"] = "n"
    with pytest.raises(ValidationError) as error:
        cls(**fields)
    assert error.value.field == "group"


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "a\x00"])
def test_group_names_must_not_be_blank(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        models.GroupCreateRequest(name=name)
    assert error.value.field == "name"
    with pytest.raises(ValidationError):
        models.GroupRenameRequest(group=GROUP, name=name)


@given(name=names)
def test_group_names_accepted(name: str) -> None:
    assert models.GroupCreateRequest(name=name).name == name


# -- Glances -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "text", "subtext"])
@given(value=st.text(max_size=200))
def test_glance_text_accepts_exactly_100_characters(field: str, value: str) -> None:
    if len(value) <= models.GLANCE_TEXT_MAX:
        fields: dict[str, Any] = {field: value}
        assert getattr(GlanceUpdate(user=KEY, **fields), field) == value
    else:
        with pytest.raises(ValidationError) as error:
            GlanceUpdate(user=KEY, **{field: value})  # type: ignore[arg-type]  # str fields only
        assert error.value.field == field
        assert "100" in error.value.problem


@given(percent=st.integers(min_value=-(10**6), max_value=10**6))
def test_glance_percent_accepts_exactly_0_to_100(percent: int) -> None:
    if 0 <= percent <= 100:
        assert GlanceUpdate(user=KEY, percent=percent).percent == percent
    else:
        with pytest.raises(ValidationError) as error:
            GlanceUpdate(user=KEY, percent=percent)
        assert error.value.field == "percent"


@given(count=st.integers(min_value=-(10**12), max_value=10**12))
def test_glance_count_is_any_integer(count: int) -> None:
    assert GlanceUpdate(user=KEY, count=count).count == count


def test_glance_needs_at_least_one_field() -> None:
    with pytest.raises(ValidationError) as error:
        GlanceUpdate(user=KEY, device="iphone")
    assert error.value.field == "glance"


@pytest.mark.parametrize("field", ["title", "text", "subtext", "count", "percent"])
def test_each_glance_field_alone_is_enough(field: str) -> None:
    value: Any = "" if field in ("title", "text", "subtext") else 0
    assert getattr(GlanceUpdate(user=KEY, **{field: value}), field) == value


def test_glance_rejects_bools_as_numbers() -> None:
    with pytest.raises(TypeError):
        GlanceUpdate(user=KEY, count=True)


# -- Subscriptions, licensing, teams -------------------------------------------------------


@given(device=st.none() | device_names, sound=st.none() | st.just("bike"))
def test_subscription_migration(device: str | None, sound: str | None) -> None:
    request = models.SubscriptionMigrateRequest(
        subscription="App-abcd1234", user=KEY, device_name=device, sound=sound
    )
    assert request.device_name == device


def test_subscription_device_name_is_one_device() -> None:
    with pytest.raises(ValidationError) as error:
        models.SubscriptionMigrateRequest(
            subscription="App-1", user=KEY, device_name="a,b"
        )
    assert error.value.field == "device_name"


@given(user=st.none() | keys, email=st.none() | emails)
def test_license_takes_exactly_one_of_user_or_email(
    user: str | None, email: str | None
) -> None:
    if (user is None) != (email is None):
        request = LicenseAssignRequest(user=user, email=email)
        assert (request.user, request.email) == (user, email)
    else:
        with pytest.raises(ValidationError) as error:
            LicenseAssignRequest(user=user, email=email)
        assert error.value.field == "user"


@given(os_name=st.text(max_size=10) | st.sampled_from(models.LICENSE_OS))
def test_license_os_is_android_ios_or_desktop(os_name: str) -> None:
    if os_name in ("Android", "iOS", "Desktop"):
        assert LicenseAssignRequest(user=KEY, os=os_name).os == os_name  # type: ignore[arg-type]  # narrowed at runtime
    else:
        with pytest.raises(ValidationError) as error:
            LicenseAssignRequest(user=KEY, os=os_name)  # type: ignore[arg-type]  # misuse on purpose
        assert error.value.field == "os"


@pytest.mark.parametrize(
    "email", ["", "plain", "@example.com", "a@", "a b@example.com", "a@b\nc"]
)
def test_bad_emails_are_refused(email: str) -> None:
    with pytest.raises(ValidationError) as error:
        TeamAddUserRequest(email=email)
    assert error.value.field == "email"
    with pytest.raises(ValidationError):
        LicenseAssignRequest(email=email)


@given(email=emails)
def test_emails_are_accepted(email: str) -> None:
    assert models.TeamRemoveUserRequest(email=email).email == email


def test_team_flags_are_bools() -> None:
    with pytest.raises(TypeError):
        TeamAddUserRequest(email="a@b.co", admin=1)  # type: ignore[arg-type]  # misuse


@pytest.mark.parametrize("token", ["", "has space", "tab\there", "nl\n"])
def test_bad_team_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_team_token("team_token", token)
    assert error.value.field == "team_token"
    with pytest.raises(ValidationError):
        Client(TOKEN, team_token=token)


# -- Secrets -------------------------------------------------------------------------------


_OTHER_SECRETS: dict[str, str] = {
    "user": "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "group": "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
    "email": "someone.else@example.org",
    "password": "another password",
}


@pytest.mark.parametrize("cls", sorted(REQUESTS, key=_name))
@settings(max_examples=30)
@given(data=st.data())
def test_request_reprs_do_not_depend_on_secrets(
    cls: type[Any], data: st.DataObject
) -> None:
    request = data.draw(REQUESTS[cls])
    changes = {
        name: other
        for name, other in _OTHER_SECRETS.items()
        if getattr(request, name, None) is not None
    }
    if cls is models.TeamAddUserRequest:
        changes.pop("group", None)  # a group *name* here, not a key
    assert repr(attrs.evolve(request, **changes)) == repr(request)


def test_result_reprs_hold_no_keys() -> None:
    results = [
        models.GroupCreateResult(request="r", group=GROUP),
        models.GroupList(
            groups=(models.GroupSummary(group=GROUP, name="g"),), request="r"
        ),
        models.GroupInfo(
            request="r",
            name="g",
            users=(models.GroupMember(user=KEY, email="a@b.co"),),
        ),
        models.SubscriptionMigrateResult(request="r", subscribed_user_key=KEY),
    ]
    for result in results:
        text = repr(result)
        assert KEY not in text
        assert GROUP not in text
        assert "a@b.co" not in text
