"""``klynge index --watch``: keep the index in step with a folder.

File-system events come from ``watchfiles`` (Rust ``notify``; it batches a burst of changes, e.g. a
folder copied in, into one); ``poll=True`` or a missing ``watchfiles`` falls back to comparing the
folder's listing (name, size, modification time) every few seconds, which also works on network drives.
Hidden files (temporary ``.incoming-*`` copies, ``.removed/``) never trigger a build.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from indexer.building.pipeline import BuildReport
from indexer.library.changes import Library
from indexer.reading.read import discover

POLL_SECONDS = 2.0  # how often the polling fallback lists the folder
DEBOUNCE_MS = 1500  # changes closer together than this are built once (a copy of many files)


def snapshot(folder: Path) -> frozenset[tuple[str, int, int]]:
    """The folder's indexable files as (path, size, mtime) (what polling compares)."""
    out = set()
    for p in discover(folder) if folder.is_dir() else []:
        try:
            st = p.stat()
        except OSError:
            continue
        out.add((str(p), st.st_size, st.st_mtime_ns))
    out |= {(str(folder / n), 0, _mtime(folder / n)) for n in ("documents.toml", "collection.toml")}
    return frozenset(out)


def _mtime(p: Path) -> int:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return 0


def _relevant(changes: Iterable[tuple[Any, str]], folder: Path) -> bool:
    for _change, path in changes:
        rel = Path(path).resolve().relative_to(folder.resolve()) if Path(path).is_absolute() else Path(path)
        if not any(part.startswith(".") for part in rel.parts):
            return True
    return False


def watch(library: Library, on_build: Callable[[BuildReport], None] = lambda r: None, poll: bool = False,
          stop: threading.Event | None = None, poll_seconds: float = POLL_SECONDS) -> None:
    """Build once, then again after every change to the library's folder, until ``stop`` is set (or
    Ctrl-C). A build that fails on one document reports it and the watch goes on."""
    stop = stop or threading.Event()
    folder = library.corpus_dir
    on_build(library.sync())
    events = None
    if not poll:
        try:
            import watchfiles

            events = watchfiles
        except ImportError:
            events = None
    if events is not None:
        for changes in events.watch(folder, debounce=DEBOUNCE_MS, stop_event=stop, recursive=True,
                                    raise_interrupt=False, ignore_permission_denied=True):
            if _relevant(changes, folder):
                on_build(library.sync())
        return
    seen = snapshot(folder)
    while not stop.wait(poll_seconds):
        now = snapshot(folder)
        if now != seen:
            time.sleep(min(1.0, poll_seconds))  # let a copy in progress finish
            seen = snapshot(folder)
            on_build(library.sync())
