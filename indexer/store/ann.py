"""Nearest-neighbour search over the dense vectors: one class per FAISS structure behind one interface.

    FlatAnn   exact inner product (IndexFlatIP): every collection below ``HNSW_THRESHOLD`` passages
    HnswAnn   HNSW32 graph, efSearch tuned at build time for recall@10 >= TARGET_RECALL against exact
    IvfAnn    IVF{4·sqrt(n)},Flat with a tuned nprobe: kept as an option (``kind="ivf"``); on embedding-
              like data it needed far more probes than HNSW for the same recall (docs/scale.md, "Why not IVF")

:func:`make_ann` picks by size (as txtai's ``ann/`` factory does); :func:`load_ann` rebuilds the object
from ``index.faiss`` and the parameters recorded in the manifest. The searcher and the embedding cache
use only :class:`AnnIndex`'s methods.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

HNSW_THRESHOLD = 50_000  # passages; below it exact search is both fast enough (ms) and exact
TARGET_RECALL = 0.97  # recall@10 against exact search that efSearch/nprobe is tuned for (goal: >= 0.95)


@dataclass(frozen=True)
class Neighbours:
    """What :meth:`AnnIndex.search` finds: row ids, best first, and their inner products with the query."""

    ids: np.ndarray
    scores: np.ndarray


class AnnIndex(ABC):
    """Dense vectors searched by inner product. ``params`` is what the manifest records under "faiss"."""

    faiss_type: ClassVar[str]  # the FAISS class, as recorded in the manifest

    def __init__(self, index: Any, params: dict[str, Any]) -> None:
        self.index = index
        self.params = params

    @classmethod
    @abstractmethod
    def build(cls, x: np.ndarray) -> AnnIndex:
        """Index the rows of ``x`` (float32, L2-normalised) and tune the search depth."""

    def configure(self) -> None:  # noqa: B027 - a no-op for exact search, overridden where there is a depth
        """Apply the search-time parameters of ``params`` after loading (efSearch, nprobe)."""

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def search(self, query: np.ndarray, k: int) -> Neighbours:
        """The ``k`` nearest rows to one query vector, best first."""
        d, i = self.index.search(query[None, :].astype(np.float32), k)
        ids = i[0][i[0] >= 0]
        return Neighbours(ids, d[0][: len(ids)])

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (one row each)."""
        return np.stack([self.index.reconstruct(int(j)) for j in ids])

    def vectors(self) -> np.ndarray:
        """All stored vectors, in passage order (a copy)."""
        n = self.size
        if n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.index.reconstruct_n(0, n), dtype=np.float32)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))


