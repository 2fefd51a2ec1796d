"""The docs build as README says (issue 36, item 3): from a checkout, one command
installs what the API reference imports, and README gives exactly that command."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]

#: The extras that gather others or tools, not a part of the library autodoc imports.
TOOL_EXTRAS = frozenset({"test", "lint", "docs", "release", "dev", "trio"})


def _extras() -> dict[str, list[str]]:
    project: dict[str, Any] = tomllib.loads(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    )["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    return extras


def _self_extras(requirements: list[str]) -> set[str]:
    """The extras of chump_typed itself that *requirements* name."""
    named: set[str] = set()
    for requirement in requirements:
        match = re.fullmatch(r"chump_typed\[([\w,\s]+)\]", requirement.strip())
        if match:
            named |= {extra.strip() for extra in match[1].split(",")}
    return named


def test_the_docs_extra_brings_every_library_extra_and_pytest() -> None:
    """autodoc imports every module the reference documents: each transport, e2ee,
    receive, the Redis budget, and the pytest plugin."""
    extras = _extras()
    library = set(extras) - TOOL_EXTRAS
    assert library >= {"httpx", "aiohttp", "e2ee", "receive", "redis"}
    assert _self_extras(extras["docs"]) == library
    assert any(re.match(r"pytest\b", r) for r in extras["docs"])
    assert {re.split(r"[<>=\[ ]", r)[0] for r in extras["docs"]} >= {
        "sphinx",
        "furo",
        "myst-parser",
    }


def test_the_trio_extra_installs_what_the_trio_example_needs() -> None:
    names = {re.split(r"[<>=\[ ]", r)[0] for r in _extras()["trio"]}
    assert names == {"httpx", "anyio", "trio"}


def test_readme_gives_the_docs_commands_from_a_checkout() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Documentation", 1)[1].split("\n## ", 1)[0]
    assert '$ python -m pip install -e ".[docs]"' in section
    assert "$ python -m sphinx -n -W -b html docs docs/_build/html" in section
    assert 'install "chump_typed[docs]"' not in readme  # not published: cannot work
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    assert "python -m venv .venv && . .venv/bin/activate" in install
