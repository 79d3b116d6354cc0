"""The floor plan, checked: layers import only downwards (indexer ← qa ← the app), and no module imports
itself back through others (no cycle anywhere in the tree, lazy imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGES = ("indexer", "qa", "klynge_ui")
LAYER = {"indexer": 0, "qa": 1, "klynge_ui": 2, "ui": 2}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")] + [ROOT / "ui.py"]
    return {_module_name(p): p for p in files if p.exists()}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that ``name`` imports (``from a import b`` counts ``a.b`` when it is a module)."""
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join([*pkg, base] if base else pkg)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # "indexer.reading.split.Passage" -> "indexer.reading.split"
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {m: _imports(m, p, known) for m, p in mods.items()}


def test_layers_import_only_downwards() -> None:
    wrong = [(a, b) for a, deps in _graph().items() for b in deps
             if LAYER[b.split(".")[0]] > LAYER[a.split(".")[0]]]
    assert wrong == []  # e.g. ("qa.cli", "ui"): the CLI reaches the app through an entry point instead


def test_no_import_cycle() -> None:
    graph = _graph()
    # a package's __init__ gathers its modules' names for users: the edges from a package to its own
    # modules are not a cycle risk (the modules never import their package's __init__ back)
    edges = {a: {b for b in deps if not b.startswith(a + ".")} for a, deps in graph.items()}
    cycles = _cycles(edges)
    assert cycles == []


def test_the_checker_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_reading_fingerprint_covers_every_file_of_the_package(tmp_path: Path) -> None:
    import shutil

    from indexer.reading import fingerprint
    from indexer.reading.fingerprint import PACKAGE

    copy = tmp_path / "reading"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    base = fingerprint(copy)
    assert base == fingerprint(PACKAGE)
    files = sorted(copy.rglob("*.py"))
    assert {"legal.py", "split.py", "clean.py", "read.py", "pdf.py"} <= {f.name for f in files}
    for f in files:  # one changed byte anywhere under the package gives another fingerprint
        text = f.read_bytes()
        f.write_bytes(text + b"\n")
        assert fingerprint(copy) != base, f.relative_to(copy)
        f.write_bytes(text)
    assert fingerprint(copy) == base
    (copy / "readers" / "odt.py").write_text("# a new reader\n", encoding="utf-8")  # a new module too
    assert fingerprint(copy) != base


def test_an_index_records_the_reading_fingerprint(mini_index: Path) -> None:
    import json

    from indexer.reading import fingerprint

    assert json.loads((mini_index / "manifest.json").read_text(encoding="utf-8"))["pipeline"] == fingerprint()


def test_modules_and_functions_stay_readable_in_one_sitting() -> None:
    long_modules, long_functions = [], []
    for name, path in _modules().items():
        src = path.read_text(encoding="utf-8")
        if src.count("\n") > 400:
            long_modules.append(name)
        long_functions += [f"{name}.{n.name}" for n in ast.walk(ast.parse(src))
                           if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                           and (n.end_lineno or n.lineno) - n.lineno + 1 > 80]
    assert (long_modules, long_functions) == ([], [])
