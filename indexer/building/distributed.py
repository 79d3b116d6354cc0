"""Embedding on a Ray cluster (``klynge index --ray [ADDRESS]``; the optional extra ``klynge[scale]``).

Reading, splitting, the cache, the lexical index and the atomic swap stay in the build on this
machine (``indexer.building.pipeline``); only the embedding of new passages moves: a Ray Data pipeline over
``(passage number, text)`` rows, ``map_batches`` with an actor pool whose actors each load the model
once (``_Worker``) and return dense vectors and sparse-head rows. Results stream back to the build as
batches finish, in any order (each row carries its passage number), and are written to the resumable
cache like a local build's.

Workers build the embedder by its registered name and model (``make_embedder``), so a backend must be
importable on the workers; CPUs or GPUs per worker are Ray resources (``cpus``, ``gpus``).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer.embedding import Embedder, make_embedder
from indexer.errors import EmbedderError


@dataclass(frozen=True)
class RaySettings:
    address: str | None = None  # "auto", "ray://head:10001", or None: a local Ray on this machine
    workers: int | None = None  # actors in the pool (default: the cluster's CPUs / cpus, at least 1)
    cpus: float = 1.0  # CPUs per actor (its torch threads)
    gpus: float = 0.0  # GPUs per actor (1 on a GPU node)
    batch: int = 64  # passages per batch sent to an actor


@dataclass(frozen=True)
class EmbeddedBatch:
    """One finished batch: passage numbers, their dense vectors and sparse rows (CSR, or None)."""

    ids: np.ndarray
    dense: np.ndarray
    sparse: Any


def _ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise EmbedderError("--ray needs Ray: pip install 'klynge[scale]' (ray[data]); or index without --ray") \
            from exc
    return ray


class _Worker:
    """A Ray actor: loads the embedder once, then embeds batch after batch."""

    def __init__(self, name: str, model: str | None, threads: int) -> None:
        os.environ["KLYNGE_THREADS"] = str(max(1, threads))
        self.embedder = make_embedder(name, model)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        texts = [str(t) for t in batch["text"]]
        enc = self.embedder.encode_passages(texts)
        out: dict[str, Any] = {"i": batch["i"], "dense": np.asarray(enc.dense, dtype=np.float32)}
        if enc.sparse is not None:
            import scipy.sparse as sp

            rows = sp.csr_matrix(enc.sparse)
            spans = list(zip(rows.indptr[:-1], rows.indptr[1:], strict=True))
            out["sp_idx"] = np.array([rows.indices[a:b].astype(np.int32).tobytes() for a, b in spans], dtype=object)
            out["sp_val"] = np.array([rows.data[a:b].astype(np.float32).tobytes() for a, b in spans], dtype=object)
        return out


def _sparse(batch: dict[str, Any], dim: int) -> Any:
    import scipy.sparse as sp

    idx = [np.frombuffer(b, dtype=np.int32) for b in batch["sp_idx"]]
    val = [np.frombuffer(b, dtype=np.float32) for b in batch["sp_val"]]
    indptr = np.concatenate([[0], np.cumsum([len(x) for x in idx])]).astype(np.int64)
    data = np.concatenate(val) if val else np.zeros(0, np.float32)
    indices = np.concatenate(idx) if idx else np.zeros(0, np.int32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(idx), dim))


class RayRunner:
    """Embeds passages on Ray with the same backend and model as ``embedder``."""

    def __init__(self, embedder: Embedder, settings: RaySettings | None = None) -> None:
        self.embedder = embedder
        self.settings = settings or RaySettings()
        self.ray = _ray()
        if not self.ray.is_initialized():
            os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # no C++ log lines in the build's output
            for name in ("ray", "ray.data"):
                logging.getLogger(name).setLevel(logging.WARNING)
            self.ray.init(address=self.settings.address, ignore_reinit_error=True, log_to_driver=False,
                          include_dashboard=False, configure_logging=False)

    def workers(self) -> int:
        s = self.settings
        if s.workers:
            return s.workers
        cpus = float(self.ray.cluster_resources().get("CPU", 1))
        return max(1, int(cpus // max(s.cpus, 1e-9)))

    def run(self, ids: Sequence[int], texts: Sequence[str]) -> Iterator[EmbeddedBatch]:
        """Embed ``texts`` (passage numbers ``ids``); yields batches as they finish."""
        s = self.settings
        ray = self.ray
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.verbose_stats_logs = False
        ds = ray.data.from_items([{"i": int(i), "text": t} for i, t in zip(ids, texts, strict=True)],
                                 override_num_blocks=max(1, min(len(texts) // s.batch + 1, 4 * self.workers())))
        out = ds.map_batches(_Worker, batch_size=s.batch, batch_format="numpy", concurrency=self.workers(),
                             num_cpus=s.cpus, num_gpus=s.gpus or None,
                             fn_constructor_kwargs={"name": self.embedder.name, "model": self.embedder.model,
                                                    "threads": max(1, int(s.cpus))})
        dim = self.embedder.sparse_dim
        # Ray warns when a small build cannot use every actor; that is expected, not the user's to fix
        warnings.filterwarnings("ignore", category=UserWarning, module=r"ray\.data\..*")
        for b in out.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=1):
            yield EmbeddedBatch(np.asarray(b["i"], dtype=np.int64), np.asarray(np.stack(list(b["dense"])), np.float32),
                                _sparse(b, dim) if dim else None)
