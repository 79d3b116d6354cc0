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

A question can also name *when*: "Hvem er direktør for Energinet i dag?", "How much does a bus pass cost
right now?" asks for a present fact, and a collection of rules and plans rarely states one (1 % of the
acts' passages speak of the present at all, 12 % of the policy texts', 16 % of Wikipedia articles'). Such a
question turns on its time as on a name: ``present_cue`` finds it ("lige nu", "i dag", "right now",
"currently"; not "i år" or "this year", periods acts regulate: the income year), and it counts as unmentioned
where none of the best passages speaks of the present (``speaks_of_present``: those words, "nu", "nuværende",
"aktuel", "current" …); the doubt says so in a sentence of its own (``UNSAID_NOW``). A year it asks about
("Hvor mange patenter fik universiteterne i 2023?": ``question_years``) is a name of its own, mentioned where a
passage writes it (``qa.confidence.unmentioned_in``). So is last year ("sidste år", "last year") in a question asking how
many or how much ("Hvor mange familier fik stoppet børnechecken sidste år?"): a count or an amount of a past year,
which only a text writing the year gives. Elsewhere such words tell the asker's situation ("min pension gav minus
sidste år"), and "i år", "next year" in a count question mostly apply a rule to the asker's own year ("Hvor meget
må jeg tjene i år?"): those are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

__all__ = ["ABSENT_PROVISION", "UNMENTIONED", "UNSAID_NOW", "doubt_reasons", "opens_clause", "present_cue", "question_names",
           "question_years", "speaks_of_present", "unmentioned", "without_names"]

_WORD = re.compile(r"[^\W\d_][\w&-]*")
UNMENTIONED = {  # the doubt's reason, as the CLI (both at once) and the app (its language) say it
    "da": "De bedste passager nævner ikke {}.",
    "en": "The best passages do not mention {}.",
}
UNSAID_NOW = {  # the same, for the words by which a question asks what holds now
    "da": "De bedste passager siger intet om, hvordan det er nu (»{}«).",
    "en": "The best passages say nothing of how things are now (“{}”).",
}
ABSENT_PROVISION = {  # the same, for a provision the question names that its act does not have (qa.legalref)
    "da": "{} findes ikke i dokumenterne.",
    "en": "{} is not in the documents.",
}
_QUOTES = frozenset("\"“”«»()")
_FORMAL = frozenset({"de", "dem", "deres"})  # the Danish formal "you", capitalised mid-sentence
# a question that asks what holds now, Danish and English (not "today's": "today's market price" is a rule's)
_PRESENT_ASKED = r"lige nu|i dag|i øjeblikket|for tiden|nu om dage|p\.t\.|right now|today(?!'s|’s)|currently|" \
    r"at the moment|at present|nowadays|these days"
_PRESENT_CUE = re.compile(rf"(?<!\w)(?:{_PRESENT_ASKED})(?!\w)", re.IGNORECASE)
# a passage that speaks of the present: those words and the adjectives and adverbs of "now"
_PRESENT_SAID = re.compile(rf"(?<!\w)(?:{_PRESENT_ASKED}|nu|nuværende|aktuel\w*|now|current\w*|present)(?!\w)",
                           re.IGNORECASE)

# a year a question places what it asks in ("i 2023", "in 2021", "året 2024"), not a boundary of the asker's
# situation ("pension fra før 2003", "since 2019": rules turn on such dates, so their passages need not write the
# year), not an amount ("i 2000 kr.") and not a span ("2023/24")
_YEAR = re.compile(r"(?<!\w)(?:i|in|during|under|året|the year)"
                   r"\s+((?:18|19|20)\d\d)(?![\d/.,]\d|\s*(?:kr|kroner|dkk|euro|€|%|mio|mia)(?!\w))",
                   re.IGNORECASE)
# last year, named from today, and the words of a question that asks for a count or an amount (what a year's
# statistics or accounts give; not "hvornår", "how long": rules state those). Only the year past: "this year" and
# "next year" in a count question mostly apply a rule to the asker's own year ("Hvor meget må jeg tjene i år?")
_LAST_YEAR = re.compile(r"(?<!\w)(?:sidste år|i fjor|sidste kalenderår|last year)(?!\w)", re.IGNORECASE)
_COUNT_OR_AMOUNT = re.compile(r"(?<!\w)(?:hvor (?:mange|meget)|antal\w*|kost(?:er|ede)|how (?:many|much)|number of|"
                              r"costs?|(?<!in )charged?)(?!\w)", re.IGNORECASE)  # "charge", not "in charge"


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
    """``text`` without the words that are one of ``names`` (any case, a genitive s too, each part of a hyphenated
    word on its own, as ``question_names`` reads them): what a question asks, less where or whom it asks it of
    ("ældrerådet i Silkeborg Kommune": an act that lists Silkeborg among the municipalities is no likelier to
    answer)."""
    if not names:
        return text
    low = {_genitive_base(n.lower()) for n in names}

    def kept(part: str) -> bool:
        return _genitive_base(part.lower()) not in low

    cut = _WORD.sub(lambda m: "-".join(p for p in m.group(0).split("-") if kept(p)), text)
    return " ".join(cut.split())


def _genitive_base(word: str) -> str:
    """``word`` (lower case) without a genitive s ("roskildes" → "roskilde"); a word of up to four letters keeps it.
    The one rule for a name's forms, where it is left out of a query and where it is looked for in a passage."""
    return word[:-1] if len(word) > 4 and word.endswith("s") else word


def _mentioned(name: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(_genitive_base(name.lower())), text) is not None


def unmentioned(names: Sequence[str], texts: Sequence[str]) -> tuple[str, ...]:
    """The ``names`` mentioned in none of ``texts`` (each a passage's title, headings and text)."""
    if not names:
        return ()
    joined = "\n".join(texts).lower()
    return tuple(n for n in names if not _mentioned(n, joined))


def question_years(text: str, today: date | None = None, relative: bool = True) -> tuple[str, ...]:
    """The years ``text`` places what it asks in ("i 2023", "in 2021"; not "siden 1990", "i 2000 kr.", an act's
    number): a question on a year turns on it as on a name. With ``relative``, a question asking how many or how
    much about last year names it too, counted from ``today`` (default: the date now): in 2026, 2025."""
    years = [m.group(1) for m in _YEAR.finditer(text)]
    if relative and _LAST_YEAR.search(text) and _COUNT_OR_AMOUNT.search(text):
        years.append(str((today or date.today()).year - 1))
    return tuple(dict.fromkeys(years))


def present_cue(text: str) -> str:
    """The words by which ``text`` asks what holds now ("i dag", "right now"), or ""."""
    m = _PRESENT_CUE.search(text)
    return m.group(0) if m else ""


def speaks_of_present(texts: Sequence[str]) -> bool:
    """Does any of ``texts`` (a passage's title, headings and text) speak of the present?"""
    return any(_PRESENT_SAID.search(t) for t in texts)


def doubt_reasons(names: Sequence[str], now: str, lang: str, provision: str = "") -> str:
    """What the best passages never mention, said in ``lang`` ("da" or "en"): a named ``provision`` its act does
    not have, the question's ``names`` and the words ``now`` by which it asks what holds now; "" when there is
    none of them. The one wording the app and the CLI use."""
    said = [ABSENT_PROVISION[lang].format(provision)] if provision else []
    said += [UNMENTIONED[lang].format(", ".join(names))] if names else []
    return " ".join(said + ([UNSAID_NOW[lang].format(now)] if now else []))
