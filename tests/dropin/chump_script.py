"""A chump 1.6.0 script whose only change is its import line.

It uses chump's documented interface and nothing else: check the credentials, look at
the user's devices and the application's sounds, send a message, then raise, poll and
cancel an emergency alert, and report a rejected recipient. tests/integration/test_dropin.py runs it
unchanged against the fake Pushover and type-checks it under ``mypy --strict``.
"""

import os
import sys
from datetime import datetime, timezone

import chump_typed as chump

TOKEN = os.environ.get("PUSHOVER_TOKEN", "azGDORePK8gMaC0QOYAMyEEuzJnyUi")
USER_KEY = os.environ.get("PUSHOVER_USER", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG")
STRANGER = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def main() -> int:
    app = chump.Application(TOKEN)
    if not app.is_authenticated:
        print("the application token was refused", file=sys.stderr)
        return 1
    user = app.get_user(USER_KEY)
    if not user.is_authenticated:
        print("the user key was refused", file=sys.stderr)
        return 1
    print("devices:", ", ".join(sorted(user.devices or set())))
    sound = "magic" if app.sounds is not None and "magic" in app.sounds else None

    message = user.send_message(
        "Backup finished",
        title="nightly",
        timestamp=datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc),
        url="https://backup.example/runs/42",
        url_title="run 42",
        priority=chump.HIGH,
        sound=sound,
    )
    if not message.is_sent:
        print("not sent:", message.error, file=sys.stderr)
        return 1
    print("sent:", message, "| id", message.id, "| remaining", app.remaining)

    alert = user.create_message(
        "Disk almost full", priority=chump.EMERGENCY, retry=60, expire=3600
    )
    alert.send()
    print("alert receipt:", alert.receipt is not None)
    print("still alerting:", alert.poll())
    print("cancelled:", alert.cancel())

    stranger = app.get_user(STRANGER)
    rejected = stranger.send_message("hello?")
    if rejected.error is not None:
        print("rejected:", rejected.error.bad_inputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
