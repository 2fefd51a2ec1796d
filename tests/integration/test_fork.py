"""Fork safety: a client used, then forked (gunicorn ``--preload``, Celery prefork,
``multiprocessing``), gives each process the answers to its own requests.

Parent and child send at once through the client they share. Every request id each
one got back must be the id the fake gave that very message; before the fix they
shared one kept-alive socket and read each other's answers.
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from chump_typed import (
    Application,
    Client,
    HttpxTransport,
    Notification,
    RetryPolicy,
    Urllib3Transport,
)
from chump_typed._deadline import WATCHDOG
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve
from tests import figures

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only"),
]

MESSAGES = 30

#: Seconds a child may run before it is killed.
CHILD_LIMIT = 30


def forked(child: Callable[[], list[str]]) -> tuple[int, Callable[[], list[str]]]:
    """Run *child* in a forked process; return its pid and a function that waits for
    the lines it printed (or raises with its error)."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # 3.12+ warns that forking a threaded process can deadlock: what is tested.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            signal.alarm(CHILD_LIMIT)  # a child that hangs dies, and the test fails
            os.close(read_end)
            lines = child()
            os.write(write_end, "\n".join(lines).encode())
            code = 0
        except BaseException as exc:  # reported to the parent, which fails the test
            os.write(write_end, f"child failed: {exc!r}".encode())
        finally:
            os._exit(code)
    os.close(write_end)

    def result() -> list[str]:
        chunks: list[bytes] = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
        text = b"".join(chunks).decode()
        assert os.waitstatus_to_exitcode(status) == 0, text
        return text.splitlines()

    return pid, result


def sends(client: Client, who: str) -> list[str]:
    lines: list[str] = []
    for index in range(MESSAGES):
        text = f"{who} {index}"
        lines.append(
            f"{text}\t{client.send(Notification(user=USER_KEY, message=text)).request}"
        )
    return lines


def crossed(fake: FakePushover, lines: list[str]) -> int:
    """How many answers carried another message's request id."""
    ids = {m.message: m.request for m in fake.messages}
    pairs = [line.split("\t") for line in lines]
    return sum(ids.get(text) != request for text, request in pairs)


@pytest.mark.parametrize("kind", [Urllib3Transport, HttpxTransport])
def test_parent_and_child_each_get_their_own_answers(
    kind: type[Urllib3Transport | HttpxTransport],
) -> None:
    fake = FakePushover(limit=1_000_000)
    with serve(fake) as url:
        client = Client(
            APP_TOKEN,
            base_url=url,
            transport=kind(retries=RetryPolicy(backoff_floor=0)),
        )
        client.send(Notification(user=USER_KEY, message="before the fork"))
        _, child_lines = forked(lambda: sends(client, "child"))
        parent = sends(client, "parent")
        child = child_lines()
        client.close()

    assert len(parent) == len(child) == MESSAGES
    assert crossed(fake, parent + child) == 0
    assert len(fake.messages) == 1 + 2 * MESSAGES
    # The parent kept its connection; the child opened its own and closed nothing.
    assert fake.connections_opened == 2
    figures.add("fork: answers checked", 2 * MESSAGES)


def test_the_facade_after_a_fork() -> None:
    fake = FakePushover(limit=1_000_000)
    with serve(fake) as url:
        app = Application(
            APP_TOKEN,
            base_url=url,
            transport=Urllib3Transport(retries=RetryPolicy(backoff_floor=0)),
        )
        user = app.get_user(USER_KEY)
        user.send_message("before the fork")

        def child() -> list[str]:
            return [
                f"child {i}\t{user.send_message(f'child {i}').id}" for i in range(5)
            ]

        _, child_lines = forked(child)
        parent = [
            f"parent {i}\t{user.send_message(f'parent {i}').id}" for i in range(5)
        ]
        lines = parent + child_lines()

    assert crossed(fake, lines) == 0


@pytest.mark.parametrize("holder", ["watchdog", "application", "user"])
def test_a_lock_held_at_fork_time_does_not_hang_the_child(holder: str) -> None:
    """Another thread holds a lock at the moment of the fork (the deadline watchdog's,
    as a call starting or ending does; the facade's, as loading sounds or checking a
    key does): the child must not wait for a thread it does not have."""
    fake = FakePushover(limit=1_000_000)
    held, release = threading.Event(), threading.Event()

    with serve(fake) as url:
        app = Application(
            APP_TOKEN,
            base_url=url,
            transport=Urllib3Transport(retries=RetryPolicy(backoff_floor=0)),
        )
        user = app.get_user(USER_KEY)
        locks: dict[str, AbstractContextManager[object]] = {
            "watchdog": WATCHDOG._lock,  # pyright: ignore[reportPrivateUsage]
            "application": app._lock,  # pyright: ignore[reportPrivateUsage]
            "user": user._lock,  # pyright: ignore[reportPrivateUsage]
        }
        lock = locks[holder]

        def hold() -> None:
            with lock:
                held.set()
                release.wait()

        def child() -> list[str]:
            assert user.is_authenticated  # takes the user's and the app's locks
            return sends(app.client, "child")[:3]

        holding = threading.Thread(target=hold)
        holding.start()
        held.wait()
        try:
            _, child_lines = forked(child)
        finally:
            release.set()
            holding.join()
        lines = child_lines()

    assert len(lines) == 3
    assert crossed(fake, lines) == 0
