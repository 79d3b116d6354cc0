"""The lexical index at 1M passages (issue 16): peak memory, build time, query latency, top-10 overlap.

    python benchmarks/lexical_scale.py [--passages 1000000] [--mode stems|full] [--queries 200]
    python benchmarks/lexical_scale.py --quality          # what stems-only costs on the development sets

Synthetic passages shaped like real Danish legal text: 5–8 sentences drawn at random (seeded) from the
316 acts of ../shared/bench/laws, streamed into the build so they are never all in memory at once (as
a real build streams them from its passages). The build runs in a child process whose peak RSS (VmHWM)
is reported. Queries: 3–6 content words of a random sentence of the pool. "Exact" is BM25 over every
query token; klynge's scoring leaves out tokens in more than 10 % of passages above 50,000 passages
(``indexer.store.lexical.PRUNE_DF``); the overlap of the two top-10s is reported, with p50/p95 of both.

``--quality`` rebuilds the lexical index of the shipped and squad-da-dev indexes with stems only (what an
index above ``STEMS_ONLY_ABOVE`` passages gets) and prints R@5 / MRR@10 per language against the
default tokens.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.store.lexical import LexicalIndex  # noqa: E402
from indexer.store.tokens import tokenize, words  # noqa: E402

LAWS = ROOT.parent / "shared" / "bench" / "laws"


def sentence_pool() -> list[str]:
    from indexer import read_document, sentence_spans

    pool: list[str] = []
    for f in sorted(LAWS.glob("*.txt")):
        text = read_document(f).text
        pool.extend(text[a:b] for a, b in sentence_spans(text) if len(text[a:b].split()) >= 5)
    return pool


def passages(pool: list[str], n: int, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(n):
        yield " ".join(rng.choice(pool) for _ in range(rng.randint(5, 8)))


def queries(pool: list[str], n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        ws = [w for w in words(rng.choice(pool)) if not w.isdigit()]
        if len(ws) >= 3:
            out.append(" ".join(rng.sample(ws, min(len(ws), rng.randint(3, 6)))))
    return out


def _vmhwm() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0


def child_build(n: int, mode: str, out: Path) -> None:
    """Runs in a fresh process: generate, build, save; prints JSON with times and peak RSS."""
    t0 = time.perf_counter()
    pool = sentence_pool()
    t_pool = time.perf_counter() - t0
    base = _vmhwm()
    t1 = time.perf_counter()
    lex = LexicalIndex.build_stream(passages(pool, n), mode)
    t_build = time.perf_counter() - t1
    out.mkdir(parents=True, exist_ok=True)
    lex.save(out)
    print(json.dumps({"passages": n, "mode": mode, "pool_sentences": len(pool), "pool_seconds": round(t_pool, 1),
                      "build_seconds": round(t_build, 1), "peak_rss_mb": _vmhwm(), "rss_before_build_mb": base}))


def measure(n: int, mode: str, n_queries: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lexical"
        proc = subprocess.run([sys.executable, __file__, "--child", "--passages", str(n), "--mode", mode,
                               "--out", str(out)], capture_output=True, text=True, check=True)
        built = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"build: {json.dumps(built)}")
        t = time.perf_counter()
        lex = LexicalIndex.load(out)
        print(f"load {time.perf_counter() - t:.1f} s, RSS after load {_vmhwm()} MB")
        qs = queries(sentence_pool(), n_queries)
        r = lex._r
        fast, exact, overlap = [], [], []
        for q in qs:
            t = time.perf_counter()
            s = lex.scores(q)
            top = np.argpartition(-s, 10)[:10]
            fast.append(time.perf_counter() - t)
            t = time.perf_counter()
            toks = [x for x in tokenize(q, mode=lex.mode) if x in r.vocab_dict]
            e = np.asarray(r.get_scores(toks), dtype=np.float32) if toks else np.zeros(lex.size, np.float32)
            etop = np.argpartition(-e, 10)[:10]
            exact.append(time.perf_counter() - t)
            overlap.append(len(set(top[s[top] > 0]) & set(etop[e[etop] > 0])) / max(1, min(10, int((e > 0).sum()))))
        ms = lambda xs, p: 1000 * float(np.percentile(xs, p))  # noqa: E731
        print(f"{n:,} passages, tokens={mode}: query p50 {ms(fast, 50):.1f} ms, p95 {ms(fast, 95):.1f} ms "
              f"(exact: p50 {ms(exact, 50):.1f}, p95 {ms(exact, 95):.1f}); top-10 overlap with exact "
              f"{np.mean(overlap):.3f} (min {np.min(overlap):.2f}) over {len(qs)} queries")


def quality() -> None:
    import dataclasses

    from indexer import Index
    from qa import Searcher
    from qa.evaluate import QuestionSet, evaluate, load_questions

    shared = ROOT.parent / "shared" / "eval"
    sets = [(ROOT / ".klynge" / "index", [shared / "dev_questions.jsonl"]),
            (ROOT / ".klynge" / "squad-index", [shared / "squad-da-dev" / "questions_da.jsonl",
                                               shared / "squad-da-dev" / "questions_en.jsonl"])]
    for index_dir, qfiles in sets:
        index = Index.load(index_dir)
        qs = QuestionSet([q for f in qfiles for q in load_questions(f).questions])
        for mode in ("full", "stems"):
            idx = index
            if mode != "full":
                lex = LexicalIndex.build([p.context_text() for p in index.passages], mode=mode)
                idx = dataclasses.replace(index, lexical=lex)
            rep = evaluate(Searcher(idx), qs)
            cells = " | ".join(f"{lg} R@5 {m['recall@5']:.3f} MRR {m['mrr@10']:.3f}" for lg, m in rep["by_lang"].items())
            print(f"{index_dir.name} ({len(qs.questions)} questions) tokens={mode}: {cells}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--mode", default="stems", choices=("stems", "full"))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--quality", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_build(args.passages, args.mode, Path(args.out))
    elif args.quality:
        quality()
    else:
        measure(args.passages, args.mode, args.queries)


if __name__ == "__main__":
    main()
