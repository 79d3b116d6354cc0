"""Feedback on answers, kept to become the collection's own test set.

A person marks a hit "this answers it" or the whole answer "none of these answers it"; the question,
the passage, its answer sentence, the person's role (never their name) and the time go into an SQLite
file beside the index (``<index>.feedback.sqlite``). Before anything is stored, CPR numbers (found by
``os2ds-rules``, the detector Danish authorities scan for them with), e-mail addresses and phone numbers
are masked. ``KLYNGE_FEEDBACK=off`` stores nothing; ``KLYNGE_FEEDBACK_DAYS`` (default 365) deletes older
feedback. :func:`export_questions` writes the feedback as a question set ``klynge eval`` reads: the marked
answer sentence is the expected phrase, "none" an unanswerable question.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .results import MAX_QUERY_CHARS

__all__ = ["VERDICTS", "Feedback", "enabled", "export_questions", "feedback_path", "mask_personal", "record_feedback",
           "retention_days", "stored", "write_jsonl"]

VERDICTS = ("answers", "none")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    lang TEXT NOT NULL,
    verdict TEXT NOT NULL,       -- answers | none
    passage_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    answer TEXT NOT NULL,        -- the marked answer sentence
    role TEXT NOT NULL
);
"""
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\d-])(?:\+45[ -]?)?(?:\d{2}[ -]?){3}\d{2}(?![\d-])")
_CPR_FALLBACK = re.compile(r"(?<!\d)[0-3]\d[01]\d\d{2}[- ]?\d{4}(?!\d)")
MASK = "[skjult]"


@dataclass(frozen=True)
class Feedback:
    time: str
    question: str
    lang: str
    verdict: str
    passage_id: str
    doc_id: str
    answer: str
    role: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def enabled() -> bool:
    return os.environ.get("KLYNGE_FEEDBACK", "on").strip().lower() not in ("off", "0", "no", "false")


def retention_days() -> int:
    try:
        return max(1, int(os.environ.get("KLYNGE_FEEDBACK_DAYS", "365")))
    except ValueError:
        return 365


def feedback_path(index_dir: Path) -> Path:
    return Path(f"{Path(index_dir)}.feedback.sqlite")


def mask_personal(text: str) -> str:
    """``text`` with CPR numbers, e-mail addresses and phone numbers replaced by ``[skjult]``."""
    try:
        from os2ds_rules import CPRDetector

        raw = text.encode("utf-8")  # the detector's offsets are in UTF-8 bytes
        for m in sorted(CPRDetector().find_matches(text), key=lambda m: -int(m["start"])):
            raw = raw[: int(m["start"])] + MASK.encode() + raw[int(m["end"]):]
        text = raw.decode("utf-8", errors="replace")
    except ImportError:  # a platform without its wheel: the shape rule below does it alone
        pass
    text = _CPR_FALLBACK.sub(MASK, text)  # and always: a number of CPR shape that fails the detector's date check
    return _PHONE.sub(MASK, _EMAIL.sub(MASK, text))


def _connect(index_dir: Path) -> sqlite3.Connection:
    con = sqlite3.connect(feedback_path(index_dir), timeout=30)
    con.executescript(_SCHEMA)
    return con


def record_feedback(index_dir: Path, question: str, lang: str, verdict: str, role: str, passage_id: str = "",
                    doc_id: str = "", answer: str = "") -> bool:
    """Store one verdict (masked), and drop feedback older than the retention; False when storage is off."""
    if verdict not in VERDICTS:
        raise UsageError(f"feedback must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if not enabled():
        return False
    now = time.time()
    con = _connect(index_dir)
    try:
        with con:
            con.execute("INSERT INTO feedback (time, question, lang, verdict, passage_id, doc_id, answer, role) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (_iso(now), mask_personal(question)[:MAX_QUERY_CHARS], lang, verdict, passage_id, doc_id,
                         mask_personal(answer)[:MAX_QUERY_CHARS], role))
            con.execute("DELETE FROM feedback WHERE time < ?", (_iso(now - retention_days() * 86400),))
    finally:
        con.close()
    return True


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def stored(index_dir: Path) -> list[Feedback]:
    """Every stored verdict, oldest first."""
    if not feedback_path(index_dir).exists():
        return []
    con = _connect(index_dir)
    try:
        rows = con.execute("SELECT time, question, lang, verdict, passage_id, doc_id, answer, role FROM feedback "
                           "ORDER BY id").fetchall()
    finally:
        con.close()
    return [Feedback(*r) for r in rows]


def export_questions(index_dir: Path) -> list[dict[str, Any]]:
    """The feedback as a question set (one object a question, as ``klynge eval`` reads JSON Lines): the
    answer sentences people marked as the expected phrases; a question only ever marked "none" has none
    (the right answer is "nothing found"). A question marked answered without the sentence that answers it (an
    API call that gave none) is left out: as a question without expected phrases it would read as unanswerable."""
    by_question: dict[tuple[str, str], dict[str, Any]] = {}
    for f in stored(index_dir):
        q = by_question.setdefault((f.question, f.lang), {"question": f.question, "lang": f.lang, "expected": [],
                                                          "answers": 0})
        if f.verdict == "answers" and f.answer and f.answer not in q["expected"]:
            q["expected"].append(f.answer)
        q["answers"] += f.verdict == "answers"
    kept = [q for q in by_question.values() if q["expected"] or not q["answers"]]
    return [{"id": f"feedback-{i}", "question": q["question"], "expected": q["expected"], "lang": q["lang"]}
            for i, q in enumerate(kept, start=1)]


def write_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
