"""The library's side of issue 36's frictions: a URL must start with its scheme (every
entry point), an oversized attachment's error gives its size and the bound, the facade
names a bad user key ``user``, and a pending retry is a WARNING record."""

from __future__ import annotations

import io
import logging
import re
import socket
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import (
    Application,
    Attachment,
    Client,
    Notification,
    TransportError,
    Urllib3Transport,
    ValidationError,
)
from chump_typed.models import ATTACHMENT_MAX, URL_MAX
from chump_typed.testing import APP_TOKEN, USER_KEY, FakeTransport
from tests.strategies import text

_SCHEME_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-"
)


def _has_scheme(url: str) -> bool:
    """RFC 3986 §3.1, written out: letters first, then letters, digits, + . -, then
    a colon."""
    scheme, colon, _rest = url.partition(":")
    return (
        bool(colon)
        and bool(scheme)
        and scheme[0].isascii()
        and scheme[0].isalpha()
        and set(scheme) <= _SCHEME_CHARACTERS
    )


_URLISH = st.one_of(
    text(URL_MAX),
    st.builds(
        "{}{}{}".format,
        st.text("ab1+.-:/", max_size=6),
        st.sampled_from(["", ":", "://"]),
        text(40),
    ),
)


@given(url=_URLISH)
def test_a_url_is_accepted_exactly_when_it_starts_with_its_scheme(url: str) -> None:
    if url == "" or _has_scheme(url):
        assert Notification(user=USER_KEY, message="m", url=url).url == url
    else:
        with pytest.raises(ValidationError) as error:
            Notification(user=USER_KEY, message="m", url=url)
        assert error.value.field == "url"
        assert "must start with its scheme" in str(error.value)


@pytest.mark.parametrize(
    "url", ["https://example.com/x", "twitter://post?id=1", "mailto:a@example.com"]
)
def test_urls_with_a_scheme_are_sent(url: str) -> None:
    assert Notification(user=USER_KEY, message="m", url=url).url == url


def test_the_facade_refuses_a_url_without_a_scheme_too() -> None:
    app = Application(APP_TOKEN, transport=FakeTransport())
    with pytest.raises(ValidationError) as error:
        app.get_user(USER_KEY).create_message("m", url="example.com/x")
    assert error.value.field == "url"


def test_the_facade_names_a_bad_user_key_user() -> None:
    app = Application(APP_TOKEN, transport=FakeTransport())
    with pytest.raises(ValidationError) as error:
        app.get_user("not a key")
    assert error.value.field == "user"
    assert str(error.value).startswith("user: must be exactly 30")


# -- An oversized attachment --------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(min_value=ATTACHMENT_MAX - 3, max_value=ATTACHMENT_MAX + 3)
    | st.integers(min_value=ATTACHMENT_MAX, max_value=4 * ATTACHMENT_MAX)
)
def test_a_file_is_refused_exactly_over_the_bound_with_its_size(size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "image.png"
        with path.open("wb") as file:
            file.truncate(size)  # sparse: no bytes written
        if size <= ATTACHMENT_MAX:
            assert len(Attachment.from_path(path).data) == size
            return
        with pytest.raises(ValidationError) as error:
            Attachment.from_path(path)
        with path.open("rb") as file, pytest.raises(ValidationError) as from_file:
            Attachment.from_file(file)
    for refused in (error.value, from_file.value):
        assert refused.field == "attachment"
        assert f"is {size:,} bytes; at most {ATTACHMENT_MAX:,} bytes (5 MiB)" in str(
            refused
        )


def test_a_stream_of_unknown_size_says_it_is_larger_than_the_bound() -> None:
    stream = io.BytesIO(bytes(ATTACHMENT_MAX + 10))  # not a file: no size to ask
    with pytest.raises(ValidationError) as error:
        Attachment.from_file(stream, filename="x.png")
    assert f"larger than {ATTACHMENT_MAX:,} bytes (5 MiB)" in str(error.value)


# -- A pending retry is a WARNING record ---------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_refused_connection_logs_a_warning_for_each_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "chump_typed")
    waits: list[float] = []
    transport = Urllib3Transport(retries=2, sleep=waits.append)
    url = f"http://127.0.0.1:{_closed_port()}/1/"
    with (
        Client(APP_TOKEN, base_url=url, transport=transport) as client,
        pytest.raises(TransportError),
    ):
        client.send(Notification(user=USER_KEY, message="m"))

    records = [r for r in caplog.records if r.name == "chump_typed.retry"]
    assert [r.levelno for r in records] == [logging.WARNING] * 2
    assert waits == [5.0, 10.0]
    first, second = (r.getMessage() for r in records)
    assert re.search(r"connection refused .*retrying in 5 s \(attempt 2\)$", first)
    assert second.endswith("retrying in 10 s (attempt 3)")
    for record in records:  # no secret in the record
        assert APP_TOKEN not in record.getMessage()
        assert USER_KEY not in record.getMessage()
