"""Wire format of the whole API: multipart bodies, request encoding, result decoding.

Multipart bodies are read back with the standard library's e-mail parser, an
implementation independent of ours.
"""

from __future__ import annotations

import base64
import json
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._converter import converter, unstructure_request
from chump_typed._multipart import BOUNDARY_PREFIX, encode_multipart
from chump_typed.errors import PushoverError
from chump_typed.protocol import (
    HTTPRequest,
    HTTPResponse,
    decode_response,
    encode_request,
    form_encode,
)

from .strategies import (
    REQUESTS,
    RESULTS,
    any_text,
    attachments,
    notifications_with_attachment,
)

TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
GROUP = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"
BASE = "https://api.pushover.net/1/"
BOUNDARY = re.compile(re.escape(BOUNDARY_PREFIX) + r"[0-9a-f]{32}")


def _name(cls: object) -> str:
    return cls.__name__ if isinstance(cls, type) else str(cls)


ROW_OF: dict[type[Any], ep.Endpoint[Any, Any]] = {
    row.request_type: row for row in ep.ENDPOINTS
}


def parse_multipart(request: HTTPRequest) -> list[EmailMessage]:
    head = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n"
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    assert isinstance(message, EmailMessage)
    assert message.is_multipart()
    return list(cast("Any", message.iter_parts()))


def sent_fields(request: HTTPRequest) -> tuple[dict[str, str], dict[str, Any]]:
    """What a server reads: text fields and file parts, whatever the encoding."""
    if request.method == "GET":
        return dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True)), {}
    kind = request.headers["content-type"]
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(request.body.decode(), keep_blank_values=True)), {}
    assert kind.startswith("multipart/form-data; boundary=")
    fields: dict[str, str] = {}
    files: dict[str, Any] = {}
    for part in parse_multipart(request):
        name = part.get_param("name", header="content-disposition")
        assert isinstance(name, str)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        if part.get_filename() is None:
            fields[name] = payload.decode()
        else:
            files[name] = (part.get_filename(), part.get_content_type(), payload)
    return fields, files


# -- multipart ---------------------------------------------------------------------------


@settings(max_examples=60)
@given(
    fields=st.dictionaries(
        st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12), any_text
    ),
    attachment=attachments,
)
def test_multipart_round_trips_through_an_independent_parser(
    fields: dict[str, str], attachment: models.Attachment
) -> None:
    fields.pop("attachment", None)
    body, content_type = encode_multipart(fields, {"attachment": attachment})
    request = HTTPRequest(
        method="POST", url=BASE, headers={"content-type": content_type}, body=body
    )
    got_fields, files = sent_fields(request)
    # A text part's line breaks are kept byte for byte.
    assert got_fields == fields
    filename, kind, data = files["attachment"]
    assert data == attachment.data
    assert kind == attachment.content_type
    expected_name = (
        attachment.filename.replace('"', "%22")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
    )
    assert filename == expected_name


@given(attachment=attachments)
def test_multipart_is_a_pure_function_with_a_fixed_format_boundary(
    attachment: models.Attachment,
) -> None:
    first = encode_multipart({"token": TOKEN}, {"attachment": attachment})
    second = encode_multipart({"token": TOKEN}, {"attachment": attachment})
    assert first == second
    boundary = first[1].split("boundary=", 1)[1]
    assert BOUNDARY.fullmatch(boundary)
    assert first[0].count(boundary.encode()) == 3  # two parts + the closing line
    assert first[0].endswith(b"--" + boundary.encode() + b"--\r\n")


def test_boundary_never_occurs_in_the_content() -> None:
    # Content that contains the boundary the first attempt would pick.
    plain = models.Attachment(data=b"x", filename="a.png")
    _, content_type = encode_multipart({}, {"attachment": plain})
    first_choice = content_type.split("boundary=", 1)[1].encode()
    tricky = models.Attachment(data=b"x" + first_choice, filename="a.png")
    body, content_type = encode_multipart({}, {"attachment": tricky})
    boundary = content_type.split("boundary=", 1)[1].encode()
    assert BOUNDARY.fullmatch(boundary.decode())
    payload = body.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n--" + boundary, 1)[0]
    assert boundary not in payload
    assert payload == tricky.data


def test_a_binary_attachment_goes_as_multipart_with_filename_and_type() -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    notification = models.Notification(
        user=KEY,
        message="look",
        attachment=models.Attachment(data=image, filename="chart.png"),
    )
    request = encode_request(ep.SEND_MESSAGE, notification, token=TOKEN, base_url=BASE)
    fields, files = sent_fields(request)
    assert fields == {"token": TOKEN, "user": KEY, "message": "look"}
    assert files == {"attachment": ("chart.png", "image/png", image)}
    assert request.params["attachment"] == "<image/png, 264 bytes, 'chart.png'>"
    assert TOKEN not in repr(request)


