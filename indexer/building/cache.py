"""Vectors written as they are computed, so an interrupted build resumes where it stopped.

Beside the index directory ``<index>``, a build keeps ``<index>.cache/<embedder>/``: one shard per chunk
of embedded passages (``NNNNNN.npz``: the passages' text keys, their dense vectors and, when the
embedder has a sparse head, their sparse rows), each written to a temporary name and renamed, so a
shard is whole or absent. The next build of the same index with the same embedder reads every shard
before embedding anything; a build that completes removes the cache (the new index holds the vectors).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.errors import DAMAGED_FILE


def text_key(text: str) -> str:
    """The cache's key (and the index's ``passage_keys``): a text as the embedder sees it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def cache_root(index_dir: Path) -> Path:
    """Where a build into ``index_dir`` keeps its resumable cache: ``<index>.cache`` beside it."""
    return index_dir.parent / f"{index_dir.name}.cache"


@dataclass(frozen=True)
class Cached:
    """What the cache holds: dense vectors and sparse rows, each by text key."""

    dense: dict[str, np.ndarray]
    sparse: dict[str, Any]


class EmbeddingCache:
    def __init__(self, index_dir: Path, embedder_key: str) -> None:
        tag = hashlib.sha256(embedder_key.encode("utf-8")).hexdigest()[:16]
        self.root = cache_root(index_dir)
        self.dir = self.root / tag

    def load(self) -> Cached:
        """Dense vectors and sparse rows by text key from every whole shard (damaged ones are skipped)."""
        import scipy.sparse as sp

        dense: dict[str, np.ndarray] = {}
        sparse: dict[str, Any] = {}
        if not self.dir.is_dir():
            return Cached(dense, sparse)
        for shard in sorted(self.dir.glob("*.npz")):
            try:
                with shard.open("rb") as fh, np.load(fh, allow_pickle=False) as z:  # closed whatever np.load raises
                    keys = [str(k) for k in z["keys"]]
                    vecs = np.asarray(z["dense"], dtype=np.float32)
                    rows = None
                    if "sparse_data" in z.files:
                        rows = sp.csr_matrix((z["sparse_data"], z["sparse_indices"], z["sparse_indptr"]),
                                             shape=tuple(z["sparse_shape"]))
            except DAMAGED_FILE:  # a shard cut short by a crash: its vectors are embedded again
                continue
            for i, k in enumerate(keys):
                dense[k] = vecs[i]
                if rows is not None:
                    sparse[k] = rows[i]
        return Cached(dense, sparse)

    def append(self, keys: list[str], dense: np.ndarray, sparse: Any = None) -> None:
        """Write one shard (atomically: a temporary file renamed into place)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        n = len(list(self.dir.glob("*.npz")))
        arrays: dict[str, Any] = {"keys": np.asarray(keys), "dense": np.asarray(dense, dtype=np.float32)}
        if sparse is not None:
            csr = sparse.tocsr()
            arrays.update(sparse_data=csr.data, sparse_indices=csr.indices, sparse_indptr=csr.indptr,
                          sparse_shape=np.asarray(csr.shape))
        tmp = self.dir / f".{n:06d}-{os.getpid()}.tmp"  # not *.npz: never read as a shard
        with tmp.open("wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())  # whole on disk before it is named a shard
        os.replace(tmp, self.dir / f"{n:06d}.npz")

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
