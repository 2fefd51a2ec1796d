"""The ``chump-typed`` command line (also ``python -m chump_typed``).

Every subcommand is one call of the typed :class:`~chump_typed.Client`. Credentials
come from ``--token``/``--user``, else ``PUSHOVER_TOKEN``/``PUSHOVER_USER``, else the
config file ``$XDG_CONFIG_HOME/chump-typed/config.toml``. Output is text for people, or one JSON
object with ``--json``.

Exit codes:

====  =================================================================
0     success
2     bad usage or input: unknown option, missing token, invalid value
3     Pushover rejected the request (HTTP 4xx other than 429)
4     network or server failure: no response, 5xx, an undecodable answer
5     the monthly message quota is exhausted (HTTP 429)
====  =================================================================

An error is one line on standard error, never a traceback, and never contains the
token or the user key.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn, TextIO

import attrs

from chump_typed._config import ConfigError, default_config_path, load_config
from chump_typed.client import DEFAULT_BASE_URL, Client
from chump_typed.errors import (
    APIError,
    QuotaExceededError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from chump_typed.models import (
    AppLimits,
    Attachment,
    CancelByTagResult,
    Notification,
    Priority,
    RateLimit,
    Receipt,
    Result,
    SendResult,
    SoundList,
    UserValidation,
)

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_QUOTA",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "MIN_POLL_INTERVAL",
    "main",
]

EXIT_OK: Final = 0
"""Success."""
EXIT_USAGE: Final = 2
"""Bad usage or input; nothing was sent."""
EXIT_REJECTED: Final = 3
"""Pushover answered and rejected the request."""
EXIT_FAILURE: Final = 4
"""No usable answer: network failure, server error, undecodable response."""
EXIT_QUOTA: Final = 5
"""The application's monthly message quota is exhausted."""

MIN_POLL_INTERVAL: Final = 5.0
"""Pushover asks that receipts be polled no more often than every 5 seconds."""

_PROG: Final = "chump-typed"


class UsageError(Exception):
    """The command line is wrong; the message says how."""


#: Exception type -> exit code. The first match wins, so subclasses come first.
_EXIT_CODES: Final[tuple[tuple[type[Exception], int], ...]] = (
    (UsageError, EXIT_USAGE),
    (ConfigError, EXIT_USAGE),
    (ValidationError, EXIT_USAGE),
    (QuotaExceededError, EXIT_QUOTA),
    (APIError, EXIT_REJECTED),
    (TransportError, EXIT_FAILURE),
    (UnexpectedResponseError, EXIT_FAILURE),
)


def _describe_error(exc: Exception) -> str:
    """One line saying what went wrong, in the user's terms."""
    if isinstance(exc, QuotaExceededError):
        reset = exc.reset_at.isoformat() if exc.reset_at else "unknown"
        return f"the monthly message quota is exhausted (resets {reset})"
    if isinstance(exc, APIError):
        return f"rejected by Pushover: {'; '.join(exc.errors)} (request {exc.id})"
    if isinstance(exc, ConfigError):
        return f"config file {exc}"
    if isinstance(exc, UnexpectedResponseError):
        return f"unusable answer from Pushover: {exc}"
    return str(exc)


# -- Parsing ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is an exception carrying one line, not an exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


_PRIORITIES: Final[Mapping[str, Priority]] = {
    **{p.name.lower(): p for p in Priority},
    **{str(p.value): p for p in Priority},
}


def _priority(text: str) -> Priority:
    try:
        return _PRIORITIES[text.lower()]
    except KeyError:
        names = ", ".join(p.name.lower() for p in Priority)
        raise argparse.ArgumentTypeError(
            f"expected one of {names}, or -2 to 2, got {text!r}"
        ) from None


