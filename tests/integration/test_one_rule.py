"""One rule per input, the same on every entry point.

Text: no lone surrogate and no C0 control character in any field, except tab, CR and LF
in a message body. Numbers: an ``int`` (never a ``float`` or ``bool``) within a named
bound. Each property runs the same value through the typed model, the facade (its
constructor and its setters), the command line and, where it builds its own text, the
logging handler, and requires them to agree with the rule and with each other.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    Application,
    Client,
    Notification,
    ValidationError,
    notification_for,
)
from chump_typed.cli import main
from chump_typed.cli._run import EXIT_USAGE
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, FakeTransport, serve
from tests.strategies import C0

pytestmark = pytest.mark.integration

#: The emergency fields ``tags`` and ``callback`` need.
EMERGENCY_FIELDS: Final[dict[str, Any]] = {"priority": 2, "retry": 30, "expire": 60}
#: Text fields, and whether tab, CR and LF are allowed in them.
TEXT_FIELDS: Final = {
    "message": True,
    "title": False,
    "url": False,
    "url_title": False,
    "sound": False,
    "tags": False,
}
alphabet = st.sampled_from(
    [
        *("a", "é", " ", "\t", "\n", "\r", "\x00", "\x01", "\x1b", "\x1f"),
        *("\x7f", "\x85", "\u2028", "\ud800", "\udfff", "\U0001f600"),
    ]
)
texts = st.text(alphabet, min_size=1, max_size=12)


def allowed(field: str, text: str) -> bool:
    refused = set(C0) - (set("\t\r\n") if TEXT_FIELDS[field] else set())
    return not any(c in refused or "\ud800" <= c <= "\udfff" for c in text)


def refusal(call: Callable[[], object]) -> str | None:
    """The field a ``ValidationError`` named, ``"TypeError: field"``, or ``None``."""
    try:
        call()
    except ValidationError as error:
        return error.field
    except TypeError as error:
        return f"TypeError: {str(error).split(':')[0]}"
    return None


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serve(FakePushover(limit=10**9)) as url:
        yield url


def cli_refusal(url: str, *argv: str) -> str | None:
    """The field the command line refused (exit 2, one line naming it), or ``None``."""
    err = io.StringIO()
    code = main(
        ["send", *argv, "--base-url", url, "--retries", "0"],
        environ={"PUSHOVER_TOKEN": APP_TOKEN, "PUSHOVER_USER": USER_KEY},
        stdout=io.StringIO(),
        stderr=err,
    )
    if code != EXIT_USAGE:
        return None
    text = err.getvalue().removeprefix("chump-typed: error: ")
    return text.split(":")[0]


app = Application(APP_TOKEN, transport=FakeTransport(FakePushover()))
#: Typed as Any: these tests pass what the annotations forbid, on purpose.
user: Any = app.get_user(USER_KEY)


@given(field=st.sampled_from(sorted(TEXT_FIELDS)), text=texts)
def test_text_has_one_rule_on_every_entry_point(
    served: str, field: str, text: str
) -> None:
    extra = EMERGENCY_FIELDS if field == "tags" else {}
    if field == "url":
        text = f"https://{text}"  # a URL starts with its scheme (its own rule, below)
    fields: dict[str, Any] = {"message": "hi", **extra, field: text}
    expected = None if allowed(field, text) else field

    typed = refusal(lambda: notification_for(user=USER_KEY, **fields))
    facade = refusal(lambda: user.create_message(**fields))
    draft = user.create_message("hi", **extra)
    setter = refusal(lambda: setattr(draft, field, text))
    options = [] if field == "message" else [f"--{field.replace('_', '-')}={text}"]
    if field == "tags":
        options += ["--priority=emergency", "--retry=30", "--expire=60"]
    line = cli_refusal(served, fields["message"], *options)

    assert typed == facade == setter == line == expected


@given(
    url=st.builds(
        "{}{}{}".format,
        st.text("aZ1+.-_ /", max_size=5),
        st.sampled_from(["", ":", "://"]),
        st.text("ab/.:?=", min_size=1, max_size=8),
    )
)
def test_a_url_without_its_scheme_is_refused_on_every_entry_point(
    served: str, url: str
) -> None:
    """``example.com/x`` is refused by the model, the facade (constructor and setter)
    and the command line alike; ``https://example.com/x`` by none."""
    scheme, colon, _rest = url.partition(":")
    has_scheme = bool(
        colon
        and scheme
        and scheme[0].isascii()
        and scheme[0].isalpha()
        and all(c.isascii() and (c.isalnum() or c in "+.-") for c in scheme)
    )
    expected = None if has_scheme else "url"

    typed = refusal(lambda: notification_for(user=USER_KEY, message="hi", url=url))
    facade = refusal(lambda: user.create_message("hi", url=url))
    draft = user.create_message("hi")
    setter = refusal(lambda: setattr(draft, "url", url))
    line = cli_refusal(served, "hi", f"--url={url}")

    assert typed == facade == setter == line == expected


