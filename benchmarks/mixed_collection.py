"""The acts and the shipped policy texts in one collection, against each in a collection of its own.

    python benchmarks/mixed_collection.py [--laws-index .klynge/laws] [--shipped-index .klynge/index] [--write]

A municipality that adds its own documents to the laws (or the laws to the shipped texts) searches one
collection of both kinds. This copies the index of all 316 acts and their folder into a temporary directory,
puts the five shipped texts beside them with their metadata and the shipped collection's settings (its
glossary), and updates the copy with `klynge index` (only the shipped texts' passages are embedded; the acts'
vectors are reused: ~2 minutes). It then runs the shipped question sets and the laws sets of the table in
docs/laws.md on the collection of their own and on the mixed one, once more on the mixed one without the
glossary and (the shipped sets) with every search limited to the shipped texts, and prints R@5 / MRR@10 /
act@1 / answered / declined per set and language. ``--write`` puts the table into docs/laws.md (between its
``mixed-collection`` markers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from engine import pin_question_engine  # noqa: E402
from markers import write_between  # noqa: E402
from quote_lookup import cpu  # noqa: E402

from indexer import Index, corpus_of  # noqa: E402
from qa import Filters, Searcher  # noqa: E402
from qa.evaluate import evaluate, load_questions  # noqa: E402

SHIPPED_SETS = {"shipped dev": ROOT.parent / "shared" / "eval" / "dev_questions.jsonl",
                "shipped extra": ROOT / "eval" / "extra_questions.jsonl",
                "shipped held-out": ROOT / "eval" / "heldout_questions.jsonl",
                "shipped unanswerable": ROOT / "eval" / "unanswerable_policy.jsonl"}
LAWS_SETS = {"laws-dev": ROOT.parent / "shared" / "eval" / "laws-dev" / "questions.jsonl",
             "laws-everyday": ROOT / "eval" / "laws_everyday.jsonl"}
SHIPPED_FILES = ("collection.toml", "documents.toml", "glossary_en_da.tsv")


def mixed_copy(laws_index: Path, work: Path) -> Path:
    """An index of the acts and the shipped texts in ``work``, updated from a copy of ``laws_index``."""
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(corpus_of(laws_index), corpus)
    shutil.copytree(laws_index, index)
    for f in (ROOT / "corpus").iterdir():
        if f.suffix in (".pdf", ".txt") or f.name in SHIPPED_FILES:
            shutil.copy(f, corpus / f.name)
    # the shipped settings name its development questions by a path relative to its own folder
    settings = (corpus / "collection.toml").read_text(encoding="utf-8")
    (corpus / "collection.toml").write_text("\n".join(line for line in settings.splitlines()
                                                      if not line.startswith("questions")), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus), "--index-dir", str(index)],
                   cwd=ROOT, check=True)
    return index


def without_glossary(index: Index) -> Index:
    """The same index with a collection that has no glossary (English questions through the general dictionary)."""
    from dataclasses import replace
    return replace(index, collection=replace(index.collection, glossary={}))


def measure(index: Index, sets: dict[str, Path], within: tuple[str, ...] = ()) -> dict[tuple[str, str], dict[str, Any]]:
    searcher = Searcher(index).warm_up()
    filters = Filters(doc_ids=within)  # `klynge eval --doc`, the app's document filter
    out = {}
    for name, path in sets.items():
        for lang, m in evaluate(searcher, load_questions(path), filters=filters)["by_lang"].items():
            out[(name, lang)] = m
    return out


def _cell(m: dict[str, Any], key: str) -> str:
    v = m.get(key)
    return "" if v is None else f"{v:.2f}" if key != "mrr@10" else f"{v:.3f}"


def table(runs: dict[str, dict[tuple[str, str], dict[str, Any]]]) -> str:
    keys = ("recall@5", "mrr@10", "doc@1", "answered_rate", "no_answer_accuracy")
    lines = ["| set | lang | collection | R@5 | MRR@10 | act@1 | answered | declined |", "|---|---|---|---|---|---|---|---|"]
    first = next(iter(runs.values()))
    for (name, lang) in first:
        for label, rows in runs.items():
            if (name, lang) in rows:
                m = rows[(name, lang)]
                lines.append(f"| {name} | {lang} | {label} | " + " | ".join(_cell(m, k) for k in keys) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--laws-index", type=Path, default=ROOT / ".klynge" / "laws")
    ap.add_argument("--shipped-index", type=Path, default=ROOT / ".klynge" / "index")
    ap.add_argument("--write", action="store_true", help="put the table into docs/laws.md")
    args = ap.parse_args()
    pin_question_engine()
    sets = SHIPPED_SETS | LAWS_SETS
    with tempfile.TemporaryDirectory(prefix="klynge-mixed-") as tmp:
        mixed = Index.load(mixed_copy(args.laws_index, Path(tmp)))
        n_docs, n_passages = len(mixed.documents), len(mixed.passages)
        shipped = Index.load(args.shipped_index)  # its document ids are the same in the mixed collection (file names)
        runs = {"own": measure(shipped, SHIPPED_SETS) | measure(Index.load(args.laws_index), LAWS_SETS),
                "mixed": measure(mixed, sets), "mixed, no glossary": measure(without_glossary(mixed), sets),
                "mixed, limited to the shipped texts": measure(mixed, SHIPPED_SETS, tuple(shipped.documents))}
    head = (f"{n_docs} documents, {n_passages:,} passages (316 acts and the 5 shipped texts with their glossary); "
            f"own: the shipped texts' index and the acts' index; {cpu()}, {os.cpu_count()} cores, questions embedded "
            f"by the {pin_question_engine()} engine\n\n")
    text = head + table(runs)
    print(text)
    if args.write:
        write_between(ROOT / "docs" / "laws.md", "mixed-collection", text)


if __name__ == "__main__":
    main()
