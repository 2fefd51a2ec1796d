"""The demo runs the whole flow on the embedded fake and reports each step."""

from __future__ import annotations

import subprocess
import sys

from chump_typed._demo import run_demo
from chump_typed.cli import main


def test_demo_in_process() -> None:
    lines: list[str] = []

    assert run_demo(lines.append) == 0
    text = "\n".join(lines)
    assert "receives by the realtime stream" in text  # websockets: the test extra
    assert "the device received: Demo: Hello from chump_typed" in text
    assert "acknowledges the alarm through the Open Client API" in text
    assert "application authenticated: True" in text
    assert "message sent: True" in text
    assert "emergency message sent: True" in text
    assert (
        "still waiting: False; acknowledged: True on the user's device 'demo-desk' at"
        in text
    )
    assert "by the user" not in text  # a device acknowledged, not the user by hand
    assert "cancelled further retries: True" in text
    assert "9998/10000 left" in text
    assert "the fake recorded 2 messages" in text


def test_demo_from_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chump_typed", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "cancelled further retries: True" in done.stdout
    assert done.stderr == ""


def test_cli_main_dispatches_demo(capsys: object) -> None:
    assert main(["demo"]) == 0
