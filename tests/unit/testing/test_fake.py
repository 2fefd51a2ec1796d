"""The fake Pushover's rules, exercised through ``handle()`` and ``FakeTransport``."""

from __future__ import annotations

import base64
import doctest
import json
import threading
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chump_typed import testing
from chump_typed.errors import TransportError
from chump_typed.protocol import HTTPRequest
from chump_typed.testing import (
    APP_TOKEN,
    BUILTIN_SOUNDS,
    GROUP_KEY,
    MAX_ATTACHMENT_BYTES,
    SUBSCRIPTION_CODE,
    TEAM_TOKEN,
    USER_KEY,
    Disconnect,
    FakePushover,
    FakeTransport,
    Fault,
    Group,
    Membership,
    Slow,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}
Body = dict[str, Any]
OTHER_USER = "u" * 30


def call(
    fake: FakePushover, method: str, path: str, **params: object
) -> tuple[int, Body]:
    """Send *params* (plus the app token) the way a form-posting client would."""
    data = {"token": APP_TOKEN, **{k: str(v) for k, v in params.items()}}
    if method == "GET":
        response = fake.handle("GET", f"/1/{path}?{urlencode(data)}", {}, b"")
    else:
        response = fake.handle("POST", f"/1/{path}", FORM, urlencode(data).encode())
    body: Body = json.loads(response.body)
    return response.status, body


def send(fake: FakePushover, **params: object) -> tuple[int, Body]:
    """POST a message; defaults make it valid."""
    return call(
        fake, "POST", "messages.json", **{"user": USER_KEY, "message": "hi", **params}
    )


def emergency(fake: FakePushover, **params: object) -> str:
    status, body = send(fake, priority=2, retry=30, expire=3600, **params)
    assert status == 200, body
    receipt: str = body["receipt"]
    return receipt


