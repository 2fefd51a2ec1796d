"""Downloaded messages are read one by one: whatever the server sends in a list,
each item is either a ReceivedMessage or an UndecodableMessage (redacted, shortened,
with its reason), never an exception that hides the others; and a broken envelope
is a typed error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import UnexpectedResponseError
from chump_typed.models.client_api import MessageEnvelope
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.receive import OpenClient, UndecodableMessage
from chump_typed.receive import _calls as rc

SECRET = "aSessionSecretOfSomeLength42"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=400),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = ["id", "umid", "message", "title", "date", "priority", "acked", "aid", "url"]
raw_messages = st.dictionaries(st.sampled_from(FIELDS), json_values) | json_values


def envelope(messages: object) -> MessageEnvelope:
    return MessageEnvelope(request="r", messages=messages)


@given(st.lists(raw_messages, max_size=6))
def test_each_item_is_read_or_reported_never_lost(items: list[Any]) -> None:
    read, unread = rc.read_messages(envelope(items))
    assert len(read) + len(unread) == len(items)
    for bad in unread:
        assert bad.reason
        assert all(len(value) <= 203 for value in bad.fields.values())
        assert bad.id is None or isinstance(bad.id, int)


@given(st.integers(min_value=1, max_value=2**40), st.sampled_from(["urgent", [], {}]))
def test_a_field_of_the_wrong_type_is_reported_with_its_id(
    number: int, priority: object
) -> None:
    good = {"id": number + 1, "message": "fine"}
    bad = {"id": number, "message": "x" * 1000, "priority": priority}
    read, unread = rc.read_messages(envelope([bad, good]))
    assert [m.id for m in read] == [number + 1]
    (report,) = unread
    assert report.id == number and "priority" in report.reason
    assert report.fields["message"] == "x" * 200 + "..."


@pytest.mark.parametrize("messages", ["nope", 5, {"id": 1}, None])
def test_messages_that_are_not_a_list_are_a_broken_answer(messages: object) -> None:
    with pytest.raises(UnexpectedResponseError, match=r"\$\.messages: expected a list"):
        rc.read_messages(envelope(messages))


def test_no_messages_at_all_is_an_empty_download() -> None:
    assert rc.read_messages(MessageEnvelope(request="r")) == ([], [])


class Answering:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def send(self, request: HTTPRequest) -> HTTPResponse:
        return HTTPResponse(status=200, body=self.body)

    def close(self) -> None:
        pass


def test_a_report_is_redacted_of_the_secrets_in_use() -> None:
    bad = {"id": 7, "priority": "urgent", "title": f"leaked {SECRET}", "secret": "x"}
    body = json.dumps({"status": 1, "request": "r", "messages": [bad]}).encode()
    client = OpenClient(
        base_url="https://api.pushover.net/1/", transport=Answering(body)
    )
    session = client.session(SECRET, "dev")
    reported: list[UndecodableMessage] = []
    assert session.download(on_undecodable=reported.append) == []
    (report,) = reported
    assert SECRET not in repr(report)
    assert report.fields["secret"] == "<redacted>"
    assert report.fields["title"] == "leaked <redacted>"


def test_on_undecodable_must_be_callable() -> None:
    client = OpenClient(
        base_url="https://api.pushover.net/1/", transport=Answering(b"")
    )
    session = client.session(SECRET, "dev")
    with pytest.raises(TypeError, match="on_undecodable"):
        session.download(on_undecodable="log")  # type: ignore[arg-type]  # on purpose
