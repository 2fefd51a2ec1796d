"""The command line as a newcomer meets it (issue 36): options before the command,
help for every command and argument, both missing settings named at once, the size of
an oversized attachment, a URL without a scheme refused, Ctrl-C's exit code, and a
retry said out loud."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from chump_typed.cli import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    main,
)
from chump_typed.cli._parser import build_parser
from chump_typed.models import ATTACHMENT_MAX
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve

GLOBAL_OPTIONS = ("--base-url", "--config", "--timeout", "--retries", "--json")


@pytest.fixture
def served() -> Iterator[tuple[FakePushover, str]]:
    fake = FakePushover()
    with serve(fake) as base_url:
        yield fake, base_url


def _run(
    *argv: str, environ: dict[str, str], stdin: io.StringIO | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        environ=environ,
        stdin=stdin or io.StringIO(""),
        stdout=out,
        stderr=err,
        sleep=lambda _seconds: None,
    )
    return code, out.getvalue(), err.getvalue()


def _environ(home: Path, **more: str) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(home), "HOME": str(home), **more}


# -- (b) the options of every command, before it too ------------------------------------


def test_global_options_work_before_the_command(
    served: tuple[FakePushover, str], tmp_path: Path
) -> None:
    _fake, base_url = served
    environ = _environ(tmp_path, PUSHOVER_TOKEN=APP_TOKEN)

    code, out, err = _run(
        "--json", "--base-url", base_url, "--retries", "0", "limits", environ=environ
    )

    assert (code, err) == (EXIT_OK, "")
    assert "remaining" in json.loads(out)


def test_an_option_after_the_command_wins_over_one_before(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["--timeout", "5", "--retries", "1", "limits", "--timeout", "7"]
    )
    assert (args.timeout, args.retries, args.json) == (7.0, 1, False)
    # Given nowhere: the defaults, whichever command.
    for command in ("limits", "demo", "login"):
        args = build_parser().parse_args([command])
        assert (args.timeout, args.retries, args.json) == (30.0, 3, False)
        assert (args.base_url, args.config) == (None, None)


def test_the_top_level_help_lists_the_global_options_and_exit_code_130(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == EXIT_OK
    text = " ".join(capsys.readouterr().out.split())
    for option in GLOBAL_OPTIONS:
        assert option in text
    assert "130 interrupted (Ctrl-C)" in text


# -- (c) every command and argument described ----------------------------------------------


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser (argparse keeps them in its private lists)."""
    parser = build_parser()
    for action in parser._actions:  # pyright: ignore[reportPrivateUsage]
        choices: object = action.choices
        if isinstance(choices, dict):
            return cast("dict[str, argparse.ArgumentParser]", choices)
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_has_a_description_and_every_argument_help(
    command: str,
) -> None:
    parser = _commands()[command]
    assert parser.description, f"{command} has no description"
    for action in parser._actions:  # pyright: ignore[reportPrivateUsage]
        assert action.help, f"{command}: {action.dest} has no help"


# -- (f) both missing settings at once ---------------------------------------------------


@pytest.mark.parametrize("command", ["send", "validate"])
def test_a_missing_token_and_user_are_reported_together(
    tmp_path: Path, command: str
) -> None:
    code, _out, err = _run(
        command, "hi" if command == "send" else "--json", environ=_environ(tmp_path)
    )

    assert code == EXIT_USAGE
    assert "no application token and no user key" in err
    assert "PUSHOVER_TOKEN and PUSHOVER_USER" in err


def test_one_missing_setting_is_reported_alone(tmp_path: Path) -> None:
    code, _out, err = _run(
        "send", "hi", environ=_environ(tmp_path, PUSHOVER_USER=USER_KEY)
    )
    assert code == EXIT_USAGE
    assert "no application token:" in err
    assert "user key" not in err


# -- (d) an oversized attachment's size ----------------------------------------------------


def test_an_oversized_attachment_gives_its_size_and_the_bound(
    served: tuple[FakePushover, str], tmp_path: Path
) -> None:
    fake, base_url = served
    image = tmp_path / "graph.png"
    with image.open("wb") as file:
        file.truncate(10 * 2**20)  # sparse: 10 MiB without writing them
    environ = _environ(tmp_path, PUSHOVER_TOKEN=APP_TOKEN, PUSHOVER_USER=USER_KEY)

    code, _out, err = _run(
        "send",
        "--base-url",
        base_url,
        "--attachment",
        str(image),
        "hi",
        environ=environ,
    )

    assert code == EXIT_USAGE
    assert "is 10,485,760 bytes;" in err
    assert f"at most {ATTACHMENT_MAX:,} bytes (5 MiB)" in err
    assert not fake.messages


# -- (e) a URL without a scheme ----------------------------------------------------------


def test_a_url_without_a_scheme_is_refused(
    served: tuple[FakePushover, str], tmp_path: Path
) -> None:
    fake, base_url = served
    environ = _environ(tmp_path, PUSHOVER_TOKEN=APP_TOKEN, PUSHOVER_USER=USER_KEY)

    code, _out, err = _run(
        "send",
        "--base-url",
        base_url,
        "--url",
        "ci.example.org/1234",
        "hi",
        environ=environ,
    )

    assert code == EXIT_USAGE
    assert "error: url: must start with its scheme" in err
    assert "ci.example.org" not in err  # the URL may be a secret (e2ee): not quoted
    assert not fake.messages


# -- (g) Ctrl-C ------------------------------------------------------------------------------


class _Interrupted(io.StringIO):
    def read(self, size: int | None = -1) -> str:
        raise KeyboardInterrupt

    def isatty(self) -> bool:
        return False


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    environ = _environ(tmp_path, PUSHOVER_TOKEN=APP_TOKEN, PUSHOVER_USER=USER_KEY)
    code, _out, err = _run("send", environ=environ, stdin=_Interrupted())

    assert code == EXIT_INTERRUPTED == 130
    assert err == "chump-typed: interrupted\n"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_the_process_exits_130_on_sigint(tmp_path: Path) -> None:
    """The real process, interrupted while it waits for its message on standard input
    (a pipe left open): it has said its warning about --token by then."""
    env = {**os.environ, **_environ(tmp_path, PUSHOVER_USER=USER_KEY)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chump_typed", "send", "--token", APP_TOKEN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stderr is not None
        assert b"warning: --token" in process.stderr.readline()  # past start-up
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert b"chump-typed: interrupted" in err


# -- (i) a retry said out loud, once -------------------------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_the_cli_says_a_retry_once_when_logging_is_not_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own line, and not the library's WARNING record a second time (Python
    prints a record on standard error when no handler is configured)."""
    last_resort = io.StringIO()
    monkeypatch.setattr(logging, "lastResort", logging.StreamHandler(last_resort))
    monkeypatch.setattr(logging.root, "handlers", [])  # as in a fresh process
    environ = _environ(tmp_path, PUSHOVER_TOKEN=APP_TOKEN, PUSHOVER_USER=USER_KEY)
    url = f"http://127.0.0.1:{_closed_port()}/1/"

    code, _out, err = _run(
        "send", "--base-url", url, "--retries", "1", "hi", environ=environ
    )

    assert code == EXIT_FAILURE
    assert err.count("retrying in 5 s") == 1
    assert last_resort.getvalue() == ""
    # main() leaves the library's logging as it found it.
    assert logging.getLogger("chump_typed.retry").handlers == []
