"""Hypothesis strategies: the building blocks of Pushover's rules, and one strategy per
model, derived from the endpoint table and the models themselves.

:data:`REQUESTS` and :data:`RESULTS` hold a strategy for the request and the result
type of every row of :data:`chump_typed._endpoints.ENDPOINTS`, built from the model's
attrs fields: a request's field by what its validator accepts (:data:`KINDS`), an
answer's field, which has no validator, by its type and its name
(:data:`ANSWER_TEXT`). Adding a call needs no edit here; a field of a new kind fails
the first draw, naming the field and what to add.
"""

from __future__ import annotations

import datetime as dt
import enum
import string
import types
import typing
from collections.abc import Callable
from typing import Any, Final

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from chump_typed import models
from chump_typed._endpoints import ENDPOINTS
from chump_typed.errors import ValidationError

ALNUM: Final = string.ascii_letters + string.digits
DEVICE_CHARS: Final = ALNUM + "_-"
UTC: Final = dt.timezone.utc

keys = st.text(ALNUM, min_size=30, max_size=30)
"""User keys, group keys, tokens and receipts: exactly 30 letters and digits."""

device_names = st.text(DEVICE_CHARS, min_size=1, max_size=25)
request_ids = st.uuids().map(str)

#: The C0 control characters (U+0000 to U+001F), refused in every text field ...
C0 = "".join(map(chr, range(32)))
#: ... but tab, LF and CR, which a message body may hold.
C0_BUT_LINES = C0.replace("\t", "").replace("\n", "").replace("\r", "")

# Text without surrogates (they cannot be encoded to send) or C0 controls.
characters = st.characters(exclude_categories=["Cs"], exclude_characters=C0)
any_text = st.text(characters)
message_characters = st.characters(
    exclude_categories=["Cs"], exclude_characters=C0_BUT_LINES
)


def text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.text(characters, min_size=min_size, max_size=max_size)


#: URL schemes: the web's, and apps' own (RFC 3986 allows letters, digits, + . -).
url_schemes = st.sampled_from(["https", "http", "mailto", "twitter", "x-app.v2+b"])


@st.composite
def urls(draw: st.DrawFn, max_size: int = 512) -> str:
    """A supplementary URL: a scheme, its colon, then any text, at most *max_size*."""
    scheme = draw(url_schemes)
    return f"{scheme}:{draw(text(max_size - len(scheme) - 1))}"


def message_text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """A message body: any text but surrogates and controls other than tab, CR, LF."""
    return st.text(message_characters, min_size=min_size, max_size=max_size)


line = st.text(characters, min_size=1, max_size=40)
"""Free strings that may reach a path or a header: no control characters."""

callbacks = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    st.text(
        string.ascii_lowercase + string.digits + ".-", min_size=1, max_size=20
    ).filter(lambda host: host.strip(".")),
    st.text(string.ascii_letters + string.digits + "/?=&%-_", max_size=30),
)
"""Absolute http(s) URLs with a host, as ``callback`` takes."""

epochs = st.integers(min_value=1, max_value=4_102_444_800)  # up to 2100
aware_datetimes = epochs.map(lambda s: dt.datetime.fromtimestamp(s, tz=UTC))


@st.composite
def recipients(draw: st.DrawFn) -> str:
    return ",".join(draw(st.lists(keys, min_size=1, max_size=50)))


@st.composite
def device_lists(draw: st.DrawFn) -> str:
    return ",".join(draw(st.lists(device_names, min_size=1, max_size=4)))


_PRIORITIES: Final = st.sampled_from(models.Priority)