class FlatAnn(AnnIndex):
    """Exact search. :meth:`shortlist` scans a half-precision copy for the candidates, which the caller
    scores exactly from :meth:`view`: half the memory traffic of the float32 scan (on the laws' 23,382
    passages 36 MB a question, 3 ms of a ~25 ms question; docs/scale.md), the same top 100 but for
    one row in a thousand."""

    faiss_type = "IndexFlatIP"

    def __init__(self, index: Any, params: dict[str, Any]) -> None:
        super().__init__(index, params)
        self._half: Any = None
        self._lock = threading.Lock()

    def view(self) -> np.ndarray:
        """All stored vectors without a copy (read-only; valid while this object lives)."""
        import faiss

        n, d = self.size, self.dim
        if n == 0:
            return np.zeros((0, d), dtype=np.float32)
        v = faiss.rev_swig_ptr(self.index.get_xb(), n * d).reshape(n, d)
        v.flags.writeable = False
        return v

    def shortlist(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Ids of the ``k`` rows nearest ``query`` by their float16 copies (among the rows ``mask`` lets
        through): candidates, not scores. The copy is made on first use (17 ms for 23k rows)."""
        import faiss

        self.prepare()
        params = None
        if mask is not None:
            bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
            params = faiss.SearchParameters()
            params.sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        _, ids = self._half.search(np.ascontiguousarray(query[None, :], dtype=np.float32), k, params=params)
        return ids[0][ids[0] >= 0]

    def prepare(self) -> None:
        """Make the half-precision copy now (the app's warm-up) rather than at the first question."""
        with self._lock:
            if self._half is None:
                import faiss

                half = faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
                if self.size:
                    half.add(self.view())
                self._half = half

    @classmethod
    def build(cls, x: np.ndarray) -> FlatAnn:
        import faiss

        index = faiss.IndexFlatIP(x.shape[1])
        if len(x):
            index.add(x)
        return cls(index, {"type": cls.faiss_type})


class HnswAnn(AnnIndex):
    faiss_type = "IndexHNSWFlat"
    M = 32  # FAISS guidelines' default for memory-unconstrained HNSW
    EF_CONSTRUCTION = 40  # at 100k, 100 instead of 40 changed recall at a given efSearch by < 0.01 (docs/scale.md)

    @classmethod
    def build(cls, x: np.ndarray) -> HnswAnn:
        import faiss

        index = faiss.IndexHNSWFlat(x.shape[1], cls.M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = cls.EF_CONSTRUCTION
        index.add(x)
        ef_s, recall = tune_search_depth(index, x, target=TARGET_RECALL)
        return cls(index, {"type": cls.faiss_type, "M": cls.M, "efConstruction": cls.EF_CONSTRUCTION,
                           "efSearch": ef_s, "tuned_recall@10": round(recall, 4)})

    def configure(self) -> None:
        self.index.hnsw.efSearch = int(self.params.get("efSearch", 128))


class IvfAnn(AnnIndex):
    faiss_type = "IndexIVFFlat"

    @classmethod
    def build(cls, x: np.ndarray) -> IvfAnn:
        import faiss

        n, d = x.shape
        nlist = max(16, int(4 * np.sqrt(n)))
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = x[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
        index.train(sample)
        index.add(x)
        nprobe, recall = tune_search_depth(index, x, target=TARGET_RECALL)
        return cls(index, {"type": cls.faiss_type, "nlist": nlist, "nprobe": nprobe, "train_size": len(sample),
                           "tuned_recall@10": round(recall, 4)})

    def configure(self) -> None:
        import faiss

        ivf = faiss.extract_index_ivf(self.index)
        ivf.nprobe = int(self.params.get("nprobe", 16))
        ivf.make_direct_map()  # reconstruct() for fusion candidates and the embedding cache


GROUP = "klynge.ann"  # entry points: kind name -> AnnIndex subclass (flat, hnsw, ivf; a plugin adds its own)


def kinds() -> dict[str, type[AnnIndex]]:
    """The installed ANN structures by kind, registered as entry points of ``klynge.ann``."""
    from indexer.plugins import named

    return {name: ep.load() for name, ep in named(GROUP).items()}


def make_ann(vectors: np.ndarray, threshold: int = HNSW_THRESHOLD, kind: str = "hnsw") -> AnnIndex:
    """Exact search below ``threshold`` passages; above it the approximate ``kind`` ("hnsw", "ivf" or a
    plugin's)."""
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(x) < threshold:
        return FlatAnn.build(x)
    found = kinds()
    if kind not in found:
        raise ValueError(f"unknown ANN kind {kind!r}: choose one of {', '.join(sorted(found))}")
    return found[kind].build(x)


def load_ann(path: Path, params: dict[str, Any]) -> AnnIndex:
    """Read ``index.faiss`` (FAISS raises RuntimeError on a damaged file) with its manifest parameters."""
    import faiss

    index = faiss.read_index(str(path))
    by_type = {c.faiss_type: c for c in kinds().values()}
    cls = by_type.get(str(params.get("type")))
    if cls is None:  # infer from the structure
        cls = HnswAnn if hasattr(index, "hnsw") else IvfAnn if hasattr(index, "nprobe") else FlatAnn
    ann = cls(index, params)
    ann.configure()
    return ann


# ---------------------------------------------------------------- tuning the search depth


def noisy_queries(x: np.ndarray, queries: int = 200, seed: int | np.random.Generator = 1) -> np.ndarray:
    """Stored vectors with noise added (cosine about 0.85 to their source, as a relevant passage is
    to its question), so a query is near, not on, a stored vector. ``seed`` may be a Generator to
    draw from."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    q = x[rng.choice(n, size=min(queries, n), replace=False)]
    q = q + (0.6 / np.sqrt(d)) * rng.standard_normal(q.shape).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return q


def set_search_depth(index: Any, depth: int) -> None:
    """efSearch of a FAISS HNSW index, nprobe of an IVF one."""
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = depth
    else:
        index.nprobe = depth


def tune_search_depth(index: Any, x: np.ndarray, target: float = TARGET_RECALL, queries: int = 200) -> tuple[int, float]:
    """Smallest nprobe (IVF) or efSearch (HNSW), doubling, whose recall@10 against exact search
    reaches ``target`` on :func:`noisy_queries`; then three quarters of it if that still does.
    Leaves the FAISS ``index`` set to the depth returned."""
    q = noisy_queries(x, queries)
    truth = np.argsort(-(q @ x.T), axis=1)[:, :10] if len(x) <= 200_000 else _exact_topk(x, q, 10)
    hnsw = hasattr(index, "hnsw")
    limit = 4096 if hnsw else index.nlist

    def recall_at(depth: int) -> float:
        set_search_depth(index, depth)
        _, ids = index.search(q, 10)
        return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, truth, strict=True)]))

    depth, recall = 16 if hnsw else 8, 0.0
    while True:
        depth = min(depth, limit)
        recall = recall_at(depth)
        if recall >= target or depth >= limit:
            break
        depth *= 2
    # doubling overshoots by up to 2x (and latency grows with depth): try three quarters of it
    if recall >= target and depth >= 64:
        smaller = depth * 3 // 4
        smaller_recall = recall_at(smaller)
        if smaller_recall >= target:
            depth, recall = smaller, smaller_recall
    set_search_depth(index, depth)
    return int(depth), recall


def _exact_topk(x: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    import faiss

    flat = faiss.IndexFlatIP(x.shape[1])
    flat.add(x)
    _, ids = flat.search(q, k)
    return ids
