"""Secrets by construction: the mechanism, and the mechanism on every path.

1. Every public entry point is wrapped (found by walking the public API, so a new
   method cannot be forgotten), and the wrapper clears every library frame below it.
2. Text that leaves the library is redacted of the exact secrets in use, whatever their
   alphabet (Hypothesis, over printable ASCII with quotes, backslashes and spaces).
3. End to end, over the five transport configurations, the facade, receiving, the
   logging handler and E2EE keys, with a table of hostile secrets: a traceback rendered
   with ``capture_locals=True`` (as Sentry records it), every exception it chains to,
   and every text of the error hold none of them; nor does an answer that echoes them.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import logging
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any, Final
from urllib.parse import parse_qsl, quote

import anyio
import anyio.from_thread
import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chump_typed import (
    Application,
    AsyncClient,
    Client,
    Notification,
    PushoverError,
    Urllib3Transport,
)
from chump_typed._logfilter import RedactRecords
from chump_typed._redact import (
    REDACTED,
    forms,
    redact_bytes,
    redact_params,
    redact_text,
    remember,
)
from chump_typed._scrub import SCRUBBED, is_entry_class, is_entry_name, is_library_file
from chump_typed.e2ee import E2EEKey
from chump_typed.logging import PushoverHandler
from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.receive import OpenClient
from chump_typed.testing import FakePushover, Slow, serve
from tests.loopback import serving
from tests.wires import WIRES, Wire

pytestmark = pytest.mark.integration

TOKEN: Final = "aT0kenWithThirtyLettersAndDig1"
USER: Final = "uSerKeyThatIsRegisteredAtFake1"
#: Hostile secrets, one per field whose alphabet allows it: a quote, a backslash, a
#: space (where allowed) and non-ASCII.
TEAM: Final = "te'am\"tok\\en-é!"  # a team token: any printable word
PASSWORD: Final = "pa'ss \"wö\\rd 42"  # a password: anything
SESSION: Final = "s3c'r\"e\\t~!-99"  # a session secret: printable ASCII
KEY: Final = E2EEKey.from_hex("0f1e2d3c4b5a69788796a5b4c3d2e1f0" * 2)
EMAIL: Final = "me@example.com"


def hostile_forms(*secrets: str) -> set[str]:
    return {form for secret in secrets for form in forms(secret)} - {""}


SECRETS: Final = hostile_forms(TOKEN, USER, TEAM, PASSWORD, SESSION, KEY.hex())


def caught(call: Callable[[], object]) -> BaseException:
    """What *call* raised (this frame keeps no reference to the call)."""
    try:
        call()
    except BaseException as exc:
        del call
        return exc
    raise AssertionError("the call did not fail")


def chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (current.__cause__, current.__context__) if e]
        pending += list(getattr(current, "exceptions", ()))


def everything_shown(error: BaseException) -> str:
    """The error as an error tracker records it: each exception of the chain with
    its frames' locals, its text and repr, and its attributes."""
    texts: list[str] = []
    for current in chain(error):
        rendered = traceback.TracebackException.from_exception(
            current, capture_locals=True
        )
        texts += ["".join(rendered.format()), str(current), repr(current)]
        texts += [repr(v) for v in vars(current).values()]
    return "\n".join(texts)


def assert_clean(error: BaseException, what: str) -> None:
    shown = everything_shown(error)
    leaked = sorted(s for s in SECRETS if s in shown)
    assert not leaked, f"{what}: {leaked}\n{shown}"


# -- 1. The mechanism: every entry point is wrapped -----------------------------------

PUBLIC_MODULES: Final = (
    "chump_typed",
    "chump_typed.receive",
    "chump_typed.e2ee",
    "chump_typed.logging",
    "chump_typed.callbacks",
    "chump_typed.cli",
    "chump_typed.protocol",
    "chump_typed.models",
    "chump_typed.errors",
)


def entry_points() -> Iterator[tuple[str, object]]:
    """Every public function, and every public method (inherited ones included) of
    every public class that is not a value declaration (exceptions, enums, protocols,
    typed dicts), as (name, function)."""
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, type):
                if not is_entry_class(value):
                    continue
                for method in dir(value):
                    if not is_entry_name(method):
                        continue
                    owner = next(c for c in value.__mro__ if method in vars(c))
                    if not owner.__module__.startswith("chump_typed"):
                        continue
                    raw = vars(owner)[method]
                    function = getattr(raw, "__func__", None) or getattr(
                        raw, "fget", raw
                    )
                    if callable(function):
                        yield f"{module_name}.{name}.{method}", function
            elif inspect.isfunction(value):
                yield f"{module_name}.{name}", value


