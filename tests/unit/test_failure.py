"""How every transport words a failed connection (chump_typed._failure)."""

from __future__ import annotations

import socket

import pytest

from chump_typed._failure import connect_problem, not_connected


class Wrapped(Exception):
    """A library's exception, holding the OS error as an HTTP library does."""

    def __init__(self, *args: object, os_error: BaseException | None = None) -> None:
        super().__init__(*args)
        self.os_error = os_error


def caused_by(cause: BaseException) -> Exception:
    try:
        raise Wrapped("failed") from cause
    except Wrapped as error:
        return error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (caused_by(ConnectionRefusedError(111, "refused")), "connection refused"),
        (Wrapped(os_error=ConnectionRefusedError()), "connection refused"),
        (Wrapped("x", ConnectionRefusedError()), "connection refused"),
        (
            caused_by(socket.gaierror(-2, "Name or service not known")),
            "host name not found",
        ),
        (caused_by(TimeoutError()), "timed out"),
        (Wrapped("nothing known"), None),
    ],
)
def test_the_reason_in_words(error: Exception, words: str | None) -> None:
    assert connect_problem(error) == words


def test_the_text_names_the_reason_then_the_library_kind() -> None:
    error = caused_by(ConnectionRefusedError())
    assert not_connected("could not connect for POST u", error) == (
        "could not connect for POST u: connection refused (Wrapped)"
    )
    assert not_connected("could not connect", Wrapped()) == "could not connect: Wrapped"


def test_a_cycle_in_the_chain_ends() -> None:
    first, second = Wrapped("a"), Wrapped("b")
    first.__context__, second.__context__ = second, first
    assert connect_problem(first) is None
