"""One invocation of the command line: its settings, its output, its exit codes."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

import attrs

from chump_typed._checks import DEFAULT_BASE_URL
from chump_typed.cli._config import (
    ConfigError,
    default_config_path,
    load_config,
    load_pushoverrc,
    pushoverrc_path,
)
from chump_typed.client import Client
from chump_typed.errors import (
    APIError,
    PushStreamError,
    QuotaExceededError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from chump_typed.models import (
    RateLimit,
    Result,
)

if TYPE_CHECKING:
    from chump_typed._retry import RetryEvent
    from chump_typed._urllib3 import Urllib3Transport
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "EXIT_CODES",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_QUOTA",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "MIN_POLL_INTERVAL",
    "PROG",
    "Run",
    "UsageError",
    "could_work",
    "describe_error",
    "json_ready",
    "plain",
    "quota_lines",
    "terminal_safe",
    "when",
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
EXIT_INTERRUPTED: Final = 130
"""Interrupted by Ctrl-C (128 + SIGINT, as shells report it)."""

MIN_POLL_INTERVAL: Final = 5.0
"""Pushover asks that receipts be polled no more often than every 5 seconds."""

PROG: Final = "chump-typed"


class UsageError(Exception):
    """The command line is wrong; the message says how."""


#: Exception type -> exit code. The first match wins, so subclasses come first.
EXIT_CODES: Final[tuple[tuple[type[Exception], int], ...]] = (
    (UsageError, EXIT_USAGE),
    (ConfigError, EXIT_USAGE),
    (ValidationError, EXIT_USAGE),
    (PushStreamError, EXIT_REJECTED),
    (QuotaExceededError, EXIT_QUOTA),
    (APIError, EXIT_REJECTED),
    (TransportError, EXIT_FAILURE),
    (UnexpectedResponseError, EXIT_FAILURE),
)


def describe_error(exc: Exception) -> str:
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


@attrs.define
class Run:
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
    _pushoverrc: dict[str, str] | None = None
    #: The settings that came from ``~/.pushoverrc`` (its ``device`` goes with them).
    from_pushoverrc: set[str] = attrs.Factory(set[str])
    #: The warnings given so far (each is given once).
    warned: set[str] = attrs.Factory(set[str])

    def config(self) -> dict[str, str]:
        if self._config is None:
            path: Path | None = self.args.config
            if path is not None and not path.is_file():
                raise UsageError(f"--config: no such file: {path}")
            path = path or default_config_path(self.environ)
            self._config = load_config(path)
            self._check_private(path, self._config)
        return self._config

    def pushoverrc(self) -> dict[str, str]:
        """python-pushover's ``~/.pushoverrc`` profile (``--profile``, else
        ``[Default]``): the last place a setting is looked for."""
        if self._pushoverrc is None:
            profile: str | None = getattr(self.args, "profile", None)
            path = pushoverrc_path(self.environ)
            self._pushoverrc = load_pushoverrc(path, profile)
            self._check_private(path, self._pushoverrc)
        return self._pushoverrc

    def _check_private(self, path: Path, settings: Mapping[str, str]) -> None:
        """Warn, as ssh does for keys, when a file holding a secret can be read by
        other users (it is still used: refusing it would break working setups)."""
        if os.name == "nt" or not {"token", "user", "e2ee_key"} & settings.keys():
            return  # (Windows has no such mode bits: its files show 0o666)
        try:
            mode = path.stat().st_mode
        except OSError:
            return
        if mode & 0o077:
            self.warn_once(
                f"{path} holds a secret and other users can read it "
                f"(mode {mode & 0o777:o}): chmod 600 {path}"
            )

    def warn_once(self, text: str) -> None:
        """One warning line on standard error, the first time it is given (with
        ``--json``, a JSON object ``{"warning": ...}``)."""
        if text in self.warned:
            return
        self.warned.add(text)
        if getattr(self.args, "json", False):
            print(json.dumps({"warning": text}), file=self.stderr)
        else:
            print(f"{PROG}: warning: {text}", file=self.stderr)

    def print(self, *lines: str) -> None:
        """Write *lines* to standard output; for people (not ``--json``), each with
        what could drive the terminal shown escaped (:func:`terminal_safe`)."""
        as_json = getattr(self.args, "json", False)
        for line in lines:
            print(line if as_json else terminal_safe(line), file=self.stdout)

    def setting(self, option: str, env: str | None, key: str) -> str | None:
        """A setting from its flag, else its environment variable, else our config
        file, else ``~/.pushoverrc``."""
        value: str | None = getattr(self.args, option, None)
        if value is not None and key == "token":
            self.warn_once(
                "--token on the command line is visible to every user of this machine "
                "(ps): set PUSHOVER_TOKEN or put it in the config file instead"
            )
        if value is None and env is not None:
            value = self.environ.get(env) or None
        if value is None:
            value = self.config().get(key)
        if value is None and key in ("token", "user"):
            value = self.pushoverrc().get(key)
            if value is not None:
                self.from_pushoverrc.add(key)
        if value is not None and could_work(key, value):
            self.secrets.append(value)
        return value

    def require_credentials(self) -> None:
        """For a command that needs both the token and the user key: when both are
        missing, one error says so (rather than one now, the other once it is set)."""
        token = self.setting("token", "PUSHOVER_TOKEN", "token")
        user = self.setting("user", "PUSHOVER_USER", "user")
        if token is None and user is None:
            raise UsageError(
                "no application token and no user key: pass --token and --user, set "
                'PUSHOVER_TOKEN and PUSHOVER_USER or add token = "..." and '
                f'user = "..." to {self.args.config or default_config_path(self.environ)}'
            )

    def client(self) -> Client:
        token = self.setting("token", "PUSHOVER_TOKEN", "token")
        if token is None:
            raise UsageError(
                "no application token: pass --token, set PUSHOVER_TOKEN or add "
                f'token = "..." to {self.args.config or default_config_path(self.environ)}'
            )
        return Client(token, base_url=self.base_url(), transport=self.transport())

    def base_url(self) -> str:
        return (
            self.setting("base_url", "PUSHOVER_BASE_URL", "base_url")
            or DEFAULT_BASE_URL
        )

    def transport(self) -> Urllib3Transport:
        """The transport ``--timeout`` and ``--retries`` describe; it says on standard
        error when a retry is pending."""
        from chump_typed._urllib3 import Urllib3Transport

        timeout: float = self.args.timeout
        retries: int = self.args.retries
        if not 0 < timeout < math.inf:
            raise UsageError(f"--timeout: must be more than 0 seconds, got {timeout:g}")
        if retries < 0:
            raise UsageError(f"--retries: must be 0 or more, got {retries}")
        return Urllib3Transport(
            timeout=timeout,
            retries=retries,
            on_retry=self._retry_notice,
            sleep=self.sleep,
        )

    def _retry_notice(self, event: RetryEvent) -> None:
        """Say at once, in one line on standard error, that a retry is pending, why
        and when: on a terminal or not (a cron job's log shows why a run took 35 s).
        With ``--json``, the line is a JSON object ``{"retrying": ...}``."""
        text = (
            f"{event.detail}; retrying in {event.wait:g} s "
            f"(attempt {event.attempt} of {self.args.retries + 1})"
        )
        if getattr(self.args, "json", False):
            text = json.dumps({"retrying": text})
        print(text, file=self.stderr, flush=True)

    def e2ee_key(self) -> E2EEKey | None:
        """With ``--encrypt``, the recipient's key: from ``PUSHOVER_E2EE_KEY``, else
        the config file's ``e2ee_key`` (never a flag's value, which ``ps`` shows)."""
        if not (
            getattr(self.args, "encrypt", False) or getattr(self.args, "decrypt", False)
        ):
            return None
        text = self.environ.get("PUSHOVER_E2EE_KEY") or self.config().get("e2ee_key")
        if text is None:
            raise UsageError(
                f"--{'encrypt' if getattr(self.args, 'encrypt', False) else 'decrypt'}: "
                "no key: set PUSHOVER_E2EE_KEY or add "
                f'e2ee_key = "..." to {self.args.config or default_config_path(self.environ)}'
            )
        try:
            from chump_typed.e2ee import E2EEKey
        except ImportError as exc:
            raise UsageError(str(exc)) from None
        key = E2EEKey.from_hex(text)  # its error never shows the value
        self.secrets.append(text)
        return key

    def user(self) -> str:
        user = self.setting("user", "PUSHOVER_USER", "user")
        if user is None:
            raise UsageError(
                "no user key: pass --user, set PUSHOVER_USER or add "
                f'user = "..." to {self.args.config or default_config_path(self.environ)}'
            )
        return user

    def emit(self, result: Result, *lines: str) -> int:
        """Write *result* as JSON with ``--json``, else as *lines*."""
        if self.args.json:
            print(json.dumps(plain(result), sort_keys=True), file=self.stdout)
        else:
            self.print(*lines)
        return EXIT_OK


#: The fewest characters of a password redacted from error texts: a shorter one
#: would cut ordinary words (the texts never quote a password anyway).
MIN_REDACTED_PASSWORD: Final = 4


def could_work(key: str, value: str) -> bool:
    """Whether *value* could be a working secret, to be redacted from error texts: a
    value that fails its format check cannot be one (and redacting a one-letter
    "token" would cut every word it appears in)."""
    from chump_typed._checks import KEY_PATTERN

    if key == "token":
        return KEY_PATTERN.fullmatch(value) is not None
    if key == "user":
        return all(KEY_PATTERN.fullmatch(part) for part in value.split(","))
    if key == "password":
        return len(value) >= MIN_REDACTED_PASSWORD
    if key == "twofa":
        return (
            value.isascii() and value.isdigit() and len(value) >= MIN_REDACTED_PASSWORD
        )
    if key == "secret":  # the receiving models, only for a session's secret
        from chump_typed.models.client_api import SECRET_PATTERN

        return SECRET_PATTERN.fullmatch(value) is not None and len(value) >= 8
    return False


#: What a sender's text may not send to a terminal as it is: C0 controls (escape
#: sequences, BEL, CR, LF), DEL, C1 controls (CSI included), the bidi overrides and
#: isolates, and the Unicode line and paragraph separators.
_UNSAFE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def terminal_safe(text: str) -> str:
    """*text* with every character of :data:`_UNSAFE` written as its escape
    (``\\x1b``, ``\\n``, ``\\u202e``): one message stays one visible line."""
    return _UNSAFE.sub(lambda match: ascii(match[0])[1:-1], text)


def _json_value(_instance: object, _field: object, value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return value


def plain(result: Result) -> dict[str, Any]:
    """*result* as JSON-ready data; fields hidden from the repr (user keys) left out."""
    return json_ready(result)


def json_ready(value: attrs.AttrsInstance) -> dict[str, Any]:
    """An attrs value as JSON-ready data (times as ISO 8601); fields hidden from the
    repr (user keys, secrets) left out."""
    return attrs.asdict(
        value,
        filter=lambda attribute, _value: bool(attribute.repr),
        value_serializer=_json_value,
    )


def when(moment: _dt.datetime | None) -> str:
    return "never" if moment is None else moment.isoformat()


def quota_lines(rate_limit: RateLimit | None) -> tuple[str, ...]:
    if rate_limit is None:
        return ()
    return (
        f"{rate_limit.remaining} of {rate_limit.limit} messages left this month "
        f"(resets {rate_limit.reset.isoformat()})",
    )
