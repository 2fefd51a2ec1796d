"""Receiving: Pushover's Open Client API (pushover-api.md §13), sync and async.

A receiving program logs in once, registers a device, and from then on downloads the
messages sent to the account and deletes the ones it has processed::

    client = OpenClient()
    session = client.login("me@example.com", password)   # TwoFactorRequired: twofa=
    device = session.register_device("my-listener")      # store session.secret, device.id
    for message in session.download(device):
        print(message.title, message.message)
    session.delete_through(device, message.id)

    for message in session.listen(device):                # then in real time
        print(message.message)                            # (extra chump_typed[receive])

Later runs resume with ``client.session(secret, device_id)`` rather than logging in
again. Every Open Client device needs a Pushover **Desktop licence** within 30 days of
its registration.

The calls are rows of the same endpoint table as the sending ones
(:data:`~chump_typed.LOGIN`, :data:`~chump_typed.REGISTER_DEVICE`,
:data:`~chump_typed.DOWNLOAD_MESSAGES`, :data:`~chump_typed.DELETE_THROUGH`,
:data:`~chump_typed.ACKNOWLEDGE`), authenticated by the session's secret.
"""

from __future__ import annotations

from chump_typed.errors import (
    LoggedInElsewhereError,
    PushRejectedError,
    PushStreamError,
    TwoFactorRequired,
)
from chump_typed.models.client_api import (
    DEFAULT_MAX_DOWNLOAD_SIZE,
    Device,
    ReceivedMessage,
    UndecodableMessage,
)
from chump_typed.receive._alisten import AsyncListener
from chump_typed.receive._async import AsyncOpenClient, AsyncSession
from chump_typed.receive._calls import DEFAULT_PUSH_URL, OnUndecodable
from chump_typed.receive._listen import Listener
from chump_typed.receive._sync import OpenClient, Session

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_SIZE",
    "DEFAULT_PUSH_URL",
    "AsyncListener",
    "AsyncOpenClient",
    "AsyncSession",
    "Device",
    "Listener",
    "LoggedInElsewhereError",
    "OnUndecodable",
    "OpenClient",
    "PushRejectedError",
    "PushStreamError",
    "ReceivedMessage",
    "Session",
    "TwoFactorRequired",
    "UndecodableMessage",
]
