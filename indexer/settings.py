"""Numbers read from the environment (``KLYNGE_MAX_MB``, ``KLYNGE_THREADS``, ``KLYNGE_CONCURRENCY``): one rule for
what a bad value says, instead of a traceback or a silent fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from indexer.errors import SettingError

__all__ = ["env_count", "env_number"]

T = TypeVar("T", int, float)


def env_number(name: str, default: float, *, example: str, environ: Mapping[str, str] | None = None) -> float:
    """``$name`` as a number of at least 0, ``default`` when unset or empty; :class:`SettingError` naming the
    variable and ``example`` otherwise."""
    return _read(name, default, float, "a number", example, environ)


def env_count(name: str, default: int, *, example: str, environ: Mapping[str, str] | None = None) -> int:
    """``$name`` as a whole number of at least 0 (threads, concurrent requests), as :func:`env_number`."""
    return _read(name, default, int, "a whole number", example, environ)


def _read(name: str, default: T, kind: type[T], said: str, example: str,
          environ: Mapping[str, str] | None) -> T:
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = kind(-1)
    if not 0 <= value < float("inf"):  # nan and inf are no setting either
        raise SettingError(f"{name}='{raw}' is not {said} of 0 or more: set it like {name}={example}, or unset it")
    return value
