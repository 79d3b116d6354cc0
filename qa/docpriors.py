"""Priors on documents, added to every candidate passage of them: their size, their words, and for acts their scope.

- **Size** (:func:`size_scores`): a document of many passages has more chances of one that scores high by
  chance (the best of n draws grows with n); its passages lose a little (``RankingConfig.size_prior``).
- **A document's words** (:func:`document_prior`): the question's words, less the towns and people it names
  (``qa.names.without_names``), scored by BM25 over each whole document (``LexicalIndex.document_scores``). A lay question's words are spread over a document's provisions
  ("byrådsmedlem", "barsel", "suppleant"), and the document that holds them all is likelier the one that
  answers than a document whose one passage happens to match best (passage retrieval with document evidence,
  Callan 1994). Each candidate gets + ``RankingConfig.document_lexical`` × (its document's score as a share of
  the best candidate document's − that share's mean over the candidates' documents). Any document, not only
  acts; only questions in the collection's language (through the dictionary an English question's words
  are its translations' senses, and the prior cost the English sets). Measured in docs/ranking.md ("Priors").
- **An act's scope** (:class:`ActOpenings`): an act says what it covers in its opening, the title and § 1
  ("Bekendtgørelse af lov om kommunernes styrelse § 1. Loven gælder for alle kommuner …", "… afskrivningsloven
  § 1. Efter reglerne i denne lov kan skattemæssig afskrivning foretages på …"). Over hundreds of acts whose
  provisions read alike (the regions' act repeats the municipalities' rules on meetings, the seafarers' act
  the holiday act's), which act a question belongs to is what a passage alone decides worst. Each candidate
  of an act gets + ``RankingConfig.scope_prior`` × (the question's cosine with its act's opening − the mean of
  that cosine over the acts among the candidates): relative, so in a collection of acts and other texts the
  acts are not lifted as a class. Only documents laid out as acts (their passages carry § locators,
  ``indexer.reading.legal``): the opening of a policy paper or an article introduces it rather than bounding
  it, and an opening prior over such texts cost the shipped texts and squad-da-dev answers
  (docs/experiments.md). Only questions in the collection's language: an English question's cosine with a
  Danish opening is on a scale of its own (as for the answer-sentence reorder). Measured in docs/ranking.md
  ("Priors") and docs/laws.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from indexer import Passage

__all__ = ["ActOpenings", "document_prior", "size_scores"]


def size_scores(passages_per_document: np.ndarray) -> np.ndarray:
    """Each document's log passage count as a z-score over the collection's documents, 0 for documents
    of the typical size or smaller (and where all are the same size): the size prior's unit."""
    logs = np.log(np.maximum(passages_per_document, 1)).astype(np.float32)
    spread = float(logs.std()) if len(logs) > 1 else 0.0
    return np.maximum((logs - logs.mean()) / spread, 0.0) if spread > 0 else np.zeros_like(logs)


def document_prior(scores: np.ndarray | None, codes: np.ndarray) -> np.ndarray:
    """For candidates of documents ``codes`` whose whole documents score ``scores`` for the question (BM25,
    ``indexer.store.lexical``): that score as a share of the best, less the share's mean over the candidates'
    documents (each counted once); 0 for all when nothing matched or the index has no documents' BM25."""
    if scores is None or not len(scores) or float(scores.max()) <= 0:
        return np.zeros(len(codes), dtype=np.float32)
    share = (scores / float(scores.max())).astype(np.float32)
    _, first = np.unique(codes, return_index=True)
    return share - float(share[first].mean())


class ActOpenings:
    """The vector of each act's opening passage (its first, which holds the title and § 1), by document code."""

    def __init__(self, codes: np.ndarray, vectors: np.ndarray, n_documents: int) -> None:
        self.vectors = vectors  # one row per act
        self._row = np.full(n_documents, -1, dtype=np.int64)  # document code -> row, -1 for a document no act
        self._row[codes] = np.arange(len(codes))

    @classmethod
    def of(cls, passages: Sequence[Passage], doc_code: np.ndarray, n_documents: int,
           vectors: Callable[[np.ndarray], np.ndarray]) -> ActOpenings | None:
        """The openings of the documents among ``passages`` laid out as acts (a § locator on a passage);
        ``vectors(ids)`` reads the stored vectors of passages ``ids``. None when the collection has no act."""
        first: dict[int, int] = {}  # document code -> its passage that starts first
        acts: set[int] = set()
        for i, p in enumerate(passages):
            c = int(doc_code[i])
            if c not in first or p.start < passages[first[c]].start:
                first[c] = i
            if p.locator.startswith("§"):
                acts.add(c)
        if not acts:
            return None
        codes = np.array(sorted(acts), dtype=np.int64)
        ids = np.array([first[int(c)] for c in codes], dtype=np.int64)
        return cls(codes, np.asarray(vectors(ids), dtype=np.float32), n_documents)

    def prior(self, query: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """For candidates of documents ``codes``: the question's cosine with their act's opening less its
        mean over the acts among them; 0 for a candidate of a document that is no act."""
        rows = self._row[codes]
        legal = rows >= 0
        out = np.zeros(len(codes), dtype=np.float32)
        if not legal.any():
            return out
        cos = self.vectors @ np.asarray(query, dtype=np.float32)
        out[legal] = cos[rows[legal]] - float(cos[np.unique(rows[legal])].mean())
        return out