def _timestamp(text: str) -> _dt.datetime | int:
    if text.isdigit():
        return int(text)
    try:
        # Python 3.10's fromisoformat() does not accept a trailing "Z".
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected Unix seconds or an ISO 8601 time with a zone, got {text!r}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--token",
        metavar="TOKEN",
        help="application API token (default: $PUSHOVER_TOKEN, then the config file)",
    )
    common.add_argument(
        "--base-url",
        metavar="URL",
        help=f"API root (default: the config file's base_url, then {DEFAULT_BASE_URL})",
    )
    common.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"config file (default: {default_config_path()})",
    )
    common.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="give up on a connection or an answer after this long (default: 30)",
    )
    common.add_argument(
        "--retries",
        type=int,
        default=3,
        metavar="N",
        help="retry failed connections and server errors up to N times, 5 s apart "
        "(default: 3)",
    )
    common.add_argument(
        "--json", action="store_true", help="print the result as one JSON object"
    )
    recipient = _Parser(add_help=False)
    recipient.add_argument(
        "--user",
        metavar="KEY",
        help="user or group key (default: $PUSHOVER_USER, then the config file)",
    )

    parser = _Parser(
        prog=_PROG,
        description="Talk to Pushover from the command line.",
        epilog="Exit codes: 0 success, 2 bad usage or input, 3 rejected by Pushover, "
        "4 network or server failure, 5 monthly quota exhausted.",
    )
    from chump_typed import __version__

    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    send = commands.add_parser(
        "send",
        parents=[common, recipient],
        help="send a message",
        description="Send a message. The text comes from MESSAGE, or from standard "
        "input when MESSAGE is omitted or '-'.",
    )
    send.add_argument("message", nargs="?", metavar="MESSAGE", help="the message text")
    send.add_argument(
        "-t", "--title", metavar="TEXT", help="title (default: the application's name)"
    )
    send.add_argument("--url", help="a supplementary URL")
    send.add_argument(
        "--url-title", metavar="TEXT", help="the supplementary URL's title"
    )
    send.add_argument(
        "--device",
        action="append",
        metavar="NAME",
        help="send to this device only (repeat for several)",
    )
    send.add_argument(
        "-p",
        "--priority",
        type=_priority,
        metavar="LEVEL",
        default=Priority.NORMAL,
        help="lowest, low, normal, high, emergency (or -2 to 2; default: normal)",
    )
    send.add_argument(
        "--sound", metavar="NAME", help="sound name (see the sounds command)"
    )
    send.add_argument(
        "--timestamp",
        type=_timestamp,
        metavar="TIME",
        help="time to show: Unix seconds or ISO 8601 with a zone",
    )
    send.add_argument(
        "--ttl", type=int, metavar="SECONDS", help="delete from devices after this long"
    )
    style = send.add_mutually_exclusive_group()
    style.add_argument("--html", action="store_true", help="the message is HTML")
    style.add_argument(
        "--monospace", action="store_true", help="show the message in a monospace font"
    )
    send.add_argument(
        "--retry",
        type=int,
        metavar="SECONDS",
        help="emergency: repeat every SECONDS (>= 30)",
    )
    send.add_argument(
        "--expire",
        type=int,
        metavar="SECONDS",
        help="emergency: stop repeating after SECONDS (<= 10800)",
    )
    send.add_argument(
        "--callback", metavar="URL", help="emergency: URL to call on acknowledgement"
    )
    send.add_argument("--tags", help="emergency: comma-separated tags, for cancel-tag")
    send.add_argument(
        "--attachment",
        type=Path,
        metavar="FILE",
        help="attach this image (at most 5 MiB)",
    )
    send.add_argument(
        "--attachment-type",
        metavar="MIME",
        help="the image's type, e.g. image/png (default: guessed from FILE's name)",
    )

    commands.add_parser("sounds", parents=[common], help="list the available sounds")

    validate = commands.add_parser(
        "validate", parents=[common, recipient], help="check a user or group key"
    )
    validate.add_argument(
        "--device", metavar="NAME", help="also check that the user has this device"
    )

    receipt = commands.add_parser(
        "receipt", parents=[common], help="show an emergency message's receipt"
    )
    receipt.add_argument("receipt", metavar="RECEIPT")
    receipt.add_argument(
        "--wait",
        action="store_true",
        help="poll until the message is acknowledged or expires",
    )
    receipt.add_argument(
        "--interval",
        type=float,
        default=MIN_POLL_INTERVAL,
        metavar="SECONDS",
        help=f"with --wait: seconds between polls (at least {MIN_POLL_INTERVAL:g})",
    )

    cancel = commands.add_parser(
        "cancel", parents=[common], help="stop an emergency message's retries"
    )
    cancel.add_argument("receipt", metavar="RECEIPT")

    cancel_tag = commands.add_parser(
        "cancel-tag",
        parents=[common],
        help="stop the retries of every emergency message with a tag",
    )
    cancel_tag.add_argument("tag", metavar="TAG")

    commands.add_parser(
        "limits", parents=[common], help="show the monthly message allowance"
    )
    commands.add_parser(
        "demo", help="run the whole send/emergency/poll/cancel flow on an embedded fake"
    )
    return parser


# -- Running ---------------------------------------------------------------------------