def multipart(fields: dict[str, str], filename: str, kind: str, data: bytes) -> bytes:
    boundary = "xXxBoundaryxXx"
    disposition = "Content-Disposition: form-data"
    parts = [
        f'--{boundary}\r\n{disposition}; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="attachment"; filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


MULTIPART = {"content-type": 'multipart/form-data; boundary="xXxBoundaryxXx"'}
BASE = {"token": APP_TOKEN, "user": USER_KEY, "message": "pic"}


# -------------------------------------------------------------------------- messages


def test_zero_config_send_is_accepted_and_recorded() -> None:
    fake = FakePushover()
    response = fake.handle(
        "POST", "/1/messages.json", FORM, urlencode({**BASE, "title": "t"}).encode()
    )
    body = json.loads(response.body)
    assert response.status == 200
    assert body["status"] == 1
    assert body["request"]
    assert "receipt" not in body
    assert response.headers["x-limit-app-limit"] == "10000"
    assert response.headers["x-limit-app-remaining"] == "9999"
    assert int(response.headers["x-limit-app-reset"]) > 0
    (message,) = fake.messages
    assert message.params == {**BASE, "title": "t"}
    assert message.request == body["request"]
    assert message.recipients == (USER_KEY,)
    assert message.receipt is None
    assert message.attachment is None


def test_bad_token_is_rejected_without_recording() -> None:
    fake = FakePushover()
    status, body = send(fake, token="x" * 30)
    assert status == 400
    assert body["status"] == 0
    assert body["token"] == "invalid"
    assert body["errors"] == ["application token is invalid"]
    assert fake.messages == ()


def test_unknown_user_and_blank_message_are_both_reported() -> None:
    status, body = send(FakePushover(), user=OTHER_USER, message="")
    assert status == 400
    assert body["user"] == "invalid"
    assert body["message"] == "invalid"
    assert len(body["errors"]) == 2


@settings(max_examples=60, deadline=None)
@given(length=st.integers(0, 1100), char=st.sampled_from(["a", "é", "😀"]))
@example(length=0, char="a")
@example(length=1024, char="😀")
@example(length=1025, char="a")
def test_message_length_counts_code_points(length: int, char: str) -> None:
    status, _ = send(FakePushover(), message=char * length)
    assert (status == 200) == (1 <= length <= 1024)


@settings(max_examples=80, deadline=None)
@given(
    field_limit=st.sampled_from([("title", 250), ("url", 512), ("url_title", 100)]),
    length=st.integers(0, 600),
)
@example(field_limit=("title", 250), length=250)
@example(field_limit=("title", 250), length=251)
@example(field_limit=("url", 512), length=512)
@example(field_limit=("url", 512), length=513)
@example(field_limit=("url_title", 100), length=100)
@example(field_limit=("url_title", 100), length=101)
def test_text_field_limits(field_limit: tuple[str, int], length: int) -> None:
    name, most = field_limit
    status, body = send(FakePushover(), **{name: "😀" * length})
    assert (status == 200) == (length <= most)
    if status != 200:
        assert body[name] == "invalid"


@settings(max_examples=40, deadline=None)
@given(priority=st.integers(-6, 6))
@example(priority=-3)
@example(priority=-2)
@example(priority=2)
@example(priority=3)
def test_priority_range(priority: int) -> None:
    status, _ = send(FakePushover(), priority=priority, retry=60, expire=60)
    assert (status == 200) == (-2 <= priority <= 2)


@settings(max_examples=60, deadline=None)
@given(retry=st.integers(-5, 100))
@example(retry=29)
@example(retry=30)
def test_emergency_retry_minimum(retry: int) -> None:
    status, body = send(FakePushover(), priority=2, retry=retry, expire=600)
    assert (status == 200) == (retry >= 30)
    assert ("receipt" in body) == (status == 200)


@settings(max_examples=60, deadline=None)
@given(expire=st.integers(-5, 20_000))
@example(expire=0)
@example(expire=1)
@example(expire=10_800)
@example(expire=10_801)
def test_emergency_expire_maximum(expire: int) -> None:
    status, _ = send(FakePushover(), priority=2, retry=30, expire=expire)
    assert (status == 200) == (1 <= expire <= 10_800)


@pytest.mark.parametrize("missing", ["retry", "expire"])
def test_emergency_requires_retry_and_expire(missing: str) -> None:
    params = {"priority": 2, "retry": 30, "expire": 60}
    del params[missing]
    status, body = send(FakePushover(), **params)
    assert status == 400
    assert body[missing] == "invalid"


@settings(max_examples=30, deadline=None)
@given(count=st.integers(1, 60))
@example(count=50)
@example(count=51)
def test_at_most_fifty_users(count: int) -> None:
    keys = [f"{i:030d}" for i in range(count)]
    fake = FakePushover(users=dict.fromkeys(keys, ("phone",)))
    status, _ = send(fake, user=",".join(keys))
    assert (status == 200) == (count <= 50)
    assert fake.remaining == 10_000 - (count if count <= 50 else 0)


@pytest.mark.parametrize(
    ("params", "accepted"),
    [
        ({"html": 1}, True),
        ({"monospace": 1}, True),
        ({"html": 1, "monospace": 0}, True),
        ({"html": 1, "monospace": 1}, False),
        ({"html": "true"}, True),  # "set to 1 to enable": anything else is off
        ({"html": "False", "monospace": "False"}, True),  # pushover-complete's default
        ({"html": "1", "monospace": "True"}, True),
        ({"timestamp": 0}, False),
        ({"timestamp": 253_402_300_800}, False),
        ({"callback": "file:///x"}, False),
        ({"callback": "https:///path"}, False),
        ({"device": "iphone,droid2"}, True),
        ({"device": "unknown_but-valid"}, True),
        ({"device": "has space"}, False),
        ({"device": "x" * 26}, False),
        ({"sound": "vibrate"}, True),
        ({"sound": "nosuchsound"}, False),
        ({"ttl": 60}, True),
        ({"ttl": 0}, False),
        ({"timestamp": "soon"}, False),
        ({"tags": "a,b", "callback": "https://example.com/cb"}, True),
        ({"callback": "HTTP://example.com"}, True),
        ({"callback": "ftp://example.com/cb"}, False),
        ({"callback": "https://"}, False),
    ],
)
def test_message_parameter_rules(params: dict[str, object], accepted: bool) -> None:
    status, _ = send(FakePushover(), **params)
    assert (status == 200) == accepted


def test_custom_sounds_are_listed_and_accepted() -> None:
    fake = FakePushover(custom_sounds={"doorbell": "Door Bell"})
    status, body = call(fake, "GET", "sounds.json")
    assert status == 200
    assert body["sounds"] == {**BUILTIN_SOUNDS, "doorbell": "Door Bell"}
    assert len(BUILTIN_SOUNDS) == 23
    assert send(fake, sound="doorbell")[0] == 200


def test_json_body_is_accepted() -> None:
    fake = FakePushover()
    body = json.dumps({**BASE, "priority": 1, "html": True, "title": None}).encode()
    response = fake.handle(
        "POST", "/1/messages.json", {"Content-Type": "application/json"}, body
    )
    assert response.status == 200
    assert fake.messages[0].params == {**BASE, "priority": "1", "html": "1"}


def test_unparseable_body_is_a_400() -> None:
    response = FakePushover().handle(
        "POST", "/1/messages.json", {"content-type": "application/json"}, b"[1,"
    )
    assert response.status == 400
    assert json.loads(response.body)["status"] == 0


# ----------------------------------------------------------------------- attachments


@pytest.mark.parametrize("size", [5_242_880, 5_242_881])
def test_multipart_attachment_size_boundary(size: int) -> None:
    fake = FakePushover()
    data = bytes(range(256)) * (size // 256) + b"\r\n--"[: size % 256]
    data += b"\x00" * (size - len(data))
    response = fake.handle(
        "POST",
        "/1/messages.json",
        MULTIPART,
        multipart(BASE, "a.png", "image/png", data),
    )
    if size <= 5_242_880:
        assert response.status == 200
        attachment = fake.messages[0].attachment
        assert attachment is not None
        assert attachment.data == data
        assert (attachment.filename, attachment.content_type) == ("a.png", "image/png")
        assert fake.messages[0].params == BASE
    else:
        assert response.status == 400
        assert json.loads(response.body)["attachment"] == "invalid"
        assert fake.messages == ()


def test_exported_attachment_limit_is_five_mebibytes() -> None:
    assert MAX_ATTACHMENT_BYTES == 5 * 1024 * 1024 == 5_242_880


@pytest.mark.parametrize("size", [5_242_880, 5_242_881])
def test_base64_attachment_limit_applies_to_decoded_size(size: int) -> None:
    fake = FakePushover()
    data = bytes(range(256)) * (size // 256) + b"\xff" * (size % 256)
    params = {**BASE, "attachment_base64": base64.b64encode(data).decode()}
    body = json.dumps({**params, "attachment_type": "image/jpeg"}).encode()
    response = fake.handle(
        "POST", "/1/messages.json", {"content-type": "application/json"}, body
    )
    assert (response.status == 200) == (size <= 5_242_880)
    if response.status == 200:
        attachment = fake.messages[0].attachment
        assert attachment is not None
        assert attachment.data == data
        assert attachment.content_type == "image/jpeg"


def test_form_encoded_base64_attachment_is_decoded_exactly() -> None:
    fake = FakePushover()
    data = bytes(range(256)) * 64
    encoded = base64.b64encode(data).decode()
    assert send(fake, attachment_base64=encoded, attachment_type="image/png")[0] == 200
    attachment = fake.messages[0].attachment
    assert attachment is not None
    assert attachment.data == data


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        st.characters(exclude_categories=["Cs"]) | st.sampled_from("%+=&\r\n"),
        max_size=40,
    )
)
def test_form_values_survive_the_wire(text: str) -> None:
    fake = FakePushover()
    send(fake, message="m", title=text, url_title=text[:100])
    assert fake.requests[0].params["title"] == text


@pytest.mark.parametrize(
    ("raw", "expected"), [("a%zz+b", "a%zz b"), ("%", "%"), ("x%4", "x%4")]
)
def test_malformed_escapes_decode_like_the_stdlib(raw: str, expected: str) -> None:
    fake = FakePushover()
    body = f"token={APP_TOKEN}&user={USER_KEY}&message={raw}".encode()
    assert fake.handle("POST", "/1/messages.json", FORM, body).status == 200
    assert fake.messages[0].message == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"attachment_base64": "aGk="}, "attachment_type"),
        (
            {"attachment_base64": "not base64!", "attachment_type": "image/png"},
            "attachment_base64",
        ),
        ({"attachment_base64": "aGk=", "attachment_type": "text/plain"}, "attachment"),
    ],
)
def test_bad_base64_attachments(params: dict[str, str], field: str) -> None:
    status, body = send(FakePushover(), **params)
    assert status == 400
    assert body[field] == "invalid"


