"""What every reader shares: blocks, their assembly into a document's text, decoding, letterheads.

A reader turns one file into :class:`FileText`: a list of :class:`Block` (heading, paragraph, list item,
table) and a page count; :func:`assemble` joins the blocks into the text that passages, offsets and citations
refer to, keeping the page of every character (``page_starts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.errors import DocumentError
from indexer.reading import clean
from indexer.reading.document import Span


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "para" | "list" | "table"
    text: str
    level: int = 0  # heading level, 1 = top
    page: int | None = None  # page where the block starts (PDF)
    page_breaks: tuple[tuple[int, int], ...] = ()  # (offset in text, page) where a new page begins
    ocr: float | None = None  # mean OCR confidence (0–100) of the page it was read from by OCR; None: not OCRed


@dataclass(frozen=True)
class FileText:
    """What a reader gives: a file's blocks in reading order and its page count (0 for a file without pages)."""

    blocks: list[Block]
    pages: int


@dataclass(frozen=True)
class Assembled:
    """A document's text joined from its blocks (:func:`assemble`): the text, each block's span in it, and
    ``page_starts``: (offset, page) where each page begins."""

    text: str
    spans: tuple[Span, ...]
    page_starts: tuple[tuple[int, int], ...]


def looks_binary(head: bytes) -> bool:
    """NUL bytes in the head of a file not marked as UTF-16 (whose text has them): binary, not text."""
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def decode_bytes(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), else the detected legacy encoding (cp1252/latin-1 are common)."""
    if not data.strip():
        raise DocumentError(path, "empty file: nothing to index")
    head = data[:65536]
    if looks_binary(head):
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



def demote_heading_levels(blocks: list[Block]) -> list[Block]:
    """Heading levels renumbered 1, 2, 3 … in the order of their size (a page may start at <h2> or ##)."""
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    rank = {lvl: i + 1 for i, lvl in enumerate(levels)}
    return [Block(b.kind, b.text, rank.get(b.level, b.level), b.page, b.page_breaks, b.ocr) if b.kind == "heading" else b
            for b in blocks]


def assemble(blocks: list[Block]) -> Assembled:
    """Join blocks with blank lines, keeping each block's span and where each page starts."""
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
    return Assembled("".join(parts), tuple(spans), tuple(pages))
