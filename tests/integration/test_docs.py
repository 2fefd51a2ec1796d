"""The documentation's examples run, against the fake, exactly as written.

For every page in ``docs/`` and for ``README.md``, in page order and in one namespace
per page:

* a ```` ```python ```` block is executed; the ``test_*`` functions it defines are then
  called, with a fresh ``fake_pushover`` when they ask for one;
* a ```` ```pycon ```` block is a doctest: its output must match;
* a ```` ```console ```` block's ``$ chump-typed ...`` lines are run (in process) and must
  exit 0; ``export NAME=value`` lines set the environment; ``X | chump-typed`` gets
  sample text on its standard input; ``RECEIPT`` stands for the last receipt issued.
  Other console lines (``pip install``, ``bash scripts/...``) are not run here. They
  run in a scratch folder that holds the ``graph.png`` they mention.

The examples run as a reader runs them after pasting what ``chump-typed fake`` prints:
``PUSHOVER_BASE_URL`` (and the CLI's config) aim every client at a served
:class:`FakePushover`, and nothing else is patched. The network guard in
``conftest.py`` fails any example that would still leave the machine.

Each page's examples are also a program that the gate's strict type checkers check:
``scripts/generate.py`` joins them into ``tests/docs_examples/`` (a line the checker
must refuse says so with its ``# type: ignore[code]``, which mypy's warn_unused_ignores
holds to account).

The docstrings' ``>>>`` examples run as doctests, and the API reference is checked to
cover every public name.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import io
import pkgutil
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import chump_typed
from chump_typed.cli import main
from chump_typed.pytest_plugin import FakePushoverServer
from chump_typed.testing import FakePushover, serve

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]

#: The smallest file that looks like a PNG image.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

_FENCE = re.compile(
    r"^(?P<fence>```+)(?P<lang>[\w{}-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$",
    re.M | re.S,
)


def _blocks(page: Path) -> list[tuple[str, str, int]]:
    text = page.read_text(encoding="utf-8")
    return [
        (m["lang"], m["body"], text.count("\n", 0, m.start()) + 1)
        for m in _FENCE.finditer(text)
    ]


@pytest.fixture
def fake_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[FakePushover, str]]:
    """Serve a fake and aim every client and the CLI at it, through the environment
    variable `chump-typed fake` prints."""
    fake = FakePushover()
    with serve(fake) as base_url:
        # What a reader does: paste the line `chump-typed fake` prints.
        monkeypatch.setenv("PUSHOVER_BASE_URL", base_url)
        # Console examples run in a folder holding the files they name.
        monkeypatch.chdir(tmp_path)
        (tmp_path / "graph.png").write_bytes(PNG)
        config = tmp_path / "chump-typed" / "config.toml"
        config.parent.mkdir()
        config.write_text(f'base_url = "{base_url}"\n', encoding="utf-8")
        yield fake, base_url


def _run_tests(namespace: dict[str, Any], before: set[str]) -> None:
    for name, function in list(namespace.items()):
        if name in before or not name.startswith("test_") or not callable(function):
            continue
        wanted = inspect.signature(function).parameters
        if not wanted:
            function()
            continue
        assert list(wanted) == ["fake_pushover"], (
            f"{name}: unknown fixtures {list(wanted)}"
        )
        options: Any = namespace.get("fake_pushover_options")
        # A fixture the page overrides is a wrapped function: call what it wraps.
        kwargs: dict[str, Any] = options.__wrapped__() if options else {}
        fake = FakePushover(**kwargs)
        with serve(fake) as base_url:
            function(FakePushoverServer(fake=fake, base_url=base_url))


def _run_console(body: str, fake: FakePushover, environ: dict[str, str]) -> None:
    for line in body.splitlines():
        if not line.startswith("$ "):
            continue
        command = line[2:].split("  #", 1)[0].strip()
        if command.startswith("export "):
            for assignment in shlex.split(command)[1:]:
                key, _, value = assignment.partition("=")
                environ[key] = value
            continue
        stdin = ""
        if " | chump-typed " in command:
            command = command.split(" | ", 1)[1]
            stdin = "sample output\n"
        if not command.startswith("chump-typed "):
            continue
        receipts = [m.receipt for m in fake.messages if m.receipt]
        if "RECEIPT" in command:
            assert receipts, f"{command}: no receipt issued yet"
            command = command.replace("RECEIPT", receipts[-1])

        def acknowledge(_seconds: float, receipts: list[str] = receipts) -> None:
            fake.acknowledge(receipts[-1])

        out, err = io.StringIO(), io.StringIO()
        code = main(
            shlex.split(command)[1:],
            environ=environ,
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            sleep=acknowledge,
        )
        assert code == 0, f"{command!r} exited {code}: {err.getvalue()}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_examples_run(
    page: Path, fake_defaults: tuple[FakePushover, str], tmp_path: Path
) -> None:
    fake, _ = fake_defaults
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    parser, runner = (
        doctest.DocTestParser(),
        doctest.DocTestRunner(
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        ),
    )
    ran = 0
    for lang, body, line in _blocks(page):
        where = f"{page.name}:{line}"
        if lang == "python":
            before = set(namespace)
            exec(compile(body, where, "exec"), namespace)  # the docs' own code
            _run_tests(namespace, before)
        elif lang == "pycon":
            test = parser.get_doctest(body, namespace, where, str(page), line)
            out = io.StringIO()
            result = runner.run(test, out=out.write, clear_globs=False)
            assert result.failed == 0, out.getvalue()
            namespace.update(test.globs)  # DocTest ran on a copy
        elif lang == "console":
            _run_console(body, fake, environ)
        else:
            continue
        ran += 1
    prose = (
        "changelog.md",
        "api.md",  # the reference's pages, docs/api/*.md, are not in PAGES
        "design-decisions.md",
        "migrating-differences.md",
    )
    if page.name not in prose:
        assert ran, f"{page.name} has no example"


# -- docstrings ------------------------------------------------------------------------

_MODULES = ["chump_typed"] + [
    f"chump_typed.{info.name}"
    for info in pkgutil.iter_modules(chump_typed.__path__)
    if info.name != "__main__"
]


@pytest.mark.parametrize("module_name", _MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module):
        out = io.StringIO()
        result = runner.run(test, out=out.write, clear_globs=False)
        assert result.failed == 0, out.getvalue()


# -- the API reference -----------------------------------------------------------------


def test_the_reference_covers_every_public_name() -> None:
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        public_homes = importlib.import_module("public_homes")
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    pages = sorted((DOCS / "api").glob("*.md"))
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    sections = set(re.findall(r"^\.\. public-names:: (\S+)$", text, re.M))
    homes = {public_homes.home_of(name) for name in chump_typed.__all__}
    # Names from a module without a section of its own land in the catch-all one.
    assert "*" in sections or homes <= sections, f"no section for {homes - sections}"
    assert len(sections - {"*"}) >= 6, "the reference is grouped by module"
    # Every public module has a section: its own, or one per name it exports.
    modules = set(re.findall(r"^\.\. automodule:: (\S+)$", text, re.M))
    public_modules = {
        f"chump_typed.{info.name}"
        for info in pkgutil.iter_modules(chump_typed.__path__)
        if not info.name.startswith("_")
    }
    assert public_modules - modules - sections == set()
    # One page per area, leading with the client, the notification and the errors.
    toctree = re.findall(r"^api/(\S+)$", (DOCS / "api.md").read_text("utf-8"), re.M)
    assert sorted(toctree) == sorted(page.stem for page in pages)
    leading = {
        "client": "chump_typed.client",
        "messages": "chump_typed.models.messages",  # Notification's family
        "errors": "chump_typed.errors",
    }
    assert toctree[:3] == list(leading)
    for page, home in leading.items():
        text = (DOCS / "api" / f"{page}.md").read_text(encoding="utf-8")
        assert f".. public-names:: {home}" in text


def test_private_paths_are_shown_as_users_import_them() -> None:
    """The reference never shows ``chump_typed._httpx``: signatures are rewritten to
    the exported name, and the build warns (fails, under -W) at any path left."""
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        public_homes = importlib.import_module("public_homes")  # no Sphinx needed
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    shown = public_homes.public_path(
        "retries: ~chump_typed._retry.RetryPolicy | int, x: chump_typed.models._base.Priority"
    )
    assert shown == "retries: chump_typed.RetryPolicy | int, x: chump_typed.Priority"
    assert public_homes.PRIVATE_PATH.search("chump_typed._transport_base.KnobsBase")
    assert not public_homes.PRIVATE_PATH.search(
        "chump_typed.Client chump_typed.receive"
    )


def _field_docs(cls: type) -> set[str]:
    """The fields of *cls*'s own class body that a docstring line follows."""
    import ast

    tree = ast.parse(inspect.getsource(sys.modules[cls.__module__]))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return {
                statement.target.id
                for statement, following in zip(node.body, node.body[1:], strict=False)
                if isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            }
    return set()


def test_every_model_field_has_a_description() -> None:
    """The reference gives every field of every model a line saying what it is."""
    import attrs

    from chump_typed import models

    undocumented: list[str] = []
    for name in models.__all__:
        model = getattr(models, name)
        if not (inspect.isclass(model) and attrs.has(model)):
            continue
        for field in attrs.fields(model):
            # A field is described where it is declared (request, on Result).
            owner = next(
                klass
                for klass in reversed(model.__mro__)
                if attrs.has(klass) and field.name in attrs.fields_dict(klass)
            )
            if field.name not in _field_docs(owner):
                undocumented.append(f"{owner.__name__}.{field.name}")
    assert sorted(set(undocumented)) == []
