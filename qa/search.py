"""Questions in, cited answers out: :class:`Searcher` embeds the questions (in one batch), ranks
(``qa.rank``), and annotates the hits kept with answer sentences, citations and a confidence. The answer
check (the best hits' answer sentences embedded on their own) feeds the confidence and, for a question in
the collection's language, breaks near-ties among those hits.

Hybrid retrieval, by the question's language (docs/ranking.md): Danish questions lean on the
lexical index, whose character n-grams match Danish compounds; English questions over Danish text
have few words in common with it, so they lean on the multilingual dense and sparse signals.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from indexer import Document, Embedder, Index, IndexMismatchError, Passage, make_embedder
from indexer.store.tokens import stem_token

from .answer import best_sentences
from .cite import answer_locator, citation_for
from .confidence import TOP, assess
from .config import DEFAULT_CONFIG, RankingConfig
from .errors import UnknownDocument
from .intent import asks_quantity
from .lang import detect_lang
from .lay import lay_terms
from .legalref import LegalLookup, Resolved
from .match import best_window, densest_window
from .rank import Candidate, Query, Ranker
from .results import Filters, Hit, Result, Source, clean_query
from .runtime import ONE_BLAS_THREAD
from .spelling import Respelled, Speller
from .translate import translate

__all__ = ["Filters", "Hit", "Result", "Searcher", "Source", "clean_query"]

class Searcher:
    """Loads an index once and answers questions. Safe to share between threads: after construction
    it only reads (but for caches, and a language's speller made once under a lock), and the embedder
    serialises its own model calls."""

    def __init__(self, index: Index | str | Path | None = None, embedder: Embedder | None = None,
                 config: RankingConfig = DEFAULT_CONFIG) -> None:
        self.index = index if isinstance(index, Index) else Index.load(index)
        m = self.index.manifest
        self.embedder = embedder or make_embedder(m.get("embedder"), m.get("model"))
        if self.embedder.key != m.get("embedder_key"):
            raise IndexMismatchError(f"index was built with {m.get('embedder_key')}, searcher has {self.embedder.key}: "
                                     "run `klynge index` again")
        self.config = config
        self.ranker = Ranker(self.index, config)
        self.legal = LegalLookup(self.index, config.legal, self.ranker.doc_of,
                                 english=lambda phrase: translate(phrase, self.ranker.glossary("en")),
                                 territorial=self.ranker.territorial)
        self._idf = functools.lru_cache(maxsize=50_000)(self.index.lexical.idf)
        self._sentences = _VectorCache(config.confidence.answer_check_cache)
        self._spellers: dict[str, Speller] = {}  # by question language, made once under the lock
        self._speller_lock = threading.Lock()

    def warm_up(self) -> Searcher:
        """Fill now what the first questions would otherwise fill on their way: list lengths (a count
        question), the sparse head by columns (an English question), the legal structure of every
        document (a § question), the spellers of the collection's language and of English (a question with a
        word neither knows). On the laws (23,382 passages, 316 acts) that is ~1.5 s, which the first § question
        paid inside its answer; the app does it when it starts. And the embedder picks the engine that embeds
        questions fastest on this machine (``Embedder.prepare_questions``, timed on texts of a question's length
        from the collection; ``engines`` says which). Returns ``self``."""
        self.ranker.warm_up()
        if self.config.legal.enabled:
            self.legal.legal_documents()
        detect_lang("warm up")  # reads the languages' word lists
        if self.config.spelling.enabled:
            self.speller()
            self.speller("en")  # English questions over any collection: their dictionary, their speller
        self.embedder.prepare_questions(_question_samples(self.index.passages))
        return self

    @property
    def engines(self) -> dict[str, str]:
        """How the embedder embeds each kind of question now (``Embedder.engines``; chosen by :meth:`warm_up`)."""
        return self.embedder.engines

    # ------------------------------------------------------------ info

    @property
    def documents(self) -> dict[str, Document]:
        return self.index.documents

    def status(self) -> dict[str, Any]:
        m = self.index.manifest
        return {"documents": len(self.index.documents), "passages": len(self.index.passages),
                "embedder": m.get("embedder"), "model": m.get("model"), "built": m.get("created"),
                "index_dir": str(self.index.path or "")}

    # ------------------------------------------------------------ search

    def within(self, filters: Filters | None) -> frozenset[str] | None:
        """The documents a search with ``filters`` is limited to: those of the ids, kinds and years chosen (None: all)."""
        if filters is None or filters.empty():
            return None
        return frozenset(d.doc_id for d in self.index.documents.values()
                         if (not filters.doc_ids or d.doc_id in filters.doc_ids)
                         and (not filters.kinds or d.kind in filters.kinds)
                         and (not filters.years or d.year in filters.years))

    def check_documents(self, filters: Filters) -> frozenset[str] | None:
        """``within(filters)``; an ``UnknownDocument`` for the first document id of ``filters`` the index lacks, or
        for kinds and years no document has (a search there would find nothing, and say only that)."""
        unknown = [d for d in filters.doc_ids if d not in self.index.documents]
        if unknown:
            known = sorted(self.index.documents)
            raise UnknownDocument(f"no document '{unknown[0][:80]}' in the index; its documents: {', '.join(known[:5])}"
                                  + (f" … ({len(known)} in all)" if len(known) > 5 else ""))
        within = self.within(filters)
        if within is not None and not within:
            raise UnknownDocument(f"no document in the index matches {filters.described()} ({self._held(filters)})")
        return within

    def _held(self, filters: Filters) -> str:
        """The kinds and years the index's documents have, for what ``filters`` asked: "its kinds: lov, strategi"."""
        docs = self.index.documents.values()
        kinds, years = sorted({d.kind for d in docs if d.kind}), sorted({y for d in docs if (y := d.year)})
        said = [f"its kinds: {', '.join(kinds[:8]) or 'none given'}" if filters.kinds else "",
                f"its years: {', '.join(map(str, years[:12])) or 'none given'}" if filters.years else "",
                "its documents: `klynge documents`" if filters.doc_ids else ""]
        return "; ".join(x for x in said if x)

    def passage_mask(self, within: frozenset[str] | None) -> np.ndarray | None:
        """The passages of those documents, as a mask over the index's passages (None: all)."""
        return None if within is None else np.isin(self.ranker.doc_of, list(within))

    def search_many(self, queries: Sequence[str], k: int = 10, filters: Filters | None = None,
                    lang: str | None = None) -> list[Result]:
        """Answer each query: ranked, cited, deduplicated hits plus a confidence."""
        typed = [clean_query(q) for q in queries]
        t0 = time.perf_counter()
        langs = [lang or detect_lang(q) for q in typed]
        spelled = [self.respell(q, ql) for q, ql in zip(typed, langs, strict=True)]
        cleaned = [s.text for s in spelled]
        # the sparse head costs a second model pass: only for languages whose recipe uses it
        need_sparse = [i for i, ql in enumerate(langs) if self.ranker.uses_sparse(ql)]
        qsparse: dict[int, Any] = {}
        if cleaned:
            embedded = [self.ranker.embedded_text(t, ql) for t, ql in zip(cleaned, langs, strict=True)]
            enc = self.embedder.encode_queries(embedded, need_sparse, self.index.manifest.get("sparse_recipe", "raw"))
            qvecs = enc.dense
            if enc.sparse is not None:
                qsparse = {i: enc.sparse[j] for j, i in enumerate(need_sparse)}
        else:
            qvecs = np.zeros((0, 1))
        t_embed = (time.perf_counter() - t0) / max(1, len(cleaned))
        with ONE_BLAS_THREAD:
            results = self._rank_all(cleaned, langs, qvecs, qsparse, k, self.within(filters), t_embed)
        return [replace(r, question=q, respelled=s.changes) if s.changes else r
                for r, q, s in zip(results, typed, spelled, strict=True)]

    def respell(self, text: str, lang: str) -> Respelled:
        """``text`` as searched: the words of a question in ``lang`` that neither its collection nor the
        language knows respelled (``qa.spelling``)."""
        if not self.config.spelling.enabled:
            return Respelled(text)
        return self.speller(lang).respell(text)

    def speller(self, lang: str | None = None) -> Speller:
        """The speller of questions in ``lang`` (default: the collection's language), made on first use (~0.15 s
        on the 316 acts): to the collection's words and the language's in its own language, to the language's
        alone in another (a word the collection or the question's dictionary knows is left as typed)."""
        lang = lang or self.index.collection.language
        with self._speller_lock:
            if lang not in self._spellers:
                lexical, own = self.index.lexical, self.ranker.own_language(lang)
                glossary = self.ranker.glossary(lang)
                self._spellers[lang] = Speller(
                    lexical.stems() if own else (), lambda stem: lexical.df("s:" + stem), self.config.spelling,
                    lang, known=lay_terms().knows if own else functools.partial(_translates_into, glossary, lexical.df))
            return self._spellers[lang]

    def _rank_all(self, cleaned: list[str], langs: list[str], qvecs: np.ndarray, qsparse: dict[int, Any], k: int,
                  within: frozenset[str] | None, t_embed: float) -> list[Result]:
        staged = []
        mask = self.passage_mask(within)
        for qi, text in enumerate(cleaned):
            t1 = time.perf_counter()
            q = self.ranker.analyse(text, langs[qi], qvecs[qi], qsparse.get(qi))
            ranked = self.ranker.rank(q, max(k, TOP), mask)
            named = self.legal.lookup(text, within) if self.config.legal.enabled else None  # a §: resolved, or absent
            lookup = named if isinstance(named, Resolved) and (within is None or named.doc_id in within) else None
            if lookup is not None:
                ranked = _pin(lookup, ranked)
            n_answers = max(k, self.config.confidence.answer_check)
            answers = [self._answer_spans(q, c.idx, lookup) for c in ranked[:n_answers]]
            staged.append((q, ranked, lookup or (named if isinstance(named, str) else ""), answers,
                           time.perf_counter() - t1))
        t2 = time.perf_counter()
        # a resolved § lookup is answered whatever the check says: it is not run for one
        checks = self._answer_check([(q, ranked, [] if isinstance(named, Resolved) else self._checked(q, ranked, answers))
                                     for q, ranked, named, answers, _ in staged])
        t_check = (time.perf_counter() - t2) / max(1, len(staged))
        results = []
        for (q, ranked, named, answers, t_rank), cosines in zip(staged, checks, strict=True):
            t3 = time.perf_counter()
            ranked, answers = self._by_answer(q, ranked, answers, cosines)
            check = max((c for c in cosines if c is not None), default=None)
            res = self._answer(q, ranked, k, answers, check, named)
            results.append(replace(res, timings={"embed": t_embed, "rank": t_rank + time.perf_counter() - t3,
                                                 "check": t_check}))
        return results

    def search(self, query: str, k: int = 10, filters: Filters | None = None, lang: str | None = None) -> Result:
        return self.search_many([query], k, filters, lang)[0]

    # ------------------------------------------------------------ annotate

    def _answer_spans(self, q: Query, idx: int, lookup: Resolved | None, close: bool = True) -> tuple[tuple[int, int], ...]:
        """The answer sentence(s) of passage ``idx`` (offsets into its text): for a passage of a resolved
        § lookup the provision itself, else the sentence(s) sharing most of the question's words and, with
        ``close`` and stored windows, closest to it in meaning (``qa.answer.best_sentences``)."""
        p = self.index.passages[idx]
        if lookup is not None and idx in lookup.passages:
            return ((max(lookup.span[0], p.start) - p.start, min(lookup.span[1], p.end) - p.start),)
        return best_sentences(q.statement, p.text, weight=self._idf, headings=p.section.split(" > "),
                              config=self.config.answer, closeness=self._closeness(q, idx) if close else None,
                              quantity=asks_quantity(q.text))

    def _checked(self, q: Query, ranked: list[Candidate], answers: list[tuple[tuple[int, int], ...]],
                 ) -> list[tuple[tuple[int, int], ...]]:
        """The sentences the answer check reads: those shown, in the collection's language; else those sharing
        most of the (translated) words, what that model was fitted on (docs/ranking.md, "Answer sentences")."""
        if self.ranker.own_language(q.lang):
            return answers
        return [self._answer_spans(q, c.idx, None, close=False) for c in ranked[:self.config.confidence.answer_check]]

    def _closeness(self, q: Query, idx: int) -> Callable[[int, int], float | None] | None:
        """The cosine with ``q`` of a sentence (start, end) of passage ``idx``: that of its closest stored window
        (``indexer.store.checks``; no model work), else None; None without windows."""
        checks = self.index.checks
        if checks is None or self.config.answer.closeness_weight <= 0:
            return None
        windows = checks.windows(idx)
        if not windows:
            return None
        cos = np.asarray(checks.vectors[windows[0][0]:windows[-1][0] + 1], dtype=np.float32) @ q.vector

        def closeness(start: int, end: int) -> float | None:
            inside = [float(c) for c, (_, (s, e)) in zip(cos, windows, strict=True) if start <= s and e <= end]
            return max(inside, default=None)
        return closeness

    def _answer_check(self, staged: Sequence[tuple[Query, list[Candidate], list[tuple[tuple[int, int], ...]]]],
                      ) -> list[list[float | None]]:
        """Per question, the cosine between it and the first answer sentence (the one :meth:`_checked` gives)
        of each of its best ``answer_check`` hits (a long one cut to its ``answer_check_words`` words
        holding most of the question's words; None for a hit without one), every sentence embedded on its
        own: looked up among the index's stored windows (:meth:`_stored_window`), else embedded now (one
        batch for all the questions; a sentence embedded before comes from the cache). Empty when the check
        is off or a question has no answers to check (a resolved § lookup)."""
        n, width = self.config.confidence.answer_check, self.config.confidence.answer_check_words
        if n <= 0:
            return [[] for _ in staged]
        wanted = [[self._check_target(q, c.idx, spans[0], width) if spans else None
                   for c, spans in zip(ranked[:n], answers, strict=False)] for q, ranked, answers in staged]
        unique = list(dict.fromkeys(t for texts in wanted for t in texts if isinstance(t, str)))
        vecs = self._sentences.get_many(unique)
        missing = [t for t in unique if t not in vecs]
        if missing:
            new = dict(zip(missing, self.embedder.embed_batch(missing), strict=True))
            self._sentences.put_many(new)
            vecs |= new
        windows = self.index.checks

        def vector(t: int | str) -> np.ndarray:
            if isinstance(t, str):
                return vecs[t]
            assert windows is not None  # a row number comes from the stored windows only
            return windows.vector(t)

        return [[None if t is None else float(vector(t) @ q.vector) for t in texts]
                for (q, _, _), texts in zip(staged, wanted, strict=True)]

    def _check_target(self, q: Query, idx: int, span: tuple[int, int], width: int) -> int | str | None:
        """What the check compares ``q`` with for the answer sentence ``span`` of passage ``idx``: the row of
        a stored window, else the window's text to embed now (None for an empty one)."""
        stored = self._stored_window(q, idx, span)
        if stored is not None:
            return stored
        return densest_window(self.index.passages[idx].text[span[0]:span[1]], q.statement, width) or None

    def _stored_window(self, q: Query, idx: int, span: tuple[int, int]) -> int | None:
        """The row of the index's stored window (``indexer.store.checks``) inside answer unit ``span`` of
        passage ``idx`` that holds most of the question's words; None when the index stores none there (built
        without them, another width, a § lookup's span)."""
        checks = self.index.checks
        if checks is None or checks.width != self.config.confidence.answer_check_words:
            return None
        inside = [(r, w) for r, w in checks.windows(idx) if span[0] <= w[0] and w[1] <= span[1]]
        if len(inside) <= 1:
            return inside[0][0] if inside else None
        return best_window(self.index.passages[idx].text, inside, q.statement)

    def _by_answer(self, q: Query, ranked: list[Candidate], answers: list[tuple[tuple[int, int], ...]],
                   cosines: Sequence[float | None]) -> tuple[list[Candidate], list[tuple[tuple[int, int], ...]]]:
        """For a question in the collection's language, the hits the answer check read reordered by their
        score plus ``answer_rerank`` × their answer sentence's cosine with the question (the score they
        show; a cosine counts as 0 when negative or missing, so they stay above the hits after them); else
        as they were."""
        w = self.config.answer_rerank
        if w <= 0 or not any(c is not None for c in cosines) or not self.ranker.own_language(q.lang):
            return ranked, answers
        n = len(cosines)
        head = [(replace(c, score=c.score + w * max(0.0, cos or 0.0)), a)
                for c, a, cos in zip(ranked[:n], answers[:n], cosines, strict=True)]
        head.sort(key=lambda ca: -ca[0].score)
        return [c for c, _ in head] + ranked[n:], [a for _, a in head] + answers[n:]

    def _answer(self, q: Query, ranked: list[Candidate], k: int, answers: Sequence[tuple[tuple[int, int], ...]],
                check: float | None, lookup: Resolved | str = "") -> Result:
        """The first ``k`` of ``ranked`` as hits with their answer sentences (``answers``, in rank order)
        and citations, and the verdict on the whole question (from the first ``confidence.TOP``, whatever
        ``k`` is, and the answer check). With a resolved § ``lookup``, its passages come first and their
        answer is the provision itself; a provision the question names that its act does not have (``lookup``
        as cited, ``qa.legalref``) makes the verdict a doubt that names it."""
        passages = self.index.passages
        verdict = assess(q, ranked, passages, self.config.confidence, check, self.ranker.passage_words)
        answered, confidence = verdict.answered, verdict.confidence
        if isinstance(lookup, Resolved):
            answered, confidence = True, max(confidence, self.config.legal.confidence)
        elif lookup:
            answered, confidence = False, min(confidence, self.config.legal.absent_confidence)
        hits = []
        for r, (c, answer) in enumerate(zip(ranked[:k], answers, strict=False), start=1):
            p = passages[c.idx]
            doc = self.index.documents.get(p.doc_id)
            loc = answer_locator(doc, [(p.start + a, p.start + b) for a, b in answer]) if answer and p.locator \
                else p.locator
            hits.append(Hit(p, c.score, r, citation_for(p, doc, locator=loc), answer, c.dense, c.lexical, c.sparse,
                            tuple(self._source(passages[j]) for j in c.also_in), loc))
        return Result(q.text, q.lang, answered, confidence, tuple(hits), features=verdict.features,
                      unmentioned=verdict.unmentioned, now_unmentioned=verdict.now_unmentioned,
                      absent_provision="" if isinstance(lookup, Resolved) else lookup)

    def _citation(self, p: Passage) -> str:
        return citation_for(p, self.index.documents.get(p.doc_id))

    def _source(self, p: Passage) -> Source:
        return Source(p.doc_id, p.title, p.page, p.section, self._citation(p))


