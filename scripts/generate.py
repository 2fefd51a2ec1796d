"""Write the files derived from the sources; with ``--check``, name any that is stale.

The derived files are committed, so that readers and type checkers see plain Python,
and the gate runs ``python scripts/generate.py --check`` so that none can drift:

* the tables of names loaded on first use (``LAZY`` below): each lists, for one
  package, the ``__all__`` of the modules that define those names, read from their
  source (nothing is imported), with the imports the type checkers see;
* the sync twins (``TWINS`` below): ``client.py`` from ``aio.py`` and each sync module of
  ``receive/`` from its async one, by the word replacements in ``SYNC_WORDS``, as
  httpcore's unasync script does;
* the documentation's examples as programs (``tests/docs_examples/``): each page's
  ``python`` blocks and ``pycon`` inputs joined in order as one module, which the gate's
  strict type checkers check as they check a user's program (:func:`page_module`).

Run it after changing an ``__all__`` or an async source: ``python scripts/generate.py``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
#: Where each documentation page's examples are written as one module.
DOC_MODULES = ROOT / "tests" / "docs_examples"

#: The families loaded on first use, in the order of Pushover's documentation.
MODEL_FAMILIES = (
    "chump_typed.models.followups",
    "chump_typed.models.groups",
    "chump_typed.models.accounts",
    "chump_typed.models.client_api",
)
ROW_FAMILIES = (
    "chump_typed._endpoints_followups",
    "chump_typed._endpoints_groups",
    "chump_typed._endpoints_accounts",
    "chump_typed._endpoints_receiving",
)

Source = str | tuple[str, tuple[str, ...]]

#: For each generated table: the module that loads its names, and the modules they
#: come from. A module stands for its whole ``__all__``; a (module, names) pair for
#: those names only (a public module whose other names stay in it).
LAZY: dict[str, tuple[str, tuple[Source, ...]]] = {
    "chump_typed/models/_lazy.py": ("chump_typed.models", MODEL_FAMILIES),
    "chump_typed/_rows.py": ("chump_typed._endpoints", ROW_FAMILIES),
    "chump_typed/_lazy.py": (
        "chump_typed",
        (
            *MODEL_FAMILIES,
            *ROW_FAMILIES,
            ("chump_typed._endpoints", ("ENDPOINTS",)),
            "chump_typed._bulk",
            "chump_typed._repair",
            "chump_typed._retry",
            "chump_typed._urllib3",
            "chump_typed._httpx",
            "chump_typed._aiohttp",
            "chump_typed.aio",
            "chump_typed.compat",
            ("chump_typed.e2ee", ("E2EEKey",)),
        ),
    ),
}

#: Each sync twin and the async module it is generated from.
TWINS: dict[str, str] = {
    "chump_typed/client.py": "chump_typed/aio.py",
    "chump_typed/receive/_sync.py": "chump_typed/receive/_async.py",
}

#: Sentences of an async source that differ by more than a word in its twin, replaced
#: first; each must be found, so that an edit to one cannot go unnoticed.
SYNC_PHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "chump_typed/aio.py": (
        ("for asyncio and trio.", "for synchronous code."),
        # send_iter's generator: the sync one's send and return types are spelt out.
        ("AsyncGenerator[SendOutcome, None]", "Generator[SendOutcome, None, None]"),
        (
            "It works in steps: a step's sends finish\n        before its outcomes are "
            "yielded, so that no task outlives a ``yield``.",
            "Its sender threads go on sending while\n        the caller holds an "
            "outcome.",
        ),
        # The API root is exported with the sync client (and loaded at start-up).
        ('__all__ = ["AsyncClient"]', '__all__ = ["DEFAULT_BASE_URL", "Client"]'),
        (
            "The sync twin, :class:`~chump_typed.Client` in :mod:`chump_typed.client`, "
            "is generated\nfrom this module by ``scripts/generate.py``, so the two "
            "cannot drift.",
            "Generated from its async twin, :mod:`chump_typed.aio`, by "
            "``scripts/generate.py``:\nedit that module, not this one.",
        ),
        (
            "an :class:`~chump_typed.protocol.AsyncTransport`; by default one\n"
            "        chosen on first use: :class:`~chump_typed.AiohttpTransport` under "
            "asyncio\n"
            "        (extra ``chump_typed[aiohttp]``; the httpx one if only that is "
            "installed),\n"
            "        :class:`~chump_typed.AsyncHttpxTransport` under trio (extra\n"
            "        ``chump_typed[httpx]``). It opens its connections on first use, "
            "in the event\n"
            "        loop that uses it, so a client may be built outside any event "
            "loop.",
            "a :class:`~chump_typed.protocol.Transport`; a pooled\n"
            "        :class:`~chump_typed.Urllib3Transport` by default.",
        ),
    ),
    "chump_typed/receive/_async.py": (
        (
            '"""The async Open Client: :class:`AsyncOpenClient` logs in, :class:`AsyncSession`\nreceives.\n\nThe sync twin, :mod:`chump_typed.receive._sync`, is generated from this module by\n``scripts/generate.py``, so the two cannot drift.\n"""',
            '"""The sync Open Client: :class:`OpenClient` logs in, :class:`Session` receives.\n\nGenerated from its async twin, :mod:`chump_typed.receive._async`, by\n``scripts/generate.py``: edit that module, not this one.\n"""',
        ),
        (
            "A receiving client of Pushover's Open Client API, for async code (asyncio; the\n    calls also run under trio with :class:`~chump_typed.AsyncHttpxTransport`).",
            "A receiving client of Pushover's Open Client API (pushover-api.md §13).",
        ),
        (
            ":param transport: an :class:`~chump_typed.protocol.AsyncTransport`; by default\n        one chosen on first use, as :class:`~chump_typed.AsyncClient` chooses it.",
            ":param transport: what moves the bytes; a pooled\n        :class:`~chump_typed.Urllib3Transport` by default.",
        ),
        (
            '        """Each message for *device*, as it arrives, under asyncio::\n\n            async with session.listen(device) as messages:\n                async for message in messages:\n                    ...\n\n        The same rules as :meth:`Session.listen <chump_typed.receive.Session.listen>`:\n        the backlog first, each message once and in order, deleted once you ask for\n        the next, reconnections that neither repeat nor skip, a message that cannot\n        be read given to *on_undecodable* (or logged at WARNING). Leaving the block\n        (or :meth:`AsyncListener.aclose`) ends it at once and deletes what was taken.\n\n        :raises PushRejectedError: Pushover\'s ``E``.\n        :raises LoggedInElsewhereError: Pushover\'s ``A``.\n        """\n',
            '        """Each message for *device* (default: the session\'s), as it arrives: the\n        backlog first, then in real time over the WebSocket (extra\n        ``chump_typed[receive]``).\n\n        A message is yielded once, in order (one that arrives late, below ids\n        already yielded, in its turn), and is deleted on the server once you have\n        taken it: when you ask for the next one, or when the listener closes. The\n        last one yielded before you stop is not deleted and comes again on the next\n        run (at least once across restarts). A message that cannot be read is given\n        to *on_undecodable* (an :class:`~chump_typed.receive.UndecodableMessage`),\n        or logged at WARNING without one, and the stream goes on. ``R`` from\n        Pushover, a dropped socket, a failed call or *silence* seconds without any\n        frame lead to a reconnection after a wait of one backoff (from\n        *reconnect_wait*, doubling up to 60 s, jittered), and nothing is repeated\n        or skipped across it. :meth:`Listener.close\n        <chump_typed.receive.Listener.close>` stops it within a second from any\n        thread (so does leaving ``with session.listen(...) as messages:``, and a\n        ``break`` out of ``for message in session.listen(...)`` once the listener\n        is no longer referenced).\n\n        :raises PushRejectedError: Pushover\'s ``E``: log in again or re-enable the\n            device; the stream does not reconnect.\n        :raises LoggedInElsewhereError: Pushover\'s ``A``: the device listens\n            elsewhere; the stream does not reconnect.\n        """\n',
        ),
    ),
}

