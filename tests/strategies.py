"""Hypothesis strategies: one per model, plus the building blocks of Pushover's rules.

Every new model gets a strategy here (the attrs habit), so the round-trip and table
tests cover it automatically through :data:`REQUESTS` and :data:`RESULTS`.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any, Final

from hypothesis import strategies as st

from chump_typed import models

ALNUM: Final = string.ascii_letters + string.digits
DEVICE_CHARS: Final = ALNUM + "_-"
UTC: Final = dt.timezone.utc

keys = st.text(ALNUM, min_size=30, max_size=30)
"""User keys, group keys, tokens and receipts: exactly 30 letters and digits."""

device_names = st.text(DEVICE_CHARS, min_size=1, max_size=25)
request_ids = st.uuids().map(str)

# Text without surrogates (they cannot be encoded to send).
characters = st.characters(exclude_categories=["Cs"])
any_text = st.text(characters)


def text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.text(characters, min_size=min_size, max_size=max_size)


line = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\r\n\x00"),
    min_size=1,
    max_size=40,
)
"""Free strings that may reach a path or a header: no CR, LF or NUL."""

epochs = st.integers(min_value=1, max_value=4_102_444_800)  # up to 2100
aware_datetimes = epochs.map(lambda s: dt.datetime.fromtimestamp(s, tz=UTC))


@st.composite
def recipients(draw: st.DrawFn) -> str:
    return ",".join(draw(st.lists(keys, min_size=1, max_size=50)))


@st.composite
def device_lists(draw: st.DrawFn) -> str:
    return ",".join(draw(st.lists(device_names, min_size=1, max_size=4)))


@st.composite
def notifications(draw: st.DrawFn) -> models.Notification:
    """Any valid message request, emergency or not."""
    priority = draw(st.sampled_from(models.Priority))
    html = draw(st.booleans())
    fields: dict[str, Any] = {
        "user": draw(recipients()),
        "message": draw(text(1024, min_size=1)),
        "title": draw(st.none() | text(250)),
        "url": draw(st.none() | text(512)),
        "url_title": draw(st.none() | text(100)),
        "device": draw(st.none() | device_lists()),
        "priority": priority,
        "sound": draw(st.none() | line),
        "timestamp": draw(st.none() | epochs | aware_datetimes),
        "html": html,
        "monospace": (not html) and draw(st.booleans()),
    }
    if priority == models.Priority.EMERGENCY:
        fields["retry"] = draw(st.integers(min_value=30, max_value=100_000))
        fields["expire"] = draw(st.integers(min_value=1, max_value=10800))
        fields["callback"] = draw(st.none() | line)
        fields["tags"] = draw(st.none() | line)
    else:
        fields["ttl"] = draw(st.none() | st.integers(min_value=1, max_value=10**9))
    return models.Notification(**fields)


rate_limits = st.builds(
    models.RateLimit,
    limit=st.integers(min_value=0, max_value=10**9),
    remaining=st.integers(min_value=0, max_value=10**9),
    reset=aware_datetimes,
)
optional_rate_limits = st.none() | rate_limits

send_results = st.builds(
    models.SendResult,
    request=request_ids,
    rate_limit=optional_rate_limits,
    receipt=st.none() | keys,
)
sound_lists = st.builds(
    models.SoundList,
    request=request_ids,
    rate_limit=optional_rate_limits,
    sounds=st.dictionaries(st.text(DEVICE_CHARS, min_size=1, max_size=20), text(40)),
)
user_validations = st.builds(
    models.UserValidation,
    request=request_ids,
    rate_limit=optional_rate_limits,
    devices=st.lists(device_names, max_size=5).map(tuple),
    licenses=st.lists(st.sampled_from(["Android", "iOS", "Desktop"]), max_size=3).map(
        tuple
    ),
    group=st.booleans(),
)
receipts = st.builds(
    models.Receipt,
    request=request_ids,
    rate_limit=optional_rate_limits,
    acknowledged=st.booleans(),
    acknowledged_at=st.none() | aware_datetimes,
    acknowledged_by=st.none() | keys,
    acknowledged_by_device=st.none() | device_names,
    last_delivered_at=st.none() | aware_datetimes,
    expired=st.booleans(),
    expires_at=st.none() | aware_datetimes,
    called_back=st.booleans(),
    called_back_at=st.none() | aware_datetimes,
)
cancel_results = st.builds(
    models.CancelResult, request=request_ids, rate_limit=optional_rate_limits
)
cancel_by_tag_results = st.builds(
    models.CancelByTagResult,
    request=request_ids,
    rate_limit=optional_rate_limits,
    canceled=st.none() | st.integers(min_value=0, max_value=10**6),
)
app_limits = st.builds(
    models.AppLimits,
    request=request_ids,
    rate_limit=optional_rate_limits,
    limit=st.integers(min_value=0, max_value=10**9),
    remaining=st.integers(min_value=0, max_value=10**9),
    reset=aware_datetimes,
)

#: A strategy for every request model, keyed by the model.
REQUESTS: Final[dict[type[Any], st.SearchStrategy[Any]]] = {
    models.Notification: notifications(),
    models.SoundsRequest: st.just(models.SoundsRequest()),
    models.ValidateUserRequest: st.builds(
        models.ValidateUserRequest, user=keys, device=st.none() | device_names
    ),
    models.ReceiptRequest: st.builds(models.ReceiptRequest, receipt=keys),
    models.CancelRequest: st.builds(models.CancelRequest, receipt=keys),
    models.CancelByTagRequest: st.builds(models.CancelByTagRequest, tag=line),
    models.LimitsRequest: st.just(models.LimitsRequest()),
}

#: A strategy for every result model, keyed by the model.
RESULTS: Final[dict[type[Any], st.SearchStrategy[Any]]] = {
    models.SendResult: send_results,
    models.SoundList: sound_lists,
    models.UserValidation: user_validations,
    models.Receipt: receipts,
    models.CancelResult: cancel_results,
    models.CancelByTagResult: cancel_by_tag_results,
    models.AppLimits: app_limits,
}

error_responses = st.builds(
    models.ErrorResponse,
    status=st.integers(min_value=-5, max_value=5).filter(lambda s: s != 1),
    request=st.none() | request_ids,
    errors=st.lists(text(60), max_size=3).map(tuple)
    | st.dictionaries(
        st.text(ALNUM, min_size=1, max_size=12),
        st.lists(text(60), min_size=1, max_size=2).map(tuple),
        max_size=3,
    ),
    bad_inputs=st.dictionaries(
        st.sampled_from(["user", "token", "device", "message", "sound"]), text(30)
    ),
    receipt=st.none() | keys,
)
