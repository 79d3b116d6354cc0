"""Questions as people type them: the laws questions without æ, ø, å and with slips, respelled and not.

    python benchmarks/typed.py [--index-dir .klynge/laws] [--questions FILE] [--seed 0] [--write]

Three versions of each answerable question of a set (default: the shared laws-dev, over the index of all 316
acts that benchmarks/laws_dev.py builds): as written; with æ, ø, å typed "ae", "oe", "aa" (Danish questions);
with one slip in about half of the words of seven letters or more (two letters swapped, one dropped or one
doubled, never the first; seeded, so every run types the same slips); as a terse search string (stopwords,
punctuation and capitals dropped: "weeks maternity leave father get"). Each is searched, its language
detected (``qa.lang``) as a user's question's is, by klynge as it is and with respelling off
(``RankingConfig.spelling``, qa/spelling.py). Per language (the set's): R@5, MRR@10, the right act at hit 1
and the share answered. ``--write`` puts the table into docs/ranking.md (between its ``typed``
markers).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import pin_question_engine  # noqa: E402  (beside this script)
from markers import write_between  # noqa: E402  (beside this script)

from indexer import Index  # noqa: E402
from indexer.store.tokens import STOPWORDS  # noqa: E402
from qa import DEFAULT_CONFIG, Searcher  # noqa: E402
from qa.config import SpellingConfig  # noqa: E402
from qa.evaluate import QuestionSet, evaluate, load_questions  # noqa: E402

LAWS_DEV = ROOT.parent / "shared" / "eval" / "laws-dev" / "questions.jsonl"
DOC = ROOT / "docs" / "ranking.md"
COLUMNS = (("R@5", "recall@5"), ("MRR@10", "mrr@10"), ("act@1", "doc@1"), ("answered", "answered_rate"))
_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def without_danish_letters(text: str) -> str:
    return text.translate(_ASCII)


def with_slips(text: str, rng: random.Random) -> str:
    """One slip (two letters swapped, one dropped or doubled; never the first) in about half the long words."""
    def slip(m: re.Match[str]) -> str:
        w = m.group(0)
        if len(w) < 7 or rng.random() > 0.5:
            return w
        i = rng.randrange(1, len(w) - 2)
        kind = rng.choice(("swap", "drop", "double"))
        if kind == "swap":
            return w[:i] + w[i + 1] + w[i] + w[i + 2:]
        return w[:i] + w[i + 1:] if kind == "drop" else w[:i] + w[i] + w[i:]
    return re.sub(r"[^\W\d_]+", slip, text)


def terse(text: str) -> str:
    """A search string: the question's words without stopwords, punctuation or capitals."""
    return " ".join(w for w in re.findall(r"[^\W_]+", text.lower()) if w not in STOPWORDS)


def versions(qs: QuestionSet, seed: int) -> dict[str, QuestionSet]:
    answerable = [q for q in qs.questions if q.expected]
    rng = random.Random(seed)
    danish = [q for q in answerable if (q.lang or "da") == "da"]
    return {"as written": QuestionSet(answerable),
            "without æ, ø, å": QuestionSet([replace(q, question=without_danish_letters(q.question)) for q in danish]),
            "with slips": QuestionSet([replace(q, question=with_slips(q.question, rng)) for q in answerable]),
            "terse": QuestionSet([replace(q, question=terse(q.question)) for q in answerable])}


def table(rows: list[tuple[str, str, str, int, dict[str, Any]]]) -> str:
    head = ["questions", "respelling", "lang", "n", *(c for c, _ in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for version, system, lang, n, m in rows:
        cells = ["–" if m.get(k) is None else f"{m[k]:.2f}" for _, k in COLUMNS]
        lines.append(f"| {version} | {system} | {lang} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "laws")
    ap.add_argument("--questions", type=Path, default=LAWS_DEV)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", action="store_true", help="write the table into docs/ranking.md")
    args = ap.parse_args()
    pin_question_engine()  # the same engine whatever the load (benchmarks/engine.py)
    index = Index.load(args.index_dir)
    on = Searcher(index).warm_up()
    off = Searcher(index, embedder=on.embedder, config=replace(DEFAULT_CONFIG, spelling=SpellingConfig(enabled=False)))
    rows = []
    for version, qs in versions(load_questions(args.questions), args.seed).items():
        for system, searcher in (("on", on), ("off", off)):
            report = evaluate(searcher, qs)
            for lang, m in report["by_lang"].items():
                n = sum(1 for q in report["questions"] if q["lang"] == lang)
                rows.append((version, system, lang, n, m))
    text = table(rows)
    print(f"{args.questions.name}, {len(index.documents)} documents, {len(index.passages)} passages\n\n{text}")
    if args.write:
        write_between(DOC, "typed", text)


if __name__ == "__main__":
    main()
