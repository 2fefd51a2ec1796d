"""Proxies: chosen from the environment (or ``proxy=``) by our code, and used through a
CONNECT tunnel, so that the proxy never sees the token, on every transport
(tests/wires.py).

The client talks to ``https://api.pushover.test``; only the loopback proxy of this test
knows where that is (it tunnels every CONNECT to the fake's TLS port). A request that
bypasses the proxy tries to resolve the name itself, and the suite's network guard
stops it: that is how "went direct" is observed.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    HttpxTransport,
    Notification,
    TransportError,
    Urllib3Transport,
    ValidationError,
)
from chump_typed._proxy import Proxy, check_proxy, choose_proxy
from chump_typed._transport_base import MAX_ORIGINS, KnobsBase
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve
from tests.conftest import NetworkGuardError
from tests.loopback import ProxyLog, connect_proxy, serving
from tests.wires import Wire

pytestmark = pytest.mark.integration

HOST = "api.pushover.test"
PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover()


@pytest.fixture
def tls_port(ca: trustme.CA, fake: FakePushover) -> Iterator[int]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with ca.issue_cert(HOST).private_key_and_cert_chain_pem.tempfile() as chain:
        context.load_cert_chain(chain)
    with serve(fake, ssl_context=context) as url:
        yield int(url.split(":")[2].split("/")[0])


@pytest.fixture
def proxy(tls_port: int) -> Iterator[tuple[str, ProxyLog]]:
    log = ProxyLog()
    with serving(connect_proxy(tls_port, log)) as served:
        yield f"http://127.0.0.1:{served.port}", log


def send(wire: Wire, ca: trustme.CA, **knobs: Any) -> None:
    context = ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())
    with wire.client(
        f"https://{HOST}/1/", ssl_context=context, retries=0, **knobs
    ) as client:
        client.send(Notification(user=USER_KEY, message="through the proxy"))


class TestThroughTheProxy:
    def test_https_proxy_from_the_environment_tunnels(
        self,
        wire: Wire,
        monkeypatch: pytest.MonkeyPatch,
        ca: trustme.CA,
        fake: FakePushover,
        proxy: tuple[str, ProxyLog],
    ) -> None:
        url, log = proxy
        monkeypatch.setenv("HTTPS_PROXY", url)

        send(wire, ca)

        assert [m.message for m in fake.messages] == ["through the proxy"]
        [head] = log.heads
        assert head.startswith(f"CONNECT {HOST}:443 HTTP/".encode())
        # The proxy relayed TLS: neither the token nor the message was in clear.
        assert APP_TOKEN.encode() not in log.relayed
        assert b"through the proxy" not in log.relayed
        assert log.relayed

    def test_an_explicit_proxy_with_credentials(
        self,
        wire: Wire,
        ca: trustme.CA,
        fake: FakePushover,
        proxy: tuple[str, ProxyLog],
    ) -> None:
        url, log = proxy
        send(wire, ca, proxy=url.replace("http://", "http://me:s%40cret@"))

        assert len(fake.messages) == 1
        [head] = log.heads
        assert b"proxy-authorization: basic bwu6c0bjcmv0" in head.lower()  # me:s@cret

    def test_the_lower_case_variable_works_too(
        self,
        wire: Wire,
        monkeypatch: pytest.MonkeyPatch,
        ca: trustme.CA,
        fake: FakePushover,
        proxy: tuple[str, ProxyLog],
    ) -> None:
        monkeypatch.setenv("https_proxy", proxy[0])

        send(wire, ca)

        assert len(fake.messages) == 1


class TestBypassed:
    @pytest.mark.parametrize("no_proxy", [HOST, "pushover.test", ".pushover.test", "*"])
    def test_no_proxy_sends_directly(
        self,
        wire: Wire,
        monkeypatch: pytest.MonkeyPatch,
        ca: trustme.CA,
        proxy: tuple[str, ProxyLog],
        no_proxy: str,
    ) -> None:
        url, log = proxy
        monkeypatch.setenv("HTTPS_PROXY", url)
        # "*" means every host only on its own (urllib's rule).
        listed = no_proxy if no_proxy == "*" else f"example.com, {no_proxy}"
        monkeypatch.setenv("NO_PROXY", listed)

        with pytest.raises(NetworkGuardError, match=HOST):
            send(wire, ca)
        assert log.heads == []

    def test_trust_env_false_ignores_the_environment(
        self,
        wire: Wire,
        monkeypatch: pytest.MonkeyPatch,
        ca: trustme.CA,
        proxy: tuple[str, ProxyLog],
    ) -> None:
        monkeypatch.setenv("HTTPS_PROXY", proxy[0])

        with pytest.raises(NetworkGuardError, match=HOST):
            send(wire, ca, trust_env=False)
        assert proxy[1].heads == []

    def test_loopback_is_never_proxied(
        self, wire: Wire, monkeypatch: pytest.MonkeyPatch, proxy: tuple[str, ProxyLog]
    ) -> None:
        fake = FakePushover()
        monkeypatch.setenv("HTTP_PROXY", proxy[0])
        monkeypatch.setenv("HTTPS_PROXY", proxy[0])
        with serve(fake) as url, wire.client(url) as client:
            client.send(Notification(user=USER_KEY, message="direct"))

        assert len(fake.messages) == 1
        assert proxy[1].heads == []


def test_an_unreachable_proxy_is_a_connection_failure(
    wire: Wire, monkeypatch: pytest.MonkeyPatch, ca: trustme.CA
) -> None:
    with serving(lambda conn, stop: None) as served:
        port = served.port
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")

    with pytest.raises(TransportError) as info:
        send(wire, ca)

    assert "proxy" in str(info.value)
    assert not info.value.may_have_been_sent


class TestChoice:
    """The decision alone, as every transport gets it."""

    def test_the_environment_by_scheme(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HTTPS_PROXY", "proxy.corp:3128")

        chosen = choose_proxy("https://api.pushover.net", proxy=None, trust_env=True)

        assert chosen == Proxy("http://proxy.corp:3128")
        assert (
            choose_proxy("http://api.pushover.net", proxy=None, trust_env=True) is None
        )

    def test_an_explicit_proxy_beats_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HTTPS_PROXY", "http://env:1")
        mine = check_proxy("proxy", "https://mine.example")

        assert choose_proxy("https://api.pushover.net", proxy=mine, trust_env=True) == (
            Proxy("https://mine.example:443")
        )

    def test_address_ranges_are_not_understood_as_urllib_says(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
        monkeypatch.setenv("NO_PROXY", "10.0.0.0/8")

        assert choose_proxy("https://10.1.2.3", proxy=None, trust_env=True) is not None

    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.9.9.9"])
    def test_loopback(self, host: str) -> None:
        mine = check_proxy("proxy", "http://proxy:1")

        assert choose_proxy(f"https://{host}:8443", proxy=mine, trust_env=True) is None

    def test_credentials_never_show(self) -> None:
        chosen = check_proxy("proxy", "http://me:hunter2@proxy:3128")

        assert "hunter2" not in repr(chosen)
        assert chosen.url == "http://proxy:3128"
        assert chosen.credentials == "me:hunter2"


class TestKeptPerOrigin:
    """Each transport decides once per origin, on its first call there (the
    environment is not scanned on every call)."""

    @pytest.mark.parametrize("make", [Urllib3Transport, HttpxTransport])
    def test_the_first_decision_for_an_origin_holds(
        self, monkeypatch: pytest.MonkeyPatch, make: Callable[[], KnobsBase]
    ) -> None:
        transport = make()
        url = "https://api.pushover.net/1/messages.json"

        assert transport._proxy_for(url) is None  # pyright: ignore[reportPrivateUsage]
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")

        assert transport._proxy_for(url) is None  # pyright: ignore[reportPrivateUsage]
        other = "https://other.example/1/x.json"
        assert transport._proxy_for(other) == Proxy(  # pyright: ignore[reportPrivateUsage]
            "http://proxy.corp:3128"
        )
        assert make()._proxy_for(url) is not None  # pyright: ignore[reportPrivateUsage]

    @given(
        st.lists(st.from_regex(r"[a-z]{1,12}\.example", fullmatch=True), max_size=60)
    )
    def test_the_origins_kept_are_bounded(self, hosts: list[str]) -> None:
        transport = Urllib3Transport(trust_env=False)

        for host in hosts:
            transport._proxy_for(f"https://{host}/1/x.json")  # pyright: ignore[reportPrivateUsage]

        kept = transport._proxies  # pyright: ignore[reportPrivateUsage]
        assert len(kept) <= MAX_ORIGINS
        assert not hosts or f"https://{hosts[-1]}" in kept


def test_a_bad_proxy_in_the_environment_is_refused_naming_it(
    wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every transport raises the caller's ValidationError, naming the variable,
    before anything is sent: not a transport failure that is retried."""
    monkeypatch.setenv("HTTPS_PROXY", "ftp://proxy.corp:21")
    waits: list[float] = []

    with (
        wire.client("https://api.pushover.net/1/", sleep=waits.append) as client,
        pytest.raises(ValidationError) as info,
    ):
        client.send(Notification(user=USER_KEY, message="hi"))

    assert info.value.field == "https_proxy"
    assert "from the environment" in str(info.value)
    assert waits == []
