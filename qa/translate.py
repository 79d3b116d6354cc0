"""English questions over Danish texts: a word-bag translation through the collection's glossary.

A collection may ship a glossary (``collection.toml``: ``glossary = "FILE.tsv"``): English words and
phrases with the Danish terms a reader would use for them. ``translate`` maps an English question's
words and phrases (longest match first) to those terms, ``to_danish`` gives them as the bag of words the
lexical index matches; words without an entry are kept, so names, acronyms and loanwords ("EU", "offshore") match as they are.
A word or phrase is looked up as written, then with its words lemmatised (``simplemma``: "sent" → send, "rural
zone permits" → rural zone permit; auxiliaries stay as they are), then with crude suffixes cut from its last word.
Without a glossary, English retrieval rests on the multilingual signals: fusion trusts the lexical
index as far as the collection's vocabulary has the question's words (``qa.rank``, ``qa.config``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import simplemma

_MAX_PHRASE = 3


def _variants(word: str) -> list[str]:
    out = [word]
    for suffix, repl in (("'s", ""), ("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: -len(suffix)] + repl)
    return out


# auxiliaries stay as they are: "does" asks, it is no form of "do" (gøre) to translate
_AUXILIARIES = frozenset("am is are was were be been being has have had having do does did done".split())


@functools.lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    return word if word in _AUXILIARIES else str(simplemma.lemmatize(word, lang="en")).lower()


def _candidates(words: list[str]) -> list[str]:
    """The forms a run of question words is looked up by, in order."""
    forms = [words]
    lemmas = [_lemma(w) for w in words]
    if lemmas != words:
        forms.append(lemmas)
    forms += [words[:-1] + [v] for v in _variants(words[-1])[1:]]
    return [" ".join(f) for f in forms]


def translate(question: str, glossary: Mapping[str, tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """The English question's words and phrases (longest match first), each as its Danish terms from
    ``glossary``, or as itself when it has no entry: one group of alternatives per English unit."""
    tokens = re.findall(r"[a-z0-9æøå]+(?:-[a-z0-9æøå]+)*", question.lower())
    out: list[tuple[str, ...]] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase_words = tokens[i:i + n]
            hits = None
            for cand in _candidates(phrase_words):
                if cand in glossary:
                    hits = glossary[cand]
                    break
            if hits is not None:
                out.append(tuple(hits))
                i += n
                break
        else:
            out.append((tokens[i],))
            i += 1
    return tuple(out)


def known_word(word: str, glossary: Mapping[str, tuple[str, ...]]) -> bool:
    """Does ``glossary`` translate ``word`` (lowercased), in any of the forms a question's word is looked up by?"""
    return any(form in glossary for form in _candidates([word]))


def as_bag(groups: Sequence[Sequence[str]]) -> str:
    """Translation groups as the bag of words the lexical index matches."""
    return " ".join(term for group in groups for term in group)


def to_danish(question: str, glossary: Mapping[str, tuple[str, ...]]) -> str:
    """Danish terms for an English question (a bag of words, not a sentence)."""
    return as_bag(translate(question, glossary))
