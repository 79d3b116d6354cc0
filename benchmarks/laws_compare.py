"""A change to the configuration against the shipped one, question by question, over every laws set.

    python benchmarks/laws_compare.py scope_prior=1.0 [confidence.present_time=false ...] [--index-dir .klynge/laws]

Runs each set of `benchmarks/laws_dev.py` (laws-dev and the project's held-out sets of the same kind) on the
index of all 316 acts twice: with :data:`qa.DEFAULT_CONFIG` and with the given fields changed (a field of
:class:`qa.RankingConfig`, or of one of its parts as ``part.field``). Prints per set and language R@1 / R@5 /
MRR@10 / right act at hit 1 / answered / declined for both, then per language over all sets pooled: the
same figures and how many questions rose or fell (reciprocal rank), found or lost their act at hit 1, or
changed verdict. One set moving against the others is what the pooled counts alone hide, and a gain of a
question or two is inside what another set of the same kind would read differently (docs/laws.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import pin_question_engine  # noqa: E402  (beside this script)
from laws_dev import SETS  # noqa: E402  (beside this script: the same sets as the laws table)

from indexer import Index  # noqa: E402
from qa import DEFAULT_CONFIG, RankingConfig, Searcher  # noqa: E402
from qa.evaluate import evaluate, load_questions  # noqa: E402

Row = dict[str, Any]


def _value(text: str, current: Any) -> Any:
    if isinstance(current, bool):
        if text.lower() not in ("true", "false", "1", "0"):
            raise SystemExit(f"'{text}' is not true or false")
        return text.lower() in ("true", "1")
    try:
        return type(current)(text)
    except (TypeError, ValueError):
        raise SystemExit(f"'{text}' is not a {type(current).__name__}") from None


def changed(config: RankingConfig, assignments: list[str]) -> RankingConfig:
    """``config`` with each ``field=value`` (or ``part.field=value``) of ``assignments`` set."""
    for item in assignments:
        key, _, text = item.partition("=")
        part, _, name = key.rpartition(".")
        owner = getattr(config, part) if part else config
        if not text or not dataclasses.is_dataclass(owner) or name not in {f.name for f in dataclasses.fields(owner)}:
            raise SystemExit(f"'{item}' is not FIELD=VALUE for a field of RankingConfig (or PART.FIELD=VALUE)")
        new: Any = dataclasses.replace(owner, **{name: _value(text, getattr(owner, name))})  # type: ignore[type-var]
        config = dataclasses.replace(config, **{part: new}) if part else new
    return config


def rows(index: Index, config: RankingConfig) -> dict[str, Row]:
    """Every question of every set, by "set:id", as `klynge eval` reports it."""
    searcher = Searcher(index, config=config).warm_up()
    out: dict[str, Row] = {}
    for name, path in SETS.items():
        if path.exists():
            out |= {f"{name}:{r['id']}": r | {"set": name} for r in evaluate(searcher, load_questions(path))["questions"]}
    return out


def reciprocal_rank(row: Row) -> float:
    rank = row["first_relevant_rank"]
    return 1.0 / rank if rank and rank <= 10 else 0.0


def rose_fell(base: dict[str, Row], alt: dict[str, Row], keys: list[str]) -> tuple[int, int]:
    """How many answerable questions of ``keys`` rose and how many fell (reciprocal rank) from ``base`` to ``alt``."""
    ranked = [k for k in keys if base[k]["expected"]]
    return (sum(reciprocal_rank(alt[k]) > reciprocal_rank(base[k]) for k in ranked),
            sum(reciprocal_rank(alt[k]) < reciprocal_rank(base[k]) for k in ranked))


def _share(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):.2f}" if flags else "–"


def figures(group: list[Row]) -> str:
    answerable = [r for r in group if r["expected"]]
    unanswerable = [r for r in group if not r["expected"]]
    n = max(1, len(answerable))
    return (f"{sum(r['first_relevant_rank'] == 1 for r in answerable) / n:.2f} / "
            f"{sum(bool(r['first_relevant_rank'] and r['first_relevant_rank'] <= 5) for r in answerable) / n:.2f} / "
            f"{sum(map(reciprocal_rank, answerable)) / n:.3f} / {sum(bool(r['doc_ok']) for r in answerable) / n:.2f} | "
            f"{_share([r['answered'] for r in answerable])} | {_share([not r['answered'] for r in unanswerable])}")


def report(base: dict[str, Row], alt: dict[str, Row]) -> None:
    print("| set | lang | n | shipped R@1 / R@5 / MRR / act@1 | answered | declined "
          "| changed R@1 / R@5 / MRR / act@1 | answered | declined |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups = sorted({(r["set"], r["lang"]) for r in base.values()}, key=lambda g: (list(SETS).index(g[0]), g[1]))
    for name, lang in [*groups, *(("all", lang) for lang in sorted({r["lang"] for r in base.values()}))]:
        keys = [k for k, r in base.items() if r["lang"] == lang and name in ("all", r["set"])]
        print(f"| {name} | {lang} | {len(keys)} | {figures([base[k] for k in keys])} | "
              f"{figures([alt[k] for k in keys])} |")
    for lang in sorted({r["lang"] for r in base.values()}):
        keys = [k for k, r in base.items() if r["lang"] == lang]
        ranked = [k for k in keys if base[k]["expected"]]
        up, down = rose_fell(base, alt, keys)
        found = sum(bool(alt[k]["doc_ok"]) > bool(base[k]["doc_ok"]) for k in ranked)
        lost = sum(bool(alt[k]["doc_ok"]) < bool(base[k]["doc_ok"]) for k in ranked)
        flips = sum(alt[k]["answered"] != base[k]["answered"] for k in keys)
        print(f"\n{lang}: {up} questions rose, {down} fell; right act at hit 1 found for {found}, lost for {lost}; "
              f"{flips} verdicts changed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    parser.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "laws")
    args = parser.parse_args()
    pin_question_engine()  # the same engine whatever the load (benchmarks/engine.py)
    config = changed(DEFAULT_CONFIG, args.assignments)
    if not (args.index_dir / "manifest.json").exists():
        raise SystemExit(f"{args.index_dir}: no index; build it with `python benchmarks/laws_dev.py` first")
    index = Index.load(args.index_dir)
    report(rows(index, DEFAULT_CONFIG), rows(index, config))


if __name__ == "__main__":
    main()
