"""The public surface is exactly what __all__ says, sorted."""

from __future__ import annotations

import types

import chump_typed
from chump_typed import compat, errors, models


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in vars(chump_typed) if not name.startswith("_")}
    modules = {
        n for n, v in vars(chump_typed).items() if isinstance(v, types.ModuleType)
    }
    not_exported = modules | {"annotations"}  # the __future__ import binds a name

    assert (
        sorted(chump_typed.__all__, key=lambda n: (not n.isupper(), n))
        == chump_typed.__all__
    )
    assert set(chump_typed.__all__) == public - not_exported


def test_chump_names_are_importable_from_the_package() -> None:
    for name in (
        "Application",
        "User",
        "Message",
        "EmergencyMessage",
        "APIError",
        "LOWEST",
        "LOW",
        "NORMAL",
        "HIGH",
        "EMERGENCY",
    ):
        assert hasattr(chump_typed, name)


def test_submodule_alls_name_real_objects() -> None:
    for module in (compat, errors, models):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_version_comes_from_metadata() -> None:
    from importlib.metadata import version

    assert version("chump_typed") == chump_typed.__version__
