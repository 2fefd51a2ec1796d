"""Acknowledgement callbacks: the parser and the WSGI application (synthetic environ,
no server)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import attrs
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from chump_typed import Client
from chump_typed.callbacks import (
    MAX_CALLBACK_BODY,
    AcknowledgementCallback,
    callback_app,
    parse_callback,
)
from chump_typed.errors import ValidationError
from chump_typed.testing import APP_TOKEN, FakePushover, FakeTransport
from tests.strategies import device_names, epochs, keys

RECEIPT = "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"
MEMORY_URL = "http://127.0.0.1:1/1/"
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
FIELDS: dict[str, str] = {
    "receipt": RECEIPT,
    "acknowledged": "1",
    "acknowledged_at": "1700000000",
    "acknowledged_by": USER,
    "acknowledged_by_device": "iphone",
}
EXPECTED = AcknowledgementCallback(
    receipt=RECEIPT,
    acknowledged=True,
    acknowledged_at=dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc),
    acknowledged_by=USER,
    acknowledged_by_device="iphone",
)


def test_form_body_is_parsed() -> None:
    assert parse_callback(urlencode(FIELDS).encode()) == EXPECTED


def test_json_body_and_mapping_are_parsed() -> None:
    assert parse_callback(json.dumps(FIELDS).encode()) == EXPECTED
    as_numbers = {**FIELDS, "acknowledged": 1, "acknowledged_at": 1700000000}
    assert parse_callback(json.dumps(as_numbers).encode()) == EXPECTED
    assert parse_callback(FIELDS) == EXPECTED


def test_blank_device_is_none() -> None:
    body = urlencode({**FIELDS, "acknowledged_by_device": ""}).encode()
    assert parse_callback(body).acknowledged_by_device is None


@given(receipt=keys, user=keys, at=epochs, device=st.none() | device_names)
def test_any_valid_callback_round_trips(
    receipt: str, user: str, at: int, device: str | None
) -> None:
    fields = {
        "receipt": receipt,
        "acknowledged": "1",
        "acknowledged_at": str(at),
        "acknowledged_by": user,
    }
    if device is not None:
        fields["acknowledged_by_device"] = device
    parsed = parse_callback(urlencode(fields).encode())
    assert parsed.receipt == receipt
    assert parsed.acknowledged_by == user
    assert int(parsed.acknowledged_at.timestamp()) == at
    assert parsed.acknowledged_at.tzinfo is not None
    assert parsed.acknowledged_by_device == device


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"receipt": None}, "receipt"),
        ({"receipt": "short"}, "receipt"),
        ({"acknowledged": "yes"}, "acknowledged"),
        ({"acknowledged_at": "soon"}, "acknowledged_at"),
        ({"acknowledged_at": "-5"}, "acknowledged_at"),
        ({"acknowledged_at": "9" * 30}, "acknowledged_at"),
        ({"acknowledged_by": None}, "acknowledged_by"),
        ({"acknowledged_by_device": "bad device"}, "acknowledged_by_device"),
    ],
)
def test_bad_fields_are_named(change: dict[str, str | None], field: str) -> None:
    fields = {k: v for k, v in {**FIELDS, **change}.items() if v is not None}
    with pytest.raises(ValidationError) as error:
        parse_callback(urlencode(fields).encode())
    assert error.value.field == field


@pytest.mark.parametrize("body", [b"\xff\xfe", b"{not json", b"[1, 2]", b""])
def test_bodies_that_are_not_callbacks_are_refused(body: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_callback(body)


@given(body=st.binary(max_size=200))
def test_any_bytes_give_a_callback_or_a_validation_error(body: bytes) -> None:
    # Anything else escaping (KeyError, UnicodeDecodeError, ...) fails the test.
    with contextlib.suppress(ValidationError):
        parse_callback(body)


def test_callback_is_frozen_and_hides_the_user_key() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        EXPECTED.receipt = "x"  # type: ignore[misc]  # frozen on purpose
    assert USER not in repr(EXPECTED)


# -- The WSGI application ---------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        self.status = status
        self.headers = headers
        return self.write

    def write(self, data: bytes) -> None:
        raise AssertionError("the application must not use write()")


def call(
    app: Any, body: bytes, *, method: str = "POST", length: str | None = None
) -> tuple[str, bytes, dict[str, str]]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/pushover/callback/unguessable",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)) if length is None else length,
        "wsgi.input": io.BytesIO(body),
    }
    recorder = Recorder()
    chunks: Iterable[bytes] = app(environ, recorder)
    return recorder.status, b"".join(chunks), dict(recorder.headers)


def test_app_hands_the_callback_to_the_handler_and_answers_200() -> None:
    received: list[AcknowledgementCallback] = []
    app = callback_app(received.append)
    status, body, headers = call(app, urlencode(FIELDS).encode())
    assert status == "200 OK"
    assert received == [EXPECTED]
    assert headers["Content-Length"] == str(len(body))


def test_app_answers_400_without_calling_the_handler() -> None:
    received: list[AcknowledgementCallback] = []
    app = callback_app(received.append)
    status, body, _ = call(app, b"receipt=nope")
    assert status.startswith("400")
    assert b"receipt" in body
    assert received == []


def test_app_refuses_other_methods_and_large_bodies() -> None:
    received: list[AcknowledgementCallback] = []
    app = callback_app(received.append)
    status, _, headers = call(app, b"", method="GET")
    assert status.startswith("405")
    assert headers["Allow"] == "POST"
    status, _, _ = call(app, b"x", length=str(MAX_CALLBACK_BODY + 1))
    assert status.startswith("413")
    status, _, _ = call(app, b"", length="")
    assert status.startswith("400")
    assert received == []


def test_handler_errors_propagate_so_pushover_calls_again() -> None:
    def broken(_: AcknowledgementCallback) -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        call(callback_app(broken), urlencode(FIELDS).encode())


HOSTILE: dict[str, tuple[bytes, str | None]] = {
    "JSON nested 8,000 deep": (b'{"a":' + b"[" * 8000 + b"]" * 8000 + b"}", None),
    "JSON objects nested 2,500 deep": (b'{"a":' * 2500 + b"1" + b"}" * 2500, None),
    "device as a number": (
        json.dumps({**FIELDS, "acknowledged_by_device": 5}).encode(),
        None,
    ),
    "device as a list": (
        json.dumps({**FIELDS, "acknowledged_by_device": ["iphone"]}).encode(),
        None,
    ),
    "device as an object": (
        json.dumps({**FIELDS, "acknowledged_by_device": {"a": 1}}).encode(),
        None,
    ),
    "receipt as a list": (json.dumps({**FIELDS, "receipt": [RECEIPT]}).encode(), None),
    "a form key twice": (urlencode(FIELDS).encode() + b"&receipt=" + b"A" * 30, None),
    "a JSON key twice": (
        json.dumps(FIELDS).encode()[:-1] + b', "receipt": "' + b"A" * 30 + b'"}',
        None,
    ),
    "Content-Length of superscript two": (urlencode(FIELDS).encode(), "\u00b2"),
    "Content-Length in Arabic-Indic digits": (b"123", "\u0663"),
    "a negative Content-Length": (b"", "-1"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gets_a_4xx_with_a_short_reason(name: str) -> None:
    body, length = HOSTILE[name]
    received: list[AcknowledgementCallback] = []

    status, answer, _ = call(callback_app(received.append), body, length=length)

    assert status.startswith("400"), (name, status)
    assert 0 < len(answer) < 120 and answer.count(b"\n") == 1
    assert received == []


def test_a_repeated_key_names_the_key() -> None:
    with pytest.raises(ValidationError, match="receipt: appears more than once"):
        parse_callback(urlencode(FIELDS).encode() + b"&receipt=" + b"A" * 30)


@pytest.mark.parametrize("function", [callback_app, parse_callback])
def test_the_docs_say_a_callback_can_be_forged(function: object) -> None:
    doc = getattr(function, "__doc__", "") or ""

    assert "anyone who knows" in doc.lower()
    assert "receipt poll" in doc


class BrokenInput:
    """A ``wsgi.input`` whose read fails, as when the client goes away mid-body."""

    def read(self, size: int = -1) -> bytes:
        raise ConnectionResetError("client gone")


def test_a_content_length_of_5000_digits_is_too_large_not_a_crash() -> None:
    status, _, _ = call(callback_app(list[object]().append), b"x", length="9" * 5000)
    assert status.startswith("413")
    status, _, _ = call(callback_app(list[object]().append), b"", length="0" * 5000)
    assert status.startswith("400")  # zero bytes: an empty body is not a callback


def test_a_body_the_server_cannot_read_is_a_400() -> None:
    recorder = Recorder()
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": "120",
        "wsgi.input": BrokenInput(),
    }
    answer = b"".join(callback_app(list[object]().append)(environ, recorder))
    assert recorder.status.startswith("400")
    assert answer == b"body: could not be read (ConnectionResetError)\n"


HEADER_TEXT = st.text(st.characters(codec="latin-1"), max_size=60) | st.from_regex(
    r"\A[0-9]{1,6000}\Z"
)


@given(length=HEADER_TEXT, body=st.binary(max_size=300))
def test_any_declared_length_and_body_get_an_answer(length: str, body: bytes) -> None:
    """Whatever the headers and the body, a 200 (for a callback), a 400 or a 413:
    never an escaping exception (which a server answers with a 500)."""
    status, answer, headers = call(
        callback_app(list[object]().append), body, length=length
    )
    assert status[:3] in ("200", "400", "413"), status
    assert headers["Content-Length"] == str(len(answer))


def test_a_body_that_ends_short_of_its_length_is_a_400() -> None:
    """The client went away mid-body: what arrived is not taken for the callback,
    even when it would parse as one."""
    received: list[AcknowledgementCallback] = []
    body = urlencode(FIELDS).encode()
    status, answer, _ = call(
        callback_app(received.append), body, length=str(len(body) + 10)
    )
    assert status.startswith("400")
    assert (
        answer
        == f"body: is not the {len(body) + 10} bytes its Content-Length says\n".encode()
    )
    assert received == []


class Trickling:
    """A ``wsgi.input`` that hands out at most *step* bytes per read."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step = data, step

    def read(self, size: int = -1) -> bytes:
        size = min(size, self.step)
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


