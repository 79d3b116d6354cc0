"""Acronyms of act names: "AMU-loven" is lov om ArbejdsMarkedsUddannelser, "PAL-loven" is
PensionsAfkastbeskatningsLoven.

An acronym spells a name (:func:`spells`) when its letters are the first letters of the name's words in order
("lov" at will), with more from a compound's parts after a linking s. :func:`uses` counts how often a text writes
one as a word of its own, for the acronyms that spell no name ("CPR-loven": Det Centrale Personregister) or several.
:class:`qa.legalref.LegalLookup` decides with both which act a question's acronym names.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["JOINING", "spells", "uses"]

# the words that join an act name's words and carry none of its content: they give no letter to its acronym ("lov
# om en aktiv beskæftigelsesindsats": LAB), nor a word to its name (qa.legalref.name_score)
JOINING = frozenset({"om", "af", "og", "i", "for", "til", "med", "en", "et", "det", "den", "de", "på", "samt"})


def spells(acronym: str, name: Sequence[str]) -> bool:
    """Whether ``acronym`` (three letters or more) is made of the initials of an act name's words ``name`` (both
    folded, as ``qa.legalref.name_words`` gives a title's): each word's first letter in order, "lov" at will, and
    more letters from a compound's parts after a linking s: atp (Arbejdsmarkedets TillægsPension), pal
    (PensionsAfkastbeskatningsLoven), lab (Lov om Aktiv Beskæftigelsesindsats)."""
    words = tuple(w for w in name if w not in JOINING and len(w) > 1)
    return len(acronym) >= 3 and _spelled(acronym, words)


def _spelled(letters: str, words: tuple[str, ...]) -> bool:
    if not words:
        return not letters
    word, rest = words[0], words[1:]
    if word == "lov" and _spelled(letters, rest):
        return True
    if not letters or letters[0] != word[0]:
        return False
    inner = [word[i + 1] for i in range(2, len(word) - 4) if word[i] == "s"]  # tillægs|pension
    most = 0  # the longest run of the next letters the word's inner parts give, in order
    for c in inner:
        if most < len(letters) - 1 and letters[1 + most] == c:
            most += 1
    return any(_spelled(letters[1 + k:], rest) for k in range(most + 1))


def uses(text: str, word: str) -> int:
    """How often ``text`` writes ``word`` as a word of its own: "CPR-nummer" counts for CPR, "EUDP" not for EUD
    (``str.find`` from one to the next: a regular expression took 0.4 s over the 316 acts)."""
    n, i = 0, text.find(word)
    while i >= 0:
        end = i + len(word)
        n += (i == 0 or not text[i - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
        i = text.find(word, end)
    return n
