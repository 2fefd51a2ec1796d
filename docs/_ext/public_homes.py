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


def home_of(name: str) -> str:
    """The module that defines the public name *name*."""
    package = importlib.import_module(PACKAGE)
    obj = getattr(package, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return str(obj.__module__)
    for module in _submodules():
        if (
            name in getattr(module, "__all__", ())
            and getattr(module, name, None) is obj
        ):
            return module.__name__
    raise LookupError(f"{PACKAGE}.{name}: no module lists it in __all__")
