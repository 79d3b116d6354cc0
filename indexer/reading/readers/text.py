"""Plain text and Markdown: paragraphs by blank lines, headings by form, lists, tab-separated tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from indexer.reading import clean, legal
from indexer.reading.readers.base import Block, FileText, decode_bytes, demote_heading_levels, letterhead_mask

SUFFIXES = (".txt", ".md", ".markdown")


def read(path: Path) -> FileText:
    markdown = path.suffix.lower() in (".md", ".markdown")
    return FileText(read_text_blocks(decode_bytes(path.read_bytes(), str(path)), markdown=markdown), 0)


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
    if legal.opens_provision(text):  # "§ 13. (Ophævet)": short, but a provision of the act
        return False
    words = text.split()
    if len(words) > 14 or text.endswith((".", ",", ";", ":")) or clean.bullet_of(text):
        return False
    if text.endswith("?"):
        return len(words) <= 20
    return text[0].isupper() or text[0].isdigit() or len(words) <= 6


def read_text_blocks(text: str, markdown: bool) -> list[Block]:
    text = clean.strip_table_markup(clean.normalize_unicode(text)).replace("\r\n", "\n").replace("\r", "\n")
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
    return demote_heading_levels(blocks)


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


def _drop_letterhead(lines: list[str]) -> list[str]:
    return [line if ok else "" for line, ok in zip(lines, letterhead_mask(lines), strict=True)]
