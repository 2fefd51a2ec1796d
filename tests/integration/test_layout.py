"""The layout's rules, checked on the source: no import cycle at run time, no module
over 600 lines, each I/O library imported by one module, no private writes in the
facade."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from tests.fresh import printed_by

SRC: Final = Path(__file__).resolve().parents[2] / "src"
PACKAGE: Final = "chump_typed"
MAX_LINES: Final = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: Final = {
    module_name(path): path for path in sorted((SRC / PACKAGE).rglob("*.py"))
}


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs at some point: at module level or inside a function,
    but not under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (i for n in node.orelse for i in _imports_of(n))
            continue
        yield from _imports_of(node)


def _imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _imports(node)


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if MODULES[module].name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def import_graph() -> dict[str, set[str]]:
    """Module -> the chump_typed modules it imports at run time."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name in MODULES}
                continue
            source = _resolve(module, node)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in MODULES:
                    targets.add(submodule)
                elif source in MODULES:
                    targets.add(source)
        graph[module] = targets - {module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of *graph*, as the list of modules around it, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_graph_sees_imports_inside_functions() -> None:
    """The graph is only worth something if it finds what is imported late."""
    graph = import_graph()

    assert "chump_typed._urllib3" in graph["chump_typed._execute"]  # in sync_transport
    assert "chump_typed._bulk_run" in graph["chump_typed.client"]  # inside send_many
    assert "chump_typed.compat._user" not in graph["chump_typed.compat._messages"]


def test_a_cycle_is_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_at_run_time() -> None:
    cycle = find_cycle(import_graph())

    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_errors_is_a_leaf() -> None:
    """Every module may raise the errors: errors imports only the redaction helpers
    and the scrubbing of tracebacks (which imports only the redaction helpers)."""
    graph = import_graph()
    assert graph["chump_typed.errors"] == {"chump_typed._redact", "chump_typed._scrub"}
    assert graph["chump_typed._scrub"] == {"chump_typed._redact"}


def test_the_fake_writes_its_own_rules() -> None:
    """design.md, principle 5: the fake's rules come from pushover-api.md, never from
    the client's validators (a client bug must not be mirrored by the fake)."""
    graph = import_graph()
    fake_modules = [m for m in graph if m.startswith("chump_typed.testing")]

    assert fake_modules
    for module in fake_modules:
        assert "chump_typed._checks" not in graph[module], module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_600_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")

    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it along its seams"


@pytest.mark.parametrize(
    ("library", "home"),
    [
        ("urllib3", "chump_typed._urllib3"),
        ("cattrs", "chump_typed._converter"),
        ("httpx", "chump_typed._httpx"),
        ("aiohttp", "chump_typed._aiohttp"),
        ("cryptography", "chump_typed.e2ee"),
    ],
)
def test_each_library_is_imported_by_one_module(library: str, home: str) -> None:
    importers: set[str] = set()
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            if any(n == library or n.startswith(library + ".") for n in names):
                importers.add(module)

    assert importers == {home}


def test_the_facade_writes_no_other_objects_private_state() -> None:
    for path in (SRC / PACKAGE / "compat").rglob("*.py"):
        assert "reportPrivateUsage" not in path.read_text(encoding="utf-8"), path.name


def test_no_research_tag_in_user_facing_text() -> None:
    """The API reference's tags ([UNVERIFIED], [LIB], [DOC]) are for us; users read
    "not confirmed by Pushover's documentation" in words."""
    tagged = [
        f"{path.relative_to(SRC)}: {tag}"
        for path in (SRC / PACKAGE).rglob("*.py")
        for tag in re.findall(
            r"\[(?:UNVERIFIED|LIB|DOC|DOC silence|INFERRED)\]",
            path.read_text(encoding="utf-8"),
        )
    ]
    assert tagged == []


def test_websockets_is_imported_by_the_receiving_side_only_and_lazily() -> None:
    """In the product only receive/ imports websockets (the fake's push server in
    testing/ may too); every import sits in a function, so that importing
    chump_typed, chump_typed.receive or chump_typed.testing never loads it."""
    importers: dict[str, bool] = {}  # module -> whether an import is at module level
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "websockets"
            ):
                importers[module] = importers.get(module, False) or id(node) in top
    assert set(importers) == {
        "chump_typed.receive._listen",
        "chump_typed.receive._alisten",
        "chump_typed.testing._push",
    }
    assert not any(importers.values()), importers
    probe = (
        "import sys, chump_typed, chump_typed.receive, chump_typed.testing;"
        "print('websockets' in sys.modules)"
    )
    assert printed_by(probe).strip() == "False"


def test_cattrs_is_imported_when_the_first_request_is_encoded() -> None:
    """Start-up pays for neither cattrs nor the converter: the first encode does."""
    probe = (
        "import sys\n"
        "from chump_typed import Notification, SEND_MESSAGE\n"
        "from chump_typed.protocol import encode_request\n"
        "print('cattrs' in sys.modules, 'chump_typed._converter' in sys.modules)\n"
        "encode_request(SEND_MESSAGE, Notification(user='u' * 30, message='m'),\n"
        "               token='t' * 30, base_url='https://api.pushover.net/1/')\n"
        "print('cattrs' in sys.modules)\n"
    )
    assert printed_by(probe).split() == ["False", "False", "True"]