def test_base64_attachment_goes_form_encoded() -> None:
    image = bytes(range(256))
    notification = models.Notification(
        user=KEY,
        message="look",
        attachment_base64=base64.b64encode(image).decode(),
        attachment_type="image/jpeg",
    )
    request = encode_request(ep.SEND_MESSAGE, notification, token=TOKEN, base_url=BASE)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    fields, _ = sent_fields(request)
    assert base64.b64decode(fields["attachment_base64"]) == image
    assert fields["attachment_type"] == "image/jpeg"
    # Error reports and logs get a summary, not the whole image.
    assert request.params["attachment_base64"] == "<344 characters>"


# -- form encoding -----------------------------------------------------------------------

base64_alphabet = st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
)


@settings(max_examples=50)
@given(
    fields=st.dictionaries(
        st.text(min_size=1, max_size=10),
        any_text
        | st.text(base64_alphabet, min_size=4000, max_size=5000)
        | st.text(base64_alphabet, min_size=4000, max_size=5000).map(lambda t: t + "é"),
        max_size=4,
    )
)
def test_form_encode_is_urlencode(fields: dict[str, str]) -> None:
    assert form_encode(fields) == urlencode(fields).encode("ascii")


# -- request encoding ----------------------------------------------------------------------


@pytest.mark.parametrize("cls", sorted(ROW_OF, key=_name))
@settings(max_examples=30)
@given(data=st.data())
def test_every_request_round_trips_through_the_wire(
    cls: type[Any], data: st.DataObject
) -> None:
    request = data.draw(REQUESTS[cls])
    row = ROW_OF[cls]
    http = encode_request(row, request, token=TOKEN, base_url=BASE)
    assert http.method == row.method
    assert http.retryable == row.retryable
    fields, files = sent_fields(http)
    expected = {
        k: v if isinstance(v, str) else str(v)
        for k, v in unstructure_request(request).items()
        if k not in row.placeholders
    }
    assert fields == {"token": TOKEN, **expected}
    assert files == {}
    # Each placeholder fills exactly one path segment, whatever its characters.
    url = http.url.split("?")[0]
    assert url.count("/") == (BASE + row.path).count("/")
    values = {name: getattr(request, name) for name in row.placeholders}
    segments = url[len(BASE) :].split("/")
    template = row.path.split("/")
    for segment, pattern in zip(segments, template, strict=True):
        if "{" in pattern:
            assert unquote(segment) == pattern.format(**values)
        else:
            assert segment == pattern


@settings(max_examples=30)
@given(notification=notifications_with_attachment())
def test_messages_with_attachments_round_trip(
    notification: models.Notification,
) -> None:
    http = encode_request(ep.SEND_MESSAGE, notification, token=TOKEN, base_url=BASE)
    fields, files = sent_fields(http)
    if notification.attachment is not None:
        attachment = notification.attachment
        assert files["attachment"][1:] == (attachment.content_type, attachment.data)
    else:
        assert files == {}
        assert fields["attachment_base64"] == notification.attachment_base64
    assert fields["message"] == notification.message


def test_team_flags_are_the_string_true_and_left_out_when_false() -> None:
    on = models.TeamAddUserRequest(email="a@b.co", instant=True, admin=True)
    off = models.TeamAddUserRequest(email="a@b.co")
    on_fields, _ = sent_fields(
        encode_request(ep.ADD_TEAM_USER, on, token="team", base_url=BASE)
    )
    off_fields, _ = sent_fields(
        encode_request(ep.ADD_TEAM_USER, off, token="team", base_url=BASE)
    )
    assert on_fields == {
        "token": "team",
        "email": "a@b.co",
        "instant": "true",
        "admin": "true",
    }
    assert off_fields == {"token": "team", "email": "a@b.co"}


def test_group_key_fills_the_path_and_removal_uses_remove_user() -> None:
    request = models.GroupRemoveUserRequest(group=GROUP, user=KEY, device="iphone")
    http = encode_request(ep.REMOVE_GROUP_USER, request, token=TOKEN, base_url=BASE)
    assert http.url == f"{BASE}groups/{GROUP}/remove_user.json"
    legacy = encode_request(
        ep.REMOVE_GROUP_USER_LEGACY, request, token=TOKEN, base_url=BASE
    )
    assert legacy.url == f"{BASE}groups/{GROUP}/delete_user.json"
    assert legacy.body == http.body
    assert sent_fields(http)[0] == {"token": TOKEN, "user": KEY, "device": "iphone"}


def test_glance_sends_empty_strings_to_clear_and_leaves_out_unset_fields() -> None:
    glance = models.GlanceUpdate(user=KEY, title="", count=-3, percent=0)
    fields, _ = sent_fields(
        encode_request(ep.UPDATE_GLANCE, glance, token=TOKEN, base_url=BASE)
    )
    assert fields == {
        "token": TOKEN,
        "user": KEY,
        "title": "",
        "count": "-3",
        "percent": "0",
    }


