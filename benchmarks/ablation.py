"""What each question-form mechanism adds: retrieval with and without year scoping and list matching.

    python benchmarks/ablation.py                      # dev set and our extra, intent and held-out sets
    python benchmarks/ablation.py FILE.jsonl ...       # other question sets

Uses the index in .klynge/index (or $KLYNGE_INDEX_DIR). Prints a Markdown table of R@5 / MRR@10 per
language for each combination; the mechanisms are described in qa/intent.py and docs/retrieval.md.
Each combination is a :class:`qa.RankingConfig` built from the shipped one.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from indexer import Index
from qa import DEFAULT_CONFIG, Searcher
from qa.evaluate import evaluate, load_questions

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT.parent / "shared" / "eval" / "dev_questions.jsonl", ROOT / "eval" / "extra_questions.jsonl",
        ROOT / "eval" / "intent_questions.jsonl", ROOT / "eval" / "heldout_questions.jsonl"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = [f for f in (args.files or SETS) if f.exists()]
    base = DEFAULT_CONFIG
    configs = [("neither", replace(base, year_prior=0.0, list_boost=0.0)), ("years", replace(base, list_boost=0.0)),
               ("lists", replace(base, year_prior=0.0)), ("both (shipped)", base)]
    index = Index.load()
    searchers = {name: Searcher(index, config=cfg) for name, cfg in configs}
    sets = [(f, load_questions(f)) for f in files]
    print("| mechanisms | " + " | ".join(f"{f.stem} {lang}" for f, qs in sets
                                         for lang in sorted({q.lang for q in qs.questions if q.expected})) + " |")
    print("|---|" + "---|" * sum(len({q.lang for q in qs.questions if q.expected}) for _, qs in sets))
    for name, _cfg in configs:
        cells = []
        for _, qs in sets:
            rep = evaluate(searchers[name], qs)
            for _lang, m in sorted(rep["by_lang"].items()):
                if m.get("recall@5") is not None:
                    cells.append(f"{m['recall@5']:.3f} / {m['mrr@10']:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
