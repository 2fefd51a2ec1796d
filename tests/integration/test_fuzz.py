"""Bad input, fuzzed: Hypothesis drives every public constructor and every ``Client``
and facade method with arbitrary values.

The property: a call either raises :class:`ValidationError` or :class:`TypeError` and
nothing reached the fake (``fake.requests`` is empty), or its input was valid, in which
case it returns or Pushover (the fake) says no with an :class:`APIError`. Parameters
are found by introspection, so a method added later is fuzzed without a change here.

The decoder half extends ``test_protocol``'s robustness property with mutated valid
bodies, extreme values and arbitrary headers: any answer gives the row's result (on
HTTP 200 only) or a :class:`PushoverError`, whose text can always be rendered.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
from collections.abc import Callable
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chump_typed
from chump_typed import (
    ENDPOINTS,
    SEND_MESSAGE,
    APIError,
    Application,
    Client,
    EmergencyMessage,
    Message,
    Notification,
    Priority,
    PushoverError,
    User,
    ValidationError,
)
from chump_typed._converter import converter
from chump_typed._endpoints import Endpoint
from chump_typed.protocol import (
    HTTPRequest,
    HTTPResponse,
    decode_response,
    encode_request,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, FakeTransport
from tests import figures
from tests import strategies as s

# The facade takes a naive timestamp as UTC with chump's RuntimeWarning (a warning,
# not an exception): fuzzing may draw one.
pytestmark = pytest.mark.filterwarnings("ignore:Naïve datetime received:RuntimeWarning")

UTC: Final = dt.timezone.utc

#: Examples per fuzzed callable: few enough for the suite to stay fast (there are
#: ~80 callables); ``CHUMP_FUZZ_EXAMPLES=500`` digs deeper.
_ASKED: Final = os.environ.get("CHUMP_FUZZ_EXAMPLES")
EXAMPLES: Final = int(_ASKED) if _ASKED else min(25, settings().max_examples)
FUZZ: Final = settings(max_examples=EXAMPLES)

# -- arbitrary values ------------------------------------------------------------------

tricky_text = st.text(
    st.sampled_from([*s.ALNUM[:6], ",", " ", "\r", "\n", "\x00", "/", ".", "?", "#"])
    | st.characters(),
    max_size=40,
)
"""Strings near Pushover's rules: key-like, with separators, controls, path syntax."""


def _spoil(key: str, char: str) -> str:
    return key[:15] + char + key[16:]


near_keys = st.text(s.ALNUM, min_size=28, max_size=32) | st.builds(
    _spoil, s.keys, st.sampled_from(["\n", "\r", "\x00", " ", ",", "é"])
)
"""Strings one step away from a valid key."""

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-3, max_value=3),
    st.floats(),
    st.text(),
    tricky_text,
    near_keys,
    st.binary(max_size=20),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from(Priority),
    st.sampled_from(
        [int, str, bytes, float, bool, complex, dt.datetime, dt.timedelta, Priority]
    ).flatmap(st.from_type),
    st.builds(object),
)
anything: Final = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        | st.frozensets(st.integers() | st.text(max_size=4), max_size=3)
    ),
    max_leaves=6,
)
"""Any value of many types, nested a little."""

#: A valid value per parameter name, so that the other parameters of a call get past
#: their own checks and the fuzzed one is reached.
VALID: Final[dict[str, Any]] = {
    "token": APP_TOKEN,
    "user": USER_KEY,
    "message": "hello",
    "receipt": "r" * 30,
    "tag": "tag",
    "device": None,
}


def arguments(
    func: Callable[..., Any], data: st.DataObject, *, fixed: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Draw arguments for every parameter of *func*: arbitrary for some, valid (or the
    default) for the others."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in inspect.signature(func).parameters.values():
        if param.name in ("self", "cls") or param.kind in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        ):
            continue
        if param.name in fixed:
            value = fixed[param.name]
        elif data.draw(st.booleans(), label=f"fuzz {param.name}?"):
            value = data.draw(anything, label=param.name)
        elif param.name in VALID:
            value = VALID[param.name]
        elif param.default is not param.empty:
            continue
        else:
            value = data.draw(anything, label=param.name)
        if param.kind is param.POSITIONAL_OR_KEYWORD and not kwargs:
            args.append(value)
        else:
            kwargs[param.name] = value
    return args, kwargs


