"""Every error klynge reports to a person: one tree, each message naming the bad value and the fix.

    KlyngeError                  base: the CLI prints its message on one line and exits 1
    ├── CorpusError              the corpus folder is missing, is not a folder, or holds nothing to index
    ├── DocumentError            one document cannot be read (the build skips it, reports why, goes on)
    │   └── UploadRefused        a file offered to the collection is refused (type, size, limits, duplicate)
    ├── DocumentNotFoundError    no document with that id (remove, replace)
    ├── IndexBusyError           another process is writing the index and did not finish in time
    ├── ReadOnlyError            changing the collection is switched off (serve --read-only)
    ├── IndexMissingError        no index where one was expected: run `klynge index`
    ├── IndexCorruptError        an index file is unreadable, truncated or of a newer format
    ├── IndexMismatchError       the index was built with another embedder or model
    ├── EmbedderError            an embedding backend or model cannot be loaded
    ├── SettingError             an environment setting (KLYNGE_MAX_MB, KLYNGE_THREADS, …) with a bad value
    └── (in ``qa.errors``, raised by retrieval and evaluation)
        ├── QueryError           a question or quote that cannot be searched (empty, only control chars): exit 2
        ├── QuestionSetError     a question set for evaluation cannot be read
        ├── UsageError           an option with a bad value (--fail-under, --year, --doc, --report): exit 2
        │   └── UnknownDocument  a document id the index does not hold (--doc, MCP search's documents)
        └── AccessDenied         the signed-in user's role does not allow it (qa/access.py): HTTP 403

Reading, splitting and indexing (``indexer``) raise the first group; ``qa`` adds its own four. Code
outside klynge catches ``KlyngeError`` for all of them.
"""

from __future__ import annotations

import zipfile

# what reading a damaged or truncated .npy / .npz raises (a cut zip archive: BadZipFile; an empty file: EOFError),
# caught in one place wherever such a file is read and turned into IndexCorruptError, or skipped in a cache
DAMAGED_FILE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


class KlyngeError(Exception):
    """Base class for every error klynge reports to the user."""


class CorpusError(KlyngeError):
    """The corpus folder does not exist, is not a folder, or holds no document that could be indexed."""


class DocumentError(KlyngeError):
    """A document could not be read; the index build skips it and goes on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissingError(KlyngeError):
    """No index where one was expected."""


class IndexCorruptError(KlyngeError):
    """An index file is unreadable, truncated or from another format version."""


class IndexMismatchError(KlyngeError):
    """The index was built with another embedder or model than the one asked for."""


class EmbedderError(KlyngeError):
    """An embedding backend or model could not be loaded."""


class UploadRefused(DocumentError):
    """A file offered to the collection (``klynge add``, an upload) is refused: type, size, limits, duplicate."""


class DocumentNotFoundError(KlyngeError):
    """No document with the id given (``klynge remove``, replace in the app)."""


class IndexBusyError(KlyngeError):
    """Another process holds the index's write lock longer than we wait."""


class ReadOnlyError(KlyngeError):
    """Changing the collection is switched off (``klynge serve --read-only``)."""


class SettingError(KlyngeError):
    """An environment setting has a value that is not what it takes; the message names it and gives an example."""
