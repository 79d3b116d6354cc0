"""The reading fingerprint: one hash of every file of ``indexer.reading`` (readers, cleaning, legal
structure, splitting), stored in an index's manifest. A build reuses the stored passages of an unchanged
file only when its index was made by the same code, so a change to any rule of reading or splitting (or a
new module here) re-reads the collection, by construction."""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def fingerprint(package: Path = PACKAGE) -> str:
    """A short hash of the names and bytes of the ``.py`` files under ``package``."""
    h = hashlib.sha256()
    for f in sorted(package.rglob("*.py")):
        h.update(f.relative_to(package).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