#: Async words (patterns) and their sync twins, replaced after the phrases.
SYNC_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bAsyncClient", "Client"),
    (r"\bAsyncOpenClient", "OpenClient"),
    (r"\bAsyncSession", "Session"),
    (r"\bAsyncListener", "Listener"),
    (r"\b_alisten", "_listen"),
    (r"\bAsyncTransport", "Transport"),
    (r"\basync_transport", "sync_transport"),
    (r"\bexecute_async", "execute"),
    (r"\bsend_many_async", "send_many"),
    (r"\bsend_iter_async", "send_iter"),
    (r"\bAsyncGenerator\b", "Generator"),
    (r"\bAsyncIterable,\n", ""),
    (r"\brepair_broadcast_async", "repair_broadcast"),
    (r"\bbroadcast_async", "broadcast"),
    (r"\baclose", "close"),
    (r"\b__aenter__", "__enter__"),
    (r"\b__aexit__", "__exit__"),
    (r"\basync (def|with|for) ", r"\1 "),
    (r"\bawait ", ""),
    (r"\bAsyncIterable, ", ""),
    (r"\s*\|\s*AsyncIterable\[models\.AnyNotification\]", ""),
)

#: Async code that no word above turned sync: a twin must not keep any.
_ASYNC_LEFT = re.compile(
    r"\bawait\b|\basync (def|with|for)\b|\bAsync[A-Z]\w*|\banyio\b|\b__a(enter|exit|iter|next)__\b"
)

