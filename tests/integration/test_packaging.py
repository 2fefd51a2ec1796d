"""The distributions: what ``python -m build`` makes, and a wheel installed for real.

Marked ``packaging`` (the gate runs it once, on the main Python). Needs ``build``,
``twine`` and ``hatchling`` (the ``release`` extra) and the package registry for the
runtime dependencies of the fresh virtual environment (pip's cache usually has them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]


def _run(*argv: str | Path, cwd: Path = ROOT) -> str:
    env = {
        **os.environ,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the sdist, then the wheel from it (as ``python -m build`` does)."""
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: hatchling comes from the release extra instead of a download.
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    [sdist] = out.glob("chump_typed-*.tar.gz")
    [wheel] = out.glob("chump_typed-*-py3-none-any.whl")
    return sdist, wheel


def test_wheel_contents(dists: tuple[Path, Path]) -> None:
    _, wheel = dists
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = archive.read(info).decode()
        metadata = archive.read(info.replace("entry_points.txt", "METADATA")).decode()
    assert "chump_typed/py.typed" in names
    assert {"chump_typed/pytest_plugin.py", "chump_typed/logging.py"} <= names
    assert not any(n.startswith(("tests/", "docs/")) for n in names)
    assert "[console_scripts]\nchump-typed = chump_typed.cli:main" in entry_points
    assert "[pytest11]\nchump_typed = chump_typed.pytest_plugin" in entry_points
    assert "Description-Content-Type: text/markdown" in metadata
    for requirement in ("attrs", "cattrs", "urllib3"):
        assert re.search(rf"^Requires-Dist: {requirement}>=", metadata, re.M)
    # The config file's reader, on 3.10 only (tomllib is in the standard library).
    assert re.search(
        r"^Requires-Dist: tomli; python_version < ['\"]3\.11['\"]$", metadata, re.M
    )


def test_sdist_contents(dists: tuple[Path, Path]) -> None:
    sdist, _ = dists
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {
        "src/chump_typed/py.typed",
        "README.md",
        "CHANGELOG.md",
        "pyproject.toml",
    } <= names
    assert "docs/conf.py" in names
    assert not any(n.startswith("docs/_build") for n in names)


def test_twine_check_passes(dists: tuple[Path, Path]) -> None:
    out = _run(sys.executable, "-m", "twine", "check", "--strict", *dists)
    assert out.count("PASSED") == 2


def test_readme_links_are_absolute() -> None:
    """PyPI shows the README away from the repository: relative links would break."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)", text) + re.findall(
        r"^\[[^\]]+\]:\s*(\S+)", text, re.M
    )
    assert targets, "the README links to its docs"
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert relative == []


def test_wheel_installs_into_a_fresh_venv_and_runs(
    dists: tuple[Path, Path], tmp_path: Path
) -> None:
    _, wheel = dists
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # This interpreter's pip installs into the new venv, which has none of its own;
    # the runtime dependencies are resolved from the wheel's own metadata.
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", wheel)
    script = python.parent / ("chump-typed.exe" if os.name == "nt" else "chump-typed")
    out = _run(script, "demo", cwd=tmp_path)
    assert "it receives by downloads (no websockets)" in out  # no extra installed
    assert "acknowledges the alarm through the Open Client API" in out
    assert "8. cancelled further retries: True" in out
    assert out.rstrip().endswith("done: the fake recorded 2 messages")
    probe = (
        "import chump_typed, importlib.metadata as m;"
        "print(chump_typed.__version__, chump_typed.__file__);"
        "print(*(e.value for e in m.entry_points(group='pytest11')))"
    )
    version_line, plugins = _run(python, "-c", probe, cwd=tmp_path).splitlines()
    version, location = version_line.split()
    assert version == _pyproject_version()
    assert Path(location).is_relative_to(venv)
    assert plugins == "chump_typed.pytest_plugin"


def _pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    assert match is not None
    return match[1]


def test_the_readme_install_works_from_this_source() -> None:
    """Until the package is published, README's install command is one that works
    from the checkout, and the PyPI one is only said to be coming."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    install = text.split("## Install", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^\$ python -m pip install \.\s", install, re.M)
    assert "$ python -m pip install chump_typed" not in install
    assert (ROOT / "scripts" / "quick.sh").is_file()
    assert "bash scripts/quick.sh" in text
