"""How much of a question a passage holds, in words: the rules ranking and confidence share.

- :func:`coverage`: the share of the question's terms a text holds (by stem, or by most of a word's
  character 4-grams, so Danish compounds count; a translated English word by the best of its Danish
  senses). Confidence reads it off the best hits; ranking reads it off the lexical signal's best passages
  to decide how far to trust that signal.
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


Terms = tuple[tuple[tuple[str, ...], ...], ...]
"""What coverage counts: per question word its alternatives, each alternative as its content words. A
question in the collection's language has one alternative per word (the word); an English question
translated through a glossary or dictionary has one term per English word or phrase, with its Danish
senses as the alternatives (``qa.translate.translate``)."""


def content_words(text: str) -> list[str]:
    """The words that coverage counts: content words longer than two letters."""
    return [w for w in words(text) if len(w) > 2]


def question_terms(text: str) -> Terms:
    """Each content word of ``text`` as a term with itself as the one alternative."""
    return tuple(((w,),) for w in content_words(text))


def translated_terms(groups: Sequence[Sequence[str]]) -> Terms:
    """Terms from translation groups (``qa.translate.translate``): the alternatives with content words;
    a group of stopwords ("what", "the") is no term."""
    out = []
    for group in groups:
        alternatives = tuple(tuple(cw) for a in group if (cw := content_words(a)))
        if alternatives:
            out.append(alternatives)
    return tuple(out)


def _present(word: str, tokens: Collection[str]) -> float:
    """1 when the word's stem is among ``tokens``, else the share of its 4-grams there when it is at least
    ``GRAM_SHARE`` (a part of a compound), else 0."""
    toks = tokenize(word)
    stem = [t for t in toks if t.startswith("s:")]
    grams = [t for t in toks if not t.startswith("s:")]
    if stem and stem[0] in tokens:
        return 1.0
    if grams:
        share = sum(g in tokens for g in grams) / len(grams)
        return share if share >= GRAM_SHARE else 0.0
    return 0.0


def coverage_of(terms: Terms, tokens: Collection[str]) -> float:
    """Share of ``terms`` present in a text given as its lexical ``tokens`` (:func:`tokenize`): a term
    counts as far as its best alternative's words are there."""
    if not terms:
        return 0.0
    return sum(max(sum(_present(w, tokens) for w in alt) / len(alt) for alt in term) for term in terms) / len(terms)


def coverage(terms: Terms, texts: Sequence[str]) -> float:
    """Share of ``terms`` (by stem or 4-gram overlap) present in ``texts`` together."""
    tokens: set[str] = set()
    for t in texts:
        tokens.update(tokenize(t))
    return coverage_of(terms, tokens)


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
