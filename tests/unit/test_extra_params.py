"""Parameters Pushover documents after this release: ``extra_params`` on ``send`` and
``call`` (both clients). They go on the wire as they are, never encrypted, and can
never take a name the request or the library already sets."""

from __future__ import annotations

import string

import anyio
import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    LIST_SOUNDS,
    AsyncClient,
    Client,
    E2EEKey,
    Notification,
    SoundsRequest,
    ValidationError,
)
from chump_typed._checks import (
    EXTRA_NAME_MAX,
    EXTRA_PARAMS_MAX,
    EXTRA_VALUE_MAX,
    RESERVED_PARAMS,
)
from chump_typed.testing import (
    APP_TOKEN,
    USER_KEY,
    AsyncFakeTransport,
    FakePushover,
    FakeTransport,
)

NOTE = Notification(user=USER_KEY, message="hi")
NAME_CHARS = string.ascii_letters + string.digits + "_"
#: Every wire name a message sets itself: its fields, and the library's own.
TAKEN = {field.name for field in attrs.fields(Notification)} | RESERVED_PARAMS

names = st.text(NAME_CHARS, min_size=1, max_size=EXTRA_NAME_MAX).filter(
    lambda name: name not in TAKEN
)
values = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\x1f"),
    max_size=EXTRA_VALUE_MAX,
).filter(lambda text: all(c in "\t\r\n" or c >= " " for c in text))


def sent_with(fake: FakePushover, **kwargs: object) -> dict[str, str]:
    client = Client(APP_TOKEN, transport=FakeTransport(fake))
    client.send(NOTE, **kwargs)  # type: ignore[call-overload]
    return dict(fake.messages[-1].params)


@given(st.dictionaries(names, values, max_size=EXTRA_PARAMS_MAX))
def test_extra_parameters_go_on_the_wire_as_they_are(extra: dict[str, str]) -> None:
    params = sent_with(FakePushover(), extra_params=extra)

    for name, value in extra.items():
        assert params[name] == value
    assert params["message"] == "hi"


@pytest.mark.parametrize("name", sorted(TAKEN))
def test_a_name_the_request_or_the_library_sets_is_refused(name: str) -> None:
    fake = FakePushover()
    with pytest.raises(ValidationError, match="extra_params") as info:
        sent_with(fake, extra_params={name: "x"})

    assert repr(name) in str(info.value)
    assert fake.requests == ()


@given(st.text(min_size=1).filter(lambda n: not all(c in NAME_CHARS for c in n)))
def test_a_name_outside_the_alphabet_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="A-Z a-z 0-9 _"):
        sent_with(FakePushover(), extra_params={name: "x"})


@given(st.integers(EXTRA_NAME_MAX + 1, 3 * EXTRA_NAME_MAX))
def test_a_name_over_the_bound_is_refused(length: int) -> None:
    with pytest.raises(ValidationError, match=f"1 to {EXTRA_NAME_MAX}"):
        sent_with(FakePushover(), extra_params={"a" * length: "x"})


@given(st.integers(EXTRA_VALUE_MAX + 1, 4 * EXTRA_VALUE_MAX))
def test_a_value_over_the_bound_is_refused_without_showing_it(length: int) -> None:
    with pytest.raises(ValidationError, match=f"at most {EXTRA_VALUE_MAX}") as info:
        sent_with(FakePushover(), extra_params={"new_field": "s" * length})

    assert "sss" not in str(info.value)


@given(st.integers(EXTRA_PARAMS_MAX + 1, 2 * EXTRA_PARAMS_MAX))
def test_more_parameters_than_the_bound_are_refused(count: int) -> None:
    extra = {f"field_{n}": "x" for n in range(count)}

    with pytest.raises(ValidationError, match=f"at most {EXTRA_PARAMS_MAX}"):
        sent_with(FakePushover(), extra_params=extra)


def test_a_control_character_in_a_value_is_refused() -> None:
    with pytest.raises(ValidationError, match="control characters"):
        sent_with(FakePushover(), extra_params={"new_field": "a\x00b"})


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ([("new_field", "x")], "mapping of str to str"),
        ({1: "x"}, "a name must be a str"),
        ({"new_field": 1}, "extra_params['new_field']: expected str"),
    ],
)
def test_wrong_types_are_type_errors(extra: object, needle: str) -> None:
    with pytest.raises(TypeError, match=needle.replace("[", r"\[")):
        sent_with(FakePushover(), extra_params=extra)


def test_extra_parameters_are_never_encrypted() -> None:
    key = E2EEKey.generate()
    fake = FakePushover(e2ee_keys={USER_KEY: key})

    params = sent_with(fake, e2ee_key=key, extra_params={"new_field": "in clear"})

    assert params["encrypted"] == "1"
    assert params["message"] != "hi"  # the message went encrypted
    assert params["new_field"] == "in clear"


def test_call_adds_them_to_a_get_s_query() -> None:
    fake = FakePushover()
    client = Client(APP_TOKEN, transport=FakeTransport(fake))

    client.call(LIST_SOUNDS, SoundsRequest(), extra_params={"locale": "fr"})

    received = fake.requests[-1]
    assert received.method == "GET"
    assert received.params["locale"] == "fr"


def test_the_async_client_takes_them_too() -> None:
    fake = FakePushover()

    async def send() -> None:
        async with AsyncClient(APP_TOKEN, transport=AsyncFakeTransport(fake)) as client:
            await client.send(NOTE, extra_params={"new_field": "v"})
            with pytest.raises(ValidationError, match="'user'"):
                await client.send(NOTE, extra_params={"user": USER_KEY})

    anyio.run(send)

    assert fake.messages[-1].params["new_field"] == "v"
    assert len(fake.messages) == 1
