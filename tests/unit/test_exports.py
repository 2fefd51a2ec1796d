"""The public surface is exactly what __all__ says, sorted."""

from __future__ import annotations

import types

import chump_typed
from chump_typed import compat, errors, models
from tests.fresh import printed_by


def test_all_is_complete_and_names_each_once() -> None:
    # dir(), not vars(): some names are imported on first use.
    public = {name for name in dir(chump_typed) if not name.startswith("_")}
    modules = {
        n for n in public if isinstance(getattr(chump_typed, n), types.ModuleType)
    }
    not_exported = modules | {"annotations"}  # the __future__ import binds a name

    assert len(set(chump_typed.__all__)) == len(chump_typed.__all__)
    assert set(chump_typed.__all__) == public - not_exported


def test_the_lazy_tables_send_each_name_to_its_module() -> None:
    """The generated tables (scripts/generate.py) list each name once, and the
    package that loads it on first use gets that module's object."""
    from importlib import import_module

    from chump_typed import _endpoints, _lazy, _rows
    from chump_typed.models import _lazy as models_lazy

    for owner, table in (
        (chump_typed, _lazy),
        (_endpoints, _rows),
        (models, models_lazy),
    ):
        for name, module in table.WHERE.items():
            assert getattr(owner, name) is getattr(import_module(module), name), name


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


def test_importing_the_package_leaves_the_facade_and_urllib3_for_later() -> None:
    code = (
        "import sys, chump_typed; "
        "print(sorted(m for m in ('urllib3', 'chump_typed.compat', "
        "'chump_typed._urllib3', 'chump_typed._bulk') if m in sys.modules)); "
        "chump_typed.Application, chump_typed.Urllib3Transport, chump_typed.Sent; "
        "print(sorted(m for m in ('urllib3', 'chump_typed.compat') if m in sys.modules))"
    )
    out = printed_by(code).splitlines()

    assert out == ["[]", "['chump_typed.compat', 'urllib3']"]


def test_importing_the_package_leaves_the_followups_and_the_transports_stdlib() -> None:
    """``import chump_typed`` defines Notification and SendResult only; the other
    families, and the standard modules that every transport imports anyway, load on
    first use."""
    deferred = (
        "base64",
        "chump_typed._endpoints_followups",
        "chump_typed.models.followups",
        "json",
        "logging",
        "mimetypes",
        "urllib.parse",
    )
    code = (
        f"import sys, chump_typed; deferred = {deferred!r}; "
        "print(sorted(m for m in deferred if m in sys.modules)); "
        "from chump_typed.models.followups import Receipt; "
        "assert Receipt is chump_typed.Receipt is chump_typed.models.Receipt; "
        "assert chump_typed.GET_RECEIPT.response_type is Receipt; "
        "print(sorted(m for m in deferred if m in sys.modules and 'follow' in m))"
    )
    out = printed_by(code).splitlines()

    assert out == [
        "[]",
        "['chump_typed._endpoints_followups', 'chump_typed.models.followups']",
    ]


def test_lazy_names_are_the_real_objects() -> None:
    from chump_typed import _bulk, _urllib3

    assert chump_typed.Urllib3Transport is _urllib3.Urllib3Transport
    assert chump_typed.Sent is _bulk.Sent
    assert chump_typed.Application is compat.Application
    assert "Application" in dir(chump_typed)


def test_every_family_model_is_exported_from_models_and_the_package() -> None:
    """A model added to its family's module must reach ``chump_typed.models`` and
    ``chump_typed``; this names any that does not."""
    from chump_typed.models import (
        _base,
        accounts,
        attachment,
        followups,
        groups,
        messages,
    )

    missing_from_models: list[str] = []
    missing_from_package: list[str] = []
    for family in (_base, attachment, messages, followups, groups, accounts):
        for name in family.__all__:
            value = getattr(family, name)
            if name not in models.__all__ and isinstance(value, type):
                missing_from_models.append(f"{family.__name__}.{name}")
            if isinstance(value, type) and name not in chump_typed.__all__:
                missing_from_package.append(f"{family.__name__}.{name}")

    assert missing_from_models == []
    assert missing_from_package == []


def test_the_sync_path_never_imports_the_extras() -> None:
    """``import chump_typed``, a sync send on the fake, the testing package and the
    pytest plugin import none of the extras' libraries."""
    code = (
        "import sys, chump_typed, chump_typed.testing, chump_typed.pytest_plugin; "
        "from chump_typed import Client, Notification; "
        "from chump_typed.testing import APP_TOKEN, USER_KEY, FakeTransport; "
        "Client(APP_TOKEN, transport=FakeTransport()).send("
        "Notification(user=USER_KEY, message='hi')); "
        "print(sorted(m for m in ('aiohttp', 'httpx', 'anyio', 'cryptography', "
        "'chump_typed.e2ee') if m in sys.modules))"
    )
    out = printed_by(code)

    assert out.strip() == "[]"
