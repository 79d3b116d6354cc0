"""The pieces of a passage that can be shown as its answer (``answer_units``), and the fixed windows of
them that the answer check embeds (``check_windows``). One rule for the build, which embeds every window
once (``indexer.building.checks``), and for the question, which picks a window (``qa.search``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.reading.legal import is_stub
from indexer.reading.split import sentence_spans

__all__ = ["answer_units", "check_windows"]

_BLANK_LINE = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?:;…)\"”]\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:\(?[0-9A-Za-z]{1,2}[.)]|[•\-–*])\s+\S")
_WORD = re.compile(r"\S+")


def answer_units(text: str, headings: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Sentences of ``text`` that can answer: also cut at blank lines, without headings and fragments.

    A heading ("Forum for klynge- og netværksindsatsen", or one of ``headings``, the passage's heading
    path) or a list number ("6.") is not an answer, a list item ("1. Mindst 2.000 virksomheder …") is;
    when nothing else is left, every piece is.
    """
    skip = {" ".join(h.split()) for h in headings}
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in [*_BLANK_LINE.finditer(text), None]:  # paragraphs first, then their sentences
        end = m.start() if m else len(text)
        pieces.extend(sentence_spans(text[start:end], start))
        start = m.end() if m else end
    pieces = [(s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())) for s, e in pieces]
    pieces = [(s, e) for s, e in pieces if e > s]

    def is_answer(s: int, e: int) -> bool:
        n = len(text[s:e].split())
        piece = text[s:e]
        if " ".join(piece.split()) in skip or is_stub(piece):
            return False
        return n >= 3 and (n >= 12 or bool(_SENTENCE_END.search(piece)) or bool(_LIST_ITEM.match(piece)))

    return [p for p in pieces if is_answer(*p)] or pieces


def check_windows(text: str, span: tuple[int, int], width: int) -> list[tuple[int, int]]:
    """The windows of the unit ``text[span[0]:span[1]]`` the answer check may embed (offsets into
    ``text``): the whole unit when it has at most ``width`` words, else runs of ``width`` words starting
    every ``width // 2`` words, the last one ending with the unit, so that whichever stretch of a long
    sentence holds the question's words, one window holds at least three quarters of it."""
    s, e = span
    words = [(s + m.start(), s + m.end()) for m in _WORD.finditer(text[s:e])]
    if len(words) <= width:
        return [(words[0][0], words[-1][1])] if words else []
    starts = [*range(0, len(words) - width, max(1, width // 2)), len(words) - width]
    return [(words[a][0], words[a + width - 1][1]) for a in starts]
