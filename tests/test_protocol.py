"""The sans-I/O core: encoding is reversible and decoding never leaks a stray error."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import given
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
    SendResult,
    UnexpectedResponseError,
)
from chump_typed._converter import unstructure_request
from chump_typed._endpoints import Endpoint
from chump_typed.protocol import (
    HTTPRequest,
    HTTPResponse,
    decode_response,
    encode_request,
    parse_rate_limit,
)

from . import strategies as s

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
        assert {"token": TOKEN, **expected} == params_of(http)
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


def _segment_for(endpoint: Endpoint[Any, Any], path: str) -> str:
    prefix, _, suffix = endpoint.path.partition("{" + endpoint.placeholders[0] + "}")
    path = path[len("/1/") :]
    return path[len(prefix) : len(path) - len(suffix)]


# -- decoding --------------------------------------------------------------------------

REQUEST = encoded(SEND_MESSAGE, Notification(user="u" * 30, message="hi"))
LIMIT_HEADERS = {
    "x-limit-app-limit": "10000",
    "x-limit-app-remaining": "9000",
    "x-limit-app-reset": "1700000000",
}


def response(status: int, body: Any, **headers: str) -> HTTPResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HTTPResponse(status=status, headers=headers, body=raw)


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
        assert str(error) == "(5042853c) user identifier is invalid"
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

    def test_status_zero_with_http_200_is_a_rejection(self) -> None:
        with pytest.raises(APIError):
            decode_response(
                SEND_MESSAGE, REQUEST, response(200, {"status": 0, "request": "r"})
            )

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