@st.composite
def notifications(
    draw: st.DrawFn,
    priorities: st.SearchStrategy[models.Priority] = _PRIORITIES,
) -> models.AnyNotification:
    """Any valid message request, emergency or not (or of *priorities*)."""
    priority = draw(priorities)
    html = draw(st.booleans())
    fields: dict[str, Any] = {
        "user": draw(recipients()),
        "message": draw(message_text(1024, min_size=1)),
        "title": draw(st.none() | text(250)),
        "url": draw(st.none() | urls()),
        "url_title": draw(st.none() | text(100)),
        "device": draw(st.none() | device_lists()),
        "priority": priority,
        "sound": draw(st.none() | line),
        "timestamp": draw(st.none() | epochs | aware_datetimes),
        "html": html,
        "monospace": (not html) and draw(st.booleans()),
    }
    if priority == models.Priority.EMERGENCY:
        fields["retry"] = draw(st.integers(min_value=30, max_value=100_000))
        fields["expire"] = draw(st.integers(min_value=1, max_value=10800))
        fields["callback"] = draw(st.none() | callbacks)
        fields["tags"] = draw(st.none() | line)
    else:
        fields["ttl"] = draw(st.none() | st.integers(min_value=1, max_value=10**9))
    return models.notification_for(**fields)


# -- The whole API: attachments, groups, glances, subscriptions, licensing, teams -------

image_types = st.sampled_from(["image/png", "image/jpeg", "image/gif", "image/webp"])
filenames = st.text(
    st.characters(exclude_categories=["Cs", "Zs", "Cc"], exclude_characters="\\"),
    min_size=1,
    max_size=60,
)
"""Attachment file names (without spaces or backslashes, which multipart parsers
treat differently: a part header's quoted string is not escaped, as browsers do)."""
attachments = st.builds(
    models.Attachment,
    data=st.binary(max_size=2048),
    filename=filenames,
    content_type=image_types,
)
emails = st.builds(
    "{}@{}.{}".format,
    st.text(ALNUM + "._+-", min_size=1, max_size=20),
    st.text(ALNUM + "-", min_size=1, max_size=20),
    st.text(string.ascii_lowercase, min_size=2, max_size=6),
)
names = st.text(characters, min_size=1, max_size=60).filter(str.strip)
"""Group, team and subscription names: not blank, no control characters."""


@st.composite
def notifications_with_attachment(draw: st.DrawFn) -> models.AnyNotification:
    """A message carrying an image, as a multipart part or as base64."""
    base = draw(notifications())
    attachment = draw(attachments)
    if draw(st.booleans()):
        return attrs.evolve(base, attachment=attachment)
    return attrs.evolve(
        base,
        attachment_base64=attachment.base64(),
        attachment_type=attachment.content_type,
    )


# -- Receiving (the Open Client API) -----------------------------------------------

secrets_ = st.text(
    string.ascii_letters + string.digits + "-_.~+/=", min_size=1, max_size=64
)
"""Session secrets (printable ASCII without spaces; urlsafe base64 in practice)."""
device_ids = st.text(DEVICE_CHARS, min_size=1, max_size=64)
twofa_codes = st.text(string.digits, min_size=1, max_size=16)
message_ids = st.integers(min_value=0, max_value=2**53)
"""Message ids, and every other number an answer carries (counts, credits, limits):
0 up to the largest integer JSON readers keep exact."""


# -- Every model, from its fields ----------------------------------------------------

Strategy = st.SearchStrategy[Any]
#: Whether a field's validator takes a value.
Accepts = Callable[[object], bool]

#: The longest text, and the largest number either way, a field's bounds are looked
#: for within (a field without a bound gets this one).
TEXT_PROBE_MAX: Final = 1024
INT_PROBE_MAX: Final = 2**53
_KEY: Final = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


def _edge(accepts: Callable[[int], bool], inside: int, outside: int) -> int:
    """The accepted number nearest *outside*, going from *inside* (accepted) towards
    *outside*: the accepted numbers are one interval, so a binary search finds it."""
    if accepts(outside):
        return outside
    while abs(outside - inside) > 1:
        middle = (inside + outside) // 2
        if accepts(middle):
            inside = middle
        else:
            outside = middle
    return inside


def free_text(accepts: Accepts) -> Strategy:
    """Text without control characters, as short and as long as the field takes."""
    shortest = 0 if accepts("") else 1
    longest = _edge(lambda n: accepts("a" * n), shortest, TEXT_PROBE_MAX)
    return text(longest, min_size=shortest)


def bounded_ints(accepts: Accepts, where: str) -> Strategy:
    """The integers the field takes (within :data:`INT_PROBE_MAX` either way)."""
    seed = next((n for n in (0, 1, 30, 100, 10**6) if accepts(n)), None)
    if seed is None:
        raise TypeError(f"{where}: no small integer fits its validator")
    low = _edge(accepts, seed, -INT_PROBE_MAX)
    return st.integers(min_value=low, max_value=_edge(accepts, seed, INT_PROBE_MAX))


