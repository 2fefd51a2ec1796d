"""What every budget's claims share: the stable digest a claim stores instead of its
key, and the check of a claim's seconds."""

from __future__ import annotations

import hashlib
import math
from typing import Final

from chump_typed.errors import ValidationError

__all__ = ["COLLAPSED_KEPT", "check_seconds", "key_digest"]

#: Seconds a claim's count of collapsed repeats is kept after its window, waiting for
#: a sender to take it (:meth:`~chump_typed.budget.MemoryBudget.take_collapsed`).
COLLAPSED_KEPT: Final = 86400.0


def key_digest(key: object) -> bytes:
    """The stable digest a claim stores instead of its *key*: 16 bytes of BLAKE2b,
    the same on every machine and Python version (never the key's text)."""
    if not isinstance(key, str):
        raise TypeError(f"key: expected a str, got a {type(key).__name__}")
    return hashlib.blake2b(
        key.encode("utf-8", "surrogatepass"), digest_size=16, person=b"chump_typed"
    ).digest()


def check_seconds(field: str, value: object) -> float:
    """A finite number of seconds above 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"{field}: expected seconds (int or float), got a {type(value).__name__}"
        )
    if not (math.isfinite(value) and value > 0):
        raise ValidationError(
            field, f"must be a finite number of seconds > 0, got {value!r}"
        )
    return float(value)
