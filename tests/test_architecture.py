"""The package's shape, read from its imports with `ast` (every import counts: module level,
inside functions, and under `if TYPE_CHECKING:`):
- no cycle between packages (`harvest`, `transport`, ..., and the top-level modules);
- no cycle between modules, but the few listed below, which may only shrink;
- the framework-free packages import neither Scrapy nor Twisted;
- the crawler never imports the sandbox (it talks to it over HTTP only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "offres_crawler"
FRAMEWORK_FREE = ("harvest", "offers", "snapshot", "analysis", "client")
FRAMEWORKS = ("scrapy", "twisted")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(name: str) -> Iterator[str]:
    """Every module `name` imports (absolute names; `from x import y` also yields x.y when y is
    a module)."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


@cache
def module_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m in imported(name) if m in known and m != name} for name in known}


def package_of(name: str) -> str:
    return ".".join(name.split(".")[:2])


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, targets in module_graph().items():
        graph.setdefault(package_of(name), set()).update(
            package_of(t) for t in targets if package_of(t) != package_of(name))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert cycles(graph) == [{"a", "b", "c"}]
    assert "offres_crawler.harvest.verdict" in module_graph()["offres_crawler.run_context"]


def test_no_cycle_between_packages():
    assert cycles(package_graph()) == []


def test_no_cycle_between_modules_type_checking_imports_included():
    assert [sorted(c) for c in cycles(module_graph())] == []


def test_framework_free_packages_import_no_framework():
    offending = sorted(
        f"{name} imports {target}"
        for name in modules() if name.split(".")[1:2] and name.split(".")[1] in FRAMEWORK_FREE
        for target in imported(name) if target.split(".")[0] in FRAMEWORKS)
    assert offending == []


def test_the_crawler_never_imports_the_sandbox():
    offending = sorted(f"{name} imports {target}" for name, targets in module_graph().items()
                       if not name.startswith("offres_crawler.sandbox")
                       for target in targets if target.startswith("offres_crawler.sandbox"))
    assert offending == []


def test_the_python_client_loads_neither_scrapy_nor_twisted():
    """A notebook that imports the client does not pay for (or depend on) the crawler's framework."""
    code = ("import sys, offres_crawler.client; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
def test_snapshot_imports_only_what_its_docstring_allows():
    """snapshot/ (history included) reads offers, files and the harvest's date rules; of the
    analysis, only history/ may use the pure salary and place functions (its records carry the
    fields analysts group by), and nothing in snapshot/ reaches the report or the readers."""
    allowed = ("offres_crawler.snapshot", "offres_crawler.offers", "offres_crawler.files",
               "offres_crawler.harvest.dates", "offres_crawler.harvest.heads")
    history_too = tuple(f"offres_crawler.analysis.{m}" for m in ("salary", "salary_text", "smic", "places"))
    offending = sorted(
        f"{name} imports {target}"
        for name, targets in module_graph().items() if name.startswith("offres_crawler.snapshot")
        for target in targets
        if not target.startswith(allowed + (history_too if name.startswith("offres_crawler.snapshot.history") else ()))
        and target != "offres_crawler")
    assert offending == []
    assert "offres_crawler.analysis.places" in module_graph()["offres_crawler.snapshot.history.records"]
