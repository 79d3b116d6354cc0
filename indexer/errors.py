"""Errors with messages a person can act on: each names the bad value and the fix."""

from __future__ import annotations


class KlyngeError(Exception):
    """Base class for every error klynge reports to the user."""


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


class QueryError(KlyngeError):
    """A question or quote that cannot be searched (empty, only control characters, ...)."""


class QuestionSetError(KlyngeError):
    """A question set for evaluation could not be read."""
