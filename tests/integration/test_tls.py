"""Transport security: TLS verified by default against a local CA (trustme), on every
transport (tests/wires.py), and plain http refused unless the host is loopback."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import (
    Client,
    Notification,
    TransportError,
    ValidationError,
)
from chump_typed._checks import check_base_url
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover, serve
from tests.wires import Wire

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


# PEM data rather than configure_cert()/configure_trust(), whose annotations mention
# pyOpenSSL, which is not installed.


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with ca.issue_cert(*names).private_key_and_cert_chain_pem.tempfile() as chain:
        context.load_cert_chain(chain)
    return context


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA) -> Iterator[str]:
    with ca.cert_pem.tempfile() as path:
        yield path


@pytest.fixture
def https_url(ca: trustme.CA, fake: FakePushover) -> Iterator[str]:
    with serve(
        fake, ssl_context=server_context(ca, "localhost"), server_hostname="localhost"
    ) as url:
        yield url


def send(wire: Wire, url: str, **knobs: Any) -> None:
    with wire.client(url, **knobs) as client:
        client.send(Notification(user=USER_KEY, message="over tls"))


class TestVerified:
    """Each test takes the ``wire`` fixture: the rule holds on every transport."""

    def test_the_right_ca_by_file(
        self, wire: Wire, https_url: str, ca_file: str, fake: FakePushover
    ) -> None:
        assert https_url.startswith("https://localhost:")

        send(wire, https_url, ca_certs=ca_file)

        assert [m.message for m in fake.messages] == ["over tls"]

    def test_the_right_ca_by_context(
        self, wire: Wire, https_url: str, ca: trustme.CA, fake: FakePushover
    ) -> None:
        send(wire, https_url, ssl_context=trusting(ca))

        assert [m.message for m in fake.messages] == ["over tls"]

    def test_wrong_ca(self, wire: Wire, https_url: str, fake: FakePushover) -> None:
        with pytest.raises(TransportError, match="TLS verification failed") as info:
            send(wire, https_url, ssl_context=trusting(trustme.CA()))

        assert not info.value.may_have_been_sent
        assert not fake.requests

    def test_system_trust_store_does_not_know_the_local_ca(
        self, wire: Wire, https_url: str, fake: FakePushover
    ) -> None:
        with pytest.raises(TransportError, match="TLS verification failed"):
            send(wire, https_url)

        assert not fake.requests

    def test_a_context_that_does_not_verify_is_verified_anyway(
        self, wire: Wire, https_url: str, fake: FakePushover
    ) -> None:
        lax = ssl.create_default_context()
        lax.check_hostname = False
        lax.verify_mode = ssl.CERT_NONE

        with pytest.raises(TransportError, match="TLS verification failed"):
            send(wire, https_url, ssl_context=lax)

        assert not fake.requests

    @pytest.mark.parametrize(
        ("names", "host"),
        [(("other.example",), "localhost"), (("localhost",), None)],
        ids=["name not in certificate", "ip not in certificate"],
    )
    def test_host_name_mismatch(
        self,
        wire: Wire,
        ca: trustme.CA,
        ca_file: str,
        names: tuple[str, ...],
        host: str | None,
    ) -> None:
        fake = FakePushover()
        with serve(
            fake, ssl_context=server_context(ca, *names), server_hostname=host
        ) as url:
            with pytest.raises(TransportError, match="TLS verification failed"):
                send(wire, url, ca_certs=ca_file)
            with pytest.raises(TransportError, match="TLS verification failed"):
                send(wire, url, ssl_context=trusting(ca))

        assert not fake.requests


class TestPlainHTTP:
    @pytest.mark.parametrize(
        "url",
        [
            "http://api.pushover.net/1/",
            "http://127.0.0.1.nip.io/1/",
            "http://localhost.example.com/1/",
            "http://10.0.0.1/1/",
            "http://[::ffff:8.8.8.8]/1/",
            "ftp://127.0.0.1/1/",
        ],
    )
    def test_refused_for_a_remote_host(self, url: str) -> None:
        with pytest.raises(ValidationError) as info:
            Client(APP_TOKEN, base_url=url)

        assert info.value.field == "base_url"

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/1/",
            "http://127.5.6.7/1/",
            "http://localhost:1/1/",
            "http://[::1]:8080/1/",
            "https://api.pushover.net/1/",
        ],
    )
    def test_accepted_for_loopback_or_https(self, url: str) -> None:
        assert url == Client(APP_TOKEN, base_url=url).base_url

    @given(
        host=st.ip_addresses().map(str)
        | st.sampled_from(["localhost", "pushover.net", "localhost.localdomain"])
    )
    def test_http_only_for_loopback(self, host: str) -> None:
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        literal = f"[{host}]" if ":" in host else host
        url = f"http://{literal}:8080/1/"

        if loopback:
            assert url == check_base_url(url)
        else:
            with pytest.raises(ValidationError):
                check_base_url(url)
        assert check_base_url(f"https://{literal}/1/")


class TestTheVersion:
    @pytest.mark.parametrize(
        "url",
        [
            "https://api.pushover.net",
            "https://api.pushover.net/",
            "https://api.pushover.net/messages.json",
            "https://api.pushover.net/2/",
            "http://127.0.0.1:8080/",
            "https://proxy.example/pushover/",
        ],
    )
    def test_a_base_url_without_the_api_version_is_refused(self, url: str) -> None:
        with pytest.raises(ValidationError) as info:
            Client(APP_TOKEN, base_url=url)

        assert info.value.field == "base_url"
        assert "must end in the API version, /1/" in str(info.value)

    @pytest.mark.parametrize(
        "url", ["https://api.pushover.net/1", "https://proxy.example/pushover/1/"]
    )
    def test_the_version_may_follow_a_prefix_and_lack_its_slash(self, url: str) -> None:
        assert Client(APP_TOKEN, base_url=url).base_url == url.rstrip("/") + "/"
