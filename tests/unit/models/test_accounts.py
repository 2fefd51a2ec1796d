"""The glance, subscription, licence and team models: each bound accepts exactly its
valid side, each broken rule names its field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import models
from chump_typed._checks import check_team_token
from chump_typed.client import Client
from chump_typed.errors import ValidationError
from chump_typed.models import (
    CLEAR,
    GlanceUpdate,
    LicenseAssignRequest,
    TeamAddUserRequest,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, FakeTransport
from tests import strategies as s
from tests.strategies import device_names, emails, keys

KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"


@pytest.mark.parametrize("field", ["title", "text", "subtext"])
@given(value=s.text(max_size=200))
def test_glance_text_accepts_exactly_100_characters(field: str, value: str) -> None:
    if len(value) <= models.GLANCE_TEXT_MAX:
        fields: dict[str, Any] = {field: value}
        assert getattr(GlanceUpdate(user=KEY, **fields), field) == value
    else:
        with pytest.raises(ValidationError) as error:
            GlanceUpdate(user=KEY, **{field: value})  # type: ignore[arg-type]  # str fields only
        assert error.value.field == field
        assert "100" in error.value.problem


@given(percent=st.integers(min_value=-(10**6), max_value=10**6))
def test_glance_percent_accepts_exactly_0_to_100(percent: int) -> None:
    if 0 <= percent <= 100:
        assert GlanceUpdate(user=KEY, percent=percent).percent == percent
    else:
        with pytest.raises(ValidationError) as error:
            GlanceUpdate(user=KEY, percent=percent)
        assert error.value.field == "percent"


@given(count=st.integers(min_value=-(10**12), max_value=10**12))
def test_glance_count_is_any_integer(count: int) -> None:
    assert GlanceUpdate(user=KEY, count=count).count == count


@pytest.mark.parametrize("field", models.GLANCE_FIELDS)
def test_clear_empties_any_glance_field_on_the_fake(field: str) -> None:
    fake = FakePushover()
    client = Client(APP_TOKEN, transport=FakeTransport(fake))
    full: dict[str, Any] = {
        "title": "t",
        "text": "x",
        "subtext": "s",
        "count": 3,
        "percent": 40,
    }
    clear: dict[str, Any] = {field: CLEAR}
    client.update_glance(GlanceUpdate(user=USER_KEY, **full))

    client.update_glance(GlanceUpdate(user=USER_KEY, **clear))

    [(_, glance)] = fake.glances.items()
    assert field not in glance
    assert set(glance) == set(models.GLANCE_FIELDS) - {field}
    assert fake.requests[-1].params[field] == ""  # a blank on the wire


def test_clear_shows_as_clear() -> None:
    assert "count=CLEAR" in repr(GlanceUpdate(user=KEY, count=CLEAR))


def test_glance_needs_at_least_one_field() -> None:
    with pytest.raises(ValidationError) as error:
        GlanceUpdate(user=KEY, device="iphone")
    assert error.value.field == "glance"


@pytest.mark.parametrize("field", ["title", "text", "subtext", "count", "percent"])
def test_each_glance_field_alone_is_enough(field: str) -> None:
    value: Any = "" if field in ("title", "text", "subtext") else 0
    assert getattr(GlanceUpdate(user=KEY, **{field: value}), field) == value


def test_glance_rejects_bools_as_numbers() -> None:
    with pytest.raises(TypeError):
        GlanceUpdate(user=KEY, count=True)


@given(device=st.none() | device_names, sound=st.none() | st.just("bike"))
def test_subscription_migration(device: str | None, sound: str | None) -> None:
    request = models.SubscriptionMigrateRequest(
        subscription="App-abcd1234", user=KEY, device_name=device, sound=sound
    )
    assert request.device_name == device


def test_subscription_device_name_is_one_device() -> None:
    with pytest.raises(ValidationError) as error:
        models.SubscriptionMigrateRequest(
            subscription="App-1", user=KEY, device_name="a,b"
        )
    assert error.value.field == "device_name"


@given(user=st.none() | keys, email=st.none() | emails)
def test_license_takes_exactly_one_of_user_or_email(
    user: str | None, email: str | None
) -> None:
    if (user is None) != (email is None):
        request = LicenseAssignRequest(user=user, email=email)
        assert (request.user, request.email) == (user, email)
    else:
        with pytest.raises(ValidationError) as error:
            LicenseAssignRequest(user=user, email=email)
        assert error.value.field == "user"


@given(os_name=st.text(max_size=10) | st.sampled_from(models.LICENSE_OS))
def test_license_os_is_android_ios_or_desktop(os_name: str) -> None:
    if os_name in ("Android", "iOS", "Desktop"):
        assert LicenseAssignRequest(user=KEY, os=os_name).os == os_name  # type: ignore[arg-type]  # narrowed at runtime
    else:
        with pytest.raises(ValidationError) as error:
            LicenseAssignRequest(user=KEY, os=os_name)  # type: ignore[arg-type]  # misuse on purpose
        assert error.value.field == "os"


@pytest.mark.parametrize(
    "email", ["", "plain", "@example.com", "a@", "a b@example.com", "a@b\nc"]
)
def test_bad_emails_are_refused(email: str) -> None:
    with pytest.raises(ValidationError) as error:
        TeamAddUserRequest(email=email)
    assert error.value.field == "email"
    with pytest.raises(ValidationError):
        LicenseAssignRequest(email=email)


@given(email=emails)
def test_emails_are_accepted(email: str) -> None:
    assert models.TeamRemoveUserRequest(email=email).email == email


def test_team_flags_are_bools() -> None:
    with pytest.raises(TypeError):
        TeamAddUserRequest(email="a@b.co", admin=1)  # type: ignore[arg-type]  # misuse


@pytest.mark.parametrize("token", ["", "has space", "tab\there", "nl\n"])
def test_bad_team_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_team_token("team_token", token)
    assert error.value.field == "team_token"
    with pytest.raises(ValidationError):
        Client(TOKEN, team_token=token)
