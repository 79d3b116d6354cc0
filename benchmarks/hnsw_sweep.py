"""Fine efSearch sweep of HNSW32 on synthetic "spectrum" vectors (see docs/scale.md).

Run: ``.venv/bin/python benchmarks/hnsw_sweep.py [N] [EF_CONSTRUCTION]`` (defaults 1000000 40;
about 7 minutes on 2 cores at 1M). Prints efConstruction, build seconds, efSearch, recall@10 against
exact search, p50 and p95 ms of single-query search (200 queries, no query embedding).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import sweep_depths, synthetic_vectors  # noqa: E402

from indexer.store.ann import noisy_queries  # noqa: E402


def main() -> None:
    import faiss

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    ef_c = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    x = synthetic_vectors(n)
    q = noisy_queries(x)
    flat = faiss.IndexFlatIP(x.shape[1])
    flat.add(x)
    _, truth = flat.search(q, 10)
    del flat
    index = faiss.IndexHNSWFlat(x.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_c
    t = time.time()
    index.add(x)
    build = time.time() - t
    print("efConstruction build_s efSearch recall@10 p50_ms p95_ms")
    for ef, r in sweep_depths(index, q, truth, [256, 512, 768, 1024, 1536, 2048]).items():
        print(ef_c, round(build, 1), ef, r["recall@10"], r["p50_ms"], r["p95_ms"], flush=True)


if __name__ == "__main__":
    main()
