"""Which module is the home of each name ``chump_typed`` exports (no Sphinx needed,
so the test suite can check the reference's coverage on any interpreter)."""

from __future__ import annotations

import importlib
import inspect
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


def home_of(name: str) -> str:
    """The module that documents the public name *name*."""
    package = importlib.import_module(PACKAGE)
    obj = getattr(package, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return _public_home(str(obj.__module__))
    for module in _submodules():
        if (
            name in getattr(module, "__all__", ())
            and getattr(module, name, None) is obj
        ):
            return module.__name__
    raise LookupError(f"{PACKAGE}.{name}: no module lists it in __all__")
