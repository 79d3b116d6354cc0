"""Baselines printed beside the product's recipe: plain word BM25 and dense-only search."""

from __future__ import annotations

from typing import Any

import numpy as np

from indexer import Passage

from .evaluate import QuestionSet, evaluate
from .results import Filters
from .search import Hit, Result


def _result(question: str, passages: list[Passage], scores: Any) -> Result:
    """Always answered, no citation: baselines are judged on ranking only."""
    hits = tuple(Hit(passage=p, score=float(s), rank=i, citation="")
                 for i, (p, s) in enumerate(zip(passages, scores, strict=True), 1))
    return Result(question=question, lang="da", answered=True, confidence=1.0, hits=hits)


class WordBM25:
    """bm25s with its default word tokenizer: no stemming, no n-grams, no stopwords."""

    def __init__(self, passages: list[Passage]) -> None:
        import bm25s

        self.passages = passages
        self.r = bm25s.BM25()
        self.r.index(bm25s.tokenize([p.text for p in passages], stopwords=None, show_progress=False), show_progress=False)

    def search(self, q: str, k: int = 10) -> Result:
        import bm25s

        tokens = bm25s.tokenize([q], stopwords=None, show_progress=False)
        ids, scores = self.r.retrieve(tokens, k=min(k, len(self.passages)), show_progress=False)
        return _result(q, [self.passages[int(i)] for i in ids[0]], scores[0])


class DenseOnly:
    """The question's e5 vector against every passage's (of ``rows``, the passages' numbers: all when None)."""

    def __init__(self, searcher: Any, rows: np.ndarray | None = None) -> None:
        self.s = searcher
        self.rows = np.arange(len(searcher.index.passages)) if rows is None else rows
        self.v = searcher.index.vectors() if rows is None else searcher.index.vectors()[rows]

    def search(self, q: str, k: int = 10) -> Result:
        qv = self.s.embedder.embed_queries([q])[0]
        sims = self.v @ qv
        order = np.argsort(-sims)[:k]
        return _result(q, [self.s.index.passages[int(self.rows[i])] for i in order], sims[order])


def compare_baselines(searcher: Any, qs: QuestionSet, k: int = 10, filters: Filters | None = None) -> dict[str, dict[str, Any]]:
    """Metrics of each baseline on the same questions and passages (per language too); ``filters``: on the
    passages of those documents only, as the product is evaluated (``Searcher.within``, ``passage_mask``)."""
    mask = searcher.passage_mask(searcher.within(filters))
    passages = searcher.index.passages
    rows = None if mask is None else np.flatnonzero(mask)
    out: dict[str, dict[str, Any]] = {}
    chosen = passages if rows is None else [passages[int(i)] for i in rows]
    for name, s in (("word BM25", WordBM25(chosen)), ("dense only (e5)", DenseOnly(searcher, rows))):
        rep = evaluate(s, qs, k=k)
        m = {key: v for key, v in rep["metrics"].items() if key in ("recall@1", "recall@5", "mrr@10")}
        for lang, lm in rep["by_lang"].items():
            m[f"{lang}:recall@5"] = lm["recall@5"]
            m[f"{lang}:mrr@10"] = lm["mrr@10"]
        out[name] = m
    return out