def _translates_into(glossary: Mapping[str, tuple[str, ...]], df: Callable[[str], int], word: str) -> bool:
    """Does ``glossary`` translate ``word`` into a word the collection uses (``df`` of its stem token)?"""
    return any(df(stem_token(w)) > 0 for sense in translate(word, glossary)[0] for w in sense.split() if w != word)


class _VectorCache:
    """The most recently used sentence vectors of the answer check, at most ``size`` (0: none kept);
    shared by the threads of one searcher."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            found = {t: self._vecs[t] for t in texts if t in self._vecs}
            for t in found:
                self._vecs.move_to_end(t)
        return found

    def put_many(self, vecs: dict[str, np.ndarray]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._vecs.update(vecs)
            while len(self._vecs) > self.size:
                self._vecs.popitem(last=False)


def _question_samples(passages: Sequence[Passage]) -> list[str]:
    """Texts as long as a terse and a long question (8 and 30 words) from two passages of the collection."""
    picked = [passages[len(passages) * i // 3].text.split() for i in (1, 2)] if passages else []
    return [" ".join(words[:n]) for words in picked for n in (8, 30) if words]


def _pin(lookup: Resolved, ranked: list[Candidate]) -> list[Candidate]:
    """The passages of the provision a question names first (in text order), then the rest as ranked."""
    by_idx = {c.idx: c for c in ranked}
    top = ranked[0].score if ranked else 1.0
    first = [by_idx.get(i) or Candidate(i, top, 0.0, 0.0, 0.0) for i in lookup.passages]
    first = [Candidate(c.idx, max(c.score, top), c.dense, c.lexical, c.sparse, c.also_in) for c in first]
    return first + [c for c in ranked if c.idx not in set(lookup.passages)]
