"""A memo's citations: quotes with their sources, as Markdown or a Word file.

The app's basket ("Tilføj til notat"), ``klynge ask --format md`` and the tests all go through
:func:`to_markdown` and :func:`write_docx`, so a quote reads the same wherever it is pasted. In the Word
file each quote is a block quote followed by its note, with a numbered reference ``[1]`` to the list of
sources at the end (python-docx writes no footnotes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import QueryError

MAX_ITEMS = 500  # a basket is a memo's worth of quotes, not a database
MAX_FIELD = 20_000  # characters per quote, citation or note


@dataclass(frozen=True)
class MemoItem:
    quote: str
    citation: str
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"quote": self.quote, "citation": self.citation, "note": self.note}


def items_from_json(data: str | list[Any]) -> list[MemoItem]:
    """The basket as the browser sends it (a JSON list of ``{quote, citation, note}``); raises
    :class:`QueryError` naming what is wrong."""
    try:
        raw = json.loads(data) if isinstance(data, str) else data
    except ValueError as exc:
        raise QueryError(f"the memo is not valid JSON ({exc})") from exc
    if not isinstance(raw, list):
        raise QueryError("the memo must be a list of quotes")
    if len(raw) > MAX_ITEMS:
        raise QueryError(f"the memo has {len(raw)} quotes; at most {MAX_ITEMS} can be exported at once")
    out = []
    for i, x in enumerate(raw, start=1):
        if not isinstance(x, dict) or not str(x.get("quote", "")).strip():
            raise QueryError(f"memo item {i} has no quote")
        one_line = {k: " ".join(str(x.get(k) or "").split())[:MAX_FIELD] for k in ("quote", "citation")}
        out.append(MemoItem(one_line["quote"], one_line["citation"], str(x.get("note") or "").strip()[:MAX_FIELD]))
    return out


def items_from_hits(hits: Iterable[Any]) -> list[MemoItem]:
    """One item per search hit: its answer sentences (else its passage) and its citation."""
    return [MemoItem(" ".join((h.answer_text or h.passage.text).split()), h.citation) for h in hits]


def to_markdown(items: Sequence[MemoItem], title: str = "") -> str:
    """``> quote`` / ``> — citation`` per item, its note below; ready to paste into a memo."""
    parts = [f"# {title}\n"] if title else []
    for it in items:
        block = f"> {it.quote}\n>\n> — {it.citation}" if it.citation else f"> {it.quote}"
        parts.append(block + (f"\n\n{it.note}" if it.note else "") + "\n")
    return "\n".join(parts)


def write_docx(items: Sequence[MemoItem], path: Path, title: str = "Notat") -> Path:
    """A Word file: the title, each quote as a block quote with ``[n]`` and its note, then the sources."""
    try:
        import docx
        from docx.shared import Pt
    except ImportError as exc:  # pragma: no cover - python-docx is in the default install
        raise QueryError("Word export needs python-docx: pip install 'klynge[docx]'") from exc
    d = docx.Document()
    if title:
        d.add_heading(title, level=1)
    sources: list[str] = []
    for it in items:
        n = sources.index(it.citation) + 1 if it.citation in sources else len(sources) + 1
        if it.citation and it.citation not in sources:
            sources.append(it.citation)
        para = d.add_paragraph(style="Quote")
        para.add_run(it.quote)
        if it.citation:
            ref = para.add_run(f" [{n}]")
            ref.font.superscript = True
        for line in filter(None, (x.strip() for x in it.note.splitlines())):
            d.add_paragraph(line)
    if sources:
        d.add_heading("Kilder", level=2)
        for i, src in enumerate(sources, start=1):
            p = d.add_paragraph(f"[{i}] {src}")
            p.runs[0].font.size = Pt(10)
    path = Path(path)
    d.save(str(path))
    return path
