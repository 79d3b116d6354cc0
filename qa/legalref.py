"""Questions that name a provision: "Hvad står der i erhvervsfremmelovens § 9?", "forvaltningslovens
§ 19, stk. 2", "§ 5 i lov om leje". Such a question is a lookup, not a search: :class:`LegalLookup`
finds the act the question names (by the collection's titles, no list of law names) and the passages
that hold the provision, and the searcher puts them first.

How an act is recognised from the question: a word ending in ``-loven``/``-lovens``/``-lov``
("erhvervsfremmelovens" → "erhvervsfremme") or a phrase ``lov(en) om X``, compared with each legal
document's name (``Lov om erhvervsfremme``, ``Forvaltningsloven``): the same word ranks first, then a
compound of the name's words ("folketingsvalgloven" → lov om valg til Folketinget, "kommunestyrelsesloven" →
lov om kommunernes styrelse, "privatvejsloven" → lov om private fællesveje), then a word of the name that is the
name's word ("vejloven": offentlige veje), then one that starts the same way (either only as its first word, its
short name in brackets, or any of a name of at most four), then character-level similarity; the shortest name
wins a tie. An acronym no name holds names the act whose name it spells ("AMU-loven": lov om
arbejdsmarkedsuddannelser), else the act whose text writes it far more than any other ("CPR-loven"); in English
too ("the CPR Act").
A question with a § and no act resolves only in a collection with one legal document, or in a search limited to
documents of which one is.

An act named in English ("section 19 of the Public Administration Act", "the Act on Social Services") is
read through the English terms a question goes through (``english``: the searcher's glossary or dictionary,
"public administration act" → forvaltningsloven, "social services" → social service): the act whose name
holds every translated word and most of whose name they cover, ahead of the next act by a margin
(:func:`english_name_score`, ``LegalConfig``); otherwise the question is searched as any other.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from indexer import Document, Index
from indexer.reading.clean import fold_for_match
from indexer.reading.legal import act_name, paragraph_key, structure_of
from indexer.store.tokens import ENGLISH_STOPWORDS, stem_token

from .acronyms import JOINING, spells, uses
from .config import LegalConfig
from .intent import territory_named

# "§ 9", "§ 9 a", "§ 9, stk. 5"; the letter "i" only where no word follows it ("§ 9 i lov om …" is § 9). The sign
# as people type it too: "paragraf 9", "paragraffen", "pgf. 9", "section 9"; "stk 5", "stykke 5", "subsection 5",
# "section 9(5)"
_SIGN = r"(?:§|\bparagraf(?:fen)?\b|\bpgf\b\.?|\bsection\b)"
_STK = r"(?:\s*,?\s*(?:stk\b\.?|stykke\b|subsection\b)\s*(\d+)|\((\d+)\))"
_REF = re.compile(_SIGN + r"\s*(\d+)(?:\s?([a-hj-zæøå]\b|i(?=\s*(?:$|[,.;:?!)]|stk\b))))?" + _STK + "?", re.IGNORECASE)
_LAW_WORD = re.compile(r"\b([a-zæøå-]{2,}?)(?:s)?lov(?:en|ens|s)?\b", re.IGNORECASE)
_LOV_OM = re.compile(r"\blov(?:en)?\s+om\s+(.+?)(?=\s*(?:[,.?!;:]|§|\bstk\b|\bparagraf|$))", re.IGNORECASE)
# English: "the Public Administration Act", "Criminal Code" (the words before it), "the Act on Social Services"
# (the words after it, up to a §, punctuation or the verb that asks about it)
_EN_BEFORE = re.compile(r"((?:[a-zæøå'-]+\s+){1,8})(?:act|code)\b", re.IGNORECASE)
_EN_AFTER = re.compile(r"\b(?:act|code)\s+(?:on|of|concerning)\s+(.+?)(?=\s*(?:[,.?!;:()]|§|\b(?:sub)?section\b|"
                       r"\b(?:say|says|state|states|provide|provides|mean|means|require|requires)\b|$))", re.IGNORECASE)
_LAW_SUFFIX = re.compile(r"s?lov(?:en|ens|s)?$")  # "forvaltningsloven" → forvaltning, in names and translations
# an act named by an acronym: "CPR-loven", "cvr-loven" (capitals, or letters with no vowel that make no Danish word)
_ACRONYM = re.compile(r"[A-ZÆØÅ]{2,5}|[b-df-hj-np-tv-z]{2,5}")
# a name of one of a title's words names it when that word comes first ("lov om retssikkerhed og administration på
# det sociale område": retssikkerhedsloven) or the title has at most this many (one-letter words, m.v., not
# counted; "lov om private fællesveje": fællesvejsloven), not one of many ("lov om afgift af tinglysning og
# registrering af ejer- og panterettigheder": not tinglysningsloven)
_NAMED_BY_ONE_WORD = 4


@dataclass(frozen=True)
class Reference:
    """A provision named in a question."""

    paragraph: str  # "9", "9 a"
    stk: int | None
    act: str  # how the question names the act ("erhvervsfremme", "Social Services Act"), or ""
    # an act named in English: its words as Danish terms, one group of alternatives a word ((("social", "service"),))
    act_terms: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Resolved:
    """A reference resolved to one document and its passages (in text order)."""

    reference: Reference
    doc_id: str
    span: tuple[int, int]  # the provision's span in the document's text
    passages: tuple[int, ...]  # passage numbers that overlap it


def parse(question: str, english: Callable[[str], Sequence[Sequence[str]]] | None = None) -> Reference | None:
    """The first § the question names, and the act it names (if any); an act named in English only with
    ``english``, which gives an English phrase's words as groups of Danish terms (``qa.translate.translate``)."""
    m = _REF.search(question)
    if not m:
        return None
    stk = m.group(3) or m.group(4)
    paragraph, number = paragraph_key(m.group(1), m.group(2) or ""), int(stk) if stk else None
    act = danish_act(question)
    if not act and english is not None and (phrase := english_act(question)):
        name = phrase.split()
        if len(name) == 2 and _ACRONYM.fullmatch(name[0]):  # "the CPR Act", "the ATP Act": as in Danish
            return Reference(paragraph, number, name[0])
        terms = english_terms(phrase, english)
        # a name the terms give as a Danish act's ("criminal code" → straffeloven) is matched as one
        law = next((danish_act(a) for g in terms for a in g if _LAW_WORD.fullmatch(a)), "")
        return Reference(paragraph, number, law or (phrase if terms else ""), () if law else terms)
    return Reference(paragraph, number, act)


