"""Building an index: read every file, split, embed what is new (the rest comes from the previous
index by passage-text hash), then write the index atomically (``Index.publish``)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexer.building.cache import EmbeddingCache, text_key
from indexer.building.checks import CHECK_WIDTH, Stored, embed_checks, stored_checks
from indexer.building.distributed import RaySettings
from indexer.building.lock import write_lock
from indexer.building.progress import Progress
from indexer.embedding.base import Embedder, embedding_order
from indexer.errors import CorpusError, DocumentError, KlyngeError
from indexer.reading import ocr
from indexer.reading.collection import Collection, load_collection
from indexer.reading.document import Document
from indexer.reading.fingerprint import fingerprint as reading_fingerprint
from indexer.reading.read import discover, file_hash, load_metadata, metadata_key, read_document
from indexer.reading.readers import text
from indexer.reading.split import Passage, sentence_windows, split_document
from indexer.store.ann import HNSW_THRESHOLD, make_ann
from indexer.store.index import FORMAT_VERSION, Index, clean_stale
from indexer.store.lexical import LexicalIndex

CHUNK = 64  # passages embedded between two writes to the resumable cache (a multiple of the batch of 16)
# glibc's malloc settings for a process that embeds a collection (`klynge index` and `klynge add` start
# with them, qa/cli.py): blocks of 4 MB and more (the model's activations) get mappings of their own,
# returned to the system when freed, instead of fragmenting the heap a little more with every batch,
# and those mappings use transparent huge pages so that the extra page faults cost little. The laws'
# build peaked at 1.37 GiB instead of 1.88-2.14, embedding at 8.4 passages/s instead of 9.7
# (docs/scale.md, "Index builds").
BUILD_MALLOC = "glibc.malloc.mmap_threshold=4194304:glibc.malloc.hugetlb=1"


@dataclass
class BuildReport:
    """What a build did; filled in as it goes, printed by ``klynge index`` (``--json``: :meth:`to_json`)."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    passages: int = 0
    pages: int = 0
    embedded: int = 0
    reused: int = 0
    resumed: int = 0  # of ``reused``: vectors an interrupted earlier build had written to the cache
    embed_seconds: float = 0.0
    passages_per_second: float = 0.0  # embedding throughput of this build (0 when nothing was embedded)
    windows: int = 0  # the answer check's windows (indexer.building.checks)
    windows_embedded: int = 0  # of them, embedded by this build (the rest reused)
    window_seconds: float = 0.0
    seconds: float = 0.0
    index_dir: str = ""
    embedder: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__, n_documents=len(self.documents))


def meta_fingerprint(meta: dict[str, Any] | None) -> str:
    """A file's ``documents.toml`` entry, as a short hash (a changed title or date means re-reading it)."""
    return hashlib.sha256(json.dumps(meta or {}, sort_keys=True, default=str).encode()).hexdigest()[:16]


def metadata_entry(meta: dict[str, dict[str, Any]], rel: str) -> dict[str, Any] | None:
    """A file's entry in ``documents.toml``: under its path relative to the corpus, else its name."""
    key = metadata_key(meta, rel)
    return meta[key] if key else None


@dataclass(frozen=True)
class _Previous:
    """What the current index holds, for reuse: its documents by file, their passages, their vectors."""

    documents: dict[str, tuple[str, Document]]  # file -> (its documents.toml fingerprint, its document)
    passages: dict[str, list[Passage]]  # doc_id -> passages in order
    dense: dict[str, np.ndarray]
    sparse: dict[str, Any]
    checks: Stored = field(default_factory=dict)

    @classmethod
    def empty(cls) -> _Previous:
        return cls({}, {}, {}, {})


def read_metadata(corpus_dir: Path, report: BuildReport) -> dict[str, dict[str, Any]]:
    """``documents.toml``; a broken one is reported and read as empty."""
    try:
        return load_metadata(corpus_dir)
    except DocumentError as exc:
        report.skipped.append({"file": exc.path, "reason": exc.reason})
        return {}


