"""No secret in a traceback's local variables, on any error path.

Error trackers (Sentry, Rollbar) and ``pytest -l`` record every frame's locals, and
follow ``__cause__`` and ``__context__``. Each path below raises with a working token,
team token and user key in play; the whole chain is rendered with
``capture_locals=True`` and searched for them.

The calls are made through :func:`caught`, which drops its own reference to the call
before returning, and through ``functools.partial`` rather than lambdas, whose frames
would show this test's own locals.
"""

from __future__ import annotations

import functools
import socket
import traceback
from collections.abc import Callable, Iterator
from typing import Final

import pytest

from chump_typed import (
    Application,
    Client,
    Notification,
    PushoverError,
    RetryPolicy,
    Urllib3Transport,
    ValidateUserRequest,
)
from chump_typed.testing import FakePushover, Fault, FaultStep, Slow, serve
from tests import figures
from tests.loopback import read_head, serving

pytestmark = pytest.mark.integration

TOKEN: Final = "aT0kenWithThirtyLettersAndDig1"
TEAM: Final = "teamTokenThatIsSecretToo123456"
USER: Final = "uSerKeyThatIsRegisteredAtFake1"
STRANGER: Final = "strangerKeyNotRegisteredHere12"
SECRETS: Final = (TOKEN, TEAM, USER, STRANGER)


def caught(call: Callable[[], object]) -> BaseException:
    try:
        call()
    except (PushoverError, TypeError, ValueError) as exc:
        del call  # this frame is in the traceback: keep only the error
        return exc
    raise AssertionError("the call did not fail")


def rendered(error: BaseException) -> str:
    """The error and everything it chains to, locals included."""
    texts: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        exception = traceback.TracebackException.from_exception(
            current, capture_locals=True
        )
        texts.append("".join(exception.format()))
        pending += [e for e in (current.__cause__, current.__context__) if e]
    return "\n".join(texts)


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover(app_tokens=[TOKEN], users={USER: ["phone"]})


@pytest.fixture
def url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as base_url:
        yield base_url


def refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/1/"


def client(url: str, *, retries: int = 3) -> Client:
    transport = Urllib3Transport(
        retries=RetryPolicy(retries=retries, backoff_floor=0, backoff_factor=0),
        timeout=1,
    )
    return Client(TOKEN, team_token=TEAM, base_url=url, transport=transport)


def paths(url: str, fake: FakePushover) -> Iterator[tuple[str, Callable[[], object]]]:
    """Every error path, as (name, call); faults are injected just before each call."""
    typed = client(url)
    note = Notification(user=USER, message="hi")
    yield "API error", functools.partial(typed.validate_user, STRANGER)
    yield "quota", functools.partial(typed.send, note)
    yield "reset after read (POST)", functools.partial(typed.send, note)
    yield "reset after read (GET)", typed.sounds
    yield "5xx", functools.partial(typed.send, note)
    yield "malformed JSON", functools.partial(typed.send, note)
    yield "read timeout", client(url, retries=0).limits
    yield "connection refused", client(refused_url()).sounds
    yield (
        "bad field beside a key",
        functools.partial(Notification, user=USER, message="x" * 2000),
    )
    yield (
        "text that cannot be encoded",
        functools.partial(Notification, user=USER, message="hi", title="\ud800"),
    )
    yield "no team token", Client(TOKEN, base_url=url).team_info
    yield (
        "bad request field",
        functools.partial(ValidateUserRequest, user=USER, device="!"),
    )
    yield "half-built client", functools.partial(Client, TOKEN, team_token=42)  # type: ignore[arg-type]
    yield "bad base URL", functools.partial(Client, TOKEN, base_url="ftp://x/")
    yield (
        "facade transport error",
        functools.partial(
            Application(
                TOKEN, base_url=refused_url(), transport=Urllib3Transport(retries=0)
            )
            .get_user(USER)
            .send_message,
            "hi",
        ),
    )
    yield (
        "facade bad message",
        functools.partial(
            Application(TOKEN, base_url=url).get_user(USER).create_message, "x" * 2000
        ),
    )


FAULTS: Final[dict[str, list[FaultStep]]] = {
    "quota": [Fault.QUOTA_EXCEEDED],
    "reset after read (POST)": [Fault.RESET_AFTER_READ],
    "reset after read (GET)": [Fault.RESET_AFTER_READ] * 3,
    "5xx": [Fault.UNAVAILABLE_JSON] * 3,
    "malformed JSON": [Fault.MALFORMED_JSON],
    "read timeout": [Slow(3.0)],
}


def test_no_error_path_keeps_a_secret_in_its_locals(
    url: str, fake: FakePushover
) -> None:
    checked: list[str] = []
    for name, call in paths(url, fake):
        fake.inject(*FAULTS.get(name, []))
        text = rendered(caught(call))
        leaked = [s for s in SECRETS if s in text]
        assert not leaked, f"{name}: {leaked}\n{text}"
        checked.append(name)
    figures.add("secrets: error paths checked with their locals", len(checked))


def test_an_oversized_answer_keeps_no_secret_either() -> None:
    def huge(conn: socket.socket, stop: object) -> None:
        read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n")
        conn.sendall(b"a" * 2_000_000)

    with serving(huge) as served:
        error = caught(client(served.url).sounds)

    assert "larger than" in str(error)
    assert not [s for s in SECRETS if s in rendered(error)]


def test_a_half_built_client_has_a_working_repr() -> None:
    half = Client.__new__(Client)

    assert repr(half).startswith("Client(")


PASSWORD: Final = "aPasswordNobodyMaySee-4242"
CODE: Final = "86420975"


def test_no_receiving_error_path_keeps_a_secret_in_its_locals(
    url: str, fake: FakePushover
) -> None:
    """The Open Client's secrets (password, 2FA code, session secret) never stay in
    a traceback's locals either."""
    from chump_typed.receive import OpenClient

    fake.add_account("me@example.com", PASSWORD, twofa=CODE)
    receiver = OpenClient(base_url=url, transport=Urllib3Transport(retries=0))
    session = receiver.login("me@example.com", PASSWORD, twofa=CODE)
    refused = OpenClient(base_url=refused_url(), transport=Urllib3Transport(retries=0))
    secrets = (PASSWORD, CODE, session.secret)
    calls: dict[str, Callable[[], object]] = {
        "2FA required": functools.partial(receiver.login, "me@example.com", PASSWORD),
        "wrong code": functools.partial(
            receiver.login, "me@example.com", PASSWORD, twofa="11111111"
        ),
        "wrong password": functools.partial(
            receiver.login, "me@example.com", PASSWORD + "x", twofa=CODE
        ),
        "bad device name": functools.partial(session.register_device, "bad name"),
        "unknown device": functools.partial(session.download, "nodevice"),
        "connection refused": functools.partial(
            refused.session(session.secret).download, "dev"
        ),
        "bad secret beside a password": functools.partial(
            receiver.session, session.secret + " "
        ),
    }
    for name, call in calls.items():
        text = rendered(caught(call))
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{name}: {leaked}\n{text}"
    figures.add("secrets: receiving error paths checked with their locals", len(calls))
