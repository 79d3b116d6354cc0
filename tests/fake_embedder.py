"""The fake embedder of the tests, registered as a plugin is (``tests/conftest.py``: an entry point of
``klynge.embedders``), so that processes the tests start find it by name too."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from indexer.embedding.base import Embedder
from indexer.store.ann import FlatAnn

__all__ = ["FakeEmbedder", "PluginFlatAnn"]


class FakeEmbedder(Embedder):
    """Bag of hashed character trigrams: deterministic, fast, and similar texts get similar vectors."""

    name = "fake"

    def __init__(self, model: str | None = None, dim: int = 64) -> None:
        self.model = model or "trigram-64"
        self.dim = dim
        self.calls = 0

    def embed_batch(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, t in enumerate(texts):
            b = np.frombuffer(f"  {t.lower()}  ".encode(), dtype=np.uint8).astype(np.uint64)
            codes = (b[:-2] * 1_000_003 + b[1:-1] * 10_007 + b[2:] * 101) % self.dim  # hashed byte trigrams
            out[r] = np.bincount(codes.astype(np.int64), minlength=self.dim)[: self.dim] + 1e-3
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


class PluginFlatAnn(FlatAnn):
    """An ANN kind from outside klynge (``klynge.ann`` entry point ``plugin-flat``): exact search."""
