"""The stored index: the directory of plain files (``index``), dense nearest-neighbour search (``ann``),
BM25 over n-grams and stems (``lexical``) and the score arithmetic they share (``scores``)."""

from indexer.store.ann import AnnIndex, FlatAnn, HnswAnn, IvfAnn, Neighbours, load_ann, make_ann
from indexer.store.index import Index
from indexer.store.lexical import LexicalIndex

__all__ = ["AnnIndex", "FlatAnn", "HnswAnn", "Index", "IvfAnn", "LexicalIndex", "Neighbours", "load_ann", "make_ann"]
