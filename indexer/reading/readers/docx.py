"""Word (.docx, python-docx): paragraphs by style (Heading n / Overskrift n, List), then tables."""

from __future__ import annotations

import re
from pathlib import Path

from indexer.errors import DocumentError
from indexer.reading import clean
from indexer.reading.readers.base import Block, FileText

SUFFIXES = (".docx",)


def read(path: Path) -> FileText:
    return FileText(read_docx_blocks(path), 0)


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
