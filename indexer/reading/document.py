"""A document as klynge knows it: cleaned text, structure, pages, metadata.

The readers (``indexer.reading.readers``) produce it, the index stores it (``documents.jsonl``, without the
block spans), and citations, quote lookup and the app read it back. The rules for a document's year
and for the page of an offset live here and nowhere else.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Any

_YEAR = re.compile(r"(\d{4})")


def year_of(date: str) -> int | None:
    """The year a date such as ``2016``, ``2016-03`` or ``2016-03-01`` starts with; None otherwise."""
    m = _YEAR.match(date or "")
    return int(m.group(1)) if m else None


def page_at(page_starts: tuple[tuple[int, int], ...], offset: int) -> int | None:
    """The page of ``offset`` given ascending (start offset, page number) pairs; None without pages."""
    i = bisect.bisect_right(page_starts, (offset, float("inf"))) - 1
    return page_starts[i][1] if i >= 0 else None


def page_range(page: int | None, page_end: int | None) -> str:
    """``"7"`` or ``"7-8"`` (``""`` without pages): the one way pages are written in citations and the app."""
    if page is None:
        return ""
    return f"{page}-{page_end}" if page_end and page_end != page else str(page)


@dataclass(frozen=True)
class Span:
    """One block of a document's text: a heading (with its level), paragraph, list item or table."""

    kind: str  # "heading" | "para" | "list" | "table"
    level: int
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: str  # relative to the corpus folder once indexed
    title: str
    text: str
    spans: tuple[Span, ...] = ()  # block structure; not stored in the index
    page_starts: tuple[tuple[int, int], ...] = ()  # (offset, page number), ascending
    n_pages: int = 0
    publisher: str = ""
    date: str = ""
    kind: str = ""
    content_hash: str = ""
    n_passages: int = 0  # set when the document is split and indexed
    number: str = ""  # an act's number as cited ("230"; from "2024:230" or "nr. 230"), else ""
    status: str = ""  # an act's status as the collection gives it ("in_force", "historic"), else ""
    url: str = ""  # where the document is published, when the collection says
    ocr_pages: int = 0  # pages read by OCR (a scan), 0 for a born-digital document
    ocr_confidence: float | None = None  # their mean OCR confidence (0–100): how far to trust the text

    @property
    def year(self) -> int | None:
        return year_of(self.date)

    def page_at(self, offset: int) -> int | None:
        """Page number of the character at ``offset`` (None for documents without pages)."""
        return page_at(self.page_starts, offset)

    def with_changes(self, **changes: Any) -> Document:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The stored form (``documents.jsonl``): everything but the block spans."""
        return {"doc_id": self.doc_id, "file": self.path, "title": self.title, "publisher": self.publisher,
                "date": self.date, "kind": self.kind, "n_pages": self.n_pages, "n_passages": self.n_passages,
                "content_hash": self.content_hash, "number": self.number, "status": self.status, "url": self.url,
                "ocr_pages": self.ocr_pages, "ocr_confidence": self.ocr_confidence, "text": self.text,
                "page_starts": [list(x) for x in self.page_starts]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Document:
        return cls(doc_id=d["doc_id"], path=d["file"], title=d["title"], text=d["text"],
                   page_starts=tuple((int(a), int(b)) for a, b in d.get("page_starts", [])),
                   n_pages=int(d.get("n_pages") or 0), publisher=d.get("publisher", ""), date=d.get("date", ""),
                   kind=d.get("kind", ""), content_hash=d.get("content_hash", ""),
                   n_passages=int(d.get("n_passages") or 0), number=str(d.get("number") or ""),
                   status=str(d.get("status") or ""), url=str(d.get("url") or ""),
                   ocr_pages=int(d.get("ocr_pages") or 0),
                   ocr_confidence=None if d.get("ocr_confidence") is None else float(d["ocr_confidence"]))
