"""The receiving side's pure parts: its bounds, the decoding of downloads (typed
errors for anything malformed) and the decryption of downloaded messages."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    DOWNLOAD_MESSAGES,
    Client,
    MessageList,
    Priority,
    UnexpectedResponseError,
    ValidationError,
    models,
)
from chump_typed.e2ee import E2EEKey, encrypt_field
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.receive import OpenClient, ReceivedMessage
from chump_typed.receive import _calls as rc
from chump_typed.testing import APP_TOKEN

BASE = "https://api.pushover.net/1/"
ALLOWED_ID = string.ascii_letters + string.digits + "_-"


class Answering:
    """A transport that answers every request with one body."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body, self.status = body, status
        self.sent: list[HTTPRequest] = []

    def send(self, request: HTTPRequest) -> HTTPResponse:
        self.sent.append(request)
        return HTTPResponse(status=self.status, body=self.body)

    def close(self) -> None:
        pass


def download(body: object) -> list[ReceivedMessage]:
    transport = Answering(json.dumps(body).encode())
    session = OpenClient(base_url=BASE, transport=transport).session("s")
    return session.download("dev")


# -- Bounds: each accepts exactly its valid side ---------------------------------------


@given(st.text(ALLOWED_ID, min_size=1, max_size=70))
def test_a_device_id_is_1_to_64_of_its_alphabet(device_id: str) -> None:
    if len(device_id) <= 64:
        assert models.DownloadRequest(device_id=device_id).device_id == device_id
    else:
        with pytest.raises(ValidationError, match="1 to 64"):
            models.DownloadRequest(device_id=device_id)


@given(st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=260))
def test_a_secret_is_1_to_256_printable_characters(secret: str) -> None:
    client = OpenClient(base_url=BASE, transport=Answering(b"{}"))
    if 1 <= len(secret) <= 256:
        assert client.session(secret).secret == secret
    else:
        with pytest.raises(ValidationError, match="secret") as caught:
            client.session(secret)
        assert not secret or secret not in str(caught.value)


@given(st.text(string.digits, max_size=20))
def test_a_2fa_code_is_1_to_16_digits(code: str) -> None:
    if 1 <= len(code) <= 16:
        assert models.LoginRequest(email="a@b.co", password="p", twofa=code).twofa
    else:
        with pytest.raises(ValidationError, match="twofa"):
            models.LoginRequest(email="a@b.co", password="p", twofa=code)


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_delete_through_takes_a_non_negative_id(message: int) -> None:
    if 0 <= message < 2**63:
        assert (
            models.DeleteThroughRequest(device_id="d", message=message).message
            == message
        )
    else:
        with pytest.raises(ValidationError, match="message"):
            models.DeleteThroughRequest(device_id="d", message=message)


def test_the_login_request_hides_its_secrets() -> None:
    request = models.LoginRequest(
        email="me@example.com", password="hunter2hunter2", twofa="123456"
    )
    assert "hunter2" not in repr(request) and "123456" not in repr(request)
    assert "me@example.com" not in repr(request)


def test_a_receiving_row_on_client_says_where_it_runs() -> None:
    client = Client(APP_TOKEN, base_url=BASE, transport=Answering(b"{}"))
    with pytest.raises(ValidationError, match=r"chump_typed\.receive"):
        client.call(DOWNLOAD_MESSAGES, models.DownloadRequest(device_id="d"))


def test_a_device_or_the_sessions_default() -> None:
    assert rc.device_id_of(models.Device(id="a"), "b") == "a"
    assert rc.device_id_of("c", "b") == "c"
    assert rc.device_id_of(None, "b") == "b"
    with pytest.raises(ValidationError, match="device"):
        rc.device_id_of(None, None)
    with pytest.raises(TypeError, match="device"):
        rc.device_id_of(3, None)  # type: ignore[arg-type]


# -- Decoding downloads ------------------------------------------------------------------


