"""A collection that changes: adding, replacing and removing documents and editing their metadata under
one write lock (``changes``), and following a folder (``watch``)."""

from indexer.library.changes import Change, ChangeReport, DocumentMeta, Library, Listed, write_lock

__all__ = ["Change", "ChangeReport", "DocumentMeta", "Library", "Listed", "write_lock"]
