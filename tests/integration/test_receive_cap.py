"""The answer cap is a property of the row: a request's options carry a larger cap
(the Open Client download's 16 MiB) and every transport honours it, while the other
calls keep the transport's 1 MiB; and the receiving session checks its setting."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from chump_typed import (
    AiohttpTransport,
    AsyncHttpxTransport,
    HttpxTransport,
    UnexpectedResponseError,
    Urllib3Transport,
    ValidationError,
)
from chump_typed.protocol import HTTPRequest, HTTPResponse, SendOptions
from chump_typed.receive import DEFAULT_MAX_DOWNLOAD_SIZE, OpenClient
from chump_typed.receive._calls import READ_ONE_BY_ONE
from tests.integration.hostile_open_client import (
    DEVICE,
    SECRET,
    Hostile,
    Served,
    message,
    serving,
)

pytestmark = pytest.mark.integration

MiB = 1024 * 1024


@pytest.fixture
def served() -> Iterator[Served]:
    state = Hostile()
    state.add(*(message(n, "x" * 1000) for n in range(1, 2001)))  # about 2.3 MB
    with serving(state) as served:
        yield served


def download(served: Served, cap: int | None) -> HTTPRequest:
    options = None if cap is None else SendOptions(max_response_size=cap)
    return HTTPRequest(
        method="GET",
        url=f"{served.base_url}messages.json?secret={SECRET}&device_id={DEVICE}",
        options=options,
    )


def send(name: str, request: HTTPRequest) -> HTTPResponse:
    if name == "urllib3":
        with Urllib3Transport() as sync:
            return sync.send(request)
    if name == "httpx":
        with HttpxTransport() as sync_httpx:
            return sync_httpx.send(request)

    async def main() -> HTTPResponse:
        chosen = AiohttpTransport() if name == "aiohttp" else AsyncHttpxTransport()
        async with chosen as transport:
            return await transport.send(request)

    return asyncio.run(main())


@pytest.mark.parametrize("name", ["urllib3", "httpx", "aiohttp", "httpx-asyncio"])
def test_every_transport_takes_the_cap_a_request_carries(
    served: Served, name: str
) -> None:
    answer = send(name, download(served, DEFAULT_MAX_DOWNLOAD_SIZE))
    assert answer.status == 200 and len(answer.body) > 2 * MiB
    with pytest.raises(UnexpectedResponseError, match="larger than 1048576 bytes"):
        send(name, download(served, None))  # the transport's own
    with pytest.raises(UnexpectedResponseError, match="larger than 2097152 bytes"):
        send(name, download(served, 2 * MiB))


def test_the_download_rows_carry_the_larger_cap() -> None:
    from chump_typed import DOWNLOAD_MESSAGES, SEND_MESSAGE

    assert DOWNLOAD_MESSAGES.max_response_size == DEFAULT_MAX_DOWNLOAD_SIZE == 16 * MiB
    assert READ_ONE_BY_ONE.max_response_size == DEFAULT_MAX_DOWNLOAD_SIZE
    assert SEND_MESSAGE.max_response_size is None  # the transport's 1 MiB


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "16"])
def test_max_download_size_is_checked(bad: object) -> None:
    with pytest.raises((ValidationError, TypeError), match="max_download_size"):
        OpenClient(max_download_size=bad)  # type: ignore[arg-type]  # on purpose
    with pytest.raises((ValidationError, TypeError), match="max_response_size"):
        SendOptions(max_response_size=bad)  # type: ignore[arg-type]  # on purpose