def test_multipart_part_without_image_type_is_rejected() -> None:
    body = multipart(BASE, "a.txt", "text/plain", b"hello")
    response = FakePushover().handle("POST", "/1/messages.json", MULTIPART, body)
    assert response.status == 400


# ----------------------------------------------------------------------------- quota


def test_quota_counts_group_members_and_answers_429_when_spent() -> None:
    members = (Membership(user=USER_KEY), Membership(user=OTHER_USER))
    fake = FakePushover(
        users={USER_KEY: ("iphone",), OTHER_USER: ("pixel",)},
        groups=[Group(key=GROUP_KEY, name="g", members=members)],
        limit=3,
    )
    assert send(fake, user=GROUP_KEY)[0] == 200
    assert fake.remaining == 1
    response = fake.handle(
        "POST",
        "/1/messages.json",
        FORM,
        urlencode({**BASE, "user": GROUP_KEY}).encode(),
    )
    assert response.status == 429
    assert response.headers["x-limit-app-remaining"] == "1"
    assert response.headers["x-limit-app-limit"] == "3"
    assert json.loads(response.body)["errors"]
    assert send(fake)[0] == 200
    assert send(fake)[0] == 429
    assert len(fake.messages) == 2
    status, body = call(fake, "GET", "apps/limits.json")
    assert (status, body["limit"], body["remaining"]) == (200, 3, 0)


