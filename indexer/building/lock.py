"""The index's write lock: one writer at a time, across processes and threads.

``<index>.lock`` beside the index folder is a ``filelock`` lock, released when the process dies. A thread
that holds it may take it again (``build_index`` takes it, and so do the service and ``Library``, which
call it holding it already); another thread or process waits, then fails with ``IndexBusyError``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.errors import IndexBusyError

__all__ = ["LOCK_TIMEOUT", "write_lock"]

LOCK_TIMEOUT = 600.0  # seconds a writer waits for another (a full build of a large collection can take minutes)

_held = threading.local()  # the lock files this thread holds, so that taking one again does not wait on itself


@contextmanager
def write_lock(index_dir: Path, timeout: float = LOCK_TIMEOUT, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock; ``waiting`` is called once if another writer holds it first."""
    from filelock import FileLock, Timeout

    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    path = str((index_dir.parent / f"{index_dir.name}.lock").resolve())
    held: set[str] = _held.__dict__.setdefault("paths", set())
    if path in held:
        yield
        return
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if waiting:
            waiting()
        try:
            lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise IndexBusyError(f"another klynge process has been writing {index_dir} for over {timeout:.0f} s; "
                                 "try again when it has finished") from exc
    held.add(path)
    try:
        yield
    finally:
        held.discard(path)
        lock.release()
