"""Hostile input: nothing a caller passes can split a header or request line, and no
path value can change the path."""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from urllib3.util import parse_url

from chump_typed import (
    CANCEL_BY_TAG,
    ENDPOINTS,
    CancelByTagRequest,
    Client,
    ValidationError,
    notification_for,
)
from chump_typed._checks import check_base_url
from chump_typed._endpoints import Endpoint
from chump_typed.protocol import encode_request, fill_path
from chump_typed.testing import APP_TOKEN, USER_KEY
from tests import strategies as s

CONTROLS: Final = "\r\n\x00"
#: Every C0 control character, refused in every field but a message body.
C0: Final = "".join(map(chr, range(32)))
BASE: Final = "https://api.pushover.net/1/"
TEMPLATED: Final = [e for e in ENDPOINTS if e.placeholders]

hostile = st.text(
    st.sampled_from(["/", "?", "#", ".", "%", "\\", " ", "&", "=", *CONTROLS])
    | s.characters,
    min_size=1,
    max_size=30,
)
"""Text rich in URL syntax and control characters."""


@pytest.mark.parametrize("endpoint", TEMPLATED, ids=lambda e: e.name)
@given(value=hostile)
def test_a_path_value_never_changes_the_path(
    endpoint: Endpoint[Any, Any], value: str
) -> None:
    values = dict.fromkeys(endpoint.placeholders, value)
    template = endpoint.path.split("/")
    whole = {"{" + name + "}" for name in endpoint.placeholders}
    if not value.strip(".") and whole & set(template):
        with pytest.raises(ValidationError) as info:
            fill_path(endpoint.path, values)
        assert info.value.field in endpoint.placeholders
        return
    path = fill_path(endpoint.path, values)

    filled = path.split("/")
    assert len(template) == len(filled)
    for pattern, segment in zip(template, filled, strict=False):
        if "{" not in pattern:
            assert pattern == segment
            continue
        assert segment.strip(".")
        assert re.fullmatch(r"[A-Za-z0-9._~%-]+", segment)
        regex = re.escape(pattern)
        for name in endpoint.placeholders:
            regex = regex.replace(re.escape("{" + name + "}"), "(.*)")
        match = re.fullmatch(regex, segment)
        assert match is not None
        assert all(unquote(group) == value for group in match.groups())
    # urllib3 sends the path as it is: no dot-segment removal, no decoding.
    assert parse_url(BASE + path).path == urlsplit(BASE + path).path


@given(tag=hostile)
def test_tags_with_control_characters_are_refused_and_others_encoded(tag: str) -> None:
    if any(c in tag for c in C0):
        with pytest.raises(ValidationError, match="control characters"):
            CancelByTagRequest(tag=tag)
        return
    # Even a tag of dots is fine here: its segment ends in ".json".
    http = encode_request(
        CANCEL_BY_TAG, CancelByTagRequest(tag=tag), token=APP_TOKEN, base_url=BASE
    )

    assert not any(c in http.url for c in CONTROLS + " ")


@pytest.mark.parametrize("field", ["sound", "callback", "tags"])
@given(data=st.data())
def test_free_strings_that_reach_the_wire_refuse_controls(
    field: str, data: st.DataObject
) -> None:
    text = data.draw(s.line)
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    bad = text[:cut] + data.draw(st.sampled_from(list(C0))) + text[cut:]
    extra: dict[str, Any] = {field: bad}
    if field != "sound":
        extra.update(priority=2, retry=30, expire=60)

    with pytest.raises(ValidationError) as info:
        notification_for(user=USER_KEY, message="m", **extra)

    assert field == info.value.field


@given(data=st.data())
def test_every_encoded_request_is_safe_on_the_wire(data: st.DataObject) -> None:
    endpoint = data.draw(st.sampled_from(ENDPOINTS))
    request = data.draw(s.REQUESTS[endpoint.request_type])
    http = encode_request(endpoint, request, token=APP_TOKEN, base_url=BASE)

    assert re.fullmatch(r"[!-~]+", http.url)  # printable ASCII: no space, no control
    for name, value in http.headers.items():
        assert not any(c in name + value for c in CONTROLS)
    assert not any(c.encode() in http.body for c in CONTROLS)  # form-encoded


@given(
    head=st.sampled_from(
        ["https://api.pushover.net", "http://127.0.0.1:8", "https://h"]
    ),
    bad=st.sampled_from([*CONTROLS, "\t", " ", "\x7f", "é", "\u2028"]),
    tail=st.sampled_from(["/1/", "", "/x"]),
)
def test_base_url_with_controls_or_non_ascii_is_refused(
    head: str, bad: str, tail: str
) -> None:
    with pytest.raises(ValidationError) as info:
        check_base_url(head + bad + tail)

    assert info.value.field == "base_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/1/",
        "https://h:99999/1/",
        "https://h:x/1/",
        "https://u@h/1/",
        "https://h/1/?a",
        "https://h/1/#f",
    ],
)
def test_malformed_base_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        Client(APP_TOKEN, base_url=url)
