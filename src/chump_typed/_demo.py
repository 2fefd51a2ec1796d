"""``python -m chump_typed demo``: the whole chump-style flow against the embedded fake.

Starts :func:`chump_typed.testing.serve` on loopback, then drives the public
chump-compatible facade exactly as a user would: authenticate, send a message, send an
emergency message, acknowledge it in the fake, poll, cancel. Every step is printed with
the rate-limit figures Pushover reports.
"""

from __future__ import annotations

from collections.abc import Callable

from chump_typed.compat import EMERGENCY, Application
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve

__all__ = ["run_demo"]


def _limits(app: Application) -> str:
    if app.limit is None:
        return "limits: not reported yet"
    reset = app.reset.isoformat() if app.reset is not None else "?"
    return f"limits: {app.remaining}/{app.limit} left, resets {reset}"


def run_demo(out: Callable[[str], object] = print) -> int:
    """Run the demo, writing each step with *out*; returns a process exit code."""
    fake = FakePushover()
    with serve(fake) as base_url:
        out(f"fake Pushover listening at {base_url}")
        app = Application(APP_TOKEN, base_url=base_url)
        try:
            out(f"1. application authenticated: {app.is_authenticated}")
            sounds = app.sounds or {}
            out(
                f"   {len(sounds)} sounds available, e.g. {', '.join(sorted(sounds)[:3])}"
            )
            user = app.get_user(USER_KEY)
            out(
                f"2. user authenticated: {user.is_authenticated}; devices: {sorted(user.devices or ())}"
            )

            message = user.send_message("Hello from chump_typed", title="Demo")
            out(f"3. message sent: {message.is_sent} (request id {message.id})")
            out(f"   {_limits(app)}")

            alarm = user.send_message(
                "The server room is on fire", priority=EMERGENCY, retry=60, expire=3600
            )
            out(f"4. emergency message sent: {alarm.is_sent}, receipt {alarm.receipt}")
            out(f"   {_limits(app)}")
            out(f"5. polled: still waiting for acknowledgement: {alarm.poll()}")

            if alarm.receipt is None:
                out("   no receipt was issued; stopping")
                return 1
            fake.acknowledge(alarm.receipt, device="iphone")
            out("6. the recipient acknowledges the alarm on their iphone (in the fake)")
            waiting = alarm.poll()
            who = "the user" if alarm.acknowledged_by == user else "someone else"
            out(
                f"7. polled: still waiting: {waiting}; acknowledged: {alarm.is_acknowledged} "
                f"by {who} at {alarm.acknowledged_at}"
            )
            out(f"8. cancelled further retries: {alarm.cancel()}")
            out(f"done: the fake recorded {len(fake.messages)} messages")
        finally:
            app.client.close()
    return 0