def test_a_body_read_in_pieces_is_whole() -> None:
    received: list[AcknowledgementCallback] = []
    body = urlencode(FIELDS).encode()
    recorder = Recorder()
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": Trickling(body, 7),
    }
    answer = b"".join(callback_app(received.append)(environ, recorder))
    assert (recorder.status, answer) == ("200 OK", b"OK\n")
    assert received == [EXPECTED]


class Failing:
    """A ``wsgi.input`` whose read raises *error* (a server's failure of any kind)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def read(self, size: int = -1) -> bytes:
        raise self.error


class Wrong:
    """A ``wsgi.input`` that gives text, not bytes."""

    def read(self, size: int = -1) -> str:
        return "receipt=x"


INPUTS = st.sampled_from(["bytes", "pieces", "short", "failing", "text", "missing"])
ERRORS = st.sampled_from(
    [
        ConnectionResetError("gone"),
        TimeoutError("slow"),
        OSError("read"),
        ValueError("closed file"),
        RuntimeError("server bug"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"),
    ]
)
HEADER_NAMES = st.from_regex(r"\AHTTP_[A-Z0-9_]{1,20}\Z") | st.sampled_from(
    ["CONTENT_TYPE", "HTTP_TRANSFER_ENCODING", "HTTP_EXPECT", "REMOTE_ADDR"]
)
ANY_TEXT = st.text(max_size=80)


#: A confirming app's client: the fake in memory, which knows no receipt (so every
#: poll is refused, and the app answers 200 or, paced, 503).
IN_MEMORY = Client(
    APP_TOKEN, base_url=MEMORY_URL, transport=FakeTransport(FakePushover())
)


#: POST more often than not, and the body's own length often: so that the apps'
#: paths past the headers (parsing, confirming) are taken too.
METHODS = st.just("POST") | st.sampled_from(["GET", "PUT", "HEAD", ""]) | ANY_TEXT
LENGTHS = st.just("its own") | st.none() | HEADER_TEXT | ANY_TEXT


@given(
    confirming=st.booleans(),
    method=st.one_of(st.just("POST"), METHODS),
    length=st.one_of(st.just("its own"), LENGTHS),
    headers=st.dictionaries(HEADER_NAMES, ANY_TEXT, max_size=6),
    body=st.just(urlencode(FIELDS).encode()) | st.binary(max_size=300),
    source=st.one_of(st.just("bytes"), INPUTS),
    error=ERRORS,
)
def test_any_request_gets_an_answer(
    confirming: bool,
    method: str,
    length: str | None,
    headers: dict[str, str],
    body: bytes,
    source: str,
    error: BaseException,
) -> None:
    """Any method, headers, declared length, body and ``wsgi.input`` behaviour
    (reads in pieces, ends short, raises, gives text, is missing), for the plain and
    the confirming app: a 200, 400, 405 or 413 (or a 503 from the confirming app's
    pacing) with a body of the length it declares; never an exception for the server
    to answer with a 500."""
    environ: dict[str, Any] = {**headers, "REQUEST_METHOD": method}
    if length is not None:
        environ["CONTENT_LENGTH"] = str(len(body)) if length == "its own" else length
    inputs: dict[str, Any] = {
        "bytes": io.BytesIO(body),
        "pieces": Trickling(body, 5),
        "short": io.BytesIO(body[: len(body) // 2]),
        "failing": Failing(error),
        "text": Wrong(),
    }
    if source in inputs:
        environ["wsgi.input"] = inputs[source]
    recorder = Recorder()
    app = (
        callback_app(
            list[object]().append,
            confirm_with=IN_MEMORY,
            known_receipt=lambda receipt: receipt == RECEIPT,
        )
        if confirming
        else callback_app(list[object]().append)
    )
    answer = b"".join(app(environ, recorder))
    event(f"{'confirming' if confirming else 'plain'} {recorder.status[:3]}")
    assert recorder.status[:3] in ("200", "400", "405", "413", "503"), recorder.status
    assert dict(recorder.headers)["Content-Length"] == str(len(answer))
    assert answer.endswith(b"\n") and answer.count(b"\n") == 1