# -------------------------------------------------------------------------- receipts


def test_receipt_starts_unacknowledged_with_zero_times() -> None:
    now = 1_700_000_000.0
    fake = FakePushover(clock=lambda: now)
    receipt = emergency(fake)
    status, body = call(fake, "GET", f"receipts/{receipt}.json")
    assert status == 200
    assert body == {
        "status": 1,
        "request": body["request"],
        "acknowledged": 0,
        "acknowledged_at": 0,
        "acknowledged_by": "",
        "acknowledged_by_device": "",
        "last_delivered_at": 1_700_000_000,
        "expired": 0,
        "expires_at": 1_700_003_600,
        "called_back": 0,
        "called_back_at": 0,
    }
    assert fake.messages[0].receipt == receipt


def test_acknowledge_fills_the_receipt_and_marks_the_callback() -> None:
    fake = FakePushover(clock=lambda: 1_000.0)
    receipt = emergency(fake, callback="https://example.com/cb")
    fake.acknowledge(receipt)
    _, body = call(fake, "GET", f"receipts/{receipt}.json")
    assert body["acknowledged"] == 1
    assert body["acknowledged_at"] == 1_000
    assert body["acknowledged_by"] == USER_KEY
    assert body["acknowledged_by_device"] == "iphone"
    assert (body["called_back"], body["called_back_at"]) == (1, 1_000)
    with pytest.raises(ValueError, match="no longer active"):
        fake.acknowledge(receipt)


def test_expire_and_clock_driven_expiry() -> None:
    now = [1_000.0]
    fake = FakePushover(clock=lambda: now[0])
    first, second = emergency(fake), emergency(fake)
    fake.expire(first)
    assert fake.receipt(first).expired
    with pytest.raises(ValueError, match="no longer active"):
        fake.acknowledge(first, user=USER_KEY, device="droid2")
    assert not fake.receipt(second).expired
    now[0] += 3_600
    _, body = call(fake, "GET", f"receipts/{second}.json")
    assert body["expired"] == 1


def test_unknown_receipt_or_other_token_is_not_found() -> None:
    fake = FakePushover(app_tokens=[APP_TOKEN, "a" * 30])
    receipt = emergency(fake)
    status, body = call(fake, "GET", f"receipts/{receipt}.json", token="a" * 30)
    assert (status, body["receipt"]) == (404, "not found")
    assert call(fake, "GET", f"receipts/{'r' * 30}.json")[0] == 404


def test_cancel_one_receipt() -> None:
    fake = FakePushover()
    receipt = emergency(fake)
    assert call(fake, "POST", f"receipts/{receipt}/cancel.json")[0] == 200
    assert fake.receipt(receipt).canceled
    assert not fake.receipt(receipt).active


