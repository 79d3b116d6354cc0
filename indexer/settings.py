"""Numbers read from the environment (``KLYNGE_MAX_MB``, ``KLYNGE_THREADS``, ``KLYNGE_CONCURRENCY``): one rule for
what a bad value says, instead of a traceback or a silent fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping

from indexer.errors import SettingError

__all__ = ["env_number"]


def env_number(name: str, default: float, *, integer: bool = False, example: str,
               environ: Mapping[str, str] | None = None) -> float:
    """``$name`` as a number of at least 0 (a whole one with ``integer``), ``default`` when unset or empty;
    :class:`SettingError` naming the variable and ``example`` otherwise."""
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = -1
    if value < 0:
        kind = "a whole number" if integer else "a number"
        raise SettingError(f"{name}='{raw}' is not {kind} of 0 or more: set it like {name}={example}, or unset it")
    return value
