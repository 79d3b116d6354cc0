"""The answer check's window vectors, made at build time (``checks.npy`` and ``checks.npz`` in the index).

For every passage, each window that ``indexer.reading.units.check_windows`` cuts from its answer units,
embedded on its own as a passage (the vector a question's answer check would otherwise compute while the
user waits: ~50 ms a window on two cores). ``checks.npy``: the vectors, float16, read memory-mapped so a
serving process holds only the rows it touches; ``checks.npz``: per passage its first row (``starts``,
one more than there are passages) and each row's character span in the passage's text (``spans``). The
window width is in the manifest (``check_windows``); a searcher with another width embeds as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.errors import DAMAGED_FILE, IndexCorruptError

__all__ = ["CHECK_WIDTH", "CheckVectors"]

VECTORS, TABLE = "checks.npy", "checks.npz"
# words a window holds at most, the one value a build cuts its windows with and a searcher cuts a long answer
# sentence to (qa.config's answer_check_words defaults to it; a searcher with another width embeds its windows at
# question time); shorter cuts decided worse (docs/experiments.md)
CHECK_WIDTH = 64


@dataclass(frozen=True)
class CheckVectors:
    """Window vectors of every passage: rows ``starts[i]:starts[i + 1]`` are passage ``i``'s."""

    vectors: np.ndarray  # (n, dim) float16, L2-normalised before the cast
    starts: np.ndarray  # (n_passages + 1,) int64
    spans: np.ndarray  # (n, 2) int32: character offsets into the passage's text
    width: int  # words a window holds at most (``check_windows``)

    def windows(self, passage: int) -> list[tuple[int, tuple[int, int]]]:
        """(row, span) of each window of passage ``passage``."""
        a, b = int(self.starts[passage]), int(self.starts[passage + 1])
        return [(r, (int(self.spans[r, 0]), int(self.spans[r, 1]))) for r in range(a, b)]

    def vector(self, row: int) -> np.ndarray:
        return np.asarray(self.vectors[row], dtype=np.float32)

    def save(self, directory: Path) -> None:
        np.save(directory / VECTORS, np.ascontiguousarray(self.vectors, dtype=np.float16))
        np.savez(directory / TABLE, starts=self.starts.astype(np.int64), spans=self.spans.astype(np.int32))

    @classmethod
    def load(cls, directory: Path, n_passages: int, dim: int, width: int) -> CheckVectors:
        """The window vectors of an index whose manifest names them."""
        missing = [name for name in (VECTORS, TABLE) if not (directory / name).exists()]
        if missing:
            raise IndexCorruptError(f"{directory}: the manifest lists the answer check's windows but "
                                    f"{' and '.join(missing)} is missing: run `klynge index`")
        try:
            vectors = np.load(directory / VECTORS, mmap_mode="r")
            with (directory / TABLE).open("rb") as fh, np.load(fh, allow_pickle=False) as z:
                starts, spans = np.asarray(z["starts"]), np.asarray(z["spans"])
        except DAMAGED_FILE as exc:
            raise IndexCorruptError(f"{directory / VECTORS} or {TABLE} is damaged ({exc}): run `klynge index`") from exc
        if (len(starts) != n_passages + 1 or int(starts[-1]) != len(vectors) or len(spans) != len(vectors)
                or (len(vectors) and vectors.shape[1] != dim)):
            raise IndexCorruptError(f"{directory / VECTORS} does not match the passages: run `klynge index`")
        return cls(vectors, starts, spans, width)
