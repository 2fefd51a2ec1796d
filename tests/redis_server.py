"""A real ``redis-server`` on loopback for the RedisBudget tests, started by them.

The binary is Debian's ``redis-server`` package, which ``scripts/redis.sh`` installs
for the gate; a machine without it skips these tests, saying so. The server listens
on a free port of 127.0.0.1, keeps nothing on disk (its folder is the test's temp
folder) and is stopped when the tests are over. Waiting for it is paced and bounded.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Generator
from pathlib import Path
from typing import Final

import pytest

#: Seconds a server may take to answer PING after it starts.
START_LIMIT: Final = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(folder: Path, port: int = 0) -> Generator[str, None, None]:
    """Start ``redis-server`` on a free loopback port (or *port*: a server started
    again where one was); yield its ``redis://`` URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "redis-server is not installed here (the gate installs Debian's package "
            "with scripts/redis.sh; or: apt-get install redis-server)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    wanted = port
    for _ in range(1 if wanted else 3):  # a port taken meanwhile: another one
        port = wanted or _free_port()
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + START_LIMIT
            while server.poll() is None and time.monotonic() < deadline:
                if _answers(port):
                    break
                time.sleep(0.05)
            else:
                if server.poll() is None:
                    raise AssertionError(
                        f"redis-server did not answer in {START_LIMIT} s"
                    )
                continue  # it exited: most likely the port was taken
            yield f"redis://127.0.0.1:{port}/0"
            return
        finally:
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    raise AssertionError(f"redis-server could not start (port {port} taken?)")
