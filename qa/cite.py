"""Citations for memos, and quote lookup: where does this sentence come from?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer import Document, Index, Passage
from indexer.reading.clean import Folded, fold_for_match, normalize_unicode
from indexer.reading.document import page_range
from indexer.reading.legal import act_citation, is_act, structure_of

from .errors import QueryError
from .results import MAX_QUERY_CHARS, passage_json

FUZZY_MIN = 0.72  # below this similarity a quote is "not found"
# a quote is read for around the passages the lexical index scores highest for it: its own passage is among them
# when it is quoted word for word or nearly so, and this many (or 4 a match asked for) leave room for a common
# sentence found in many acts
QUOTE_SHORTLIST = 40
QUOTE_MARGIN = 400  # characters read either side of such a passage beyond the quote's length (a quote over an edge)


def locator_for(doc: Document | None, start: int, end: int) -> str:
    """The legal locator (``§ 9, stk. 5``) of ``doc.text[start:end]``; ``""`` outside legal texts."""
    if doc is None:
        return ""
    s = structure_of(doc)
    return s.locator(start, end) if s else ""


def answer_locator(doc: Document | None, spans: Sequence[tuple[int, int]]) -> str:
    """The legal locator of an answer's sentences (offsets into ``doc.text``): ``§ 8, stk. 1 og 4`` for sentences
    of stk. 1 and stk. 4 (``indexer.reading.legal.Structure.locator_of``); ``""`` outside legal texts."""
    if doc is None or not spans:
        return ""
    s = structure_of(doc)
    return s.locator_of(sorted(spans)) if s else ""


def citation_for(p: Passage, doc: Document | None, page: int | None = None, page_end: int | None = None,
                 locator: str | None = None) -> str:
    """Ready to paste into a memo: `Title (Publisher, Year), s. 7, afsnit "Section"`; for an act,
    `Lov om erhvervsfremme, jf. lovbekendtgørelse nr. 230 af 29. februar 2024, § 9, stk. 5`.

    ``locator``: the § of the quoted part when it is narrower than the passage's (``p.locator``)."""
    loc = p.locator if locator is None else locator
    if doc is not None and loc and is_act(doc):
        return f"{act_citation(doc)}, {loc}"
    title = doc.title if doc else p.title
    publisher = doc.publisher if doc else ""
    year = str(doc.year) if doc and doc.year else ""
    who = ", ".join(x for x in (publisher, year) if x)
    out = f"{title} ({who})" if who else title
    pages = page_range(p.page if page is None else page, p.page_end if page_end is None else page_end)
    if pages:
        out += f", s. {pages}"
    section = p.section.split(" > ")[-1] if p.section else ""
    if section and section != title:
        out += f', afsnit "{section}"'
    if loc:
        out += f", {loc}"
    return out


# ---------------------------------------------------------------- quote lookup


@dataclass(frozen=True)
class QuoteMatch:
    doc_id: str
    title: str
    page: int | None
    section: str
    start: int
    end: int
    similarity: float
    exact: bool
    text: str
    citation: str
    locator: str = ""  # in a legal text: "§ 9, stk. 5"

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__, similarity=round(self.similarity, 4))


def _match(index: Index, doc: Document, start: int, end: int, sim: float, exact: bool) -> QuoteMatch:
    p = index.passage_at(doc.doc_id, start)
    page, page_end = doc.page_at(start), doc.page_at(max(start, end - 1))
    if p is None:
        p = Passage("", doc.doc_id, doc.title, page, page_end, "", start, end, doc.text[start:end])
    loc = locator_for(doc, start, end)
    return QuoteMatch(doc.doc_id, doc.title, page, p.section, start, end, sim, exact, doc.text[start:end],
                      citation_for(p, doc, page, page_end, loc), loc)


def find_quote(index: Index, quote: str, limit: int = 5) -> list[QuoteMatch]:
    """Exact match after normalising, else fuzzy (reworded or partial); [] when nothing is close.

    Read where the lexical index points (:func:`_regions`: the passages sharing most of the quote's words, with
    the text around them), not every document: a quote's words are in the passage it comes from, and folding
    and aligning all 316 acts took 4.4 s a quote. A quote whose words match no passage is looked for everywhere."""
    q = normalize_unicode(quote)
    folded_q = fold_for_match(q).text.strip()
    if len(folded_q) < 3:
        raise QueryError("the quote is empty or too short: paste a sentence from a document")
    folded_q = folded_q[:MAX_QUERY_CHARS]
    regions = [(doc, lo, fold_for_match(doc.text[lo:hi]))  # each region folded once, for both passes
               for doc, lo, hi in _regions(index, q[:MAX_QUERY_CHARS], len(folded_q), max(QUOTE_SHORTLIST, 4 * limit))]
    return _find_in(index, regions, folded_q, limit)


def _find_in(index: Index, regions: Sequence[tuple[Document, int, Folded]], folded_q: str,
             limit: int) -> list[QuoteMatch]:
    """Up to ``limit`` places of the folded quote in ``regions`` (document, start, folded text), in their order; else
    the closest wording in each region, best first."""
    exact: list[QuoteMatch] = []
    for doc, lo, folded in regions:
        exact.extend(_exact_in(index, doc, lo, folded, folded_q, limit - len(exact)))
        if len(exact) >= limit:
            break
    if exact:
        return exact
    fuzzy = [f for doc, lo, folded in regions if (f := _fuzzy_in(doc, lo, folded, folded_q)) is not None]
    fuzzy.sort(key=lambda x: -x[0])
    return [_match(index, doc, s, e, sim, False) for sim, doc, s, e in fuzzy[:limit]]


