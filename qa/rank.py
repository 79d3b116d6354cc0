"""Ranking as a short pipeline over :class:`Candidate`: retrieve → fuse → priors → dedupe.

- **retrieve** (:meth:`Ranker.retrieve`): the lexical scores of every passage (BM25 over n-grams and
  stems, with sentence windows), the dense top ``depth`` from the ANN index plus the dense scores of the
  lexical top ``depth``, and, when the language's recipe uses it, e5's sparse-head scores.
- **fuse** (:func:`fuse`): min-max normalised signals, weighted per query language, and for a question in
  the collection's language by how much of it the lexical signal's best passages hold
  (:meth:`Ranker.lexical_coverage`) and how far its best score stands out (:func:`lexical_specificity`).
- **priors** (:meth:`Ranker.priors`): documents named by year, lists of the count asked for, documents' words and scope.
- **proximity** (:meth:`Ranker.proximity`): the fused top reordered by the question's terms side by side.
- **dedupe** (:func:`dedupe`): near-identical passages (one text in two documents) become one hit listing both.

Annotation (answer sentences, citations, confidence) happens in ``qa.search`` for the hits kept.
Every number comes from :class:`~qa.config.RankingConfig`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer import FlatAnn, Index, Passage
from indexer.store.scores import minmax
from indexer.store.tokens import stem_token

from .config import FusionWeights, RankingConfig
from .dictionary import EVERYDAY_WORDS, PUBLIC_TERMS, english_danish, public_terms
from .docpriors import ActOpenings, document_prior, size_scores
from .intent import DocumentYears, Scope, asked_count, list_lengths, names_territory, territorial_documents
from .lay import LayMatch, expansion, expansion_terms, lay_terms, with_formal
from .match import (
    Terms,
    TextWords,
    content_words,
    coverage,
    proximity,
    question_terms,
    text_words,
    translated_terms,
    word_pairs,
)
from .names import question_names, without_names
from .translate import as_bag, known_word, translate


@dataclass(frozen=True)
class Query:
    """A cleaned question and what ranking derives from it."""

    text: str
    lang: str
    vector: np.ndarray  # dense query embedding
    sparse: Any  # sparse-head row (scipy), or None when the recipe does not use it
    lexical: str  # what the lexical index matches: the question, or its Danish terms for English
    statement: str  # what a sentence should say: ``lexical`` without years that only name a document
    scope: Scope | None  # documents the question names by year
    count: int | None  # the N of "the N things" it asks for
    overlap: float = 1.0  # share of the lexical query's content words in the collection's vocabulary
    terms: Terms = ()  # what coverage and word pairs count (qa.match): its words, or its translated words' senses
    dictionary: bool = False  # its words went through the general dictionary (not a collection's glossary)
    lay: tuple[LayMatch, ...] = ()  # its Danish lay words, whose formal terms ``lexical`` adds (qa.lay)
    names: tuple[str, ...] = ()  # the places, bodies and people it names (qa.names), for the confidence model
    senses: tuple[tuple[str, ...], ...] = ()  # with ``dictionary``: each word's senses, one lexical group each


@dataclass(frozen=True)
class Signals:
    """The retrievers' scores for the candidate passages (parallel arrays)."""

    ids: np.ndarray  # passage numbers
    dense: np.ndarray
    lexical: np.ndarray
    sparse: np.ndarray | None  # None when the query has no sparse scores


@dataclass(frozen=True)
class Candidate:
    """A passage on its way to becoming a hit."""

    idx: int  # passage number in the index
    score: float  # fused score plus priors
    dense: float
    lexical: float
    sparse: float
    also_in: tuple[int, ...] = ()  # near-identical passages of other documents


def lexical_specificity(scores: np.ndarray, n: int = 10) -> float:
    """How far the best lexical score stands out from the ``n``-th: ``(s1 - sn) / s1`` (0 when nothing
    matched). Near 0, the question's words match many passages alike (everyday words over a large
    collection); near 1, a few passages hold its rarer words."""
    if len(scores) == 0:
        return 0.0
    top = -np.sort(-scores)[:n]
    best, nth = float(top[0]), float(top[-1])
    return 0.0 if best <= 0 else (best - nth) / best


