"""The answer check's window vectors of a build (``indexer.store.checks``).

Every window ``check_windows`` cuts from each passage's answer units, embedded on its own as a passage,
so that a question's answer check looks its windows up instead of running the model while the user
waits. A window of a passage whose text and windows are unchanged comes from the previous index, one
that an interrupted build already embedded from the resumable cache (``indexer.building.cache``), the
same text twice (a clause repeated across acts) is embedded once. They are embedded here, also when the
passages went to a Ray cluster (a window is a short text; the cluster's share is the passages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexer.building.cache import EmbeddingCache, text_key
from indexer.building.progress import Progress
from indexer.embedding.base import Embedder, embedding_order
from indexer.reading.split import Passage
from indexer.reading.units import answer_units, check_windows
from indexer.store.checks import CHECK_WIDTH, CheckVectors

__all__ = ["CHECK_WIDTH", "EmbeddedChecks", "Stored", "embed_checks", "stored_checks", "windows_of"]

CHUNK = 512  # windows embedded between two writes to the resumable cache

Stored = dict[str, tuple[np.ndarray, np.ndarray]]  # passage key -> (its windows' spans, their vectors)


def windows_of(p: Passage, width: int = CHECK_WIDTH) -> list[tuple[int, int]]:
    """The check windows of passage ``p`` (offsets into its text), unit after unit."""
    return [w for u in answer_units(p.text, p.section.split(" > ")) for w in check_windows(p.text, u, width)]


def stored_checks(checks: CheckVectors | None, keys: Sequence[str]) -> Stored:
    """A previous index's window vectors by passage key (empty when it has none or another width)."""
    if checks is None or checks.width != CHECK_WIDTH:
        return {}
    out: Stored = {}
    for i, k in enumerate(keys):
        a, b = int(checks.starts[i]), int(checks.starts[i + 1])
        out[k] = (np.asarray(checks.spans[a:b]), np.asarray(checks.vectors[a:b], dtype=np.float16))
    return out


@dataclass(frozen=True)
class EmbeddedChecks:
    """Every passage's answer-check windows, and how many of them the model embedded (the rest reused)."""

    checks: CheckVectors
    embedded: int


def embed_checks(passages: Sequence[Passage], keys: Sequence[str], embedder: Embedder, previous: Stored,
                 cache: EmbeddingCache, progress: bool) -> EmbeddedChecks:
    """Window vectors of every passage (reused where a passage's windows are unchanged)."""
    spans = [windows_of(p) for p in passages]
    rows: list[np.ndarray | None] = []
    for k, ws in zip(keys, spans, strict=True):
        old = previous.get(k)
        rows.append(old[1] if old is not None and [tuple(x) for x in old[0].tolist()] == ws else None)
    texts: dict[str, str] = {}  # window key -> text, of the windows not reused
    wanted: list[list[str]] = []  # per passage, its windows' keys (none when reused)
    for p, ws, r in zip(passages, spans, rows, strict=True):
        window_texts = [" ".join(p.text[s:e].split()) for s, e in ws] if r is None else []
        wanted.append([text_key(t) for t in window_texts])
        texts.update(zip(wanted[-1], window_texts, strict=True))
    done = cache.load().dense
    todo = embedding_order(sorted(k for k in texts if k not in done), texts.__getitem__)
    bar = Progress(len(todo), "embedding answer windows", progress, unit="window")
    for i in range(0, len(todo), CHUNK):
        chunk = todo[i:i + CHUNK]
        vecs = embedder.embed_passages([texts[k] for k in chunk])
        cache.append(chunk, vecs)
        done.update(zip(chunk, vecs, strict=True))
        bar.update(len(chunk))
    bar.close()
    parts = [r if r is not None else np.array([done[k] for k in ks], dtype=np.float16).reshape(len(ks), embedder.dim)
             for ks, r in zip(wanted, rows, strict=True)]
    starts = np.zeros(len(passages) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(ws) for ws in spans])
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float16)
    table = np.array([w for ws in spans for w in ws], dtype=np.int32).reshape(-1, 2)
    return EmbeddedChecks(CheckVectors(vectors.astype(np.float16), starts, table, CHECK_WIDTH), len(todo))