def _regions(index: Index, quote: str, length: int, shortlist: int) -> list[tuple[Document, int, int]]:
    """(document, start, end) of the text to read for a quote, best first: around each of the ``shortlist``
    passages the lexical index scores highest for it (``length`` characters of quote and
    ``QUOTE_MARGIN`` either side, for a quote that runs over a passage's edge), overlaps merged; every document
    whole where the quote's words match no passage."""
    scores = index.lexical.scores(quote)
    hits = np.flatnonzero(scores > 0)
    if not len(hits):
        return [(doc, 0, len(doc.text)) for doc in index.documents.values()]
    top = hits[np.argsort(-scores[hits], kind="stable")[:shortlist]]
    spans: dict[str, list[list[int]]] = {}  # by document, in the order its first passage ranks
    margin = length + QUOTE_MARGIN
    for i in top:
        p = index.passages[int(i)]
        if p.doc_id in index.documents:
            spans.setdefault(p.doc_id, []).append([max(0, p.start - margin), p.end + margin])
    out: list[tuple[Document, int, int]] = []
    for doc_id, found in spans.items():
        doc = index.documents[doc_id]
        merged: list[list[int]] = []
        for lo, hi in sorted(found):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        out.extend((doc, *_whole_words(doc.text, lo, hi)) for lo, hi in merged)
    return out


def _whole_words(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``lo``, ``hi`` moved out to the edges of the words they fall in (and ``hi`` to at most the text's end)."""
    hi = min(hi, len(text))
    while lo > 0 and text[lo - 1].isalnum():
        lo -= 1
    while hi < len(text) and text[hi].isalnum():
        hi += 1
    return lo, hi


def _exact_in(index: Index, doc: Document, lo: int, region: Folded, folded_q: str, limit: int) -> list[QuoteMatch]:
    """Up to ``limit`` places in a region of ``doc`` (from ``lo``, folded: ``region``) that hold the folded quote."""
    folded, pos = region.text, region.offsets
    out: list[QuoteMatch] = []
    at = folded.find(folded_q)
    while at >= 0 and len(out) < limit:
        out.append(_match(index, doc, lo + pos[at], lo + pos[at + len(folded_q) - 1] + 1, 1.0, True))
        at = folded.find(folded_q, at + 1)
    return out


def _fuzzy_in(doc: Document, lo: int, region: Folded, folded_q: str) -> tuple[float, Document, int, int] | None:
    """(similarity, document, start, end) of the part of a region of ``doc`` (from ``lo``, folded: ``region``)
    closest to the folded quote, widened to whole words; None below ``FUZZY_MIN``."""
    from rapidfuzz import fuzz

    folded, pos = region.text, region.offsets
    al = fuzz.partial_ratio_alignment(folded_q, folded, score_cutoff=FUZZY_MIN * 100)
    if al is None or al.dest_end <= al.dest_start:
        return None
    s, e = _whole_words(folded, al.dest_start, al.dest_end)
    sim = fuzz.ratio(folded_q, folded[s:e]) / 100.0
    sim = max(sim, al.score / 100.0 * min(1.0, (e - s) / max(1, len(folded_q))))
    return (sim, doc, lo + pos[s], lo + pos[e - 1] + 1) if sim >= FUZZY_MIN else None


# ---------------------------------------------------------------- a passage by its id, with its neighbours

MAX_NEIGHBOURS = 5  # passages either side a lookup may ask for


@dataclass(frozen=True)
class CitedPassage:
    passage: Passage
    citation: str

    def to_json(self) -> dict[str, Any]:
        return passage_json(self.passage, self.citation)


@dataclass(frozen=True)
class PassageInContext:
    """A passage looked up by id, with the passages before and after it in its document."""

    passage: CitedPassage
    before: tuple[CitedPassage, ...] = ()
    after: tuple[CitedPassage, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"passage": self.passage.to_json(), "before": [p.to_json() for p in self.before],
                "after": [p.to_json() for p in self.after]}


def passage_in_context(index: Index, passage_id: str, neighbours: int = 1) -> PassageInContext:
    """The passage ``passage_id`` (as a search hit names it) and up to ``neighbours`` passages either side
    in document order; ``QueryError`` naming the id when the index has no such passage."""
    if not 0 <= neighbours <= MAX_NEIGHBOURS:
        raise QueryError(f"neighbours={neighbours}: ask for 0 to {MAX_NEIGHBOURS} passages either side")
    doc_id = passage_id.rsplit("#", 1)[0]
    in_doc = sorted(index.passages_of(doc_id), key=lambda p: p.start)
    at = next((i for i, p in enumerate(in_doc) if p.passage_id == passage_id), None)
    if at is None:
        raise QueryError(f"no passage '{passage_id[:80]}' in the index: pass the passage_id of a search hit "
                         "(the same index; ids change when a document is indexed again)")
    doc = index.documents.get(doc_id)

    def cited(p: Passage) -> CitedPassage:
        return CitedPassage(p, citation_for(p, doc))

    return PassageInContext(cited(in_doc[at]), tuple(cited(p) for p in in_doc[max(0, at - neighbours):at]),
                            tuple(cited(p) for p in in_doc[at + 1:at + 1 + neighbours]))
