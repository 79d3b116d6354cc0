"""Danish-aware lexical index: BM25 (bm25s) over character n-grams of words plus Snowball stems.

Danish writes compounds as one word ("klyngeorganisationer", "erhvervsfremmebestyrelse"), so a
query word only matches part of a document word; character 4-grams of each word catch that, and
the Danish Snowball stem (PyStemmer) keeps whole-word matches strong. Stopwords are dropped. The
tokens themselves are ``indexer.store.tokens``'s.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from indexer.store.scores import minmax
from indexer.store.tokens import identifiers, mode_tokens, token_mode, tokenize, words

# a structured query: groups of alternatives (a translated word's senses), each group one of the question's words
Alternatives = Sequence[Sequence[str]]

BM25_K1 = 1.2  # bm25s / Lucene defaults; not tuned
BM25_B = 0.75
# whole documents (the document-words prior, qa.docpriors): scored by how densely they hold the question's words,
# not how many of them their length gathers. Acts run from one page to hundreds; at b 0.75 a long act holds
# a lay question's words by its size (all 316 acts, Danish: 11 questions rose, 1 fell against 0.75; 0.9: 4 / 0;
# 0.3: 5 / 19; shipped corpus and squad-da-dev unchanged: docs/ranking.md, "4. Priors")
DOCUMENT_BM25_B = 1.0

SENTENCE_WEIGHT = 0.7  # share of the best sentence window in a passage's lexical score
PRUNE_ABOVE = 50_000  # passages; below, every query token is scored
PRUNE_DF = 0.10  # above PRUNE_ABOVE, query tokens in more than this share of passages are skipped
SENTENCE_LIMIT = 20_000  # above this many passages (~20 MB of text) only passage-level BM25 is built (memory)
def _bm25(texts: Iterable[str], known: Container[str] | None = None, mode: str = "full",
          b_norm: float = BM25_B) -> Any:
    """BM25 over ``texts``, tokenised one at a time into compact int32 id arrays (memory: 4 bytes a token);
    ``b_norm``: the length normalisation."""
    import bm25s

    vocab: dict[str, int] = {}
    ids: list[np.ndarray] = []
    for text in texts:
        toks = tokenize(text, known, mode) or ["<empty>"]
        ids.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in toks), dtype=np.int32, count=len(toks)))
    r = bm25s.BM25(k1=BM25_K1, b=b_norm)
    r.index((ids, vocab), show_progress=False)
    return r


class _Growing:
    """An append-only numpy array that doubles its capacity (no per-document Python objects kept)."""

    def __init__(self, dtype: Any, capacity: int = 1 << 20) -> None:
        self.a = np.empty(capacity, dtype=dtype)
        self.n = 0

    def extend(self, x: np.ndarray) -> None:
        if self.n + len(x) > len(self.a):
            grown = np.empty(max(2 * len(self.a), self.n + len(x)), dtype=self.a.dtype)
            grown[: self.n] = self.a[: self.n]
            self.a = grown
        self.a[self.n:self.n + len(x)] = x
        self.n += len(x)

    def array(self) -> np.ndarray:
        return self.a[: self.n]


def _bm25_stems_stream(texts: Iterable[str], b_norm: float = BM25_B) -> Any:
    """bm25s's BM25 (the same Lucene scores as :func:`_bm25` with ``mode="stems"``) built without
    bm25s's per-document intermediates: each text becomes (stem id, count) pairs appended to flat arrays,
    then document frequencies, scores and the column-sorted matrix are computed with numpy. At 1M
    passages this is what keeps the build under 3 GB (docs/scale.md). ``b_norm``: as :func:`_bm25`'s."""
    import bm25s

    ids, tfs = _Growing(np.int32), _Growing(np.uint16)
    lens, n_unique = _Growing(np.int32, 1 << 16), _Growing(np.int32, 1 << 16)
    vocab: dict[str, int] = {}
    word_ids: dict[str, np.ndarray] = {}  # word -> its tokens' ids (a word is tokenised once)

    def of(w: str) -> np.ndarray:
        got = word_ids.get(w)
        if got is None:
            got = word_ids[w] = np.array([vocab.setdefault(t, len(vocab)) for t in mode_tokens(w, "stems")],
                                         dtype=np.int32)
        return got

    for text in texts:
        parts = [of(w) for w in words(text)]
        codes = identifiers(text)
        if codes:
            parts.append(np.array([vocab.setdefault(t, len(vocab)) for t in codes], dtype=np.int32))
        tok = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        if not len(tok):
            tok = np.array([vocab.setdefault("<empty>", len(vocab))], dtype=np.int32)
        u, c = np.unique(tok, return_counts=True)
        ids.extend(u)
        tfs.extend(np.minimum(c, 65535).astype(np.uint16))
        lens.extend(np.array([len(tok)], dtype=np.int32))
        n_unique.extend(np.array([len(u)], dtype=np.int32))
    tok_ids, tf, doc_len = ids.array(), tfs.array(), lens.array()
    n_docs, n_vocab = len(doc_len), len(vocab)
    df = np.bincount(tok_ids, minlength=n_vocab)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    doc = np.repeat(np.arange(n_docs, dtype=np.int32), n_unique.array())  # the document of each pair
    norm = (BM25_K1 * ((1 - b_norm) + b_norm * doc_len / max(float(doc_len.mean()), 1e-9))).astype(np.float32)
    scores = np.empty(len(tok_ids), dtype=np.float32)
    step = 1 << 22
    for a in range(0, len(tok_ids), step):
        b = min(a + step, len(tok_ids))
        t = tf[a:b].astype(np.float32)
        scores[a:b] = idf[tok_ids[a:b]] * (t / (norm[doc[a:b]] + t))
    order = np.argsort(tok_ids, kind="stable")  # by token, documents in order within a token
    data = scores[order]
    del scores
    indices = doc[order]
    del doc, order
    indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    r = bm25s.BM25(k1=BM25_K1, b=b_norm)
    r.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}
    r.vocab_dict = vocab
    r.unique_token_ids_set = set(vocab.values())
    r.nonoccurrence_array = None  # Lucene BM25 has none
    return r