def collect_documents(corpus_dir: Path, report: BuildReport, log: Callable[[str], None] = lambda s: None,
                      skip: frozenset[str] = frozenset(), previous: _Previous | None = None,
                      meta: dict[str, dict[str, Any]] | None = None) -> list[Document]:
    """Read every file; bad ones are reported with a reason, duplicates indexed once. A file whose content
    and metadata are unchanged since ``previous`` is not read again: its stored document is reused.
    ``meta``: the collection's ``documents.toml`` (read here when not given)."""
    previous = previous or _Previous.empty()
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist: give --corpus DIR")
    if meta is None:
        meta = read_metadata(corpus_dir, report)
    files = discover(corpus_dir, skip)
    pdfs = {p.with_suffix(""): p for p in files if p.suffix.lower() == ".pdf"}  # a text copy sits beside its PDF
    seen_hashes: dict[str, str] = {}
    docs: list[Document] = []
    used_ids: set[str] = set()
    for path in files:
        rel = str(path.relative_to(corpus_dir))
        pdf = pdfs.get(path.with_suffix("")) if path.suffix.lower() in text.SUFFIXES else None
        if pdf is not None:
            report.duplicates.append({"file": rel, "same_as": str(pdf.relative_to(corpus_dir)),
                                      "reason": "text version of a PDF in the corpus; the PDF is indexed for page numbers"})
            continue
        h = _hash_of(path, rel, report)
        if h is None:
            continue
        if h in seen_hashes:
            report.duplicates.append({"file": rel, "same_as": seen_hashes[h], "reason": "identical content"})
            continue
        entry = metadata_entry(meta, rel)
        old = previous.documents.get(rel)
        try:
            # the stored document, kept without its structure, only where it keeps its id (a new file may take it)
            if old and old[1].content_hash == h and old[0] == meta_fingerprint(entry) and old[1].doc_id not in used_ids:
                doc = old[1]
            else:
                doc = read_document(path, entry, content_hash=h)
        except DocumentError as exc:
            report.skipped.append({"file": rel, "reason": exc.reason})
            log(f"skipped {rel}: {exc.reason}")
            continue
        except Exception as exc:  # one bad document never stops a build
            report.skipped.append({"file": rel, "reason": f"unexpected error while reading ({type(exc).__name__}: {exc})"})
            continue
        seen_hashes[h] = rel
        doc_id = _unused(doc.doc_id, used_ids)
        used_ids.add(doc_id)
        docs.append(doc.with_changes(doc_id=doc_id, path=rel))
    return docs


def _hash_of(path: Path, rel: str, report: BuildReport) -> str | None:
    """The file's content hash, or None with the reason it cannot be read in ``report.skipped``."""
    try:
        if path.is_symlink() and not path.exists():
            raise DocumentError(rel, "broken or looping symbolic link")
        return file_hash(path)
    except DocumentError as exc:
        reason = exc.reason
    except PermissionError:
        reason = "no permission to read it; check the file's permissions"
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror or exc})"
    report.skipped.append({"file": rel, "reason": reason})
    return None


def _unused(doc_id: str, used: set[str]) -> str:
    """``doc_id``, or with "-2", "-3" … appended where another document has it."""
    new, n = doc_id, 2
    while new in used:
        new, n = f"{doc_id}-{n}", n + 1
    return new


def build_index(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, progress: bool = True,
                log: Callable[[str], None] = lambda s: None, faiss_threshold: int = HNSW_THRESHOLD,
                ray: RaySettings | None = None) -> BuildReport:
    """Read, split, embed (reusing vectors of unchanged passages) and store atomically, holding the index's
    write lock (``indexer.building.lock``: a second writer waits for this one).

    ``ray``: embed the new passages on a Ray cluster (``indexer.building.distributed``) instead of here."""
    with write_lock(Path(index_dir)):
        return _build(Path(corpus_dir), Path(index_dir), embedder, progress, log, faiss_threshold, ray)


