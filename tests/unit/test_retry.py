"""The retry policy as a value: what it retries, how long it waits, that it stops.

Pure: no transport, no clock, no sleeping. The properties are the promises every
transport inherits by asking the same policy.
"""

from __future__ import annotations

import email.utils
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import RetryPolicy, ValidationError
from chump_typed._retry import (
    MIN_ATTEMPT,
    Answered,
    MaybeSent,
    NotConnected,
    Outcome,
    RetryAfter,
    RetryStop,
    parse_retry_after,
)

methods = st.sampled_from(["GET", "POST", "PUT", "DELETE"])
retry_after_headers = st.none() | st.sampled_from(["0", "1", "5", "61", "soon", ""])
outcomes: st.SearchStrategy[Outcome] = st.one_of(
    st.builds(NotConnected),
    st.builds(MaybeSent),
    st.builds(Answered, st.integers(min_value=100, max_value=599), retry_after_headers),
)
policies = st.builds(
    RetryPolicy,
    retries=st.integers(min_value=0, max_value=6),
    connect_retries=st.integers(min_value=0, max_value=6),
    read_retries=st.integers(min_value=0, max_value=6),
    status_retries=st.integers(min_value=0, max_value=6),
    backoff_floor=st.floats(min_value=0, max_value=30),
    backoff_factor=st.floats(min_value=0, max_value=10),
    backoff_max=st.floats(min_value=0, max_value=120),
    max_wait=st.floats(min_value=0, max_value=120),
)


class TestProperties:
    @given(policies, methods, st.lists(outcomes, max_size=8), st.booleans())
    def test_never_resends_a_non_get_that_may_have_reached_the_server(
        self,
        policy: RetryPolicy,
        method: str,
        before: list[Outcome],
        retryable: bool,
    ) -> None:
        for latest in (MaybeSent(), Answered(504)):
            decision = policy.decide(method, [*before, latest], retryable=retryable)
            if method != "GET":
                assert isinstance(decision, RetryStop)

    @given(
        policies,
        methods,
        st.lists(outcomes, max_size=8),
        st.integers(min_value=100, max_value=499),
        retry_after_headers,
    )
    def test_never_retries_a_4xx(
        self,
        policy: RetryPolicy,
        method: str,
        before: list[Outcome],
        status: int,
        retry_after: str | None,
    ) -> None:
        decision = policy.decide(method, [*before, Answered(status, retry_after)])

        assert isinstance(decision, RetryStop)

    @given(policies, methods, st.lists(outcomes, min_size=1, max_size=8))
    def test_never_waits_less_than_the_floor_or_the_servers_retry_after(
        self, policy: RetryPolicy, method: str, history: list[Outcome]
    ) -> None:
        decision = policy.decide(method, history)

        if isinstance(decision, RetryAfter):
            assert decision.wait >= policy.backoff_floor
            latest = history[-1]
            if isinstance(latest, Answered):
                assert decision.wait >= (parse_retry_after(latest.retry_after) or 0)

    @given(policies, methods, st.lists(outcomes, min_size=20, max_size=20))
    def test_always_stops(
        self, policy: RetryPolicy, method: str, endless: list[Outcome]
    ) -> None:
        # However the attempts keep failing, at most `retries` retries are made.
        attempts = 0
        while attempts < len(endless):
            attempts += 1
            if isinstance(policy.decide(method, endless[:attempts]), RetryStop):
                break
        assert attempts <= policy.retries + 1

    @given(policies, methods, st.lists(outcomes, min_size=1, max_size=8))
    def test_a_call_that_costs_money_is_retried_only_when_nothing_was_sent(
        self, policy: RetryPolicy, method: str, history: list[Outcome]
    ) -> None:
        decision = policy.decide(method, history, retryable=False)

        if not isinstance(history[-1], NotConnected):
            assert isinstance(decision, RetryStop)

    @given(
        policies,
        st.lists(outcomes, min_size=1, max_size=8),
        st.floats(min_value=0, max_value=200),
    )
    def test_no_retry_starts_that_cannot_finish_before_the_deadline(
        self, policy: RetryPolicy, history: list[Outcome], remaining: float
    ) -> None:
        decision = policy.decide("GET", history, remaining=remaining)

        if isinstance(decision, RetryAfter):
            assert decision.wait + MIN_ATTEMPT <= remaining