def test_cancel_by_percent_encoded_tag() -> None:
    fake = FakePushover()
    tagged = [emergency(fake, tags="l=chicago,x"), emergency(fake, tags="l=chicago")]
    other = emergency(fake, tags="l=boston")
    fake.acknowledge(tagged[1])
    path = f"receipts/cancel_by_tag/{quote('l=chicago', safe='')}.json"
    assert "%3D" in path
    status, body = call(fake, "POST", path)
    assert (status, body["canceled"]) == (200, 1)
    assert fake.receipt(tagged[0]).canceled
    assert not fake.receipt(other).canceled
    assert call(fake, "POST", path)[1]["canceled"] == 0
    assert fake.requests[-1].path == "/1/receipts/cancel_by_tag/l%3Dchicago.json"


def test_tag_with_an_encoded_slash_stays_one_segment() -> None:
    fake = FakePushover()
    receipt = emergency(fake, tags="a/b")
    status, body = call(fake, "POST", "receipts/cancel_by_tag/a%2Fb.json")
    assert (status, body["canceled"]) == (200, 1)
    assert fake.receipt(receipt).canceled
    assert call(fake, "POST", "receipts/cancel_by_tag/a/b.json")[0] == 404


# -------------------------------------------------------------------------- validate


def test_validate_user_group_and_failures() -> None:
    fake = FakePushover()
    status, body = call(fake, "POST", "users/validate.json", user=USER_KEY)
    assert status == 200
    assert body["devices"] == ["iphone", "droid2"]
    assert body["licenses"] == ["Android", "iOS"]
    assert body["group"] == 0
    assert call(fake, "POST", "users/validate.json", user=GROUP_KEY)[1]["group"] == 1
    status, body = call(fake, "POST", "users/validate.json", user=OTHER_USER)
    assert (status, body["user"]) == (400, "invalid")
    status, body = call(fake, "POST", "users/validate.json", user=USER_KEY, device="tv")
    assert (status, body["device"]) == (400, "invalid for this user")
    assert (
        call(fake, "POST", "users/validate.json", user=USER_KEY, device="droid2")[0]
        == 200
    )


# ---------------------------------------------------------------------------- groups


@pytest.mark.parametrize("removal", ["remove_user", "delete_user"])
def test_group_lifecycle(removal: str) -> None:
    fake = FakePushover(users={USER_KEY: ("iphone",), OTHER_USER: ("pixel",)})
    status, body = call(fake, "POST", "groups.json", name="Ops")
    assert status == 200
    key: str = body["group"]
    assert {"group": key, "name": "Ops"} in call(fake, "GET", "groups.json")[1][
        "groups"
    ]
    base = f"groups/{key}/"
    assert (
        call(fake, "POST", base + "add_user.json", user=OTHER_USER, memo="m")[0] == 200
    )
    status, body = call(fake, "POST", base + "add_user.json", user=OTHER_USER)
    assert (status, body["user"]) == (400, "invalid")
    assert (
        call(fake, "POST", base + "add_user.json", user=USER_KEY, device="iphone")[0]
        == 200
    )
    assert call(fake, "POST", base + "disable_user.json", user=OTHER_USER)[0] == 200
    assert send(fake, user=key)[0] == 200
    assert fake.remaining == 10_000 - 1  # the disabled member costs nothing
    _, info = call(fake, "GET", f"groups/{key}.json")
    assert info["name"] == "Ops"
    assert info["users"] == [
        {"user": OTHER_USER, "device": None, "memo": "m", "disabled": True},
        {"user": USER_KEY, "device": "iphone", "memo": "", "disabled": False},
    ]
    assert call(fake, "POST", base + "enable_user.json", user=OTHER_USER)[0] == 200
    assert call(fake, "POST", base + "rename.json", name="Ops 2")[0] == 200
    assert call(fake, "POST", base + f"{removal}.json", user=OTHER_USER)[0] == 200
    status, body = call(fake, "POST", base + f"{removal}.json", user=OTHER_USER)
    assert status == 400
    assert fake.groups[key].name == "Ops 2"
    assert [m.user for m in fake.groups[key].members] == [USER_KEY]


