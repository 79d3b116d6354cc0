"""Editing a collection's ``documents.toml`` (title, publisher, date, kind per file), keeping its comments.

Entries are found by :func:`indexer.reading.read.metadata_key`, the rule the build reads them by (a file's path,
else its name); the file is rewritten atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from indexer.errors import DocumentError
from indexer.reading.read import METADATA_FILE, metadata_key

__all__ = ["MetadataFile"]


class MetadataFile:
    """The ``documents.toml`` of the collection in ``corpus_dir`` (it need not exist yet)."""

    def __init__(self, corpus_dir: Path) -> None:
        self.path = corpus_dir / METADATA_FILE

    def load(self) -> Any:
        """The file as a tomlkit document (empty when there is none)."""
        import tomlkit

        if not self.path.exists():
            return tomlkit.document()
        try:
            return tomlkit.parse(self.path.read_text(encoding="utf-8"))
        except Exception as exc:
            raise DocumentError(str(self.path), f"metadata file is not valid TOML ({exc}); fix it before changing "
                                                "documents") from exc

    def save(self, doc: Any) -> None:
        import tomlkit

        tmp = self.path.with_name(f".{METADATA_FILE}.{os.getpid()}.tmp")
        tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
        os.replace(tmp, self.path)

    def write(self, rel: str, given: dict[str, str], previous: str | None = None) -> None:
        """Set the ``given`` fields of ``rel``'s entry (moving ``previous``'s entry to it on a replace)."""
        import tomlkit

        doc = self.load()
        old_key = metadata_key(doc, previous) if previous else None
        entry = dict(doc[old_key]) if old_key else {}
        key = metadata_key(doc, rel) or rel
        entry.update(dict(doc[key]) if key in doc else {})
        if old_key and old_key != key:
            del doc[old_key]
        entry.update(given)
        if not entry and key not in doc:
            return
        table = tomlkit.table()
        for k, v in entry.items():
            table[k] = v
        doc[key] = table
        self.save(doc)

    def drop(self, rel: str) -> None:
        """Remove ``rel``'s entry, if it has one."""
        doc = self.load()
        key = metadata_key(doc, rel)
        if key:
            del doc[key]
            self.save(doc)