@attrs.frozen
class Kind:
    """A kind of text a request field may take: a field whose validator accepts every
    one of ``witnesses`` is of this kind, and draws from ``strategy(accepts)``."""

    name: str
    witnesses: tuple[str, ...]
    strategy: Callable[[Accepts], Strategy]


#: The kinds of text, from the most general to the most specific: a field gets the
#: first whose witnesses its validator takes all (a name field takes keys too, but
#: not a blank; a key field takes none of the kinds before keys).
KINDS: Final = (
    Kind("free text", (" ", "é"), free_text),
    Kind("a name", ("Ops é",), lambda _: names),
    Kind("an e-mail address", ("a.b+c@example.com",), lambda _: emails),
    Kind("a callback URL", ("https://h.example/a?b=c",), lambda _: callbacks),
    Kind("recipients", (f"{_KEY},{_KEY}",), lambda _: recipients()),
    Kind("device names", ("a_b,c-D",), lambda _: device_lists()),
    Kind("a device id", ("d" * 64, "a_b-C"), lambda _: device_ids),
    Kind("a device name", ("d" * 25, "a_b-C"), lambda _: device_names),
    Kind("a key", (_KEY,), lambda _: keys),
    Kind("a code of digits", ("0", "0123456789012345"), lambda _: twofa_codes),
)

#: What a text field of an answer holds, by the field's name (an answer's fields have
#: no validator to ask); the text in a tuple or a dict's keys go by the field's name
#: too. Any other is free text, never blank where ``None`` may stand (a blank may
#: read as ``None``).
ANSWER_TEXT: Final[dict[str, Strategy]] = {
    "request": request_ids,
    "id": keys | device_ids,  # a login's user key, a registration's device id
    "secret": secrets_,
    **dict.fromkeys(
        ("user", "group", "receipt", "acknowledged_by", "subscribed_user_key"), keys
    ),
    **dict.fromkeys(("device", "devices", "acknowledged_by_device"), device_names),
    "email": emails,
    "name": names,
    "memo": text(200),
    "message": message_text(200, min_size=1),
    **dict.fromkeys(("os", "licenses"), st.sampled_from(["Android", "iOS", "Desktop"])),
    "os_version": st.text(ALNUM + ".", min_size=1, max_size=8),
    "sounds": st.text(DEVICE_CHARS, min_size=1, max_size=20),  # a sound's name
}

#: Models whose rules tie their fields together more tightly than drawing each field
#: and refusing what breaks a rule can meet: drawn whole. A message's emergency
#: fields go with its priority, its ttl without it, and html without monospace.
DRAWN_WHOLE: Final[dict[type[Any], Strategy]] = {
    models.Notification: notifications(
        st.sampled_from(models.Priority).filter(
            lambda p: p != models.Priority.EMERGENCY
        )
    ),
    models.EmergencyNotification: notifications(st.just(models.Priority.EMERGENCY)),
}