def _build(corpus_dir: Path, index_dir: Path, embedder: Embedder, progress: bool, log: Callable[[str], None],
           faiss_threshold: int, ray: RaySettings | None) -> BuildReport:
    t0 = time.perf_counter()
    report = BuildReport(index_dir=str(index_dir), embedder=embedder.key)
    clean_stale(index_dir)
    collection = _collection(corpus_dir, report)
    previous = _previous(index_dir, embedder)
    meta = read_metadata(corpus_dir, report)
    with ocr.language(collection.language):  # scanned pages are read in the collection's language
        docs = collect_documents(corpus_dir, report, log, frozenset({collection.glossary_file} - {""}), previous, meta)
    if not docs:
        report.seconds = time.perf_counter() - t0
        return report
    passages, indexed = _split(docs, previous, report)
    metas = {d.path: meta_fingerprint(metadata_entry(meta, d.path)) for d in docs}

    texts = [p.context_text() for p in passages]
    keys = [text_key(t) for t in texts]
    vectors, sparse = _embed(texts, keys, index_dir, embedder, report, progress, previous, ray)
    t1 = time.perf_counter()
    windows = embed_checks(passages, keys, embedder, previous.checks,
                           EmbeddingCache(index_dir, _cache_key(embedder) + "|checks"), progress)
    checks, report.windows_embedded = windows.checks, windows.embedded
    report.windows, report.window_seconds = len(checks.vectors), time.perf_counter() - t1
    embedder.release()  # the passage engine's memory, before the BM25 and FAISS builds add theirs
    ann = make_ann(vectors, faiss_threshold)
    doc_of = np.unique([p.doc_id for p in passages], return_inverse=True)[1]  # each passage's document number
    lexical = LexicalIndex.build(texts, sentence_windows(passages)).with_documents([p.text for p in passages], doc_of)
    manifest = _manifest(corpus_dir, embedder, passages, indexed, keys, metas, ann, sparse, report)
    Index(passages, indexed, ann, lexical, manifest, sparse, collection=collection, checks=checks).publish(index_dir)
    EmbeddingCache(index_dir, _cache_key(embedder)).clear()  # the new index holds every vector now (the windows too)
    report.seconds = time.perf_counter() - t0
    return report


def _split(docs: list[Document], previous: _Previous, report: BuildReport,
           ) -> tuple[list[Passage], dict[str, Document]]:
    """Every document's passages (an unchanged document's stored ones, else split now) and the documents as
    the index stores them; each document's line in ``report``."""
    passages: list[Passage] = []
    indexed: dict[str, Document] = {}
    for doc in docs:
        old = previous.documents.get(doc.path)
        reused = old is not None and doc == old[1]  # the stored document itself: unchanged file, metadata, id
        ps = previous.passages.get(doc.doc_id, []) if reused else []
        ps = ps or split_document(doc)
        passages.extend(ps)
        indexed[doc.doc_id] = doc.with_changes(n_passages=len(ps), spans=())
        report.documents.append({"doc_id": doc.doc_id, "file": doc.path, "title": doc.title,
                                 "pages": doc.n_pages, "passages": len(ps), "ocr_pages": doc.ocr_pages})
        report.pages += doc.n_pages
    report.passages = len(passages)
    return passages, indexed


def _manifest(corpus_dir: Path, embedder: Embedder, passages: list[Passage], indexed: dict[str, Document],
              keys: list[str], metas: dict[str, str], ann: Any, sparse: Any, report: BuildReport) -> dict[str, Any]:
    """The index's manifest: what built it, from what, and each passage's and document's key."""
    return {
        "format_version": FORMAT_VERSION,
        "corpus": str(corpus_dir.resolve()),
        "embedder": embedder.name,
        "model": embedder.model,
        "embedder_key": embedder.key,
        "dim": embedder.dim,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "n_passages": len(passages),
        "n_documents": len(indexed),
        "faiss": ann.params,
        "lexical": LexicalIndex.DESCRIPTION,
        "sparse": bool(sparse is not None),
        "sparse_recipe": embedder.sparse_recipe,
        "check_windows": {"width": CHECK_WIDTH},
        "passage_keys": keys,
        "documents": {d.doc_id: {"file": d.path, "sha256": d.content_hash, "meta": metas.get(d.path, "")}
                      for d in indexed.values()},
        "pipeline": reading_fingerprint(),
        "skipped": report.skipped,
    }


def _collection(corpus_dir: Path, report: BuildReport) -> Collection:
    """The collection's settings; a broken ``collection.toml`` is reported and the defaults used."""
    if not corpus_dir.is_dir():
        return Collection()
    try:
        return load_collection(corpus_dir)
    except DocumentError as exc:
        report.skipped.append({"file": exc.path, "reason": exc.reason})
        return Collection()


