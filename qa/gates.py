"""Quality gates: question sets and the metric floors they must reach, read from one TOML file
(``eval/gates.toml``) by ``klynge eval --gates`` and by the tests."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .evaluate import check_fail_under, evaluate, load_questions


@dataclass(frozen=True)
class Gate:
    name: str
    questions: Path
    fail_under: tuple[str, ...]
    index: Path | None = None  # the index the questions are about; None: the index being checked


@dataclass(frozen=True)
class GateResult:
    """A gate's question set evaluated: the report (as ``klynge eval --json`` prints it) and the floors missed."""

    gate: Gate
    report: dict[str, Any]
    failures: tuple[str, ...]


def load_gates(path: str | Path) -> list[Gate]:
    """The gates of ``path``; question-set paths are relative to the file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"--gates {path} does not exist") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"--gates {path} is not valid TOML ({exc})") from exc
    gates = []
    for name, table in data.items():
        if not isinstance(table, dict) or not isinstance(table.get("questions"), str):
            raise UsageError(f"--gates {path}: [{name}] needs questions = \"FILE.jsonl\" and fail_under = [...]")
        floors = table.get("fail_under", [])
        if not isinstance(floors, list) or not all(isinstance(x, str) for x in floors):
            raise UsageError(f"--gates {path}: [{name}] fail_under must be a list like [\"recall@5=0.95\"]")
        index = table.get("index")
        gates.append(Gate(name, (path.parent / table["questions"]).resolve(), tuple(floors),
                          (path.parent / index).resolve() if isinstance(index, str) else None))
    return gates


def check_gates(searcher: Any, gates: list[Gate], k: int = 10) -> list[GateResult]:
    """Evaluate each gate's question set against ``searcher`` or, for a gate that names its own index,
    against that one, asked with ``searcher``'s embedder (its question engine) and settings where the index
    has the same model."""
    from indexer import Index

    from .search import Searcher

    own: dict[Path, Any] = {}
    out = []
    for g in gates:
        s = searcher
        if g.index is not None:
            if g.index not in own:  # the same model embeds its questions the same way (and is loaded once)
                index = Index.load(g.index)
                if searcher is None:
                    own[g.index] = Searcher(index)
                else:
                    same = index.manifest.get("embedder_key") == searcher.embedder.key
                    own[g.index] = Searcher(index, searcher.embedder if same else None, searcher.config)
            s = own[g.index]
        report = evaluate(s, load_questions(g.questions), k=k)
        out.append(GateResult(g, report, tuple(check_fail_under(report, g.fail_under))))
    return out
