"""``public-names``: document what ``chump_typed`` exports, grouped by home module.

``.. public-names:: chump_typed.models`` documents every name in ``chump_typed.__all__``
whose home is ``chump_typed.models``, under the name users import
(``chump_typed.Notification``), in source order. A name added to ``__all__`` appears in
the reference with no change to the docs; ``tests/test_docs.py`` checks that every home
module has a ``public-names`` section.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from public_homes import PACKAGE, PRIVATE_PATH, home_of, public_path
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


def public_names(home: str) -> list[str]:
    """The names ``chump_typed`` exports from *home*, in source order."""
    package = importlib.import_module(PACKAGE)
    analyzer = ModuleAnalyzer.for_module(home)
    analyzer.analyze()
    order = analyzer.tagorder
    names = [n for n in package.__all__ if home_of(n) == home]
    return sorted(names, key=lambda n: order.get(n, len(order)))


def _data_lines(home: str, name: str, value: Any) -> list[str]:
    doc = _attr_doc(home, name)
    shown = repr(value)
    lines = [f".. py:data:: {name}"]
    if len(shown) <= 80:
        lines.append(f"   :value: {shown}")
    lines.append("")
    lines += [f"   {line}" for line in doc]
    if hasattr(value, "request_type"):  # an endpoint row: say what it does
        lines.append(
            f"   ``{value.method} {value.path}``: takes a"
            f" :class:`{value.request_type.__name__}`, returns a"
            f" :class:`{value.response_type.__name__}`."
        )
    return [*lines, ""]


class PublicNames(SphinxDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        home = self.arguments[0]
        if home == "*":
            names = self._the_rest()
            if not names:
                return []
        else:
            names = public_names(home)
            if not names:
                raise self.error(f"{PACKAGE} exports nothing from {home}")
        package = importlib.import_module(PACKAGE)
        lines = [f".. currentmodule:: {PACKAGE}", ""]
        if home == "*":
            lines += [".. rubric:: Other names", ""]
        for name in names:
            obj = getattr(package, name)
            if inspect.isclass(obj):
                kind = (
                    "autoexception" if issubclass(obj, BaseException) else "autoclass"
                )
                lines += [
                    f".. {kind}:: {name}",
                    "   :members:",
                    "   :undoc-members:",
                    "   :show-inheritance:",
                    "",
                ]
            elif inspect.isfunction(obj):
                lines += [f".. autofunction:: {name}", ""]
            else:
                lines += _data_lines(home_of(name), name, obj)
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source=home), node)
        return node.children

    def _the_rest(self) -> list[str]:
        """``public-names:: *``: the exported names whose home has no section of its
        own on any page of the reference, so a new module's names appear without a
        docs change."""
        folder = Path(self.env.doc2path(self.env.docname)).parent
        text = "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.md"))
        covered = set(_SECTION.findall(text)) - {"*"}
        package = importlib.import_module(PACKAGE)
        return [n for n in package.__all__ if home_of(n) not in covered]


_SECTION = re.compile(r"^\.\. public-names:: (\S+)$", re.M)
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")


class ModuleConstants(SphinxDirective):
    """``.. module-constants:: chump_typed.models``: every UPPER_CASE number or string
    the module assigns, in source order, as ``chump_typed.models.NAME``; so the bounds
    that docstrings mention (``MESSAGE_MAX``) are documented and linkable."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        home = self.arguments[0]
        module = importlib.import_module(home)
        analyzer = ModuleAnalyzer.for_module(home)
        analyzer.analyze()
        # A package re-exports its families' bounds: its __all__ says which.
        order = getattr(module, "__all__", None) or sorted(
            analyzer.tagorder, key=analyzer.tagorder.__getitem__
        )
        names = [
            name
            for name in order
            if _CONSTANT.fullmatch(name)
            and isinstance(getattr(module, name, None), (int, float, str))
        ]
        lines = [f".. py:currentmodule:: {home}", ""]
        for name in names:
            lines += _data_lines(home, name, getattr(module, name))
        lines += [f".. py:currentmodule:: {PACKAGE}", ""]
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source=home), node)
        return node.children


def _public_bases(
    _app: Sphinx, _name: str, _obj: object, _options: object, bases: list[type]
) -> None:
    """Show a class's bases as users import them: an exported base stays (it is
    documented as ``chump_typed.Name``), a private one is left out (its path,
    ``chump_typed._transport_base.KnobsBase``, is nothing to import)."""
    package = importlib.import_module(PACKAGE)
    exported = {id(getattr(package, n)) for n in package.__all__}

    def shown(base: type) -> list[type]:
        if not str(getattr(base, "__module__", "")).startswith(PACKAGE):
            return [base]
        if id(base) in exported:
            return [base]
        if any(part.startswith("_") for part in base.__module__.split(".")):
            return []
        if base.__name__.startswith("_"):
            # A private class of a public module (models.messages._Message): its
            # own bases stand in for it.
            return [b for parent in base.__bases__ for b in shown(parent)]
        return [base]

    bases[:] = [b for base in bases for b in shown(base)]


