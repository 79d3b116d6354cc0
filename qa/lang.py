"""Offline question-language check, Danish or English: which language's common words the question is made of.

Each word counts its frequency in either language (wordfreq's lists of common words, Zipf scale; a word
neither list holds counts ``FLOOR`` in both), and æ, ø, å count for Danish. A question full of stopwords
decides either way, and so does a terse one without any: "maternity leave father weeks" is English, "barsel far
uger" Danish (a check on stopwords alone read every such English search string as Danish).
"""

from __future__ import annotations

import functools
import re

__all__ = ["detect_lang", "word_zipf"]

FLOOR = 2.0  # a word outside a language's list of common words (Zipf 3 and up) counts as this rare there
DANISH_LETTER = 2.0  # each æ, ø or å: Danish evidence no English word gives
_WORD = re.compile(r"[a-zæøåéü]+")


@functools.lru_cache(maxsize=65_536)
def word_zipf(word: str, language: str, wordlist: str = "best") -> float:
    """wordfreq's frequency of ``word`` in ``language`` on the Zipf scale (0 for a language wordfreq lacks): the
    one wrapper of it, cached. ``wordlist``: "small" (common words: this module's check) or "best" (the largest
    list: the speller's, qa.spelling)."""
    import wordfreq

    if not _has_list(language, wordlist):
        return 0.0
    return float(wordfreq.zipf_frequency(word, language, wordlist=wordlist))


@functools.lru_cache(maxsize=32)
def _has_list(language: str, wordlist: str) -> bool:
    import wordfreq

    return language in wordfreq.available_languages(wordlist)  # a look at the package's files: once


def _zipf(word: str, lang: str) -> float:
    return max(FLOOR, word_zipf(word, lang, "small"))


def detect_lang(text: str) -> str:
    """'da' or 'en' (Danish where nothing decides)."""
    low = text.lower()
    words = _WORD.findall(low)
    da = sum(_zipf(w, "da") for w in words) + DANISH_LETTER * sum(low.count(ch) for ch in "æøå")
    en = sum(_zipf(w, "en") for w in words)
    return "en" if en > da else "da"
