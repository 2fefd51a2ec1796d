"""Sphinx configuration: furo, MyST Markdown, autodoc, nitpicky, built with -W."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import chump_typed

project = "chump_typed"
author = "chump_typed developers"
copyright = "chump_typed developers"
release = chump_typed.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "public_api",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_ext"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"chump_typed {release}"

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = False
autodoc_inherit_docstrings = True

# Every cross-reference must resolve...
nitpicky = True


# ...except into other projects: the docs build offline, without their inventories, so
# references to the standard library and to dependencies stay unlinked. Every
# reference into chump_typed must resolve.
def _type_checking_imports() -> set[str]:
    """Names our modules import from elsewhere only for type checkers: autodoc cannot
    resolve them, so annotations show them bare (``Self``, ``TracebackType``)."""
    names: set[str] = set()
    for source in Path(chump_typed.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                for statement in ast.walk(node):
                    if isinstance(statement, ast.ImportFrom) and not (
                        statement.level
                        or (statement.module or "").startswith("chump_typed")
                    ):
                        names |= {
                            alias.asname or alias.name for alias in statement.names
                        }
    return names


nitpick_ignore_regex = [
    (r"py:.*", r"(?!chump_typed\b)[A-Za-z_]\w*\..+"),
    (r"py:mod", r"(?!chump_typed\b)[A-Za-z_]\w*"),
    (r"py:.*", rf"({'|'.join(sorted(_type_checking_imports()))})"),
    # The facade's aliases of chump's parameter types (compat._messages), shown by name.
    (r"py:class", r"Timestamp|EmergencyPriority|OtherPriority"),
    # The transports' keyword arguments, TypedDicts listed in their docstrings.
    (r"py:class", r"(Common)?Knobs"),
    # Their private bases, shown as "Bases:"; what they do is documented on them.
    (r"py:class", r"chump_typed\._transport_base\.KnobsBase"),
    # Generic parameters: autodoc shows them as written.
    (r"py:.*", r"(chump_typed\.[\w.]+\.)?(Req|Resp|T)"),
]


def _resolve_reexport(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Point ``chump_typed.models.Notification`` (a name's home, as docstrings and
    annotations write it) at ``chump_typed.Notification``, where the reference
    documents it."""
    if node.get("refdomain") != "py":
        return None
    target: str = node["reftarget"]
    if "." not in target:
        # A bare name in the docstring of an exported object: look in its home module.
        owner = getattr(chump_typed, node.get("py:class") or "", None)
        home = getattr(owner, "__module__", None)
        if home is None or not hasattr(importlib.import_module(home), target):
            return None
        domain = env.get_domain("py")
        # The bounds are documented once, as chump_typed.models.NAME.
        models = importlib.import_module("chump_typed.models")
        for where in (home, "chump_typed.models"):
            if where == "chump_typed.models" and not hasattr(models, target):
                continue
            found = domain.resolve_xref(
                env,
                node["refdoc"],
                app.builder,
                node["reftype"],
                f"{where}.{target}",
                node,
                contnode,
            )
            if found is not None:
                return found
        return None
    if not target.startswith("chump_typed.") or target.count(".") < 2:
        return None
    parts = target.split(".")
    for split in range(len(parts) - 1, 1, -1):
        module_name, attr_path = ".".join(parts[:split]), parts[split:]
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError:
            continue
        try:
            obj = getattr(obj, attr_path[0])
        except AttributeError:
            return None
        if getattr(chump_typed, attr_path[0], None) is not obj:
            return None
        new_target = ".".join(["chump_typed", *attr_path])
        domain = env.get_domain("py")
        return domain.resolve_xref(
            env,
            node["refdoc"],
            app.builder,
            node["reftype"],
            new_target,
            node,
            contnode,
        )
    return None


# The facade's differences from chump, with the tests that pin each one, are kept in
# their own file by the compatibility suite's authors; the migration page includes it.
_DIFFERENCES = Path(__file__).parent / "migrating-differences.md"
if _DIFFERENCES.exists():
    exclude_patterns.append(_DIFFERENCES.name)


def _include_differences(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname == "migrating" and _DIFFERENCES.exists():
        source[0] += (
            f"\n\n```{{include}} {_DIFFERENCES.name}\n:heading-offset: 1\n```\n"
        )


def setup(app: Sphinx) -> None:
    app.connect("missing-reference", _resolve_reexport)
    app.connect("source-read", _include_differences)