def test_group_member_rules() -> None:
    fake = FakePushover()
    base = f"groups/{GROUP_KEY}/"
    assert call(fake, "GET", f"groups/{'g' * 30}.json")[0] == 404
    status, body = call(
        fake, "POST", base + "add_user.json", user=USER_KEY, device="tv"
    )
    assert (status, body["device"]) == (400, "invalid for this user")
    memo_ok = call(
        fake,
        "POST",
        base + "add_user.json",
        user=USER_KEY,
        device="iphone",
        memo="m" * 200,
    )
    assert memo_ok[0] == 200
    memo_long = call(
        fake,
        "POST",
        base + "add_user.json",
        user=USER_KEY,
        device="droid2",
        memo="m" * 201,
    )
    assert memo_long[0] == 400
    assert call(fake, "POST", "groups.json", name="")[0] == 400


# --------------------------------------------------------------------------- glances


def test_glance_needs_a_field_and_fields_persist() -> None:
    fake = FakePushover()
    status, body = call(fake, "POST", "glances.json", user=USER_KEY)
    assert status == 400
    assert body["errors"]
    assert (
        call(fake, "POST", "glances.json", user=USER_KEY, title="T", count=-3)[0] == 200
    )
    assert (
        call(fake, "POST", "glances.json", user=USER_KEY, text="x", title="")[0] == 200
    )
    assert fake.glances[(USER_KEY, None)] == {"count": "-3", "text": "x"}
    assert call(fake, "POST", "glances.json", user=OTHER_USER, text="x")[0] == 400


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["title", "text", "subtext"]), length=st.integers(0, 150))
@example(name="title", length=100)
@example(name="text", length=101)
@example(name="subtext", length=101)
def test_glance_text_limit(name: str, length: int) -> None:
    status, _ = call(
        FakePushover(), "POST", "glances.json", user=USER_KEY, **{name: "😀" * length}
    )
    assert (status == 200) == (length <= 100)


@settings(max_examples=60, deadline=None)
@given(percent=st.integers(-20, 120))
@example(percent=-1)
@example(percent=0)
@example(percent=100)
@example(percent=101)
def test_glance_percent_range(percent: int) -> None:
    status, _ = call(
        FakePushover(), "POST", "glances.json", user=USER_KEY, percent=percent
    )
    assert (status == 200) == (0 <= percent <= 100)


# --------------------------------------------------------------------- subscriptions


def test_subscription_migration_returns_a_sendable_key() -> None:
    fake = FakePushover()
    status, body = call(
        fake,
        "POST",
        "subscriptions/migrate.json",
        subscription=SUBSCRIPTION_CODE,
        user=USER_KEY,
        device_name="iphone",
        sound="bike",
    )
    assert status == 200
    key: str = body["subscribed_user_key"]
    assert len(key) == 30
    assert key != USER_KEY
    assert fake.subscribers == {key: USER_KEY}
    assert send(fake, user=key)[0] == 200
    status, body = call(
        fake, "POST", "subscriptions/migrate.json", subscription="nope", user=USER_KEY
    )
    assert (status, body["subscription"]) == (400, "invalid")


# ------------------------------------------------------------------------- licensing


def test_licence_assignment_spends_credits_until_none_are_left() -> None:
    fake = FakePushover(credits=2)
    status, body = call(
        fake, "POST", "licenses/assign.json", user=USER_KEY, os="Desktop"
    )
    assert (status, body["credits"]) == (200, 1)
    assert call(fake, "POST", "licenses/assign.json", email="a@example.com")[0] == 200
    status, body = call(fake, "POST", "licenses/assign.json", email="b@example.com")
    assert status == 400
    assert body["errors"] == {"token": ["is out of available license credits"]}
    assert call(fake, "GET", "licenses.json")[1]["credits"] == 0
    assert [(lic.user, lic.email, lic.os) for lic in fake.licenses] == [
        (USER_KEY, None, "Desktop"),
        (None, "a@example.com", ""),
    ]
    _, info = call(fake, "POST", "users/validate.json", user=USER_KEY)
    assert info["licenses"] == ["Android", "Desktop", "iOS"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"user": USER_KEY, "email": "a@example.com"},
        {"user": USER_KEY, "os": "BeOS"},
    ],
)
def test_licence_assignment_rules(params: dict[str, str]) -> None:
    fake = FakePushover()
    status, body = call(fake, "POST", "licenses/assign.json", **params)
    assert status == 400
    assert isinstance(body["errors"], dict)
    assert fake.credits == 10