def check_call(fake: FakePushover, call: Callable[[], object]) -> None:
    """The property of this module, for one call."""
    figures.add("fuzz: calls")
    try:
        call()
    except (ValidationError, TypeError):
        assert fake.requests == ()  # refused before any I/O
    except APIError:
        assert fake.requests != ()  # locally valid; the fake said no
    else:
        figures.add("fuzz: calls with valid input")


# -- constructors ----------------------------------------------------------------------

#: Public classes and why some are not fuzzed here.
NOT_FUZZED: Final = {
    "Priority": "an IntEnum: Priority(5) raises ValueError, as enums do",
    "Clear": "an Enum of one member, CLEAR: Clear(5) raises ValueError, as enums do",
    "Transport": "a Protocol",
    "PushoverError": "the root exception: any arguments, like Exception",
    "DecryptionError": "a PushoverError with a message: any arguments, like Exception",
    "PushStreamError": "the stream errors' root: any arguments, like Exception",
}
CONSTRUCTORS: Final = [
    getattr(chump_typed, name)
    for name in chump_typed.__all__
    if inspect.isclass(getattr(chump_typed, name)) and name not in NOT_FUZZED
]


def test_every_public_class_is_fuzzed_or_excused() -> None:
    classes = {
        name
        for name in chump_typed.__all__
        if inspect.isclass(getattr(chump_typed, name))
    }
    assert classes == {c.__name__ for c in CONSTRUCTORS} | set(NOT_FUZZED)


@pytest.mark.parametrize("cls", CONSTRUCTORS, ids=lambda c: c.__name__)
@FUZZ
@given(data=st.data())
def test_constructors(cls: type[Any], data: st.DataObject) -> None:
    fake = FakePushover()
    fixed: dict[str, Any] = {}
    if cls in (Client, Application):
        fixed["transport"] = data.draw(st.just(FakeTransport(fake)) | anything)
    if cls in (User,):
        fixed["app"] = Application(APP_TOKEN, transport=FakeTransport(fake))
    if cls in (Message, EmergencyMessage):
        app = Application(APP_TOKEN, transport=FakeTransport(fake))
        fixed["user"] = app.get_user(USER_KEY)
    args, kwargs = arguments(cls, data, fixed=fixed)

    check_call(fake, lambda: cls(*args, **kwargs))


# -- client and facade methods ---------------------------------------------------------


def public_methods(cls: type[Any]) -> list[str]:
    return sorted(
        name
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and name != "close"
    )


@pytest.mark.parametrize("method", public_methods(Client))
@FUZZ
@given(data=st.data())
def test_client_methods(method: str, data: st.DataObject) -> None:
    fake = FakePushover()
    client = Client(APP_TOKEN, transport=FakeTransport(fake))
    func = getattr(client, method)
    fixed: dict[str, Any] = {}
    if method == "call":
        fixed["endpoint"] = data.draw(st.sampled_from(ENDPOINTS) | anything)
    args, kwargs = arguments(func, data, fixed=fixed)

    check_call(fake, lambda: func(*args, **kwargs))


FACADE: Final = [
    (Application, "get_user"),
    *((User, name) for name in public_methods(User)),
]


@pytest.mark.parametrize(
    ("cls", "method"), FACADE, ids=lambda m: getattr(m, "__name__", m)
)
@FUZZ
@given(data=st.data())
def test_facade_methods(cls: type[Any], method: str, data: st.DataObject) -> None:
    fake = FakePushover()
    app = Application(APP_TOKEN, transport=FakeTransport(fake))
    owner = app if cls is Application else app.get_user(USER_KEY)
    func = getattr(owner, method)
    args, kwargs = arguments(func, data, fixed={})

    check_call(fake, lambda: func(*args, **kwargs))


