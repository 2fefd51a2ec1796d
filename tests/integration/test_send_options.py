"""Per-call options (``HTTPRequest.options``, a :class:`SendOptions`): their deadline and
retry policy replace the transport's for that call only, on every transport
(tests/wires.py). The requests are encoded as a client encodes them, then given their
options, and sent straight to the transport: a shared transport is the point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
import attrs
import pytest

from chump_typed import SEND_MESSAGE, Notification, RetryPolicy, TransportError
from chump_typed.protocol import HTTPRequest, HTTPResponse, SendOptions, encode_request
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, Fault, serve
from tests.integration.test_deadline import trickled_headers
from tests.loopback import serving
from tests.wires import Wire

pytestmark = pytest.mark.integration

#: Retries without waiting.
NO_WAIT = RetryPolicy(backoff_floor=0, backoff_factor=0)


def message(base_url: str, options: SendOptions | None = None) -> HTTPRequest:
    request = encode_request(
        SEND_MESSAGE,
        Notification(user=USER_KEY, message="per call"),
        token=APP_TOKEN,
        base_url=base_url,
    )
    return attrs.evolve(request, options=options)


def send_each(
    wire: Wire, requests: Sequence[HTTPRequest], **knobs: Any
) -> list[HTTPResponse]:
    """Send *requests* one after the other through one transport of *wire*."""
    transport = wire.transport(**knobs)
    if wire.backend is None:
        with transport:
            return [transport.send(request) for request in requests]

    async def run() -> list[HTTPResponse]:
        async with transport:
            return [await transport.send(request) for request in requests]

    return anyio.run(run, backend=wire.backend)


def test_a_per_call_deadline_replaces_the_transport_s(wire: Wire) -> None:
    """The transport would wait 60 s; the call's own deadline cuts the trickling
    answer off, and the error names it."""
    with serving(trickled_headers) as served, pytest.raises(TransportError) as info:
        send_each(
            wire, [message(served.url, SendOptions(deadline=0.5))], retries=NO_WAIT
        )

    assert "within the 0.5 s deadline" in str(info.value)
    assert info.value.may_have_been_sent
    assert served.connections == 1


def test_a_per_call_policy_retries_what_the_transport_s_would_not(wire: Wire) -> None:
    fake = FakePushover(faults=[Fault.UNAVAILABLE_JSON, None, Fault.UNAVAILABLE_JSON])
    with serve(fake) as url:
        retried, plain = send_each(
            wire,
            [message(url, SendOptions(retries=NO_WAIT)), message(url)],
            retries=0,
        )

    assert retried.status == 200  # the 503 was retried, for this call
    assert plain.status == 503  # the next call has the transport's policy: none
    assert len(fake.requests) == 3
    assert [m.message for m in fake.messages] == ["per call"]


def test_a_per_call_policy_stops_what_the_transport_s_would_retry(
    wire: Wire,
) -> None:
    fake = FakePushover(faults=[Fault.UNAVAILABLE_JSON, Fault.UNAVAILABLE_JSON, None])
    once = SendOptions(retries=RetryPolicy(retries=0))
    with serve(fake) as url:
        stopped, plain = send_each(
            wire, [message(url, once), message(url)], retries=NO_WAIT
        )

    assert stopped.status == 503
    assert plain.status == 200  # the transport's own policy retried it
    assert len(fake.requests) == 3
