"""Where an index is: the one rule every command, the app and the service layer follow."""

from __future__ import annotations

from pathlib import Path

from indexer import default_index_dir

__all__ = ["index_path"]


def index_path(index_dir: str | Path | None = None) -> Path:
    """The index directory: the one given, else ``$KLYNGE_INDEX_DIR``, else ``.klynge/index``."""
    return Path(index_dir) if index_dir else default_index_dir()