def danish_act(question: str) -> str:
    """How a question names an act in Danish ("erhvervsfremmelovens" → erhvervsfremme, "lov om leje" → leje)."""
    act = ""
    om = _LOV_OM.search(question)
    if om:
        act = om.group(1)
    else:
        named = [w.group(1) for w in _LAW_WORD.finditer(question) if w.group(1).lower() not in ("i", "om")]
        # a stem of two letters (søloven) only where no longer one names an act: "orloven" is the leave
        act = next((n for n in named if not _two_letters(n)), named[0] if named else "")
    return act.strip(" -")


def english_act(question: str) -> str:
    """How a question names an act in English, as it is written: "section 19 of the Public Administration Act" →
    Public Administration Act, "Freedom of Information Act", "the Criminal Code", "the Act on Social Services":
    the words before "Act" back to the first function word that does not join two of its words ("and", "of",
    "in" do), or those after "Act on"."""
    after = _EN_AFTER.search(question)
    if after:
        return question[after.start():after.end()]
    before = _EN_BEFORE.search(question)
    if not before:
        return ""
    words = before.group(1).split()
    kept: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        w = words[i].lower()
        joins = w in ("and", "of", "in") and kept and i > 0 and words[i - 1].lower() not in ENGLISH_STOPWORDS
        if w in ENGLISH_STOPWORDS and not joins:
            break
        kept.insert(0, words[i])
    keyword = question[before.end(1):before.end()]
    return " ".join([*kept, keyword]) if kept else ""


