"""Which first-party module imports which: no cycles, production code never imports
``fakes`` (only the offline demo runs it), and nothing shipped imports the test-only
support under ``tests/`` (the bot in a child process, its crash points).

The graph is read with ``ast`` from every file of ``hoidap``, ``bot``, ``handlers``,
``questions``, ``fakes`` and ``scheduler.py``. Imports inside functions count (a lazy import
that dodges a cycle at import time is still a cycle in the design); imports under
``if TYPE_CHECKING:`` do not.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hoidap", "bot", "handlers", "questions", "fakes")
# The offline demo drives the fake Bot API server by design.
MAY_IMPORT_TESTING = frozenset({"hoidap.demo"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    files.append(ROOT / "scheduler.py")
    return {_module_name(p): p for p in files}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(
    source: str, module: str, is_package: bool, submodules: Collection[str] = ()
) -> set[str]:
    """Every dotted name ``module`` imports (``from a import b`` gives ``a`` and ``a.b``, or
    only ``a.b`` when it is one of ``submodules``: ``a`` is then imported as its parent, which
    every import of ``a.x`` initialises and which is not counted for ``import a.x`` either)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                found.add(f"{target}.{alias.name}")
                if f"{target}.{alias.name}" not in submodules:
                    found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def import_graph() -> dict[str, set[str]]:
    """First-party module → the first-party modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        names = imported_names(source, name, path.name == "__init__.py", modules.keys())
        graph[name] = {n for n in names if n in modules and n != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(found)


def _describe(graph: dict[str, set[str]], component: list[str]) -> str:
    inside = set(component)
    edges = [f"  {a} -> {', '.join(sorted(graph[a] & inside))}" for a in component]
    return "\n".join([" ↔ ".join(component), *edges])


def test_the_graph_sees_lazy_imports_and_skips_type_checking_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from bot import models\n"
        "if TYPE_CHECKING:\n    from bot.store import Store\n"
        "def f():\n    from bot.services.archive import shorten\n    import handlers.common\n"
        "from .words import X\n"
    )
    names = imported_names(source, "bot.services.cycle", is_package=False)
    assert {"bot.models", "bot.services.archive", "handlers.common"} <= names
    assert "bot.services.words" in names
    assert "bot.store" not in names


def test_cycles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 50
    assert "bot.services.concluded" in graph["bot.services.cycle"]
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(_describe(graph, c) for c in found)


def test_production_code_never_imports_the_fakes() -> None:
    graph = import_graph()
    offenders = {
        module: sorted(n for n in imported if n == "fakes" or n.startswith("fakes."))
        for module, imported in graph.items()
        if not (module == "fakes" or module.startswith("fakes."))
        and module not in MAY_IMPORT_TESTING
    }
    offenders = {m: names for m, names in offenders.items() if names}
    assert not offenders, f"production modules importing fakes: {offenders}"
    assert any(n.startswith("fakes") for n in graph["hoidap.demo"])  # the graph sees them


def test_nothing_shipped_imports_the_tests() -> None:
    offenders: dict[str, list[str]] = {}
    for name, path in _modules().items():
        source = path.read_text(encoding="utf-8")
        names = imported_names(source, name, path.name == "__init__.py")
        found = sorted(n for n in names if n == "tests" or n.startswith("tests."))
        if found:
            offenders[name] = found
    assert not offenders, f"shipped modules importing tests: {offenders}"
    # The same reading sees the crash support imported where it is: in the tests' child.
    child = ROOT / "tests" / "support" / "child.py"
    assert "tests.support.crash" in imported_names(
        child.read_text(encoding="utf-8"), "tests.support.child", is_package=False
    )


# Where python-telegram-bot may be imported: the Telegram adapter of the transport port, and
# the composition root and entry point that build PTB's Application (and the test harness and
# fake server, which drive it). Nothing else knows which channel a person uses.
MAY_IMPORT_TELEGRAM = frozenset(
    {"bot.transport.telegram", "hoidap.app", "hoidap.cli", "fakes.harness"}
)


def _third_party(path: Path, name: str) -> set[str]:
    source = path.read_text(encoding="utf-8")
    return imported_names(source, name, path.name == "__init__.py")


def test_only_the_telegram_adapter_knows_telegram() -> None:
    offenders = {}
    for name, path in _modules().items():
        if name in MAY_IMPORT_TELEGRAM or name.startswith("fakes.fakebotapi"):
            continue
        found = sorted(n for n in _third_party(path, name) if n.split(".")[0] == "telegram")
        if found:
            offenders[name] = found
    assert not offenders, f"modules importing telegram: {offenders}"
    # The check sees the adapter's imports (it is not vacuous).
    adapter = ROOT / "bot" / "transport" / "telegram.py"
    assert "telegram.ext" in _third_party(adapter, "bot.transport.telegram")


def test_the_zalo_side_imports_nothing_of_telegram() -> None:
    for path in sorted((ROOT / "bot" / "transport").glob("zalo*.py")):
        name = _module_name(path)
        assert not [n for n in _third_party(path, name) if n.split(".")[0] == "telegram"], name
        assert "bot.transport.telegram" not in _third_party(path, name), name


# The layers, inner to outer: ``bot`` (domain, services, store, transport adapters) knows no
# handler and no composition root; ``handlers`` know the services but not the root; ``hoidap``
# composes them all. ``questions`` (file parsing) sits beside ``bot`` and knows no handler.
LAYERS_BELOW = {
    "bot": ("handlers", "hoidap", "fakes"),
    "questions": ("handlers", "hoidap", "fakes"),
    "handlers": ("hoidap", "fakes"),
    "scheduler": ("handlers", "hoidap", "fakes"),
}


def test_inner_layers_never_import_outer_ones() -> None:
    graph = import_graph()
    offenders: dict[str, list[str]] = {}
    for module, imported in graph.items():
        forbidden = LAYERS_BELOW.get(module.split(".")[0], ())
        found = sorted(n for n in imported if n.split(".")[0] in forbidden)
        if found:
            offenders[module] = found
    assert not offenders, f"inner modules importing outer layers: {offenders}"
    # The graph sees the composition root's imports of every layer (the rule is not vacuous).
    roots = {n.split(".")[0] for n in graph["hoidap.app"]}
    assert {"bot", "handlers"} <= roots
