"""List the API reference's entries that have no text of their own.

Builds the docs with ``autodoc_inherit_docstrings`` off (so a method that only
inherits its base's docstring, or an exception that would show ``Exception``'s, counts
as having none), then walks every documented class, function, method, attribute and
constant of the build and prints those whose entry has no text (a "Bases:" line and
the members nested in a class do not count). Exits 1 when it printed any.

    .venv/bin/python scripts/undocumented.py [BUILD_DIR]
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

ROOT = Path(__file__).resolve().parent.parent


def _own_text(content: nodes.Element) -> str:
    """The text of an entry's body, without its nested entries and its "Bases:" line."""
    parts: list[str] = []
    for child in content.children:
        if isinstance(child, addnodes.desc):
            continue
        text = child.astext().strip()
        if text.startswith("Bases:"):
            continue
        parts.append(text)
    return " ".join(parts).strip()


def undocumented(doctrees: Path) -> list[str]:
    """The ids of the entries (``chump_typed.Client.send``) with no text, sorted."""
    missing: set[str] = set()
    for path in sorted((doctrees).rglob("*.doctree")):
        with path.open("rb") as file:
            tree = pickle.load(file)  # the build's own doctree, just written
        for desc in tree.findall(addnodes.desc):
            if desc.get("domain") != "py" or desc.get("no-index"):
                continue
            signatures = [
                c for c in desc.children if isinstance(c, addnodes.desc_signature)
            ]
            contents = [
                c for c in desc.children if isinstance(c, addnodes.desc_content)
            ]
            if not signatures or not contents:
                continue
            ids = signatures[0].get("ids") or [signatures[0].astext()]
            if not _own_text(contents[0]):
                missing.add(ids[0])
    return sorted(missing)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(argv[1]) if len(argv) > 1 else Path(scratch)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx",
                "-q",
                "-E",
                "-D",
                "autodoc_inherit_docstrings=0",
                "-d",
                str(out / ".doctrees"),
                "-b",
                "html",
                str(ROOT / "docs"),
                str(out),
            ],
            check=True,
        )
        missing = undocumented(out / ".doctrees")
    for name in missing:
        print(name)
    print(f"{len(missing)} entries without text", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
