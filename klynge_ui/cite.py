"""The "Slå citat op / Find a quote" tab: paste a sentence, see which document (and page) it comes from."""

from __future__ import annotations

from typing import Any

import gradio as gr

from qa import service
from qa.cite import QuoteMatch
from qa.memo import MemoItem

from .cards import Card, render_card
from .context import AppContext, E
from .strings import Labels, T

__all__ = ["CiteTab", "render_quotes"]


def _quote_card(m: QuoteMatch, t: dict[str, str]) -> Card:
    kind = t["exact"] if m.exact else f"{t['similar']} ({m.similarity:.0%})"
    return Card(heading=kind, text_html=E(m.text), citation=m.citation, memo=MemoItem(" ".join(m.text.split()), m.citation),
                doc_id=m.doc_id, start=m.start, end=m.end)


def render_quotes(found: service.Citations, lang: str) -> str:
    """Where a quote was found, a card a place; or why it was not."""
    t = T[lang]
    if found.error:
        return f"<p role='alert'>{E(found.error)}</p>"
    if not found.matches:
        return f"<div class='k-banner k-none' role='status'>{E(t['not_found_quote'])}</div>"
    return "".join(render_card(_quote_card(m, t), t) for m in found.matches)


class CiteTab:
    """Made inside ``gr.Tabs``; :meth:`wire` connects its events."""

    def __init__(self, ctx: AppContext, labels: Labels, lang: Any) -> None:
        self.ctx, self.lang = ctx, lang
        with labels(gr.Tab, {"label": "tab_cite"}, id="cite"):
            self.quote = labels(gr.Textbox, {"label": "quote", "placeholder": "quote_ph"}, lines=3, elem_id="k-quote",
                                max_length=5000)
            self.cite_btn = labels(gr.Button, {"value": "find"}, variant="primary", elem_id="k-cite")
            self.results = gr.HTML(elem_id="k-cite-results")

    def do_cite(self, quote: str, lg: str, request: gr.Request = None) -> str:  # type: ignore[assignment]
        if why := self.ctx.denied(request):
            return f"<p role='alert'>{E(why)}</p>"
        return render_quotes(service.cite(quote or "", self.ctx.index_dir), lg)

    def wire(self) -> None:
        self.cite_btn.click(self.do_cite, [self.quote, self.lang], self.results, api_visibility="private")
        self.quote.submit(self.do_cite, [self.quote, self.lang], self.results, api_visibility="private")
