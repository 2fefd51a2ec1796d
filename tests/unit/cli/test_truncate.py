"""``chump-typed send --truncate`` reads no more of standard input than it sends: to the
end of the input, or until more than 1,024 characters have arrived, so an endless pipe
(``tail -f log | chump-typed send --truncate``) sends its first characters and exits."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Final

from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed.cli import EXIT_OK, EXIT_USAGE, main
from chump_typed.models.messages import (
    MESSAGE_MAX,
    TRUNCATION_MARKER,
    truncate_message,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve

#: How long the subprocess may take: generous, never reached unless it hangs.
GUARD: Final = 120.0


def expected(text: str) -> str:
    """What the whole of *text* on standard input is sent as (the rule before the
    input was read lazily): one line ending dropped, then cut to the limit."""
    return truncate_message(text.removesuffix("\n").removesuffix("\r"))


class Trickle(io.StringIO):
    """Standard input that hands out *text* in pieces of the sizes given (any read
    returns at most one piece), and then, if *endless*, ``x`` for ever; it counts
    what was taken."""

    def __init__(self, text: str, pieces: list[int], *, endless: bool) -> None:
        super().__init__()
        self.text, self.pieces, self.endless = text, list(pieces), endless
        self.taken = 0

    def isatty(self) -> bool:
        return False

    def read(self, size: int | None = -1) -> str:
        assert size is not None and size > 0, "the whole input was asked for"
        piece = min(size, self.pieces.pop(0) if self.pieces else size)
        chunk = self.text[self.taken : self.taken + piece]
        if len(chunk) < piece and self.endless:
            chunk += "x" * (piece - len(chunk))
        self.taken += len(chunk)
        return chunk


def test_an_endless_pipe_sends_its_first_characters_and_exits(tmp_path: Path) -> None:
    """A real process on a pipe that is never closed: it sends and exits 0."""
    fake = FakePushover()
    lines = "".join(f"log line {n:04d}: something happened\n" for n in range(60))
    assert len(lines) > MESSAGE_MAX + 100
    with serve(fake) as base_url:
        environ = {
            **os.environ,
            "PUSHOVER_TOKEN": APP_TOKEN,
            "PUSHOVER_USER": USER_KEY,
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        argv = ["send", "--truncate", "--base-url", base_url, "--retries", "0"]
        with subprocess.Popen(
            [sys.executable, "-m", "chump_typed", *argv],
            env=environ,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stdin is not None and process.stdout is not None
            try:
                # Two writes, as a log grows; the pipe stays open (no EOF ever).
                process.stdin.write(lines[:700])
                process.stdin.flush()
                process.stdin.write(lines[700:])
                process.stdin.flush()
                code = process.wait(timeout=GUARD)
                out = process.stdout.read()
                assert process.stderr is not None
                err = process.stderr.read()
            finally:
                process.kill()
                process.stdin.close()
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith("sent (request ")
    [sent] = fake.messages
    assert sent.message == lines[: MESSAGE_MAX - len(TRUNCATION_MARKER)] + (
        TRUNCATION_MARKER
    )
    assert len(sent.message) == MESSAGE_MAX


def _near_the_limit(size: int, end: str) -> str:
    return "y" * size + end


TEXT: Final = st.builds(
    "a".__add__,
    st.text(
        st.sampled_from("b \n\r…🔔") | st.characters(categories=["L", "N", "P"]),
        max_size=MESSAGE_MAX + 40,
    ),
) | st.builds(
    _near_the_limit,
    st.integers(MESSAGE_MAX - 3, MESSAGE_MAX + 3),
    st.sampled_from(["", "\n", "\r", "\r\n", "\n\n", "\r\n\r\n"]),
)


def test_what_is_read_and_sent() -> None:
    """For any input and any way the pipe splits it: the message sent is the one
    reading all of it gave (one line ending dropped, cut and marked past 1,024), and
    no more than three characters past 1,024 are read, whatever follows."""
    fake = FakePushover()
    environ = {"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY}
    with serve(fake) as base_url:
        argv = ["send", "--truncate", "--base-url", base_url, "--retries", "0"]

        @settings(max_examples=60, deadline=None)  # one served fake, reset per example
        @given(
            text=TEXT,
            pieces=st.lists(st.integers(1, 1100), max_size=6),
            endless=st.booleans(),
        )
        def check(text: str, pieces: list[int], endless: bool) -> None:
            fake.reset()
            stdin = Trickle(text, pieces, endless=endless)
            code = main(argv, environ=environ, stdin=stdin, stdout=io.StringIO())
            message = expected(text + ("x" * 2000 if endless else ""))
            assert code == EXIT_OK
            [sent] = fake.messages
            assert sent.message == message
            assert stdin.taken <= MESSAGE_MAX + 3

        check()


def test_without_truncate_an_endless_pipe_is_refused_without_reading_on() -> None:
    fake = FakePushover()
    environ = {"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY}
    stdin = Trickle("", [], endless=True)
    err = io.StringIO()
    with serve(fake) as base_url:
        argv = ["send", "--base-url", base_url, "--retries", "0"]
        assert main(argv, environ=environ, stdin=stdin, stderr=err) == EXIT_USAGE
    assert "at most 1024 characters, got more than 1024" in err.getvalue()
    assert "--truncate" in err.getvalue()
    assert stdin.taken == MESSAGE_MAX + 1
    assert fake.requests == ()


def test_exactly_1024_and_a_line_ending_is_whole() -> None:
    """The 1,025th character is a line ending: one more is read to know whether the
    input ends there (1,024 characters, sent whole) or goes on (cut)."""
    fake = FakePushover()
    environ = {"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY}
    with serve(fake) as base_url:
        argv = ["send", "--truncate", "--base-url", base_url, "--retries", "0"]
        text = "z" * MESSAGE_MAX + "\r\n"
        assert main(argv, environ=environ, stdin=io.StringIO(text)) == EXIT_OK
    assert [m.message for m in fake.messages] == ["z" * MESSAGE_MAX]
