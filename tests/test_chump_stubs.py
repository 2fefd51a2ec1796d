"""stubs/chump-stubs checked against the real chump 1.6.0 and through mypy.

Nothing is built or installed: the checkers find the stubs through MYPYPATH
(stubtest) and through the repository's own mypy.ini (mypy_path).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import chump
import pytest

ROOT = Path(__file__).resolve().parents[1]
STUBS = ROOT / "stubs" / "chump-stubs"
ALLOWLIST = STUBS / "stubtest_allowlist.txt"
USAGE = ROOT / "tests" / "typing" / "chump_usage.py"
MISUSE = ROOT / "tests" / "typing" / "chump_misuse.py"

# The expected error code of a misuse line: `...  # type: ignore[code]` at its end.
EXPECTED_CODE = re.compile(r"  # type: ignore\[(?P<code>[a-z-]+)\]$")

# File name -> (line, code) of each mypy error in it.
MypyErrors = dict[str, set[tuple[int, str]]]


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def _expected_misuse_errors() -> tuple[str, set[tuple[int, str]]]:
    """The misuse file without its markers, and the (line, code) pairs marked."""
    lines: list[str] = []
    expected: set[tuple[int, str]] = set()
    for number, line in enumerate(MISUSE.read_text().splitlines(), start=1):
        match = EXPECTED_CODE.search(line)
        if match:
            expected.add((number, match["code"]))
            line = line[: match.start()]
        lines.append(line)
    return "\n".join(lines) + "\n", expected


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> MypyErrors:
    """One mypy run, with the repository's config, over usage and stripped misuse."""
    tmp = tmp_path_factory.mktemp("chump_stubs")
    stripped, _ = _expected_misuse_errors()
    (tmp / MISUSE.name).write_text(stripped)
    _, output = _run(
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "mypy.ini"),
        "--cache-dir",
        str(tmp / "cache"),
        "--output",
        "json",
        str(USAGE),
        str(tmp / MISUSE.name),
    )
    errors: MypyErrors = {}
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"mypy did not run cleanly:\n{output}")
        if record["severity"] == "error":
            file_errors = errors.setdefault(Path(record["file"]).name, set())
            file_errors.add((record["line"], record["code"]))
    return errors


def test_runtime_is_chump_1_6_0() -> None:
    assert chump.__version__ == "1.6.0"


def test_stubtest_passes_against_installed_chump() -> None:
    # Unused allowlist entries are errors too, so the allowlist cannot go stale.
    returncode, output = _run(
        "-m",
        "mypy.stubtest",
        "chump",
        "--allowlist",
        str(ALLOWLIST),
        env={**os.environ, "MYPYPATH": str(STUBS)},
    )
    assert returncode == 0, output


def test_usage_and_stubs_type_check_cleanly(mypy_errors: MypyErrors) -> None:
    # mypy also reports errors inside the stubs themselves (found on mypy_path).
    unexpected = {name: e for name, e in mypy_errors.items() if name != MISUSE.name}
    assert unexpected == {}


def test_misuse_is_rejected_with_expected_codes(mypy_errors: MypyErrors) -> None:
    _, expected = _expected_misuse_errors()
    assert len(expected) >= 10
    assert sorted(mypy_errors.get(MISUSE.name, set())) == sorted(expected)
