"""PDF (pypdf with a text visitor): lines with font and position; headings by font size and weight,
running headers and footers dropped by repetition across pages, letterheads dropped, line-end
hyphenation joined against the document's own vocabulary, the page of every character kept.

A page without a usable text layer (none, or a garbled one: ``clean.looks_garbled``) is rendered with
pdfium and read by OCR (``indexer.reading.ocr``); its lines join the others, so a mixed PDF keeps its real
text where it has one. :func:`blocks_from_lines` is shared with the image reader."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from indexer.errors import DocumentError
from indexer.reading import clean
from indexer.reading.readers.base import Block, FileText, letterhead_mask

SUFFIXES = (".pdf",)


def read(path: Path) -> FileText:
    return read_pdf_blocks(path)


@dataclass
class _Line:
    page: int
    y: float
    x: float
    text: str
    font: str
    size: float
    bullet: bool = False
    ocr: float | None = None  # mean OCR confidence of the line's page; None: from the text layer
    ink: float = 0.0  # share of dark pixels in an OCR line's box (bold type has more)
    cell: bool = False  # an OCR line opening a table cell: a paragraph of its own


def _pdf_lines(path: Path) -> tuple[list[_Line], int]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                ok = bool(reader.decrypt(""))
            except Exception:
                ok = False
            if not ok:
                raise DocumentError(str(path), "encrypted PDF: save an unprotected copy and index that")
        pages = list(reader.pages)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise DocumentError(str(path), f"damaged or truncated PDF ({exc.__class__.__name__}: {str(exc)[:80]})") from exc
    lines: list[_Line] = []
    for number, page in enumerate(pages, start=1):
        chunks: list[tuple[float, float, str, str, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float,
                  _chunks: list[tuple[float, float, str, str, float]] = chunks) -> None:
            if not text or not text.strip("\n"):
                return
            y = cm[5] + tm[5] * cm[3]
            x = cm[4] + tm[4] * cm[0]
            name = str((font or {}).get("/BaseFont", "")) if hasattr(font, "get") else ""
            _chunks.append((y, x, text, name.split("+")[-1], float(size) * abs(cm[3] or 1)))

        try:
            page.extract_text(visitor_text=visit)
        except Exception as exc:  # a broken content stream on one page
            raise DocumentError(str(path), f"page {number} cannot be read ({exc.__class__.__name__})") from exc
        lines.extend(_group_lines(number, chunks))
    return _with_ocr(path, lines, len(pages)), len(pages)


def _with_ocr(path: Path, lines: list[_Line], n_pages: int) -> list[_Line]:
    """``lines`` with the pages that have no usable text layer read by OCR instead."""
    by_page: dict[int, list[str]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln.text)
    scanned = [n for n in range(1, n_pages + 1)
               if n not in by_page or clean.looks_garbled(" ".join(by_page[n]))]
    if not scanned:
        return lines
    from indexer.reading import ocr

    if lines and ocr.available() is not None:
        return lines  # without Tesseract a mixed PDF is read from the pages that have text
    read = _read_scans(path, scanned)
    redone = set(scanned)
    kept = [ln for ln in lines if ln.page not in redone]
    for number, page in zip(scanned, read, strict=True):
        kept.extend(ocr_lines(number, page))
    kept.sort(key=lambda ln: ln.page)  # stable: each page's lines keep their order
    return kept


def ocr_lines(number: int, page: Any) -> list[_Line]:
    """An OCR-read page (``ocr.OcrPage``) as reader lines of page ``number``; a line opening with a mark OCR
    makes of a bullet ("•", read as "+", "«", "*" …) is a list item."""
    out = []
    for ln in page.lines:
        first, _, rest = ln.text.partition(" ")
        bullet = first in _OCR_BULLETS and bool(rest)
        text = clean.normalize_unicode(rest if bullet else ln.text)
        out.append(_Line(number, ln.y, ln.x, text, "", ln.size, bullet=bullet, ocr=page.confidence, ink=ln.ink,
                         cell=ln.cell))
    return out


_OCR_BULLETS = frozenset({"•", "▪", "◦", "·", "+", "«", "»", "*", "-", "–", "o", "e", "©", "®"})


class _Rendered(Sequence[Any]):
    """Pages ``numbers`` of the PDF as greyscale images at ``ocr.DPI``, each rendered when it is asked for
    (``ocr.ocr_pages`` takes a few at a time: a long scan is never in memory whole)."""

    def __init__(self, path: Path, pdf: Any, numbers: list[int]) -> None:
        self.path, self.pdf, self.numbers = path, pdf, numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Any]: ...

    def __getitem__(self, i: int | slice) -> Any:
        from indexer.reading import ocr

        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = self.numbers[i]
        page = self.pdf[n - 1]
        w, h = page.get_size()
        if (w * ocr.DPI / 72) * (h * ocr.DPI / 72) > ocr.MAX_PIXELS:
            raise DocumentError(str(self.path), f"page {n} is too large to OCR ({w / 72:.0f} × {h / 72:.0f} inches)")
        return page.render(scale=ocr.DPI / 72, grayscale=True).to_pil()


def _read_scans(path: Path, numbers: list[int]) -> list[Any]:
    """Pages ``numbers`` of the PDF read by OCR (``ocr.OcrPage``), rendered a few at a time."""
    import pypdfium2 as pdfium

    from indexer.reading import ocr

    too_many = ocr.page_limit(len(numbers))
    if too_many:
        raise DocumentError(str(path), too_many)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise DocumentError(str(path), f"scanned pages cannot be rendered for OCR ({exc})") from exc
    try:
        return ocr.ocr_pages(_Rendered(path, pdf, numbers), str(path), numbers=numbers)
    finally:
        pdf.close()


def _group_lines(page: int, chunks: list[tuple[float, float, str, str, float]]) -> list[_Line]:
    out: list[_Line] = []
    for y, x, text, font, size in chunks:
        bullet = clean.collapse_ws(text) in ("\x7f", "•", "▪", "◦", "-", "–") or text.strip() == ""
        if out and abs(out[-1].y - y) < 1.0 and not out[-1].text.endswith("\n"):
            last = out[-1]
            if last.bullet and not last.text.strip(" \x7f•▪◦"):
                last.text, last.font, last.size, last.x = text, font, size, x
            else:
                last.text += text
            continue
        out.append(_Line(page, y, x, text, font, size, bullet=bullet and bool(text.strip())))
    for line in out:
        stripped = clean.normalize_unicode(line.text.replace("\x7f", " ")).strip()
        if line.text.lstrip().startswith(("\x7f", "•", "▪")):
            line.bullet = True
        line.text = stripped
    return [ln for ln in out if ln.text]


def _running_lines(lines: list[_Line], n_pages: int) -> set[str]:
    """Headers/footers: the same text (digits folded) among the first/last 2 lines of most pages."""
    if n_pages < 2:
        return set()
    by_page: dict[int, list[_Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    counts: Counter[str] = Counter()
    for page_lines in by_page.values():
        ordered = sorted(page_lines, key=lambda ln: -ln.y)
        edge = {_fold_digits(ln.text) for ln in ordered[:2] + ordered[-2:]}
        counts.update(edge)
    need = max(2, (n_pages + 1) // 2)
    return {t for t, n in counts.items() if n >= need}


def _fold_digits(text: str) -> str:
    """A page-edge line as compared across pages: digits folded (page numbers), and only letters and
    digits kept (OCR reads a running header's dash as "-", ":", "+" or nothing from page to page)."""
    return re.sub(r"[\W_]+", "", re.sub(r"\d+", "#", clean.collapse_ws(text))).lower()


def read_pdf_blocks(path: Path) -> FileText:
    lines, n_pages = _pdf_lines(path)
    if not any(ln.text for ln in lines):
        if n_pages == 0:
            raise DocumentError(str(path), "PDF has no pages")
        raise DocumentError(str(path), "no text found, not even by OCR (blank pages?)")
    return FileText(blocks_from_lines(lines, n_pages), n_pages)


def blocks_from_lines(lines: list[_Line], n_pages: int) -> list[Block]:
    """A document's lines (text layer or OCR) as blocks: running lines, page numbers and letterheads
    dropped, headings by size, paragraphs by line spacing, lines joined."""
    running = _running_lines(lines, n_pages)
    lines = [ln for ln in lines if _fold_digits(ln.text) not in running and not re.fullmatch(r"(side|page)?\s*\d{1,4}", ln.text, re.I)]
    lines = _drop_pdf_letterhead(lines)
    vocab = clean.vocabulary(ln.text for ln in lines)
    body_size = _Body.of(lines)
    heading_sizes = sorted({_size_key(ln, body_size) for ln in lines if _is_heading_line(ln, body_size)}, reverse=True)
    level_of = {s: i + 1 for i, s in enumerate(heading_sizes)}
    spacing = _line_spacing(lines)

    blocks: list[Block] = []
    cur: list[_Line] = []

    def flush() -> None:
        if not cur:
            return
        first = cur[0]
        is_heading = _is_heading_line(first, body_size)
        kind = "heading" if is_heading else ("list" if first.bullet else "para")
        text, breaks = _join_pdf_lines(cur, vocab)
        text = _FOOTNOTE_DIGIT.sub("", text)
        text = clean.strip_inline_markup(text) if "<" in text else text
        if text:
            blocks.append(Block(kind, text, level=level_of.get(_size_key(first, body_size), 0) if is_heading else 0,
                                page=first.page, page_breaks=breaks, ocr=first.ocr))
        cur.clear()

    prev: _Line | None = None
    for ln in lines:
        if prev is None:
            cur.append(ln)
            prev = ln
            continue
        new_block = False
        h_prev, h_cur = _is_heading_line(prev, body_size), _is_heading_line(ln, body_size)
        if h_prev != h_cur or (h_cur and _resized(prev, ln)) or ln.bullet or ln.cell:
            new_block = True
        elif ln.page == prev.page:
            gap = prev.y - ln.y
            limit = spacing * (1.9 if h_cur else 1.25)
            if gap > limit or gap < 0:
                new_block = True
        else:  # page turn: continue a paragraph cut mid-sentence
            ended = prev.text.rstrip().endswith((".", ":", "?", "!"))
            new_block = ended or h_cur or not (ln.text[:1].islower() or ln.text[:1].isdigit())
        if new_block and not ln.bullet and not h_cur and re.search(r"[a-zæøå]-$", prev.text) \
                and ln.text[:1].islower():
            new_block = False  # a word broken across a paragraph or page boundary
        if new_block:
            flush()
        cur.append(ln)
        prev = ln
    flush()
    return _promote_label_headings(blocks)


_FOOTNOTE_DIGIT = re.compile(r"(?<=[a-zæøå]{3})[1-9](?=[:;,.]?(?:\s|$))")


@dataclass(frozen=True)
class _Body:
    """The body text's size, for lines of the text layer (the most common font size) and for scanned
    lines (the median OCR line height: heights vary line to line, and are not font sizes), and the
    median ink of scanned lines (bold headings have more)."""

    text: float
    scanned: float
    ink: float

    @classmethod
    def of(cls, lines: list[_Line]) -> _Body:
        sizes = Counter(round(ln.size, 1) for ln in lines if ln.ocr is None)
        scanned = sorted(ln.size for ln in lines if ln.ocr is not None)
        ink = sorted(ln.ink for ln in lines if ln.ocr is not None and len(ln.text.split()) > 4)
        return cls(sizes.most_common(1)[0][0] if sizes else 10.0, scanned[len(scanned) // 2] if scanned else 10.0,
                   ink[len(ink) // 2] if ink else 0.0)


def _is_heading_line(ln: _Line, body: _Body) -> bool:
    if ln.ocr is not None:  # a scan: line heights in a resolution the image may not state, so relative
        short = len(ln.text.split()) <= 15
        bold = body.ink > 0 and ln.ink > body.ink * _OCR_BOLD and not ln.bullet and not ln.text.endswith((".", ","))
        # tall but pale: a box spanning rows of small text (table cells Tesseract ran together), no heading
        tall = ln.size > body.scanned * _OCR_HEADING and ln.ink >= body.ink * _OCR_PALE
        # somewhat larger and somewhat bolder: each short of its own mark in a noisy scan, together a heading
        both = body.ink > 0 and (ln.size / body.scanned) * (ln.ink / body.ink) >= _OCR_PROMINENT and not ln.bullet
        return short and (tall or bold or both)
    bold = "bold" in ln.font.lower() or "black" in ln.font.lower() or "heavy" in ln.font.lower()
    return (bold and ln.size > body.text + 0.4 and len(ln.text) < 200) or ln.size > body.text + 3


def _resized(prev: _Line, ln: _Line) -> bool:
    """Does heading line ``ln`` differ in size from the heading line before it (a new heading, not the
    same one going on)? Scanned lines: heights more than 15 % apart, unless ``ln`` opens in lower case
    (the heading's words go on, whatever height OCR gave them)."""
    if ln.ocr is None or prev.ocr is None:
        return round(ln.size, 1) != round(prev.size, 1)
    return abs(ln.size - prev.size) > _OCR_SAME_SIZE * max(ln.size, prev.size) and not ln.text[:1].islower()


def _size_key(ln: _Line, body: _Body) -> float:
    """What tells heading levels apart: the font size of a text-layer line; for a scanned line, whose
    height varies with its letters and the scan's specks, its step above the body's: 2 (≥ 1.8 × the
    body's height), 1 (≥ 1.35 ×) or 0 (as tall, told by its ink)."""
    if ln.ocr is None:
        return round(ln.size, 1)
    ratio = ln.size / body.scanned if body.scanned else 1.0
    return 2.0 if ratio >= _OCR_TITLE else (1.0 if ratio > _OCR_HEADING else 0.0)


_OCR_SAME_SIZE = 0.15  # scanned heading lines this close in height may be one heading (OCR heights vary ~10 %)
_OCR_TITLE = 1.8  # an OCR heading this many times the body's line height is a level above the others
_OCR_HEADING = 1.35  # an OCR line this many times the body's line height is a heading (ascenders and descenders vary ~20 %)
_OCR_PALE = 0.8  # ... but not one with less than this share of the body's ink: large type is no paler than small
_OCR_PROMINENT = 1.45  # ... or a short line whose height and ink over the body's multiply to this (1.15 × 1.26)
_OCR_BOLD = 1.3  # ... or a short line with this many times the body's ink (bold), not ending as a sentence does


def _line_spacing(lines: list[_Line]) -> float:
    """The body's baseline-to-baseline distance: the most common gap between lines (to a tenth of a point;
    on scans, whose gaps vary by a pixel or two, to a whole point, the smaller of equally common ones)."""
    scanned = 2 * sum(ln.ocr is not None for ln in lines) > len(lines)
    gaps = Counter(round(a.y - b.y, 0 if scanned else 1) for a, b in zip(lines, lines[1:], strict=False)
                   if a.page == b.page and 4 < a.y - b.y < 40)
    return max(gaps.items(), key=lambda kv: (kv[1], -kv[0]))[0] if gaps else 14.0


def _join_pdf_lines(lines: list[_Line], vocab: set[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Join a block's lines; record where in the joined text a new page begins."""
    text = ""
    breaks: list[tuple[int, int]] = []
    page = lines[0].page
    for ln in lines:
        before = len(text)
        text = clean.join_lines([text, ln.text], vocab) if text else ln.text
        if ln.page != page:
            # the new line's text starts where the joined text grew, less the line itself
            start = len(text) - len(clean.collapse_ws(ln.text))
            breaks.append((max(before, start), ln.page))
            page = ln.page
    return text, tuple(breaks)


def _drop_pdf_letterhead(lines: list[_Line]) -> list[_Line]:
    mask = letterhead_mask([ln.text for ln in lines], [ln.page for ln in lines])
    return [ln for ln, ok in zip(lines, mask, strict=True) if ok]


def _promote_label_headings(blocks: list[Block]) -> list[Block]:
    """A short one-line label ending in ':' before a paragraph ("Statens klynge- og netværksindsats:")
    is a run-in subheading in these reports."""
    out: list[Block] = []
    deepest = max((b.level for b in blocks if b.kind == "heading"), default=1)
    for i, b in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if (b.kind == "para" and b.text.endswith(":") and len(b.text.split()) <= 5 and nxt is not None
                and nxt.kind == "para" and b.text[:1].isupper()):
            out.append(Block("heading", b.text.rstrip(":").strip(), level=deepest + 1, page=b.page,
                             page_breaks=b.page_breaks, ocr=b.ocr))
        else:
            out.append(b)
    return out
