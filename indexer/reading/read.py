"""Reading one file into a :class:`~indexer.reading.document.Document`, and finding the files of a corpus.

The format-specific work is done by the readers in ``indexer.reading.readers`` (chosen by suffix); this module
adds what every format shares: size limits, error messages, ``documents.toml`` metadata, file hashes.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Container
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.errors import DocumentError
from indexer.reading.collection import COLLECTION_FILE
from indexer.reading.document import Document
from indexer.reading.legal import act_number
from indexer.reading.readers import READERS, SUPPORTED, assemble
from indexer.reading.readers.base import Block

METADATA_FILE = "documents.toml"
MANIFEST_FILE = "manifest.json"  # a published collection's list of its files (e.g. ../shared/bench/laws)
# manifest.json field -> Document field; "id" such as "2024:230" (year:number) gives the act's number
_MANIFEST_FIELDS = {"title": "title", "issued": "date", "date": "date", "publisher": "publisher", "kind": "kind",
                    "id": "number", "number": "number", "status": "status", "url": "url"}
MAX_TEXT_BYTES = 200 * 1024 * 1024  # refuse absurd files rather than exhaust memory


def load_metadata(corpus_dir: Path) -> dict[str, dict[str, Any]]:
    """The collection's metadata per file name: title, publisher, date, kind, and for acts number, status
    and url. From ``manifest.json`` (a list of ``{"file": ..., "title": ..., "issued": ..., "id": "2024:230",
    "status": ..., "url": ...}``) when there is one, overridden field by field by ``documents.toml``."""
    meta = load_manifest(corpus_dir)
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        return meta
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(str(path), f"metadata file is not valid TOML ({exc}); fix or delete it") from exc
    for k, v in data.items():
        if isinstance(v, dict):
            meta[str(k)] = {**meta.get(str(k), {}), **v}
    return meta


def metadata_key(keys: Container[str], rel: str) -> str | None:
    """Which key holds a file's metadata (``documents.toml``, ``manifest.json``): its path relative to the
    collection, else its name, else none. The one rule for reading an entry and for changing it."""
    return next((key for key in (rel, Path(rel).name) if key in keys), None)


def load_manifest(corpus_dir: Path) -> dict[str, dict[str, Any]]:
    """``manifest.json`` as metadata per file name (empty when there is none)."""
    path = corpus_dir / MANIFEST_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DocumentError(str(path), f"manifest is not valid JSON ({exc}); fix or delete it") from exc
    entries = data.get("documents", data.get("files")) if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise DocumentError(str(path), 'manifest must be a list of objects with a "file" name each')
    out: dict[str, dict[str, Any]] = {}
    for e in entries:
        if isinstance(e, dict) and isinstance(e.get("file"), str):
            out[e["file"]] = {_MANIFEST_FIELDS[k]: str(v) for k, v in e.items()
                              if k in _MANIFEST_FIELDS and v not in (None, "")}
    return out


def doc_id_for(path: Path) -> str:
    stem = path.stem.lower()
    stem = re.sub(r"[^\w.-]+", "-", stem).strip("-")
    return stem or "document"


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _title_as_heading(blocks: list[Block], title: Any) -> list[Block]:
    """A first paragraph that is the document's title (from its metadata) is its heading: "Bekendtgørelse af
    lov om vandforsyning m.v." ends with a full stop, so the text reader took it for text, and alone before
    the first § it became a passage of its own, a title with nothing to cite."""
    if not blocks or not title or blocks[0].kind != "para" or " ".join(blocks[0].text.split()) != " ".join(
            str(title).split()):
        return blocks
    return [replace(blocks[0], kind="heading", level=1), *blocks[1:]]


def read_document(path: Path, meta: dict[str, Any] | None = None, content_hash: str | None = None) -> Document:
    """Read one file into a cleaned :class:`Document`; raises :class:`DocumentError` on bad input."""
    path = Path(path)
    meta = dict(meta or {})
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(str(path), f"unsupported file type '{suffix}'; klynge reads {', '.join(SUPPORTED)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(str(path), f"cannot be opened ({exc.strerror or exc})") from exc
    if size > MAX_TEXT_BYTES:
        raise DocumentError(str(path), f"too large ({size // 2**20} MB > {MAX_TEXT_BYTES // 2**20} MB); split it")
    try:
        content = READERS[suffix](path)
    except PermissionError as exc:
        raise DocumentError(str(path), "no permission to read it; check the file's permissions") from exc
    except OSError as exc:
        raise DocumentError(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    except RecursionError as exc:
        raise DocumentError(str(path), "structure too deeply nested to read") from exc
    blocks = content.blocks
    joined = assemble(_title_as_heading(blocks, meta.get("title")))
    if not joined.text.strip():
        raise DocumentError(str(path), "no text found after cleaning (empty or only page furniture)")
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    ocr_conf = {page: b.ocr for b in blocks if b.ocr is not None
                for page in (b.page, *(p for _, p in b.page_breaks))}
    title = str(meta.get("title") or first_heading or path.stem.replace("-", " ").replace("_", " "))
    return Document(
        doc_id=str(meta.get("id") or doc_id_for(path)),
        path=str(path),
        title=title,
        text=joined.text,
        spans=joined.spans,
        page_starts=joined.page_starts,
        n_pages=content.pages,
        publisher=str(meta.get("publisher", "")),
        date=str(meta.get("date", "")),
        kind=str(meta.get("kind", "")),
        content_hash=content_hash or file_hash(path),
        number=act_number(str(meta.get("number", ""))),
        status=str(meta.get("status", "")),
        url=str(meta.get("url", "")),
        ocr_pages=len(ocr_conf),
        ocr_confidence=round(sum(ocr_conf.values()) / len(ocr_conf), 1) if ocr_conf else None,
    )


def discover(corpus_dir: Path, skip: frozenset[str] = frozenset()) -> list[Path]:
    """Files under ``corpus_dir`` (recursive, sorted), symlink loops and hidden files skipped, as are
    the metadata, manifest and collection files, READMEs, and the paths (relative to ``corpus_dir``) in ``skip``."""
    found: list[Path] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(d: Path) -> None:
        try:
            st = d.stat()
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        try:
            entries = sorted(d.iterdir())
        except OSError:
            return
        for p in entries:
            if p.name.startswith(".") or p.name in (METADATA_FILE, COLLECTION_FILE, MANIFEST_FILE) or \
                    p.name.lower().startswith("readme") or str(p.relative_to(corpus_dir)) in skip:
                continue
            if p.is_dir():
                walk(p)
            else:
                found.append(p)

    walk(corpus_dir)
    return found
