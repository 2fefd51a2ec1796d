"""A send cut off while it writes its body leaves nothing for the collector to warn
about: the async httpx transport sends a body through a plain iterator, not httpx's
async generator (encode/httpx#3686), which trio reports as a ``ResourceWarning``
when it is collected unfinished. The cut-off is a real one: a loopback server that
never reads, and a body larger than the socket buffers."""

from __future__ import annotations

import gc
import socket
import threading
import warnings

import anyio
import pytest

from chump_typed import AsyncHttpxTransport, HTTPRequest
from tests.loopback import serving

pytestmark = pytest.mark.integration

#: More than loopback's socket buffers hold, so that the write blocks.
BODY = b"x" * (16 * 1024 * 1024)


def _never_reads(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)


@pytest.mark.parametrize("backend", ["trio", "asyncio"])
def test_a_send_cut_off_mid_body_leaves_no_unfinished_generator(backend: str) -> None:
    caught: list[warnings.WarningMessage] = []

    async def main(url: str) -> None:
        transport = AsyncHttpxTransport(retries=0)
        request = HTTPRequest(
            method="POST",
            url=url + "messages.json",
            headers={"Content-Type": "application/octet-stream"},
            body=BODY,
        )
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            with anyio.move_on_after(0.5) as scope:
                await transport.send(request)
            gc.collect()  # the collector meets whatever the cut-off left
            await anyio.sleep(0)  # trio finalizes async generators in its loop
            await anyio.sleep(0)
            caught.extend(seen)
        await transport.aclose()
        assert scope.cancelled_caught  # cut off in the write, not answered

    with serving(_never_reads) as served:
        anyio.run(main, served.url, backend=backend)
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
