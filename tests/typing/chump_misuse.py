"""Misuse of chump that stubs/chump-stubs must reject.

Each marked line carries the mypy error code it must produce, as a
``# type: ignore[code]`` comment: the repository-wide mypy run (strict, hence
warn_unused_ignores) fails if a marked line stops erroring, and
tests/integration/test_chump_stubs.py strips the comments and checks that mypy reports
exactly these codes on exactly these lines. Never imported or executed.
"""

from datetime import datetime

import chump


def misuse(app: chump.Application, user: chump.User, when: datetime) -> None:
    chump.Application(123456789012345678901234567890)  # type: ignore[arg-type]
    chump.User(app, None)  # type: ignore[arg-type]
    user.create_message(b"bytes body")  # type: ignore[call-overload]

    # A plain Message has no receipt and cannot be polled.
    message = user.create_message("hi", priority=chump.HIGH)
    _ = message.receipt  # type: ignore[attr-defined]
    user.send_message("hi").poll()  # type: ignore[attr-defined]

    # Setters convert, but only from what chump accepts.
    message.timestamp = "yesterday"  # type: ignore[assignment]
    message.html = 2  # type: ignore[assignment]
    message.priority = None  # type: ignore[assignment]

    # Lazily loaded values are None when authentication failed.
    _ = app.sounds["pushover"]  # type: ignore[index]
    len(user.devices)  # type: ignore[arg-type]
    _ = chump.http_date_to_datetime("garbage").year  # type: ignore[union-attr]

    # Ordering raises TypeError at runtime. (Instances are unhashable too, and
    # the stubs say so with __hash__: None, but only pyright checks that.)
    _ = app < app  # type: ignore[operator]

    # Constants are Final.
    chump.EMERGENCY = 3  # type: ignore[misc]  # mypy only: pyright allows it

    chump.datetime_to_epoch(1700000000)  # type: ignore[arg-type]
    chump.epoch_to_datetime(when)  # type: ignore[arg-type]
    _ = chump.REQUESTS["sounds"]  # type: ignore[index]
