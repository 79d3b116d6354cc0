"""Reading a collection: each file into a ``Document`` (``read``; one reader per format in ``readers``),
text rules (``clean``), Danish legal structure (``legal``), passages (``split``), checking a file offered
to the collection (``intake``) and ``collection.toml`` (``collection``). Everything that decides an
index's passages lives in this package: :func:`fingerprint` hashes its files, so a stored passage is
reused only when none of them changed."""

from indexer.reading.document import Document, Span, page_range
from indexer.reading.fingerprint import fingerprint
from indexer.reading.read import read_document
from indexer.reading.split import Passage, sentence_spans, split_document

__all__ = ["Document", "Passage", "Span", "fingerprint", "page_range", "read_document", "sentence_spans",
           "split_document"]