class TestTable:
    @pytest.mark.parametrize(
        ("method", "expected"),
        [("GET", {500, 502, 503, 504}), ("POST", {500, 502, 503})],
    )
    def test_statuses_retried(self, method: str, expected: set[int]) -> None:
        policy = RetryPolicy()

        retried = {
            status
            for status in range(100, 600)
            if isinstance(policy.decide(method, [Answered(status)]), RetryAfter)
        }

        assert expected == retried

    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_a_failed_connection_is_retried_for_any_method(self, method: str) -> None:
        assert isinstance(RetryPolicy().decide(method, [NotConnected()]), RetryAfter)

    def test_a_lost_answer_is_retried_for_get_only(self) -> None:
        policy = RetryPolicy()

        assert isinstance(policy.decide("GET", [MaybeSent()]), RetryAfter)
        assert isinstance(policy.decide("POST", [MaybeSent()]), RetryStop)

    def test_each_cause_has_its_own_count(self) -> None:
        policy = RetryPolicy(retries=10, connect_retries=1, read_retries=2)

        assert isinstance(policy.decide("GET", [NotConnected()]), RetryAfter)
        assert isinstance(policy.decide("GET", [NotConnected()] * 2), RetryStop)
        assert isinstance(
            policy.decide("GET", [NotConnected(), MaybeSent(), MaybeSent()]),
            RetryAfter,
        )
        assert isinstance(policy.decide("GET", [MaybeSent()] * 3), RetryStop)

    def test_zero_retries_never_retries(self) -> None:
        assert isinstance(
            RetryPolicy(retries=0).decide("GET", [NotConnected()]), RetryStop
        )

    def test_a_decision_needs_an_outcome(self) -> None:
        with pytest.raises(ValueError, match="outcomes"):
            RetryPolicy().decide("GET", [])

    def test_every_decision_says_why(self) -> None:
        policy = RetryPolicy()

        assert "HTTP 503" in policy.decide("POST", [Answered(503)]).reason
        assert "may have reached" in policy.decide("POST", [MaybeSent()]).reason
        assert "HTTP 429" in policy.decide("GET", [Answered(429)]).reason


class TestWaits:
    def test_default_waits_are_5_10_20_seconds(self) -> None:
        policy = RetryPolicy()

        waits = [policy.decide("GET", [NotConnected()] * n) for n in (1, 2, 3)]

        assert [w.wait for w in waits if isinstance(w, RetryAfter)] == [5, 10, 20]

    @given(
        floor=st.floats(min_value=0, max_value=30),
        factor=st.floats(min_value=0, max_value=10),
        failures=st.integers(min_value=1, max_value=8),
    )
    def test_exponential_backoff_above_the_floor(
        self, floor: float, factor: float, failures: int
    ) -> None:
        policy = RetryPolicy(backoff_floor=floor, backoff_factor=factor)

        expected = 0.0 if failures == 1 else min(60.0, factor * 2 ** (failures - 1))
        assert policy.backoff(failures) == max(floor, expected)

    def test_retry_after_in_seconds_lengthens_the_wait(self) -> None:
        decision = RetryPolicy().decide("GET", [Answered(503, "40")])

        assert isinstance(decision, RetryAfter)
        assert decision.wait == 40

    def test_retry_after_as_a_date(self) -> None:
        now = 1_800_000_000.0
        later = email.utils.formatdate(now + 40, usegmt=True)

        decision = RetryPolicy().decide("GET", [Answered(503, later)], now=now)

        assert isinstance(decision, RetryAfter)
        assert decision.wait == 40

    @pytest.mark.parametrize("value", ["soon", "-3", "1.5", "", "Mon, 99 Foo 2020"])
    def test_malformed_retry_after_falls_back_to_the_backoff(self, value: str) -> None:
        decision = RetryPolicy().decide("GET", [Answered(503, value)], now=0.0)

        assert isinstance(decision, RetryAfter)
        assert decision.wait == 5

    def test_retry_after_beyond_max_wait_ends_the_retries(self) -> None:
        policy = RetryPolicy(max_wait=60)

        assert isinstance(policy.decide("GET", [Answered(503, "61")]), RetryStop)
        assert isinstance(policy.decide("GET", [Answered(503, "60")]), RetryAfter)

    def test_a_wait_past_the_deadline_stops_at_once(self) -> None:
        policy = RetryPolicy()

        decision = policy.decide("GET", [NotConnected()], remaining=5.5)

        assert isinstance(decision, RetryStop)
        assert "deadline" in decision.reason
        assert isinstance(
            policy.decide("GET", [NotConnected()], remaining=6.0), RetryAfter
        )


class TestKnobs:
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"retries": -1}, "retries"),
            ({"connect_retries": -1}, "connect_retries"),
            ({"read_retries": -1}, "read_retries"),
            ({"status_retries": -1}, "status_retries"),
            ({"retry_statuses": [429]}, "retry_statuses"),
            ({"retry_statuses": [400, 500]}, "retry_statuses"),
            ({"backoff_floor": -0.1}, "backoff_floor"),
            ({"backoff_floor": math.nan}, "backoff_floor"),
            ({"backoff_factor": -1}, "backoff_factor"),
            ({"backoff_max": math.inf}, "backoff_max"),
            ({"backoff_max": -1}, "backoff_max"),
            ({"max_wait": -1}, "max_wait"),
        ],
    )
    def test_bad_values_name_the_knob(self, kwargs: dict[str, Any], field: str) -> None:
        with pytest.raises(ValidationError) as info:
            RetryPolicy(**kwargs)

        assert field == info.value.field

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"retries": 1.5},
            {"retries": True},
            {"retry_statuses": "500"},
            {"retry_statuses": [500.0]},
            {"backoff_floor": "0"},
        ],
    )
    def test_wrong_types(self, kwargs: dict[str, Any]) -> None:
        with pytest.raises(TypeError):
            RetryPolicy(**kwargs)

    def test_defaults(self) -> None:
        policy = RetryPolicy()

        assert (
            policy.retries,
            policy.connect_retries,
            policy.read_retries,
            policy.status_retries,
            policy.backoff_floor,
            policy.backoff_factor,
            policy.backoff_max,
            policy.max_wait,
        ) == (3, 3, 2, 2, 5.0, 5.0, 60.0, 60.0)
        assert {500, 502, 503, 504} == policy.retry_statuses