# ----------------------------------------------------------------------------- teams


def test_team_add_and_remove_user() -> None:
    fake = FakePushover()
    status, body = call(fake, "POST", "teams/add_user.json", email="a@example.com")
    assert (status, body["errors"]) == (400, ["team token is invalid"])
    status, _ = call(
        fake,
        "POST",
        "teams/add_user.json",
        token=TEAM_TOKEN,
        email="a@example.com",
        name="A",
        instant="true",
        admin="true",
        group="Ops",
    )
    assert status == 200
    member = fake.team["a@example.com"]
    assert (member.name, member.instant, member.admin, member.group) == (
        "A",
        True,
        True,
        "Ops",
    )
    assert (
        call(
            fake,
            "POST",
            "teams/add_user.json",
            token=TEAM_TOKEN,
            email="b@example.com",
            admin="1",
        )[0]
        == 200
    )
    assert not fake.team["b@example.com"].admin
    remove = {"token": TEAM_TOKEN, "email": "a@example.com"}
    assert call(fake, "POST", "teams/remove_user.json", **remove)[0] == 200
    assert call(fake, "POST", "teams/remove_user.json", **remove)[0] == 400
    assert list(fake.team) == ["b@example.com"]


# --------------------------------------------------------------------------- routing


def test_unknown_path_and_wrong_method_answer_json() -> None:
    fake = FakePushover()
    response = fake.handle("GET", "/1/nope.json", {}, b"")
    assert response.status == 404
    assert json.loads(response.body)["status"] == 0
    response = fake.handle("GET", f"/1/users/validate.json?token={APP_TOKEN}", {}, b"")
    assert response.status == 405
    assert response.headers["allow"] == "POST"
    assert json.loads(response.body)["errors"] == ["method not allowed"]


def test_requests_are_recorded_in_order_and_reset_forgets() -> None:
    fake = FakePushover(limit=5)
    send(fake, title="one")
    call(fake, "GET", "sounds.json")
    fake.handle("GET", "/1/nope.json", {}, b"")
    assert [(r.method, r.path) for r in fake.requests] == [
        ("POST", "/1/messages.json"),
        ("GET", "/1/sounds.json"),
        ("GET", "/1/nope.json"),
    ]
    assert fake.requests[0].params["title"] == "one"
    assert fake.requests[1].params == {"token": APP_TOKEN}
    fake.connection_opened()
    fake.connection_opened()
    fake.connection_closed()
    fake.inject(Fault.BAD_GATEWAY_EMPTY)
    fake.reset()
    assert (fake.messages, fake.requests, fake.remaining) == ((), (), 5)
    assert (fake.connections_opened, fake.peak_connections) == (1, 1)  # one still open
    assert send(fake)[0] == 200  # the injected fault is gone too


def test_module_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(testing)
    assert tried >= 5
    assert failures == 0


def test_concurrent_sends_are_all_counted() -> None:
    fake = FakePushover()

    def worker() -> None:
        for _ in range(50):
            send(fake)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.messages) == 400
    assert fake.remaining == 10_000 - 400
    assert len({m.request for m in fake.messages}) == 400


# ---------------------------------------------------------------------------- faults


def request(message: str = "hi") -> HTTPRequest:
    body = urlencode({**BASE, "message": message}).encode()
    return HTTPRequest(
        method="POST",
        url="https://api.pushover.net/1/messages.json",
        headers=FORM,
        body=body,
    )


@pytest.mark.parametrize(
    "fault", [Fault.RESET_BEFORE_READ, Fault.RESET_AFTER_READ, Fault.TRUNCATED_BODY]
)
def test_connection_faults_become_transport_errors(fault: Fault) -> None:
    transport = FakeTransport(FakePushover(faults=[fault]))
    with pytest.raises(TransportError) as caught:
        transport.send(request())
    assert caught.value.may_have_been_sent is fault.delivered
    assert len(transport.fake.messages) == int(fault.delivered)
    assert transport.send(request()).status == 200