MESSAGE_ATTRIBUTES: Final = [
    "message",
    "html",
    "title",
    "timestamp",
    "url",
    "url_title",
    "device",
    "priority",
    "sound",
    "monospace",
    "ttl",
]
EMERGENCY_ATTRIBUTES: Final = ["callback", "retry", "expire", "tags"]


@pytest.mark.parametrize(
    ("emergency", "attribute"),
    [(False, a) for a in MESSAGE_ATTRIBUTES]
    + [(True, a) for a in MESSAGE_ATTRIBUTES + EMERGENCY_ATTRIBUTES if a != "ttl"],
)
@FUZZ
@given(value=anything)
def test_message_setters_then_send(emergency: bool, attribute: str, value: Any) -> None:
    fake = FakePushover()
    user = Application(APP_TOKEN, transport=FakeTransport(fake)).get_user(USER_KEY)
    message = (
        user.create_message("hi", priority=2)
        if emergency
        else user.create_message("hi")
    )

    def set_and_send() -> None:
        setattr(message, attribute, value)
        message.send()

    check_call(fake, set_and_send)


@given(token=anything)
def test_token_setters(token: Any) -> None:
    fake = FakePushover()
    app = Application(APP_TOKEN, transport=FakeTransport(fake))
    user = app.get_user(USER_KEY)

    def set_app() -> None:
        app.token = token

    def set_user() -> None:
        user.token = token

    check_call(fake, set_app)
    check_call(fake, set_user)


# -- the decoder -----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([0, -1, 2**31, 2**63, 10**20, -(10**20)])
    | st.floats()
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

header_values = (
    st.text(max_size=16)
    | st.integers().map(str)
    | st.sampled_from(["1e9", "-5", "nan", "99999999999999999999", "Tue, 31 Feb 2026"])
)


@st.composite
def mutated_bodies(draw: st.DrawFn, endpoint: Endpoint[Any, Any]) -> bytes:
    """A valid success body for *endpoint*, then fields replaced, dropped or added."""
    result = draw(s.RESULTS[endpoint.response_type])
    body: dict[str, Any] = dict(converter.unstructure(result))
    body.pop("rate_limit", None)
    body["status"] = 1
    for name in draw(st.lists(st.sampled_from(sorted(body)), max_size=3)):
        if draw(st.booleans()):
            body[name] = draw(json_values)
        else:
            body.pop(name, None)
    body.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)))
    text = json.dumps(body, allow_nan=True)
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut]
    return text.encode()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@FUZZ
@given(data=st.data())
def test_decoder_on_mutated_answers(
    endpoint: Endpoint[Any, Any], data: st.DataObject
) -> None:
    status = data.draw(
        st.sampled_from([200, 200, 200, 400, 404, 429, 500, 503])
        | st.integers(min_value=-1, max_value=1000)
    )
    body = data.draw(mutated_bodies(endpoint) | st.binary(max_size=64))
    headers = data.draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "x-limit-app-limit",
                    "x-limit-app-remaining",
                    "x-limit-app-reset",
                    "date",
                    "retry-after",
                    "content-type",
                ]
            )
            | st.text(max_size=8),
            header_values,
            max_size=5,
        )
    )
    request = encode_request(
        SEND_MESSAGE,
        Notification(user=USER_KEY, message="hi"),
        token=APP_TOKEN,
        base_url="https://api.pushover.net/1/",
    )
    figures.add("fuzz: decoded answers")
    answer = HTTPResponse(status=status, headers=headers, body=body)
    outcome = decode_or_error(endpoint, request, answer)

    if isinstance(outcome, PushoverError):
        assert str(outcome)
        assert repr(outcome)  # an error's text can always be rendered
    else:
        assert isinstance(outcome, endpoint.response_type)
        assert status == 200


def decode_or_error(
    endpoint: Endpoint[Any, Any], request: HTTPRequest, answer: HTTPResponse
) -> object:
    try:
        return decode_response(endpoint, request, answer)
    except PushoverError as error:
        return error
