"""Where a quote comes from (`klynge cite`, the app's quote tab, the MCP `find_quote` tool): time and accuracy
over a collection, against reading every document whole.

    python benchmarks/quote_lookup.py [--index-dir .klynge/laws] [-n 60] [--write]

Quotes are made from the collection's own sentences (seeded, so every run reads the same ones): a sentence as it
stands, its middle words (a partial quote), and the sentence with every fourth word left out (a quote from
memory). For each, :func:`qa.cite.find_quote` (what klynge does: reads around the passages the lexical index
scores highest) and a reference that folds and aligns every document whole (the same steps, over the whole
text). Found: a match shown (up to 5) is the sentence the quote was made from, there or where the collection has
it word for word again. ``--write`` puts the table into
docs/legal.md (between its ``quote-lookup`` markers).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from markers import write_between  # noqa: E402

from indexer import Index  # noqa: E402
from indexer.reading.clean import fold_for_match  # noqa: E402
from indexer.reading.split import sentence_spans  # noqa: E402
from qa.cite import FUZZY_MIN, QuoteMatch, _find_in, find_quote  # noqa: E402
from qa.results import MAX_QUERY_CHARS  # noqa: E402

Source = tuple[str, int, int]  # document, start, end of the sentence a quote was made from


def read_whole(index: Index, quote: str, limit: int = 5) -> list[QuoteMatch]:
    """The reference: every document folded and aligned whole."""
    folded_q = fold_for_match(quote).text.strip()[:MAX_QUERY_CHARS]
    return _find_in(index, [(doc, 0, fold_for_match(doc.text)) for doc in index.documents.values()], folded_q, limit)


def quotes(index: Index, n: int, seed: int = 7) -> list[tuple[str, str, Source]]:
    """``n`` sentences of 12 to 40 words, each as (kind, quote, source) in the three kinds."""
    rng = random.Random(seed)
    passages = list(index.passages)
    out: list[tuple[str, str, Source]] = []
    while len(out) < 3 * n:
        p = rng.choice(passages)
        spans = [(s, e) for s, e in sentence_spans(p.text) if 12 <= len(p.text[s:e].split()) <= 40]
        if not spans:
            continue
        s, e = rng.choice(spans)
        words = p.text[s:e].split()
        source = (p.doc_id, p.start + s, p.start + e)
        cut = len(words) // 5
        out += [("as written", " ".join(words), source), ("partial", " ".join(words[cut:len(words) - cut]), source),
                ("from memory", " ".join(w for i, w in enumerate(words) if i % 4 != 3), source)]
    return out


def found(index: Index, matches: list[QuoteMatch], source: Source) -> bool:
    """Is the sentence the quote was made from among the matches shown: a match at its place, or at another place
    that has the same sentence word for word (an act that repeats it, acts that share it: up to 5 are shown, in no
    particular order)?"""
    doc_id, start, end = source
    sentence = fold_for_match(index.documents[doc_id].text[start:end]).text.strip()
    return any((m.doc_id == doc_id and m.start < end and start < m.end)
               or sentence in fold_for_match(index.documents[m.doc_id].text[max(0, m.start - end + start):
                                                                            m.end + end - start]).text
               for m in matches)


def run(index: Index, n: int) -> list[str]:
    rows = []
    for name, look in (("klynge (around the lexical shortlist)", find_quote), ("every document read whole", read_whole)):
        times: dict[str, list[float]] = {}
        hits: dict[str, list[bool]] = {}
        for kind, quote, source in quotes(index, n):
            t = time.perf_counter()
            matches = look(index, quote)
            times.setdefault(kind, []).append(1000 * (time.perf_counter() - t))
            hits.setdefault(kind, []).append(found(index, matches, source))
        for kind in times:
            rows.append(f"| {name} | {kind} | {len(times[kind])} | {sum(hits[kind])} | "
                        f"{statistics.median(times[kind]):.1f} | {max(times[kind]):.1f} |")
    return rows


def cpu() -> str:
    """The processor's name, as /proc/cpuinfo gives it (else the machine type)."""
    info = Path("/proc/cpuinfo")
    lines = info.read_text(encoding="utf-8").splitlines() if info.exists() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.machine())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "laws")
    ap.add_argument("-n", type=int, default=60, help="sentences (each quoted three ways)")
    ap.add_argument("--write", action="store_true", help="write the table into docs/legal.md")
    args = ap.parse_args()
    index = Index.load(args.index_dir)
    chars = sum(len(d.text) for d in index.documents.values())
    head = (f"{len(index.documents)} documents, {len(index.passages):,} passages, {chars / 1e6:.1f} M characters "
            f"({args.index_dir.name}); {cpu()}, {os.cpu_count()} cores, one run; similarity floor {FUZZY_MIN}\n\n"
            "| lookup | quote | n | its sentence among the matches | median ms | max ms |\n|---|---|---|---|---|---|")
    table = "\n".join([head, *run(index, args.n)])
    print(table)
    if args.write:
        write_between(ROOT / "docs" / "legal.md", "quote-lookup", table)


if __name__ == "__main__":
    main()
