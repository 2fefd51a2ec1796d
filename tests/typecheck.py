"""Run mypy and pyright on typing test files, and read the misuse markers.

A misuse file marks each line that must fail with the mypy error code(s) it must
produce, as a ``# type: ignore[code]`` comment at the end of the line, so the
repository-wide mypy run (strict, hence warn_unused_ignores) already fails when a marked
line stops erroring. The tests strip the markers and check that mypy reports exactly the
marked codes on exactly the marked lines, and that pyright reports an error on exactly
the marked lines. pyright does not flag some misuse that mypy does (assigning to another
module's ``Final`` name); such a line adds ``  # mypy only: <why>`` after its marker.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import pytest

ROOT: Final = Path(__file__).resolve().parents[1]
PYRIGHT: Final = Path(sys.executable).with_name("pyright")

MARKER: Final = re.compile(
    r"  # type: ignore\[(?P<codes>[a-z-]+(?:, [a-z-]+)*)\]"
    r"(?P<mypy_only>  # mypy only: .+)?$"
)

#: (line, code) pairs, by file name.
Errors = dict[str, set[tuple[int, str]]]


class Misuse:
    """One misuse file: its text without markers, and what each marker expects."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        lines: list[str] = []
        self.mypy: set[tuple[int, str]] = set()
        self.pyright_lines: set[int] = set()
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                for code in match["codes"].split(", "):
                    self.mypy.add((number, code))
                if not match["mypy_only"]:
                    self.pyright_lines.add(number)
                line = line[: match.start()]
            lines.append(line)
        self.stripped = "\n".join(lines) + "\n"

    def write_stripped(self, directory: Path) -> Path:
        """Write the unmarked text under the same file name into *directory*."""
        target = directory / self.name
        target.write_text(self.stripped)
        return target


def run(*args: str, env: Mapping[str, str] | None = None) -> tuple[int, str]:
    """Run a command from the repository root; return its exit code and output."""
    result = subprocess.run(
        list(args),
        cwd=ROOT,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def mypy_errors(files: Iterable[Path], cache_dir: Path) -> Errors:
    """One strict mypy run with the repository's config: errors by file name."""
    _, output = run(
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "mypy.ini"),
        "--strict",
        "--cache-dir",
        str(cache_dir),
        "--output",
        "json",
        *map(str, files),
    )
    errors: Errors = {}
    for line in output.splitlines():
        try:
            record: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError:
            raise AssertionError(f"mypy did not run cleanly:\n{output}") from None
        if record["severity"] == "error":
            found = errors.setdefault(Path(record["file"]).name, set())
            found.add((record["line"], record["code"]))
    return errors


def _start_pyright(files: Iterable[Path]) -> subprocess.Popen[str]:
    """Start one pyright run with the repository's (strict) config."""
    return subprocess.Popen(
        [
            str(PYRIGHT),
            "--pythonpath",
            sys.executable,
            "--outputjson",
            *map(str, files),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish_pyright(process: subprocess.Popen[str]) -> Errors:
    """Wait for pyright; its errors by file name, as (line, rule) pairs."""
    output, _ = process.communicate(timeout=300)
    try:
        report: dict[str, Any] = json.loads(output)
    except json.JSONDecodeError:
        raise AssertionError(f"pyright did not run cleanly:\n{output}") from None
    errors: Errors = {}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            found = errors.setdefault(Path(diagnostic["file"]).name, set())
            line = diagnostic["range"]["start"]["line"] + 1
            found.add((line, diagnostic.get("rule", "")))
    return errors


# -- The misuse files, and one run of each checker over them ---------------------------

TYPING: Final = ROOT / "tests" / "typing"
#: Misuse files, checked with their markers stripped. The files that must check
#: cleanly (``api.py``, ``chump_usage.py``, the drop-in script) are checked by the
#: gate's one repository-wide run of each checker, not again here.
MISUSE: Final = (TYPING / "misuse.py", TYPING / "chump_misuse.py")


class Report:
    """What mypy and pyright said about the stripped :data:`MISUSE` files."""

    def __init__(self, directory: Path) -> None:
        self.misuse = {path.name: Misuse(path) for path in MISUSE}
        stripped = [m.write_stripped(directory) for m in self.misuse.values()]
        files = stripped
        # pyright runs while mypy does: the two are independent. pyright is a lint
        # dependency, absent from the test-only environments of the other Pythons.
        pyright = _start_pyright(files) if PYRIGHT.exists() else None
        self.mypy = mypy_errors(files, directory / "mypy_cache")
        self._pyright = None if pyright is None else _finish_pyright(pyright)

    @property
    def pyright(self) -> Errors:
        """pyright's errors; skips the test when pyright is not installed."""
        if self._pyright is None:
            pytest.skip("pyright is not installed in this environment")
        return self._pyright
