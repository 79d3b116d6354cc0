"""What a search returns, as small frozen dataclasses (``to_json`` is the JSON every caller gives): a
:class:`Result` per question with its :class:`Hit` s and their :class:`Source` s; the :class:`Filters` a
search may take; and :func:`clean_query`, the one rule for what a question may hold."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from indexer import Passage

from .errors import QueryError
from .spelling import Respelling

MAX_QUERY_CHARS = 2000  # a question longer than a page is pasted text, not a question; the rest is cut
MAX_K = 50  # passages one search may return (the API, the MCP tools): more is a dump of the collection, not an answer


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    def empty(self) -> bool:
        return not (self.doc_ids or self.kinds or self.years)

    def described(self) -> str:
        """The filters in words: "kind strategy or news, year 2016"."""
        parts = (("document ", self.doc_ids), ("kind ", self.kinds), ("year ", self.years))
        return ", ".join(lead + " or ".join(map(str, v)) for lead, v in parts if v)

    def to_json(self) -> dict[str, list[Any]]:
        """The filters chosen, by name (``docs``, ``kinds``, ``years``; those left empty left out)."""
        return {name: list(v) for name, v in (("docs", self.doc_ids), ("kinds", self.kinds), ("years", self.years)) if v}

    @classmethod
    def from_json(cls, data: dict[str, list[Any]]) -> Filters:
        """The filters :meth:`to_json` wrote."""
        return cls(tuple(data.get("docs", ())), tuple(data.get("kinds", ())), tuple(data.get("years", ())))


@dataclass(frozen=True)
class Source:
    """Another document where a hit's text also stands."""

    doc_id: str
    title: str
    page: int | None
    section: str
    citation: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    rank: int
    citation: str
    answer: tuple[tuple[int, int], ...] = ()  # sentence spans (offsets into passage.text) that best answer
    dense: float = 0.0
    lexical: float = 0.0
    sparse: float = 0.0
    also_in: tuple[Source, ...] = ()  # the same text in other documents
    locator: str = ""  # in a legal text, the § of the answer (else of the passage): "§ 9, stk. 5"

    @property
    def answer_text(self) -> str:
        return " ".join(self.passage.text[s:e] for s, e in self.answer)

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank, "score": round(self.score, 4), **passage_json(self.passage, self.citation, self.locator),
            "answer": self.answer_text, "answer_spans": [list(x) for x in self.answer],
            "signals": {"dense": round(self.dense, 4), "lexical": round(self.lexical, 4), "sparse": round(self.sparse, 4)},
            "also_in": [s.to_json() for s in self.also_in],
        }


def passage_json(p: Passage, citation: str, locator: str | None = None) -> dict[str, Any]:
    """A passage as every result gives it (a hit, a passage looked up by id): where it stands, its text and
    its memo citation; ``locator``: the § cited when narrower than the passage's own."""
    return {"doc_id": p.doc_id, "title": p.title, "section": p.section, "page": p.page, "page_end": p.page_end,
            "passage_id": p.passage_id, "start": p.start, "end": p.end, "text": p.text, "citation": citation,
            "locator": p.locator if locator is None else locator}


@dataclass(frozen=True)
class Result:
    question: str
    lang: str
    answered: bool
    confidence: float
    hits: tuple[Hit, ...]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage: "embed", "rank", "check"
    features: dict[str, float] = field(default_factory=dict)  # what the confidence model saw (qa.confidence)
    unmentioned: tuple[str, ...] = ()  # names in the question its best passages never mention (qa.names)
    now_unmentioned: str = ""  # the words by which it asks what holds now, where they never speak of the present
    respelled: tuple[Respelling, ...] = ()  # words of the question searched as respelled (qa.spelling)
    absent_provision: str = ""  # a provision it names that its act does not have, as cited (qa.legalref)

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "lang": self.lang, "answered": self.answered,
                "confidence": round(self.confidence, 4), "unmentioned": list(self.unmentioned),
                "now_unmentioned": self.now_unmentioned, "absent_provision": self.absent_provision,
                "respelled": [{"typed": r.typed, "searched": r.searched} for r in self.respelled],
                "hits": [h.to_json() for h in self.hits]}


def clean_query(text: str) -> str:
    """NFC, control characters and NUL removed, whitespace collapsed, length capped."""
    if not isinstance(text, str):
        raise QueryError("the question must be text")
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() or ch in " \t\n" else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        raise QueryError("the question is empty: type a question about the documents")
    return text[:MAX_QUERY_CHARS]
