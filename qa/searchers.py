"""The process's searchers: one per index directory, loaded on first use and loaded again when another
process swaps in a new index (``klynge add``, ``klynge index``, an upload in the app), so the app, the API and
the MCP server answer from the newest index without a restart."""

from __future__ import annotations

import threading
from pathlib import Path

from indexer import Index

from .config import DEFAULT_CONFIG, RankingConfig
from .results import Filters, Result
from .search import Searcher

__all__ = ["get_searcher", "reload_searcher", "search"]

_CACHE: dict[str, tuple[tuple[int, int] | None, Searcher]] = {}
_CACHE_LOCK = threading.Lock()
_LOAD_LOCKS: dict[str, threading.Lock] = {}
_CONFIGS: dict[str, RankingConfig] = {}  # settings given to get_searcher, per index directory
_STALE = (-1, -1)  # a signature no index has: the cached searcher is loaded again on its next use


def _signature(index_dir: Path) -> tuple[int, int] | None:
    """Changes whenever a new index is swapped in (a new manifest file: new inode and time)."""
    try:
        st = (index_dir / "manifest.json").stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def get_searcher(index_dir: str | Path | None = None, config: RankingConfig | None = None) -> Searcher:
    """A process-wide searcher per index directory, loaded once and loaded again when another process
    has swapped in a new index (``klynge add``, ``klynge index``): the caller that notices loads it,
    reusing the embedder, while other threads keep answering from the old one; no restart needed.
    ``config`` (e.g. from ``klynge serve --no-answer-check``) replaces the searcher's settings from then
    on, for every later caller of this directory."""
    from indexer import default_index_dir

    path = Path(index_dir) if index_dir else default_index_dir()
    key = str(path)
    sig = _signature(path)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        load_lock = _LOAD_LOCKS.setdefault(key, threading.Lock())
        if config is not None and _CONFIGS.get(key) != config:
            _CONFIGS[key] = config
            cached = None
    if cached is not None and (cached[0] == sig or sig is None):
        return cached[1]
    if cached is not None and not load_lock.acquire(blocking=False):
        return cached[1]  # another thread is loading the new index; answer from the old one meanwhile
    if cached is None:
        load_lock.acquire()
    try:
        with _CACHE_LOCK:
            now = _CACHE.get(key)
            wanted = _CONFIGS.get(key, DEFAULT_CONFIG)
        if now is not None and now[0] == sig and now[1].config == wanted:
            return now[1]
        searcher = _load(path, now[1] if now else None, wanted)
        with _CACHE_LOCK:
            _CACHE[key] = (sig, searcher)
        return searcher
    finally:
        load_lock.release()


def _load(path: Path, old: Searcher | None, config: RankingConfig) -> Searcher:
    index = Index.load(path)
    if old is not None and old.embedder.key == index.manifest.get("embedder_key"):
        return Searcher(index, old.embedder, config)
    return Searcher(index, config=config)


def reload_searcher(index_dir: str | Path | None = None) -> Searcher:
    """Load the index again now (``get_searcher`` also does it by itself when the index changes)."""
    from indexer import default_index_dir

    key = str(Path(index_dir) if index_dir else default_index_dir())
    with _CACHE_LOCK:
        if key in _CACHE:  # marked stale, not dropped: the new searcher reuses the old one's embedder (the model)
            _CACHE[key] = (_STALE, _CACHE[key][1])
    return get_searcher(key)


def search(query: str, k: int = 10, index_dir: str | Path | None = None, filters: Filters | None = None) -> Result:
    """One question against the default (or given) index."""
    return get_searcher(index_dir).search(query, k, filters)