def _members(hint: Any) -> tuple[Any, ...]:
    """A union's types, ``None`` first (what shrinking goes to); a type alone."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        return tuple(sorted(members, key=lambda member: member is not type(None)))
    return (hint,)


def _acceptor(field: attrs.Attribute[Any]) -> Accepts:
    validator = field.validator
    assert validator is not None

    def accepts(value: object) -> bool:
        try:
            validator(None, field, value)
        except (ValidationError, TypeError, ValueError):
            return False
        return True

    return accepts


def _text_kind(accepts: Accepts, where: str) -> Strategy:
    for kind in KINDS:
        if all(accepts(witness) for witness in kind.witnesses):
            return kind.strategy(accepts)
    raise TypeError(
        f"{where}: its validator takes none of the kinds of text in "
        "tests.strategies.KINDS: add a Kind for it"
    )


def _checked_value(hint: Any, accepts: Accepts, where: str) -> Strategy:
    """What a field with a validator may hold, as its type and its validator say."""
    if hint is int:
        return bounded_ints(accepts, where)
    if hint is str:
        return _text_kind(accepts, where)
    if typing.get_origin(hint) is typing.Literal:
        return st.sampled_from([v for v in typing.get_args(hint) if accepts(v)])
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from([m for m in hint if accepts(m)])
    return _value(hint, where.rpartition(".")[2], where)


def _value(hint: Any, name: str, where: str, *, optional: bool = False) -> Strategy:
    """What a field without a validator (an answer's) may hold, by its type and, for
    text, its *name*; *optional* text (``None`` may stand for it) is never blank."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None):
        return st.none()
    if hint is bool:
        return st.booleans()
    if hint is int:
        return message_ids
    if hint is str:
        return ANSWER_TEXT.get(name, line if optional else text(40))
    if hint is dt.datetime:
        return aware_datetimes
    if origin is typing.Literal:
        return st.sampled_from(args)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(_value(args[0], name, where), max_size=4).map(tuple)
    if origin is dict:
        return st.dictionaries(_value(args[0], name, where), _value(args[1], "", where))
    model = typing.cast("type[Any]", hint)
    if attrs.has(model):
        return model_strategy(model)
    raise TypeError(f"{where}: no strategy for its type {hint!r}")


def _field(cls: type[Any], field: attrs.Attribute[Any], hint: Any) -> Strategy:
    where = f"{cls.__name__}.{field.name}"
    members = _members(hint)
    if field.validator is None:
        optional = type(None) in members
        return st.one_of(
            [_value(m, field.name, where, optional=optional) for m in members]
        )
    accepts = _acceptor(field)
    return st.one_of([_checked_value(m, accepts, where) for m in members])


@st.composite
def _instances(
    draw: st.DrawFn,
    cls: type[Any],
    fields: dict[str, tuple[attrs.Attribute[Any], Strategy]],
) -> Any:
    values = {name: draw(strategy) for name, (_, strategy) in fields.items()}
    for name, (field, _) in fields.items():
        if field.validator is not None:
            try:
                field.validator(None, field, values[name])
            except (ValidationError, TypeError) as exc:
                raise AssertionError(
                    f"{cls.__name__}.{name}: tests.strategies drew a value its "
                    f"validator refuses ({exc})"
                ) from exc
    try:
        return cls(**values)
    except ValidationError:
        # Each field is valid alone: a rule between fields (a glance needs one of its
        # five data fields, a licence exactly one of user or e-mail) refused them.
        reject()


def model_strategy(cls: type[Any]) -> Strategy:
    """Any valid instance of the attrs class *cls*, each field drawn as its validator
    (or, without one, its type and name) says, and a model's rules between fields met
    by refusing the draws that break them (:data:`DRAWN_WHOLE` names the exception)."""
    if cls in DRAWN_WHOLE:
        return DRAWN_WHOLE[cls]
    hints = typing.get_type_hints(cls)
    fields = {
        f.name: (f, _field(cls, f, hints[f.name])) for f in attrs.fields(cls) if f.init
    }
    return _instances(cls, fields)


def _derived(cls: type[Any]) -> Strategy:
    # Deferred: a field no kind fits fails the tests that draw its model, not every
    # test that imports this module.
    return st.deferred(lambda: model_strategy(cls))


#: A strategy for every request model of the endpoint table, keyed by the model.
REQUESTS: Final[dict[type[Any], Strategy]] = {
    row.request_type: _derived(row.request_type) for row in ENDPOINTS
}

#: A strategy for every result model of the endpoint table, keyed by the model.
RESULTS: Final[dict[type[Any], Strategy]] = {
    row.response_type: _derived(row.response_type) for row in ENDPOINTS
}

error_responses = st.builds(
    models.ErrorResponse,
    status=st.integers(min_value=-5, max_value=5).filter(lambda s: s != 1),
    request=st.none() | request_ids,
    errors=st.lists(text(60), max_size=3).map(tuple)
    | st.dictionaries(
        st.text(ALNUM, min_size=1, max_size=12),
        st.lists(text(60), min_size=1, max_size=2).map(tuple),
        max_size=3,
    ),
    bad_inputs=st.dictionaries(
        st.sampled_from(["user", "token", "device", "message", "sound"]), text(30)
    ),
    receipt=st.none() | keys,
)
