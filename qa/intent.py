"""What a question's form says beyond its words: which documents it names, and what shape the answer has.

- **Years name documents.** A year or period in a question that matches a document's year (its date,
  or a year or period in its title) says *where* to look: "according to the 2013 strategy",
  "klyngestrategien 2016-2018". It becomes a document prior, and it is left out of the sentence-window
  lexical match, where it would favour passages that merely mention the period over the passages of
  the document that covers it.
- **A count asks for a list.** "What are the *five* focus areas", "Hvilke *tre* indsatsområder": the
  answer is likely an enumerated list of that many items (A.–E., 1.–5.), which often carries none of
  the question's words (the items are named, the category is not). Passages holding a labelled list
  of exactly that length get a small boost (answer-type matching, as in classic QA systems).

- **A quantity asks for a number.** "Hvor længe …", "hvor hurtigt …", "hvor mange …", "hvad koster …",
  "how often …", "when …": the sentence that answers states a number, an amount or a period ("senest 14 dage
  efter", "mindst 5 og højst 7 medlemmer", "300 kr.", "én gang om året"), where the sentences around it
  share the question's words without it. Among a hit's sentences, one that states a quantity is marked
  ahead of one that only shares more words (``asks_quantity``, ``states_quantity``; ``qa.answer``).

- **Acts for Greenland or the Faroe Islands are not about Denmark.** Danish law has acts that apply only
  there ("retsplejelov for Færøerne", "lov om folketingsvalg i Grønland"), near-copies of the acts that
  apply in Denmark; a question that names neither place is not about them, and their passages lose a
  little of their score (``territorial_documents``, ``names_territory``).

All are measured in docs/ranking.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from indexer import Document, Passage
from indexer.store.tokens import NUMBER_WORDS

_YEAR = r"(?:19|20)\d\d"
_PERIOD = re.compile(rf"(?<![\d.,])({_YEAR})(?:\s*[-–/]\s*({_YEAR}))?(?![\d.,])")

_COUNT = re.compile(r"(?<![\w.,])([a-zæøå]+|\d{1,2})(?![\w.,%])(?=\s+[a-zæøå])", re.IGNORECASE)  # N before a word
# a list item: a line that starts with "A." / "b)" / "3." and text
_ITEM = re.compile(r"^[ \t]*(?:([A-Za-z])|(\d{1,2}))[.)][ \t]+\S", re.MULTILINE)
MAX_LIST = 20
MAX_ITEM_GAP = 1500  # characters between two items of one list (numbered section headings are further apart)


def years_in(text: str) -> set[int]:
    """Years and the years of periods ("2016-2018" -> 2016, 2017, 2018) written in ``text``."""
    out: set[int] = set()
    for m in _PERIOD.finditer(text):
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        if 0 <= b - a <= 10:
            out.update(range(a, b + 1))
        else:
            out.update((a, b))
    return out


@dataclass(frozen=True)
class Scope:
    """Documents a question names by year (doc_id -> share of the question's years it covers)."""

    docs: dict[str, float]
    years: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.docs)

    def without_years(self, question: str) -> str:
        """``question`` without the years and periods that named a document."""
        if not self.years:
            return question

        def keep(m: re.Match[str]) -> str:
            return "" if years_in(m.group(0)) <= self.years else m.group(0)

        return " ".join(_PERIOD.sub(keep, question).split())


_TERRITORY_TITLE = re.compile(r"\b(?:for|i|på) (?:grønland|færøerne)\b", re.IGNORECASE)
_TERRITORY_NAMED = re.compile(r"grønland|færø|greenland|faroe", re.IGNORECASE)


def territorial_documents(documents: Mapping[str, Document]) -> frozenset[str]:
    """The documents whose title limits them to Greenland or the Faroe Islands."""
    return frozenset(d for d, doc in documents.items() if _TERRITORY_TITLE.search(doc.title or ""))


def names_territory(text: str) -> bool:
    """Does the question name Greenland or the Faroe Islands (Danish or English)?"""
    return bool(territory_named(text))


def territory_named(text: str) -> str:
    """The territory a question names, as the acts' titles write it ("grønland", "færøerne"), or ""."""
    m = _TERRITORY_NAMED.search(text)
    return "" if not m else "grønland" if m.group(0).lower() in ("grønland", "greenland") else "færøerne"


