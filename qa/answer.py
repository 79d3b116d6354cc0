"""From ranked passages to an answer: answering sentences, near-duplicates, confidence."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
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


TIE = 0.9  # a runner-up sentence scoring at least this share of the best is marked as well
LIST_ITEMS_SHOWN = 10  # items highlighted after a sentence that opens a list
LIST_ITEM_WORDS = 60  # a longer piece is running text, not a list item
_BLANK_LINE = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?:;…)\"”]\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:\(?[0-9A-Za-z]{1,2}[.)]|[•\-–*])\s+\S")


def answer_units(text: str, headings: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Sentences of ``text`` that can answer: also cut at blank lines, without headings and fragments.

    A heading ("Forum for klynge- og netværksindsatsen", or one of ``headings``, the passage's heading
    path) or a list number ("6.") is not an answer, a list item ("1. Mindst 2.000 virksomheder …") is;
    when nothing else is left, every piece is.
    """
    skip = {" ".join(h.split()) for h in headings}
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in [*_BLANK_LINE.finditer(text), None]:  # paragraphs first, then their sentences
        end = m.start() if m else len(text)
        pieces.extend(sentence_spans(text[start:end], start))
        start = m.end() if m else end
    pieces = [(s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())) for s, e in pieces]
    pieces = [(s, e) for s, e in pieces if e > s]

    def is_answer(s: int, e: int) -> bool:
        n = len(text[s:e].split())
        piece = text[s:e]
        if " ".join(piece.split()) in skip:
            return False
        return n >= 3 and (n >= 12 or bool(_SENTENCE_END.search(piece)) or bool(_LIST_ITEM.match(piece)))

    return [p for p in pieces if is_answer(*p)] or pieces


def best_sentences(question: str, text: str, n: int = 1, weight: Callable[[str], float] | None = None,
                   headings: Sequence[str] = ()) -> tuple[tuple[int, int], ...]:
    """The sentence(s) of ``text`` that share the most question tokens (offsets into ``text``).

    ``question``: for English questions, their Danish glossary terms (what the lexical index sees).
    ``weight``: token weight, e.g. the lexical index's IDF, so rare words count more than common ones.
    ``headings``: the passage's heading path, never an answer.
    """
    spans = answer_units(text, headings)
    if not spans:
        return ()
    q = set(tokenize(question))
    if not q:
        return (spans[0],)
    w = weight or (lambda _t: 1.0)
    scored = []
    for i, (s, e) in enumerate(spans):
        toks = tokenize(text[s:e])
        if not toks:
            continue
        overlap = sum((1.0 if t.startswith("s:") else 0.25) * w(t) for t in set(toks) & q)
        scored.append((overlap / math.sqrt(len(toks) ** 0.5 + 1) - 0.01 * i, s, e))
    if not scored:
        return (spans[0],)
    scored.sort(reverse=True)
    best = (scored[0][1], scored[0][2])
    if text[best[0]:best[1]].rstrip().endswith(":"):
        # a sentence that opens a list ("De fem pejlemærker for indsatsen 2016-2018 er:") answers with its items
        chosen = [best]
        for sp in [sp for sp in spans if sp[0] >= best[1]][:LIST_ITEMS_SHOWN]:
            if len(text[sp[0]:sp[1]].split()) > LIST_ITEM_WORDS:
                break
            chosen.append(sp)
        return tuple(chosen)
    # a near tie is shown too: two sentences that answer about equally well are both marked
    top = scored[:n] + [x for x in scored[n:n + 1] if scored[0][0] > 0 and x[0] >= TIE * scored[0][0]]
    chosen = sorted((s, e) for _, s, e in top)
    return tuple(chosen)


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
