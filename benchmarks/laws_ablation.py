"""What each mechanism adds on the acts: every laws set, each mechanism switched off at query time.

    python benchmarks/laws_ablation.py [--index-dir .klynge/laws] [--only ROW ...] [--write]

The laws counterpart of `benchmarks/ablation.py` (whose rows it reuses, but for the collection's glossary: an
index of acts has none), plus the mechanisms that act only on acts or on the verdict: the territorial, size and
act-scope priors, a named provision put first, and the three time rules of "nothing found". Each row runs
every set of `benchmarks/laws_dev.py` (laws-dev and the held-out sets of the same kind) on the index of all 316
acts and pools them per language: R@5 / MRR@10 / right act at hit 1, answerable answered / unanswerable
declined, and how many questions rose / fell against the shipped configuration (reciprocal rank within the
top 10). ``--write`` puts the table into docs/laws.md ("What each mechanism adds on the acts"). ~2 minutes a
row on two cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ablation import VARIANTS  # noqa: E402  (beside this script)
from engine import pin_question_engine  # noqa: E402  (beside this script)
from laws_compare import Row, reciprocal_rank, rose_fell, rows  # noqa: E402  (beside this script)
from laws_dev import DOC  # noqa: E402  (beside this script)
from markers import write_between  # noqa: E402  (beside this script)

from indexer import Index  # noqa: E402
from qa import DEFAULT_CONFIG, RankingConfig  # noqa: E402

R = dataclasses.replace
_TIME_RULES = R(DEFAULT_CONFIG.confidence, present_time=False, named_years=False, relative_years=False)
LAWS_VARIANTS: list[tuple[str, RankingConfig]] = [
    *((name, config) for name, config, glossary in VARIANTS if glossary),
    ("no territorial prior (acts for Greenland or the Faroe Islands only)", R(DEFAULT_CONFIG, territorial_prior=0.0)),
    ("no size prior", R(DEFAULT_CONFIG, size_prior=0.0)),
    ("no named provision first (qa.legalref)", R(DEFAULT_CONFIG, legal=R(DEFAULT_CONFIG.legal, enabled=False))),
    ("no time rules in \"nothing found\" (present facts, named years, last year)",
     R(DEFAULT_CONFIG, confidence=_TIME_RULES)),
]


def pooled(group: list[Row]) -> str:
    """R@5 / MRR@10 / act@1 | answered / declined of a pool of questions."""
    ans = [r for r in group if r["expected"]]
    unans = [r for r in group if not r["expected"]]
    n, m = max(1, len(ans)), max(1, len(unans))
    return (f"{sum(bool(r['first_relevant_rank'] and r['first_relevant_rank'] <= 5) for r in ans) / n:.3f} / "
            f"{sum(map(reciprocal_rank, ans)) / n:.3f} / {sum(bool(r['doc_ok']) for r in ans) / n:.3f} | "
            f"{sum(r['answered'] for r in ans) / n:.2f} / {sum(not r['answered'] for r in unans) / m:.2f}")


def moved(base: dict[str, Row], alt: dict[str, Row], keys: list[str]) -> str:
    up, down = rose_fell(base, alt, keys)
    return f"{up} / {down}"


def table(index: Index, variants: list[tuple[str, RankingConfig]]) -> str:
    base = rows(index, DEFAULT_CONFIG)
    langs = sorted({r["lang"] for r in base.values()})
    keys = {lang: [k for k, r in base.items() if r["lang"] == lang] for lang in langs}
    sizes = ", ".join(f"{lang} {len(keys[lang])}" for lang in langs)
    head = "| mechanism | " + " | ".join(
        f"{lang} R@5 / MRR / act@1 | {lang} answered / declined | {lang} up / down" for lang in langs) + " |"
    lines = [f"All laws sets pooled per language ({sizes} questions).", "", head, "|---|" + "---|---|---|" * len(langs)]
    lines.append("| shipped | " + " | ".join(f"{pooled([base[k] for k in keys[lang]])} | –" for lang in langs) + " |")
    for name, config in variants:
        alt = rows(index, config)
        cells = [f"{pooled([alt[k] for k in keys[lang]])} | {moved(base, alt, keys[lang])}" for lang in langs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "laws")
    parser.add_argument("--only", action="append", default=[], metavar="ROW",
                        help="run only the rows whose name contains this (repeatable)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/laws.md")
    args = parser.parse_args()
    pin_question_engine()  # the same engine whatever the load (benchmarks/engine.py)
    if not (args.index_dir / "manifest.json").exists():
        raise SystemExit(f"{args.index_dir}: no index; build it with `python benchmarks/laws_dev.py` first")
    variants = [v for v in LAWS_VARIANTS if v[1] is not DEFAULT_CONFIG and (not args.only or any(o in v[0] for o in args.only))]
    text = table(Index.load(args.index_dir), variants)
    print(text)
    if args.write:
        write_between(DOC, "laws ablation", text)


if __name__ == "__main__":
    main()
