"""The lexical tokens of Danish text, one rule each: words, stopwords, Snowball stems, boundary-marked
character n-grams (Danish writes compounds as one word: "klyngeorganisationer"), codes that mix letters and
digits, suspended compounds written out; and which tokens an index of a given size uses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence
from functools import lru_cache
from typing import Any

from indexer.reading.clean import CONJUNCTIONS

__all__ = ["ENGLISH_STOPWORDS", "NGRAM", "NUMBER_WORDS", "STEMS_ONLY_ABOVE", "STEM_LANGUAGE", "STOPWORDS", "identifiers",
           "marked", "mode_tokens", "stem_token", "stems", "suspended_compounds", "token_mode", "tokenize", "word_token",
           "words"]

NGRAM = 4  # character n-gram length for Danish compounds (docs/ranking.md, "2. Three signals")

# Danish number words are content, not stopwords: "de fem indsatsområder" answers "the five focus areas"
# (qa/intent.py reads them from here too).
NUMBER_WORDS: dict[str, dict[str, int]] = {
    "da": {"to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7, "otte": 8, "ni": 9, "ti": 10},
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10},
}


def _danish_stopwords() -> frozenset[str]:
    """stopwords-iso's Danish list without the number words, plus three words it lacks that carry no
    content in a question ("dens", "hvilke", "nye"); with them, every evaluation set ranks exactly as
    with the hand-written list this replaced (docs/experiments.md)."""
    import stopwordsiso

    return (frozenset(stopwordsiso.stopwords("da")) - set(NUMBER_WORDS["da"])) | {"dens", "hvilke", "nye"}


DANISH_STOPWORDS = _danish_stopwords()

# English: a short list (stopwords-iso's has 1,298 entries, content words among them).
ENGLISH_STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not now
of off on once only or other our out over own same she should so some such than that the their them
then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your according many much
""".split())

STOPWORDS = DANISH_STOPWORDS | ENGLISH_STOPWORDS
_WORD = re.compile(r"[0-9a-zæøåäöüéèáàóòúùíìñç]+(?:[.,][0-9]+)*", re.IGNORECASE)
# a code that mixes letters and digits ("AS-258", "LC-34", "KC135", "CO2", "H1N1-virus") is also one token
# of its own: as words it falls apart into a stopword or a short letter run and a number, which match any
# passage with that number (docs/ranking.md, "2. Three signals")
_IDENTIFIER = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[^\W_]+(?:-[^\W_]+)*(?![\w-])")


STEM_LANGUAGE = "da"  # the Snowball stemmer's language below: only a word of it has a stem worth comparing


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer("danish")


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    return [w for w in _WORD.findall(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


@lru_cache(maxsize=200_000)
def _word_tokens(w: str) -> tuple[str, ...]:
    stem = _stemmer().stemWord(w)
    whole = word_token(w)
    if whole is not None:
        return ("s:" + stem, whole)
    m = marked(w)
    return ("s:" + stem, *(m[i:i + NGRAM] for i in range(len(m) - NGRAM + 1)))


def word_token(w: str) -> str | None:
    """The token of a word of at most ``NGRAM`` letters as a whole ("to" -> "w:to"); None for a longer one,
    which is matched by its n-grams instead (:func:`marked`)."""
    return "w:" + w if len(w) <= NGRAM else None


def marked(w: str) -> str:
    """A word between boundary marks ("#klynger#"): its ``NGRAM``-letter substrings are its n-gram tokens."""
    return f"#{w}#"


def identifiers(text: str) -> list[str]:
    """The codes in ``text`` that mix letters and digits, as lexical tokens ("AS-258" -> "i:as-258")."""
    return ["i:" + m.group(0).lower() for m in _IDENTIFIER.finditer(unicodedata.normalize("NFC", text))]


def stems(words: Sequence[str]) -> list[str]:
    """The stems of many lowercase words at once, as :func:`stem_token` has them without its "s:" prefix."""
    return list(_stemmer().stemWords(words))


def stem_token(word: str) -> str:
    """The stem token of one word ("klyngerne" -> "s:klyng"): what IDF and feedback terms are counted on."""
    return _word_tokens(word.lower())[0]


_SUSPENDED_PART = re.compile(r"[0-9a-zæøåäöüéèáàóòúùíìñç]+-?|[,&]", re.IGNORECASE)
_CONNECTORS = CONJUNCTIONS | {","}


def suspended_compounds(text: str, known: Container[str]) -> list[str]:
    """Danish suspended compounds written out: "klynge- og netværksindsatsen" -> ["klyngeindsatsen"].

    Danish shares the tail of compounds in a list ("branche- eller erhvervsorganisationer",
    "forsknings- og uddannelsesinstitutioner"). The shared tail is the longest ending of the last word
    that is itself a word in ``known`` (the corpus vocabulary), so "Uddannelses- og
    Forskningsministeriet" gives "uddannelsesministeriet".
    """
    parts = [m.group(0).lower() for m in _SUSPENDED_PART.finditer(text)] if "- " in text or "-," in text else []
    out: list[str] = []
    i = 0
    while i < len(parts):
        if not (parts[i].endswith("-") and len(parts[i]) > 2):
            i += 1
            continue
        heads = [parts[i][:-1]]
        j = i + 1
        while j < len(parts) and (parts[j] in _CONNECTORS or (parts[j].endswith("-") and len(parts[j]) > 2)):
            if parts[j].endswith("-"):
                heads.append(parts[j][:-1])
            j += 1
        if i + 1 < j < len(parts):
            last = parts[j].rstrip("-")
            tail = next((last[k:] for k in range(1, len(last) - NGRAM + 1) if last[k:] in known), None)
            if tail:
                out.extend(h + tail for h in heads)
        i = j
    return out


@lru_cache(maxsize=500_000)
def mode_tokens(w: str, mode: str) -> tuple[str, ...]:
    """The tokens of one word in ``mode``: "stems" its stem; "full" its stem and n-grams. (Stems plus the
    n-grams of long words only ranked worse than stems alone on both development sets: docs/scale.md.)"""
    if mode == "stems":
        return ("s:" + _stemmer().stemWord(w),)
    return _word_tokens(w)


def tokenize(text: str, known: Container[str] | None = None, mode: str = "full") -> list[str]:
    """Stems ('s:klyng') and boundary-marked character n-grams ('#kly', 'klyn', ...) of each word;
    ``mode="stems"`` (indexes above STEMS_ONLY_ABOVE passages, :func:`token_mode`) the stems alone.

    With ``known`` (the corpus vocabulary, at index time), suspended compounds are also written out.
    Codes that mix letters and digits are a token of their own as well (:func:`identifiers`).
    """
    if mode != "full":
        return [t for w in words(text) for t in mode_tokens(w, mode)] + identifiers(text)
    out: list[str] = []
    for w in words(text):
        out.extend(_word_tokens(w))
    if known is not None:
        for w in suspended_compounds(text, known):
            out.extend(_word_tokens(w))
    return out + identifiers(text)


# above this many passages the lexical tokens are word stems only: character n-grams multiply the
# postings ~6-fold, and at 1M passages they need 9 GB and 222 s to build, stems 1.5 GB and ~2 min
# (docs/scale.md, "The lexical index at 1M passages", with what it costs on the development sets)
STEMS_ONLY_ABOVE = 200_000


def token_mode(n_passages: int) -> str:
    """The lexical tokens for an index of ``n_passages``: "full" (stems + n-grams) or "stems"."""
    return "stems" if n_passages > STEMS_ONLY_ABOVE else "full"