def english_terms(phrase: str, english: Callable[[str], Sequence[Sequence[str]]]) -> tuple[tuple[str, ...], ...]:
    """An English act name's words as groups of Danish terms, without the groups of its function words ("of",
    "on") and of "act" itself (lov); a name the terms know whole stays whole ("public administration act" →
    forvaltningsloven)."""
    function = {tuple(g) for w in phrase.lower().split() if w in ENGLISH_STOPWORDS for g in english(w)}
    groups = (tuple(a for a in g if a.strip()) for g in english(phrase))
    return tuple(g for g in groups if g and g not in function and not any(_LAW_SUFFIX.fullmatch(_fold(a)) for a in g))


def _fold(text: str) -> str:
    return fold_for_match(text).text.strip()


@functools.lru_cache(maxsize=8192)  # every § question compares its act with every title of the collection
def name_words(title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of the act name in ``title`` (folded), and those of them that carry content."""
    words = tuple(re.findall(r"\w+", _fold(act_name(title).name)))
    return words, tuple(w for w in words if w != "lov" and w not in JOINING)


@functools.lru_cache(maxsize=8192)
def _bracket_words(title: str) -> frozenset[str]:
    """The words (folded) of what a title writes in brackets: an act's short name ("… projekter (VVM)")."""
    return frozenset(re.findall(r"\w+", _fold(" ".join(re.findall(r"\(([^)]*)\)", title)))))


@functools.lru_cache(maxsize=1024)
def _mention(mention: str) -> str:
    return _fold(mention.strip(" -")).rstrip("s") or _fold(mention)


def _two_letters(mention: str) -> bool:
    """Whether an act's name is a stem of two letters ("søloven", "SU-loven", "orloven"): such a name counts only
    where a title writes it (:func:`name_score`), and gives way to a longer one in the same question."""
    return len(_mention(mention)) < 3


def name_score(mention: str, title: str) -> float:
    """How well ``mention`` ("erhvervsfremme", "kommunestyrelses", "leje") names the act ``title``: 3 the name's
    own word, 2.5 and more a compound of its words (:func:`_parts_of`), 2.25 and more one of its words, 2 and more
    the start of one (its first word, its short name in brackets, or any of a name of at most four), else
    similarity."""
    from rapidfuzz import fuzz

    m = _mention(mention)
    words, content = name_words(title)
    if _two_letters(m) and m + "loven" not in words and m not in _bracket_words(title):
        return 0.0  # two letters name a title that writes the name (søloven, "(SU-loven)"); "orloven" is the leave
    if any(w.startswith(m + "lov") or w.startswith(m + "slov") for w in words) or " ".join(content) == m:
        return 3.0  # forvaltningsloven; lov om erhvervsfremme (all its content words)
    made_of = _parts_of(m, list(content))
    if len(made_of) > 1:  # folketingsvalg: valg til Folketinget; kommunalvalg: kommunale og regionale valg
        return 2.5 + 0.25 * len(made_of) / len(content)
    short = sum(len(w) > 1 for w in content) <= _NAMED_BY_ONE_WORD
    brackets = _bracket_words(title)
    named = [w for i, w in enumerate(content) if w.startswith(m) and (short or i == 0 or (w == m and w in brackets))]
    if named:  # the word itself (vej: offentlige veje) before the start of a longer one (vejafgift)
        whole = any(w == m or _base(w) == m for w in named)
        return 2.0 + 0.25 * whole + 0.25 * fuzz.ratio(m, " ".join(content)) / 100  # lov om leje (af erhvervslokaler …)
    return fuzz.ratio(m, "".join(content)) / 100  # kommunestyrelses ~ kommunernesstyrelse


def _stem(word: str) -> str:
    token = stem_token(word)
    return token[2:] if token.startswith("s:") else word


def _without_law(word: str) -> str:
    return _LAW_SUFFIX.sub("", word) if len(word) > 6 else word


_ENDINGS = ("ernes", "erne", "ene", "ens", "ets", "en", "er", "et", "es", "e", "s")  # Danish inflection


def _base(word: str) -> str:
    """A word without its inflection ("folketinget" → folketing, "boliger" → bolig)."""
    return next((word[:-len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 3), word)


def _parts_of(term: str, name: list[str], first: bool = True) -> set[int]:
    """The words of an act's name that a Danish compound term is made of, in its order, with a linking s or e
    between them ("folketingsvalg" → folketing + valg in "valg til folketinget"); its last part may be the last
    part of a compound of the name ("privatvej" → private + fællesveje); empty if it is not so made."""
    if not term:
        return set()
    for j, w in enumerate(name):
        for start in dict.fromkeys((w, _base(w))):  # the word as it is, or without its inflection
            if len(start) < 3 or not term.startswith(start):
                continue
            rest = term[len(start):]
            if not rest:
                return {j}
            for tail in (rest, rest[1:] if rest[0] in "se" else None):
                if tail and (more := _parts_of(tail, name, first=False)):
                    return {j} | more
    if first or len(term) < 3:
        return set()
    # the compound's head as the last part of a longer word of the name: "vej" in "fællesveje"
    return next(({j} for j, w in enumerate(name) if len(w) > len(term) and _base(w).endswith(term)), set())


def _shares(term: str, name: list[str]) -> list[float]:
    """How much of each word of an act's name a Danish term covers: all of the words a compound term is made of
    (:func:`_parts_of`), else a term inside a word by its share of the letters ("skat" in
    "skatteforvaltning"), or the same stem 0.75 ("kommune" ~ "kommunernes")."""
    made_of = _parts_of(term, name)
    if len(made_of) > 1:
        return [1.0 if j in made_of else 0.0 for j in range(len(name))]
    stem = _stem(term)
    return [len(term) / len(w) if term in w else 0.75 if stem == _stem(w) else 0.0 for w in name]


def english_name_score(terms: Sequence[Sequence[str]], title: str) -> tuple[float, float]:
    """How well an act named in English, as groups of Danish terms, names the act ``title``: the share of the
    groups one of whose terms is in the name, and how much of the name's words those terms cover (:func:`_shares`)."""
    name = [_without_law(w) for w in name_words(title)[1] if len(w) > 1]
    if not name or not terms:
        return 0.0, 0.0
    found, cover = 0, [0.0] * len(name)
    for group in terms:
        parts = {_without_law(_fold(p)) for alt in group for p in alt.split()}
        shares = [_shares(p, name) for p in parts if len(p) >= 3]
        found += any(any(row) for row in shares)
        cover = [max([c, *(row[j] for row in shares)]) for j, c in enumerate(cover)]
    return found / len(terms), sum(cover) / len(name)


class LegalLookup:
    """Resolves § questions against one index's legal documents; ``english`` (an English phrase's words as
    Danish terms) lets a question name its act in English."""

    def __init__(self, index: Index, config: LegalConfig, doc_of: np.ndarray,
                 english: Callable[[str], Sequence[Sequence[str]]] | None = None,
                 territorial: frozenset[str] = frozenset()) -> None:
        self.index = index
        self.config = config
        self.doc_of = doc_of  # each passage's document id (the ranker's array)
        self.english = english
        self.territorial = territorial  # acts for Greenland or the Faroe Islands only (the ranker's, qa.intent)
        self._legal: list[Document] | None = None

    def legal_documents(self) -> list[Document]:
        if self._legal is None:
            self._legal = [d for d in self.index.documents.values() if structure_of(d)]
        return self._legal

    def act_for(self, ref: Reference, within: Collection[str] | None = None, territory: str = "") -> Document | None:
        """The act a reference names; with no act named, the collection's one legal document, or the one among
        ``within`` (the documents a search is limited to). Of the acts the name fits, one for the territory the
        question names (``territory``: "grønland", "færøerne") goes first, and where it names none, one for the
        whole country ("retsplejeloven": lov om rettens pleje, not retsplejelov for Færøerne)."""
        docs = self.legal_documents()
        if not docs:
            return None
        if not ref.act:
            return self._only_act(docs, within)
        # an act for Greenland or the Faroe Islands only is meant where the question names the territory
        meant = ((lambda d: territory in d.title.lower()) if territory else (lambda d: d.doc_id not in self.territorial))
        if ref.act_terms:  # the acts meant first, then all: a name only a territory's act fits is that act
            found = self._english_act(ref.act_terms, [d for d in docs if meant(d)])
            return found if found is not None else self._english_act(ref.act_terms, docs)
        scored = [(name_score(ref.act, d.title), -len(d.title), d.doc_id, meant(d)) for d in docs]
        best = max(scored, key=lambda s: (s[0] >= self.config.min_name_score and s[3], s[:3]))
        if best[0] < self.config.min_name_score:
            if _ACRONYM.fullmatch(ref.act):
                return self._acronym_act(ref.act, docs)
            # "orloven" (the leave) names no act: a § of the one act searched, as with no act named
            return self._only_act(docs, within) if _two_letters(ref.act) else None
        return self.index.documents[best[2]]

    @staticmethod
    def _only_act(docs: list[Document], within: Collection[str] | None) -> Document | None:
        """With no act named: the collection's one legal document, or the one among ``within``; else None."""
        alone = [d for d in docs if within is None or d.doc_id in within]
        return alone[0] if len(alone) == 1 else None

    def _acronym_act(self, acronym: str, docs: list[Document]) -> Document | None:
        """The act an acronym no title holds names: the one act whose name it spells (``qa.acronyms``: "AMU-loven"),
        or of several the one whose text writes it most ("ATP-loven": also anvendelse af tvang i psykiatrien);
        else the one whose text writes it (in capitals) ``LegalConfig.acronym_margin`` times as often as any other
        ("CPR-loven": lov om Det Centrale Personregister); else None."""
        written, folded = acronym.upper(), _fold(acronym)
        spelled = sorted(((uses(d.text, written), d.doc_id) for d in docs if spells(folded, name_words(d.title)[0])),
                         reverse=True)
        if len(spelled) == 1 or (spelled and spelled[0][0] > spelled[1][0]):
            return self.index.documents[spelled[0][1]]
        counts = sorted(((uses(d.text, written), d.doc_id) for d in docs), reverse=True)
        (most, doc_id), second = counts[0], (counts[1][0] if len(counts) > 1 else 0)
        if most < self.config.acronym_min_uses or most < self.config.acronym_margin * second:
            return None
        return self.index.documents[doc_id]

    def _english_act(self, terms: Sequence[Sequence[str]], docs: list[Document]) -> Document | None:
        """The act an English name's terms name: all of them in its name, covering enough of it, and ahead of the
        next act that holds them all (``LegalConfig``); else None (the question is searched)."""
        if not docs:
            return None
        scored = sorted(((english_name_score(terms, d.title), -len(d.title), d.doc_id) for d in docs), reverse=True)
        (found, cover), _, best = scored[0]
        rival = next((c for (f, c), _, _ in scored[1:] if f == 1.0), 0.0)
        if found < 1.0 or cover < self.config.english_min_cover or cover - rival < self.config.english_margin:
            return None
        return self.index.documents[best]

    def lookup(self, question: str, within: Collection[str] | None = None) -> Resolved | str | None:
        """The provision a question names: :class:`Resolved` when its act has it; as cited ("Forvaltningsloven,
        § 999") when the act the question names does not have it; None when the question names no provision,
        no act the collection holds, or one no passage holds. A repealed § the act still lists ("§ 63.
        (Ophævet)") is there. ``within``: the documents a search is limited to, where a § named without its act
        ("Hvad siger § 19?") is looked up when one of them is a legal document."""
        ref = parse(question, self.english)
        doc = self.act_for(ref, within, territory_named(question)) if ref is not None else None
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
