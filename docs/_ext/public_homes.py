"""Which module is the home of each name ``chump_typed`` exports (no Sphinx needed,
so the test suite can check the reference's coverage on any interpreter)."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from types import ModuleType

PACKAGE = "chump_typed"


def _submodules() -> list[ModuleType]:
    importlib.import_module(PACKAGE)
    return [
        module
        for name, module in sorted(sys.modules.items())
        if name.startswith(PACKAGE + ".") and module is not None
    ]


def _public_home(module: str) -> str:
    """A private submodule's names belong to its package (``chump_typed.compat._user``
    to ``chump_typed.compat``); a top-level module keeps its own name."""
    parts = module.split(".")
    while len(parts) > 2 and parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)


#: The tables scripts/generate.py writes: they list names they do not define.
_TABLES = frozenset({"_lazy", "_rows"})


def home_of(name: str) -> str:
    """The module that documents the public name *name*."""
    package = importlib.import_module(PACKAGE)
    obj = getattr(package, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return _public_home(str(obj.__module__))
    listing = [
        module.__name__
        for module in _submodules()
        if name in getattr(module, "__all__", ())
        and getattr(module, name, None) is obj
        and module.__name__.rpartition(".")[2] not in _TABLES
    ]
    # A public module before a private one that lists the same name (the validators
    # of _checks list the bounds that the models' modules export).
    for module_name in sorted(listing, key=lambda m: "._" in m):
        return module_name
    raise LookupError(f"{PACKAGE}.{name}: no module lists it in __all__")


#: A dotted path through a private module of chump_typed (``chump_typed._retry.X``).
PRIVATE_PATH = re.compile(r"~?(chump_typed(?:\.\w+)*?)\.(_[a-z]\w*)((?:\.\w+)*)")


def public_path(text: str) -> str:
    """*text* with each path through a private module written as users import it:
    ``chump_typed._retry.RetryPolicy`` becomes ``chump_typed.RetryPolicy`` when
    ``chump_typed`` exports it (otherwise the path is left, for the check to report)."""
    package = importlib.import_module(PACKAGE)

    def public(match: re.Match[str]) -> str:
        name = match[0].rsplit(".", 1)[-1]
        if name in package.__all__:
            return f"{PACKAGE}.{name}"
        return match[0]

    return PRIVATE_PATH.sub(public, text)
