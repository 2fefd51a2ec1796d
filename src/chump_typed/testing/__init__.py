"""A fake Pushover for tests: in memory, over real loopback HTTP, with fault injection.

:class:`FakePushover` implements every endpoint of the Pushover API at the wire level
and applies Pushover's rules *independently* of chump_typed's own validators, so a test
against it checks the client rather than agreeing with it by construction. It records
everything it accepted. :class:`FakeTransport` plugs it into a client without sockets;
:func:`serve` puts it on ``127.0.0.1`` behind a real HTTP/1.1 server.

Zero configuration works, using the example identifiers of Pushover's documentation::

    >>> from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover
    >>> fake = FakePushover()
    >>> body = f"token={APP_TOKEN}&user={USER_KEY}&message=hello".encode()
    >>> headers = {"content-type": "application/x-www-form-urlencoded"}
    >>> fake.handle("POST", "/1/messages.json", headers, body).status
    200
    >>> [m.message for m in fake.messages]
    ['hello']

Over HTTP, with the first request failing after the server processed it::

    >>> import urllib3
    >>> from chump_typed.testing import Fault, serve
    >>> fake = FakePushover(faults=[Fault.SERVER_ERROR_HTML])
    >>> with serve(fake) as base_url, urllib3.PoolManager() as http:
    ...     first = http.request("GET", f"{base_url}sounds.json?token={APP_TOKEN}")
    ...     second = http.request("GET", f"{base_url}sounds.json?token={APP_TOKEN}")
    >>> first.status, second.status, fake.connections_opened
    (500, 200, 1)
"""

from __future__ import annotations

from chump_typed.testing._fake import FakePushover
from chump_typed.testing._faults import (
    Disconnect,
    Exchange,
    Fault,
    FaultStep,
    ReceivedRequest,
    Slow,
)
from chump_typed.testing._server import serve
from chump_typed.testing._state import (
    APP_TOKEN,
    BUILTIN_SOUNDS,
    DEFAULT_CREDITS,
    DEFAULT_LIMIT,
    GROUP_KEY,
    MAX_ATTACHMENT_BYTES,
    SUBSCRIPTION_CODE,
    TEAM_TOKEN,
    USER_DEVICES,
    USER_KEY,
    ClientDevice,
    Group,
    License,
    Membership,
    ReceiptState,
    SentAttachment,
    SentMessage,
    TeamMember,
)
from chump_typed.testing._transport import AsyncFakeTransport, FakeTransport

__all__ = [
    "APP_TOKEN",
    "BUILTIN_SOUNDS",
    "DEFAULT_CREDITS",
    "DEFAULT_LIMIT",
    "GROUP_KEY",
    "MAX_ATTACHMENT_BYTES",
    "SUBSCRIPTION_CODE",
    "TEAM_TOKEN",
    "USER_DEVICES",
    "USER_KEY",
    "AsyncFakeTransport",
    "ClientDevice",
    "Disconnect",
    "Exchange",
    "FakePushover",
    "FakeTransport",
    "Fault",
    "FaultStep",
    "Group",
    "License",
    "Membership",
    "ReceiptState",
    "ReceivedRequest",
    "SentAttachment",
    "SentMessage",
    "Slow",
    "TeamMember",
    "serve",
]
