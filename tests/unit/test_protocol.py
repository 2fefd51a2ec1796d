"""The sans-I/O layer: encoding is reversible, multipart bodies read back with an
independent parser (the standard library's e-mail parser), and decoding any answer
gives a result or a typed error."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import (
    CANCEL_BY_TAG,
    ENDPOINTS,
    GET_RECEIPT,
    SEND_MESSAGE,
    APIError,
    CancelByTagRequest,
    Notification,
    PushoverError,
    QuotaExceededError,
    ReceiptRequest,
    RetryPolicy,
    SendResult,
    UnexpectedResponseError,
    ValidationError,
    models,
)
from chump_typed import _endpoints as ep
from chump_typed._converter import converter, unstructure_request
from chump_typed._endpoints import Endpoint
from chump_typed._multipart import BOUNDARY_PREFIX, encode_multipart
from chump_typed.protocol import (
    HTTPRequest,
    HTTPResponse,
    SendOptions,
    decode_response,
    encode_request,
    form_encode,
    parse_rate_limit,
)
from tests import strategies as s
from tests.strategies import (
    REQUESTS,
    RESULTS,
    any_text,
    attachments,
    notifications_with_attachment,
)

TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"


RECEIPT = "r" * 30


BASE = "https://api.pushover.net/1/"


UTC = dt.timezone.utc


def params_of(request: HTTPRequest) -> dict[str, str]:
    """Parse the parameters back out of an encoded request, as a server would."""
    parts = urlsplit(request.url)
    text = parts.query if request.method == "GET" else request.body.decode("ascii")
    return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))


def encoded(endpoint: Endpoint[Any, Any], request: Any) -> HTTPRequest:
    return encode_request(endpoint, request, token=TOKEN, base_url=BASE)


def _segment_for(endpoint: Endpoint[Any, Any], path: str) -> str:
    prefix, _, suffix = endpoint.path.partition("{" + endpoint.placeholders[0] + "}")
    path = path[len("/1/") :]
    return path[len(prefix) : len(path) - len(suffix)]


REQUEST = encoded(SEND_MESSAGE, Notification(user="u" * 30, message="hi"))


LIMIT_HEADERS = {
    "x-limit-app-limit": "10000",
    "x-limit-app-remaining": "9000",
    "x-limit-app-reset": "1700000000",
}


def response(status: int, body: Any, **headers: str) -> HTTPResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HTTPResponse(status=status, headers=headers, body=raw)


KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


GROUP = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"


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


base64_alphabet = st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
)


RESULT_TYPES = sorted({row.response_type for row in ep.ENDPOINTS}, key=_name)


def _decode(row: ep.Endpoint[Any, Any], status: int, body: object) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = HTTPRequest(method=row.method, url=BASE + row.path)
    return decode_response(row, request, HTTPResponse(status=status, body=raw))


NEW_ROWS = [row for row in ep.ENDPOINTS if row.path != "messages.json"]


class TestWireRoundTrip:
    """Parsing what encode_request produced gives back every parameter, unchanged."""

    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
    @given(data=st.data())
    def test_parameters_survive(
        self, endpoint: Endpoint[Any, Any], data: st.DataObject
    ) -> None:
        request = data.draw(s.REQUESTS[endpoint.request_type])
        http = encoded(endpoint, request)
        expected = {k: str(v) for k, v in unstructure_request(request).items()}
        path = urlsplit(http.url).path

        for name in endpoint.placeholders:
            segment = _segment_for(endpoint, path)
            assert expected.pop(name) == unquote(segment)
        param = endpoint.credential.param  # none for a login: it sends a password
        assert ({param: TOKEN} if param else {}) | expected == params_of(http)
        assert endpoint.method == http.method

    @given(tag=s.line)
    def test_path_values_cannot_change_the_path(self, tag: str) -> None:
        http = encoded(CANCEL_BY_TAG, CancelByTagRequest(tag=tag))
        path = urlsplit(http.url).path

        assert path.startswith("/1/receipts/cancel_by_tag/")
        assert path.endswith(".json")
        segment = path[len("/1/receipts/cancel_by_tag/") : -len(".json")]
        assert "/" not in segment and "?" not in segment and "#" not in segment
        assert tag == unquote(segment)

    def test_get_carries_the_token_in_the_query_and_post_in_the_body(self) -> None:
        get = encoded(GET_RECEIPT, ReceiptRequest(receipt=RECEIPT))
        post = encoded(SEND_MESSAGE, Notification(user="u" * 30, message="hi"))

        assert f"token={TOKEN}" in get.url and get.body == b""
        assert TOKEN not in post.url
        assert f"token={TOKEN}".encode() in post.body
        assert post.headers["content-type"] == "application/x-www-form-urlencoded"

    def test_repr_of_a_request_never_shows_the_token(self) -> None:
        for http in (
            encoded(GET_RECEIPT, ReceiptRequest(receipt=RECEIPT)),
            encoded(SEND_MESSAGE, Notification(user="u" * 30, message="hi")),
        ):
            assert TOKEN not in repr(http)


class TestDecode:
    def test_success_with_rate_limit(self) -> None:
        result = decode_response(
            SEND_MESSAGE,
            REQUEST,
            HTTPResponse(
                status=200, headers=LIMIT_HEADERS, body=b'{"status":1,"request":"r1"}'
            ),
        )

        assert isinstance(result, SendResult)
        assert result.request == "r1"
        assert result.rate_limit is not None
        assert (result.rate_limit.limit, result.rate_limit.remaining) == (10000, 9000)
        assert (
            dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC) == result.rate_limit.reset
        )

    def test_missing_or_broken_limit_headers_give_none(self) -> None:
        assert parse_rate_limit({}) is None
        assert parse_rate_limit({**LIMIT_HEADERS, "x-limit-app-reset": "soon"}) is None
        result = decode_response(
            SEND_MESSAGE, REQUEST, response(200, {"status": 1, "request": "r"})
        )
        assert result.rate_limit is None

    def test_rejection_with_list_errors(self) -> None:
        body = {
            "user": "invalid",
            "errors": ["user identifier is invalid"],
            "status": 0,
            "request": "5042853c",
        }
        with pytest.raises(APIError) as info:
            decode_response(SEND_MESSAGE, REQUEST, response(400, body))

        error = info.value
        assert error.http_status == 400
        assert error.id == "5042853c"
        assert error.errors == ["user identifier is invalid"]
        assert error.bad_inputs == {"user": "invalid"}
        assert str(error) == "user identifier is invalid (request 5042853c)"
        assert error.request["token"] == "<redacted>"

    def test_rejection_with_object_errors(self) -> None:
        body = {
            "status": 0,
            "request": "r",
            "errors": {"token": ["is out of available license credits"]},
        }
        with pytest.raises(APIError) as info:
            decode_response(SEND_MESSAGE, REQUEST, response(400, body))

        assert info.value.error_response.errors == {
            "token": ("is out of available license credits",)
        }
        assert info.value.errors == ["token: is out of available license credits"]

    @pytest.mark.parametrize("status", [1, 1.0, "1", " 1 "])
    def test_every_spelling_of_status_1_is_success(self, status: object) -> None:
        body = {"status": status, "request": "r"}

        result = decode_response(SEND_MESSAGE, REQUEST, response(200, body))

        assert result.request == "r"

    @pytest.mark.parametrize("status", [0, "0", 2, None, True, "yes", 1.5, [1]])
    def test_a_200_without_status_1_may_have_been_sent(self, status: object) -> None:
        # Pushover rejects with a 4xx: a 200 that does not say success is no rejection
        # to trust, and reporting one would invite a resend of a delivered message.
        body = {"status": status, "request": "r"}
        with pytest.raises(UnexpectedResponseError) as info:
            decode_response(SEND_MESSAGE, REQUEST, response(200, body))

        assert info.value.may_have_been_sent

    @pytest.mark.parametrize(
        "body", [b"<html>ok</html>", b"[1]", {"status": 1, "receipt": 5}]
    )
    def test_a_200_that_cannot_be_read_may_have_been_sent(self, body: Any) -> None:
        with pytest.raises(UnexpectedResponseError) as info:
            decode_response(SEND_MESSAGE, REQUEST, response(200, body))

        assert info.value.may_have_been_sent

    def test_a_get_that_cannot_be_read_was_not_sent(self) -> None:
        sounds = encoded(ep.LIST_SOUNDS, models.SoundsRequest())
        with pytest.raises(UnexpectedResponseError) as info:
            decode_response(ep.LIST_SOUNDS, sounds, response(200, b"<html>"))

        assert not info.value.may_have_been_sent

    def test_a_5xx_was_not_sent_but_a_504_may_have_been(self) -> None:
        for status, acted in ((500, False), (503, False), (504, True)):
            with pytest.raises(UnexpectedResponseError) as info:
                decode_response(SEND_MESSAGE, REQUEST, response(status, b"<html>"))
            assert info.value.may_have_been_sent == acted

    def test_an_unknown_receipt_is_a_reason_about_the_receipt(self) -> None:
        body = {"receipt": "not found", "status": 0, "request": "r", "errors": ["x"]}
        with pytest.raises(APIError) as info:
            decode_response(GET_RECEIPT, REQUEST, response(404, body))

        assert info.value.bad_inputs == {"receipt": "not found"}
        assert info.value.receipt is None

    def test_a_glance_answer_reads_the_rate_limit_when_present(self) -> None:
        body = {"status": 1, "request": "r"}

        with_limits = decode_response(
            ep.UPDATE_GLANCE, REQUEST, response(200, body, **LIMIT_HEADERS)
        )
        without = decode_response(ep.UPDATE_GLANCE, REQUEST, response(200, body))

        assert with_limits.rate_limit is not None
        assert with_limits.rate_limit.remaining == 9000
        assert without.rate_limit is None

    def test_a_licence_answer_without_credits_is_still_a_success(self) -> None:
        body = {"status": 1, "request": "r"}

        result = decode_response(ep.ASSIGN_LICENSE, REQUEST, response(200, body))

        assert result.credits is None

    def test_quota_exceeded(self) -> None:
        body = {
            "status": 0,
            "request": "r",
            "errors": ["application is over its message quota"],
        }
        with pytest.raises(QuotaExceededError) as info:
            decode_response(SEND_MESSAGE, REQUEST, response(429, body, **LIMIT_HEADERS))

        assert info.value.http_status == 429
        assert dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC) == info.value.reset_at

    @pytest.mark.parametrize(
        "body",
        [b"", b"<html>Too Many Requests</html>", b"[1]", b'{"status":'],
    )
    def test_a_429_is_a_quota_error_whatever_its_body(self, body: bytes) -> None:
        answer = HTTPResponse(status=429, headers=LIMIT_HEADERS, body=body)
        with pytest.raises(QuotaExceededError) as info:
            decode_response(SEND_MESSAGE, REQUEST, answer)

        assert info.value.id == ""
        assert info.value.timestamp.tzinfo is not None
        assert info.value.reset_at is not None

    @pytest.mark.parametrize(
        ("status", "body"),
        [
            (500, b"<html>Internal Server Error</html>"),
            (502, b""),
            (503, b'{"status": 0}'),
            (200, b"{not json"),
            (200, b"[1, 2]"),
            (200, b'{"status": 1}'),
            (200, b'{"status": 1, "request": 5}'),
            (302, b'{"status": 1, "request": "r"}'),
            (400, b"<html>Bad Request</html>"),
        ],
    )
    def test_undecodable_responses(self, status: int, body: bytes) -> None:
        with pytest.raises(UnexpectedResponseError) as info:
            decode_response(
                SEND_MESSAGE, REQUEST, HTTPResponse(status=status, body=body)
            )

        assert status == info.value.http_status

    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
    @given(
        status=st.integers(min_value=100, max_value=599),
        body=st.binary(max_size=200)
        | st.dictionaries(
            st.sampled_from(
                [
                    "status",
                    "request",
                    "errors",
                    "receipt",
                    "sounds",
                    "acknowledged",
                    "expires_at",
                    "limit",
                    "remaining",
                    "reset",
                    "devices",
                    "canceled",
                    "user",
                ]
            ),
            st.none()
            | st.booleans()
            | st.integers()
            | st.text(max_size=8)
            | st.lists(st.text(max_size=5), max_size=2)
            | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
        ).map(lambda d: json.dumps(d).encode()),
        headers=st.dictionaries(
            st.sampled_from([*sorted(LIMIT_HEADERS), "date", "retry-after"]),
            st.text(max_size=12),
        ),
    )
    def test_any_response_gives_a_result_or_a_pushover_error(
        self,
        endpoint: Endpoint[Any, Any],
        status: int,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        try:
            result = decode_response(
                endpoint,
                REQUEST,
                HTTPResponse(status=status, headers=headers, body=body),
            )
        except PushoverError:
            return
        assert isinstance(result, endpoint.response_type)
        assert status == 200


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


def _repeated(run: str, length: int) -> str:
    return (run * length)[:length]


#: Base64-alphabet text around the length past which it is escaped by replacements
#: (a short random run repeated: random text of that length is slow to draw).
long_base64 = st.builds(
    _repeated,
    st.text(base64_alphabet, min_size=1, max_size=64),
    st.integers(min_value=4000, max_value=5000),
)


@settings(max_examples=50)
@given(
    fields=st.dictionaries(
        st.text(min_size=1, max_size=10),
        any_text | long_base64 | long_base64.map(lambda t: t + "é"),
        max_size=4,
    )
)
def test_form_encode_is_urlencode(fields: dict[str, str]) -> None:
    assert form_encode(fields) == urlencode(fields).encode("ascii")


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
    param = row.credential.param
    assert fields == ({param: TOKEN} if param else {}) | expected
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


@pytest.mark.parametrize("cls", RESULT_TYPES)
@settings(max_examples=30)
@given(data=st.data())
def test_results_round_trip_through_the_converter(
    cls: type[Any], data: st.DataObject
) -> None:
    result = data.draw(RESULTS[cls])
    assert converter.structure(converter.unstructure(result), cls) == result


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


class TestSendOptions:
    @given(
        deadline=st.floats(allow_nan=True, allow_infinity=True)
        | st.integers(min_value=-(2**64), max_value=2**64)
    )
    def test_a_deadline_is_a_finite_number_of_seconds_above_zero(
        self, deadline: float
    ) -> None:
        if math.isfinite(deadline) and deadline > 0:
            assert SendOptions(deadline=deadline).deadline == deadline
            return
        with pytest.raises(ValidationError) as info:
            SendOptions(deadline=deadline)
        assert info.value.field == "deadline"
        assert "finite number of seconds > 0" in str(info.value)

    @pytest.mark.parametrize(
        "kwargs",
        [{"deadline": "5"}, {"deadline": True}, {"retries": 3}, {"retries": "0"}],
    )
    def test_wrong_types_name_the_field(self, kwargs: dict[str, Any]) -> None:
        [field] = kwargs
        with pytest.raises(TypeError, match=f"^{field}: "):
            SendOptions(**kwargs)

    def test_what_is_not_set_stays_the_transport_s(self) -> None:
        from chump_typed import Urllib3Transport

        transport = Urllib3Transport(deadline=7, retries=RetryPolicy(retries=1))
        url = f"{BASE}sounds.json?token={TOKEN}"
        quick = SendOptions(deadline=2)
        stubborn = SendOptions(retries=RetryPolicy(retries=0))

        by_deadline = transport._start(  # pyright: ignore[reportPrivateUsage]
            HTTPRequest(method="GET", url=url, options=quick)
        )
        by_policy = transport._start(  # pyright: ignore[reportPrivateUsage]
            HTTPRequest(method="GET", url=url, options=stubborn)
        )

        assert (by_deadline.deadline, by_deadline.policy) == (2, transport.retries)
        assert (by_policy.deadline, by_policy.policy) == (7, RetryPolicy(retries=0))

    def test_a_request_carries_them_outside_its_equality_and_repr(self) -> None:
        options = SendOptions(deadline=2.5, retries=RetryPolicy(retries=0))
        plain = HTTPRequest(method="GET", url=f"{BASE}sounds.json?token={TOKEN}")
        carrying = HTTPRequest(
            method="GET", url=f"{BASE}sounds.json?token={TOKEN}", options=options
        )

        assert carrying.options is options
        assert plain.options is None
        assert carrying == plain
        assert hash(carrying) == hash(plain)
        assert repr(carrying) == repr(plain)