@attrs.define
class _Run:
    """One invocation: parsed arguments, where to write, and how to wait."""

    args: argparse.Namespace
    environ: Mapping[str, str]
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    sleep: Callable[[float], None]
    #: Credential values seen so far, scrubbed from any error text as a last defence.
    secrets: list[str] = attrs.Factory(list[str])
    _config: dict[str, str] | None = None

    def config(self) -> dict[str, str]:
        if self._config is None:
            path: Path | None = self.args.config
            if path is not None and not path.is_file():
                raise UsageError(f"--config: no such file: {path}")
            self._config = load_config(path or default_config_path(self.environ))
        return self._config

    def setting(self, option: str, env: str | None, key: str) -> str | None:
        """A setting from its flag, else its environment variable, else the file."""
        value: str | None = getattr(self.args, option, None)
        if value is None and env is not None:
            value = self.environ.get(env) or None
        if value is None:
            value = self.config().get(key)
        if value is not None and key != "base_url":
            self.secrets.append(value)
        return value

    def client(self) -> Client:
        token = self.setting("token", "PUSHOVER_TOKEN", "token")
        if token is None:
            raise UsageError(
                "no application token: pass --token, set PUSHOVER_TOKEN or add "
                f'token = "..." to {self.args.config or default_config_path(self.environ)}'
            )
        from chump_typed._urllib3 import Urllib3Transport

        timeout: float = self.args.timeout
        retries: int = self.args.retries
        if not 0 < timeout < math.inf:
            raise UsageError(f"--timeout: must be more than 0 seconds, got {timeout:g}")
        if retries < 0:
            raise UsageError(f"--retries: must be 0 or more, got {retries}")
        base_url = self.setting("base_url", None, "base_url") or DEFAULT_BASE_URL
        return Client(
            token,
            base_url=base_url,
            transport=Urllib3Transport(timeout=timeout, retries=retries),
        )

    def user(self) -> str:
        user = self.setting("user", "PUSHOVER_USER", "user")
        if user is None:
            raise UsageError(
                "no user key: pass --user, set PUSHOVER_USER or add "
                f'user = "..." to {self.args.config or default_config_path(self.environ)}'
            )
        return user

    def print(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.stdout)

    def emit(self, result: Result, *lines: str) -> int:
        """Write *result* as JSON with ``--json``, else as *lines*."""
        if self.args.json:
            print(json.dumps(_plain(result), sort_keys=True), file=self.stdout)
        else:
            self.print(*lines)
        return EXIT_OK


