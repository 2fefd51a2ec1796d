"""``chump-typed login``: prompts, 2FA, the device, and the session file (mode 0600,
beside the config file, which is never rewritten)."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from chump_typed.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, main
from chump_typed.cli._login import default_device_name, write_session
from chump_typed.receive import OpenClient
from chump_typed.testing import FakePushover, serve

EMAIL = "me@example.com"
PASSWORD = "hunter2-hunter2"


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover()


@pytest.fixture
def url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as base_url:
        yield base_url


def login(url: str, home: Path, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["login", "--base-url", url, "--retries", "0", *argv],
        environ={"XDG_CONFIG_HOME": str(home), "HOME": str(home)},
        stdin=io.StringIO(stdin),
        stdout=out,
        stderr=err,
    )
    return code, out.getvalue(), err.getvalue()


def stored(home: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads(
        (home / "chump-typed" / "session.json").read_text(encoding="utf-8")
    )
    return data


def test_login_registers_a_device_and_stores_the_session(
    fake: FakePushover, url: str, tmp_path: Path
) -> None:
    user = fake.add_account(EMAIL, PASSWORD)
    config = tmp_path / "chump-typed" / "config.toml"
    config.parent.mkdir()
    config.write_text('token = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"\n', encoding="utf-8")

    code, out, err = login(
        url, tmp_path, "--email", EMAIL, "--device-name", "desk", stdin=PASSWORD + "\n"
    )

    assert (code, err) == (EXIT_OK, "")
    assert "device 'desk' registered" in out and "Desktop licence" in out
    session = stored(tmp_path)
    path = tmp_path / "chump-typed" / "session.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert session["user"] == user and session["device_name"] == "desk"
    assert session["secret"] not in out
    (device,) = fake.devices.values()
    assert (device.id, device.name) == (session["device_id"], "desk")
    # The stored session works, and the user's config file was left as it was.
    with OpenClient(base_url=url) as client:
        assert client.session(session["secret"], session["device_id"]).download() == []
    assert (
        config.read_text(encoding="utf-8")
        == 'token = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"\n'
    )


def test_login_asks_for_the_email_and_the_2fa_code(
    fake: FakePushover, url: str, tmp_path: Path
) -> None:
    fake.add_account(EMAIL, PASSWORD, twofa="135790")
    code, out, err = login(
        url, tmp_path, "--json", stdin=f"{EMAIL}\n{PASSWORD}\n135790\n"
    )
    assert (code, err) == (EXIT_OK, "")
    result = json.loads(out)
    assert result["device_name"] == default_device_name()
    assert result["session_file"].endswith("session.json")
    assert "secret" not in result
    assert stored(tmp_path)["device_id"] == result["device_id"]


def test_a_wrong_password_is_rejected_without_showing_it(
    fake: FakePushover, url: str, tmp_path: Path
) -> None:
    fake.add_account(EMAIL, PASSWORD)
    code, _, err = login(url, tmp_path, "--email", EMAIL, stdin="wrong-password\n")
    assert code == EXIT_REJECTED
    assert "password" in err and "wrong-password" not in err
    assert not (tmp_path / "chump-typed" / "session.json").exists()


def test_a_wrong_2fa_code_is_rejected_without_showing_it(
    fake: FakePushover, url: str, tmp_path: Path
) -> None:
    fake.add_account(EMAIL, PASSWORD, twofa="135790")
    code, _, err = login(url, tmp_path, "--email", EMAIL, stdin=f"{PASSWORD}\n999999\n")
    assert code == EXIT_REJECTED
    assert "999999" not in err and PASSWORD not in err


@pytest.mark.parametrize(
    ("argv", "stdin", "problem"),
    [
        (["--device-name", "has space"], "", "--device-name"),
        (["--device-name", "x" * 26], "", "--device-name"),
        (["--email", EMAIL], "", "Password: no answer"),
        (["--email", EMAIL], "\n", "password: must not be empty"),
        ([], "not-an-address\nsomething\n", "email"),
    ],
)
def test_bad_input_is_a_usage_error_before_anything_is_sent(
    fake: FakePushover,
    url: str,
    tmp_path: Path,
    argv: list[str],
    stdin: str,
    problem: str,
) -> None:
    code, _, err = login(url, tmp_path, *argv, stdin=stdin)
    assert code == EXIT_USAGE
    assert problem in err
    assert fake.requests == ()


def test_a_taken_device_name_is_rejected_with_the_servers_reason(
    fake: FakePushover, url: str, tmp_path: Path
) -> None:
    fake.add_account(EMAIL, PASSWORD)
    argv = ("--email", EMAIL, "--device-name", "desk")
    assert login(url, tmp_path, *argv, stdin=PASSWORD + "\n")[0] == EXIT_OK
    code, _, err = login(url, tmp_path, *argv, stdin=PASSWORD + "\n")
    assert code == EXIT_REJECTED and "has already been taken" in err


def test_the_session_file_replaces_an_old_one_and_stays_private(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d" / "session.json"
    path.parent.mkdir()
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    write_session(path, {"secret": "s"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"secret": "s"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["session.json"]


def test_the_default_device_name_is_a_valid_name() -> None:
    import re

    assert re.fullmatch(r"[A-Za-z0-9_-]{1,25}", default_device_name())
