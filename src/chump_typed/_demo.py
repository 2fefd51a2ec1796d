"""``python -m chump_typed demo``: the whole chump-style flow against the embedded fake,
with a receiving device on the other end.

Starts :func:`chump_typed.testing.serve` on loopback, then drives the public
chump-compatible facade exactly as a user would: authenticate, send a message, send an
emergency message, poll, cancel. On the other end an Open Client device
(:mod:`chump_typed.receive`) logs in to the same account, gets each message as it
arrives (over the realtime WebSocket when websockets is installed, the extra
``chump_typed[receive]``; by downloading otherwise) and acknowledges the emergency.
Every step is printed with the rate-limit figures Pushover reports.
"""

from __future__ import annotations

import importlib.util
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Final

from chump_typed.compat import EMERGENCY, Application
from chump_typed.models import ReceivedMessage
from chump_typed.receive import DEFAULT_PUSH_URL, OpenClient, Session
from chump_typed.testing import APP_TOKEN, FakePushover, serve

__all__ = ["run_demo"]

_EMAIL: Final = "demo@example.com"
_PASSWORD: Final = "demo password"
#: How long the demo waits for its device to receive a message before giving up.
_PATIENCE: Final = 30.0


def _limits(app: Application) -> str:
    if app.limit is None:
        return "limits: not reported yet"
    reset = app.reset.isoformat() if app.reset is not None else "?"
    return f"limits: {app.remaining}/{app.limit} left, resets {reset}"


class _Device:
    """The receiving end: a thread that listens (or downloads) and queues each
    message it gets."""

    def __init__(self, session: Session, device_id: str, realtime: bool) -> None:
        self.session, self.device_id, self.realtime = session, device_id, realtime
        self.inbox: queue.Queue[ReceivedMessage] = queue.Queue()
        self._listener = session.listen(device_id) if realtime else None
        self._thread = threading.Thread(target=self._follow, daemon=True)
        if self._listener is not None:
            self._thread.start()

    def _follow(self) -> None:
        assert self._listener is not None
        for message in self._listener:
            self.inbox.put(message)

    def next(self) -> ReceivedMessage:
        """The next message the device receives.

        :raises TimeoutError: none arrived within :data:`_PATIENCE` seconds.
        """
        if self._listener is None:
            for message in self._downloaded():
                self.inbox.put(message)
        try:
            return self.inbox.get(timeout=_PATIENCE)
        except queue.Empty:
            raise TimeoutError(
                f"the device received nothing within {_PATIENCE:g} s"
            ) from None

    def _downloaded(self) -> Iterator[ReceivedMessage]:
        messages = self.session.download(self.device_id)
        yield from messages
        if messages:
            self.session.delete_through(self.device_id, messages[-1].id)

    def close(self) -> None:
        """Stop listening, and wait for the thread (before its client closes)."""
        if self._listener is not None:
            self._listener.close()
            self._thread.join(_PATIENCE)


def run_demo(out: Callable[[str], object] = print) -> int:
    """Run the demo, writing each step with *out*; returns a process exit code."""
    fake = FakePushover()
    user_key = fake.add_account(_EMAIL, _PASSWORD)
    realtime = importlib.util.find_spec("websockets") is not None
    with serve(fake) as base_url:
        out(f"fake Pushover listening at {base_url}")
        push_url = fake.push_url if realtime else DEFAULT_PUSH_URL
        receiver = OpenClient(base_url=base_url, push_url=push_url)
        session = receiver.login(_EMAIL, _PASSWORD)
        device = session.register_device("demo-desk")
        phone = _Device(session, device.id, realtime)
        how = "the realtime stream" if realtime else "downloads (no websockets)"
        out(f"0. an Open Client device 'demo-desk' logged in; it receives by {how}")
        app = Application(APP_TOKEN, base_url=base_url)
        try:
            out(f"1. application authenticated: {app.is_authenticated}")
            sounds = app.sounds or {}
            out(
                f"   {len(sounds)} sounds available, e.g. {', '.join(sorted(sounds)[:3])}"
            )
            user = app.get_user(user_key)
            out(
                f"2. user authenticated: {user.is_authenticated}; devices: {sorted(user.devices or ())}"
            )

            message = user.send_message("Hello from chump_typed", title="Demo")
            out(f"3. message sent: {message.is_sent} (request id {message.id})")
            out(f"   {_limits(app)}")
            got = phone.next()
            out(f"   the device received: {got.title}: {got.message}")

            alarm = user.send_message(
                "The server room is on fire", priority=EMERGENCY, retry=60, expire=3600
            )
            out(f"4. emergency message sent: {alarm.is_sent}, receipt {alarm.receipt}")
            out(f"   {_limits(app)}")
            out(f"5. polled: still waiting for acknowledgement: {alarm.poll()}")

            urgent = phone.next()
            if urgent.receipt is None:
                out("   the device got no receipt; stopping")
                return 1
            session.acknowledge(urgent.receipt)
            out("6. the device acknowledges the alarm through the Open Client API")
            waiting = alarm.poll()
            # A device acknowledged (step 6); the receipt names the account it belongs to.
            whose = "the user's" if alarm.acknowledged_by == user else "another user's"
            out(
                f"7. polled: still waiting: {waiting}; acknowledged: {alarm.is_acknowledged} "
                f"on {whose} device '{device.name}' at {alarm.acknowledged_at}"
            )
            out(f"8. cancelled further retries: {alarm.cancel()}")
            out(f"done: the fake recorded {len(fake.messages)} messages")
        finally:
            phone.close()
            receiver.close()
            app.client.close()
    return 0
