"""``chump-typed login`` and ``chump-typed listen``: an Open Client device.

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
from typing import Final, cast

from chump_typed._checks import check_devices
from chump_typed.cli._config import default_config_path
from chump_typed.cli._interrupt import ctrl_c_closes
from chump_typed.cli._run import EXIT_OK, Run, UsageError, could_work
from chump_typed.errors import TwoFactorRequired
from chump_typed.models import ReceivedMessage

__all__ = [
    "PUSH_URL_VARIABLE",
    "SESSION_FILE",
    "listen",
    "login",
    "read_session",
    "session_path",
    "write_session",
]

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


#: The environment variable naming the realtime WebSocket (``chump-typed fake`` prints it).
PUSH_URL_VARIABLE: Final = "PUSHOVER_PUSH_URL"


def read_session(run: Run) -> dict[str, str]:
    """The session ``chump-typed login`` stored (a usage error when there is none)."""
    path = session_path(run)
    try:
        data: object = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no session in {path}: run chump-typed login first") from None
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"{path}: cannot read the session ({type(exc).__name__})"
        ) from None
    fields = cast("dict[object, object]", data) if isinstance(data, dict) else {}
    stored = {
        k: v for k, v in fields.items() if isinstance(k, str) and isinstance(v, str)
    }
    if "secret" not in stored or "device_id" not in stored:
        raise UsageError(f"{path}: not a session: run chump-typed login again")
    run.secrets.append(stored["secret"])
    return stored


def listen(run: Run) -> int:
    """Print each message as it arrives, until Ctrl-C (exit 0), or until Pushover ends
    the stream (``E`` or ``A``: exit 3)."""
    from chump_typed.receive import DEFAULT_PUSH_URL, OpenClient
    from chump_typed.receive._calls import require_websockets

    try:
        require_websockets()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    stored = read_session(run)
    key = run.e2ee_key()
    push_url = (
        run.args.push_url or run.environ.get(PUSH_URL_VARIABLE) or DEFAULT_PUSH_URL
    )
    with OpenClient(
        base_url=run.base_url(), push_url=push_url, transport=run.transport()
    ) as client:
        session = client.session(stored["secret"], stored["device_id"])
        with session.listen(e2ee_key=key) as messages:
            try:
                with ctrl_c_closes(messages.close) as ctrl_c:
                    for message in messages:
                        run.print(_shown(message, as_json=run.args.json))
                        run.stdout.flush()
            except KeyboardInterrupt:  # outside the main thread, or a second Ctrl-C
                print("stopped", file=run.stderr)
            else:
                if ctrl_c.pressed:
                    print("stopped", file=run.stderr)
    return EXIT_OK


def _shown(message: ReceivedMessage, *, as_json: bool) -> str:
    """One line for *message*: for people, or a JSON object."""
    if as_json:
        from chump_typed.cli._run import json_ready

        return json.dumps(json_ready(message), sort_keys=True)
    when = message.date.isoformat() if message.date is not None else "-"
    title = f"{message.title}: " if message.title else ""
    flags = " [emergency]" if message.priority == 2 else ""
    if message.undecryptable:
        flags += " [cannot decrypt]"
    return f"{when} {message.app or '-'}{flags} {title}{message.message}"
