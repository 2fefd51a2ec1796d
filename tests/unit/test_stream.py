"""The realtime stream's rules without I/O: frames, the delivery point, the waits
before reconnecting, the proxy decision and the redaction of the login line."""

from __future__ import annotations

import itertools
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import LoggedInElsewhereError, PushRejectedError, Urllib3Transport
from chump_typed._logfilter import RedactRecords
from chump_typed.receive import ReceivedMessage
from chump_typed.receive._stream import (
    LONGEST_WAIT,
    Action,
    Progress,
    actions,
    login_line,
    proxy_for,
    reconnect_waits,
    step,
)


@given(st.text("#!RAE \n", max_size=8))
def test_a_frame_reads_the_same_as_text_or_bytes(frame: str) -> None:
    assert actions(frame.encode()) == actions(frame)
    assert len(actions(frame)) == len(frame.replace(" ", "").replace("\n", ""))


@given(st.text("#!", max_size=6))
def test_keep_alives_and_syncs(frame: str) -> None:
    expected = Action.SYNC if "!" in frame else Action.KEEP_ALIVE
    assert step(frame) is expected


def test_the_first_frame_after_the_login_means_download() -> None:
    # The login is not answered: its first frame is the sign it was taken.
    assert step("#", first=True) is Action.SYNC
    assert step("#") is Action.KEEP_ALIVE
    assert step("R", first=True) is Action.RECONNECT


@given(st.text("#!R", max_size=6).map(lambda t: t + "R"))
def test_r_means_reconnect_whatever_else_the_frame_holds(frame: str) -> None:
    assert step(frame) is Action.RECONNECT
    assert step(frame.encode()) is Action.RECONNECT


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("E", PushRejectedError),
        ("A", LoggedInElsewhereError),
        (b"!E", PushRejectedError),
    ],
)
def test_e_and_a_are_final(frame: str | bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        step(frame)


@given(st.floats(min_value=0, max_value=100), st.integers(min_value=1, max_value=40))
def test_waits_grow_and_stay_within_the_longest(first: float, count: int) -> None:
    waits = reconnect_waits(first)
    seen = [next(waits) for _ in range(count)]
    assert seen[0] == first
    assert all(
        later >= earlier or later == LONGEST_WAIT
        for earlier, later in itertools.pairwise(seen)
    )
    assert all(wait <= max(first, LONGEST_WAIT) for wait in seen)


def message(number: int) -> ReceivedMessage:
    return ReceivedMessage(id=number, message=f"m{number}")


@given(
    st.lists(st.lists(st.integers(min_value=1, max_value=50), max_size=8), max_size=6)
)
def test_no_message_is_yielded_twice_or_out_of_order(
    downloads: list[list[int]],
) -> None:
    progress, yielded = Progress(), list[int]()
    for downloaded in downloads:
        for fresh in progress.fresh(message(n) for n in downloaded):
            progress.give(fresh)
            yielded.append(fresh.id)
            progress.took(fresh)
    assert yielded == sorted(set(yielded))


def test_only_what_was_taken_is_deleted() -> None:
    progress = Progress()
    first, second = message(1), message(2)
    assert progress.to_delete() is None
    progress.give(first)
    assert progress.to_delete() is None  # yielded, not taken
    progress.took(first)
    progress.give(second)
    assert progress.to_delete() == 1
    progress.deleted_through(1)
    assert progress.to_delete() is None  # nothing new to delete


def test_the_login_line() -> None:
    assert login_line("dev", "s3cret") == "login:dev:s3cret\n"


def test_the_login_line_is_redacted_in_records() -> None:
    record = logging.LogRecord(
        "websockets",
        logging.DEBUG,
        __file__,
        1,
        "> TEXT %r [%d bytes]",
        ("login:dev1:aSecretValue\n", 23),
        None,
    )
    assert RedactRecords().filter(record)
    assert "aSecretValue" not in record.getMessage()
    assert "login:<redacted>" in record.getMessage()


def test_the_stream_takes_the_transports_proxy_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    push = "wss://client.pushover.net/push"
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_for(push, Urllib3Transport()) is None
    chosen = Urllib3Transport(proxy="http://me:p%40ss@proxy.example:3128")
    assert proxy_for(push, chosen) == "http://me:p%40ss@proxy.example:3128"
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy.example:8080")
    assert proxy_for(push, Urllib3Transport()) == "http://env-proxy.example:8080"
    assert proxy_for(push, Urllib3Transport(trust_env=False)) is None
    assert proxy_for("ws://127.0.0.1:9/push", Urllib3Transport()) is None  # loopback
