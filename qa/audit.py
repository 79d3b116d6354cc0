"""The audit trail: who added, replaced, edited or removed which document, when, with the file's hash.

An SQLite file beside the index (``<index>.audit.sqlite``), one append-only table: triggers refuse
every UPDATE and DELETE, so an entry, once written, stays as it was. ``qa.service`` writes an entry for
every change the CLI, the app or the API makes; ``klynge audit`` and the Documents tab read it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from indexer import Change, Library
from indexer.reading.read import file_hash

from .access import User

__all__ = ["AUDITED", "Entry", "audit_path", "entries", "hash_of", "record", "record_changes"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,          -- UTC, ISO 8601
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,        -- added | replaced | updated | removed
    file TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
AUDITED = ("added", "replaced", "updated", "removed")


@dataclass(frozen=True)
class Entry:
    time: str
    user: str
    role: str
    action: str
    file: str
    doc_id: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def audit_path(index_dir: Path) -> Path:
    return Path(f"{Path(index_dir)}.audit.sqlite")


def _connect(index_dir: Path) -> sqlite3.Connection:
    path = audit_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30)
    con.executescript(_SCHEMA)
    return con


def record(index_dir: Path, user: str, role: str, rows: Sequence[tuple[str, str, str, str]]) -> None:
    """Append one entry per ``(action, file, doc_id, sha256)`` of ``rows``, all at one time."""
    if not rows:
        return
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    con = _connect(index_dir)
    try:
        with con:
            con.executemany("INSERT INTO audit (time, user, role, action, file, doc_id, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(now, user, role, *row) for row in rows])
    finally:
        con.close()


def entries(index_dir: Path, doc_id: str | None = None, limit: int | None = None) -> list[Entry]:
    """The trail, newest first; of one document when ``doc_id`` is given."""
    if not audit_path(index_dir).exists():
        return []
    con = _connect(index_dir)
    try:
        sql = "SELECT time, user, role, action, file, doc_id, sha256 FROM audit"
        args: list[Any] = []
        if doc_id:
            sql += " WHERE doc_id = ?"
            args.append(doc_id)
        sql += " ORDER BY id DESC"
        if limit:
            sql += " LIMIT ?"
            args.append(int(limit))
        return [Entry(*row) for row in con.execute(sql, args)]
    finally:
        con.close()


def hash_of(path: Path) -> str:
    """The file's SHA-256 ("" when it is not there)."""
    return file_hash(path) if path.is_file() else ""


def record_changes(library: Library, who: User, changes: Sequence[Change], hashes: dict[str, str] | None = None) -> None:
    """One entry for each document a change added, replaced, updated or removed (``hashes``: of removed
    documents, taken before their files moved)."""
    rows = [(c.action, c.file, c.doc_id, (hashes or {}).get(c.doc_id) or hash_of(library.corpus_dir / c.file))
            for c in changes if c.action in AUDITED and c.file]
    record(library.index_dir, who.name, who.role, rows)