def _json_value(_instance: object, _field: object, value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return value


def _plain(result: Result) -> dict[str, Any]:
    """*result* as JSON-ready data; fields hidden from the repr (user keys) left out."""
    return attrs.asdict(
        result,
        filter=lambda attribute, _value: bool(attribute.repr),
        value_serializer=_json_value,
    )


def _when(moment: _dt.datetime | None) -> str:
    return "never" if moment is None else moment.isoformat()


def _quota(rate_limit: RateLimit | None) -> tuple[str, ...]:
    if rate_limit is None:
        return ()
    return (
        f"{rate_limit.remaining} of {rate_limit.limit} messages left this month "
        f"(resets {rate_limit.reset.isoformat()})",
    )


# -- Commands --------------------------------------------------------------------------


def _read_message(run: _Run) -> str:
    text: str | None = run.args.message
    if text is not None and text != "-":
        return text
    if text is None and run.stdin.isatty():
        raise UsageError("no message: give it as an argument or on standard input")
    data = run.stdin.read()
    return data.removesuffix("\n").removesuffix("\r")


def _attachment(run: _Run) -> Attachment | None:
    path: Path | None = run.args.attachment
    kind: str | None = run.args.attachment_type
    if path is None:
        if kind is not None:
            raise UsageError("--attachment-type: needs --attachment FILE")
        return None
    # Unreadable, too big or of an unknown type: a ValidationError naming the file.
    return Attachment.from_path(path, content_type=kind)


def _send(run: _Run) -> int:
    args = run.args
    devices: list[str] | None = args.device
    notification = Notification(
        user=run.user(),
        message=_read_message(run),
        title=args.title,
        url=args.url,
        url_title=args.url_title,
        device=",".join(devices) if devices else None,
        priority=args.priority,
        sound=args.sound,
        timestamp=args.timestamp,
        ttl=args.ttl,
        html=args.html,
        monospace=args.monospace,
        retry=args.retry,
        expire=args.expire,
        callback=args.callback,
        tags=args.tags,
        attachment=_attachment(run),
    )
    with run.client() as client:
        result: SendResult = client.send(notification)
    lines = [f"sent (request {result.request})"]
    if result.receipt is not None:
        lines.append(f"receipt: {result.receipt}")
    return run.emit(result, *lines, *_quota(result.rate_limit))


def _sounds(run: _Run) -> int:
    with run.client() as client:
        result: SoundList = client.sounds()
    width = max(map(len, result.sounds), default=0)
    lines = [
        f"{name:<{width}}  {label}" for name, label in sorted(result.sounds.items())
    ]
    return run.emit(result, *lines)


def _validate(run: _Run) -> int:
    with run.client() as client:
        result: UserValidation = client.validate_user(run.user(), run.args.device)
    kind = "group" if result.group else "user"
    lines = [f"valid {kind} key; devices: {', '.join(result.devices) or 'none listed'}"]
    if result.licenses:
        lines.append(f"licensed for: {', '.join(result.licenses)}")
    return run.emit(result, *lines)


def _receipt_lines(receipt: Receipt) -> tuple[str, ...]:
    if receipt.acknowledged:
        device = receipt.acknowledged_by_device or "an unknown device"
        state = f"acknowledged at {_when(receipt.acknowledged_at)} on {device}"
    elif receipt.expired:
        state = f"expired unacknowledged at {_when(receipt.expires_at)}"
    else:
        state = f"not acknowledged yet; retries until {_when(receipt.expires_at)}"
    return (state, f"last delivered: {_when(receipt.last_delivered_at)}")


def _receipt(run: _Run) -> int:
    interval: float = run.args.interval
    if not MIN_POLL_INTERVAL <= interval < math.inf:
        raise UsageError(
            f"--interval: Pushover asks for at least {MIN_POLL_INTERVAL:g} seconds "
            f"between polls, got {interval:g}"
        )
    progress = run.stderr.isatty()
    with run.client() as client:
        result: Receipt = client.receipt(run.args.receipt)
        waited = 0.0
        while run.args.wait and not (result.acknowledged or result.expired):
            if progress:
                print(
                    f"\rwaiting for acknowledgement: {waited:.0f} s, "
                    f"expires {_when(result.expires_at)}",
                    end="",
                    file=run.stderr,
                    flush=True,
                )
            run.sleep(interval)
            waited += interval
            result = client.receipt(run.args.receipt)
        if progress and waited:
            print(file=run.stderr)
    return run.emit(result, *_receipt_lines(result))


def _cancel(run: _Run) -> int:
    with run.client() as client:
        result = client.cancel(run.args.receipt)
    return run.emit(result, f"cancelled (request {result.request})")


def _cancel_tag(run: _Run) -> int:
    with run.client() as client:
        result: CancelByTagResult = client.cancel_by_tag(run.args.tag)
    count = "" if result.canceled is None else f" {result.canceled} message(s)"
    return run.emit(result, f"cancelled{count} (request {result.request})")


def _limits(run: _Run) -> int:
    with run.client() as client:
        result: AppLimits = client.limits()
    return run.emit(
        result,
        f"{result.remaining} of {result.limit} messages left this month "
        f"(resets {result.reset.isoformat()})",
    )


def _demo(run: _Run) -> int:
    from chump_typed._demo import run_demo

    return run_demo(run.print)


_COMMANDS: Final[Mapping[str, Callable[[_Run], int]]] = {
    "send": _send,
    "sounds": _sounds,
    "validate": _validate,
    "receipt": _receipt,
    "cancel": _cancel,
    "cancel-tag": _cancel_tag,
    "limits": _limits,
    "demo": _demo,
}


def _one_line(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return " ".join(text.split())


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run the command line and return its exit code.

    The keyword arguments replace the process's environment, streams and clock, for
    tests and embedding.
    """
    err = sys.stderr if stderr is None else stderr
    secrets: list[str] = []
    try:
        args = _parser().parse_args(argv)
        run = _Run(
            args=args,
            environ=os.environ if environ is None else environ,
            stdin=sys.stdin if stdin is None else stdin,
            stdout=sys.stdout if stdout is None else stdout,
            stderr=err,
            sleep=sleep,
            secrets=secrets,
        )
        if getattr(args, "config", None) is not None:
            run.config()  # a file named on the command line must exist and be valid
        return _COMMANDS[args.command](run)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=err)
        return 130
    except Exception as exc:
        code = next((c for kind, c in _EXIT_CODES if isinstance(exc, kind)), None)
        if code is None:
            # A bug: still one line, and the type only (its text could hold anything).
            print(
                f"{_PROG}: internal error: {type(exc).__name__} (please report it)",
                file=err,
            )
            return 1
        print(f"{_PROG}: error: {_one_line(_describe_error(exc), secrets)}", file=err)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
