"""How hard are the synthetic scale vectors for nearest-neighbour search, next to real ones?

Embeds the sentences of the built index's passages with the index's embedder and compares them with
537-vector samples of the synthetic models of ``benchmarks/run.py`` on:

- local intrinsic dimensionality (LID, Levina-Bickel maximum likelihood over the k nearest
  neighbours, median over points): the measure that predicts how hard a data set is for
  approximate nearest-neighbour indexes (Aumüller & Ceccarello 2019);
- mean pairwise cosine, and the median cosine of each vector's nearest neighbour after removing the
  shared mean direction;
- the slope of a power law fitted to the centred covariance spectrum (the basis of ``spectrum``).

Run: ``.venv/bin/python benchmarks/lid.py`` (about 30 s for embedding).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import synthetic_vectors  # noqa: E402


def lid(x: np.ndarray, k: int) -> float:
    """Median maximum-likelihood LID over all points, from Euclidean distances of unit vectors."""
    import faiss

    x = np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)
    flat = faiss.IndexFlatL2(x.shape[1])
    flat.add(x)
    d2, _ = flat.search(x, k + 1)
    d = np.sqrt(np.maximum(d2[:, 1:], 1e-12))
    return float(np.median(-1.0 / np.mean(np.log(d[:, :-1] / d[:, -1:]), axis=1)))


def describe(x: np.ndarray) -> dict[str, float]:
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    c = x - x.mean(0)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    sim = c @ c.T
    np.fill_diagonal(sim, -1)
    raw = x @ x.T
    n = len(x)
    return {"lid@10": lid(x, 10), "lid@20": lid(x, 20),
            "pairwise_cos": float((raw.sum() - n) / (n * n - n)),
            "nn_cos_centred": float(np.median(sim.max(1)))}


def spectrum_slope(x: np.ndarray, top: int = 200) -> float:
    c = x - x.mean(0)
    ev = np.linalg.svd(c, compute_uv=False) ** 2
    k = np.arange(1, min(top, len(ev)) + 1)
    return float(np.polyfit(np.log(k), np.log(ev[: len(k)]), 1)[0])


def main() -> None:
    from indexer import Index
    from indexer.reading.split import sentence_spans

    index = Index.load(ROOT / ".klynge" / "index")
    sentences = [p.text[a:b].strip() for p in index.passages for a, b in sentence_spans(p.text)]
    sentences = [s for s in sentences if len(s.split()) >= 5]
    from indexer.embedding import make_embedder

    embedder = make_embedder(index.manifest["embedder"], index.manifest.get("model"))
    real = embedder.embed_passages(sentences)
    n = len(real)
    rng = np.random.default_rng(5)
    rows = {"real sentences (e5)": real}
    for model in ("spectrum", "flat"):
        x = synthetic_vectors(100_000, model=model)
        rows[f"synthetic {model}"] = x[rng.choice(len(x), n, replace=False)]
    print(f"{n} vectors each; covariance spectrum slope of the real ones: {spectrum_slope(real):.2f}\n")
    print("| vectors | LID@10 | LID@20 | mean pairwise cos | nearest-neighbour cos (centred) |")
    print("|---|---|---|---|---|")
    for name, x in rows.items():
        s = describe(x)
        print(f"| {name} | {s['lid@10']:.1f} | {s['lid@20']:.1f} | {s['pairwise_cos']:.3f} | "
              f"{s['nn_cos_centred']:.3f} |")


if __name__ == "__main__":
    main()
