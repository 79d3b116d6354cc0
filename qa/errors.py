"""The errors of retrieval and evaluation; the whole tree is documented in ``indexer.errors``.

The CLI exits with status 2 for ``QueryError`` and ``UsageError`` (the request was wrong), 1 for the
rest of ``KlyngeError``.
"""

from __future__ import annotations

from indexer.errors import KlyngeError


class QueryError(KlyngeError):
    """A question or quote that cannot be searched (empty, only control characters, ...)."""


class QuestionSetError(KlyngeError):
    """A question set for evaluation could not be read."""


class UsageError(KlyngeError):
    """An option with a bad value: ``--fail-under``, ``--year``, ``--doc``, ``--report`` and the like."""


class UnknownDocument(UsageError):
    """A document id the index does not hold (``klynge ask --doc``, the MCP ``search`` tool's ``documents``)."""


class AccessDenied(KlyngeError):
    """The signed-in user's role does not allow the request (or nobody signed in where sign-in is required)."""
