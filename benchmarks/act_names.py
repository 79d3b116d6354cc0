"""Which act a § question's act name finds (qa/legalref.py), over the whole laws collection.

    python benchmarks/act_names.py [--index-dir .klynge/laws] [--verbose]

Each line of eval/act_names.tsv is a name of one of the 316 acts as people write it, Danish ("serviceloven",
"kommunalvalgloven") or English ("Public Administration Act", "the Act on Social Services"), with the act it
names, or "-" for a name of an act the collection does not hold (right: none is picked). Each is asked as a §
question ("Hvad står der i serviceloven § 5?", "What does section 5 of the Social Services Act say?") and the
act the lookup picks is compared with it: right, wrong (a wrong § would be shown as the answer), or none (the
question is searched as any other). Prints the counts per language and per way the
names were written (docs/legal.md quotes them).
"""

from __future__ import annotations

import argparse
import itertools
import string
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.acronyms import spells  # noqa: E402
from qa.legalref import name_words, parse  # noqa: E402
from qa.service import load_searcher  # noqa: E402

NAMES = ROOT / "eval" / "act_names.tsv"


def question(lang: str, name: str) -> str:
    return f"Hvad står der i {name}s § 5?" if lang == "da" else f"What does section 5 of the {name} say?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", default=str(ROOT / ".klynge" / "laws"), help="an index of the 316 acts")
    ap.add_argument("--verbose", action="store_true", help="print every name that is not found right")
    ap.add_argument("--spelling", action="store_true",
                    help="also count the three-letter strings that spell exactly one act's name (about a minute)")
    args = ap.parse_args()
    legal = load_searcher(args.index_dir, shared=False).legal
    counts: Counter[tuple[str, str, str]] = Counter()
    for line in NAMES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, name, want, written = line.split("\t")
        ref = parse(question(lang, name), legal.english)
        doc = legal.act_for(ref) if ref is not None else None
        if want == "-":  # an act the collection lacks: any act picked is a wrong § shown as the answer
            verdict = "right" if doc is None else "wrong"
        else:
            verdict = "none" if doc is None else "right" if doc.doc_id == want else "wrong"
        counts[(lang, written, verdict)] += 1
        if args.verbose and verdict != "right":
            print(f"{verdict:5s} {lang} {name!r}: {doc.doc_id if doc else '-'} (names {want})")
    print("| names | n | right | wrong | none (searched) |\n|---|---|---|---|---|")
    for lang, written in sorted({(k[0], k[1]) for k in counts}):
        row = [counts[(lang, written, v)] for v in ("right", "wrong", "none")]
        print(f"| {lang}, {written} | {sum(row)} | {row[0]} | {row[1]} | {row[2]} |")
    if args.spelling:
        names = [name_words(d.title)[0] for d in legal.legal_documents()]
        strings = ["".join(c) for c in itertools.product(string.ascii_lowercase, repeat=3)]
        one = sum(sum(spells(s, n) for n in names) == 1 for s in strings)
        print(f"three-letter strings that spell exactly one act's name: {one} of {len(strings)}")


if __name__ == "__main__":
    main()