def test_every_public_entry_point_is_scrubbed() -> None:
    found = dict(entry_points())
    assert len(found) > 250  # the walk found the API, not an empty list
    assert "chump_typed.Client.send" in found
    assert "chump_typed.receive.Listener.__next__" in found
    assert "chump_typed.E2EEKey.from_hex" in found
    missing = sorted(
        name for name, f in found.items() if not getattr(f, SCRUBBED, False)
    )
    assert not missing


def test_every_model_is_built_by_a_scrubbed_init() -> None:
    import chump_typed.models as models

    built = [
        getattr(models, name)
        for name in models.__all__
        if attrs.has(getattr(models, name))
    ]
    assert len(built) > 40
    assert all(getattr(cls.__init__, SCRUBBED, False) for cls in built)


def test_library_frames_are_told_from_the_applications() -> None:
    assert is_library_file(json.__file__)  # the standard library
    assert is_library_file(attrs.__file__)  # site-packages
    assert is_library_file(importlib.import_module("chump_typed._scrub").__file__ or "")
    assert is_library_file("<attrs generated init chump_typed.Notification>")
    assert not is_library_file(__file__)  # the application's (here, the tests') own


# -- 2. Redaction by the secrets in use ------------------------------------------------

ASCII: Final = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=6, max_size=40
)
AROUND: Final = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20
)


class Holder:
    """Something that holds a secret (as a client does)."""


@given(secret=ASCII, before=AROUND, after=AROUND, form=st.sampled_from(range(6)))
def test_a_secret_in_use_is_redacted_in_any_form(
    secret: str, before: str, after: str, form: int
) -> None:
    shown = sorted(forms(secret))[form % len(forms(secret))]
    assume(secret not in before + REDACTED + after and REDACTED not in secret)
    assume(not any(secret in before + REDACTED[:i] for i in range(len(REDACTED) + 1)))
    holder = Holder()
    remember(holder, secret)
    text = redact_text(before + shown + after)
    assert secret not in text
    assert shown not in text
    raw = redact_bytes((before + shown + after).encode())
    assert secret.encode() not in raw


@given(secret=ASCII, before=AROUND, after=AROUND)
def test_a_secret_given_for_one_text_is_redacted_there(
    secret: str, before: str, after: str
) -> None:
    assume(secret not in before + REDACTED + after and REDACTED not in secret)
    assert secret not in redact_text(before + secret + after, [secret])


@given(st.text(min_size=1, max_size=8))
def test_a_short_secret_is_redacted_in_its_own_field(secret: str) -> None:
    for field in ("password", "token", "user", "secret", "twofa", "email"):
        assert redact_params({field: secret}) == {field: REDACTED}


@given(
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=":"),
        min_size=8,
        max_size=40,
    )
)
def test_the_login_line_is_redacted_whatever_the_secret_holds(secret: str) -> None:
    holder = Holder()
    remember(holder, secret)
    line = f"login:desk:{secret}\n"
    record = logging.LogRecord(
        "websockets",
        logging.DEBUG,
        __file__,
        1,
        "> TEXT %r [%d bytes]",
        (line, 9),
        None,
    )
    assert RedactRecords().filter(record)
    assert not any(form in record.getMessage() for form in forms(secret))


def test_a_secret_is_forgotten_with_its_holder() -> None:
    import gc

    holder = Holder()
    remember(holder, "forgettable-secret")
    assert REDACTED in redact_text("a forgettable-secret")
    del holder
    gc.collect()
    assert redact_text("a forgettable-secret") == "a forgettable-secret"


# -- 3. End to end ---------------------------------------------------------------------


@attrs.define
class Echo:
    """A hostile server: every answer echoes the request (head, body and its values
    decoded) in ``errors``, and in the login answer's ``secret``."""

    status: int = 400
    seen: list[bytes] = attrs.Factory(list[bytes])
    values: list[str] = attrs.Factory(list[str])

    def __call__(self, conn: socket.socket, stop: threading.Event) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            body += conn.recv(65536)
        self.seen.append(head + body)
        target = head.split(b" ")[1].decode("latin-1")
        query = target.partition("?")[2]
        values = [v for _, v in parse_qsl(query) + parse_qsl(body.decode("latin-1"))]
        self.values += values
        echoed = [head.decode("latin-1"), body.decode("latin-1"), *values]
        answer = json.dumps(
            {
                "status": 0 if self.status >= 400 else 1,
                # A success answer has drifted: its request id is not a string.
                "request": "echo" if self.status >= 400 else values,
                "errors": echoed,
                "secret": " ".join(values),
                "echo": {"values": values, "quoted": [quote(v) for v in values]},
                "id": 42,  # not strings: a success answer has drifted
                "receipt": 42,
                "messages": values,
            }
        ).encode()
        conn.sendall(
            b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (self.status, len(answer), answer)
        )


