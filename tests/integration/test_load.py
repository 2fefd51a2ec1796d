"""Load: 8 threads share one ``Application`` (and, separately, one ``Client``).

Every message must arrive exactly once, no call may fail, and never more than 2
connections may be open at once (Pushover's limit). The suite sends a few hundred
messages; ``CHUMP_LOAD_MESSAGES=5000`` runs the full size. Wall time is reported in
the terminal summary, never asserted.

Also here: the facade's lazy attributes, loaded once however many threads ask.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import pytest

from chump_typed import Application, Client, Notification
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
    serve,
)
from tests import figures

THREADS: Final = 8
MESSAGES: Final = int(os.environ.get("CHUMP_LOAD_MESSAGES", "400"))


def run_load(name: str, fake: FakePushover, send: Callable[[str], bool]) -> None:
    """Send MESSAGES messages from THREADS threads; check and report the figures."""
    texts = [f"{name} {n}" for n in range(MESSAGES)]
    errors: list[BaseException] = []
    refused: list[str] = []

    def one(text: str) -> None:
        try:
            if not send(text):
                refused.append(text)
        except Exception as error:  # counted and reported, then asserted empty
            errors.append(error)

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, texts))
    elapsed = time.perf_counter() - started

    counts = Counter(m.message for m in fake.messages)
    duplicates = sum(1 for text in texts if counts[text] > 1)
    lost = sum(1 for text in texts if counts[text] == 0)
    prefix = f"load ({name}, {THREADS} threads)"
    figures.add(f"{prefix}: messages", MESSAGES)
    figures.add(f"{prefix}: errors", len(errors) + len(refused))
    figures.add(f"{prefix}: duplicates", duplicates)
    figures.add(f"{prefix}: lost", lost)
    figures.peak(f"{prefix}: peak connections", fake.peak_connections)
    figures.add(f"{prefix}: wall time (s)", elapsed)
    figures.add(f"{prefix}: messages per second", MESSAGES / elapsed)

    assert errors == []
    assert refused == []
    assert duplicates == 0
    assert lost == 0
    assert len(fake.messages) == MESSAGES
    assert fake.peak_connections <= 2


@pytest.mark.integration
def test_threads_share_one_application() -> None:
    fake = FakePushover(limit=MESSAGES + 10)
    with serve(fake) as url:
        app = Application(APP_TOKEN, base_url=url)
        user = app.get_user(USER_KEY)

        def send(text: str) -> bool:
            assert app.is_authenticated  # lazy attributes, read concurrently
            assert user.devices == {"iphone", "droid2"}
            return user.send_message(text).is_sent

        run_load("Application", fake, send)
        app.client.close()
    assert app.remaining == 10


@pytest.mark.integration
def test_threads_share_one_client() -> None:
    fake = FakePushover(limit=MESSAGES + 10)
    with serve(fake) as url, Client(APP_TOKEN, base_url=url) as client:

        def send(text: str) -> bool:
            return bool(client.send(Notification(user=USER_KEY, message=text)).request)

        run_load("Client", fake, send)


class GatedTransport(FakeTransport):
    """Holds each request until every reader thread has reached the attribute, then a
    moment more: readers that were not serialised would all find it unloaded. (The
    pause only widens the window a regression would need; passing never depends on
    it.)"""

    def __init__(self, fake: FakePushover, arrived: threading.Event) -> None:
        super().__init__(fake)
        self.arrived = arrived

    def send(self, request: HTTPRequest) -> HTTPResponse:
        self.arrived.wait(timeout=5)
        threading.Event().wait(0.02)
        return super().send(request)


@pytest.mark.parametrize("attribute", ["sounds", "is_authenticated", "devices"])
def test_lazy_attributes_load_once_under_threads(attribute: str) -> None:
    fake = FakePushover()
    arrived = threading.Event()
    app = Application(APP_TOKEN, transport=GatedTransport(fake, arrived))
    user = app.get_user(USER_KEY)
    owner: object = user if attribute == "devices" else app
    count = iter(range(1, THREADS + 1))
    count_lock = threading.Lock()

    def read(_: int) -> object:
        with count_lock:
            if next(count) == THREADS:
                arrived.set()
        value: object = getattr(owner, attribute)
        return repr(value)

    with ThreadPoolExecutor(THREADS) as pool:
        values = set(pool.map(read, range(THREADS)))

    assert len(values) == 1
    expected = "/1/users/validate.json" if attribute == "devices" else "/1/sounds.json"
    assert [r.path for r in fake.requests] == [expected]