class LexicalIndex:
    """BM25 (bm25s) over passages, and over windows of two sentences ("MaxP"); optionally over whole documents.

    A passage's score mixes its own BM25 with the BM25 of its best sentence window: questions
    target one statement, and a long passage that mentions the words far apart should not beat a
    sentence that says it. The documents' BM25 (:meth:`with_documents`) says which document holds the
    question's words at all, wherever they stand (``qa.docpriors``). Persisted as bm25s's own files plus
    ``owner.npy`` (window → passage) and ``doc_of.npy`` (passage → document).
    """

    DESCRIPTION: ClassVar[dict[str, Any]] = {  # recorded in the index manifest
        "library": "bm25s", "tokens": "danish snowball stems + boundary-marked char 4-grams + letter-digit codes",
        "units": "passages + two-sentence windows (max per passage)", "k1": BM25_K1, "b": BM25_B,
        "documents_b": DOCUMENT_BM25_B}

    def __init__(self, passages: Any, windows: Any = None, owner: np.ndarray | None = None, mode: str = "full",
                 documents: Any = None, doc_of: np.ndarray | None = None) -> None:
        self._r = passages
        self._w = windows
        self._owner = owner
        self.mode = mode  # the tokens: "full" (stems + n-grams) or "stems" (token_mode)
        self._d = documents  # BM25 over whole documents (with_documents), or None
        self._doc_of = doc_of  # each passage's row in it

    @classmethod
    def build(cls, texts: Sequence[str], windows: Iterable[tuple[int, str]] | None = None,
              mode: str | None = None) -> LexicalIndex:
        """``texts``: one per passage; ``windows``: (passage number, text) sentence windows (streamed);
        ``mode``: the tokens (default: by size, :func:`token_mode`).

        Up to SENTENCE_LIMIT passages, suspended compounds are written out against the corpus
        vocabulary, and sentence windows are indexed too.
        """
        mode = mode or token_mode(len(texts))
        if len(texts) > SENTENCE_LIMIT or mode == "stems":
            return cls.build_stream(texts, mode)
        known = {w for t in texts for w in words(t)}
        r = _bm25(texts, known)
        if windows is None:
            return cls(r)
        owner: list[int] = []

        def window_texts() -> Iterator[str]:
            for i, t in windows:
                owner.append(i)
                yield t

        w = _bm25(window_texts(), known)
        if not owner:
            return cls(r)
        return cls(r, w, np.asarray(owner, dtype=np.int64))

    @classmethod
    def build_stream(cls, texts: Iterable[str], mode: str = "stems") -> LexicalIndex:
        """Passage-level BM25 only, over texts read one at a time (a large collection need not be held
        in memory twice)."""
        return cls(_bm25_stems_stream(texts) if mode == "stems" else _bm25(texts, None, mode), mode=mode)

    def with_documents(self, texts: Sequence[str], doc_of: np.ndarray) -> LexicalIndex:
        """A copy of this index (its passages' and windows' BM25 shared) with BM25 over whole documents too, in
        its own tokens: ``doc_of`` is each passage's document number, and a document's text is its passages'
        ``texts`` joined (streamed, one at a time). Its length normalisation is ``DOCUMENT_BM25_B``'s."""
        doc_of = np.asarray(doc_of, dtype=np.int32)
        order = np.argsort(doc_of, kind="stable")  # the passages of document 0, then of 1, ...
        counts = np.bincount(doc_of)
        joined = (" ".join(texts[i] for i in order[end - n:end]) for end, n in zip(np.cumsum(counts), counts, strict=True))
        documents = _bm25_stems_stream(joined, DOCUMENT_BM25_B) if self.mode == "stems" else \
            _bm25(joined, None, self.mode, DOCUMENT_BM25_B)
        return LexicalIndex(self._r, self._w, self._owner, self.mode, documents, doc_of)

    def save(self, directory: Path) -> None:
        if self.mode != "full":
            (directory / "tokens.txt").write_text(self.mode, encoding="utf-8")
        self._r.save(str(directory / "passages"), show_progress=False)
        if self._w is not None and self._owner is not None:
            self._w.save(str(directory / "windows"), show_progress=False)
            np.save(directory / "owner.npy", self._owner)
        if self._d is not None and self._doc_of is not None:
            self._d.save(str(directory / "documents"), show_progress=False)
            np.save(directory / "doc_of.npy", self._doc_of)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        r = bm25s.BM25.load(str(directory / "passages"), mmap=False, show_progress=False, verbosity=0)
        mode = (directory / "tokens.txt").read_text(encoding="utf-8").strip() if (directory / "tokens.txt").exists() \
            else "full"
        w = owner = d = doc_of = None
        if (directory / "windows").exists() and (directory / "owner.npy").exists():
            w = bm25s.BM25.load(str(directory / "windows"), mmap=False, show_progress=False, verbosity=0)
            owner = np.load(directory / "owner.npy")
            if len(owner) != int(w.scores["num_docs"]) or int(owner.max(initial=-1)) >= int(r.scores["num_docs"]):
                raise ValueError(f"{directory / 'owner.npy'} does not match the windows and passages")
        if (directory / "documents").exists() and (directory / "doc_of.npy").exists():  # not in older indexes
            d = bm25s.BM25.load(str(directory / "documents"), mmap=False, show_progress=False, verbosity=0)
            doc_of = np.load(directory / "doc_of.npy")
            if len(doc_of) != int(r.scores["num_docs"]) or int(doc_of.max(initial=-1)) >= int(d.scores["num_docs"]):
                raise ValueError(f"{directory / 'doc_of.npy'} does not match the passages")
        return cls(r, w, owner, mode, d, doc_of)

    def _tokens(self, query: str | Alternatives) -> tuple[list[str], list[list[list[str]]]]:
        """``query`` tokenised once, for both BM25 indexes: the tokens scored together (a text's, and those of
        each group of one), and for each group of several its alternatives' tokens (:meth:`_scored`)."""
        if isinstance(query, str):
            return tokenize(query, mode=self.mode), []
        flat = [t for g in query if len(g) == 1 for t in tokenize(g[0], mode=self.mode)]
        return flat, [[tokenize(a, mode=self.mode) for a in g] for g in query if len(g) > 1]

    def _scored(self, r: Any, tokens: tuple[list[str], list[list[list[str]]]], n: int, prune: bool = True,
                ) -> np.ndarray:
        """Scores of a tokenised query (Pirkola's synonym operator, by the best alternative): the tokens scored
        together, plus, for each group of several alternatives, in each passage the score of its best-scoring
        one. A dictionary gives an English word every sense it has ("on" → af, i, om, på, til, ved, fremad, vid
        …); summed, a many-sense word outweighs the question's precise one."""
        flat, groups = tokens
        out = self._raw(r, flat, n, prune)
        for alternatives in groups:
            out += np.max([self._raw(r, a, n, prune) for a in alternatives], axis=0)
        return out

    @staticmethod
    def _raw(r: Any, query_tokens: list[str], n: int, prune: bool = True) -> np.ndarray:
        vocab = r.vocab_dict
        tokens = [t for t in query_tokens if t in vocab]
        if prune and n > PRUNE_ABOVE and tokens:
            # in a large index, tokens found in most passages carry almost no BM25 weight but have the
            # longest posting lists: leave them out (measured in docs/scale.md, "The lexical index by size")
            indptr = r.scores["indptr"]
            kept = [t for t in tokens if indptr[vocab[t] + 1] - indptr[vocab[t]] <= PRUNE_DF * n]
            tokens = kept or tokens
        if not tokens:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(r.get_scores(tokens), dtype=np.float32)

    def scores(self, query: str | Alternatives, window_query: str | Alternatives | None = None) -> np.ndarray:
        """Lexical score of every passage for ``query`` (0 where nothing matches).

        ``query``: a text, or a structured query: groups of alternatives (a translated word's senses), each
        group scored by its best alternative in each passage (:meth:`_scored`).
        ``window_query``: what the sentence windows are matched against, when it differs (words that
        name a document rather than a statement are left out there; see ``qa.intent``).
        """
        n = self.size
        # stems have short posting lists: scored exactly at any size (docs/scale.md); n-grams are pruned
        tokens = self._tokens(query)
        base = self._scored(self._r, tokens, n, prune=self.mode == "full")
        if self._w is None or self._owner is None or not base.any():
            return base
        win = self._scored(self._w, tokens if window_query is None else self._tokens(window_query), len(self._owner))
        best = np.zeros(n, dtype=np.float32)
        np.maximum.at(best, self._owner, win)
        mixed = (1 - SENTENCE_WEIGHT) * minmax(base) + SENTENCE_WEIGHT * minmax(best)
        return mixed.astype(np.float32) * float(base.max())

    def document_scores(self, query: str | Alternatives, ids: np.ndarray) -> np.ndarray | None:
        """BM25 of the whole document of each passage in ``ids`` for ``query`` (scored like :meth:`scores`,
        without windows); None for an index built without documents' BM25."""
        if self._d is None or self._doc_of is None:
            return None
        per_document = self._scored(self._d, self._tokens(query), int(self._d.scores["num_docs"]), prune=False)
        return per_document[self._doc_of[ids]]

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency of ``token`` over passages (0 for a token not in the index)."""
        df = self.df(token)
        if not df:
            return 0.0
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def df(self, token: str) -> int:
        """The number of passages that hold ``token`` (0 for a token not in the index)."""
        tid = self._r.vocab_dict.get(token)
        if tid is None:
            return 0
        indptr = self._r.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])

    def stems(self) -> list[str]:
        """The word stems the index holds (its stem tokens, "s:klyng", without the prefix: "klyng")."""
        return [t[2:] for t in self._r.vocab_dict if t.startswith("s:")]

    @property
    def size(self) -> int:
        return int(self._r.scores["num_docs"])