@pytest.fixture(params=[400, 200], ids=["4xx", "drifted 200"])
def echo(request: pytest.FixtureRequest) -> Iterator[tuple[str, Echo]]:
    handler = Echo(status=request.param)
    with serving(handler) as served:
        yield served.url, handler


@pytest.fixture(params=list(WIRES))
def any_wire(request: pytest.FixtureRequest) -> Wire:
    return WIRES[request.param]


def test_an_answer_that_echoes_the_secrets_shows_none(
    any_wire: Wire, echo: tuple[str, Echo]
) -> None:
    url, handler = echo
    with any_wire.client(url, token=TOKEN, team_token=TEAM, retries=0) as client:
        calls: dict[str, Callable[[], object]] = {
            "send": functools.partial(
                client.send, Notification(user=USER, message="hi")
            ),
            "team": client.team_info,
            "limits": client.limits,  # a GET: the token in the query string
        }
        for name, call in calls.items():
            error = caught(call)
            assert isinstance(error, PushoverError), (name, handler.status, error)
            assert_clean(error, f"{any_wire.name} {name}")
    assert len(handler.seen) == len(calls)
    assert TEAM in handler.values and TOKEN in handler.values


def test_a_timeout_keeps_no_secret_in_any_frame(any_wire: Wire) -> None:
    fake = FakePushover(app_tokens=[TOKEN], users={USER: ["phone"]})
    with serve(fake) as url:
        fake.inject(Slow(2.0))
        with any_wire.client(
            url, token=TOKEN, team_token=TEAM, retries=0, deadline=0.3
        ) as client:
            error = caught(
                functools.partial(client.send, Notification(user=USER, message="hi"))
            )
    assert isinstance(error, PushoverError)
    assert_clean(error, any_wire.name)


@pytest.mark.parametrize("wire_name", [name for name, w in WIRES.items() if w.is_async])
def test_a_cancelled_send_keeps_no_secret_in_any_frame(wire_name: str) -> None:
    """An async send cut by the caller's own timeout (``fail_after``, as
    ``asyncio.wait_for`` does): the cancellation passes through unchanged in type,
    and no frame below the entry point (aiohttp's, httpx's, anyio's) keeps the body."""
    wire = WIRES[wire_name]
    assert wire.backend is not None
    fake = FakePushover(app_tokens=[TOKEN], users={USER: ["phone"]})

    async def cancelled(url: str) -> tuple[BaseException, type[BaseException]]:
        async with AsyncClient(
            TOKEN, team_token=TEAM, base_url=url, transport=wire.transport(retries=0)
        ) as client:
            note = Notification(user=USER, message="hi")
            try:
                with anyio.fail_after(0.3):
                    await client.send(note)
            except TimeoutError as exc:
                return exc, anyio.get_cancelled_exc_class()
        raise AssertionError("not cancelled")

    with serve(fake) as url:
        fake.inject(Slow(2.0))
        with anyio.from_thread.start_blocking_portal(wire.backend) as portal:
            error, cancellation = portal.call(cancelled, url)
    assert any(isinstance(e, cancellation) for e in chain(error))  # unchanged in type
    assert_clean(error, wire_name)


def test_the_facade_keeps_no_secret_in_a_raised_or_stored_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}/1/"
    app = Application(TOKEN, base_url=refused, transport=Urllib3Transport(retries=0))
    assert_clean(caught(app.get_user(USER).create_message("hi").send), "raised")

    with serving(Echo(status=400)) as served:
        app = Application(
            TOKEN, base_url=served.url, transport=Urllib3Transport(retries=0)
        )
        message = app.get_user(USER).create_message("hi")
        assert message.send() is False
    assert message.error is not None
    assert_clean(message.error, "Message.error")
    frames = traceback.extract_tb(message.error.__traceback__)
    assert not any(f.name == "_send_now" for f in frames)  # its frame is not kept


