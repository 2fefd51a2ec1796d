"""Shared test configuration: Hypothesis profiles, the network guard, and the shared
fixtures, built on the shipped pytest plugin (``chump_typed.pytest_plugin``).

No test may reach beyond loopback. The autouse guard below makes every socket
connection and name lookup to anything else fail loudly, whatever library makes it.

Every test that asks for ``fake`` gets the plugin's ``fake_pushover`` (a fresh fake,
served on loopback). A module configures it with data, not with a fixture of its own:
``pytestmark = pytest.mark.fake_options(users=...)`` passes those keyword arguments to
:class:`~chump_typed.testing.FakePushover`.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator, Mapping
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, settings

from chump_typed import Application, Client, RetryPolicy, Urllib3Transport, User
from chump_typed.pytest_plugin import FakePushoverServer
from chump_typed.testing import (
    APP_TOKEN,
    TEAM_TOKEN,
    USER_KEY,
    FakePushover,
    FakeTransport,
)

from . import typecheck
from .wires import WIRES, Wire

#: The base URL of clients that talk to the fake in memory (no socket is opened).
MEMORY_URL = "http://127.0.0.1:1/1/"

# The gate's profiles are derandomized: the same examples on every run, so a result
# never depends on the seed drawn (a gate that can fail by chance is a bug). The
# "explore" profile draws new examples each run, to look for what the gate's miss.
settings.register_profile(
    "default",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fast",  # the other interpreters' runs: the main one draws 100 examples a rule
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


class NetworkGuardError(AssertionError):
    """A test tried to leave the machine."""


def _is_loopback(host: object) -> bool:
    if host in ("localhost", "localhost.", None, ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check_address(address: object) -> None:
    if isinstance(address, tuple):
        host: object = cast("tuple[object, ...]", address)[0]
        if not _is_loopback(host):
            raise NetworkGuardError(f"test tried to connect to {host!r}")


@pytest.fixture(autouse=True)
def _no_pushover_settings(monkeypatch: pytest.MonkeyPatch) -> None:  # pyright: ignore[reportUnusedFunction]
    """A developer's shell (``PUSHOVER_BASE_URL`` and the rest, pasted from
    ``chump-typed fake``) must not change what a test does."""
    for name in list(os.environ):
        if name.startswith("PUSHOVER_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:  # pyright: ignore[reportUnusedFunction]
    """Fail any connection or DNS lookup that is not aimed at loopback."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _check_address(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name: object = host.decode() if isinstance(host, bytes) else host
        if not _is_loopback(name):
            raise NetworkGuardError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


# -- The shared fixtures ------------------------------------------------------------------


@pytest.fixture
def fake_pushover_options(request: pytest.FixtureRequest) -> Mapping[str, Any]:
    """The keyword arguments of the nearest ``fake_options`` marker, else none."""
    marker = request.node.get_closest_marker("fake_options")
    return {} if marker is None else dict(marker.kwargs)


@pytest.fixture
def fake(fake_pushover: FakePushoverServer) -> FakePushover:
    """This test's fake Pushover (served on loopback by the plugin)."""
    return fake_pushover.fake


@pytest.fixture
def base_url(fake_pushover: FakePushoverServer) -> str:
    """The API root of this test's served fake."""
    return fake_pushover.base_url


@pytest.fixture
def client(base_url: str) -> Iterator[Client]:
    """A :class:`Client` over real loopback HTTP (urllib3) to the fake, with the team
    token, retrying without waiting."""
    transport = Urllib3Transport(retries=RetryPolicy(backoff_floor=0))
    with Client(
        APP_TOKEN, team_token=TEAM_TOKEN, base_url=base_url, transport=transport
    ) as client:
        yield client


@pytest.fixture
def memory_client(fake: FakePushover) -> Client:
    """A :class:`Client` that talks to the fake in memory, through FakeTransport."""
    return Client(APP_TOKEN, base_url=MEMORY_URL, transport=FakeTransport(fake))


@pytest.fixture
def app(fake: FakePushover) -> Application:
    """chump's :class:`Application` on the fake, in memory."""
    return Application(APP_TOKEN, base_url=MEMORY_URL, transport=FakeTransport(fake))


@pytest.fixture
def user(app: Application) -> User:
    """The fake's default user, on :func:`app`."""
    return app.get_user(USER_KEY)


@pytest.fixture
def served_app(base_url: str) -> Iterator[Application]:
    """chump's :class:`Application` over real loopback HTTP to the fake."""
    app = Application(
        APP_TOKEN,
        base_url=base_url,
        transport=Urllib3Transport(retries=RetryPolicy(backoff_floor=0)),
    )
    yield app
    app.client.close()


@pytest.fixture(scope="module", params=list(WIRES))
def wire(request: pytest.FixtureRequest) -> Wire:
    """Each of the five transport configurations in turn (see tests/wires.py)."""
    return WIRES[request.param]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reads the type checkers' report runs a checker: mark it, so that
    the gate runs it once, on its main interpreter (the report does not depend on the
    interpreter that runs the tests)."""
    for item in items:
        if "typing_report" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.typecheck)


@pytest.fixture(scope="session")
def typing_report(tmp_path_factory: pytest.TempPathFactory) -> typecheck.Report:
    """One mypy run and one pyright run over every typing test file (slow: shared)."""
    return typecheck.Report(tmp_path_factory.mktemp("typing"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker sends its figures to the controller."""
    from .figures import exported

    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["figures"] = exported()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller folds in a worker's figures (a pytest-xdist hook)."""
    from .figures import merge

    figures = getattr(node, "workeroutput", {}).get("figures")
    if figures is not None:
        merge(figures)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures the reliability suites measured (see tests/figures.py)."""
    from .figures import FIGURES

    if FIGURES:
        terminalreporter.section("reliability figures")
        for name, value in sorted(FIGURES.items()):
            shown = f"{value:.2f}" if value != int(value) else f"{int(value)}"
            terminalreporter.write_line(f"{name}: {shown}")
