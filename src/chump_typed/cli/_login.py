"""``chump-typed login``: log in as an Open Client device and store the session.

The session (its secret, the device's id and name, the user key) goes to its own
file beside the config file, ``session.json``, written with mode 0600 and replaced
atomically; the config file itself is never rewritten. The password and the 2FA code
are read from the terminal without echo, or, when standard input is not a terminal,
one per line from it (``printf '%s\\n' "$PASSWORD" | chump-typed login ...``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
from pathlib import Path
from typing import Final

from chump_typed._checks import check_devices
from chump_typed.cli._config import default_config_path
from chump_typed.cli._run import EXIT_OK, Run, UsageError, could_work
from chump_typed.errors import TwoFactorRequired

__all__ = ["SESSION_FILE", "login", "session_path", "write_session"]

#: The session file's name, in the config file's directory.
SESSION_FILE: Final = "session.json"
#: Only its owner may read or write it: it holds the session secret.
SESSION_MODE: Final = 0o600
_NOT_IN_NAME: Final = re.compile(r"[^A-Za-z0-9_-]+")


def session_path(run: Run) -> Path:
    """Where the session is stored: beside the config file (``--config`` or the
    default one)."""
    config: Path | None = run.args.config
    return (config or default_config_path(run.environ)).parent / SESSION_FILE


def write_session(path: Path, data: dict[str, str]) -> None:
    """Write *data* to *path* as JSON with mode 0600: to a new file made 0600 before
    anything is written to it, then moved over the old one (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".session-")
    try:
        os.chmod(temporary, SESSION_MODE)  # mkstemp makes it 0600; say so
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, sort_keys=True)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def default_device_name() -> str:
    """A device name from the host name: only ``[A-Za-z0-9_-]``, at most 25."""
    host = _NOT_IN_NAME.sub("-", socket.gethostname().split(".")[0]).strip("-")
    return (host or "chump-typed")[:25]


def _ask(run: Run, prompt: str, *, secret: bool) -> str:
    """One answer: from the terminal (without echo when *secret*), else the next
    line of standard input."""
    isatty = getattr(run.stdin, "isatty", None)
    if isatty is not None and isatty():
        if secret:
            import getpass

            return getpass.getpass(prompt, stream=run.stderr)
        print(prompt, end="", file=run.stderr, flush=True)
    line = run.stdin.readline()
    if not line:
        raise UsageError(f"{prompt.strip().rstrip(':')}: no answer (end of input)")
    return line.rstrip("\r\n")


def login(run: Run) -> int:
    """Log in (asking for the 2FA code on a 412), register the device, and store the
    session."""
    from chump_typed.receive import OpenClient

    email: str | None = run.args.email
    name: str = run.args.device_name or default_device_name()
    check_devices("--device-name", name, many=False)  # before the password is asked
    email = email or _ask(run, "E-mail: ", secret=False)
    password = _ask(run, "Password: ", secret=True)
    if could_work("password", password):
        run.secrets.append(password)
    with OpenClient(base_url=run.base_url(), transport=run.transport()) as client:
        try:
            session = client.login(email, password)
        except TwoFactorRequired:
            code = _ask(run, "2FA code: ", secret=True)
            if could_work("twofa", code):
                run.secrets.append(code)
            session = client.login(email, password, twofa=code)
        if could_work("secret", session.secret):
            run.secrets.append(session.secret)
        device = session.register_device(name)
    path = session_path(run)
    stored = {"secret": session.secret, "device_id": device.id, "device_name": name}
    if session.user is not None:
        stored["user"] = session.user
    write_session(path, stored)
    if run.args.json:
        result = {
            "device_id": device.id,
            "device_name": name,
            "session_file": str(path),
        }
        run.print(json.dumps(result, sort_keys=True))
    else:
        run.print(
            f"logged in; device {name!r} registered (id {device.id})",
            f"session stored in {path} (mode 0600)",
            "note: an Open Client device needs a Pushover Desktop licence within 30 "
            "days of its registration",
        )
    return EXIT_OK