TWIN_HEADER = (
    "# Generated from {source} by scripts/generate.py: edit that file, not this one.\n"
)

HEADER = '''"""Names {package} loads on first use, and the module of each.

Generated by scripts/generate.py from the ``__all__`` of those modules: do not edit.
"""
'''


def source_of(module: str) -> Path:
    path = SRC.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def all_of(module: str) -> tuple[str, ...]:
    """The literal ``__all__`` of *module*, read from its source."""
    tree = ast.parse(source_of(module).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__"
            for target in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise SystemExit(f"{module} has no literal __all__")


def lazy_table(owner: str, sources: tuple[Source, ...]) -> str:
    """The text of one table: *owner*'s names from *sources*, sorted as ``__all__``
    lists are (constants first)."""
    imports: list[str] = []
    where: dict[str, str] = {}
    for source in sources:
        module, names = (source, None) if isinstance(source, str) else source
        if names is None:
            names = all_of(module)
            imports.append(f"    from {module} import *")
        else:
            imports += [f"    from {module} import {name} as {name}" for name in names]
        for name in names:
            if name in where:
                raise SystemExit(f"{name} is exported by {where[name]} and {module}")
            where[name] = module
    ordered = sorted(where, key=lambda name: (not name.isupper(), name))
    lines = [
        HEADER.format(package=owner),
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Final",
        "",
        "if TYPE_CHECKING:",
        *sorted(imports),
        "",
        "__all__ = [",
        *(f'    "{name}",' for name in ordered),
        "]",
        "",
        "#: The modules, in the order given (the order of Pushover's documentation).",
        "MODULES: Final = (",
        *(f'    "{module}",' for module in dict.fromkeys(where.values())),
        ")",
        "",
        "#: Each name's module.",
        "WHERE: Final[dict[str, str]] = {",
        *(f'    "{name}": "{where[name]}",' for name in ordered),
        "}",
    ]
    return "\n".join(lines) + "\n"


def sync_twin(source: str) -> str:
    """The text of *source*'s sync twin: its phrases, then its words replaced, then
    formatted as ruff formats the sources (unused imports dropped)."""
    text = (SRC / source).read_text(encoding="utf-8")
    for async_text, sync_text in SYNC_PHRASES.get(source, ()):
        if async_text not in text:
            raise SystemExit(f"{source} no longer says: {async_text!r}")
        text = text.replace(async_text, sync_text)
    for pattern, replacement in SYNC_WORDS:
        text = re.sub(pattern, replacement, text)
    left = _ASYNC_LEFT.search(text)
    if left:
        raise SystemExit(f"{source}: {left[0]!r} has no sync twin in SYNC_WORDS")
    text = TWIN_HEADER.format(source=f"src/{source}") + text
    ruff = [sys.executable, "-m", "ruff"]
    name = ["--stdin-filename", str(SRC / source)]
    text = _piped([*ruff, "check", "--fix", "--select", "F401,I", "-q", *name], text)
    return _piped([*ruff, "format", "-q", *name, "-"], text)


def _piped(command: list[str], text: str) -> str:
    done = subprocess.run(command, input=text, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: {done.stderr or done.stdout}")
    return done.stdout


_FENCE = re.compile(
    r"^(?P<fence>```+)(?P<lang>[\w{}-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$",
    re.M | re.S,
)


def _pycon_source(body: str) -> str:
    """The inputs of a ``pycon`` block as statements: an expression whose value the
    console would show is printed, so that it is a statement a checker accepts."""
    examples: list[list[str]] = []
    for line in body.splitlines():
        if line.startswith((">>> ", ">>>")) and line[:4].rstrip() == ">>>":
            examples.append([line[4:]])
        elif (
            line.startswith(("... ", "...")) and line[:4].rstrip() == "..." and examples
        ):
            examples[-1].append(line[4:])
    statements: list[str] = []
    for lines in examples:
        source = "\n".join(lines)
        tree = ast.parse(source)
        shown = (
            len(tree.body) == 1
            and isinstance(tree.body[0], ast.Expr)
            and not isinstance(tree.body[0].value, ast.Call | ast.Await)
        )
        if shown:
            code, _, comment = source.partition("  # ")
            source = f"print({code})" + (f"  # {comment}" if comment else "")
        statements.append(source)
    return "\n".join(statements) + "\n"


def _without_imported(source: str, imported: set[tuple[str, str, str | None]]) -> str:
    """*source* without the top-level imports of names an earlier block imported (each
    block of a page imports what it uses, for a reader who copies one block; joined,
    the page imports each name once). *imported* gathers what this block adds."""
    lines = source.splitlines(keepends=True)
    for node in reversed(ast.parse(source).body):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        origin = node.module or "" if isinstance(node, ast.ImportFrom) else ""
        fresh = [
            alias
            for alias in node.names
            if (origin, alias.name, alias.asname) not in imported
        ]
        imported.update((origin, alias.name, alias.asname) for alias in fresh)
        if len(fresh) == len(node.names):
            continue
        kept = ast.unparse(_only(node, fresh)) + "\n" if fresh else ""
        assert node.end_lineno is not None
        lines[node.lineno - 1 : node.end_lineno] = [kept]
    return "".join(lines)


def _only(node: ast.Import | ast.ImportFrom, names: list[ast.alias]) -> ast.stmt:
    """*node* importing only *names*."""
    if isinstance(node, ast.ImportFrom):
        return ast.ImportFrom(module=node.module, names=names, level=node.level)
    return ast.Import(names=names)


def page_module(page: Path) -> str | None:
    """*page*'s examples as one module, or ``None`` when it has none."""
    text = page.read_text(encoding="utf-8")
    parts: list[str] = []
    imported: set[tuple[str, str, str | None]] = set()
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match["lang"] == "python":
            source = match["body"]
        elif match["lang"] == "pycon":
            source = _pycon_source(match["body"])
        else:
            continue
        parts.append(
            f"# {page.name}, line {line}\n{_without_imported(source, imported)}"
        )
    if not parts:
        return None
    header = (
        f'"""The examples of {page.relative_to(ROOT)}, joined in order as one program.'
        "\n\nGenerated by scripts/generate.py: edit the page, not this file.\n"
        '"""\n\n'
    )
    return header + "\n".join(parts)


def doc_modules() -> dict[Path, str]:
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    files = {DOC_MODULES / "__init__.py": '"""Generated by scripts/generate.py."""\n'}
    for page in pages:
        module = page_module(page)
        if module is not None:
            name = page.stem.lower().replace("-", "_")
            files[DOC_MODULES / f"{name}_md.py"] = module
    return files


def generated() -> dict[Path, str]:
    """Every derived file's path and the text it should have."""
    files = {SRC / path: lazy_table(*table) for path, table in LAZY.items()}
    files.update({SRC / twin: sync_twin(source) for twin, source in TWINS.items()})
    files.update(doc_modules())
    return files


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print("usage: python scripts/generate.py [--check]", file=sys.stderr)
        return 2
    stale: list[Path] = []
    for path, text in generated().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not check:
            path.write_text(text, encoding="utf-8")
    if check and stale:
        names = ", ".join(map(str, stale))
        print(f"stale: {names}: run python scripts/generate.py", file=sys.stderr)
        return 1
    for path in stale:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
