"""The layout keeps its promises: rag's imports form no cycle, front ends use only the public API,
`import rag` stays light, and every public name resolves.

Imports are read with ast, at module level and inside functions alike (a cycle through a lazy
import is still a cycle); only those under `if TYPE_CHECKING:` are left out, as they never run."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import rag

from .conftest import ROOT

HEAVY = ("tantivy", "chromadb", "onnxruntime")
FRONT_ENDS = [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "views").glob("*.py"))]
ALLOWED_FOR_FRONT_ENDS = ("rag", "rag.types")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rag_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / "rag").rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(nodes: list[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in `nodes` and below, the bodies of `if TYPE_CHECKING:` excepted."""
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _import_nodes(list(node.orelse))
        else:
            yield from _import_nodes(list(ast.iter_child_nodes(node)))


def imports_in(source: str, module: str, is_package: bool, known: set[str]) -> Iterator[tuple[str, int]]:
    """(module, line) for each import in `source`; `from pkg import name` is pkg.name when that
    is a module, else pkg; relative imports are resolved against the module's package."""
    package = module if is_package else module.rpartition(".")[0]
    for node in _import_nodes([ast.parse(source)]):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            yield (full if full in known else base), node.lineno


def imported_modules(path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    source = path.read_text(encoding="utf-8")
    return imports_in(source, module_name(path), path.name == "__init__.py", known)


def import_graph() -> dict[str, set[str]]:
    modules = rag_modules()
    known = set(modules)
    return {
        name: {target for target, _ in imported_modules(path, known) if target in known and target != name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


CYCLE_CASES = [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
    ({"a": {"b", "c"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}, ["b", "c", "d", "b"]),
    ({"a": {"a"}}, ["a", "a"]),
]


@pytest.mark.parametrize(("graph", "cycle"), CYCLE_CASES, ids=["chain", "pair", "behind-a-diamond", "self"])
def test_find_cycle(graph: dict[str, set[str]], cycle: list[str] | None) -> None:
    assert find_cycle(graph) == cycle


def test_the_import_reader_resolves_packages_relative_imports_and_skips_type_checking() -> None:
    source = (
        "from typing import TYPE_CHECKING\nimport rag.text.dates\nfrom rag.index import chroma\n"
        "from rag.types import Draft\nfrom . import filters\nfrom ..drafting import citations\n"
        "if TYPE_CHECKING:\n    from rag.assistant import Assistant\nelse:\n    import rag.cli\n"
        "def late():\n    from rag.ingest.pipeline import ingest\n"
    )
    found = [m for m, _ in imports_in(source, "rag.retrieval.example", False, set(rag_modules()))]
    assert found == [
        "typing",
        "rag.text.dates",
        "rag.index.chroma",
        "rag.types",
        "rag.retrieval.filters",
        "rag.drafting.citations",
        "rag.cli",
        "rag.ingest.pipeline",
    ]
    assert [m for m, _ in imports_in("from . import hybrid", "rag.retrieval", True, set(rag_modules()))] == [
        "rag.retrieval.hybrid"
    ]


def test_rag_imports_have_no_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 40 and graph["rag.assistant"], "the import reader found nothing"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle among rag modules: " + " -> ".join(cycle or [])


def test_front_ends_import_only_the_public_api_and_types() -> None:
    known = set(rag_modules())
    bad = sorted(
        {
            f"{path.relative_to(ROOT)}:{line} imports {target}"
            for path in FRONT_ENDS
            for target, line in imported_modules(path, known)
            if target.split(".")[0] == "rag" and target not in ALLOWED_FOR_FRONT_ENDS
        }
    )
    assert len(FRONT_ENDS) > 5
    assert not bad, "front ends use `rag` (rag/__init__.py) and `rag.types` only:\n" + "\n".join(bad)


@pytest.mark.parametrize("statement", ["import rag.types", "import rag", "import rag.settings, rag.errors"])
def test_importing_the_api_loads_no_heavy_library(statement: str) -> None:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(set(sys.modules) & {set(HEAVY)!r})))"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_every_public_name_resolves() -> None:
    assert len(rag.__all__) == len(set(rag.__all__))
    for name in rag.__all__:
        assert getattr(rag, name) is not None, name
    with pytest.raises(AttributeError):
        _ = rag.no_such_name  # type: ignore[attr-defined]
