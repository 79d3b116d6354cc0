"""Reading documents into clean, structured text.

Every reader returns a list of :class:`Block` (heading, paragraph, list item, table row group);
:func:`read_document` joins them into a :class:`Document` whose ``text`` is what passages,
offsets and citations refer to. PDFs keep the page of every character (``page_starts``).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from . import clean
from .errors import DocumentError

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
METADATA_FILE = "documents.toml"
MAX_TEXT_BYTES = 200 * 1024 * 1024  # refuse absurd files rather than exhaust memory


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "para" | "list" | "table"
    text: str
    level: int = 0  # heading level, 1 = top
    page: int | None = None  # page where the block starts (PDF)
    page_breaks: tuple[tuple[int, int], ...] = ()  # (offset in text, page) where a new page begins


@dataclass(frozen=True)
class Span:
    kind: str
    level: int
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: str
    title: str
    text: str
    spans: tuple[Span, ...]
    page_starts: tuple[tuple[int, int], ...] = ()  # (offset, page number), ascending
    n_pages: int = 0
    publisher: str = ""
    date: str = ""
    kind: str = ""
    content_hash: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def year(self) -> int | None:
        m = re.match(r"(\d{4})", self.date or "")
        return int(m.group(1)) if m else None

    def page_at(self, offset: int) -> int | None:
        """Page number of the character at ``offset`` (None for documents without pages)."""
        return page_at(self.page_starts, offset)


def page_at(page_starts: tuple[tuple[int, int], ...], offset: int) -> int | None:
    """The page of ``offset`` given ascending (start offset, page number) pairs; None without pages."""
    i = bisect.bisect_right(page_starts, (offset, float("inf"))) - 1
    return page_starts[i][1] if i >= 0 else None


# ---------------------------------------------------------------- metadata


def load_metadata(corpus_dir: Path) -> dict[str, dict[str, Any]]:
    """Read ``documents.toml`` (file name -> title, publisher, date, kind). Missing file: empty."""
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(str(path), f"metadata file is not valid TOML ({exc}); fix or delete it") from exc
    return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}


def doc_id_for(path: Path) -> str:
    stem = path.stem.lower()
    stem = re.sub(r"[^\w.-]+", "-", stem).strip("-")
    return stem or "document"


# ---------------------------------------------------------------- text decoding


def decode_bytes(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), else the detected legacy encoding (cp1252/latin-1 are common)."""
    if not data.strip():
        raise DocumentError(path, "empty file: nothing to index")
    head = data[:65536]
    if b"\x00" in head and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff")):
        raise DocumentError(path, "binary file, not text (it contains NUL bytes); remove it or give it the right extension")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000], cp_isolation=["cp1252", "latin_1", "iso8859_15", "utf_16", "cp850"]).best()
    if best is None or best.encoding is None:
        raise DocumentError(path, "unknown text encoding; save it as UTF-8")
    text = data.decode(best.encoding, errors="replace")
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise DocumentError(path, "unreadable text (not a known encoding); save it as UTF-8")
    return text


# ---------------------------------------------------------------- plain text and Markdown


def _drop_repeated_short_lines(lines: list[str]) -> list[str]:
    """Running headers of a converted PDF: short lines repeated three or more times."""
    counts = Counter(clean.collapse_ws(x) for x in lines if x.strip())
    repeated = {
        s for s, n in counts.items()
        if n >= 3 and len(s.split()) <= 5 and not s.startswith("#") and not clean.bullet_of(s)
        and not s.endswith((".", ":", "?"))
    }
    return [x for x in lines if clean.collapse_ws(x) not in repeated]


def _paragraphs(lines: list[str]) -> Iterator[list[str]]:
    buf: list[str] = []
    for line in lines:
        if not clean.collapse_ws(line):
            if buf:
                yield buf
            buf = []
        else:
            buf.append(line)
    if buf:
        yield buf