class DocumentYears:
    """Which documents a question's years point to."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._years = {doc_id: years_in(f"{d.title} {d.year or ''}") for doc_id, d in documents.items()}

    def scope(self, question: str) -> Scope:
        asked = years_in(question)
        docs = {d: len(asked & ys) / len(asked) for d, ys in self._years.items() if asked & ys}
        if not docs:
            return Scope({}, frozenset())
        return Scope(docs, frozenset(y for ys in self._years.values() for y in asked & ys))


# questions whose answer is a number, an amount, a period or a point in time, in Danish and English
_ASKS_QUANTITY = re.compile(
    r"\bhvor (?:længe|lang tid|langt|hurtigt|tit|ofte|mange|meget|stor|store|gammel|høj|lav)\b|\bhvornår\b"
    r"|\bhvad koster\b|\bhvilken (?:frist|alder)\b|\binden for hvor\b"
    r"|\bhow (?:long|soon|quickly|fast|often|many|much|far|old|large|big|high)\b|\bwhat age\b"
    r"|(?:^|[.?!:–-]\s*|\b(?:from|by|until|since)\s+)when\b"  # "when" asks; "… when a tenant moves" does not
    r"|\bwhat (?:does|do|will|would) [^?]{0,60}\bcost\b|\bdeadline\b", re.IGNORECASE)
# a number a sentence states: digits or a Danish number word, not a reference (§ 9, stk. 2, nr. 3, 1. pkt.,
# kapitel 4, lov nr. 13 af 5. januar 2026) nor a list item's number ("1) …")
_REFERENCE = re.compile(r"§+\s*\d+(?:\s*[a-z]\b)?(?:\s*(?:[-–,]|og)\s*\d+(?:\s*[a-z]\b)?)*"
                        r"|\b(?:stk|nr|pkt|litra|kapitel|afsnit|bilag)\.?\s*\d+(?:/\d+)?"
                        r"(?:\s+af\s+\d{1,2}\.\s+[a-zæøå]+\s+\d{4})?|\b\d+\.\s*(?:pkt|punktum)\b|(?<![\w,.])\d{1,2}\)",
                        re.IGNORECASE)
_QUANTITY = re.compile(
    r"\d|\b(?:" + "|".join(NUMBER_WORDS["da"]) + r"|én|ét|elleve|tolv|femten|tyve|tredive|halvt|halv|hundrede|tusind"
    r"|halvdelen|dobbelt|årligt|månedligt|ugentligt|dagligt|hvert år|hver måned|om året|om måneden)\b", re.IGNORECASE)


def asks_quantity(question: str) -> bool:
    """Does ``question`` (Danish or English) ask for a number, an amount, a period or a time?"""
    return bool(_ASKS_QUANTITY.search(question))


def states_quantity(sentence: str) -> bool:
    """Does ``sentence`` state a number, an amount, a period or a frequency (references to §§ not counted)?"""
    return bool(_QUANTITY.search(_REFERENCE.sub(" ", sentence)))


def asked_count(question: str, lang: str) -> int | None:
    """N when the question asks for N things ("the five focus areas", "hvilke tre …"), else None."""
    words = NUMBER_WORDS.get(lang, {})
    for m in _COUNT.finditer(question):
        w = m.group(1).lower()
        n = words.get(w) if not w.isdigit() else int(w)
        if n is not None and 2 <= n <= MAX_LIST:
            return n
    return None


def list_lengths(passages: Sequence[Passage]) -> np.ndarray:
    """For each passage, the length of the longest labelled list (A., B., C. … or 1., 2., 3. …) it holds
    items of; a list that runs on into the next passage counts whole in both."""
    out = np.zeros(len(passages), dtype=np.int16)
    run: list[int] = []  # passage numbers of the items of the current run
    prev: tuple[str, int, int] | None = None  # (doc_id, label value, document offset) of the last item
    for i, p in enumerate(passages):
        for m in _ITEM.finditer(p.text):
            v = ord(m.group(1).lower()) - 96 if m.group(1) else int(m.group(2))
            at = p.start + m.start()
            if run and prev is not None and prev[0] == p.doc_id and v == prev[1] + 1 and at - prev[2] <= MAX_ITEM_GAP:
                run.append(i)
            else:
                _close(run, out)
                run = [i] if v == 1 else []
            prev = (p.doc_id, v, at)
    _close(run, out)
    return out


def _close(run: list[int], out: np.ndarray) -> None:
    for i in set(run):
        out[i] = max(int(out[i]), len(run))
