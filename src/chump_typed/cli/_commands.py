"""The subcommands: each one call of the typed client, printed for people or as JSON."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from chump_typed.cli._run import (
    EXIT_OK,
    MIN_POLL_INTERVAL,
    Run,
    UsageError,
    quota_lines,
    when,
)
from chump_typed.models import (
    Attachment,
    EmergencySendResult,
    SendResult,
    notification_for,
)
from chump_typed.models.messages import (
    MESSAGE_MAX,
    TRUNCATION_MARKER,
    truncate_message,
)

if TYPE_CHECKING:  # the followups family loads with the command that uses it
    from chump_typed.models import (
        AppLimits,
        CancelByTagResult,
        Receipt,
        SoundList,
        UserValidation,
    )

__all__ = ["COMMANDS"]


def _without_line_end(text: str) -> str:
    return text.removesuffix("\n").removesuffix("\r")


def _read_message(run: Run) -> tuple[str, bool]:
    """The message, and whether it is whole.

    Standard input is read no further than needed: to its end, or until more than
    :data:`MESSAGE_MAX` characters have arrived (one line ending that may end the
    input not counted), so an endless pipe (``tail -f log``) gives the first ones and
    is not read to an end that never comes. A message cut short is over the limit:
    ``--truncate`` cuts it, else it is refused.
    """
    text: str | None = run.args.message
    if text is not None and text != "-":
        return text, True
    if text is None and run.stdin.isatty():
        raise UsageError("no message: give it as an argument or on standard input")
    data = ""
    while len(_without_line_end(data)) <= MESSAGE_MAX:
        # Only what the outcome needs: read(n) returns once n have arrived.
        chunk = run.stdin.read(MESSAGE_MAX + 1 - len(_without_line_end(data)))
        if not chunk:
            return _without_line_end(data), True
        data += chunk
    return data, False


def _attachment(run: Run) -> Attachment | None:
    path: Path | None = run.args.attachment
    kind: str | None = run.args.attachment_type
    if path is None:
        if kind is not None:
            raise UsageError("--attachment-type: needs --attachment FILE")
        return None
    # Unreadable, too big or of an unknown type: a ValidationError naming the file.
    return Attachment.from_path(path, content_type=kind)


def _message(run: Run) -> str:
    """The message, cut to Pushover's limit only when ``--truncate`` says so."""
    text, whole = _read_message(run)
    if len(text) <= MESSAGE_MAX:
        return text
    if not run.args.truncate:
        got = len(text) if whole else f"more than {MESSAGE_MAX}"
        raise UsageError(
            f"message: at most {MESSAGE_MAX} characters, got {got}: shorten "
            f"it, or pass --truncate to cut it to {MESSAGE_MAX} ending in "
            f"{TRUNCATION_MARKER.strip()!r}"
        )
    return truncate_message(text)


def _send(run: Run) -> int:
    args = run.args
    devices: list[str] | None = args.device
    run.require_credentials()
    user = run.user()
    if devices is None and "user" in run.from_pushoverrc:
        # The profile that named the user names its default device too.
        device = run.pushoverrc().get("device")
        devices = None if device is None else [device]
    notification = notification_for(
        user=user,
        message=_message(run),
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
    e2ee_key = run.e2ee_key()  # read and checked before anything is sent
    with run.client() as client:
        result: SendResult = client.send(notification, e2ee_key=e2ee_key)
    lines = [f"sent (request {result.request})"]
    if isinstance(result, EmergencySendResult):
        lines.append(f"receipt: {result.receipt}")
    return run.emit(result, *lines, *quota_lines(result.rate_limit))


def _sounds(run: Run) -> int:
    with run.client() as client:
        result: SoundList = client.sounds()
    width = max(map(len, result.sounds), default=0)
    lines = [
        f"{name:<{width}}  {label}" for name, label in sorted(result.sounds.items())
    ]
    return run.emit(result, *lines)


def _validate(run: Run) -> int:
    run.require_credentials()
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
        state = f"acknowledged at {when(receipt.acknowledged_at)} on {device}"
    elif receipt.expired:
        state = f"expired unacknowledged at {when(receipt.expires_at)}"
    else:
        state = f"not acknowledged yet; retries until {when(receipt.expires_at)}"
    return (state, f"last delivered: {when(receipt.last_delivered_at)}")


def _receipt(run: Run) -> int:
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
                    f"expires {when(result.expires_at)}",
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


def _cancel(run: Run) -> int:
    with run.client() as client:
        result = client.cancel(run.args.receipt)
    return run.emit(result, f"cancelled (request {result.request})")


def _cancel_tag(run: Run) -> int:
    with run.client() as client:
        result: CancelByTagResult = client.cancel_by_tag(run.args.tag)
    count = "" if result.canceled is None else f" {result.canceled} message(s)"
    return run.emit(result, f"cancelled{count} (request {result.request})")


def _limits(run: Run) -> int:
    with run.client() as client:
        result: AppLimits = client.limits()
    return run.emit(
        result,
        f"{result.remaining} of {result.limit} messages left this month "
        f"(resets {result.reset.isoformat()})",
    )


def _demo(run: Run) -> int:
    from chump_typed._demo import run_demo

    return run_demo(run.print)


#: The account ``chump-typed fake`` serves, for ``login`` and ``listen`` to try.
FAKE_EMAIL: Final = "me@example.com"
FAKE_PASSWORD: Final = "fake password"


def _fake(run: Run) -> int:
    """Serve the fake Pushover until Ctrl-C, and print what to paste to use it."""
    import importlib.util

    from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve

    fake = FakePushover()
    fake.add_account(FAKE_EMAIL, FAKE_PASSWORD, user=USER_KEY)  # PUSHOVER_USER's
    with serve(fake, port=run.args.port) as base_url:
        lines = [
            "# the fake Pushover is serving; paste these lines into another shell:",
            f"export PUSHOVER_BASE_URL={base_url} PUSHOVER_TOKEN={APP_TOKEN} "
            f"PUSHOVER_USER={USER_KEY}",
            "# Client, AsyncClient, Application, OpenClient and PushoverHandler made "
            "without base_url= then use it, and so does this command line",
        ]
        if importlib.util.find_spec("websockets") is not None:
            lines += [
                f"export PUSHOVER_PUSH_URL={fake.push_url}",
                f"# to receive: chump-typed login --email {FAKE_EMAIL} (password: "
                f"{FAKE_PASSWORD!r}), then chump-typed listen",
            ]
        run.print(*lines, "# Ctrl-C stops it")
        run.stdout.flush()
        try:
            while True:
                run.sleep(3600)
        except KeyboardInterrupt:
            pass
    run.print(f"stopped after {len(fake.messages)} messages")
    return EXIT_OK


def _login(run: Run) -> int:
    from chump_typed.cli._login import login

    return login(run)


def _listen(run: Run) -> int:
    from chump_typed.cli._login import listen

    return listen(run)


COMMANDS: Final[Mapping[str, Callable[[Run], int]]] = {
    "send": _send,
    "sounds": _sounds,
    "validate": _validate,
    "receipt": _receipt,
    "cancel": _cancel,
    "cancel-tag": _cancel_tag,
    "limits": _limits,
    "login": _login,
    "listen": _listen,
    "demo": _demo,
    "fake": _fake,
}