def test_licence_assignment_is_marked_not_retryable() -> None:
    request = models.LicenseAssignRequest(user=KEY, os="Desktop")
    http = encode_request(ep.ASSIGN_LICENSE, request, token=TOKEN, base_url=BASE)
    assert http.retryable is False
    assert sent_fields(http)[0] == {"token": TOKEN, "user": KEY, "os": "Desktop"}


# -- result decoding -------------------------------------------------------------------------

RESULT_TYPES = sorted({row.response_type for row in ep.ENDPOINTS}, key=_name)


@pytest.mark.parametrize("cls", RESULT_TYPES)
@settings(max_examples=30)
@given(data=st.data())
def test_results_round_trip_through_the_converter(
    cls: type[Any], data: st.DataObject
) -> None:
    result = data.draw(RESULTS[cls])
    assert converter.structure(converter.unstructure(result), cls) == result


def _decode(row: ep.Endpoint[Any, Any], status: int, body: object) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = HTTPRequest(method=row.method, url=BASE + row.path)
    return decode_response(row, request, HTTPResponse(status=status, body=raw))


def test_group_info_reads_the_documented_shape() -> None:
    info = _decode(
        ep.GROUP_INFO,
        200,
        {
            "status": 1,
            "request": "r",
            "name": "Ops",
            "users": [
                {"user": KEY, "device": None, "memo": "", "disabled": False},
                {"user": KEY, "device": "iphone", "memo": "on call", "disabled": True},
                {"user": KEY, "device": "", "name": "Ann", "email": "ann@x.io"},
            ],
        },
    )
    assert info == models.GroupInfo(
        request="r",
        name="Ops",
        users=(
            models.GroupMember(user=KEY),
            models.GroupMember(
                user=KEY, device="iphone", memo="on call", disabled=True
            ),
            models.GroupMember(user=KEY, name="Ann", email="ann@x.io"),
        ),
    )


def test_team_info_reads_the_shape_libraries_mock() -> None:
    info = _decode(
        ep.TEAM_INFO,
        200,
        {
            "status": 1,
            "request": "r",
            "name": "Operations",
            "users": [
                {
                    "id": "member-id",
                    "name": "Team Member",
                    "email": "member@example.test",
                    "administrator": True,
                    "devices": [
                        {
                            "name": "iphone",
                            "os": "iOS",
                            "os_version": "26",
                            "enabled": True,
                            "administratively_disabled": False,
                        }
                    ],
                },
                {"email": "", "devices": cast("list[object]", [])},
            ],
        },
    )
    assert info == models.TeamInfo(
        request="r",
        name="Operations",
        users=(
            models.TeamUser(
                name="Team Member",
                email="member@example.test",
                administrator=True,
                devices=(models.TeamDevice(name="iphone", os="iOS", os_version="26"),),
            ),
            models.TeamUser(),
        ),
    )


def test_group_list_and_licence_results() -> None:
    groups = _decode(
        ep.LIST_GROUPS,
        200,
        {"status": 1, "request": "r", "groups": [{"group": GROUP, "name": "Ops"}]},
    )
    assert groups.groups == (models.GroupSummary(group=GROUP, name="Ops"),)
    assigned = _decode(
        ep.ASSIGN_LICENSE, 200, {"status": 1, "request": "r", "credits": 4}
    )
    assert assigned.credits == 4
    migrated = _decode(
        ep.MIGRATE_SUBSCRIPTION,
        200,
        {"status": 1, "request": "r", "subscribed_user_key": KEY},
    )
    assert migrated.subscribed_user_key == KEY


def test_licence_object_form_errors_are_kept() -> None:
    with pytest.raises(PushoverError) as error:
        _decode(
            ep.ASSIGN_LICENSE,
            400,
            {
                "status": 0,
                "request": "r",
                "token": "invalid",
                "errors": {"token": ["is out of available license credits"]},
            },
        )
    response = cast("Any", error.value).error_response
    assert response.errors == {"token": ("is out of available license credits",)}


NEW_ROWS = [row for row in ep.ENDPOINTS if row.path != "messages.json"]


@pytest.mark.parametrize("row", NEW_ROWS, ids=lambda row: row.name)
@settings(max_examples=40)
@given(
    status=st.sampled_from([200, 400, 404, 429, 500, 502]) | st.integers(100, 599),
    body=st.binary(max_size=200)
    | st.dictionaries(
        st.sampled_from(
            ["status", "request", "groups", "users", "name", "credits", "group"]
        ),
        st.none() | st.integers() | st.text(max_size=5) | st.lists(st.integers()),
    ).map(lambda d: json.dumps(d).encode()),
)
def test_decoding_any_answer_gives_a_result_or_a_pushover_error(
    row: ep.Endpoint[Any, Any], status: int, body: bytes
) -> None:
    try:
        result = _decode(row, status, body)
    except PushoverError:
        return
    assert isinstance(result, row.response_type)
