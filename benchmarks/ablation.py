"""What each question-form mechanism adds: retrieval with and without year scoping and list matching.

    python benchmarks/ablation.py                      # dev set and our extra, intent and held-out sets
    python benchmarks/ablation.py FILE.jsonl ...       # other question sets

Uses the index in .klynge/index (or $KLYNGE_INDEX_DIR). Prints a Markdown table of R@5 / MRR@10 per
language for each combination; the mechanisms are described in qa/intent.py and docs/retrieval.md.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from qa import Searcher
from qa.evaluate import evaluate, load_questions

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT.parent / "shared" / "eval" / "dev_questions.jsonl", ROOT / "eval" / "extra_questions.jsonl",
        ROOT / "eval" / "intent_questions.jsonl", ROOT / "eval" / "heldout_questions.jsonl"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = [f for f in (args.files or SETS) if f.exists()]
    search = importlib.import_module("qa.search")  # the module (qa.search is also a function)
    years, lists = search.YEAR_PRIOR, search.LIST_BOOST
    s = Searcher()
    sets = [(f, load_questions(f)) for f in files]
    print("| mechanisms | " + " | ".join(f"{f.stem} {lang}" for f, qs in sets
                                         for lang in sorted({q.lang for q in qs.questions if q.expected})) + " |")
    print("|---|" + "---|" * sum(len({q.lang for q in qs.questions if q.expected}) for _, qs in sets))
    for name, y, lb in [("neither", 0.0, 0.0), ("years", years, 0.0), ("lists", 0.0, lists), ("both (shipped)", years, lists)]:
        search.YEAR_PRIOR, search.LIST_BOOST = y, lb
        cells = []
        for _, qs in sets:
            rep = evaluate(s, qs)
            for _lang, m in sorted(rep["by_lang"].items()):
                if m.get("recall@5") is not None:
                    cells.append(f"{m['recall@5']:.3f} / {m['mrr@10']:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    search.YEAR_PRIOR, search.LIST_BOOST = years, lists


if __name__ == "__main__":
    main()