class SoundName(str, enum.Enum):
    PUSHOVER = "pushover"


def test_a_str_enum_goes_on_the_wire_as_its_value() -> None:
    fake = FakePushover()
    client = Client(APP_TOKEN, transport=FakeTransport(fake))
    client.send(Notification(user=USER_KEY, message="hi", sound=SoundName.PUSHOVER))
    Application(APP_TOKEN, transport=FakeTransport(fake)).get_user(
        USER_KEY
    ).send_message("hi", sound=SoundName.PUSHOVER)

    assert [m.params["sound"] for m in fake.messages] == ["pushover", "pushover"]


@pytest.fixture
def wire() -> Iterator[FakePushover]:
    fake = FakePushover()
    with serve(fake):
        yield fake


INT_FIELDS: Final[dict[str, dict[str, Any]]] = {
    "priority": {},
    "ttl": {},
    "retry": {"priority": 2, "expire": 60},
    "expire": {"priority": 2, "retry": 30},
    "timestamp": {},
}


@pytest.mark.parametrize("field", sorted(INT_FIELDS))
@pytest.mark.parametrize("value", [2.0, 1.0, True, False, 60.5])
def test_floats_and_bools_are_type_errors_everywhere(field: str, value: object) -> None:
    fields: dict[str, Any] = {"message": "hi", **INT_FIELDS[field], field: value}

    typed = refusal(lambda: notification_for(user=USER_KEY, **fields))
    facade = refusal(lambda: user.create_message(**fields))

    assert typed == facade == f"TypeError: {field}"


@given(
    field=st.sampled_from(["ttl", "retry", "timestamp"]),
    digits=st.integers(min_value=20, max_value=6000),
)
def test_huge_ints_are_validation_errors_naming_the_bound(
    field: str, digits: int
) -> None:
    fields: dict[str, Any] = {"message": "hi", **INT_FIELDS[field], field: 10**digits}

    with pytest.raises(ValidationError) as typed:
        notification_for(user=USER_KEY, **fields)
    with pytest.raises(ValidationError) as facade:
        user.create_message(**fields)

    assert typed.value.field == facade.value.field == field
    assert "must be <=" in str(typed.value)
    assert str(typed.value) == str(facade.value)


HUGE_PRIORITY: Final[Any] = 10**5000


def test_a_huge_priority_names_the_range() -> None:
    with pytest.raises(ValidationError, match="between -2 and 2"):
        Notification(user=USER_KEY, message="hi", priority=HUGE_PRIORITY)
    with pytest.raises(ValidationError, match="between -2 and 2"):
        user.create_message("hi", priority=HUGE_PRIORITY)


UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (0, False),
        (1, True),
        (253_402_300_799, True),
        (253_402_300_800, False),
        (10**30, False),
        (dt.datetime(1960, 1, 1, tzinfo=UTC), False),
        (dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC), True),
        (dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), True),
    ],
)
def test_timestamp_has_one_range(served: str, value: Any, accepted: bool) -> None:
    expected = None if accepted else "timestamp"

    typed = refusal(lambda: Notification(user=USER_KEY, message="hi", timestamp=value))
    facade = refusal(lambda: user.create_message("hi", timestamp=value))
    shown = value.isoformat() if isinstance(value, dt.datetime) else str(value)
    line = cli_refusal(served, "hi", f"--timestamp={shown}")

    assert typed == facade == line == expected
