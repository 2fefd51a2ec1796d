"""The group models: each bound accepts exactly its valid side, each broken rule
names its field."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import models
from chump_typed._checks import DEVICE_PATTERN
from chump_typed.errors import ValidationError
from chump_typed.models import (
    GroupAddUserRequest,
)
from tests import strategies as s
from tests.strategies import names

KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


GROUP = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"


@given(memo=s.text(max_size=400))
def test_memo_accepts_exactly_200_characters(memo: str) -> None:
    if len(memo) <= models.MEMO_MAX:
        assert GroupAddUserRequest(group=GROUP, user=KEY, memo=memo).memo == memo
    else:
        with pytest.raises(ValidationError) as error:
            GroupAddUserRequest(group=GROUP, user=KEY, memo=memo)
        assert error.value.field == "memo"
        assert "200" in error.value.problem


@pytest.mark.parametrize(
    "cls",
    [
        models.GroupAddUserRequest,
        models.GroupRemoveUserRequest,
        models.GroupDisableUserRequest,
        models.GroupEnableUserRequest,
    ],
)
@given(device=st.text(max_size=30))
def test_membership_device_is_one_device_name(cls: type[Any], device: str) -> None:
    valid = DEVICE_PATTERN.fullmatch(device) is not None
    if valid:
        assert cls(group=GROUP, user=KEY, device=device).device == device
    else:
        with pytest.raises(ValidationError) as error:
            cls(group=GROUP, user=KEY, device=device)
        assert error.value.field == "device"


@pytest.mark.parametrize(
    "cls",
    [
        models.GroupInfoRequest,
        models.GroupAddUserRequest,
        models.GroupRemoveUserRequest,
        models.GroupDisableUserRequest,
        models.GroupEnableUserRequest,
        models.GroupRenameRequest,
    ],
)
def test_group_key_is_checked(cls: type[Any]) -> None:
    fields: dict[str, Any] = {"group": "short"}
    if "user" in attrs.fields_dict(cls):
        fields["user"] = KEY
    if "name" in attrs.fields_dict(cls):
        fields["name"] = "n"
    with pytest.raises(ValidationError) as error:
        cls(**fields)
    assert error.value.field == "group"


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "a\x00"])
def test_group_names_must_not_be_blank(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        models.GroupCreateRequest(name=name)
    assert error.value.field == "name"
    with pytest.raises(ValidationError):
        models.GroupRenameRequest(group=GROUP, name=name)


@given(name=names)
def test_group_names_accepted(name: str) -> None:
    assert models.GroupCreateRequest(name=name).name == name
