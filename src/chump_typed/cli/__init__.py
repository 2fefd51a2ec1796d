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
130   interrupted by Ctrl-C (``fake`` and ``listen`` stop with 0)
====  =================================================================

An error is one line on standard error, never a traceback, and never contains the
token or the user key.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from chump_typed._redact import redact_text
from chump_typed._scrub import scrub_public
from chump_typed._transport_base import RETRY_LOGGER
from chump_typed.cli._commands import COMMANDS
from chump_typed.cli._parser import build_parser
from chump_typed.cli._run import (
    EXIT_CODES,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_QUOTA,
    EXIT_REJECTED,
    EXIT_USAGE,
    MIN_POLL_INTERVAL,
    PROG,
    Run,
    describe_error,
    terminal_safe,
)

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_QUOTA",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "MIN_POLL_INTERVAL",
    "main",
]


def _one_line(text: str, secrets: Sequence[str]) -> str:
    """*text* on one line, each secret replaced where it stands as a whole word (the
    secrets kept are only values that could work: see ``Run.setting``)."""
    text = redact_text(text, secrets)
    for secret in secrets:  # the short ones too, where they stand as a whole word
        if secret:
            text = re.sub(
                rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])",
                "<redacted>",
                text,
            )
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
    # The command says each pending retry itself (Run.transport): the transports'
    # WARNING record of it is not printed a second time (by logging's last resort).
    quiet = logging.NullHandler()
    retry_log = logging.getLogger(RETRY_LOGGER)
    retry_log.addHandler(quiet)
    try:
        return _main(argv, environ, stdin, stdout, err, sleep)
    finally:
        retry_log.removeHandler(quiet)


def _main(
    argv: Sequence[str] | None,
    environ: Mapping[str, str] | None,
    stdin: TextIO | None,
    stdout: TextIO | None,
    err: TextIO,
    sleep: Callable[[float], None],
) -> int:
    secrets: list[str] = []
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)
        run = Run(
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
        return COMMANDS[args.command](run)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=err)
        return EXIT_INTERRUPTED
    except Exception as exc:
        code = next((c for kind, c in EXIT_CODES if isinstance(exc, kind)), None)
        if code is None:
            # A bug: still one line, and the type only (its text could hold anything).
            print(
                f"{PROG}: internal error: {type(exc).__name__} (please report it)",
                file=err,
            )
            return 1
        text = _one_line(describe_error(exc), secrets)
        if args is not None and getattr(args, "json", False):
            error = {"error": text, "exit_code": code, "kind": type(exc).__name__}
            print(json.dumps(error, sort_keys=True), file=err)
        else:
            print(f"{PROG}: error: {terminal_safe(text)}", file=err)
        return code


scrub_public(globals())
