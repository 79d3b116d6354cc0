"""Questions that name a provision: "Hvad står der i erhvervsfremmelovens § 9?", "forvaltningslovens
§ 19, stk. 2", "§ 5 i lov om leje". Such a question is a lookup, not a search: :class:`LegalLookup`
finds the act the question names (by the collection's titles, no list of law names) and the passages
that hold the provision, and the searcher puts them first.

How an act is recognised from the question: a word ending in ``-loven``/``-lovens``/``-lov``
("erhvervsfremmelovens" → "erhvervsfremme") or a phrase ``lov(en) om X``, compared with each legal
document's name (``Lov om erhvervsfremme``, ``Forvaltningsloven``): the same word ranks first, then a
word of the name that starts the same way, then character-level similarity ("kommunestyrelsesloven" ~
"lov om kommunernes styrelse"); the shortest name wins a tie. A question with a § and no act resolves
only in a collection with one legal document.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from indexer import Document, Index
from indexer.reading.clean import fold_for_match
from indexer.reading.legal import act_name, paragraph_key, structure_of

from .config import LegalConfig

# "§ 9", "§ 9 a", "§ 9, stk. 5"; the letter "i" only where no word follows it ("§ 9 i lov om …" is § 9). The sign
# as people type it too: "paragraf 9", "paragraffen", "pgf. 9", "section 9"; "stk 5", "stykke 5", "subsection 5",
# "section 9(5)"
_SIGN = r"(?:§|\bparagraf(?:fen)?\b|\bpgf\b\.?|\bsection\b)"
_STK = r"(?:\s*,?\s*(?:stk\b\.?|stykke\b|subsection\b)\s*(\d+)|\((\d+)\))"
_REF = re.compile(_SIGN + r"\s*(\d+)(?:\s?([a-hj-zæøå]\b|i(?=\s*(?:$|[,.;:?!)]|stk\b))))?" + _STK + "?", re.IGNORECASE)
_LAW_WORD = re.compile(r"\b([a-zæøå-]{3,}?)(?:s)?lov(?:en|ens|s)?\b", re.IGNORECASE)
_LOV_OM = re.compile(r"\blov(?:en)?\s+om\s+(.+?)(?=\s*(?:[,.?!;:]|§|\bstk\b|\bparagraf|$))", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """A provision named in a question."""

    paragraph: str  # "9", "9 a"
    stk: int | None
    act: str  # how the question names the act ("erhvervsfremme"), or ""


@dataclass(frozen=True)
class Resolved:
    """A reference resolved to one document and its passages (in text order)."""

    reference: Reference
    doc_id: str
    span: tuple[int, int]  # the provision's span in the document's text
    passages: tuple[int, ...]  # passage numbers that overlap it


def parse(question: str) -> Reference | None:
    """The first § the question names, and the act it names (if any)."""
    m = _REF.search(question)
    if not m:
        return None
    act = ""
    om = _LOV_OM.search(question)
    if om:
        act = om.group(1)
    else:
        for w in _LAW_WORD.finditer(question):
            if w.group(1).lower() not in ("", "i", "om"):
                act = w.group(1)
                break
    stk = m.group(3) or m.group(4)
    return Reference(paragraph_key(m.group(1), m.group(2) or ""), int(stk) if stk else None, act.strip(" -"))


def _fold(text: str) -> str:
    return fold_for_match(text).text.strip()


@functools.lru_cache(maxsize=8192)  # every § question compares its act with every title of the collection
def _name_words(title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of the act name in ``title`` (folded), and those of them that carry content."""
    words = tuple(re.findall(r"\w+", _fold(act_name(title).name)))
    return words, tuple(w for w in words if w not in ("lov", "om", "af", "og", "i", "for", "til", "med"))


@functools.lru_cache(maxsize=1024)
def _mention(mention: str) -> str:
    return _fold(mention).rstrip("s") or _fold(mention)


def name_score(mention: str, title: str) -> float:
    """How well ``mention`` ("erhvervsfremme", "kommunestyrelses", "leje") names the act ``title``."""
    from rapidfuzz import fuzz

    m = _mention(mention)
    words, content = _name_words(title)
    if any(w.startswith(m + "lov") or w.startswith(m + "slov") for w in words) or " ".join(content) == m:
        return 3.0  # forvaltningsloven; lov om erhvervsfremme (all its content words)
    if any(w == m or w.startswith(m) for w in content):
        return 2.0 + 0.5 * fuzz.ratio(m, " ".join(content)) / 100  # lov om leje (af erhvervslokaler …)
    return fuzz.ratio(m, "".join(content)) / 100  # kommunestyrelses ~ kommunernesstyrelse


class LegalLookup:
    """Resolves § questions against one index's legal documents."""

    def __init__(self, index: Index, config: LegalConfig, doc_of: np.ndarray) -> None:
        self.index = index
        self.config = config
        self.doc_of = doc_of  # each passage's document id (the ranker's array)
        self._legal: list[Document] | None = None

    def legal_documents(self) -> list[Document]:
        if self._legal is None:
            self._legal = [d for d in self.index.documents.values() if structure_of(d)]
        return self._legal

    def act_for(self, ref: Reference) -> Document | None:
        docs = self.legal_documents()
        if not docs:
            return None
        if not ref.act:
            return docs[0] if len(docs) == 1 else None
        scored = sorted(((name_score(ref.act, d.title), -len(d.title), d.doc_id) for d in docs), reverse=True)
        best = scored[0]
        if best[0] < self.config.min_name_score:
            return None
        return self.index.documents[best[2]]

    def lookup(self, question: str) -> Resolved | str | None:
        """The provision a question names: :class:`Resolved` when its act has it; as cited ("Forvaltningsloven,
        § 999") when the act the question names does not have it; None when the question names no provision,
        no act the collection holds, or one no passage holds. A repealed § the act still lists ("§ 63.
        (Ophævet)") is there."""
        ref = parse(question)
        doc = self.act_for(ref) if ref is not None else None
        if ref is None or doc is None:
            return None
        span = structure_of(doc).find(ref.paragraph, ref.stk)
        if span is None:
            stk = f", stk. {ref.stk}" if ref.stk is not None else ""
            return f"{act_name(doc.title).name}, § {ref.paragraph}{stk}"
        ids = np.flatnonzero(self.doc_of == doc.doc_id)
        hits = tuple(int(i) for i in ids if self.index.passages[i].start < span[1]
                     and self.index.passages[i].end > span[0])
        return Resolved(ref, doc.doc_id, span, hits[: self.config.max_pinned]) if hits else None

    def resolve(self, question: str) -> Resolved | None:
        """The provision a question names, when its act has it (:meth:`lookup`)."""
        found = self.lookup(question)
        return found if isinstance(found, Resolved) else None
