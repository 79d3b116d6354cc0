"""Hybrid retrieval: dense (FAISS, e5 query mode) + Danish lexical BM25 + e5 sparse terms, fused.

The recipe is chosen by the query's language (measured on the corpus; see docs/retrieval.md):
Danish questions lean on the lexical index, whose character n-grams match Danish compounds;
English questions over Danish text have almost no words in common with it, so they lean on the
multilingual dense and sparse signals.
"""

from __future__ import annotations

import functools
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexer import Embedder, Index, Passage, QueryError, make_embedder
from indexer.store import DocumentInfo

from .answer import Answer, assess, best_sentences, dedupe
from .cite import citation_for
from .intent import DocumentYears, asked_count, list_lengths
from .lang import detect_lang
from .translate import to_danish

MAX_QUERY_CHARS = 2000

# Fusion weights (dense, lexical, sparse) on min-max normalised scores, per query language.
WEIGHTS: dict[str, tuple[float, float, float]] = {
    "da": (0.20, 0.80, 0.00),
    "en": (0.20, 0.55, 0.25),
}
# Added to the fused score (in [0, 1]) of passages of a document the question names by year, and of
# passages holding a list as long as the count the question asks for (qa/intent.py, docs/retrieval.md).
# 0 turns either off (benchmarks/ablation.py).
YEAR_PRIOR = 0.10
LIST_BOOST = 0.10


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    def empty(self) -> bool:
        return not (self.doc_ids or self.kinds or self.years)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    rank: int
    citation: str
    answer: tuple[tuple[int, int], ...] = ()  # sentence spans (offsets into passage.text) that best answer
    dense: float = 0.0
    lexical: float = 0.0
    sparse: float = 0.0
    also_in: tuple[dict[str, Any], ...] = ()  # the same text in other documents

    @property
    def answer_text(self) -> str:
        return " ".join(self.passage.text[s:e] for s, e in self.answer)

    def to_json(self) -> dict[str, Any]:
        p = self.passage
        return {
            "rank": self.rank, "score": round(self.score, 4), "doc_id": p.doc_id, "title": p.title,
            "section": p.section, "page": p.page, "page_end": p.page_end, "passage_id": p.passage_id,
            "start": p.start, "end": p.end, "text": p.text, "answer": self.answer_text,
            "answer_spans": [list(x) for x in self.answer], "citation": self.citation,
            "signals": {"dense": round(self.dense, 4), "lexical": round(self.lexical, 4), "sparse": round(self.sparse, 4)},
            "also_in": list(self.also_in),
        }


@dataclass(frozen=True)
class Result:
    question: str
    lang: str
    answered: bool
    confidence: float
    hits: list[Hit]
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "lang": self.lang, "answered": self.answered,
                "confidence": round(self.confidence, 4), "hits": [h.to_json() for h in self.hits]}


def clean_query(text: str) -> str:
    """NFC, control characters and NUL removed, whitespace collapsed, length capped."""
    if not isinstance(text, str):
        raise QueryError("the question must be text")
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() or ch in " \t\n" else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        raise QueryError("the question is empty: type a question, e.g. 'Hvem støtter spirende klynger?'")
    return text[:MAX_QUERY_CHARS]


def _minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    if hi - lo < 1e-9:
        return np.zeros_like(x) if hi <= 0 else np.ones_like(x)
    return (x - lo) / (hi - lo)


