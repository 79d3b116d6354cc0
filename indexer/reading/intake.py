"""Checking a file before it joins a collection (uploads in the app, ``klynge add``).

The type is decided by the content, never by the name: a PDF starts with ``%PDF-``, a Word file is a
zip with ``word/document.xml``, HTML and text must decode as text. A name that promises one type over
content of another is refused, as are files over the size limit, PDFs over the page limit, Word
files whose unpacked size or compression ratio give them away as zip bombs, and scanned images (PNG,
JPEG, TIFF) too large to be a page or with more pages than klynge reads by OCR. Names are reduced to
letters, digits, ``-``, ``_`` and ``.`` so nothing is written outside the collection's folder.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.errors import UploadRefused
from indexer.reading.readers.base import looks_binary
from indexer.reading.readers.image import NAMES as IMAGE_NAMES
from indexer.settings import env_number

SNIFF_BYTES = 8192  # enough of the head of a file to tell its type
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"))


@dataclass(frozen=True)
class UploadLimits:
    """What a file may be to join a collection; each limit with its reason."""

    max_bytes: int = 50 * 2**20
    """50 MB: larger than any policy paper or act seen (the largest shipped PDF is 2 MB); a bigger file is
    almost always a scan or a bundle, better split."""
    max_pdf_pages: int = 1500
    """Long reports run to a few hundred pages; a page count in the thousands is a mistake or an attack."""
    max_unpacked_bytes: int = 300 * 2**20
    """A Word file's parts, unpacked: text and a few images stay far below this."""
    max_ratio: int = 200
    """Compression ratio of any part of a Word file: XML compresses 5-20x; hundreds-fold is a zip bomb."""

    @classmethod
    def from_mb(cls, max_mb: float | None) -> UploadLimits:
        return cls() if not max_mb else cls(max_bytes=int(max_mb * 2**20))

    @classmethod
    def from_env(cls) -> UploadLimits:
        """The app's limits: ``KLYNGE_MAX_MB`` for the file size, the defaults otherwise."""
        return cls.from_mb(env_number("KLYNGE_MAX_MB", 0, example="50"))


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed :func:`check_file`: its safe name (with the suffix its content has)."""

    source: Path
    name: str
    kind: str  # ".pdf" | ".docx" | ".html" | ".md" | ".txt" | ".png" | ".jpg" | ".tif"
    size: int


def safe_name(name: str) -> str:
    """A file name with no directory part, no leading dot, and only ``[A-Za-z0-9._-]`` (Danish letters
    folded: æ→ae, ø→oe, å→aa), at most 120 characters. Never empty."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = base.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "oe").replace("Ø", "Oe").replace("å", "aa").replace("Å", "Aa")
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-_ ")
    base = re.sub(r"\.{2,}", ".", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:110].strip(".-_") or "dokument"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def sniff(path: Path) -> str:
    """The type a file's content has (``.pdf``, ``.docx``, ``.html``, ``.md``/``.txt`` by name for text),
    or raise :class:`UploadRefused` saying what it is instead."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head:
        raise UploadRefused(path.name, "the file is empty")
    if b"%PDF-" in head[:1024]:
        return ".pdf"
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise UploadRefused(path.name, "a damaged zip archive, not a Word document") from exc
        if "word/document.xml" in names:
            return ".docx"
        raise UploadRefused(path.name, "a zip archive but not a Word (.docx) document; unpack it and add the documents")
    if head.startswith((b"\xd0\xcf\x11\xe0", )):
        raise UploadRefused(path.name, "an old Word (.doc) or Office file: save it as .docx or PDF and add that")
    if looks_binary(head):
        raise UploadRefused(path.name, "binary content, not a document klynge reads (PDF, Word .docx, HTML, text, scanned PNG/JPEG/TIFF)")
    from charset_normalizer import from_bytes

    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        text = head.decode("utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig", errors="replace")
    else:
        best = from_bytes(head).best()
        if best is None:
            raise UploadRefused(path.name, "not readable as text in any encoding; klynge reads PDF, Word (.docx), HTML and text")
        text = str(best)
    lower = text[:2000].lower().lstrip()
    if lower.startswith(("<!doctype html", "<html")) or "<html" in lower[:500] or "<body" in lower[:2000]:
        return ".html"
    return ".md" if path.suffix.lower() in (".md", ".markdown") else ".txt"


def check_file(path: Path, limits: UploadLimits = UploadLimits(), name: str | None = None) -> CheckedFile:
    """Check a file by its content against ``limits``; ``name`` is the name the user gave it (uploads
    arrive under temporary names). Raises :class:`UploadRefused` with the reason."""
    path = Path(path)
    shown = name or path.name
    if not path.is_file():
        raise UploadRefused(shown, "no such file")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UploadRefused(shown, f"too large: {size / 2**20:.1f} MB, the limit is {limits.max_bytes / 2**20:.0f} MB "
                                   "(split the document, or raise the limit with --max-mb)")
    try:
        kind = sniff(path)
    except UploadRefused as exc:
        raise UploadRefused(shown, exc.reason) from None
    claimed = Path(shown).suffix.lower()
    text_names = (".txt", ".md", ".markdown", ".text", "")
    if claimed in (".pdf", ".docx") and claimed != kind:
        raise UploadRefused(shown, f"named {claimed} but its content is {_describe(kind)}; rename it or export it again")
    if kind in (".pdf", ".docx") and claimed not in (kind, ""):  # its own ending, or none
        raise UploadRefused(shown, f"named {claimed} but its content is {_describe(kind)}; give it the {kind} ending")
    if kind in IMAGE_NAMES:
        if claimed not in (*IMAGE_NAMES[kind], ""):
            raise UploadRefused(shown, f"named {claimed or 'without an ending'} but its content is {_describe(kind)}; "
                                       f"give it the {kind} ending")
        _check_image(path, shown)
    elif kind == ".pdf":
        _check_pdf(path, shown, limits)
    elif kind == ".docx":
        _check_docx(path, shown, limits)
    if kind in (".md", ".txt") and claimed not in (*text_names, ".html", ".htm"):
        raise UploadRefused(shown, f"a {claimed} file; klynge reads PDF, Word (.docx), HTML, text (.txt, .md) and scans (.png, .jpg, .tif)")
    if kind in (".md", ".txt") and claimed in (".html", ".htm"):
        kind = ".html"  # an HTML fragment without <html>: the name says so and the reader copes
    safe = safe_name(shown)
    stem = safe.rsplit(".", 1)[0] if "." in safe else safe
    return CheckedFile(path, f"{stem}{kind}", kind, size)


def _describe(kind: str) -> str:
    return {".pdf": "a PDF", ".docx": "a Word document", ".html": "HTML", ".md": "text", ".txt": "text",
            ".png": "a PNG image", ".jpg": "a JPEG image", ".tif": "a TIFF image"}[kind]


def _check_image(path: Path, shown: str) -> None:
    """A scanned page: its header says a size a page can have and no more pages than klynge OCRs."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    from indexer.reading import ocr

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                w, h = img.size
                frames = getattr(img, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(shown, "an image too large to open safely (a decompression bomb?); scan at 300 dpi") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise UploadRefused(shown, "a damaged image that cannot be read; scan it again") from None
    if w * h > ocr.MAX_PIXELS:
        raise UploadRefused(shown, f"an image of {w:,} × {h:,} pixels, too large for a scanned page; scan at 300 dpi")
    too_many = ocr.page_limit(frames)
    if too_many:
        raise UploadRefused(shown, too_many)


def _check_pdf(path: Path, shown: str, limits: UploadLimits) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = len(PdfReader(str(path), strict=False).pages)
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise UploadRefused(shown, f"a damaged PDF ({type(exc).__name__}); export it again") from exc
    if pages > limits.max_pdf_pages:
        raise UploadRefused(shown, f"{pages} pages, the limit is {limits.max_pdf_pages}; split the PDF")
    if pages == 0:
        raise UploadRefused(shown, "a PDF with no pages")


def _check_docx(path: Path, shown: str, limits: UploadLimits) -> None:
    with zipfile.ZipFile(path) as z:
        total = 0
        for info in z.infolist():
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio and info.file_size > 2**20:
                raise UploadRefused(shown, f"part {info.filename} unpacks {info.file_size // info.compress_size}-fold "
                                           "(a zip bomb?); export the document again")
        if total > limits.max_unpacked_bytes:
            raise UploadRefused(shown, f"unpacks to {total / 2**20:.0f} MB, the limit is "
                                       f"{limits.max_unpacked_bytes / 2**20:.0f} MB; remove large images or split it")


def suggest_metadata(path: Path, kind: str | None = None) -> dict[str, str]:
    """Title, publisher and date a file says about itself (PDF info, Word core properties, HTML title,
    the first heading), to prefill the form; empty strings where it says nothing."""
    path = Path(path)
    kind = kind or sniff(path)
    out = {"title": "", "publisher": "", "date": ""}
    try:
        if kind == ".pdf":
            from pypdf import PdfReader

            info: Any = PdfReader(str(path), strict=False).metadata or {}
            out["title"] = str(info.get("/Title") or "").strip()
            out["publisher"] = str(info.get("/Author") or "").strip()
            m = re.search(r"(\d{4})(\d{2})(\d{2})", str(info.get("/CreationDate") or ""))
            out["date"] = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""
        elif kind == ".docx":
            import docx

            props = docx.Document(str(path)).core_properties
            out["title"] = (props.title or "").strip()
            out["publisher"] = (props.author or "").strip()
            out["date"] = props.created.date().isoformat() if props.created else ""
    except Exception:  # a file's own metadata is a hint; a broken one is ignored
        pass
    if not out["title"] or out["title"].lower() in ("untitled", "microsoft word", "dokument1", "document1"):
        from indexer.reading.read import read_document

        try:  # the first heading, as the index would take it (gradio keeps an upload's own name and suffix)
            out["title"] = read_document(path).title if path.suffix.lower() == kind else ""
        except Exception:
            out["title"] = ""
    return out