def test_a_download_is_typed_and_ignores_what_it_does_not_know() -> None:
    (message,) = download(
        {
            "status": 1,
            "request": "r",
            "messages": [
                {
                    "id": 7,
                    "id_str": "7",
                    "umid": "70",
                    "message": "hi",
                    "title": "",
                    "date": 1_700_000_000,
                    "queued_date": 0,
                    "priority": 2,
                    "acked": 1,
                    "html": "0",
                    "receipt": "",
                    "future_field": {"x": 1},
                }
            ],
            "user": {"quiet_hours": False, "is_desktop_licensed": True},
        }
    )
    assert (message.id, message.umid, message.message) == (7, 70, "hi")
    assert message.title is None and message.receipt is None
    assert message.date is not None and message.date.utcoffset() is not None
    assert message.queued_date is None
    assert message.priority is Priority.EMERGENCY
    assert (message.acked, message.html) == (True, False)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                ["id", "umid", "message", "title", "date", "priority", "acked", "aid"]
            ),
            json_values,
        ),
        max_size=3,
    )
    | json_values
)
def test_a_malformed_download_is_a_typed_error(messages: Any) -> None:
    outcome: object
    try:
        outcome = download({"status": 1, "request": "r", "messages": messages})
    except UnexpectedResponseError as error:
        outcome = error
    if isinstance(outcome, UnexpectedResponseError):
        assert "download_messages" in str(outcome)
    else:
        assert isinstance(outcome, list)
        assert all(isinstance(m, ReceivedMessage) for m in outcome)  # pyright: ignore[reportUnknownVariableType]


# -- Decrypting downloads -------------------------------------------------------------------


KEY = E2EEKey(bytes(range(32)))


def received(**fields: Any) -> ReceivedMessage:
    return ReceivedMessage(id=1, **fields)


def test_an_unmarked_message_that_opens_with_the_key_is_decrypted() -> None:
    sealed = received(
        message=encrypt_field(KEY, "hello"), title=encrypt_field(KEY, "t")
    )
    (opened,) = rc.opened([sealed], KEY)
    assert (opened.message, opened.title, opened.encrypted) == ("hello", "t", True)
    assert not opened.undecryptable


def test_a_plain_message_stays_as_it_came_and_is_not_flagged() -> None:
    plain = received(message="hello, in clear")
    assert rc.opened([plain], KEY) == [plain]
    assert rc.opened([plain], None) == [plain]


def test_a_marked_message_the_key_cannot_open_is_flagged_not_dropped() -> None:
    sealed = received(message=encrypt_field(E2EEKey.generate(), "x"), encrypted=True)
    (flagged,) = rc.opened([sealed], KEY)
    assert flagged.undecryptable and flagged.message == sealed.message


def test_the_key_must_be_an_e2ee_key() -> None:
    with pytest.raises(TypeError, match="e2ee_key"):
        rc.opened([received(message="m")], "00" * 32)  # type: ignore[arg-type]


def test_message_list_is_a_result() -> None:
    assert issubclass(MessageList, models.Result)


def test_a_device_id_we_could_not_use_is_the_servers_fault() -> None:
    transport = Answering(b'{"status": 1, "request": "r", "id": "has/slash"}')
    session = OpenClient(base_url=BASE, transport=transport).session("s")
    with pytest.raises(UnexpectedResponseError, match="device id"):
        session.register_device("desk")


def test_a_wrong_key_type_is_refused_before_the_download() -> None:
    transport = Answering(b'{"status": 1, "request": "r", "messages": []}')
    session = OpenClient(base_url=BASE, transport=transport).session("s")
    with pytest.raises(TypeError, match="e2ee_key"):
        session.download("dev", e2ee_key="00" * 32)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="e2ee_key"):
        session.listen("dev", e2ee_key=b"k")  # type: ignore[arg-type]
    assert transport.sent == []
