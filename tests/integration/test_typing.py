"""The public types of chump_typed, checked by both strict type checkers.

tests/typing/api.py pins the type of every public name (of ``chump_typed``,
``chump_typed.testing``, ``chump_typed.callbacks``, ``chump_typed.logging`` and
``chump_typed.receive``) with
``assert_type``;
tests/typing/misuse.py holds misuse that must be rejected (see tests/typecheck.py for
the markers). api.py is checked by the gate's repository-wide mypy and pyright runs;
the misuse files by one run of each here, shared with the chump-stubs tests (on the
main interpreter only: they are marked ``typecheck``).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import attrs

import chump_typed
from chump_typed import callbacks, receive, testing
from chump_typed import logging as pushover_logging
from chump_typed.testing import APP_TOKEN, USER_KEY, FakeTransport
from tests import typecheck

API = typecheck.TYPING / "api.py"
MISUSE = "misuse.py"


def _samples() -> dict[type, Callable[[], object]]:
    """Instances whose attributes are set in ``__init__`` rather than declared."""
    app = chump_typed.Application(APP_TOKEN, transport=FakeTransport())
    user = app.get_user(USER_KEY)
    return {
        chump_typed.Client: lambda: chump_typed.Client(
            APP_TOKEN, transport=FakeTransport()
        ),
        chump_typed.Application: lambda: app,
        chump_typed.User: lambda: user,
        chump_typed.Message: lambda: chump_typed.Message(user, "hi"),
        chump_typed.EmergencyMessage: lambda: chump_typed.EmergencyMessage(user, "!"),
        chump_typed.Urllib3Transport: chump_typed.Urllib3Transport,
        chump_typed.TransportError: lambda: chump_typed.TransportError("reset"),
        chump_typed.ValidationError: lambda: chump_typed.ValidationError("f", "bad"),
        chump_typed.UnexpectedResponseError: lambda: (
            chump_typed.UnexpectedResponseError("bad", http_status=502)
        ),
        testing.FakeTransport: FakeTransport,
        pushover_logging.PushoverHandler: lambda: pushover_logging.PushoverHandler(
            APP_TOKEN, USER_KEY, transport=FakeTransport()
        ),
        testing.Disconnect: lambda: testing.Disconnect(testing.Fault.RESET_AFTER_READ),
        receive.OpenClient: lambda: receive.OpenClient(transport=FakeTransport()),
        receive.Session: lambda: receive.OpenClient(transport=FakeTransport()).session(
            "secret"
        ),
        receive.AsyncOpenClient: lambda: receive.AsyncOpenClient(
            transport=testing.AsyncFakeTransport()
        ),
        receive.AsyncSession: lambda: receive.AsyncOpenClient(
            transport=testing.AsyncFakeTransport()
        ).session("secret"),
    }


def _own_members(cls: type) -> set[str]:
    """Public members that chump_typed defines (not those of object, Exception, ...)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("chump_typed"):
            names.update(vars(klass))
            names.update(getattr(klass, "__annotations__", {}))
    if attrs.has(cls):
        names.update(a.name for a in attrs.fields(cls))
    return {name for name in names if not name.startswith("_")}


def _instance_attributes(cls: type, instance: object) -> set[str]:
    """Public attributes set on *instance*, except those its foreign base sets
    (urllib3's ``Retry`` has many)."""
    foreign = next(k for k in cls.__mro__ if not k.__module__.startswith("chump_typed"))
    base: object = foreign()
    inherited: set[str] = set(vars(base)) if foreign is not object else set()
    return {k for k in vars(instance) if not k.startswith("_") and k not in inherited}


def _public_surface() -> Iterator[tuple[str, str]]:
    """(qualified name, the text api.py must contain) for every public name."""
    samples = _samples()
    modules: tuple[tuple[ModuleType, str], ...] = (
        (chump_typed, "chump_typed"),
        (testing, "testing"),
        (callbacks, "callbacks"),
        (pushover_logging, "logging"),
        (receive, "receive"),
    )
    for module, label in modules:
        for name in module.__all__:
            yield f"{label}.{name}", name
            value = getattr(module, name)
            if not inspect.isclass(value):
                continue
            members = _own_members(value)
            if value in samples:
                members.update(_instance_attributes(value, samples[value]()))
            for member in sorted(members):
                yield f"{label}.{name}.{member}", f".{member}"


def test_api_pins_every_public_name_and_member() -> None:
    text = API.read_text()
    missing = [
        qualified
        for qualified, needle in _public_surface()
        if not re.search(rf"{re.escape(needle)}\b", text)
    ]
    assert missing == [], f"add assert_type lines to {API.name} for these"


def test_api_asserts_many_types() -> None:
    count = API.read_text().count("assert_type(")
    assert count >= 300


def test_misuse_is_rejected_by_mypy_with_expected_codes(
    typing_report: typecheck.Report,
) -> None:
    expected = typing_report.misuse[MISUSE].mypy
    assert len(expected) >= 40
    assert sorted(typing_report.mypy.get(MISUSE, set())) == sorted(expected)


def test_misuse_is_rejected_by_pyright_on_exactly_the_marked_lines(
    typing_report: typecheck.Report,
) -> None:
    expected = typing_report.misuse[MISUSE].pyright_lines
    found = {line for line, _ in typing_report.pyright.get(MISUSE, set())}
    assert sorted(found) == sorted(expected)


def test_markers_are_read_as_written(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "ok()\n"
        "f(1)  # type: ignore[arg-type]\n"
        "g = h  # type: ignore[misc, assignment]\n"
        "X = 3  # type: ignore[misc]  # mypy only: why\n"
    )
    misuse = typecheck.Misuse(source)
    assert misuse.mypy == {(2, "arg-type"), (3, "misc"), (3, "assignment"), (4, "misc")}
    assert misuse.pyright_lines == {2, 3}
    assert misuse.stripped == "ok()\nf(1)\ng = h\nX = 3\n"
