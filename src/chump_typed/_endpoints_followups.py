"""The rows of what follows a message: sounds, user validation, receipts and their
cancellation, the monthly limits (pushover-api.md §5-§7).

Rows of the endpoint table (:mod:`chump_typed._endpoints`), in their own module so
that they load, with their models, on first use: a script that only sends messages
pays for none of them.
"""

from __future__ import annotations

from typing import Final

from chump_typed import models
from chump_typed._endpoints import Endpoint

__all__ = [
    "CANCEL_BY_TAG",
    "CANCEL_RECEIPT",
    "GET_LIMITS",
    "GET_RECEIPT",
    "LIST_SOUNDS",
    "VALIDATE_USER",
]

LIST_SOUNDS: Final = Endpoint(
    "list_sounds", "GET", "sounds.json", models.SoundsRequest, models.SoundList
)
VALIDATE_USER: Final = Endpoint(
    "validate_user",
    "POST",
    "users/validate.json",
    models.ValidateUserRequest,
    models.UserValidation,
)
GET_RECEIPT: Final = Endpoint(
    "get_receipt",
    "GET",
    "receipts/{receipt}.json",
    models.ReceiptRequest,
    models.Receipt,
)
CANCEL_RECEIPT: Final = Endpoint(
    "cancel_receipt",
    "POST",
    "receipts/{receipt}/cancel.json",
    models.CancelRequest,
    models.CancelResult,
)
CANCEL_BY_TAG: Final = Endpoint(
    "cancel_by_tag",
    "POST",
    "receipts/cancel_by_tag/{tag}.json",
    models.CancelByTagRequest,
    models.CancelByTagResult,
)
GET_LIMITS: Final = Endpoint(
    "get_limits", "GET", "apps/limits.json", models.LimitsRequest, models.AppLimits
)
