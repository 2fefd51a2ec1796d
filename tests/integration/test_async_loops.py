"""One AsyncClient and many event loops (issue 35, items 2 and 7), on every async
transport (aiohttp, httpx under asyncio and under trio, and the default one chosen on
first use), against the fake served over loopback.

The rule (src/chump_typed/_loops.py): the first loop that uses a client binds it; any
other loop gets a RuntimeError naming both, even when the first use happens in
several threads at once; aclose() in the bound loop unbinds it; a forked child's
first loop binds it afresh, with connections of its own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import pytest

from chump_typed import (
    AiohttpTransport,
    AsyncClient,
    AsyncHttpxTransport,
    Notification,
    RetryPolicy,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve
from tests.integration.test_fork import crossed, forked

pytestmark = pytest.mark.integration

#: (anyio backend, transport): every async transport under every loop it supports.
WIRES = [
    ("asyncio", "aiohttp"),
    ("asyncio", "httpx"),
    ("trio", "httpx"),
    ("asyncio", "default"),
    ("trio", "default"),
]

RACERS = 8


@pytest.fixture(params=WIRES, ids=lambda wire: "-".join(wire))
def wire(request: pytest.FixtureRequest) -> tuple[str, str]:
    chosen: tuple[str, str] = request.param
    return chosen


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover(limit=1_000_000)


@pytest.fixture
def url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as base_url:
        yield base_url


def client_for(wire: tuple[str, str], url: str) -> AsyncClient:
    policy = RetryPolicy(backoff_floor=0)
    transports: dict[str, Callable[[], Any]] = {
        "aiohttp": lambda: AiohttpTransport(retries=policy),
        "httpx": lambda: AsyncHttpxTransport(retries=policy),
        "default": lambda: None,
    }
    return AsyncClient(APP_TOKEN, base_url=url, transport=transports[wire[1]]())


def note(text: str) -> Notification:
    return Notification(user=USER_KEY, message=text)


def test_threads_racing_at_first_use_bind_one_loop(
    wire: tuple[str, str], fake: FakePushover, url: str
) -> None:
    """Eight threads each run a loop that sends through one fresh client, released
    together: one loop binds it and sends; the seven others get a RuntimeError
    naming both loops, before anything is sent or any connection opened. The winner
    closes the client in its own loop once all have tried."""
    client = client_for(wire, url)
    start, tried = threading.Barrier(RACERS), threading.Barrier(RACERS)
    results: dict[str, BaseException | str] = {}

    async def race() -> None:
        me = threading.current_thread().name
        await anyio.to_thread.run_sync(start.wait)
        try:
            results[me] = (await client.send(note(me))).request
        except RuntimeError as error:
            results[me] = error
        await anyio.to_thread.run_sync(tried.wait)
        if isinstance(results[me], str):
            await client.aclose()

    racers = [
        threading.Thread(
            target=anyio.run, args=(race,), kwargs={"backend": wire[0]}, name=f"r{n}"
        )
        for n in range(RACERS)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    winners = [name for name, got in results.items() if isinstance(got, str)]
    assert len(results) == RACERS and len(winners) == 1
    [winner] = winners
    for name, got in results.items():
        if name == winner:
            continue
        assert isinstance(got, RuntimeError)
        text = str(got)
        assert "another event loop" in text
        assert f"thread '{winner}'" in text and f"thread '{name}'" in text
    assert [m.message for m in fake.messages] == [winner]
    assert fake.connections_opened == 1


def test_after_aclose_the_next_loop_binds_it_afresh(
    wire: tuple[str, str], fake: FakePushover, url: str
) -> None:
    client = client_for(wire, url)

    async def send_and_close(text: str) -> None:
        await client.send(note(text))
        await client.aclose()

    anyio.run(send_and_close, "first", backend=wire[0])
    anyio.run(send_and_close, "second", backend=wire[0])

    assert [m.message for m in fake.messages] == ["first", "second"]


def test_closing_from_another_loop_is_refused(
    wire: tuple[str, str], fake: FakePushover, url: str
) -> None:
    client = client_for(wire, url)
    with anyio.from_thread.start_blocking_portal(wire[0]) as bound:
        bound.call(client.send, note("in the bound loop"))
        with pytest.raises(RuntimeError, match="another event loop"):
            anyio.run(client.aclose, backend=wire[0])
        bound.call(client.send, note("still usable"))  # nothing was closed
        bound.call(client.aclose)

    assert len(fake.messages) == 2


MESSAGES = 10


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_binds_the_client_afresh(
    wire: tuple[str, str], fake: FakePushover, url: str
) -> None:
    """A client used in the parent's loop (alive in a thread, as a server's is) and
    then forked: the child's first loop binds it and opens its own connection; each
    process gets the answers to its own requests, and the parent's connection is
    left alone."""
    client = client_for(wire, url)

    async def sends(who: str) -> list[str]:
        lines: list[str] = []
        for index in range(MESSAGES):
            text = f"{who} {index}"
            lines.append(f"{text}\t{(await client.send(note(text))).request}")
        return lines

    with anyio.from_thread.start_blocking_portal(wire[0]) as parent_loop:
        parent_loop.call(client.send, note("before the fork"))
        _, child_lines = forked(
            lambda: anyio.run(sends, "child", backend=wire[0])  # its own loop
        )
        parent = parent_loop.call(sends, "parent")
        child = child_lines()
        parent_loop.call(client.aclose)

    assert len(parent) == len(child) == MESSAGES
    assert crossed(fake, parent + child) == 0
    assert len(fake.messages) == 1 + 2 * MESSAGES
    assert fake.connections_opened == 2  # the parent's, kept; the child's own
