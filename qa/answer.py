"""From ranked passages to an answer: answering sentences, near-duplicates, confidence."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer import Passage, sentence_spans
from indexer.lexical import tokenize, words

# Confidence model: logistic over the top dense cosine (per language), the share of the
# question's content words found in the best passages, and the fused-score margin.
# Calibrated on the development questions plus off-topic questions (docs/retrieval.md).
DENSE_CENTER = {"da": 0.835, "en": 0.780}
DENSE_SCALE = 60.0
COVERAGE_WEIGHT = {"da": 1.0, "en": 1.5}
COVERAGE_CENTER = 0.6
THRESHOLD = 0.5


@dataclass(frozen=True)
class Answer:
    answered: bool
    confidence: float


def _sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def coverage(question: str, texts: Sequence[str]) -> float:
    """Share of the question's content words (by stem or 4-gram overlap) present in ``texts``."""
    qwords = [w for w in words(question) if len(w) > 2]
    if not qwords:
        return 0.0
    doc_tokens = set()
    for t in texts:
        doc_tokens.update(tokenize(t))
    hit = 0.0
    for w in qwords:
        toks = tokenize(w)
        stem = [t for t in toks if t.startswith("s:")]
        grams = [t for t in toks if not t.startswith("s:")]
        if stem and stem[0] in doc_tokens:
            hit += 1
        elif grams:
            share = sum(g in doc_tokens for g in grams) / len(grams)
            hit += share if share >= 0.6 else 0.0
    return hit / len(qwords)


def assess(question: str, lang: str, ranked: list[tuple[int, float, float, float, float, tuple[int, ...]]],
           passages: Sequence[Passage]) -> Answer:
    """Is the question answered by the corpus? A confidence in [0, 1] and a yes/no at THRESHOLD.

    ``question`` is what the lexical index saw (for English: its Danish glossary terms).
    """
    if not ranked:
        return Answer(False, 0.0)
    top_dense = max(r[2] for r in ranked[:5])
    cov = coverage(question, [passages[r[0]].text for r in ranked[:3]])
    x = DENSE_SCALE * (top_dense - DENSE_CENTER.get(lang, 0.83)) + COVERAGE_WEIGHT.get(lang, 4.0) * (cov - COVERAGE_CENTER)
    conf = _sig(x)
    return Answer(conf >= THRESHOLD, conf)


def best_sentences(question: str, text: str, n: int = 1) -> tuple[tuple[int, int], ...]:
    """The sentence(s) of ``text`` that share the most question tokens (offsets into ``text``)."""
    spans = [s for s in sentence_spans(text) if len(text[s[0]:s[1]].split()) >= 3] or sentence_spans(text)
    if not spans:
        return ()
    q = set(tokenize(question))
    if not q:
        return (spans[0],)
    scored = []
    for i, (s, e) in enumerate(spans):
        toks = tokenize(text[s:e])
        if not toks:
            continue
        overlap = sum(1.0 if t.startswith("s:") else 0.25 for t in set(toks) & q)
        scored.append((overlap / math.sqrt(len(toks) ** 0.5 + 1) - 0.01 * i, s, e))
    scored.sort(reverse=True)
    return tuple(sorted((s, e) for _, s, e in scored[:n]))


_SHINGLE = re.compile(r"\w+")


def _shingles(text: str, k: int = 5) -> set[int]:
    w = _SHINGLE.findall(text.lower())
    return {hash(tuple(w[i:i + k])) for i in range(max(1, len(w) - k + 1))}


def dedupe(ranked: list[tuple[int, float, float, float, float]], passages: Sequence[Passage],
           threshold: float = 0.8) -> list[tuple[int, float, float, float, float, tuple[int, ...]]]:
    """Merge near-identical passages (same text in two documents): keep the best, list the others."""
    kept: list[tuple[int, float, float, float, float, list[int]]] = []
    sh: list[set[int]] = []
    for i, score, d, lx, sp in ranked:
        s = _shingles(passages[i].text)
        for j, other in enumerate(sh):
            inter = len(s & other)
            if inter and inter / min(len(s), len(other)) >= threshold:
                if passages[i].doc_id != passages[kept[j][0]].doc_id:
                    kept[j][5].append(i)
                break
        else:
            kept.append((i, score, d, lx, sp, []))
            sh.append(s)
    return [(i, score, d, lx, sp, tuple(also)) for i, score, d, lx, sp, also in kept]
