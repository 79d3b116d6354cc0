"""The one registration mechanism: named entry points of a group (as simonw/llm's plugins), klynge's own
in its ``pyproject.toml`` and a plugin's in its own. Embedders (``klynge.embedders``), dense search
structures (``klynge.ann``) and the browser app (``klynge.apps``) are found this way."""

from __future__ import annotations

import importlib.metadata
from importlib.metadata import EntryPoint

__all__ = ["named"]


def named(group: str) -> dict[str, EntryPoint]:
    """The entry points of ``group`` by name; the first registration of a name wins."""
    found: dict[str, EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=group):  # looked up when called, not when imported
        found.setdefault(ep.name, ep)
    return found
