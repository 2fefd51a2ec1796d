"""stubs/chump-stubs checked against the real chump 1.6.0 and through both checkers.

Nothing is built or installed: the checkers find the stubs through MYPYPATH
(stubtest) and through the repository's own configuration (mypy_path, stubPath). The
stubs and tests/typing/chump_usage.py are checked by the gate's repository-wide mypy
and pyright runs; here, stubtest and the misuse file.
"""

from __future__ import annotations

import os
import sys

import chump
import pytest

from tests import typecheck

STUBS = typecheck.ROOT / "stubs" / "chump-stubs"
ALLOWLIST = STUBS / "stubtest_allowlist.txt"
MISUSE = "chump_misuse.py"


def test_runtime_is_chump_1_6_0() -> None:
    assert chump.__version__ == "1.6.0"


@pytest.mark.typecheck
def test_stubtest_passes_against_installed_chump() -> None:
    # Unused allowlist entries are errors too, so the allowlist cannot go stale.
    returncode, output = typecheck.run(
        sys.executable,
        "-m",
        "mypy.stubtest",
        "chump",
        "--allowlist",
        str(ALLOWLIST),
        env={**os.environ, "MYPYPATH": str(STUBS)},
    )
    assert returncode == 0, output


def test_misuse_is_rejected_with_expected_codes(
    typing_report: typecheck.Report,
) -> None:
    expected = typing_report.misuse[MISUSE].mypy
    assert len(expected) >= 10
    assert sorted(typing_report.mypy.get(MISUSE, set())) == sorted(expected)


def test_misuse_is_rejected_by_pyright_on_the_same_lines(
    typing_report: typecheck.Report,
) -> None:
    expected = typing_report.misuse[MISUSE].pyright_lines
    found = {line for line, _ in typing_report.pyright.get(MISUSE, set())}
    assert sorted(found) == sorted(expected)
