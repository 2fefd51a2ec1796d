"""``chump-typed listen``: one line (or JSON object) per message, through reconnects,
ended by Pushover's E with exit 3 and by Ctrl-C with exit 0."""

from __future__ import annotations

import io
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import Client, Notification
from chump_typed.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, main
from chump_typed.cli._interrupt import ctrl_c_closes
from chump_typed.cli._run import terminal_safe
from chump_typed.testing import APP_TOKEN, FakePushover, serve

EMAIL, PASSWORD = "me@example.com", "hunter2-hunter2"
GUARD = 60.0


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover(push_keepalive=0.2)


@pytest.fixture
def url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as base_url:
        yield base_url


@pytest.fixture
def user(fake: FakePushover, url: str, tmp_path: Path) -> str:
    """An account, logged in with ``chump-typed login`` (its session in tmp_path)."""
    key = fake.add_account(EMAIL, PASSWORD)
    code = main(
        ["login", "--base-url", url, "--email", EMAIL, "--device-name", "desk"],
        environ={"XDG_CONFIG_HOME": str(tmp_path)},
        stdin=io.StringIO(PASSWORD + "\n"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert code == EXIT_OK
    return key


class Running:
    """``main(["listen", ...])`` in a thread, its output kept."""

    def __init__(self, argv: list[str], home: Path) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.code: int | None = None
        self._thread = threading.Thread(
            target=self._run, args=(argv, home), daemon=True
        )
        self._thread.start()

    def _run(self, argv: list[str], home: Path) -> None:
        self.code = main(
            argv,
            environ={"XDG_CONFIG_HOME": str(home)},
            stdout=self.out,
            stderr=self.err,
        )

    def lines(self, count: int) -> list[str]:
        event = threading.Event()
        for _ in range(int(GUARD / 0.01)):
            lines = self.out.getvalue().splitlines()
            if len(lines) >= count:
                return lines
            event.wait(0.01)
        raise AssertionError(f"listen printed {self.out.getvalue()!r}")

    def ended(self) -> int:
        self._thread.join(GUARD)
        assert self.code is not None, "listen did not end"
        return self.code


def listen_argv(fake: FakePushover, url: str, *extra: str) -> list[str]:
    return ["listen", "--base-url", url, "--push-url", fake.push_url, *extra]


def wait_for(condition: object) -> None:
    event = threading.Event()
    for _ in range(int(GUARD / 0.01)):
        if callable(condition) and condition():
            return
        event.wait(0.01)
    raise AssertionError("never")


def test_listen_prints_each_message_and_ends_on_e(
    fake: FakePushover, url: str, user: str, tmp_path: Path
) -> None:
    running = Running(listen_argv(fake, url), tmp_path)
    wait_for(lambda: fake.push_connections == 1)
    with Client(APP_TOKEN, base_url=url) as sender:
        sender.send(Notification(user=user, message="first", title="Backup"))
        fake.drop_push()  # it survives a drop
        sender.send(Notification(user=user, message="second"))
    lines = running.lines(2)
    assert lines[0].endswith("Backup: first") and lines[1].endswith(" second")
    wait_for(lambda: fake.push_connections == 1)

    fake.push("E")

    assert running.ended() == EXIT_REJECTED
    assert "log in again" in running.err.getvalue()


def test_listen_json_lines(
    fake: FakePushover, url: str, user: str, tmp_path: Path
) -> None:
    running = Running(listen_argv(fake, url, "--json"), tmp_path)
    wait_for(lambda: fake.push_connections == 1)
    with Client(APP_TOKEN, base_url=url) as sender:
        sender.send(Notification(user=user, message="as json"))
    (line,) = running.lines(1)
    shown = json.loads(line)
    assert shown["message"] == "as json" and shown["priority"] == 0
    assert isinstance(shown["id"], int)
    fake.push("A")
    assert running.ended() == EXIT_REJECTED
    assert "elsewhere" in running.err.getvalue()


#: What a sender may write that would drive a terminal, and how listen shows it.
#: (Pushover refuses the other C0 controls, ESC and BEL among them: the pure test
#: below covers those.)
HOSTILE_TEXT: Final = "a\tb\rforged\nline\x7f\x9b31m\u202eevil\u2066\u2028end"
SHOWN: Final = "a\\tb\\rforged\\nline\\x7f\\x9b31m\\u202eevil\\u2066\\u2028end"


@pytest.mark.parametrize("as_json", [False, True])
def test_listen_shows_a_senders_control_characters_escaped(
    fake: FakePushover, url: str, user: str, tmp_path: Path, as_json: bool
) -> None:
    """Escape sequences, BEL, CR, LF, DEL, C1 controls, bidi overrides and line
    separators cannot retitle or clear the terminal, nor forge a line; --json stays
    exact."""
    running = Running(
        listen_argv(fake, url, *(["--json"] if as_json else [])), tmp_path
    )
    wait_for(lambda: fake.push_connections == 1)
    with Client(APP_TOKEN, base_url=url) as sender:
        sender.send(Notification(user=user, message=HOSTILE_TEXT, title="t\u202eitle"))
    (line,) = running.lines(1)
    fake.push("E")
    assert running.ended() == EXIT_REJECTED
    if as_json:
        shown = json.loads(line)
        assert (shown["message"], shown["title"]) == (HOSTILE_TEXT, "t\u202eitle")
    else:
        assert line.endswith(f"t\\u202eitle: {SHOWN}")
        assert running.out.getvalue().count("\n") == 1


@given(st.text())
def test_terminal_safe_leaves_no_control_and_one_line(text: str) -> None:
    shown = terminal_safe(text)
    assert not any(
        unicodedata.category(c) in ("Cc", "Zl", "Zp")
        or 0x202A <= ord(c) <= 0x202E
        or 0x2066 <= ord(c) <= 0x2069
        for c in shown
    )
    assert len(shown.splitlines()) <= 1
    assert terminal_safe(shown) == shown


def test_listen_without_a_session_says_to_log_in(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(
        ["listen"],
        environ={"XDG_CONFIG_HOME": str(tmp_path)},
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == EXIT_USAGE
    assert "run chump-typed login first" in err.getvalue()


def test_a_damaged_session_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "chump-typed" / "session.json"
    path.parent.mkdir()
    path.write_text('{"secret": 3}', encoding="utf-8")
    err = io.StringIO()
    code = main(
        ["listen"],
        environ={"XDG_CONFIG_HOME": str(tmp_path)},
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == EXIT_USAGE and "login again" in err.getvalue()


def test_ctrl_c_stops_listen_cleanly(
    fake: FakePushover, url: str, user: str, tmp_path: Path
) -> None:
    environ = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path),
        "PUSHOVER_BASE_URL": url,
        "PUSHOVER_PUSH_URL": fake.push_url,
    }
    # The with block closes the pipes whatever happens (a failure leaves no open
    # file for a later test's garbage collection to report).
    with subprocess.Popen(
        [sys.executable, "-m", "chump_typed", "listen"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            wait_for(lambda: fake.push_connections == 1)
            with Client(APP_TOKEN, base_url=url) as sender:
                sender.send(Notification(user=user, message="before ctrl-c"))
            assert process.stdout is not None
            with selectors.DefaultSelector() as selector:
                selector.register(process.stdout, selectors.EVENT_READ)
                assert selector.select(GUARD), "listen printed nothing"
            assert process.stdout.readline().rstrip().endswith("before ctrl-c")
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=GUARD)
        finally:
            process.kill()
    assert process.returncode == EXIT_OK, err
    assert err.strip() == "stopped"


class TestCtrlC:
    """The first Ctrl-C closes the stream from another thread; the second interrupts."""

    def test_the_first_closes_from_another_thread_the_second_interrupts(
        self,
    ) -> None:
        closed_in: list[threading.Thread] = []
        before = signal.getsignal(signal.SIGINT)
        with ctrl_c_closes(lambda: closed_in.append(threading.current_thread())) as c:
            pressed_before = c.pressed
            signal.raise_signal(signal.SIGINT)  # no KeyboardInterrupt here
            assert (pressed_before, c.pressed) == (False, True)
            assert c.closing is not None
            c.closing.join(GUARD)
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(signal.SIGINT)
        assert closed_in and closed_in[0] is not threading.main_thread()
        assert signal.getsignal(signal.SIGINT) is before  # restored

    def test_outside_the_main_thread_nothing_is_installed(self) -> None:
        seen: list[object] = []

        def body() -> None:
            with ctrl_c_closes(lambda: None) as c:
                seen.append(c.pressed)

        before = signal.getsignal(signal.SIGINT)
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(GUARD)
        assert seen == [False]
        assert signal.getsignal(signal.SIGINT) is before