def _readable_defaults(obj: object, signature: str) -> str:
    """*signature* with each default that shows as a repr Python cannot read back
    (``clock=<built-in function time>``, which also stops Sphinx parsing the whole
    signature) written as the function's dotted name (``time.time``), else ``...``."""
    if "<" not in signature or not callable(obj):
        return signature
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return signature
    for parameter in parameters:
        shown = repr(parameter.default)
        if parameter.default is parameter.empty or not shown.startswith("<"):
            continue
        module = getattr(parameter.default, "__module__", None)
        name = getattr(parameter.default, "__qualname__", None)
        readable = f"{module}.{name}" if module and name else "..."
        signature = re.sub(
            rf"(=\s*){re.escape(shown)}",
            lambda match, readable=readable: match[1] + readable,
            signature,
        )
    return signature


def _public_signature(
    _app: Sphinx,
    _what: str,
    _name: str,
    obj: object,
    _options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None]:
    return (
        None if signature is None else public_path(_readable_defaults(obj, signature)),
        None if return_annotation is None else public_path(return_annotation),
    )


def _defining_module(signature: addnodes.desc_signature) -> ModuleType | None:
    """The chump_typed module whose source the signature's object comes from: the
    object's own, else its class's (an attribute's value has no module)."""
    try:
        owner: Any = importlib.import_module(str(signature.get("module") or PACKAGE))
    except ImportError:
        return None
    chain = [owner]
    for part in str(signature.get("fullname", "")).split("."):
        owner = getattr(owner, part, None)
        chain.append(owner)
    for obj in reversed(chain):
        obj = getattr(obj, "fget", obj)  # a property: its getter's module
        home = sys.modules.get(str(getattr(obj, "__module__", "")))
        if home is not None and home.__name__.startswith(PACKAGE):
            return home
    return None


def _public_name(
    signature: addnodes.desc_signature, alias: str, name: str
) -> str | None:
    """How users import what ``alias.name`` (an annotation of the signature's source)
    names: ``chump_typed.NAME`` when ``chump_typed`` exports it, else
    ``chump_typed.receive.NAME`` when the documented module (``chump_typed.receive``)
    does; ``None`` when it is not the same object or neither exports it."""
    module = getattr(_defining_module(signature), alias, None)
    if not (inspect.ismodule(module) and module.__name__.startswith(PACKAGE)):
        return None
    value = getattr(module, name, None)
    documented = str(signature.get("module") or PACKAGE)
    for where in dict.fromkeys((PACKAGE, documented)):
        exporter = importlib.import_module(where)
        if (
            name in getattr(exporter, "__all__", ())
            and getattr(exporter, name) is value
        ):
            return f"{where}.{name}"
    return None


def _exported_names(_app: Sphinx, doctree: nodes.document) -> None:
    """Signatures name what users import: an annotation written through a module
    alias of its source (``ep.Endpoint``, ``models.Notification``; overloads'
    signatures come from the source as written) becomes ``chump_typed.Endpoint`` when
    ``chump_typed`` exports that very object (or the documented module does)."""
    for signature in doctree.findall(addnodes.desc_signature):
        for xref in signature.findall(addnodes.pending_xref):
            alias, dot, name = str(xref.get("reftarget", "")).partition(".")
            if not dot or "." in name or alias == PACKAGE:
                continue
            public = _public_name(signature, alias, name)
            if public is None:
                continue
            xref["reftarget"] = public
            for text in list(xref.findall(nodes.Text)):
                if text.astext() == f"{alias}.{name}":
                    text.parent.replace(text, nodes.Text(public))


def _no_private_paths(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Warn (an error under ``-W``) when a reference page shows a private module's
    path: users import from ``chump_typed``, never from ``chump_typed._httpx``."""
    if not docname.startswith("api/"):
        return
    from sphinx.util import logging

    for prefix, private, rest in sorted(set(PRIVATE_PATH.findall(doctree.astext()))):
        logging.getLogger(__name__).warning(
            "the reference shows the private path %s.%s%s",
            prefix,
            private,
            rest,
            location=docname,
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("public-names", PublicNames)
    app.add_directive("module-constants", ModuleConstants)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("autodoc-process-signature", _public_signature)
    app.connect("doctree-read", _exported_names)
    app.connect("doctree-resolved", _no_private_paths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _attr_doc(home: str, name: str) -> list[str]:
    """The ``#:`` comment of *name*: in *home*, or in the chump_typed module that
    defines it (a package re-exports its families' constants)."""
    import sys

    value = getattr(importlib.import_module(home), name)
    others = sorted(
        module
        for module, loaded in sys.modules.items()
        if module.startswith(PACKAGE + ".")
        and module != home
        and getattr(loaded, name, None) is value
    )
    for where in (home, *others):
        doc = ModuleAnalyzer.for_module(where).find_attr_docs().get(("", name))
        if doc:
            return list(doc)
    return []
