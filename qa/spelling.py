"""Questions as people type them: without æ, ø and å ("Hvor tit holder byraadet moede?") or with a slip of the
finger ("Forælldre vil have hende ordblndetestet"). A word neither the collection nor the language knows matches
no passage lexically and moves the question's vector away from the passages that use it: on laws-dev's Danish
questions over all 316 acts, typed without æ, ø, å, R@5 fell .86 → .62; with one slip in half of their long
words, .70 (``benchmarks/typed.py``; docs/ranking.md, "1. The question").

A word is left as typed when it is short, a stopword, an acronym, a name (capitalised inside a sentence, as
``qa.names`` reads names), or a word: its stem is in a passage of the collection, it is a lay word
(``qa.lay``), the language's word list (wordfreq) has it or its stem, or (a language that writes compounds as
one word) it is two such words. A Danish word is first *unfolded*: "aa", "ae", "oe" written "å", "æ", "ø"
where that gives a known word commoner than the word as typed. Otherwise a word long enough is *mended*: the
nearest of the collection's stems and the language's common words within ``SpellingConfig.max_edits``
(:func:`typing_distance`: a letter added, dropped or two swapped is one edit, a letter typed for another one
when their keys touch or both are vowels, else two), with the same first letter; among equally near ones one the collection uses (or, for a question in another language,
that its dictionary translates into the collection's words), then the commoner. The question is searched as
respelled, both its vector and its words, and the result says what was changed (``Result.respelled``), as a
search box's "showing results for".
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.store.tokens import STEM_LANGUAGE, STOPWORDS, stem_token, stems

from .config import SpellingConfig
from .lang import word_zipf
from .names import opens_clause

__all__ = ["RESPELLED", "Respelled", "Respelling", "Speller", "searched_for", "typing_distance"]

RESPELLED = {  # what the CLI (both at once) and the app (its language) say above the hits of a respelled question
    "da": "Søgte efter: {}",
    "en": "Searched for: {}",
}

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_ASCII = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
_UNFOLDING = frozenset({"da", "nb", "nn", "no"})  # languages written with æ, ø, å
_COMPOUNDING = frozenset({"da", "de", "nb", "nl", "nn", "no", "sv"})  # languages writing compounds as one word


@dataclass(frozen=True)
class Respelling:
    typed: str  # the word as typed ("byraadet")
    searched: str  # the word searched for instead ("byrådet")


@dataclass(frozen=True)
class Respelled:
    text: str  # the question as searched
    changes: tuple[Respelling, ...] = ()


def searched_for(changes: Sequence[Respelling]) -> str:
    """The respelled words as shown: "byrådet (byraadet), møde (moede)"."""
    return ", ".join(f"{c.searched} ({c.typed})" for c in changes)


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


@functools.lru_cache(maxsize=8)
def _language_words(language: str, zipf: float) -> tuple[str, ...]:
    """wordfreq's words of ``language`` at least ``zipf`` common (at 3.0: ~29,000 Danish ones, ~28,000
    English), none for a language it lacks."""
    import wordfreq

    if language not in wordfreq.available_languages():
        return ()
    # the list's i-th bucket holds the words of frequency 10^(-i/100), Zipf 9 - i/100
    return tuple(w for i, bucket in enumerate(wordfreq.get_frequency_list(language)) if 9 - i / 100 >= zipf
                 for w in bucket if w.isalpha())


@functools.lru_cache(maxsize=8)
def _language_stems(language: str, zipf: float) -> frozenset[str]:
    """The stems of the language's words at least ``zipf`` common: an inflection wordfreq does not list
    ("trampet") is a word when a form it lists has its stem ("trampe")."""
    return frozenset(stems(_language_words(language, zipf)))


class Speller:
    """Respells the words of a question in ``language`` that neither its collection nor the language knows (see
    the module). ``stems``: the collection's word stems a slip may be mended to (without the "s:" prefix; none
    for a question in another language than the collection's) and ``df(stem)`` the number of its passages that
    hold one; ``known(word)`` is True for a word known elsewhere (a lay word; a word the question's dictionary
    translates into the collection's words)."""

    def __init__(self, stems: Sequence[str], df: Callable[[str], int], config: SpellingConfig,
                 language: str = "da", known: Callable[[str], bool] = lambda _w: False) -> None:
        self._df = df
        self._known = known
        self._zipf = functools.partial(word_zipf, language=language)
        self._zipf("the")  # wordfreq reads the language's list on its first look-up: here, not in a question
        self._word_stems = _language_stems(language, config.word_zipf) if language == STEM_LANGUAGE else frozenset()
        self._unfolds = language in _UNFOLDING
        self._compounds = language in _COMPOUNDING
        self.config = config
        self._stems: dict[str, list[str]] = {}  # the collection's stems (in enough passages) by first letter
        for s in stems:
            if s and df(s) >= config.min_passages:
                self._stems.setdefault(s[0], []).append(s)
        self._words: dict[str, list[str]] = {}  # the language's common words by first letter
        for w in _language_words(language, config.candidate_zipf):
            self._words.setdefault(w[0], []).append(w)

    def respell(self, text: str) -> Respelled:
        """``text`` with each unknown word respelled (see the module); unchanged when none is."""
        changes: list[Respelling] = []
        pieces: list[str] = []
        last = 0
        for m in _WORD.finditer(text):
            word = m.group(0)
            new = self._respelled(word, text[:m.start()])
            if new is not None and new != word.lower():
                new = _match_case(new, word)
                changes.append(Respelling(word, new))
                pieces += [text[last:m.start()], new]
                last = m.end()
        if not changes:
            return Respelled(text)
        return Respelled("".join(pieces) + text[last:], tuple(changes))

    def _respelled(self, word: str, before: str) -> str | None:
        """``word`` unfolded (:meth:`_unfolded`); else, unless it is a name or a word (:meth:`_is_word`) or a
        compound of two, the nearest word (:meth:`_nearest`); None to leave it as typed. Short words,
        stopwords and acronyms are left. A name is a capitalised word inside a sentence (``qa.names``)."""
        low = word.lower()
        if len(low) < self.config.min_length or low in STOPWORDS or word.isupper():
            return None
        name = word[:1].isupper() and not opens_clause(before)
        unfolded = self._unfolded(low, name)
        if unfolded is not None or name or self._is_word(low) or self._compound(low):
            return unfolded
        return self._nearest(low)

    def _is_word(self, low: str) -> bool:
        """Known to the collection, to the lay words, or to the language's word list, or an inflection of a
        word it knows ("lørdage": its stem "lørdag" is a word; "trampet": "trampe" has its stem)."""
        stem = stem_token(low)[2:]
        return (self._df(stem) > 0 or self._known(low) or self._zipf(low) >= self.config.word_zipf
                or self._zipf(stem) >= self.config.word_zipf or stem in self._word_stems)

    def _compound(self, low: str) -> bool:
        """Two known words, the first perhaps with a linking "s" or "e" ("sags|nummer", "dags|tur")."""
        n = self.config.compound_part
        if not self._compounds:
            return False
        for i in range(n, len(low) - n + 1):
            head, tail = low[:i], low[i:]
            heads = [head] + ([head[:-1]] if head[-1] in "se" and i - 1 >= n else [])
            if self._is_word(tail) and any(self._is_word(h) for h in heads):
                return True
        return False

    def _unfolded(self, low: str, name: bool = False) -> str | None:
        """The word with "aa", "ae", "oe" written "å", "æ", "ø" (some or all of them) that the collection uses
        in most passages, else the commonest in the language, or None. It must be known (for a name: to the
        collection), and commoner than the word as typed where that is known too ("aar", "paa": older
        spellings): ``unfold_margin`` in the language (not "koen", the cow, to "køn"), ten times in the
        collection."""
        spots = [(m.start(), ascii_, letter) for ascii_, letter in _ASCII for m in re.finditer(ascii_, low)]
        if not self._unfolds or not spots or len(spots) > 4:
            return None
        typed_df, typed_zipf = self._df(stem_token(low)[2:]), self._zipf(low)
        best, best_score = None, (-1, -1.0)
        for pick in itertools.product((False, True), repeat=len(spots)):
            if not any(pick):
                continue
            word = low
            for (at, ascii_, letter), on in sorted(zip(spots, pick, strict=True), key=lambda s: -s[0][0]):
                if on:
                    word = word[:at] + letter + word[at + len(ascii_):]
            df, zipf = self._df(stem_token(word)[2:]), self._zipf(word)
            known = df > 0 or (not name and (self._is_word(word) or self._compound(word)))
            if not known or (typed_df and df < 10 * typed_df) or (
                    typed_zipf >= self.config.word_zipf and zipf < typed_zipf + self.config.unfold_margin):
                continue
            if (df, zipf) > best_score:
                best, best_score = word, (df, zipf)
        return best

    def _nearest(self, low: str) -> str | None:
        """The nearest word the collection uses (its stem nearest to the word's, with the word's ending) or the
        language knows, with the same first letter (slips seldom hit it); among equally near ones as
        :meth:`_preference` orders them. None beyond the edits the word's length allows."""
        edits = max((e for n, e in self.config.max_edits if len(low) >= n), default=0)
        if not edits:
            return None
        stem = stem_token(low)[2:]
        ending = low[len(stem):] if low.startswith(stem) else ""
        found = [(d, s + ending) for d, s in self._near(stem, self._stems, edits)]
        found += self._near(low, self._words, edits)
        if not found:
            return None
        near = min(d for d, _w in found)
        return max((w for d, w in found if d == near), key=self._preference)

    def _preference(self, word: str) -> tuple[bool, float, int]:
        """Among equally near words: one the collection uses or that is known elsewhere (an English word the
        dictionary translates into the collection's words: "suports" is "supports", not "sports"), then the
        commoner in the language, then in the collection."""
        df = self._df(stem_token(word)[2:])
        return (df > 0 or self._known(word), self._zipf(word), df)

    def _near(self, key: str, by_letter: dict[str, list[str]], edits: int) -> list[tuple[int, str]]:
        """(edits, word) of the ``candidates`` words of ``by_letter`` nearest to ``key`` within ``edits``."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        choices = by_letter.get(key[:1], [])
        found: list[Any] = process.extract(key, choices, scorer=OSA.distance, score_cutoff=edits,
                                           limit=self.config.candidates) if choices else []
        typed = ((typing_distance(key, w), w) for w, _d, _i in found)
        return [(d, w) for d, w in typed if d <= edits]


# a keyboard's rows (Danish; the English letters sit where they do on an English one), each shifted right by
# about a quarter of a key from the row above: two keys touch when their rows differ by at most one and their
# positions by at most one key
_ROWS = ("qwertyuiopå", "asdfghjklæø", "zxcvbnm")
_KEY = {ch: (r, c + (0.0, 0.25, 0.75)[r]) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
_VOWELS = frozenset("aeiouyæøå")


def _swap_cost(a: str, b: str) -> int:
    """One letter typed for another: one edit for neighbouring keys or two vowels ("tilade"/"tilode"), else
    two (as a letter dropped and another added: "skimmel" is not a slip for "svimmel")."""
    if a in _VOWELS and b in _VOWELS:
        return 1
    ka, kb = _KEY.get(a), _KEY.get(b)
    return 1 if ka and kb and abs(ka[0] - kb[0]) <= 1 and abs(ka[1] - kb[1]) <= 1.0 else 2


def typing_distance(a: str, b: str) -> int:
    """Edits from ``a`` to ``b`` as fingers make them: a letter added, dropped or two neighbours swapped is
    one, a letter for another one or two (:func:`_swap_cost`); optimal string alignment otherwise."""
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = 0 if a[i - 1] == b[j - 1] else _swap_cost(a[i - 1], b[j - 1])
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + sub)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[n][m]
