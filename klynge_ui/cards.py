"""The result card: one passage with its citation and the buttons to copy it, put it in the memo and
open it in its document. Answers (the Ask tab) and quotes found (Find a quote) are both drawn here."""

from __future__ import annotations

import json
from dataclasses import dataclass

from qa.memo import MemoItem

from .context import E
from .memo import memo_button

__all__ = ["Card", "feedback_button", "highlight", "render_card"]


@dataclass(frozen=True)
class Card:
    """What a card shows. Plain text everywhere but ``text_html`` (escaped already, with its marks) and
    ``extra_html`` (lines under the text, escaped already)."""

    heading: str
    text_html: str
    citation: str
    memo: MemoItem
    doc_id: str
    start: int
    end: int
    title: str = ""  # the document's title, read out with the card and its copy button; none when ""
    meta: str | None = None  # the line under the heading; none when None
    extra_html: str = ""
    feedback: str = ""  # what "this answers it" sends (JSON: question, language, passage, answer); none when ""


def feedback_button(payload: str, label: str, done: str) -> str:
    """A button that sends ``payload`` (JSON) as feedback on the answer (the page's script, ``k-fb``)."""
    return (f"<button type='button' class='k-fb' data-fb='{E(payload)}' data-done='{E(done)}'>"
            f"{E(label)}</button>")


def highlight(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """``text`` escaped, with the character ``spans`` in ``<mark>``."""
    out, pos = [], 0
    for s, e in sorted(spans):
        out.append(E(text[pos:s]))
        out.append(f"<mark>{E(text[s:e])}</mark>")
        pos = e
    out.append(E(text[pos:]))
    return "".join(out)


def render_card(card: Card, t: dict[str, str]) -> str:
    """The card's HTML in the language of ``t`` (a table of ``klynge_ui.strings.T``)."""
    target = json.dumps({"doc": card.doc_id, "start": card.start, "end": card.end})
    label = f" aria-label='{E(card.title)}'" if card.title else ""
    copy_label = f" aria-label='{E(t['copy'])}: {E(card.title)}'" if card.title else ""
    meta = f"<div class='k-meta'>{E(card.meta)}</div>" if card.meta is not None else ""
    return (f"<article class='k-card'{label}>"
            f"<h3>{E(card.heading)}</h3>{meta}"
            f"<div class='k-text'>{card.text_html}</div>{card.extra_html}"
            f"<div class='k-cite'>{E(card.citation)}</div>"
            f"<div class='k-actions'><button type='button' class='k-copy' data-citation='{E(card.citation)}' "
            f"data-done='{E(t['copied'])}'{copy_label}>{E(t['copy'])}</button>"
            + memo_button(card.memo, t["memo_add"], t["memo_done"]) +
            f"<a href='#' role='button' class='k-open' data-target='{E(target)}'>{E(t['open'])}</a>"
            + (feedback_button(card.feedback, t["fb_yes"], t["fb_done"]) if card.feedback else "") + "</div>"
            "</article>")