def _is_text_heading(para: list[str], nxt: list[str] | None) -> bool:
    """A short line on its own, without a full stop, followed by more text: a heading."""
    text = clean.collapse_ws(" ".join(para))
    if nxt is None or len(para) > 2 or not text:
        return False
    words = text.split()
    if len(words) > 14 or text.endswith((".", ",", ";", ":")) or clean.bullet_of(text):
        return False
    if text.endswith("?"):
        return len(words) <= 20
    return text[0].isupper() or text[0].isdigit() or len(words) <= 6


def read_text_blocks(text: str, markdown: bool) -> list[Block]:
    text = clean.normalize_unicode(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = _drop_repeated_short_lines(text.split("\n"))
    lines = [("" if clean.is_chrome(x) or (markdown and clean.is_hr(x)) else x) for x in lines]
    lines = _drop_letterhead(lines)
    paras = list(_paragraphs(lines))
    blocks: list[Block] = []
    for i, para in enumerate(paras):
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        if markdown and (h := clean.markdown_heading(para[0])) is not None:
            level, title = h
            if title:
                blocks.append(Block("heading", title, level=level))
            para = para[1:]
            if not para:
                continue
        if any("\t" in x for x in para):
            blocks.extend(_table_block(para))
            continue
        if any(clean.bullet_of(x) for x in para):
            blocks.extend(_list_blocks(para))
            continue
        joined = clean.strip_inline_markup(clean.join_lines(para))
        if not joined:
            continue
        if not markdown and _is_text_heading(para, nxt):
            blocks.append(Block("heading", joined, level=2))
        else:
            blocks.append(Block("para", joined))
    return _demote_markdown_levels(blocks)


def letterhead_mask(texts: list[str], pages: list[int] | None = None) -> list[bool]:
    """Which lines to keep: contact lines of a letterhead go, with the sender's name just above a
    postal address and a surname wrapped onto the line after "Ref."."""
    keep = [True] * len(texts)
    drop_name = False
    last: int | None = None
    for i, raw in enumerate(texts):
        s = clean.strip_inline_markup(raw)
        if not s:
            continue
        if clean.is_letterhead(s):
            keep[i] = False
            drop_name = s.lower().startswith("ref.")
            if (last is not None and clean.is_postal(s) and len(texts[last].split()) <= 6
                    and (pages is None or pages[last] == pages[i])):
                keep[last] = False
            continue
        if drop_name and re.fullmatch(r"[A-ZÆØÅ][\wæøå-]+", s):
            keep[i] = False
        else:
            last = i
        drop_name = False
    return keep


def _drop_letterhead(lines: list[str]) -> list[str]:
    return [line if ok else "" for line, ok in zip(lines, letterhead_mask(lines), strict=True)]


def _table_block(lines: list[str]) -> list[Block]:
    rows = []
    for line in lines:
        cells = [clean.split_run_on_list(clean.strip_inline_markup(c)) for c in line.split("\t")]
        cells = [c for c in cells if c]
        if cells:
            rows.append(" | ".join(cells))
    return [Block("table", "\n".join(rows))] if rows else []


def _list_blocks(lines: list[str]) -> list[Block]:
    items: list[list[str]] = []
    for line in lines:
        if clean.bullet_of(line) or not items:
            items.append([clean.strip_bullet(line)])
        else:
            items[-1].append(line)
    out = []
    for item in items:
        text = clean.strip_inline_markup(clean.join_lines(item))
        if text:
            out.append(Block("list", text))
    return out


def _demote_markdown_levels(blocks: list[Block]) -> list[Block]:
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    rank = {lvl: i + 1 for i, lvl in enumerate(levels)}
    return [Block(b.kind, b.text, rank.get(b.level, b.level), b.page, b.page_breaks) if b.kind == "heading" else b
            for b in blocks]


# ---------------------------------------------------------------- HTML


class _HTMLBlocks(HTMLParser):
    SKIP = {"script", "style", "nav", "header", "footer", "noscript", "form", "button", "svg", "aside"}
    HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
    BLOCKS = {"p", "li", "tr", "div", "section", "article", "blockquote", "dd", "dt", "pre", "td", "th", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.skip = 0
        self.kind = "para"
        self.level = 0
        self.row: list[str] = []

    def flush(self) -> None:
        text = clean.collapse_ws(clean.normalize_unicode(" ".join(self.buf)))
        text = clean.strip_inline_markup(text) if "<" in text else text
        self.buf = []
        if text and not clean.is_chrome(text):
            self.blocks.append(Block(self.kind, text, level=self.level))
        self.kind, self.level = "para", 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.HEADINGS:
            self.flush()
            self.kind, self.level = "heading", self.HEADINGS[tag]
        elif tag == "li":
            self.flush()
            self.kind = "list"
        elif tag in ("td", "th"):
            self.buf.append(" | " if self.buf else "")
        elif tag == "sup":
            self.skip += 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP or tag == "sup":
            self.skip = max(0, self.skip - 1)
        elif tag in self.HEADINGS or tag in self.BLOCKS and tag not in ("td", "th"):
            kind = "table" if tag == "tr" else self.kind
            self.kind = kind
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buf.append(data)


def read_html_blocks(text: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    parser.flush()
    return _demote_markdown_levels(parser.blocks)


# ---------------------------------------------------------------- DOCX


def read_docx_blocks(path: Path) -> list[Block]:
    try:
        import docx  # python-docx
    except ImportError as exc:  # pragma: no cover - optional extra
        raise DocumentError(str(path), "reading .docx needs python-docx: pip install 'klynge[docx]'") from exc
    try:
        d = docx.Document(str(path))
    except Exception as exc:  # zip or XML errors of many kinds
        raise DocumentError(str(path), f"not a readable Word file ({type(exc).__name__})") from exc
    blocks: list[Block] = []
    for p in d.paragraphs:
        text = clean.collapse_ws(clean.normalize_unicode(p.text))
        if not text:
            continue
        style = (p.style.name or "").lower() if p.style is not None else ""
        m = re.match(r"heading (\d)", style) or re.match(r"overskrift (\d)", style)
        if m or style == "title":
            blocks.append(Block("heading", text, level=int(m.group(1)) if m else 1))
        elif "list" in style:
            blocks.append(Block("list", text))
        else:
            blocks.append(Block("para", text))
    for table in d.tables:
        rows = [" | ".join(clean.collapse_ws(c.text) for c in row.cells) for row in table.rows]
        rows = [r for r in rows if r.strip(" |")]
        if rows:
            blocks.append(Block("table", "\n".join(rows)))
    return blocks


# ---------------------------------------------------------------- PDF


@dataclass
class _Line:
    page: int
    y: float
    x: float
    text: str
    font: str
    size: float
    bullet: bool = False


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
    return lines, len(pages)


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
    return re.sub(r"\d+", "#", clean.collapse_ws(text))


def read_pdf_blocks(path: Path) -> tuple[list[Block], int]:
    lines, n_pages = _pdf_lines(path)
    if not any(ln.text for ln in lines):
        if n_pages == 0:
            raise DocumentError(str(path), "PDF has no pages")
        raise DocumentError(str(path), "scanned PDF without a text layer: it needs OCR before it can be indexed")
    running = _running_lines(lines, n_pages)
    lines = [ln for ln in lines if _fold_digits(ln.text) not in running and not re.fullmatch(r"(side|page)?\s*\d{1,4}", ln.text, re.I)]
    lines = _drop_pdf_letterhead(lines)
    vocab = clean.vocabulary(ln.text for ln in lines)
    body_size = Counter(round(ln.size, 1) for ln in lines).most_common(1)[0][0] if lines else 10.0
    heading_sizes = sorted({round(ln.size, 1) for ln in lines if _is_heading_line(ln, body_size)}, reverse=True)
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
            blocks.append(Block(kind, text, level=level_of.get(round(first.size, 1), 0) if is_heading else 0,
                                page=first.page, page_breaks=breaks))
        cur.clear()

    prev: _Line | None = None
    for ln in lines:
        if prev is None:
            cur.append(ln)
            prev = ln
            continue
        new_block = False
        h_prev, h_cur = _is_heading_line(prev, body_size), _is_heading_line(ln, body_size)
        if h_prev != h_cur or (h_cur and round(ln.size, 1) != round(prev.size, 1)) or ln.bullet:
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
    return _promote_label_headings(blocks), n_pages


_FOOTNOTE_DIGIT = re.compile(r"(?<=[a-zæøå]{3})[1-9](?=[:;,.]?(?:\s|$))")


def _is_heading_line(ln: _Line, body_size: float) -> bool:
    bold = "bold" in ln.font.lower() or "black" in ln.font.lower() or "heavy" in ln.font.lower()
    return (bold and ln.size > body_size + 0.4 and len(ln.text) < 200) or ln.size > body_size + 3


def _line_spacing(lines: list[_Line]) -> float:
    gaps = Counter(round(a.y - b.y, 1) for a, b in zip(lines, lines[1:], strict=False)
                   if a.page == b.page and 4 < a.y - b.y < 40)
    return gaps.most_common(1)[0][0] if gaps else 14.0


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
                             page_breaks=b.page_breaks))
        else:
            out.append(b)
    return out


# ---------------------------------------------------------------- assembly


def assemble(blocks: list[Block]) -> tuple[str, tuple[Span, ...], tuple[tuple[int, int], ...]]:
    """Join blocks with blank lines; return text, block spans and page starts."""
    parts: list[str] = []
    spans: list[Span] = []
    pages: list[tuple[int, int]] = []
    pos = 0
    for b in blocks:
        if parts:
            parts.append("\n\n")
            pos += 2
        if b.page is not None and (not pages or pages[-1][1] != b.page):
            pages.append((pos, b.page))
        for off, page in b.page_breaks:
            if not pages or pages[-1][1] != page:
                pages.append((pos + off, page))
        parts.append(b.text)
        spans.append(Span(b.kind, b.level, pos, pos + len(b.text)))
        pos += len(b.text)
    return "".join(parts), tuple(spans), tuple(pages)


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
    n_pages = 0
    try:
        if suffix == ".pdf":
            blocks, n_pages = read_pdf_blocks(path)
        elif suffix == ".docx":
            blocks = read_docx_blocks(path)
        else:
            raw = decode_bytes(path.read_bytes(), str(path))
            if suffix in (".html", ".htm"):
                blocks = read_html_blocks(raw)
            else:
                blocks = read_text_blocks(raw, markdown=suffix in (".md", ".markdown"))
    except PermissionError as exc:
        raise DocumentError(str(path), "no permission to read it; check the file's permissions") from exc
    except OSError as exc:
        raise DocumentError(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    except RecursionError as exc:
        raise DocumentError(str(path), "structure too deeply nested to read") from exc
    text, spans, pages = assemble(blocks)
    if not text.strip():
        raise DocumentError(str(path), "no text found after cleaning (empty or only page furniture)")
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    title = str(meta.get("title") or first_heading or path.stem.replace("-", " ").replace("_", " "))
    return Document(
        doc_id=str(meta.get("id") or doc_id_for(path)),
        path=str(path),
        title=title,
        text=text,
        spans=spans,
        page_starts=pages,
        n_pages=n_pages,
        publisher=str(meta.get("publisher", "")),
        date=str(meta.get("date", "")),
        kind=str(meta.get("kind", "")),
        content_hash=content_hash or file_hash(path),
        meta=meta,
    )


def discover(corpus_dir: Path) -> list[Path]:
    """Files under ``corpus_dir`` (recursive, sorted), symlink loops and hidden files skipped."""
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
            if p.name.startswith(".") or p.name == METADATA_FILE or p.name.lower().startswith("readme"):
                continue
            if p.is_dir():
                walk(p)
            else:
                found.append(p)

    walk(corpus_dir)
    return found
