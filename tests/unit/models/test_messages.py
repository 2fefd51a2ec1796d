"""The message models accept exactly the valid side of every documented bound; the
reprs of requests and results hold no key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chump_typed import ValidationError, models
from chump_typed.models import (
    CancelByTagRequest,
    EmergencyNotification,
    ErrorResponse,
    Notification,
    Priority,
    ReceiptRequest,
    ValidateUserRequest,
)
from tests import strategies as s
from tests.strategies import REQUESTS

USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


def make(**fields: Any) -> Notification:
    fields.setdefault("user", USER)
    fields.setdefault("message", "hello")
    return Notification(**fields)


def emergency(**fields: Any) -> EmergencyNotification:
    fields.setdefault("user", USER)
    fields.setdefault("message", "hello")
    fields.setdefault("retry", 30)
    fields.setdefault("expire", 3600)
    return EmergencyNotification(**fields)


def rejects(field: str, **fields: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        make(**fields)
    assert field == info.value.field
    return info.value


KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


GROUP = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"


def _name(cls: object) -> str:
    return cls.__name__ if isinstance(cls, type) else str(cls)


_OTHER_SECRETS: dict[str, str] = {
    "user": "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "group": "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
    "email": "someone.else@example.org",
    "password": "another password",
}


class TestTextBounds:
    """message 1..1024, title <= 250, url <= 512, url_title <= 100 code points."""

    @given(length=st.integers(min_value=0, max_value=1100))
    def test_message_length(self, length: int) -> None:
        text = "é" * length  # one code point, two UTF-8 bytes: code points count
        if 1 <= length <= 1024:
            assert text == make(message=text).message
        else:
            error = rejects("message", message=text)
            assert "between 1 and 1024" in str(error)
            assert str(length) in str(error)

    @pytest.mark.parametrize(
        ("field", "bound"), [("title", 250), ("url", 512), ("url_title", 100)]
    )
    @given(extra=st.integers(min_value=-5, max_value=5))
    def test_optional_text_length(self, field: str, bound: int, extra: int) -> None:
        length = max(0, bound + extra)
        text = "x" * length
        if field == "url":  # a URL starts with its scheme
            text = "h:" + text[2:]
        if length <= bound:
            assert text == getattr(make(**{field: text}), field)
        else:
            error = rejects(field, **{field: text})
            assert f"at most {bound}" in str(error)

    def test_astral_characters_count_once(self) -> None:
        text = "🔔" * 1024
        assert len(make(message=text).message) == 1024


class TestRecipients:
    """One key, or up to 50 keys joined by commas."""

    @given(count=st.integers(min_value=1, max_value=60), key=s.keys)
    def test_at_most_fifty(self, count: int, key: str) -> None:
        users = ",".join([key] * count)
        if count <= 50:
            assert users == make(user=users).user
        else:
            error = rejects("user", user=users)
            assert "at most 50" in str(error)

    @given(key=st.text(s.ALNUM + "!_ -", max_size=40))
    def test_key_format(self, key: str) -> None:
        valid = len(key) == 30 and all(c in s.ALNUM for c in key)
        if valid:
            assert key == make(user=key).user
        else:
            error = rejects("user", user=key)
            assert "30 ASCII letters and digits" in str(error)
            # The rejected value could be a secret: it is described, never echoed.
            if len(key) >= 8:
                assert key not in str(error)

    def test_space_after_comma_is_refused(self) -> None:
        rejects("user", user=f"{USER}, {USER}")


class TestDevices:
    @given(name=st.text(s.DEVICE_CHARS + "!. ", max_size=30))
    def test_device_name_format(self, name: str) -> None:
        valid = 1 <= len(name) <= 25 and all(c in s.DEVICE_CHARS for c in name)
        if valid:
            assert name == make(device=name).device
        else:
            rejects("device", device=name)

    @given(names=st.lists(s.device_names, min_size=1, max_size=5))
    def test_comma_separated_devices(self, names: list[str]) -> None:
        joined = ",".join(names)
        assert joined == make(device=joined).device

    def test_empty_item_in_list_is_refused(self) -> None:
        rejects("device", device="iphone,,droid2")


class TestPriority:
    @given(value=st.integers(min_value=-10, max_value=10))
    def test_range(self, value: int) -> None:
        if -2 <= value <= 1:
            assert value == make(priority=value).priority
        elif value == 2:
            error = rejects("priority", priority=value)
            assert "is an EmergencyNotification" in str(error)
        else:
            error = rejects("priority", priority=value)
            assert "between -2 and 2" in str(error)

    @given(value=st.integers(min_value=-10, max_value=10))
    def test_an_emergency_is_always_emergency(self, value: int) -> None:
        if value == 2:
            assert emergency(priority=value).priority == Priority.EMERGENCY
        else:
            with pytest.raises(ValidationError) as info:
                emergency(priority=value)
            assert info.value.field == "priority"
        assert emergency().priority == Priority.EMERGENCY  # the default

    def test_bool_is_not_a_priority(self) -> None:
        with pytest.raises(TypeError, match="priority"):
            make(priority=True)


class TestEmergency:
    """retry >= 30 and expire <= 10800, both required for priority 2 only."""

    @given(retry=st.integers(min_value=-10, max_value=100))
    def test_retry_floor(self, retry: int) -> None:
        if retry >= 30:
            assert retry == emergency(retry=retry).retry
        else:
            with pytest.raises(ValidationError, match=r"retry: must be >= 30"):
                emergency(retry=retry)

    @given(expire=st.integers(min_value=-10, max_value=20000))
    def test_expire_ceiling(self, expire: int) -> None:
        if 1 <= expire <= 10800:
            assert expire == emergency(expire=expire).expire
        else:
            with pytest.raises(ValidationError, match="expire"):
                emergency(expire=expire)

    @pytest.mark.parametrize("missing", ["retry", "expire"])
    def test_both_required(self, missing: str) -> None:
        fields: dict[str, Any] = {
            "user": USER,
            "message": "m",
            "retry": 30,
            "expire": 60,
        }
        del fields[missing]
        with pytest.raises(TypeError, match=missing):
            EmergencyNotification(**fields)
        with pytest.raises(
            ValidationError, match=f"{missing}: is required when priority is EMERGENCY"
        ):
            models.notification_for(priority=Priority.EMERGENCY, **fields)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("retry", 60), ("expire", 60), ("callback", "https://x.test/"), ("tags", "a")],
    )
    @pytest.mark.parametrize("priority", [-2, -1, 0, 1])
    def test_emergency_fields_refused_elsewhere(
        self, field: str, value: object, priority: int
    ) -> None:
        with pytest.raises(TypeError, match=field):
            make(priority=priority, **{field: value})
        with pytest.raises(ValidationError) as info:
            models.notification_for(
                priority=priority, user=USER, message="m", **{field: value}
            )
        assert info.value.field == field
        assert "only allowed when priority is EMERGENCY" in str(info.value)

    def test_ttl_refused_on_emergency(self) -> None:
        with pytest.raises(TypeError, match="ttl"):
            emergency(ttl=60)
        with pytest.raises(ValidationError, match="ttl: is ignored by Pushover"):
            models.notification_for(
                priority=2, user=USER, message="m", retry=30, expire=60, ttl=60
            )

    @given(
        priority=st.sampled_from(Priority),
        retry=st.none() | st.integers(min_value=30, max_value=10**6),
        expire=st.none() | st.integers(min_value=1, max_value=10800),
        ttl=st.none() | st.integers(min_value=1, max_value=10**6),
    )
    def test_notification_for_builds_the_kind_the_priority_needs(
        self, priority: Priority, retry: int | None, expire: int | None, ttl: int | None
    ) -> None:
        """Exactly the combinations a type accepts build, as that type; the rest are
        refused naming the field."""
        fields: dict[str, object] = {"retry": retry, "expire": expire, "ttl": ttl}
        emergency_ok = retry is not None and expire is not None and ttl is None
        normal_ok = retry is None and expire is None
        if not (emergency_ok if priority == Priority.EMERGENCY else normal_ok):
            with pytest.raises(ValidationError) as info:
                models.notification_for(
                    priority=priority, user=USER, message="m", **fields
                )
            assert info.value.field in {"retry", "expire", "ttl"}
            return
        built = models.notification_for(
            priority=priority, user=USER, message="m", **fields
        )
        if priority == Priority.EMERGENCY:
            assert built == emergency(message="m", retry=retry, expire=expire)
        else:
            assert built == make(message="m", priority=priority, ttl=ttl)
        assert built.priority is priority

    def test_notification_for_refuses_a_bad_priority(self) -> None:
        with pytest.raises(ValidationError, match="priority: must be between -2 and 2"):
            models.notification_for(priority=3, user=USER, message="m")
        with pytest.raises(TypeError, match="priority"):
            models.notification_for(priority="2", user=USER, message="m")  # type: ignore[arg-type]


class TestFlagsAndTimes:
    def test_html_and_monospace_exclusive(self) -> None:
        assert make(html=True).html
        assert make(monospace=True).monospace
        rejects("monospace", html=True, monospace=True)

    @given(ttl=st.integers(min_value=-5, max_value=5))
    def test_ttl_positive(self, ttl: int) -> None:
        if ttl >= 1:
            assert ttl == make(ttl=ttl).ttl
        else:
            rejects("ttl", ttl=ttl)

    def test_naive_datetime_refused(self) -> None:
        error = rejects("timestamp", timestamp=dt.datetime(2024, 1, 1))
        assert "timezone-aware" in str(error)

    def test_aware_datetime_and_int_accepted(self) -> None:
        when = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
        assert when == make(timestamp=when).timestamp
        assert make(timestamp=1_700_000_000).timestamp == 1_700_000_000
        rejects("timestamp", timestamp=-1)
        rejects("timestamp", timestamp=0)  # Pushover's "never"
        rejects("timestamp", timestamp=10**30)
        rejects("timestamp", timestamp=dt.datetime(1960, 1, 1, tzinfo=dt.timezone.utc))

    @pytest.mark.parametrize("field", ["sound", "callback", "tags"])
    def test_control_characters_refused(self, field: str) -> None:
        fields: dict[str, Any] = {field: "a\r\nInjected: yes"}
        with pytest.raises(ValidationError, match="control characters"):
            emergency(**fields)


class TestTypes:
    @pytest.mark.parametrize(
        ("field", "value"),
        [("message", 5), ("title", b"x"), ("html", 1), ("ttl", "5"), ("user", None)],
    )
    def test_wrong_type_is_type_error_naming_field(
        self, field: str, value: object
    ) -> None:
        with pytest.raises(TypeError, match=field):
            make(**{field: value})


class TestFrozen:
    @given(n=s.notifications())
    def test_models_are_frozen_and_evolve_revalidates(self, n: Notification) -> None:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            n.message = "changed"  # type: ignore[misc]  # proving the model is frozen
        with pytest.raises(ValidationError):
            attrs.evolve(n, message="")

    @given(n=s.notifications())
    def test_repr_hides_recipients(self, n: Notification) -> None:
        for key in n.user.split(","):
            assert key not in repr(n)


class TestOtherRequests:
    @given(receipt=st.text(s.ALNUM + "/.", max_size=32))
    def test_receipt_format(self, receipt: str) -> None:
        valid = len(receipt) == 30 and receipt.isascii() and receipt.isalnum()
        if valid:
            assert receipt == ReceiptRequest(receipt=receipt).receipt
        else:
            with pytest.raises(ValidationError, match="receipt"):
                ReceiptRequest(receipt=receipt)

    def test_validate_takes_one_device(self) -> None:
        assert ValidateUserRequest(user=USER, device="iphone").device == "iphone"
        with pytest.raises(ValidationError, match="device"):
            ValidateUserRequest(user=USER, device="iphone,droid2")

    @pytest.mark.parametrize("tag", ["", "a\nb", "x\x00"])
    def test_tag_must_be_one_clean_line(self, tag: str) -> None:
        with pytest.raises(ValidationError, match="tag"):
            CancelByTagRequest(tag=tag)


class TestErrorResponse:
    def test_messages_flatten_both_shapes(self) -> None:
        listed = ErrorResponse(errors=("user identifier is invalid",))
        mapped = ErrorResponse(
            errors={"token": ("is out of available license credits",)}
        )
        assert listed.messages() == ["user identifier is invalid"]
        assert mapped.messages() == ["token: is out of available license credits"]

    def test_to_dict_keeps_everything(self) -> None:
        response = ErrorResponse(
            status=0,
            request="r1",
            errors=("bad",),
            bad_inputs={"user": "invalid"},
            receipt=None,
            extra={"count": 3},
        )
        expected = {
            "status": 0,
            "request": "r1",
            "errors": ["bad"],
            "user": "invalid",
            "count": 3,
        }
        assert expected == response.to_dict()


@pytest.mark.parametrize("cls", sorted(REQUESTS, key=_name))
@settings(max_examples=30)
@given(data=st.data())
def test_request_reprs_do_not_depend_on_secrets(
    cls: type[Any], data: st.DataObject
) -> None:
    request = data.draw(REQUESTS[cls])
    changes = {
        name: other
        for name, other in _OTHER_SECRETS.items()
        if getattr(request, name, None) is not None
    }
    if cls is models.TeamAddUserRequest:
        changes.pop("group", None)  # a group *name* here, not a key
    assert repr(attrs.evolve(request, **changes)) == repr(request)


def test_result_reprs_hold_no_keys() -> None:
    results = [
        models.GroupCreateResult(request="r", group=GROUP),
        models.GroupList(
            groups=(models.GroupSummary(group=GROUP, name="g"),), request="r"
        ),
        models.GroupInfo(
            request="r",
            name="g",
            users=(models.GroupMember(user=KEY, email="a@b.co"),),
        ),
        models.SubscriptionMigrateResult(request="r", subscribed_user_key=KEY),
    ]
    for result in results:
        text = repr(result)
        assert KEY not in text
        assert GROUP not in text
        assert "a@b.co" not in text


_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_TEXT_WITH_SURROGATES = st.text(
    st.characters(blacklist_categories=["Cc"]) | _SURROGATES, min_size=1, max_size=20
)


@given(text=_TEXT_WITH_SURROGATES, field=st.sampled_from(["message", "title", "url"]))
def test_text_is_accepted_exactly_without_lone_surrogates(
    text: str, field: str
) -> None:
    """A lone surrogate cannot be sent as UTF-8: refused when the model is built."""
    if field == "url":
        text = f"https://{text}"  # a URL starts with its scheme
    has_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    fields: dict[str, Any] = {"message": "m", field: text}
    if has_surrogate:
        with pytest.raises(ValidationError, match="surrogate") as info:
            make(**fields)
        assert info.value.field == field
    else:
        assert getattr(make(**fields), field) == text


@pytest.mark.parametrize("field", ["sound", "tags", "callback"])
def test_free_text_parameters_refuse_lone_surrogates(field: str) -> None:
    extra: dict[str, Any] = {field: "a\udc00b"}
    with pytest.raises(ValidationError, match="surrogate") as info:
        emergency(**extra)
    assert info.value.field == field


class TestTheRepr:
    """A Notification's repr is for debugging: the fields that are set, never a key."""

    def test_it_shows_the_fields_that_are_set(self) -> None:
        n = Notification(
            user=KEY, message="disk full", title="db1", priority=Priority.HIGH
        )

        assert repr(n) == (
            "Notification(user=<redacted>, message='disk full', title='db1', "
            "priority=<Priority.HIGH: 1>)"
        )

    def test_an_emergency_shows_its_kind_and_no_key(self) -> None:
        n = emergency(user=f"{KEY},{GROUP}", message="fire", tags="ops")

        assert repr(n) == (
            "EmergencyNotification(user=<redacted>, message='fire', retry=30, "
            "expire=3600, tags='ops')"
        )

    @given(st.text(s.ALNUM, min_size=41, max_size=300))
    def test_a_long_message_is_cut_to_40_characters(self, text: str) -> None:
        shown = repr(Notification(user=KEY, message=text))

        assert f"{text[:40]!r}... ({len(text)} characters)" in shown
        assert text[:41] not in shown

    def test_text_shaped_like_a_key_never_shows(self) -> None:
        n = Notification(user=KEY, message=f"for {KEY}", url_title=GROUP)

        assert KEY not in repr(n) and GROUP not in repr(n)
        assert "for <redacted>" in repr(n)


class TestWhitespace:
    @pytest.mark.parametrize("pasted", [f" {KEY}", f"{KEY}\n", f"\t{KEY} "])
    def test_a_pasted_key_is_told_about_its_whitespace(self, pasted: str) -> None:
        with pytest.raises(ValidationError, match="leading or trailing whitespace"):
            Notification(user=pasted, message="m")

    def test_other_bad_keys_are_not(self) -> None:
        with pytest.raises(ValidationError) as info:
            Notification(user=" short ", message="m")
        assert "whitespace" not in str(info.value)


def test_the_followups_names_live_in_their_family_only() -> None:
    """``models.messages`` no longer serves the names that moved to the followups
    family; ``chump_typed.models`` does."""
    from chump_typed.models import followups, messages

    for name in followups.__all__:
        assert not hasattr(messages, name), name
        assert getattr(models, name) is getattr(followups, name)
