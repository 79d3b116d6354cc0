"""The names a question turns on, and whether the best passages mention them.

"Hvor mange borgere i Roskilde Kommune får hjemmehjælp?" is about home help, which the acts regulate, and
about Roskilde, which they never mention: the best passages are on the question's subject, their answer
sentences close to it, and still they cannot answer it. A question that names a place, a body or a person
the best passages never mention asks about something they do not cover. The confidence model reads that
as one of its features (``qa.confidence``, ``unmatched_name``); how much it weighs is fitted, per language.
The names themselves go into the result (``Result.unmentioned``), which the app's doubt banner says.

A name is a capitalised word that does not open a sentence or clause (each part of a hyphenated word on its
own: "IPCC-møderne" names IPCC). Not a name: an acronym (all capitals, or several capitals in a short word:
"SU", "FGU", "OK24"; an abbreviation of a common thing, written out in the texts), a Danish formal pronoun
("De", "Dem"), and a word ``known`` says is an ordinary word (for an English question: one its dictionary
translates, "Municipality"). A name is mentioned where a word of the passage's title, headings or text starts
with it (a genitive s dropped: "Roskildes").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["UNMENTIONED", "opens_clause", "question_names", "unmentioned", "without_names"]

_WORD = re.compile(r"[^\W\d_][\w&-]*")
UNMENTIONED = {  # the doubt's reason, as the CLI (both at once) and the app (its language) say it
    "da": "De bedste passager nævner ikke {}.",
    "en": "The best passages do not mention {}.",
}
_QUOTES = frozenset("\"“”«»()")
_FORMAL = frozenset({"de", "dem", "deres"})  # the Danish formal "you", capitalised mid-sentence


def _is_acronym(part: str) -> bool:
    capitals = sum(ch.isupper() for ch in part)
    return part.isupper() or (capitals > 1 and len(part) <= 6)


def opens_clause(before: str) -> bool:
    """Does the word that follows ``before`` (the text before it) open a sentence or clause, so that its
    capital says nothing? It does as the first word, after a sentence end, colon or semicolon followed by a
    space, after a dash between spaces, and after a quote or a bracket. The one rule for where a capital
    marks a name (here, and ``qa.spelling``, which leaves names as typed)."""
    tail = before.rstrip()
    if not tail or tail[-1] in _QUOTES:
        return True
    spaced = len(tail) < len(before)
    if tail[-1] in ".?!:;":
        return spaced
    return tail[-1] in "–—-" and spaced and tail[:-1][-1:].isspace()


def question_names(text: str, known: Callable[[str], bool] | None = None) -> tuple[str, ...]:
    """The names in ``text`` (see the module), in order; ``known(word)`` (lowercased) is True for an
    ordinary word that is capitalised only as part of a name or a title."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        if opens_clause(text[:m.start()]):
            continue
        for part in m.group(0).split("-"):
            if len(part) < 2 or not part[0].isupper() or _is_acronym(part):
                continue
            low = part.lower()
            if low in _FORMAL or (known is not None and known(low)):
                continue
            out.append(part)
    return tuple(dict.fromkeys(out))


def without_names(text: str, names: Sequence[str]) -> str:
    """``text`` without the words that are one of ``names`` (any case): what a question asks, less where or whom
    it asks it of ("ældrerådet i Silkeborg Kommune": an act that lists Silkeborg among the municipalities is
    no likelier to answer)."""
    if not names:
        return text
    low = {n.lower() for n in names}
    return " ".join(w for w in text.split() if w.strip(",.;:!?()\"'«»").lower() not in low)


def _mentioned(name: str, text: str) -> bool:
    stem = name.lower()
    if len(stem) > 4 and stem.endswith("s"):
        stem = stem[:-1]
    return re.search(r"(?<!\w)" + re.escape(stem), text) is not None


def unmentioned(names: Sequence[str], texts: Sequence[str]) -> tuple[str, ...]:
    """The ``names`` mentioned in none of ``texts`` (each a passage's title, headings and text)."""
    if not names:
        return ()
    joined = "\n".join(texts).lower()
    return tuple(n for n in names if not _mentioned(n, joined))