def test_send_many_keeps_no_secret_in_its_failed_outcomes(
    echo: tuple[str, Echo],
) -> None:
    url, _ = echo
    with Client(TOKEN, base_url=url, transport=Urllib3Transport(retries=0)) as client:
        outcomes = client.send_many([Notification(user=USER, message="hi")] * 2)
    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 2
    for error in errors:
        assert_clean(error, "send_many")
        # Kept, not raised: no frame of the run that kept it is still held.
        frames = traceback.extract_tb(error.__traceback__)
        assert not any(f.name in ("work", "record", "send_many") for f in frames)


def test_a_login_whose_answer_echoes_the_password_shows_neither(
    echo: tuple[str, Echo],
) -> None:
    url, _ = echo
    receiver = OpenClient(base_url=url, transport=Urllib3Transport(retries=0))
    error = caught(functools.partial(receiver.login, EMAIL, PASSWORD))
    assert isinstance(error, PushoverError)
    assert_clean(error, "login")


def test_a_session_secret_never_shows(echo: tuple[str, Echo]) -> None:
    url, _ = echo
    session = OpenClient(base_url=url, transport=Urllib3Transport(retries=0)).session(
        SESSION
    )
    error = caught(functools.partial(session.download, "desk"))
    assert isinstance(error, PushoverError)
    assert_clean(error, "download")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda: E2EEKey.from_hex(KEY.hex() + "\n"), id="hex with a newline"
        ),
        pytest.param(lambda: E2EEKey.from_hex(" " + KEY.hex()), id="hex with a space"),
        pytest.param(lambda: E2EEKey(bytearray.fromhex(KEY.hex())), id="a bytearray"),  # type: ignore[arg-type]
        pytest.param(lambda: E2EEKey(bytes.fromhex(KEY.hex())[:31]), id="31 bytes"),
    ],
)
def test_a_bad_e2ee_key_keeps_no_trace_of_itself(make: Callable[[], object]) -> None:
    error = caught(make)
    assert isinstance(error, (TypeError, ValueError))
    assert_clean(error, "E2EEKey")


@pytest.mark.parametrize(
    "options",
    [{"queue_size": 0}, {"timeout": -1}, {"e2ee_key": "not a key"}],
    ids=["queue size", "timeout", "key type"],
)
def test_a_handler_that_fails_to_build_keeps_no_secret(options: dict[str, Any]) -> None:
    settings: dict[str, Any] = {"e2ee_key": KEY, **options}
    error = caught(functools.partial(PushoverHandler, TOKEN, USER, **settings))
    assert isinstance(error, (TypeError, ValueError))
    assert_clean(error, "PushoverHandler")


def test_the_handler_reports_a_failed_send_without_a_secret(
    echo: tuple[str, Echo], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = echo
    handler = PushoverHandler(TOKEN, USER, base_url=url, background=False, e2ee_key=KEY)
    logger = logging.getLogger("tests.scrubbing")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.error("disk full")
    finally:
        logger.removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert "was not sent to Pushover" in err
    assert not [s for s in SECRETS if s in err]


class Refusing:
    """A transport of the application's own whose error quotes a secret (as a proxy's
    error page might)."""

    def send(self, request: HTTPRequest) -> HTTPResponse:
        raise RuntimeError(f"upstream refused the credential {TEAM}")

    def close(self) -> None:
        """Nothing to close."""


def test_a_holder_freed_while_its_error_is_scrubbed_is_still_redacted() -> None:
    """The client is referenced only by the frames being cleared: the text is
    redacted before they are, while the client (and its secret) still lives."""
    error = caught(
        lambda: Client(TOKEN, team_token=TEAM, transport=Refusing()).team_info()
    )
    assert isinstance(error, RuntimeError)
    assert TEAM not in str(error)
    assert REDACTED in str(error)


def test_a_failed_outcome_built_by_the_application_keeps_none_of_its_frames() -> None:
    from chump_typed import Failed, TransportError

    def build() -> Failed:
        try:
            raise TransportError("reset")
        except TransportError as error:
            return Failed(
                index=0, notification=Notification(user=USER, message="x"), error=error
            )

    failed = build()
    assert traceback.extract_tb(failed.error.__traceback__) == []  # build() has ended


def test_a_record_logged_after_close_is_still_sent() -> None:
    """At exit the handler closes itself first; a hook registered earlier may log
    after that: the record is sent in the logging call, not queued for ever."""
    fake = FakePushover(app_tokens=[TOKEN], users={USER: ["phone"]})
    with serve(fake) as url:
        handler = PushoverHandler(TOKEN, USER, base_url=url)
        handler.close()
        handler.emit(
            logging.LogRecord(
                "late", logging.ERROR, __file__, 1, "last words", (), None
            )
        )
        handler.close()
    assert [m.message for m in fake.messages] == ["last words"]
