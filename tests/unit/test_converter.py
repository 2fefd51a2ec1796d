"""The converter owns the wire format; every model survives a round trip through it."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import models
from chump_typed._converter import (
    converter,
    unstructure_request,
)
from chump_typed.models._base import wire
from tests import strategies as s
from tests.fresh import printed_by

UTC = dt.timezone.utc


def _primitive(value: object) -> bool:
    if isinstance(value, dict):
        items = cast("dict[object, object]", value).items()
        return all(isinstance(k, str) and _primitive(v) for k, v in items)
    if isinstance(value, (list, tuple)):
        return all(_primitive(v) for v in cast("list[object]", value))
    return value is None or isinstance(value, (str, int))


class TestResultRoundTrip:
    """structure(unstructure(x)) == x, and the unstructured form is plain JSON data."""

    @pytest.mark.parametrize("cls", list(s.RESULTS), ids=lambda c: str(c.__name__))
    @given(data=st.data())
    def test_round_trip(self, cls: type[Any], data: st.DataObject) -> None:
        value = data.draw(s.RESULTS[cls])
        raw = converter.unstructure(value)

        assert _primitive(raw)
        assert value == converter.structure(raw, cls)


class TestRequests:
    @given(n=s.notifications())
    def test_unset_fields_are_left_out(self, n: models.Notification) -> None:
        wire = unstructure_request(n)

        for name, value in wire.items():
            assert value is not None, name
            assert isinstance(value, (str, int)), name
        assert ("html" in wire) == n.html
        assert ("priority" in wire) == (n.priority != models.Priority.NORMAL)
        assert ("title" in wire) == (n.title is not None)

    @given(n=s.notifications())
    def test_flags_and_times_become_integers(self, n: models.Notification) -> None:
        wire = unstructure_request(n)

        if n.html:
            assert wire["html"] == 1
        if n.monospace:
            assert wire["monospace"] == 1
        if isinstance(n.timestamp, dt.datetime):
            assert int(n.timestamp.timestamp()) == wire["timestamp"]
        if n.priority != models.Priority.NORMAL:
            assert int(n.priority) == wire["priority"]
            assert type(wire["priority"]) is int


class TestRequestRoundTrip:
    """A request read back from its wire form (as text, as a server sees it) is the
    same request; only a datetime timestamp comes back as the Unix seconds it was."""

    @pytest.mark.parametrize("cls", list(s.REQUESTS), ids=lambda c: str(c.__name__))
    @given(data=st.data())
    def test_round_trip(self, cls: type[Any], data: st.DataObject) -> None:
        value = data.draw(s.REQUESTS[cls])
        wire = {k: str(v) for k, v in unstructure_request(value).items()}
        expected = value
        if isinstance(getattr(value, "timestamp", None), dt.datetime):
            expected = attrs.evolve(value, timestamp=int(value.timestamp.timestamp()))
        if isinstance(value, models.GlanceUpdate):
            # A blank clears a glance field, so it reads back as CLEAR.
            blanks: dict[str, Any] = {
                f: models.CLEAR for f in models.GLANCE_FIELDS if wire.get(f) == ""
            }
            expected = attrs.evolve(value, **blanks)

        assert expected == converter.structure(wire, cls)


class TestWireRules:
    """A field's own wire rule sits in its metadata; the converter reads it from
    whatever attrs class it is given, not from a list of class names."""

    def test_a_rule_is_read_from_the_field(self) -> None:
        @attrs.frozen(kw_only=True)
        class Elsewhere:
            name: str | None = attrs.field(default=None, metadata=wire("blank_is_none"))
            memo: str = attrs.field(default="", metadata=wire("null_is_empty"))
            plain: str | None = None

        assert converter.structure({"name": "", "memo": None}, Elsewhere) == Elsewhere()
        # A field without a rule keeps the blank it is sent.
        assert converter.structure({"plain": ""}, Elsewhere).plain == ""

    def test_sending_loads_no_other_family(self) -> None:
        """The rules are found on the classes in hand: sending a message and reading a
        receipt load neither the glance family (CLEAR) nor the others."""
        probe = (
            "import sys\n"
            "from chump_typed import Notification, SEND_MESSAGE\n"
            "from chump_typed._converter import structure\n"
            "from chump_typed.models.followups import Receipt\n"
            "from chump_typed.protocol import encode_request\n"
            "encode_request(SEND_MESSAGE, Notification(user='u' * 30, message='m'),\n"
            "               token='t' * 30, base_url='https://api.pushover.net/1/')\n"
            "structure({'request': 'r', 'acknowledged': 0, 'acknowledged_by': ''},"
            " Receipt)\n"
            "print(sorted(m for m in sys.modules if m.startswith('chump_typed.models.')"
            " and m.split('.')[-1] in ('accounts', 'groups', 'client_api')))\n"
        )
        assert printed_by(probe).strip() == "[]"


class TestReceiptDecoding:
    def test_zero_times_and_blank_acknowledger_are_none(self) -> None:
        receipt = converter.structure(
            {
                "status": 1,
                "request": "r",
                "acknowledged": 0,
                "acknowledged_at": 0,
                "acknowledged_by": "",
                "acknowledged_by_device": "",
                "last_delivered_at": 0,
                "expired": 1,
                "expires_at": 1_700_000_000,
                "called_back": 0,
                "called_back_at": 0,
            },
            models.Receipt,
        )

        assert receipt.acknowledged is False
        assert receipt.expired is True
        assert receipt.acknowledged_at is None
        assert receipt.acknowledged_by is None
        assert receipt.acknowledged_by_device is None
        assert dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC) == receipt.expires_at

    @pytest.mark.parametrize("flag", [2, -1, "yes", 0.5, None])
    def test_flags_other_than_zero_or_one_are_refused(self, flag: object) -> None:
        with pytest.raises(Exception):  # noqa: B017, PT011 - any cattrs failure is fine here
            converter.structure(
                {"request": "r", "acknowledged": flag, "expired": 0}, models.Receipt
            )


class TestErrorResponses:
    @given(value=s.error_responses)
    def test_round_trip_through_to_dict(self, value: models.ErrorResponse) -> None:
        assert value == models.ErrorResponse.from_body(value.to_dict())

    @given(
        data=st.dictionaries(
            st.text(max_size=10),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3)
                ),
                max_leaves=8,
            ),
        )
    )
    def test_any_json_object_is_read_without_failing(
        self, data: dict[str, Any]
    ) -> None:
        response = models.ErrorResponse.from_body(data)

        assert isinstance(response.messages(), list)
        for key in data:
            if key not in ("status", "request", "errors", "receipt"):
                assert key in response.bad_inputs or key in response.extra
