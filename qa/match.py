"""How much of a question a passage holds, in words: the rules ranking and confidence share.

- :func:`coverage`: the share of the question's content words a text holds (by stem, or by most of a
  word's character 4-grams, so Danish compounds count). Confidence reads it off the best hits; ranking
  reads it off the lexical signal's best passages to decide how far to trust that signal.
- :func:`word_pairs` / :func:`proximity`: the question's consecutive content words, and the
  IDF-weighted share of them that stand side by side in a passage (the ordered-pair part of the
  sequential dependence model of Metzler and Croft, 2005): "første udtræksprøve" said as one phrase
  beats the two words pages apart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from indexer.lexical import stem_token, tokenize, words

GRAM_SHARE = 0.6  # a word without its stem in the text counts when this share of its 4-grams is there


def content_words(text: str) -> list[str]:
    """The words that coverage counts: content words longer than two letters."""
    return [w for w in words(text) if len(w) > 2]


def coverage_of(qwords: Sequence[str], tokens: Collection[str]) -> float:
    """Share of ``qwords`` present in a text given as its lexical ``tokens`` (:func:`tokenize`)."""
    if not qwords:
        return 0.0
    hit = 0.0
    for w in qwords:
        toks = tokenize(w)
        stem = [t for t in toks if t.startswith("s:")]
        grams = [t for t in toks if not t.startswith("s:")]
        if stem and stem[0] in tokens:
            hit += 1
        elif grams:
            share = sum(g in tokens for g in grams) / len(grams)
            hit += share if share >= GRAM_SHARE else 0.0
    return hit / len(qwords)


def coverage(question: str, texts: Sequence[str]) -> float:
    """Share of the question's content words (by stem or 4-gram overlap) present in ``texts``."""
    tokens: set[str] = set()
    for t in texts:
        tokens.update(tokenize(t))
    return coverage_of(content_words(question), tokens)


@dataclass(frozen=True)
class WordPairs:
    """A question's consecutive content-word stems and each pair's weight (the weights sum to 1)."""

    pairs: tuple[tuple[str, str], ...]
    weights: tuple[float, ...]


def word_pairs(question: str, idf: Callable[[str], float]) -> WordPairs:
    """Consecutive content words of ``question`` as stem pairs, weighted by the sum of their IDFs."""
    stems = [stem_token(w) for w in words(question)]
    pairs = tuple((a, b) for a, b in zip(stems, stems[1:], strict=False) if a != b)
    raw = [max(idf(a), 0.0) + max(idf(b), 0.0) for a, b in pairs]
    total = sum(raw)
    if not pairs or total <= 0:
        return WordPairs((), ())
    return WordPairs(pairs, tuple(r / total for r in raw))


def adjacent_pairs(text: str) -> frozenset[tuple[str, str]]:
    """The stem pairs of ``text``'s content words that stand side by side (stopwords between them
    do not count as words)."""
    stems = [stem_token(w) for w in words(text)]
    return frozenset(zip(stems, stems[1:], strict=False))


def proximity(q: WordPairs, adjacent: Collection[tuple[str, str]]) -> float:
    """IDF-weighted share of the question's word pairs that stand side by side in a passage."""
    return sum(w for p, w in zip(q.pairs, q.weights, strict=True) if p in adjacent)
