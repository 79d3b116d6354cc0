"""Danish lay words → the terms legislation uses, added to a Danish question's lexical query.

People ask in their own words: "Hvor tit holder byrådet møde?", "plejehjem", "børnechecken", while the act
says "kommunalbestyrelsen", "plejebolig", "børne- og ungeydelse". The dense signal may still see such a
paraphrase; the lexical one cannot, and a lay word's compound head matches whatever else shares it
("byrådet" → menighedsrådet, regionsrådet). ``qa/data/lay_da.tsv`` (``LAY_TERMS``) lists everyday words and
phrases of Danish public administration with the formal terms; a question's words are looked up by
Snowball stem (phrases of up to three words first), and the formal terms are added to what the lexical
index matches, the lay word staying; a single lay word the collection itself uses is left alone. Coverage
and word pairs (``qa.match``) count a lay word as present where one of its formal terms is. The list is
general vocabulary, not any collection's; a collection in another language, and English questions
(``qa.dictionary``), do not use it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.store.tokens import stem_token, words

from .dictionary import read_terms
from .match import Terms, content_words

__all__ = ["LAY_TERMS", "LayMatch", "LayTerms", "lay_terms"]

LAY_TERMS = Path(__file__).resolve().parent / "data" / "lay_da.tsv"
MAX_PHRASE = 3  # the longest lay phrase looked up, in words


@dataclass(frozen=True)
class LayMatch:
    """A lay word or phrase of a question (as its words) and the formal terms it stands for."""

    words: tuple[str, ...]
    formal: tuple[str, ...]


@dataclass(frozen=True)
class LayTerms:
    """The lay → formal table, keyed by the stems of the lay phrase's words."""

    table: dict[tuple[str, ...], tuple[str, ...]]

    @classmethod
    def read(cls, path: Path) -> LayTerms:
        """The table of ``path`` (``lay<TAB>formal words``, as a glossary); empty when it cannot be read."""
        table = {}
        for lay, formal in read_terms(path).items():
            key = tuple(stem_token(w) for w in words(lay))
            if key and formal:
                table[key] = formal
        return cls(table)

    @functools.cached_property
    def _stems(self) -> frozenset[str]:
        return frozenset(s for key in self.table for s in key)

    def knows(self, word: str) -> bool:
        """Is ``word`` (lowercased) one of the lay words, alone or in a phrase?"""
        return stem_token(word) in self._stems

    def find(self, text: str, known: Callable[[str], bool] | None = None) -> tuple[LayMatch, ...]:
        """The lay words and phrases of ``text``, longest first, left to right, each word in at most one.
        With ``known`` (is this word in the collection?), a lay word the collection itself uses is left as
        it is: its own matches are the evidence, and its formal terms would only add noise (on the 316 acts,
        expanding every lay word cost laws-dev's Danish MRR 0.647 → 0.638; only unknown ones: 0.647)."""
        ws = words(text)
        stems = [stem_token(w) for w in ws]
        out, i = [], 0
        while i < len(ws):
            for n in range(min(MAX_PHRASE, len(ws) - i), 0, -1):
                formal = self.table.get(tuple(stems[i:i + n]))
                if formal and not (n == 1 and known is not None and known(ws[i])):
                    out.append(LayMatch(tuple(ws[i:i + n]), formal))
                    i += n
                    break
            else:
                i += 1
        return tuple(out)


@functools.lru_cache(maxsize=4)
def lay_terms(path: Path = LAY_TERMS) -> LayTerms:
    """The table of ``path``, read once."""
    return LayTerms.read(path)


def expansion(found: Sequence[LayMatch]) -> str:
    """The formal terms of ``found``, as words the lexical index matches (each once, in order)."""
    return " ".join(dict.fromkeys(f for m in found for f in m.formal))


def expansion_terms(found: Sequence[LayMatch]) -> int:
    """How many terms :func:`expansion` adds to a question's (``qa.match.question_terms`` of it)."""
    return len(content_words(expansion(found))) if found else 0


def with_formal(terms: Terms, found: Sequence[LayMatch]) -> Terms:
    """``terms`` (one per question word) with each lay word's formal terms as further alternatives: the word
    counts as present where one of them is."""
    if not found:
        return terms
    extra: dict[str, list[str]] = {}
    for m in found:
        formal = [w for f in m.formal for w in content_words(f)]
        for w in m.words:
            extra.setdefault(stem_token(w), []).extend(formal)
    out = []
    for term in terms:
        more = extra.get(stem_token(term[0][0]), []) if len(term) == 1 and len(term[0]) == 1 else []
        out.append(term + tuple((f,) for f in dict.fromkeys(more) if (f,) not in term))
    return tuple(out)
