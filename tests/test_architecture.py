"""The import graph stays one-way: no circles, and no import that runs back up a floor.

Floors, top to bottom: ``cli`` → the front ends (``ui``, ``api``, ``eval``, peers that do not
import each other) → ``rag`` (``knowledge_base`` → ``answering`` → ``index`` → ``ingest`` →
``documents``) → ``embeddings``. The front ends see ``rag`` only through the public surfaces
of its packages (their ``__init__``). Every import counts, also those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cli", "ui", "api", "eval", "rag", "embeddings")

FRONT_ENDS = ("cli", "ui", "api", "eval")
PUBLIC = {"rag", "rag.answering", "rag.index", "rag.ingest", "rag.serving", "embeddings"}

# What each part of the core may import (besides itself); a part is the longest prefix here.
ALLOWED = {
    "cli": {"ui", "api", "eval"},
    "ui": set(),
    "api": set(),
    "eval": set(),
    "rag": {"rag.knowledge_base", "rag.serving", "rag.answering", "rag.index", "rag.ingest",
            "rag.documents", "embeddings"},
    "rag.serving": {"rag.knowledge_base", "rag.answering", "rag.index", "rag.ingest",
                    "rag.documents", "embeddings"},
    "rag.knowledge_base": {"rag.answering", "rag.index", "rag.ingest", "rag.documents",
                           "embeddings"},
    "rag.answering": {"rag.index", "rag.ingest", "rag.documents", "embeddings"},
    "rag.index": {"rag.ingest", "rag.documents", "embeddings"},
    "rag.ingest": {"rag.documents"},
    "rag.documents": set(),
    "embeddings": set(),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exported(module: str) -> set[str]:
    """Names a package's ``__init__`` lists in ``__all__`` (they shadow same-named modules)."""
    init = ROOT.joinpath(*module.split("."), "__init__.py")
    if not init.exists():
        return set()
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            return set(ast.literal_eval(node.value))
    return set()


def _imports(path: Path) -> set[str]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names
                      if alias.name not in _exported(base)}
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module_name(p): p for p in files}
    graph = {}
    for name, path in modules.items():
        # "from rag.index import store" names a module; "from rag.index.store import X" a name
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


def _part(module: str) -> str:
    return max((p for p in ALLOWED if module == p or module.startswith(p + ".")), key=len)


def _may_import(importer: str, imported: str) -> bool:
    here, there = _part(importer), _part(imported)
    if here == there or there in ALLOWED[here]:
        return True
    return here in FRONT_ENDS and imported in PUBLIC


def test_no_import_runs_up_a_floor() -> None:
    wrong = [f"{a} imports {b}" for a, targets in _graph().items() for b in targets
             if not _may_import(a, b)]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_circles() -> None:
    graph = _graph()
    circles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                circles.append(" → ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not circles, "\n".join(circles)


def test_the_graph_sees_real_imports() -> None:
    """Guard against a checker that passes because it parsed nothing."""
    graph = _graph()
    assert "rag.index.store" in graph["rag.index.retrieval"]
    assert "rag.knowledge_base" in graph["rag"]
    assert len(graph) > 40
