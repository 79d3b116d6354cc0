"""Feedback and the audit trail, through the service layer's checks (``qa.service`` re-exports these):
who may give feedback, export it, or read the trail (``qa.access``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .access import User, load_access
from .audit import Entry, entries
from .errors import UsageError
from .feedback import VERDICTS, export_questions, record_feedback
from .lang import detect_lang
from .paths import index_path
from .results import clean_query

__all__ = ["audit_trail", "export_feedback", "give_feedback"]


def give_feedback(index_dir: str | Path | None, question: str, verdict: str, *, passage_id: str = "",
                  answer: str = "", lang: str | None = None, user: User | None = None) -> bool:
    """Store a verdict on an answer ("answers": this passage's ``answer`` does; "none": no hit does), masked,
    with the person's role only (``qa.feedback``); False when feedback storage is off."""
    path = index_path(index_dir)
    who = load_access(path).require(user, "feedback")
    if verdict not in VERDICTS:
        raise UsageError(f"feedback must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    text = clean_query(question)
    return record_feedback(path, text, lang or detect_lang(text), verdict, who.role, passage_id, passage_id.split("#")[0], answer)


def export_feedback(index_dir: str | Path | None = None, user: User | None = None) -> list[dict[str, Any]]:
    """The stored feedback as a question set for ``klynge eval`` (``qa.feedback.export_questions``)."""
    path = index_path(index_dir)
    load_access(path).require(user, "audit")
    return export_questions(path)


def audit_trail(index_dir: str | Path | None = None, doc_id: str | None = None, user: User | None = None,
                limit: int | None = None) -> list[Entry]:
    """The audit trail of the index, newest first (of one document with ``doc_id``)."""
    path = index_path(index_dir)
    load_access(path).require(user, "audit")
    return entries(path, doc_id, limit)