def fuse(signals: Signals, weights: FusionWeights, redistribute: bool = True) -> np.ndarray:
    """Weighted sum of the min-max normalised signals. Without sparse scores, the sparse weight goes
    to dense and lexical in equal halves (when ``redistribute``)."""
    wd, wl, ws = weights.dense, weights.lexical, weights.sparse
    sp = signals.sparse if signals.sparse is not None else np.zeros(len(signals.ids), dtype=np.float32)
    if signals.sparse is None and ws and redistribute:
        wd, wl, ws = wd + ws / 2, wl + ws / 2, 0.0
    return wd * minmax(signals.dense) + wl * minmax(signals.lexical) + ws * minmax(sp)


_SHINGLE = re.compile(r"\w+")


@functools.lru_cache(maxsize=8192)  # the same passages come back question after question
def _shingles(text: str, k: int = 5) -> frozenset[int]:
    w = _SHINGLE.findall(text.lower())
    return frozenset(hash(tuple(w[i:i + k])) for i in range(max(1, len(w) - k + 1)))


def dedupe(ranked: Sequence[Candidate], passages: Sequence[Passage], threshold: float = 0.8,
           limit: int | None = None) -> list[Candidate]:
    """Merge near-identical passages (same text in two documents): keep the best, list the others.

    ``limit``: only the first ``limit`` kept candidates are wanted; the rest of ``ranked`` is still read
    for their near-duplicates, but compared with those ``limit`` alone."""
    kept: list[Candidate] = []
    also: list[list[int]] = []
    sh: list[frozenset[int]] = []
    for c in ranked:
        s = _shingles(passages[c.idx].text)
        for j, other in enumerate(sh):
            if s.isdisjoint(other):  # most pairs: no set built
                continue
            if len(s & other) / min(len(s), len(other)) >= threshold:
                if passages[c.idx].doc_id != passages[kept[j].idx].doc_id:
                    also[j].append(c.idx)
                break
        else:
            if limit is not None and len(kept) >= limit:
                continue
            kept.append(c)
            also.append([])
            sh.append(s)
    return [Candidate(c.idx, c.score, c.dense, c.lexical, c.sparse, tuple(a)) for c, a in zip(kept, also, strict=True)]


