"""Probes run in a fresh interpreter: what importing or calling loads is seen only
in a process that has imported nothing yet (the test run has imported everything)."""

from __future__ import annotations

import subprocess
import sys

__all__ = ["printed_by"]


def printed_by(probe: str) -> str:
    """What the Python code *probe* prints, run by this interpreter in a new process
    (a failing probe fails the test, with its traceback)."""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return done.stdout