def _batches(todo: list[int], texts: list[str], embedder: Embedder,
             ray: RaySettings | None) -> Iterator[tuple[list[int], np.ndarray, Any]]:
    """(passage numbers, dense vectors, sparse rows or None) for the passages ``todo``, a chunk at a
    time: here, or on Ray (in the order the workers finish)."""
    if ray is not None:
        from indexer.building.distributed import RayRunner

        for b in RayRunner(embedder, ray).run(todo, [texts[i] for i in todo]):
            yield [int(i) for i in b.ids], b.dense, b.sparse
        return
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        out = embedder.encode_passages([texts[i] for i in chunk])
        rows = None
        if out.sparse is not None:
            import scipy.sparse as sp

            rows = sp.csr_matrix(out.sparse)
        yield chunk, out.dense, rows


def _embed(texts: list[str], keys: list[str], index_dir: Path, embedder: Embedder, report: BuildReport,
           progress: bool, previous: _Previous, ray: RaySettings | None = None) -> tuple[np.ndarray, Any]:
    """Dense vectors (and sparse rows, when the embedder has a sparse head) of every passage:
    from the previous index where the text is unchanged, from the model otherwise."""
    cache_dense, cache_sparse = dict(previous.dense), dict(previous.sparse)
    cache = EmbeddingCache(index_dir, _cache_key(embedder))

    def todo_now() -> list[int]:
        return [i for i, k in enumerate(keys) if k not in cache_dense or (embedder.sparse_dim and k not in cache_sparse)]

    not_in_index = len(todo_now())
    partial = cache.load()
    cache_dense.update(partial.dense)
    cache_sparse.update(partial.sparse)
    todo = embedding_order(todo_now(), texts.__getitem__)
    report.resumed = not_in_index - len(todo)
    report.reused = len(texts) - len(todo)
    report.embedded = len(todo)

    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in cache_dense:
            vectors[i] = cache_dense[k]
    sparse_rows: dict[int, Any] = {}
    if todo:
        t0 = time.perf_counter()
        bar = Progress(len(todo), "embedding passages", progress)
        for chunk, new, rows_chunk in _batches(todo, texts, embedder, ray):
            for j, i in enumerate(chunk):
                vectors[i] = new[j]
                if rows_chunk is not None:
                    sparse_rows[i] = rows_chunk[j]
            cache.append([keys[i] for i in chunk], new, rows_chunk)
            bar.update(len(chunk))
        bar.close()
        report.embed_seconds = time.perf_counter() - t0
        report.passages_per_second = len(todo) / report.embed_seconds if report.embed_seconds else 0.0
    sparse = None
    if embedder.sparse_dim:
        import scipy.sparse as sp

        rows = [sparse_rows[i] if i in sparse_rows else cache_sparse[k] for i, k in enumerate(keys)]
        sparse = sp.vstack(rows).tocsr() if rows else None
    return vectors, sparse


def _cache_key(embedder: Embedder) -> str:
    """What the vectors of a resumable build's cache were made with: the model and the sparse recipe."""
    return f"{embedder.key}|sparse={embedder.sparse_recipe}"


def _previous(index_dir: Path, embedder: Embedder) -> _Previous:
    """The current index's documents, passages and vectors, if it was built with the same embedder
    (sparse rows only if also with the same sparse recipe; documents and passages only if also with the
    same reading and splitting code)."""
    try:
        old = Index.load(index_dir, expect_embedder=embedder.key)
    except KlyngeError:
        return _Previous.empty()
    keys = old.manifest.get("passage_keys") or []
    if len(keys) != len(old.passages):
        return _Previous.empty()
    try:
        vecs = old.vectors()
    except RuntimeError:
        return _Previous.empty()
    dense = {k: vecs[i] for i, k in enumerate(keys)}
    sparse: dict[str, Any] = {}
    if old.sparse is not None and old.manifest.get("sparse_recipe", "raw") == embedder.sparse_recipe:
        rows = old.sparse.tocsr()  # loaded column-major
        sparse = {k: rows[i] for i, k in enumerate(keys)}
    documents: dict[str, tuple[str, Document]] = {}
    passages: dict[str, list[Passage]] = {}
    if old.manifest.get("pipeline") == reading_fingerprint():
        listed = old.manifest.get("documents") or {}
        for d in old.documents.values():
            info = listed.get(d.doc_id) or {}
            if info.get("meta"):
                documents[d.path] = (str(info["meta"]), d)
        for p in old.passages:
            passages.setdefault(p.doc_id, []).append(p)
    return _Previous(documents, passages, dense, sparse, stored_checks(old.checks, keys))