@pytest.mark.parametrize(
    ("fault", "status", "kind"),
    [
        (Fault.SERVER_ERROR_HTML, 500, "text/html"),
        (Fault.BAD_GATEWAY_EMPTY, 502, "text/html"),
        (Fault.UNAVAILABLE_JSON, 503, "application/json; charset=utf-8"),
        (Fault.QUOTA_EXCEEDED, 429, "application/json; charset=utf-8"),
        (Fault.BAD_REQUEST, 400, "application/json; charset=utf-8"),
        (Fault.MALFORMED_JSON, 200, "application/json; charset=utf-8"),
    ],
)
def test_answering_faults(fault: Fault, status: int, kind: str) -> None:
    fake = FakePushover()
    fake.inject(None, fault)
    transport = FakeTransport(fake)
    assert transport.send(request("first")).status == 200
    response = transport.send(request("second"))
    assert response.status == status
    assert response.headers["content-type"] == kind
    assert [m.message for m in fake.messages] == (
        ["first", "second"] if fault.delivered else ["first"]
    )
    assert len(fake.requests) == 2
    if fault is Fault.MALFORMED_JSON:
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.body)
    if fault is Fault.QUOTA_EXCEEDED:
        assert response.headers["x-limit-app-remaining"] == "9999"
    if fault is Fault.BAD_REQUEST:
        assert json.loads(response.body)["user"] == "invalid"
    if fault is Fault.BAD_GATEWAY_EMPTY:
        assert response.body == b""


def test_delivered_flags_are_documented_values() -> None:
    assert {f for f in Fault if f.delivered} == {
        Fault.RESET_AFTER_READ,
        Fault.MALFORMED_JSON,
        Fault.TRUNCATED_BODY,
    }
    assert Slow(0.1).delivered
    assert {f for f in Fault if f.disconnects} == {
        Fault.RESET_BEFORE_READ,
        Fault.RESET_AFTER_READ,
        Fault.TRUNCATED_BODY,
    }


def test_public_names_are_sorted_and_exist() -> None:
    # isort style, as ruff's RUF022 keeps it: constants first, then the rest.
    def key(name: str) -> tuple[bool, str]:
        return (not name.isupper(), name)

    assert testing.__all__ == sorted(testing.__all__, key=key)
    assert all(hasattr(testing, name) for name in testing.__all__)


def test_slow_step_processes_then_waits() -> None:
    fake = FakePushover(faults=[Slow(0.05)])
    exchange = fake.exchange("POST", "/1/messages.json", FORM, request().body)
    assert exchange.delay == 0.05
    assert exchange.response is not None
    assert exchange.response.status == 200
    assert len(fake.messages) == 1


def test_handle_raises_disconnect_and_consumes_one_step_per_request() -> None:
    fake = FakePushover(faults=[Fault.RESET_BEFORE_READ, None, Fault.RESET_AFTER_READ])
    with pytest.raises(Disconnect) as caught:
        fake.handle("GET", "/1/sounds.json", {}, b"")
    assert not caught.value.request_read
    assert fake.requests == ()
    assert (
        fake.handle("GET", f"/1/sounds.json?token={APP_TOKEN}", {}, b"").status == 200
    )
    with pytest.raises(Disconnect):
        fake.handle("GET", "/1/sounds.json", {}, b"")
    assert (
        fake.handle("GET", f"/1/sounds.json?token={APP_TOKEN}", {}, b"").status == 200
    )
    assert len(fake.requests) == 3


def test_closed_fake_transport_refuses_to_send() -> None:
    transport = FakeTransport()
    transport.close()
    with pytest.raises(TransportError):
        transport.send(request())
    assert transport.fake.requests == ()


@pytest.mark.parametrize("old", ["Attachment", "Receipt", "GroupMember"])
def test_the_records_old_names_are_gone(old: str) -> None:
    """The fake's records were named like the client's models (SentAttachment,
    ReceiptState and Membership now): the old names are not served any more."""
    with pytest.raises(AttributeError, match=old):
        getattr(testing, old)
    assert old not in testing.__all__


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Reciept"):
        getattr(testing, "Reciept")  # noqa: B009 - the name is the point