class Searcher:
    """Loads an index once and answers questions; safe to share between threads."""

    def __init__(self, index: Index | str | Path | None = None, embedder: Embedder | None = None) -> None:
        self.index = index if isinstance(index, Index) else Index.load(index)
        m = self.index.manifest
        self.embedder = embedder or make_embedder(m.get("embedder"), m.get("model"))
        if self.embedder.key != m.get("embedder_key"):
            from indexer import IndexMismatchError

            raise IndexMismatchError(f"index was built with {m.get('embedder_key')}, searcher has {self.embedder.key}: "
                                     "run `klynge index` again")
        self._n = len(self.index.passages)
        self._exact = m.get("faiss", {}).get("type") == "IndexFlatIP"
        self._vectors = self.index.vectors() if self._exact else None
        self._sparse = self.index.sparse
        self._sparse_t = self._sparse.T.tocsr() if self._sparse is not None else None
        self._lock = threading.Lock()
        self._doc_of = np.array([p.doc_id for p in self.index.passages], dtype=object)
        self._years = DocumentYears(self.index.documents)
        self._lists: np.ndarray | None = None  # list length per passage, computed on first use
        self._idf = functools.lru_cache(maxsize=50_000)(self.index.lexical.idf)

    def _list_lengths(self) -> np.ndarray:
        if self._lists is None:
            self._lists = list_lengths(self.index.passages)
        return self._lists

    # ------------------------------------------------------------ info

    @property
    def documents(self) -> dict[str, DocumentInfo]:
        return self.index.documents

    def status(self) -> dict[str, Any]:
        m = self.index.manifest
        return {"documents": len(self.index.documents), "passages": self._n, "embedder": m.get("embedder"),
                "model": m.get("model"), "built": m.get("created"), "index_dir": str(self.index.path or "")}

    # ------------------------------------------------------------ search

    def _mask(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.empty():
            return None
        ok = np.ones(self._n, dtype=bool)
        docs = self.index.documents
        if filters.doc_ids:
            ok &= np.isin(self._doc_of, list(filters.doc_ids))
        if filters.kinds:
            kinds = {d.doc_id for d in docs.values() if d.kind in filters.kinds}
            ok &= np.isin(self._doc_of, list(kinds))
        if filters.years:
            yrs = {d.doc_id for d in docs.values() if d.year in filters.years}
            ok &= np.isin(self._doc_of, list(yrs))
        return ok

    def _dense_scores(self, qv: np.ndarray, candidates: np.ndarray | None, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosine) of the dense top ``depth``, plus scores of ``candidates`` when given."""
        if self._vectors is not None:
            scores = self._vectors @ qv
            return np.arange(self._n), scores
        d, i = self.index.faiss_index.search(qv[None, :].astype(np.float32), depth)
        ids = i[0][i[0] >= 0]
        sc = d[0][: len(ids)]
        if candidates is not None and len(candidates):
            extra = np.setdiff1d(candidates, ids)
            if len(extra):
                vecs = np.stack([self.index.faiss_index.reconstruct(int(j)) for j in extra])
                ids = np.concatenate([ids, extra])
                sc = np.concatenate([sc, vecs @ qv])
        return ids, sc

    def search_many(self, queries: Sequence[str], k: int = 10, filters: Filters | None = None,
                    lang: str | None = None) -> list[Result]:
        """Answer each query: ranked, cited, deduplicated hits plus a confidence."""
        cleaned = [clean_query(q) for q in queries]
        t0 = time.perf_counter()
        qvecs = self.embedder.embed_queries(cleaned) if cleaned else np.zeros((0, 1))
        t_embed = (time.perf_counter() - t0) / max(1, len(cleaned))
        langs = [lang or detect_lang(q) for q in cleaned]
        # the sparse head costs a second model pass: only for languages whose recipe uses it
        need_sparse = [i for i, ql in enumerate(langs) if WEIGHTS.get(ql, WEIGHTS["da"])[2] > 0]
        qsparse: dict[int, Any] = {}
        if self._sparse is not None and need_sparse:
            rows = self.embedder.sparse_batch([cleaned[i] for i in need_sparse])
            qsparse = {i: rows[j] for j, i in enumerate(need_sparse)}
        mask = self._mask(filters)
        results = []
        for qi, q in enumerate(cleaned):
            t1 = time.perf_counter()
            res = self._rank(q, langs[qi], qvecs[qi], qsparse.get(qi), mask, k)
            res.timings["embed"] = t_embed
            res.timings["rank"] = time.perf_counter() - t1
            results.append(res)
        return results

    def search(self, query: str, k: int = 10, filters: Filters | None = None, lang: str | None = None) -> Result:
        return self.search_many([query], k, filters, lang)[0]

    def _rank(self, q: str, lang: str, qv: np.ndarray, qs: Any, mask: np.ndarray | None, k: int) -> Result:
        depth = min(self._n, max(100, 10 * k))
        lex_query = q if lang == "da" else to_danish(q)
        scope = self._years.scope(q) if YEAR_PRIOR else None  # YEAR_PRIOR = 0 turns year scoping off
        # what a sentence should say: without the years that only name the document
        statement = scope.without_years(lex_query) if scope else lex_query
        lex = self.index.lexical.scores(lex_query, window_query=statement if scope else None)
        lex_top = np.argsort(-lex)[:depth]
        lex_top = lex_top[lex[lex_top] > 0]
        sparse_scores = None
        if qs is not None and self._sparse is not None:
            sparse_scores = np.asarray((self._sparse @ qs.T).toarray()).ravel()
        ids, dense = self._dense_scores(qv, lex_top, depth)
        cand = ids
        dense_all = dict(zip(ids.tolist(), dense.tolist(), strict=True))
        if mask is not None:
            cand = cand[mask[cand]]
        if len(cand) == 0:
            return Result(q, lang, False, 0.0, [])
        d = np.array([dense_all[i] for i in cand], dtype=np.float32)
        lx = lex[cand]
        sp = sparse_scores[cand] if sparse_scores is not None else np.zeros(len(cand), dtype=np.float32)
        wd, wl, ws = WEIGHTS.get(lang, WEIGHTS["da"])
        if sparse_scores is None and ws:
            wd, wl, ws = wd + ws / 2, wl + ws / 2, 0.0
        fused = wd * _minmax(d) + wl * _minmax(lx) + ws * _minmax(sp)
        if scope:
            cand_docs = self._doc_of[cand]
            for doc_id, share in scope.docs.items():
                fused[cand_docs == doc_id] += YEAR_PRIOR * share
        n_asked = asked_count(q, lang)
        if n_asked:
            fused += LIST_BOOST * (self._list_lengths()[cand] == n_asked)
        order = np.argsort(-fused)[: max(3 * k, 30)]
        passages = self.index.passages
        scored = [(int(cand[j]), float(fused[j]), float(d[j]), float(lx[j]), float(sp[j])) for j in order]
        ranked = dedupe(scored, passages)[:k]
        verdict: Answer = assess(lex_query, lang, ranked, passages)
        hits = []
        for r, (i, score, dv, lv, sv, also) in enumerate(ranked, start=1):
            p = passages[i]
            doc = self.index.documents.get(p.doc_id)
            answer = best_sentences(statement, p.text, weight=self._idf, headings=p.section.split(" > "))
            hits.append(Hit(p, score, r, citation_for(p, doc), answer, dv, lv, sv,
                            tuple(self._source(passages[j]) for j in also)))
        return Result(q, lang, verdict.answered, verdict.confidence, hits)

    def _source(self, p: Passage) -> dict[str, Any]:
        doc = self.index.documents.get(p.doc_id)
        return {"doc_id": p.doc_id, "title": p.title, "page": p.page, "section": p.section,
                "citation": citation_for(p, doc)}


_CACHE: dict[str, Searcher] = {}
_CACHE_LOCK = threading.Lock()


def get_searcher(index_dir: str | Path | None = None) -> Searcher:
    """A process-wide searcher per index directory (the index is loaded once)."""
    from indexer import default_index_dir

    key = str(Path(index_dir) if index_dir else default_index_dir())
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = Searcher(key)
        return _CACHE[key]


def reload_searcher(index_dir: str | Path | None = None) -> Searcher:
    """Drop the cached searcher and load the index again (after a rebuild)."""
    from indexer import default_index_dir

    key = str(Path(index_dir) if index_dir else default_index_dir())
    with _CACHE_LOCK:
        _CACHE.pop(key, None)
    return get_searcher(key)


def search(query: str, k: int = 10, index_dir: str | Path | None = None, filters: Filters | None = None) -> Result:
    """One question against the default (or given) index."""
    return get_searcher(index_dir).search(query, k, filters)