class Ranker:
    """The retrieval and ranking stages over one index; immutable after construction but for caches
    filled on first use (list lengths, the sparse matrix by columns)."""

    def __init__(self, index: Index, config: RankingConfig) -> None:
        self.index = index
        self.config = config
        self.n = len(index.passages)
        self._exact = index.ann if isinstance(index.ann, FlatAnn) else None  # shortlisted, then scored here
        self._vectors = self._exact.view() if self._exact is not None else None
        self.doc_of = np.array([p.doc_id for p in index.passages], dtype=object)
        names, codes = np.unique(self.doc_of.astype(str), return_inverse=True)  # documents as numbers
        self._doc_ids = {str(d): i for i, d in enumerate(names)}
        self._doc_code = codes.astype(np.int32)
        self._years = DocumentYears(index.documents)
        self.territorial = territorial_documents(index.documents)  # acts for Greenland or the Faroe Islands only
        self._elsewhere = np.array([d in self.territorial for d in names], dtype=bool)
        self._size = size_scores(np.bincount(self._doc_code, minlength=len(names)))
        self._openings = ActOpenings.of(index.passages, self._doc_code, len(names), index.ann.reconstruct) \
            if config.scope_prior else None
        self._lists: np.ndarray | None = None
        self._sparse_csc: Any = None
        # passage i read for coverage and word pairs (qa.match.text_words), the last words_cache kept
        passages = index.passages
        self.passage_words: Callable[[int], TextWords] = functools.lru_cache(maxsize=config.words_cache)(
            lambda i: text_words(passages[i].text))

    def warm_up(self) -> None:
        """Fill the caches that questions otherwise fill on first use (list lengths, sparse columns, the
        half-precision vectors, the general dictionary: ~35 ms to read, and its lemmatiser: ~100 ms, the lay terms)."""
        self._list_lengths()
        translate("questions", self.glossary("en"))
        if self.config.lay_terms:
            lay_terms()
        if self._exact is not None:
            self._exact.prepare()
        if self.index.sparse is not None:
            self._sparse_columns()

    def own_language(self, lang: str) -> bool:
        """Is ``lang`` the collection's language? Such a question is matched as it is (no translation), its
        lexical weight follows the lexical signal's coverage of it, and its best hits are reordered by their
        answer sentence (``qa.search``)."""
        return lang == self.index.collection.language

    def uses_sparse(self, lang: str) -> bool:
        """Does the recipe for ``lang`` use the sparse head (a second model pass per question)?"""
        return self.index.sparse is not None and self.config.uses_sparse(lang)

    def analyse(self, text: str, lang: str, vector: np.ndarray, sparse: Any) -> Query:
        groups = self._translation(text, lang)
        lay = self._lay(text, lang) if groups is None else ()
        lexical = as_bag(groups) if groups is not None else f"{text} {expansion(lay)}" if lay else text
        scope = self._years.scope(text) if self.config.year_prior else None
        statement = scope.without_years(lexical) if scope else lexical
        terms = with_formal(question_terms(text), lay) if groups is None else translated_terms(groups)
        glossary = self.glossary(lang) if groups is not None else None
        names = question_names(text, None if glossary is None else lambda w: known_word(w, glossary))
        dictionary = groups is not None and self.through_dictionary(lang)
        senses = groups if dictionary and groups is not None and self.config.structured_senses else ()
        return Query(text, lang, vector, sparse, lexical, statement, scope or None, asked_count(text, lang),
                     self.overlap(lexical), terms, dictionary, lay, names, senses)

    def embedded_text(self, text: str, lang: str) -> str:
        """What the model embeds for a question: the question, followed in brackets by its lay words' formal
        terms when it has any ("Hvor tit holder byrådet møde? (kommunalbestyrelse)")."""
        lay = self._lay(text, lang) if self.config.lay_terms_embedded else ()
        return f"{text} ({expansion(lay)})" if lay else text

    def _lay(self, text: str, lang: str) -> tuple[LayMatch, ...]:
        """The Danish lay words of a question in a Danish collection's language (``qa.lay``), when used."""
        if not self.config.lay_terms or lang != "da" or not self.own_language(lang):
            return ()
        return lay_terms().find(text, known=lambda w: self.index.lexical.idf(stem_token(w)) > 0)

    def overlap(self, text: str) -> float:
        """Share of the content words of ``text`` whose stem the collection's lexical index knows."""
        ws = content_words(text)
        if not ws:
            return 0.0
        return sum(self.index.lexical.idf(stem_token(w)) > 0 for w in ws) / len(ws)

    def lexical_query(self, text: str, lang: str) -> str:
        """What the lexical index matches: the question itself, or for an English question over a Danish
        collection, its words through the collection's glossary when there is one, else through the
        general dictionary (``qa.dictionary``) when it is installed. Words without an entry stay as they
        are: names, numbers and loanwords match so."""
        groups = self._translation(text, lang)
        return text if groups is None else as_bag(groups)

    def _translation(self, text: str, lang: str) -> tuple[tuple[str, ...], ...] | None:
        """The question's words and phrases as their Danish terms (``qa.translate.translate``), or None when
        it is matched as it is (the collection's language, or nothing to translate through)."""
        if self.own_language(lang):
            return None
        glossary = self.glossary(lang)
        return translate(text, glossary) if glossary else None

    def through_dictionary(self, lang: str) -> bool:
        """Are questions in ``lang`` translated through the general dictionary (the collection has no
        glossary of its own)?"""
        return not self.own_language(lang) and not self.index.collection.glossary and bool(self.glossary(lang))

    def glossary(self, lang: str) -> Mapping[str, tuple[str, ...]]:
        """The terms a question in ``lang`` goes through, for English over Danish: the collection's glossary
        over the public-administration terms, else the general dictionary with those terms in front (read on
        first use); else the collection's glossary, if any."""
        collection = self.index.collection
        if not self.config.dictionary or (lang, collection.language) != ("en", "da"):
            return collection.glossary
        if not collection.glossary:
            files = ((EVERYDAY_WORDS,) if self.config.everyday_words else ()) + (
                (PUBLIC_TERMS,) if self.config.public_terms else ())
            return english_danish(terms=files)
        return self._glossary_over_terms if self.config.public_terms else collection.glossary

    @functools.cached_property
    def _glossary_over_terms(self) -> Mapping[str, tuple[str, ...]]:
        """The collection's glossary over the public-administration terms: its entries win; FreeDict's loose
        senses stay out."""
        return public_terms() | self.index.collection.glossary

    # ------------------------------------------------------------ stages

    def retrieve(self, q: Query, k: int, mask: np.ndarray | None = None) -> Signals:
        depth = self.config.depth(k, self.n)
        lex = self._lexical(q)
        # the lexical top is used as a set (its dense scores are added below): no full sort needed;
        # with a filter, the top of the passages it lets through
        sel = lex if mask is None else np.where(mask, lex, 0.0)
        lex_top = np.argpartition(-sel, depth - 1)[:depth] if depth < len(sel) else np.arange(len(sel))
        lex_top = lex_top[sel[lex_top] > 0]
        ids, dense = self._dense(q.vector, lex_top, depth, mask)
        if mask is not None:
            keep = mask[ids]
            ids, dense = ids[keep], dense[keep]
        sparse = None
        if q.sparse is not None and self.index.sparse is not None:
            sparse = self._sparse_scores(q.sparse)[ids]
        return Signals(ids, np.asarray(dense, dtype=np.float32), lex[ids], sparse)

    def _lexical(self, q: Query) -> np.ndarray:
        """The lexical signal of every passage: the question's words, or its dictionary senses as groups."""
        if not q.senses:
            return self.index.lexical.scores(q.lexical, window_query=q.statement if q.scope else None)
        statement = None  # the senses without the years that named a document, as ``statement`` is
        if q.scope:
            statement = [kept for g in q.senses if (kept := tuple(w for a in g if (w := q.scope.without_years(a))))]
        return self.index.lexical.scores(q.senses, window_query=statement)

    def _sparse_scores(self, qrow: Any) -> np.ndarray:
        """Sparse-head scores of every passage, through the columns of the question's few latent terms
        (a column-major copy made on first use): the cost follows those terms' postings, where slicing
        the candidates' rows copied most of the matrix (18 ms a question on the laws; 0.4 ms this way)."""
        row = qrow.tocsr()
        return np.asarray(self._sparse_columns()[:, row.indices] @ row.data, dtype=np.float32).ravel()

    def _sparse_columns(self) -> Any:
        """The sparse matrix column-major (as a loaded index holds it; made on first use for one built here)."""
        if self._sparse_csc is None:
            m = self.index.sparse
            self._sparse_csc = m if m.format == "csc" else m.tocsc()
        return self._sparse_csc

    def _dense(self, qv: np.ndarray, extra_ids: np.ndarray, depth: int,
               mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Dense top ``depth``, plus the scores of ``extra_ids`` (the lexical top) not among them: the
        candidates that fusion sees, whatever the collection's size. Exact indexes shortlist by a
        half-precision scan (:meth:`FlatAnn.shortlist`; a filter's own top) and score the shortlist from
        the float32 vectors; fusing all 23,382 law passages instead measured the same or lower
        (docs/ranking.md, "What a question costs")."""
        if self._exact is not None and self._vectors is not None:
            if depth >= self.n:
                return np.arange(self.n), self._vectors @ qv
            ids = np.union1d(self._exact.shortlist(qv, depth, mask), extra_ids)
            return ids, self._vectors[ids] @ qv
        near = self.index.ann.search(qv, depth)
        ids, sc = near.ids, near.scores
        extra = np.setdiff1d(extra_ids, ids)
        if len(extra):
            ids = np.concatenate([ids, extra])
            sc = np.concatenate([sc, self.index.ann.reconstruct(extra) @ qv])
        return ids, sc

    def priors(self, q: Query, ids: np.ndarray, fused: np.ndarray) -> np.ndarray:
        """``fused`` plus the year prior, the list boost, documents' words and an act's scope, less the territorial
        and size priors (a new array; ``qa.docpriors``)."""
        codes = self._doc_code[ids]  # each candidate's document, as a number
        out = fused - self.config.size_prior * self._size[codes]
        if self._openings is not None and self.own_language(q.lang):  # cross-lingual cosines: a scale of their own
            out += self.config.scope_prior * self._openings.prior(q.vector, codes)
        if self.config.document_lexical and self.own_language(q.lang):  # what it asks, not of which town
            words = self.index.lexical.document_scores(without_names(q.lexical, q.names), ids)
            out += self.config.document_lexical * document_prior(words, codes)
        if self.config.territorial_prior and self._elsewhere.any() and not names_territory(q.text):
            out -= self.config.territorial_prior * self._elsewhere[codes]
        if q.scope:  # one lookup per candidate, however many documents the years name (laws: hundreds)
            share = np.zeros(len(self._doc_ids), dtype=np.float32)
            for doc_id, s in q.scope.docs.items():
                if doc_id in self._doc_ids:
                    share[self._doc_ids[doc_id]] = s
            out += self.config.year_prior * share[codes]
        if q.count and self.config.list_boost:
            out += self.config.list_boost * (self._list_lengths()[ids] == q.count)
        return out

    def lexical_coverage(self, q: Query, s: Signals) -> float:
        """The largest share of the question's content words that one of the lexical signal's best
        ``coverage_depth`` candidates holds (``qa.match.coverage``; 0 when it matched nothing)."""
        d = min(self.config.coverage_depth, len(s.ids))
        top = np.argpartition(-s.lexical, d - 1)[:d] if d < len(s.ids) else np.arange(len(s.ids))
        terms = question_terms(q.statement)
        if q.lay:  # the lay words' formal terms are alternatives of theirs, not words of their own
            terms = with_formal(terms[: len(terms) - expansion_terms(q.lay)], q.lay)
        return max((coverage(terms, [self.passage_words(int(s.ids[j]))]) for j in top if s.lexical[j] > 0),
                   default=0.0)

    def proximity(self, q: Query, ids: np.ndarray) -> np.ndarray:
        """For each passage of ``ids``: the IDF-weighted share of the question's consecutive terms that
        stand side by side in it (``qa.match.proximity``)."""
        pairs = word_pairs(q.terms, self.index.lexical.idf)
        if not pairs.pairs:
            return np.zeros(len(ids), dtype=np.float32)
        return np.array([proximity(pairs, self.passage_words(int(i))) for i in ids], dtype=np.float32)

    def _list_lengths(self) -> np.ndarray:
        if self._lists is None:
            self._lists = list_lengths(self.index.passages)
        return self._lists

    # ------------------------------------------------------------ the pipeline

    def rank(self, q: Query, k: int, mask: np.ndarray | None = None) -> list[Candidate]:
        """The ``k`` best candidates for ``q``, near-duplicates merged."""
        s = self.retrieve(q, k, mask)
        if len(s.ids) == 0:
            return []
        own = self.own_language(q.lang)
        weights = self.config.weights_for(q.lang, q.overlap, q.dictionary)
        if own and self.config.lexical_coverage > 0:
            weights = self.config.by_coverage(weights, self.lexical_coverage(q, s), lexical_specificity(s.lexical))
        scores = self.priors(q, s.ids, fuse(s, weights, self.config.redistribute_missing_sparse))
        order = np.argsort(-scores)[: self.config.pool(k)]
        if self.config.proximity > 0:  # the fused top reordered with it (priors returned a new array)
            head = order[: self.config.proximity_depth]
            scores[head] += self.config.proximity * self.proximity(q, s.ids[head])
            order = np.concatenate([head[np.argsort(-scores[head], kind="stable")], order[len(head):]])
        sp = s.sparse if s.sparse is not None else np.zeros(len(s.ids), dtype=np.float32)
        pool = [Candidate(int(s.ids[j]), float(scores[j]), float(s.dense[j]), float(s.lexical[j]), float(sp[j]))
                for j in order]
        return dedupe(pool, self.index.passages, self.config.dedupe_overlap, limit=k)
