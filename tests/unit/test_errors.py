"""The error tree: chump's APIError contract, typed extras, pickling, no secrets."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from chump_typed import (
    APIError,
    PushoverError,
    QuotaExceededError,
    RateLimit,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)

TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
WHEN = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)


def chump_style_error() -> APIError:
    return APIError(
        f"https://api.pushover.net/1/receipts/x.json?token={TOKEN}",
        {"token": TOKEN, "user": USER, "message": "hi"},
        {
            "status": 0,
            "request": "req-1",
            "errors": ["user identifier is invalid", "device name is not valid"],
            "user": "invalid",
            "device": "invalid for this user",
            "receipt": "R" * 30,
        },
        WHEN,
    )


class TestTree:
    def test_every_error_is_a_pushover_error(self) -> None:
        for cls in (
            ValidationError,
            APIError,
            QuotaExceededError,
            TransportError,
            UnexpectedResponseError,
        ):
            assert issubclass(cls, PushoverError)
        assert issubclass(ValidationError, ValueError)
        assert issubclass(QuotaExceededError, APIError)

    def test_validation_error_names_field_and_problem(self) -> None:
        error = ValidationError("retry", "must be >= 30, got 5")

        assert error.field == "retry"
        assert str(error) == "retry: must be >= 30, got 5"


class TestAPIError:
    def test_chump_constructor_and_attributes(self) -> None:
        error = chump_style_error()

        assert error.id == "req-1"
        assert error.status == 0
        assert error.errors == [
            "user identifier is invalid",
            "device name is not valid",
        ]
        assert error.bad_inputs == {
            "user": "invalid",
            "device": "invalid for this user",
        }
        assert error.receipt == "R" * 30
        assert error.timestamp == WHEN
        assert str(error) == (
            "user identifier is invalid, device name is not valid (request req-1)"
        )
        assert error.response["request"] == "req-1"

    def test_timestamp_is_always_an_aware_datetime(self) -> None:
        """chump documents "a datetime of when this error was raised": never None."""
        before = dt.datetime.now(dt.timezone.utc)
        unset = APIError("u", {}, {"status": 0}, None)
        naive = APIError("u", {}, {"status": 0}, dt.datetime(2024, 5, 1, 12))

        assert before <= unset.timestamp <= dt.datetime.now(dt.timezone.utc)
        assert naive.timestamp == dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc)

    @pytest.mark.parametrize("body", [{}, {"request": None}, {"request": 7}])
    def test_id_is_always_a_string(self, body: dict[str, object]) -> None:
        assert APIError("u", {}, body, WHEN).id == ""

    def test_secrets_are_redacted(self) -> None:
        error = chump_style_error()

        for text in (str(error), repr(error), error.url, repr(error.request)):
            assert TOKEN not in text
            assert USER not in text
        assert error.request["message"] == "hi"

    @pytest.mark.parametrize(
        "error",
        [
            chump_style_error(),
            QuotaExceededError(
                "https://x.test/1/messages.json",
                {},
                {"status": 0, "request": "r", "errors": ["over quota"]},
                WHEN,
                rate_limit=RateLimit(limit=1, remaining=0, reset=WHEN),
            ),
            TransportError("reset", may_have_been_sent=True),
            UnexpectedResponseError("bad gateway", http_status=502, body=b"<html>"),
            ValidationError("message", "too long"),
        ],
        ids=type,
    )
    def test_errors_survive_pickling(self, error: PushoverError) -> None:
        copy = pickle.loads(pickle.dumps(error))

        assert type(error) is type(copy)
        assert str(error) == str(copy)
        assert vars(error) == vars(copy)

    def test_quota_error_reset_time(self) -> None:
        error = QuotaExceededError(
            "u",
            {},
            {"status": 0, "request": "r", "errors": []},
            WHEN,
            rate_limit=RateLimit(limit=10, remaining=0, reset=WHEN),
        )
        unknown = QuotaExceededError("u", {}, {"status": 0, "errors": []}, None)

        assert error.reset_at == WHEN
        assert error.http_status == 429
        assert unknown.reset_at is None
