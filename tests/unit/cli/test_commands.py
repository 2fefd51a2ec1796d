"""The ``chump-typed`` command line, run in process against the loopback fake."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import __version__
from chump_typed.cli import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_QUOTA,
    EXIT_REJECTED,
    EXIT_USAGE,
    MIN_POLL_INTERVAL,
    main,
)
from chump_typed.cli._config import ConfigError, default_config_path, load_config
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Fault, serve
from tests.fresh import printed_by

OTHER_KEY = "x" * 30


class _TTY(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


WARNING: Final = "chump-typed: warning: "


def warnings_apart(err: str) -> tuple[list[str], str]:
    """The warning lines of *err*, and the rest of it."""
    lines = err.splitlines(keepends=True)
    warnings = [line.rstrip("\n") for line in lines if line.startswith(WARNING)]
    return warnings, "".join(line for line in lines if not line.startswith(WARNING))


class CLI:
    """Runs ``main()`` against one served fake and keeps what it wrote."""

    def __init__(self, fake: FakePushover, base_url: str, home: Path) -> None:
        self.fake = fake
        self.base_url = base_url
        self.environ: dict[str, str] = {
            "PUSHOVER_TOKEN": APP_TOKEN,
            "PUSHOVER_USER": USER_KEY,
            "XDG_CONFIG_HOME": str(home),
            "HOME": str(home),  # ~/.pushoverrc is read from here, never the real one
        }
        self.out = ""
        self.err = ""
        #: The warning lines of the last run (kept out of ``err``).
        self.warnings: list[str] = []
        self.sleeps: list[float] = []

    def __call__(
        self,
        *argv: str,
        stdin: str | io.StringIO = "",
        stderr: io.StringIO | None = None,
        environ: Mapping[str, str] | None = None,
        on_sleep: object = None,
    ) -> int:
        out, err = io.StringIO(), stderr or io.StringIO()
        instream = io.StringIO(stdin) if isinstance(stdin, str) else stdin

        def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            if callable(on_sleep):
                on_sleep()

        needs_url = argv and argv[0] not in ("demo", "--help", "--version")
        full = (
            [*argv, "--base-url", self.base_url, "--retries", "0"]
            if needs_url
            else list(argv)
        )
        code = main(
            full,
            environ=self.environ if environ is None else environ,
            stdin=instream,
            stdout=out,
            stderr=err,
            sleep=sleep,
        )
        self.out = out.getvalue()
        self.warnings, self.err = warnings_apart(err.getvalue())
        return code

    def json(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.out)
        return data


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[CLI]:
    fake = FakePushover()
    with serve(fake) as base_url:
        yield CLI(fake, base_url, tmp_path)


# -- send ------------------------------------------------------------------------------


def test_send_passes_every_message_option(cli: CLI) -> None:
    code = cli(
        "send",
        "Disk almost full",
        "--title=Server",
        "--url=https://example.com/disk",
        "--url-title=Dashboard",
        "--device=iphone",
        "--device=droid2",
        "--priority=high",
        "--sound=siren",
        "--timestamp=2026-01-02T03:04:05Z",
        "--ttl=60",
        "--monospace",
    )
    assert (code, cli.err) == (EXIT_OK, "")
    [sent] = cli.fake.messages
    assert sent.message == "Disk almost full"
    assert {k: v for k, v in sent.params.items() if k not in ("token", "user")} == {
        "message": "Disk almost full",
        "title": "Server",
        "url": "https://example.com/disk",
        "url_title": "Dashboard",
        "device": "iphone,droid2",
        "priority": "1",
        "sound": "siren",
        "timestamp": "1767323045",
        "ttl": "60",
        "monospace": "1",
    }
    assert cli.out.startswith(f"sent (request {sent.request})\n")
    assert "messages left this month" in cli.out


def test_send_emergency_prints_the_receipt_as_json(cli: CLI) -> None:
    code = cli(
        "send",
        "--json",
        "--priority=2",
        "--retry=30",
        "--expire=600",
        "--callback=https://example.com/ack",
        "--tags=db,disk",
        "--html",
        "<b>fire</b>",
    )
    assert code == EXIT_OK
    [sent] = cli.fake.messages
    result = cli.json()
    assert result["receipt"] == sent.receipt is not None
    assert result["request"] == sent.request
    assert sent.params["tags"] == "db,disk"
    assert sent.params["html"] == "1"
    assert sent.params["callback"] == "https://example.com/ack"


@pytest.mark.parametrize("argv", [("send",), ("send", "-")])
def test_send_reads_the_message_from_stdin(cli: CLI, argv: tuple[str, ...]) -> None:
    assert cli(*argv, stdin="two\nlines\n") == EXIT_OK
    assert [m.message for m in cli.fake.messages] == ["two\nlines"]


def test_send_without_a_message_on_a_terminal_is_bad_usage(cli: CLI) -> None:
    assert cli("send", stdin=_TTY()) == EXIT_USAGE
    assert "no message" in cli.err
    assert cli.fake.requests == ()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_send_with_an_attachment(cli: CLI, tmp_path: Path) -> None:
    image = tmp_path / "graph.png"
    image.write_bytes(PNG)
    assert cli("send", "--attachment", str(image), "see graph") == EXIT_OK, cli.err
    [sent] = cli.fake.messages
    assert sent.attachment is not None
    assert (sent.attachment.filename, sent.attachment.content_type) == (
        "graph.png",
        "image/png",
    )
    assert sent.attachment.data == PNG


def test_attachment_type_overrides_the_guess(cli: CLI, tmp_path: Path) -> None:
    image = tmp_path / "graph.data"
    image.write_bytes(PNG)
    code = cli("send", "--attachment", str(image), "--attachment-type=image/png", "x")
    assert code == EXIT_OK, cli.err
    [sent] = cli.fake.messages
    assert sent.attachment is not None
    assert sent.attachment.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "size", "problem"),
    [
        ("absent.png", None, "cannot read attachment file"),
        ("huge.png", 5_242_881, "is 5,242,881 bytes; at most 5,242,880 bytes (5 MiB)"),
        ("notes.unknowntype", 10, "cannot guess the content type"),
    ],
)
def test_a_bad_attachment_exits_2_and_sends_nothing(
    cli: CLI, tmp_path: Path, name: str, size: int | None, problem: str
) -> None:
    path = tmp_path / name
    if size is not None:
        path.write_bytes(b"\x89PNG" + b"\x00" * (size - 4))
    assert cli("send", "--attachment", str(path), "x") == EXIT_USAGE
    assert problem in cli.err
    assert cli.err.count("\n") == 1
    assert cli.fake.requests == ()


def test_attachment_type_alone_is_bad_usage(cli: CLI) -> None:
    assert cli("send", "--attachment-type=image/png", "x") == EXIT_USAGE
    assert "needs --attachment" in cli.err


# -- credentials -----------------------------------------------------------------------


def _write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_credentials_come_from_the_config_file_last(cli: CLI, tmp_path: Path) -> None:
    config = tmp_path / "chump-typed" / "config.toml"
    assert default_config_path(cli.environ) == config
    _write_config(
        config, f"# mine\ntoken = \"{APP_TOKEN}\"\nuser = '{USER_KEY}'  # me\n"
    )
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert cli("send", "from the file", environ=environ) == EXIT_OK
    # The environment beats the file, and a flag beats the environment.
    _write_config(config, f'token = "{OTHER_KEY}"\nuser = "{OTHER_KEY}"\n')
    assert cli("send", "from env", environ={**environ, **cli.environ}) == EXIT_OK
    assert (
        cli("send", "flag", "--token", APP_TOKEN, "--user", USER_KEY, environ=environ)
        == EXIT_OK
    )
    assert [m.message for m in cli.fake.messages] == [
        "from the file",
        "from env",
        "flag",
    ]


def test_base_url_from_the_config_file(cli: CLI, tmp_path: Path) -> None:
    config = _write_config(tmp_path / "c.toml", f'base_url = "{cli.base_url}"\n')
    code = main(
        ["limits", "--config", str(config)], environ=cli.environ, stdout=io.StringIO()
    )
    assert code == EXIT_OK
    assert [r.path for r in cli.fake.requests] == ["/1/apps/limits.json"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("token = 12\n", "token must be a string"),
        (f'tokn = "{APP_TOKEN}"\n', "unknown key 'tokn'"),
        (f'token = "{APP_TOKEN}\n', r"line 1"),
    ],
)
def test_a_bad_config_file_is_bad_usage_and_never_echoes_it(
    cli: CLI, tmp_path: Path, text: str, problem: str
) -> None:
    config = _write_config(tmp_path / "bad.toml", text)
    assert cli("sounds", "--config", str(config), environ={}) == EXIT_USAGE
    assert re.search(problem, cli.err)
    assert APP_TOKEN not in cli.err
    assert str(config) in cli.err


def test_config_directory_rules() -> None:
    home = Path.home()
    assert default_config_path({"XDG_CONFIG_HOME": "relative"}, "linux") == (
        home / ".config" / "chump-typed" / "config.toml"
    )
    assert default_config_path({"XDG_CONFIG_HOME": "/cfg"}, "linux") == Path(
        "/cfg/chump-typed/config.toml"
    )
    assert default_config_path({"APPDATA": "/appdata"}, "win32") == Path(
        "/appdata/chump-typed/config.toml"
    )


_VALUE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"),
    max_size=40,
)


@given(values=st.dictionaries(st.sampled_from(["token", "user", "base_url"]), _VALUE))
def test_any_string_values_are_read_back(
    tmp_path_factory: pytest.TempPathFactory, values: dict[str, str]
) -> None:
    """Any text, escaped as JSON escapes it (TOML's basic strings share the escapes),
    reads back unchanged."""
    text = "".join(
        f"{key} = {json.dumps(value, ensure_ascii=False)}\n"
        for key, value in values.items()
    )
    path = _write_config(tmp_path_factory.mktemp("config") / "config.toml", text)
    assert load_config(path) == values


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("token = 'a'  # literal, with a comment\n\n# more\n", None),
        ("[section]\n", "unknown key 'section'"),
        ('token = "a" "b"\n', r"\(at line 1, column \d+\)"),
        ("token = 1\n", "token must be a string"),
        ('user = "x"\nuser = "y"\n', r"\(at line 2, column \d+\)"),
        ('token = "\\q"\n', r"\(at line 1, column \d+\)"),
        ("a = " + "[" * 100_000 + "]" * 100_000, "nested too deeply|line 1"),
    ],
)
def test_a_config_file_is_read_by_tomllib_and_refused_with_a_config_error(
    tmp_path: Path, text: str, problem: str | None
) -> None:
    path = _write_config(tmp_path / "config.toml", text)
    if problem is None:
        assert load_config(path) == {"token": "a"}
        return
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ")
    assert re.search(problem, str(info.value))


# -- exit codes and error lines --------------------------------------------------------


def test_rejected_by_pushover_exits_3(cli: CLI) -> None:
    assert cli("send", "--user", OTHER_KEY, "hi") == EXIT_REJECTED
    assert cli.err.startswith("chump-typed: error: rejected by Pushover: ")


def test_quota_exhausted_exits_5(cli: CLI) -> None:
    cli.fake.inject(Fault.QUOTA_EXCEEDED)
    assert cli("send", "hi") == EXIT_QUOTA
    assert "quota is exhausted (resets " in cli.err


@pytest.mark.parametrize(
    "fault", [Fault.SERVER_ERROR_HTML, Fault.RESET_AFTER_READ, Fault.MALFORMED_JSON]
)
def test_server_and_network_failures_exit_4(cli: CLI, fault: Fault) -> None:
    cli.fake.inject(fault)
    assert cli("send", "hi") == EXIT_FAILURE
    assert cli.err.count("\n") == 1


def test_nothing_listening_exits_4(cli: CLI) -> None:
    with serve() as base_url:
        pass  # the port is free again once the server stops
    code = main(
        ["limits", "--base-url", base_url, "--retries", "0"],
        environ=cli.environ,
        stderr=(err := io.StringIO()),
    )
    assert code == EXIT_FAILURE
    assert "could not connect" in err.getvalue()


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (("send", "--frob", "hi"), "unrecognized arguments: --frob"),
        (("send", "x" * 1025), "message: at most 1024 characters, got 1025"),
        (("send", "--priority", "loud", "hi"), "expected one of lowest"),
        (("send", "--retry", "30", "hi"), "retry: is only allowed when priority"),
        (("send", "--html", "--monospace", "hi"), "not allowed with argument"),
        (("send", "--timestamp", "yesterday", "hi"), "ISO 8601"),
        (("send", "--timestamp", "2026-01-01T00:00", "hi"), "timezone-aware"),
        (("send", "--user", "shortkey", "hi"), "user: the key must be exactly 30"),
        (("receipt", "--wait", "--interval", "1", APP_TOKEN), "at least 5 seconds"),
        (("sounds", "--timeout", "0"), "--timeout: must be more than 0"),
        (("sounds", "--timeout", "nan"), "--timeout: must be more than 0"),
        (("receipt", "--wait", "--interval", "inf", APP_TOKEN), "at least 5 seconds"),
        (("validate", "--device", "bad device!"), "device names are 1 to 25"),
        (("cancel-tag", "a\nb"), "tag: must not contain control characters"),
        (("nope",), "invalid choice: 'nope'"),
        ((), "the following arguments are required: COMMAND"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    cli: CLI, argv: tuple[str, ...], problem: str
) -> None:
    assert cli(*argv) == EXIT_USAGE
    assert cli.err.count("\n") == 1
    assert cli.err.startswith("chump-typed: error: ")
    assert problem in cli.err
    assert cli.fake.messages == ()


@pytest.mark.parametrize(
    ("variable", "flag"), [("PUSHOVER_TOKEN", "--token"), ("PUSHOVER_USER", "--user")]
)
def test_a_missing_credential_is_named(cli: CLI, variable: str, flag: str) -> None:
    environ = {k: v for k, v in cli.environ.items() if k != variable}
    assert cli("send", "hi", environ=environ) == EXIT_USAGE
    assert flag in cli.err
    assert variable in cli.err


def test_an_unreadable_config_argument_is_bad_usage(cli: CLI, tmp_path: Path) -> None:
    assert cli("sounds", "--config", str(tmp_path / "absent.toml")) == EXIT_USAGE
    assert "no such file" in cli.err


@pytest.mark.parametrize(
    "fault", [None, Fault.BAD_REQUEST, Fault.QUOTA_EXCEEDED, Fault.UNAVAILABLE_JSON]
)
def test_errors_never_show_the_token_or_user_key(cli: CLI, fault: Fault | None) -> None:
    token = "s3cretTokenThatIsThirtyChars00"
    cli.fake.inject(fault)
    code = cli("send", "--token", token, "--user", OTHER_KEY, "hi")
    assert code in (EXIT_REJECTED, EXIT_QUOTA, EXIT_FAILURE)
    assert token not in cli.err
    assert OTHER_KEY not in cli.err
    assert "Traceback" not in cli.err
    assert cli.err.count("\n") == 1


# -- the other commands ----------------------------------------------------------------


def test_sounds(cli: CLI) -> None:
    assert cli("sounds") == EXIT_OK
    assert "siren         Siren\n" in cli.out
    names = {line.split()[0] for line in cli.out.splitlines()}
    assert cli("sounds", "--json") == EXIT_OK
    sounds = cast("dict[str, str]", cli.json()["sounds"])
    assert sounds["siren"] == "Siren"
    assert set(sounds) == names


def test_validate(cli: CLI) -> None:
    assert cli("validate") == EXIT_OK
    assert (
        cli.out
        == "valid user key; devices: iphone, droid2\nlicensed for: Android, iOS\n"
    )
    assert cli("validate", "--json", "--device", "droid2") == EXIT_OK
    assert cli.json()["devices"] == ["iphone", "droid2"]
    assert cli("validate", "--device", "ipad") == EXIT_REJECTED


def test_limits(cli: CLI) -> None:
    assert cli("limits", "--json") == EXIT_OK
    result = cli.json()
    assert (result["limit"], result["remaining"]) == (10_000, 10_000)
    assert isinstance(result["reset"], str)


def _emergency(cli: CLI, *extra: str) -> str:
    assert (
        cli("send", "fire", "-p", "emergency", "--retry=30", "--expire=600", *extra)
        == EXIT_OK
    ), cli.err
    receipt = cli.fake.messages[-1].receipt
    assert receipt is not None
    return receipt


def test_receipt_and_cancel(cli: CLI) -> None:
    receipt = _emergency(cli)
    assert cli("receipt", receipt) == EXIT_OK
    assert cli.out.startswith("not acknowledged yet; retries until ")
    assert cli("cancel", receipt) == EXIT_OK
    assert cli.out.startswith("cancelled (request ")
    assert cli.fake.receipt(receipt).canceled
    assert cli("receipt", "--json", receipt) == EXIT_OK
    assert "acknowledged_by" not in cli.json()  # a user key: never printed


def test_cancel_tag_counts(cli: CLI) -> None:
    _emergency(cli, "--tags=db")
    _emergency(cli, "--tags=db,disk")
    assert cli("cancel-tag", "db") == EXIT_OK
    assert cli.out.startswith("cancelled 2 message(s)")


def test_receipt_wait_polls_every_5_seconds_until_acknowledged(cli: CLI) -> None:
    receipt = _emergency(cli)

    def acknowledge_on_second_sleep() -> None:
        if len(cli.sleeps) == 2:
            cli.fake.acknowledge(receipt, device="iphone")

    progress = _TTY()
    code = cli(
        "receipt",
        "--wait",
        receipt,
        stderr=progress,
        on_sleep=acknowledge_on_second_sleep,
    )
    assert code == EXIT_OK
    assert cli.sleeps == [MIN_POLL_INTERVAL, MIN_POLL_INTERVAL]
    assert cli.out.startswith("acknowledged at ")
    assert "on iphone" in cli.out
    assert "waiting for acknowledgement: 5 s" in cli.err
    polls = [r for r in cli.fake.requests if r.path.startswith("/1/receipts/")]
    assert len(polls) == 3


def test_receipt_wait_ends_when_the_message_expires(cli: CLI) -> None:
    receipt = _emergency(cli)
    code = cli(
        "receipt",
        "--wait",
        "--json",
        "--interval=12",
        receipt,
        on_sleep=lambda: cli.fake.expire(receipt),
    )
    assert code == EXIT_OK
    assert cli.sleeps == [12.0]
    assert cli.json()["expired"] is True
    assert cli.err == ""  # not a terminal: no progress


# -- the program as a whole ------------------------------------------------------------


def test_demo(cli: CLI) -> None:
    assert cli("demo") == EXIT_OK
    assert "done: the fake recorded 2 messages" in cli.out


def test_help_and_version(cli: CLI, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--version") == EXIT_OK
    assert capsys.readouterr().out == f"chump-typed {__version__}\n"
    assert cli("--help") == EXIT_OK
    assert "Exit codes: 0 success" in capsys.readouterr().out


def test_a_send_loads_neither_the_metadata_nor_other_families() -> None:
    """Building the parser and sending leave ``importlib.metadata`` to ``--version``
    and the receiving and followups models to the commands that use them."""
    probe = (
        "import sys\n"
        "from chump_typed.cli._parser import build_parser\n"
        "from chump_typed.cli._run import could_work\n"
        "build_parser()\n"
        "could_work('token', 'x'); could_work('user', 'y')\n"
        "import chump_typed.cli._commands\n"
        "names = ('importlib.metadata', 'chump_typed.models.client_api',\n"
        "         'chump_typed.models.followups')\n"
        "print([name for name in names if name in sys.modules])\n"
    )
    assert printed_by(probe).strip() == "[]"


def test_python_dash_m_sends_end_to_end(cli: CLI) -> None:
    environ = {**os.environ, **cli.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "chump_typed", "send", "--base-url", cli.base_url],
        input="hello from a pipe\n",
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (EXIT_OK, "")
    assert [m.message for m in cli.fake.messages] == ["hello from a pipe"]


def test_every_option_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/cli.md names every subcommand and every option that ``--help`` lists."""
    page = (Path(__file__).resolve().parents[3] / "docs" / "cli.md").read_text(
        encoding="utf-8"
    )
    assert main(["--help"]) == EXIT_OK
    top = capsys.readouterr().out
    commands = re.findall(r"^    ([a-z][a-z-]*)\b", top, re.M)
    assert "send" in commands
    assert "demo" in commands
    undocumented = [
        option
        for option in sorted(set(re.findall(r"(--[a-z][a-z-]*)", top)) - {"--help"})
        if f"`{option}`" not in page
    ]
    for command in commands:
        assert main([command, "--help"]) == EXIT_OK
        options = set(re.findall(r"(--[a-z][a-z-]*)", capsys.readouterr().out))
        undocumented += [
            f"{command} {option}"
            for option in sorted(options - {"--help"})
            if f"`{option}`" not in page
        ]
        if f"`{command}`" not in page:
            undocumented.append(command)
    assert undocumented == []


# -- send --encrypt ----------------------------------------------------------------------

E2EE_HEX = "3c" * 32


def test_encrypt_reads_the_key_from_the_environment(cli: CLI) -> None:
    from chump_typed.e2ee import E2EEKey

    cli.fake.set_e2ee_key(USER_KEY, E2EEKey.from_hex(E2EE_HEX))
    environ = {**cli.environ, "PUSHOVER_E2EE_KEY": E2EE_HEX}

    assert cli("send", "--encrypt", "-t", "t", "private", environ=environ) == EXIT_OK

    [sent] = cli.fake.messages
    assert sent.encrypted and sent.message == "private"
    assert sent.params["message"] != "private"


def test_encrypt_reads_the_key_from_the_config_file(cli: CLI, tmp_path: Path) -> None:
    from chump_typed.e2ee import E2EEKey

    cli.fake.set_e2ee_key(USER_KEY, E2EEKey.from_hex(E2EE_HEX))
    _write_config(
        tmp_path / "chump-typed" / "config.toml", f'e2ee_key = "{E2EE_HEX}"\n'
    )

    assert cli("send", "--encrypt", "from the file") == EXIT_OK
    assert cli.fake.messages[0].message == "from the file"


def test_encrypt_without_a_key_is_bad_usage_and_sends_nothing(cli: CLI) -> None:
    assert cli("send", "--encrypt", "m") == EXIT_USAGE
    assert "PUSHOVER_E2EE_KEY" in cli.err
    assert cli.fake.requests == ()


def test_a_bad_key_is_bad_usage_and_never_shown(cli: CLI) -> None:
    bad = "3c" * 31 + "zz"
    environ = {**cli.environ, "PUSHOVER_E2EE_KEY": bad}

    assert cli("send", "--encrypt", "m", environ=environ) == EXIT_USAGE
    assert "e2ee_key" in cli.err and "64 hex digits" in cli.err
    assert bad not in cli.err + cli.out
    assert cli.fake.requests == ()


def test_without_encrypt_the_key_is_not_used(cli: CLI) -> None:
    environ = {**cli.environ, "PUSHOVER_E2EE_KEY": E2EE_HEX}
    assert cli("send", "in clear", environ=environ) == EXIT_OK
    assert not cli.fake.messages[0].encrypted


# -- An unreachable server ------------------------------------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _unreachable(stderr: io.StringIO, *extra: str) -> tuple[int, list[float]]:
    waits: list[float] = []
    url = f"http://127.0.0.1:{_closed_port()}/1/"
    code = main(
        ["send", "hi", "--base-url", url, *extra],
        environ={"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY},
        stdout=io.StringIO(),
        stderr=stderr,
        sleep=waits.append,
    )
    return code, waits


def test_an_unreachable_server_says_so_in_words() -> None:
    err = io.StringIO()
    code, waits = _unreachable(err, "--retries", "0")

    assert code == EXIT_FAILURE
    assert "connection refused" in err.getvalue()
    assert waits == []


def test_a_pending_retry_is_shown_on_a_terminal_at_once() -> None:
    err = _TTY()
    code, waits = _unreachable(err)

    assert code == EXIT_FAILURE
    assert waits == [5.0, 10.0, 20.0]  # the real schedule (recorded, not slept)
    lines = err.getvalue().splitlines()
    assert lines[:3] == [
        line
        for line in lines[:3]
        if "connection refused" in line and "retrying in" in line
    ]
    assert "retrying in 5 s (attempt 2 of 4)" in lines[0]
    assert "retrying in 20 s (attempt 4 of 4)" in lines[2]


def test_a_pending_retry_is_shown_off_a_terminal_too() -> None:
    """A cron job's log says why the run took 5 s more: one line per retry."""
    err = io.StringIO()  # not a terminal
    code, waits = _unreachable(err, "--retries", "1")

    assert code == EXIT_FAILURE
    assert waits == [5.0]
    lines = err.getvalue().splitlines()
    assert len(lines) == 2  # the pending retry, then the error
    assert "connection refused" in lines[0]
    assert lines[0].endswith("retrying in 5 s (attempt 2 of 2)")
    assert lines[1].startswith("chump-typed: error: could not connect")


def test_with_json_a_pending_retry_is_a_json_line() -> None:
    err = io.StringIO()
    _unreachable(err, "--retries", "1", "--json")

    first = json.loads(err.getvalue().splitlines()[0])
    assert list(first) == ["retrying"]
    assert first["retrying"].endswith("retrying in 5 s (attempt 2 of 2)")


def test_the_help_states_the_real_retry_schedule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["send", "--help"]) == EXIT_OK
    assert "waits of 5, 10, then 20 s" in " ".join(capsys.readouterr().out.split())


# -- Readable errors -------------------------------------------------------------------------

#: Bad values, short and long: none could be a working secret, so none is redacted.
BAD_VALUES = ["a", "x", "e", "s", "ab" * 20, "secret" * 9]


def _error_of(argv: list[str], environ: Mapping[str, str]) -> str:
    err = io.StringIO()
    main(argv, environ=environ, stdout=io.StringIO(), stderr=err)
    return warnings_apart(err.getvalue())[1]


@pytest.mark.parametrize("bad", BAD_VALUES)
@pytest.mark.parametrize(
    ("how", "field"),
    [("--token", "token"), ("--user", "user"), ("PUSHOVER_TOKEN", "token")],
)
def test_every_bad_credential_reads_as_written(bad: str, how: str, field: str) -> None:
    environ = {"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY}
    argv = ["send", "hi", "--base-url", "http://127.0.0.1:9/1/"]
    if how.startswith("--"):
        argv += [how, bad]
    else:
        environ[how] = bad
    text = _error_of(argv, environ)

    assert "<redacted>" not in text
    plural = "character" if len(bad) == 1 else "characters"
    assert f"{field}: " in text
    assert (
        f"must be exactly 30 ASCII letters and digits, got a string of {len(bad)} {plural}"
        in text
    )
    assert text.count("\n") == 1  # one line


def test_a_working_secret_is_still_redacted_wherever_it_stands(cli: CLI) -> None:
    """A value that could be a real token is kept out of every error text, as a whole
    word; a fragment of an ordinary word is never cut."""
    token = "Z" * 30
    cli.fake.inject(Fault.BAD_REQUEST)
    text = _error_of(
        ["send", "hi", "--token", token, "--base-url", cli.base_url, "--retries", "0"],
        {"PUSHOVER_USER": USER_KEY},
    )
    assert token not in text
    assert "rejected" in text or "invalid" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["send", "hi", "--token", "a"],
        ["send", "--encrypt", "hi"],
        ["receipt", "short"],
        ["send", "hi", "--retries", "-1"],
    ],
)
def test_with_json_an_error_is_one_json_object_on_stderr(argv: list[str]) -> None:
    err, out = io.StringIO(), io.StringIO()
    code = main(
        [*argv, "--json", "--base-url", "http://127.0.0.1:9/1/"],
        environ={"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY},
        stdout=out,
        stderr=err,
    )

    assert out.getvalue() == ""
    *warnings, error = [json.loads(line) for line in err.getvalue().splitlines()]
    assert all(set(warning) == {"warning"} for warning in warnings)
    assert set(error) == {"error", "exit_code", "kind"}
    assert error["exit_code"] == code == EXIT_USAGE
    assert error["error"]


# -- A path without credentials --------------------------------------------------------------


def test_fake_serves_until_ctrl_c_and_prints_what_to_paste() -> None:
    """``chump-typed fake``: the printed lines point the other commands at it."""
    out = io.StringIO()
    sent: list[int] = []

    def use_it_then_ctrl_c(_seconds: float) -> None:
        lines = out.getvalue().splitlines()
        exports = next(line for line in lines if line.startswith("export "))
        environ = dict(pair.split("=", 1) for pair in exports.split()[1:])
        assert set(environ) == {"PUSHOVER_BASE_URL", "PUSHOVER_TOKEN", "PUSHOVER_USER"}
        sent.append(
            main(["send", "through the fake"], environ=environ, stdout=io.StringIO())
        )
        raise KeyboardInterrupt

    code = main(["fake"], environ={}, stdout=out, sleep=use_it_then_ctrl_c)

    assert code == EXIT_OK
    assert sent == [EXIT_OK]
    assert out.getvalue().splitlines()[-1] == "stopped after 1 messages"


def test_pushover_base_url_is_honoured(cli: CLI) -> None:
    environ = {**cli.environ, "PUSHOVER_BASE_URL": cli.base_url}
    code = main(["send", "via the environment"], environ=environ, stdout=io.StringIO())

    assert code == EXIT_OK
    assert [m.message for m in cli.fake.messages] == ["via the environment"]


@settings(max_examples=15)  # a served fake per example
@given(extra=st.integers(1, 3000))
def test_a_long_message_needs_truncate(extra: int) -> None:
    fake = FakePushover()
    text = "x" * (1024 + extra)
    with serve(fake) as base_url:
        argv = ["send", text, "--base-url", base_url, "--retries", "0"]
        environ = {"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY}
        err = io.StringIO()
        assert main(argv, environ=environ, stderr=err) == EXIT_USAGE
        assert f"at most 1024 characters, got {1024 + extra}" in err.getvalue()
        assert "--truncate" in err.getvalue()
        assert fake.requests == ()

        out = io.StringIO()
        assert main([*argv, "--truncate"], environ=environ, stdout=out) == EXIT_OK
    [sent] = fake.messages
    assert len(sent.message) == 1024
    assert sent.message.endswith(" [… truncated]")
    assert sent.message.startswith("x" * 1000)


def test_exactly_1024_needs_no_truncate(cli: CLI) -> None:
    assert cli("send", "y" * 1024) == EXIT_OK
    assert cli.fake.messages[0].message == "y" * 1024


# -- ~/.pushoverrc, python-pushover's file ----------------------------------------------------

PUSHOVERRC = f"""
[Default]
api_token = {APP_TOKEN}
user_key = {USER_KEY}

[phone]
api_token = {APP_TOKEN}
user_key = {USER_KEY}
device = iphone
"""


def test_pushoverrc_is_the_last_fallback(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / ".pushoverrc").write_text(PUSHOVERRC, encoding="utf-8")
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}

    assert cli("send", "from the rc file", environ=environ) == EXIT_OK
    assert cli("send", "to the phone", "--profile", "phone", environ=environ) == EXIT_OK

    first, second = cli.fake.messages
    assert first.message == "from the rc file" and "device" not in first.params
    assert second.params["device"] == "iphone"


def test_the_environment_beats_pushoverrc(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / ".pushoverrc").write_text(
        f"[Default]\napi_token = {OTHER_KEY}\nuser_key = {OTHER_KEY}\n",
        encoding="utf-8",
    )
    assert cli("send", "env wins") == EXIT_OK  # cli.environ has PUSHOVER_TOKEN/USER
    assert cli.fake.messages[0].message == "env wins"


@pytest.mark.parametrize(
    "text", ["PUSHOVER_TOKEN=abc\nPUSHOVER_USER=def\n", "\x00\xff not ini", ""]
)
def test_a_pushoverrc_in_another_format_is_ignored_quietly(
    cli: CLI, tmp_path: Path, text: str
) -> None:
    (tmp_path / ".pushoverrc").write_text(text, encoding="utf-8", errors="replace")
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}

    assert cli("send", "m", environ=environ) == EXIT_USAGE
    assert "no user key" in cli.err  # nothing read, and nothing said about the file


