"""How much of a question a passage holds, in words: the rules ranking and confidence share.

- :func:`coverage`: the share of the question's terms a text holds (by stem, or by most of a word's
  character 4-grams, so Danish compounds count; a translated English word by the best of its Danish
  senses). Confidence reads it off the best hits; ranking reads it off the lexical signal's best passages
  to decide how far to trust that signal.
- :func:`densest_window`: the stretch of a long sentence holding most of the question's words (what the
  answer check embeds, ``qa.search``).
- :func:`word_pairs` / :func:`proximity`: the question's consecutive terms, and the IDF-weighted share of
  them that stand side by side in a passage, for an English question through any of their Danish senses
  (the ordered-pair part of the sequential dependence model of Metzler and Croft, 2005): "første
  udtræksprøve" said as one phrase beats the two words pages apart.
- :func:`text_words`: what both read of a passage (:class:`TextWords`), made once per passage and kept by
  the ranker, so that a passage met again (by another question, or by coverage and proximity of the same
  one) is not read again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from indexer.store.tokens import identifiers, marked, stem_token, tokenize, word_token, words

GRAM_SHARE = 0.6  # a word without its stem in the text counts when this share of its 4-grams is there


Terms = tuple[tuple[tuple[str, ...], ...], ...]
"""What coverage and word pairs count: per question word its alternatives, each alternative as its content
words. A question in the collection's language has one alternative per word (the word); an English
question translated through a glossary or dictionary has one term per English word or phrase, with its
Danish senses as the alternatives (``qa.translate.translate``)."""


def _is_content(w: str) -> bool:
    return len(w) > 2 or w[0].isdigit()


def content_words(text: str) -> list[str]:
    """The words that coverage and word pairs count: content words longer than two letters, and numbers
    ("Apollo 1", "63 dage")."""
    return [w for w in words(text) if _is_content(w)]


@dataclass(frozen=True)
class TextWords:
    """A text's lexical tokens as coverage and word pairs test them, in three strings (a few KB a passage,
    against ~50 KB for the set of its tokens): ``exact`` its words' stems, its short words and its codes
    (:func:`indexer.store.tokens.tokenize`'s "s:", "w:" and "i:" tokens); ``marked`` its longer words as
    "#word#", whose substrings of ``NGRAM`` characters are exactly its character n-gram tokens; ``sequence``
    the stems of its content words in order. Tokens hold no space, words no NUL."""

    exact: str
    marked: str
    sequence: str

    def has(self, token: str) -> bool:
        """Is ``token`` (a stem, short word, code or character n-gram) one of the text's lexical tokens?"""
        if token[:2] in ("s:", "w:", "i:"):
            return f" {token} " in self.exact
        return token in self.marked

    def side_by_side(self, first: str, second: str) -> bool:
        """Do two content-word stems stand next to each other, in this order (stopwords and words of one or
        two letters between them are skipped)?"""
        return f" {first} {second} " in self.sequence


def text_words(text: str) -> TextWords:
    """``text`` read once for :func:`coverage` and :func:`proximity`."""
    ws = words(text)
    distinct = dict.fromkeys(ws)
    whole = {w: word_token(w) for w in distinct}
    exact = dict.fromkeys([stem_token(w) for w in distinct] + [t for t in whole.values() if t] + identifiers(text))
    return TextWords(" " + " ".join(exact) + " ", "\0" + "\0".join(marked(w) for w, t in whole.items() if t is None) + "\0",
                     " " + " ".join(stem_token(w) for w in ws if _is_content(w)) + " ")


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


@lru_cache(maxsize=50_000)  # a question's words are looked up in every passage it is compared with
def _parts(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A word's lexical tokens (:func:`tokenize`) as (its stem, if any; its 4-grams)."""
    toks = tokenize(word)
    return tuple(t for t in toks if t.startswith("s:")), tuple(t for t in toks if not t.startswith("s:"))


def _present(word: str, texts: Sequence[TextWords]) -> float:
    """1 when the word's stem is in one of ``texts``, else the share of its 4-grams there (in any of them)
    when it is at least ``GRAM_SHARE`` (a part of a compound), else 0."""
    stem, grams = _parts(word)
    if stem and any(t.has(stem[0]) for t in texts):
        return 1.0
    if grams:
        share = sum(any(t.has(g) for t in texts) for g in grams) / len(grams)
        return share if share >= GRAM_SHARE else 0.0
    return 0.0


def coverage(terms: Terms, texts: Sequence[str | TextWords]) -> float:
    """Share of ``terms`` present in ``texts`` together (each word by stem or 4-gram overlap): a term counts
    as far as its best alternative's words are there."""
    if not terms:
        return 0.0
    read = [t if isinstance(t, TextWords) else text_words(t) for t in texts]
    return sum(max(sum(_present(w, read) for w in alt) / len(alt) for alt in term) for term in terms) / len(terms)


@dataclass(frozen=True)
class WordPairs:
    """A question's consecutive terms as the stem pairs that would say them side by side (one pair for two
    words; for translated terms, every last word of a sense of the first followed by every first word of a
    sense of the second), with each pair's weight (the weights sum to 1)."""

    pairs: tuple[frozenset[tuple[str, str]], ...]
    weights: tuple[float, ...]


def word_pairs(terms: Terms, idf: Callable[[str], float]) -> WordPairs:
    """Consecutive ``terms`` as stem pairs, weighted by the sum of the two terms' IDFs (a translated term's:
    its rarest sense's)."""
    stems = [[[stem_token(w) for w in alt] for alt in term] for term in terms]
    pairs, raw = [], []
    for first, second in zip(stems, stems[1:], strict=False):
        joins = frozenset((a[-1], b[0]) for a in first for b in second if a[-1] != b[0])
        if joins:
            pairs.append(joins)
            raw.append(max(max(idf(a[-1]), 0.0) for a in first) + max(max(idf(b[0]), 0.0) for b in second))
    total = sum(raw)
    if total <= 0:
        return WordPairs((), ())
    return WordPairs(tuple(pairs), tuple(r / total for r in raw))


def proximity(q: WordPairs, text: str | TextWords) -> float:
    """IDF-weighted share of the question's term pairs that stand side by side in a passage (its content
    words: stopwords and words of one or two letters between them are skipped)."""
    read = text if isinstance(text, TextWords) else text_words(text)
    return sum(w for p, w in zip(q.pairs, q.weights, strict=True) if any(read.side_by_side(a, b) for a, b in p))


def _word_hits(words: Sequence[str], q: set[str]) -> list[int]:
    """1 for each of ``words`` that shares a lexical token (stem or 4-gram) with the question's ``q``, else 0."""
    return [int(bool(q.intersection(tokenize(w)))) for w in words]


def densest_window(text: str, question: str, width: int) -> str:
    """``text`` when it has at most ``width`` words, else its ``width`` consecutive words holding the most
    words that share a lexical token (stem or 4-gram) with ``question`` (the earliest such stretch)."""
    ws = text.split()
    if len(ws) <= width:
        return " ".join(ws)
    hit = _word_hits(ws, set(tokenize(question)))
    best, run = 0, sum(hit[:width])
    top = run
    for i in range(1, len(ws) - width + 1):
        run += hit[i + width - 1] - hit[i - 1]
        if run > top:
            best, top = i, run
    return " ".join(ws[best:best + width])


def best_window(text: str, windows: Sequence[tuple[int, tuple[int, int]]], question: str) -> int:
    """Of ``windows`` ((key, span into ``text``), in text order), the key of the one holding the most words
    that share a lexical token with ``question`` (the earliest such): :func:`densest_window` among fixed
    windows, the ones an index stores vectors for (``indexer.store.checks``)."""
    q = set(tokenize(question))
    best, top = windows[0][0], -1
    for key, (s, e) in windows:
        n = sum(_word_hits(text[s:e].split(), q))
        if n > top:
            best, top = key, n
    return best
