"""The Open Client API's rows: receiving (pushover-api.md §13).

Rows of the endpoint table (:mod:`chump_typed._endpoints`), in their own module so
that they load, with their models, on first use: a script that only sends messages
pays for none of them.
"""

from __future__ import annotations

from typing import Final

from chump_typed import models
from chump_typed._endpoints import ACCOUNT, SESSION, Endpoint
from chump_typed.errors import TwoFactorRequired

__all__ = [
    "ACKNOWLEDGE",
    "DELETE_THROUGH",
    "DOWNLOAD_MESSAGES",
    "LOGIN",
    "REGISTER_DEVICE",
]

# -- The Open Client API: receiving (§13) ------------------------------------------------

LOGIN: Final = Endpoint(
    "login",
    "POST",
    "users/login.json",
    models.LoginRequest,
    models.LoginResult,
    credential=ACCOUNT,
    status_errors={412: TwoFactorRequired},
)
REGISTER_DEVICE: Final = Endpoint(
    "register_device",
    "POST",
    "devices.json",
    models.DeviceRequest,
    models.DeviceRegistration,
    credential=SESSION,
)
DOWNLOAD_MESSAGES: Final = Endpoint(
    "download_messages",
    "GET",
    "messages.json",
    models.DownloadRequest,
    models.MessageList,
    credential=SESSION,
    # A week offline is megabytes of JSON: more than the 1 MiB other answers get.
    max_response_size=models.DEFAULT_MAX_DOWNLOAD_SIZE,
)
DELETE_THROUGH: Final = Endpoint(
    "delete_through",
    "POST",
    "devices/{device_id}/update_highest_message.json",
    models.DeleteThroughRequest,
    models.DeleteThroughResult,
    credential=SESSION,
)
ACKNOWLEDGE: Final = Endpoint(
    "acknowledge",
    "POST",
    "receipts/{receipt}/acknowledge.json",
    models.AcknowledgeRequest,
    models.AcknowledgeResult,
    credential=SESSION,
)
