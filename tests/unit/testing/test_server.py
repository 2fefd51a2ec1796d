"""``serve()`` over real loopback HTTP, driven by plain urllib3 (not our client)."""

from __future__ import annotations

import json
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import pytest
import trustme
import urllib3
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from chump_typed.testing import (
    APP_TOKEN,
    MAX_ATTACHMENT_BYTES,
    USER_KEY,
    Exchange,
    FakePushover,
    Fault,
    Slow,
    serve,
)
from tests import figures

#: Seconds a Slow answer takes: far beyond any timeout the tests use.
SLOW_ANSWER: Final = 60.0
FORM = {"content-type": "application/x-www-form-urlencoded"}
MESSAGE = urlencode({"token": APP_TOKEN, "user": USER_KEY, "message": "hi"}).encode()


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    with urllib3.PoolManager(retries=False, timeout=5.0) as pool:
        yield pool


def post(http: urllib3.PoolManager, base_url: str) -> urllib3.BaseHTTPResponse:
    return http.request("POST", base_url + "messages.json", body=MESSAGE, headers=FORM)


def raw_exchange(base_url: str, request: bytes) -> bytes:
    """Send raw bytes on a fresh socket; return everything read until EOF."""
    parts = urlsplit(base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(request)
        chunks: list[bytes] = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def raw_post(path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: "
        f"application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_send_over_http_and_keep_alive_reuses_one_connection(
    http: urllib3.PoolManager,
) -> None:
    fake = FakePushover()
    with serve(fake) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/1/")
        first = post(http, base_url)
        second = http.request("GET", f"{base_url}sounds.json?token={APP_TOKEN}")
    assert first.status == 200
    assert json.loads(first.data)["status"] == 1
    assert first.headers["X-Limit-App-Remaining"] == "9999"
    assert second.status == 200
    assert len(fake.messages) == 1
    assert (fake.connections_opened, fake.peak_connections) == (1, 1)


def test_errors_keep_the_connection_alive(http: urllib3.PoolManager) -> None:
    fake = FakePushover()
    with serve(fake) as base_url:
        missing = http.request("GET", base_url + "nope.json")
        wrong = http.request("GET", base_url + "users/validate.json")
        ok = post(http, base_url)
    assert (missing.status, wrong.status, ok.status) == (404, 405, 200)
    assert json.loads(missing.data)["status"] == 0
    assert fake.connections_opened == 1


class _MeetingFake(FakePushover):
    """Holds each of the first *parties* requests until all of them have arrived, so
    that many connections are open at once by construction, not by timing."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.meeting = threading.Barrier(parties, timeout=30)
        self.arrivals = 0
        self.arrivals_lock = threading.Lock()

    def exchange(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Exchange:
        with self.arrivals_lock:
            self.arrivals += 1
            meets = self.arrivals <= self.meeting.parties
        if meets:
            self.meeting.wait()  # a BrokenBarrierError fails the test: none expected
        return super().exchange(method, target, headers, body)


def test_peak_connections_counts_concurrent_clients() -> None:
    fake = _MeetingFake(3)
    statuses: list[int] = []
    with (
        serve(fake) as base_url,
        urllib3.PoolManager(maxsize=3, block=True, retries=False) as pool,
    ):

        def worker() -> None:
            statuses.append(post(pool, base_url).status)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert post(pool, base_url).status == 200  # reuses a pooled connection
    assert statuses == [200, 200, 200]
    assert fake.peak_connections == 3
    assert fake.connections_opened == 3
    assert len(fake.messages) == 4


def test_delay_slows_every_answer(http: urllib3.PoolManager) -> None:
    with serve(delay=0.2) as base_url:
        started = time.monotonic()
        assert http.request("GET", base_url + "nope.json").status == 404
        assert time.monotonic() - started >= 0.2


def test_multipart_5_mib_attachment_arrives_byte_identical(
    http: urllib3.PoolManager,
) -> None:
    fake = FakePushover()
    data = os.urandom(MAX_ATTACHMENT_BYTES)
    fields: dict[str, Any] = {
        "token": APP_TOKEN,
        "user": USER_KEY,
        "message": "pic",
        "attachment": ("photo.jpg", data, "image/jpeg"),
    }
    with serve(fake) as base_url:
        started = time.monotonic()
        response = http.request("POST", base_url + "messages.json", fields=fields)
        elapsed = time.monotonic() - started
    assert response.status == 200, response.data
    attachment = fake.messages[0].attachment
    assert attachment is not None
    assert attachment.data == data
    assert attachment.filename == "photo.jpg"
    assert attachment.content_type == "image/jpeg"
    figures.add("serve: 5 MiB multipart upload (s)", elapsed)


def test_chunked_request_body(http: urllib3.PoolManager) -> None:
    fake = FakePushover()
    with serve(fake) as base_url:
        response = http.request(
            "POST",
            base_url + "messages.json",
            body=MESSAGE,
            headers=FORM,
            chunked=True,
        )
    assert response.status == 200
    assert fake.messages[0].message == "hi"


@pytest.mark.parametrize("fault", [Fault.RESET_BEFORE_READ, Fault.RESET_AFTER_READ])
def test_reset_faults(http: urllib3.PoolManager, fault: Fault) -> None:
    fake = FakePushover(faults=[fault, fault])
    with serve(fake) as base_url:
        with pytest.raises(ProtocolError):
            post(http, base_url)
        with pytest.raises(ConnectionResetError):
            raw_exchange(base_url, raw_post("/1/messages.json", MESSAGE))
        assert post(http, base_url).status == 200
    assert len(fake.messages) == (3 if fault.delivered else 1)


def test_truncated_body_fault(http: urllib3.PoolManager) -> None:
    fake = FakePushover(faults=[Fault.TRUNCATED_BODY, Fault.TRUNCATED_BODY])
    with serve(fake) as base_url:
        with pytest.raises(ProtocolError):
            post(http, base_url)
        raw = raw_exchange(base_url, raw_post("/1/messages.json", MESSAGE))
        assert post(http, base_url).status == 200
    head, _, body = raw.partition(b"\r\n\r\n")
    declared = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    assert head.startswith(b"HTTP/1.1 200")
    assert 0 < len(body) < declared
    assert len(fake.messages) == 3


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        (Fault.SERVER_ERROR_HTML, 500),
        (Fault.BAD_GATEWAY_EMPTY, 502),
        (Fault.UNAVAILABLE_JSON, 503),
        (Fault.QUOTA_EXCEEDED, 429),
        (Fault.BAD_REQUEST, 400),
        (Fault.MALFORMED_JSON, 200),
    ],
)
def test_answering_faults_over_http(
    http: urllib3.PoolManager, fault: Fault, status: int
) -> None:
    fake = FakePushover(faults=[fault])
    with serve(fake) as base_url:
        response = post(http, base_url)
        after = post(http, base_url)
    assert response.status == status
    assert after.status == 200
    assert fake.connections_opened == 1  # the fault did not cost the connection
    assert len(fake.messages) == (2 if fault.delivered else 1)
    if fault is Fault.SERVER_ERROR_HTML:
        assert response.data.startswith(b"<html>")
    elif fault is Fault.BAD_GATEWAY_EMPTY:
        assert response.data == b""
    elif fault is Fault.MALFORMED_JSON:
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.data)
    else:
        body = json.loads(response.data)
        assert body["status"] == 0
        assert body["errors"]
    if fault is Fault.QUOTA_EXCEEDED:
        assert response.headers["X-Limit-App-Limit"] == "10000"
    if fault is Fault.BAD_REQUEST:
        assert json.loads(response.data)["user"] == "invalid"


def test_slow_fault_trips_read_timeout_after_processing(
    http: urllib3.PoolManager,
) -> None:
    # The answer would take a minute: finishing well inside it shows the client gave
    # up at its read timeout and stopping did not wait for the sleeper. (Generous
    # bounds against a hang, not a speed test.)
    fake = FakePushover(faults=[Slow(SLOW_ANSWER)])
    with serve(fake) as base_url:
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError):
            http.request(
                "POST",
                base_url + "messages.json",
                body=MESSAGE,
                headers=FORM,
                timeout=urllib3.Timeout(connect=1.0, read=0.1),
            )
        assert time.monotonic() - started < SLOW_ANSWER / 2
        assert len(fake.messages) == 1
    assert time.monotonic() - started < SLOW_ANSWER / 2


def test_stop_closes_idle_keep_alive_connections_and_threads() -> None:
    """The server's own threads (named for its port; not a count of the process's
    threads, which other tests' threads change) are all gone once it stops."""
    with serve() as base_url:
        parts = urlsplit(base_url)
        assert parts.port is not None
        sock = socket.create_connection(("127.0.0.1", parts.port), timeout=5)
        sock.sendall(b"GET /1/nope.json HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 404")
        name = f"chump-typed-fake-server:{parts.port}"
        ours = [t for t in threading.enumerate() if t.name.startswith(name)]
        assert {t.name for t in ours} == {name, f"{name}-connection"}
    try:
        assert sock.recv(65536) == b""  # the server closed the idle connection
    finally:
        sock.close()
    assert not [t for t in ours if t.is_alive()]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_refuses_non_loopback_hosts(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"), serve(host=host):
        pass


def test_tls_with_a_trustme_ca(tmp_path: Path) -> None:
    # PEM files rather than configure_cert()/configure_trust(), whose annotations
    # mention pyOpenSSL, which is not installed.
    ca = trustme.CA()
    chain = tmp_path / "server.pem"
    ca.issue_cert("localhost").private_key_and_cert_chain_pem.write_to_path(chain)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(chain)
    client_context = ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())
    fake = FakePushover()
    with (
        serve(fake, ssl_context=server_context, server_hostname="localhost") as url,
        urllib3.PoolManager(ssl_context=client_context, retries=False) as pool,
    ):
        assert url.startswith("https://localhost:")
        first = pool.request("POST", url + "messages.json", body=MESSAGE, headers=FORM)
        second = pool.request("GET", f"{url}sounds.json?token={APP_TOKEN}")
        with (
            urllib3.PoolManager(retries=False) as untrusting,
            pytest.raises(urllib3.exceptions.SSLError),
        ):
            untrusting.request("GET", url + "sounds.json")
    assert (first.status, second.status) == (200, 200)
    assert len(fake.messages) == 1
    assert fake.connections_opened == 2  # ours (kept alive) and the rejected one
