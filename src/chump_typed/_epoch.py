"""Unix seconds as aware UTC datetimes: the one time rule of Pushover's wire, kept
apart from the converter so that reading a header or a callback needs no cattrs."""

from __future__ import annotations

import datetime as _dt
from typing import Final

__all__ = ["epoch_to_datetime"]

_UTC: Final = _dt.timezone.utc


def epoch_to_datetime(value: object) -> _dt.datetime:
    """Unix seconds (an int, or a string of digits) to an aware UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"expected Unix seconds, got {type(value).__name__}")
    return _dt.datetime.fromtimestamp(int(value), tz=_UTC)