def test_a_missing_profile_is_bad_usage(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / ".pushoverrc").write_text(PUSHOVERRC, encoding="utf-8")
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}

    assert cli("send", "m", "--profile", "work", environ=environ) == EXIT_USAGE
    assert "no profile [work]" in cli.err
    assert cli.fake.requests == ()


def test_a_profile_device_only_goes_with_the_profile_user(
    cli: CLI, tmp_path: Path
) -> None:
    (tmp_path / ".pushoverrc").write_text(
        PUSHOVERRC.replace("[phone]", "[unused]").replace(
            "[Default]", "[Default]\ndevice = iphone"
        ),
        encoding="utf-8",
    )
    assert cli("send", "env user") == EXIT_OK  # user from PUSHOVER_USER: no device
    assert "device" not in cli.fake.messages[0].params


def test_a_token_on_the_command_line_gets_one_warning(cli: CLI) -> None:
    cli.environ.pop("PUSHOVER_TOKEN")
    assert cli("send", "hi", "--token", APP_TOKEN) == EXIT_OK
    assert cli.warnings == [
        WARNING + "--token on the command line is visible to every user of this "
        "machine (ps): set PUSHOVER_TOKEN or put it in the config file instead"
    ]
    cli.environ["PUSHOVER_TOKEN"] = APP_TOKEN
    assert cli("send", "hi") == EXIT_OK  # from the environment: nothing to say
    assert cli.warnings == []


