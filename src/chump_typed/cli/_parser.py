"""The command line's arguments: one subcommand per Pushover call."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn

from chump_typed._checks import DEFAULT_BASE_URL
from chump_typed.cli._config import default_config_path
from chump_typed.cli._run import MIN_POLL_INTERVAL, PROG, UsageError
from chump_typed.models import (
    Priority,
)

__all__ = ["build_parser"]


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


#: The help of a RECEIPT argument.
_RECEIPT_HELP: Final = "the receipt 'send -p emergency' printed (30 letters and digits)"


class _Version(argparse.Action):
    """``--version``: argparse's version action, but the version is read from the
    installed metadata only when asked (importlib.metadata is a sixth of the start-up
    of ``chump-typed send``)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **_: object) -> None:
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="show program's version number and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        from chump_typed import __version__

        print(f"{parser.prog} {__version__}", file=sys.stdout)
        parser.exit()


def _connection_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options of every command that talks to Pushover. The top-level parser
    holds their defaults; a subcommand's copy sets a value only when given (argparse
    lets a subcommand's default replace a value given before the subcommand)."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help="API root (default: $PUSHOVER_BASE_URL, then the config file's base_url, "
        f"then {DEFAULT_BASE_URL})",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        default=default(None),
        help=f"config file (default: {default_config_path()})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=default(30.0),
        metavar="SECONDS",
        help="give up on a connection or an answer after this long (default: 30)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=default(3),
        metavar="N",
        help="retry a failed connection or a server error up to N times, after "
        "waits of 5, 10, then 20 s (default: 3; 0 never retries)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print the result as one JSON object",
    )


def build_parser() -> argparse.ArgumentParser:
    # What every command that talks to Pushover takes; "common" adds the app token.
    connection = _Parser(add_help=False)
    _connection_options(connection, defaults=False)
    common = _Parser(add_help=False, parents=[connection])
    common.add_argument(
        "--token",
        metavar="TOKEN",
        help="application API token (default: $PUSHOVER_TOKEN, then the config file)",
    )
    common.add_argument(
        "--profile",
        metavar="NAME",
        help="the profile of ~/.pushoverrc (python-pushover's file) to fall back on "
        "(default: [Default])",
    )
    recipient = _Parser(add_help=False)
    recipient.add_argument(
        "--user",
        metavar="KEY",
        help="user or group key (default: $PUSHOVER_USER, then the config file)",
    )

    parser = _Parser(
        prog=PROG,
        description="Talk to Pushover from the command line. The options below may "
        "also come after the command; 'chump-typed COMMAND --help' shows a "
        "command's own.",
        epilog="Exit codes: 0 success, 2 bad usage or input, 3 rejected by Pushover, "
        "4 network or server failure, 5 monthly quota exhausted, 130 interrupted "
        "(Ctrl-C).",
    )
    parser.add_argument("--version", action=_Version)
    _connection_options(parser, defaults=True)
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
    send.add_argument(
        "--truncate",
        action="store_true",
        help="cut a message longer than Pushover's 1024 characters, ending it in "
        "'[… truncated]' (without it, a longer message is refused)",
    )
    send.add_argument(
        "--encrypt",
        action="store_true",
        help="end-to-end encrypt the message, title and URL with the recipient's key, "
        "read from $PUSHOVER_E2EE_KEY or the config file's e2ee_key (never from a "
        "flag: ps shows flags)",
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

    commands.add_parser(
        "sounds",
        parents=[common],
        help="list the available sounds",
        description="List the sounds the application may use: their names, for "
        "send --sound, and their descriptions.",
    )

    validate = commands.add_parser(
        "validate",
        parents=[common, recipient],
        help="check a user or group key",
        description="Check that the user or group key (--user, $PUSHOVER_USER or the "
        "config file) is valid, and list its devices.",
    )
    validate.add_argument(
        "--device", metavar="NAME", help="also check that the user has this device"
    )

    receipt = commands.add_parser(
        "receipt",
        parents=[common],
        help="show an emergency message's receipt",
        description="Show where an emergency message stands: acknowledged (when, on "
        "which device), expired, or still repeating. With --wait, poll until it is "
        "acknowledged or expires.",
    )
    receipt.add_argument("receipt", metavar="RECEIPT", help=_RECEIPT_HELP)
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
        "cancel",
        parents=[common],
        help="stop an emergency message's retries",
        description="Stop repeating an emergency message before it is acknowledged "
        "or expires.",
    )
    cancel.add_argument("receipt", metavar="RECEIPT", help=_RECEIPT_HELP)

    cancel_tag = commands.add_parser(
        "cancel-tag",
        parents=[common],
        help="stop the retries of every emergency message with a tag",
        description="Stop repeating every emergency message sent with a tag "
        "(send -p emergency --tags TAG).",
    )
    cancel_tag.add_argument(
        "tag", metavar="TAG", help="a tag given with send --tags, e.g. db"
    )

    commands.add_parser(
        "limits",
        parents=[common],
        help="show the monthly message allowance",
        description="Show how many messages the application may still send this "
        "month, of how many, and when the count resets.",
    )
    commands.add_parser(
        "demo",
        help="run the whole send/emergency/poll/cancel flow on an embedded fake",
        description="Start the embedded fake Pushover and run the whole flow "
        "against it: send, an emergency, its receipt polled, its cancellation, and "
        "a device that receives. Needs no credentials and reaches no network.",
    )
    login_help = (
        "log in to a Pushover account as an Open Client device: prompts for the "
        "password (and a 2FA code if asked), registers the device and stores its "
        "session beside the config file"
    )
    login = commands.add_parser(
        "login",
        parents=[connection],
        help=login_help,
        description=login_help[0].upper() + login_help[1:] + ".",
    )
    login.add_argument(
        "--email", metavar="ADDRESS", help="the account's e-mail (default: prompt)"
    )
    login.add_argument(
        "--device-name",
        metavar="NAME",
        help="the device's name, 1 to 25 of A-Z a-z 0-9 _ - (default: from the host "
        "name)",
    )
    listen_help = (
        "print each message the device of `chump-typed login` receives, as it "
        "arrives (the extra chump_typed[receive]); Ctrl-C stops"
    )
    listen = commands.add_parser(
        "listen",
        parents=[connection],
        help=listen_help,
        description=listen_help[0].upper() + listen_help[1:] + ".",
    )
    listen.add_argument(
        "--push-url",
        metavar="URL",
        help="the realtime WebSocket (default: $PUSHOVER_PUSH_URL, then Pushover's)",
    )
    listen.add_argument(
        "--decrypt",
        action="store_true",
        help="decrypt end-to-end encrypted messages with the key in "
        "$PUSHOVER_E2EE_KEY or the config file's e2ee_key",
    )
    fake_help = (
        "serve the fake Pushover on loopback until Ctrl-C, printing the "
        "PUSHOVER_* lines that point the other commands at it"
    )
    fake = commands.add_parser(
        "fake",
        help=fake_help,
        description=fake_help[0].upper()
        + fake_help[1:]
        + " (and Client, AsyncClient, Application, OpenClient and PushoverHandler "
        "made without base_url=).",
    )
    fake.add_argument(
        "--port", type=int, default=0, help="the port to serve on (default: a free one)"
    )
    return parser