@pytest.mark.parametrize(
    ("mode", "warned"), [(0o600, False), (0o640, True), (0o604, True)]
)
def test_a_config_file_others_can_read_gets_one_warning(
    cli: CLI, tmp_path: Path, mode: int, warned: bool
) -> None:
    config = tmp_path / "chump-typed" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(f'token = "{APP_TOKEN}"\n', encoding="utf-8")
    config.chmod(mode)
    cli.environ.pop("PUSHOVER_TOKEN")

    assert cli("send", "hi") == EXIT_OK
    expected = [
        f"{WARNING}{config} holds a secret and other users can read it "
        f"(mode {mode:o}): chmod 600 {config}"
    ]
    assert cli.warnings == (expected if warned else [])


def test_an_error_line_shows_control_characters_escaped(
    cli: CLI, tmp_path: Path
) -> None:
    """Text in an error (here a path; elsewhere a server's words) cannot drive the
    terminal."""
    missing = tmp_path / "\x1b]0;owned\x07\x9b2J.toml"
    assert cli("send", "hi", "--config", str(missing)) == EXIT_USAGE
    assert "\x1b" not in cli.err and "\x07" not in cli.err and "\x9b" not in cli.err
    assert "\\x1b]0;owned\\x07\\x9b2J.toml" in cli.err
