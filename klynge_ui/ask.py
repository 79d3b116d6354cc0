"""The "Spørg / Ask" tab: a question, the collection's example questions, filters, and the answer as
cards (the passages, their citations, the answering sentences marked)."""

from __future__ import annotations

import functools
import json
from typing import Any

import gradio as gr

from indexer import Document, KlyngeError, page_range
from indexer.reading.legal import act_name
from qa import service
from qa.config import DisplayConfig
from qa.feedback import enabled as feedback_enabled
from qa.memo import items_from_hits
from qa.names import doubt_reasons
from qa.results import MAX_QUERY_CHARS
from qa.search import Hit, Result, Searcher
from qa.spelling import searched_for

from .cards import Card, feedback_button, highlight, render_card
from .context import AppContext, E
from .strings import BOTH, DEFAULT_LANG, Labels, T

__all__ = ["N_EXAMPLES", "AskTab", "examples_for", "render_result"]

N_EXAMPLES = 5  # example questions shown under the question box


def examples_for(searcher: Searcher, lang: str = DEFAULT_LANG, n: int = N_EXAMPLES) -> list[str]:
    """The collection's example questions, or questions about its largest documents when it gives none."""
    given = list(searcher.index.collection.examples)
    if given:
        return given[:n]
    docs = sorted(searcher.documents.values(), key=lambda d: (-d.n_passages, d.title))
    return [T[lang]["example_q"].format(_named(d, lang)) for d in docs[:n]]


def _example(examples: dict[str, list[str]], i: int, lang: str) -> str:
    return examples[lang][i]


def _named(doc: Document, lang: str) -> str:
    """A document as a question names it: an act by the name it is cited by ("Bekendtgørelse af lov om rettens
    pleje" → "lov om rettens pleje" inside a Danish sentence), anything else by its title."""
    cited = act_name(doc.title)
    return cited.name[0].lower() + cited.name[1:] if cited.instrument and lang == "da" else cited.name


def _conf_word(conf: float, t: dict[str, str], display: DisplayConfig | None = None) -> str:
    d = display or DisplayConfig()
    return t["high"] if conf >= d.high else t["medium"] if conf >= d.medium else t["low"]


def _banner(res: Result, lang: str, display: DisplayConfig | None) -> str:
    t = T[lang]
    asked = f"<div class='k-meta k-asked'>{E(res.question)}</div>"
    if res.respelled:
        asked += f"<div class='k-meta k-respelled'>{E(t['respelled'].format(searched_for(res.respelled)))}</div>"
    said = doubt_reasons(res.unmentioned, res.now_unmentioned, lang, res.absent_provision)
    reasons = f" {E(said)}" if said else ""
    if res.answered:  # a name or time the passages never mention lowers the confidence; it is said here too
        return asked + (f"<div class='k-banner k-ok' role='status'><strong>{t['answer']}</strong> – {t['confidence']}: "
                        f"<span class='k-conf'>{_conf_word(res.confidence, t, display)} ({res.confidence:.2f})</span>"
                        f"{reasons}</div>")
    return asked + (f"<div class='k-banner k-none' role='status'><strong>{t['nothing']}</strong><br>{t['nothing_sub']}"
                    f"{reasons} ({t['confidence']} {res.confidence:.2f})</div>")


def _feedback(res: Result, verdict: str, h: Hit | None = None) -> str:
    return json.dumps({"q": res.question, "lang": res.lang, "verdict": verdict,
                       "pid": h.passage.passage_id if h else "", "answer": h.answer_text if h else ""},
                      ensure_ascii=False)


def _hit_card(h: Hit, t: dict[str, str], feedback: str = "") -> Card:
    p = h.passage
    pages = page_range(p.page, p.page_end)
    section = p.section.split(" > ")[-1] if p.section else ""
    meta = " · ".join(x for x in (h.locator, f"{t['section']}: {section}" if section else "",
                                  f"{t['page']} {pages}" if pages else "", f"score {h.score:.2f}") if x)
    also = "".join(f"<div class='k-meta'>{t['also']}: {E(s.citation)}</div>" for s in h.also_in)
    return Card(heading=f"{h.rank}. {p.title}", text_html=highlight(p.text, h.answer), citation=h.citation,
                memo=items_from_hits([h])[0], doc_id=p.doc_id, start=p.start, end=p.end, title=p.title, meta=meta,
                extra_html=also, feedback=feedback)


def render_result(res: Result, lang: str, display: DisplayConfig | None = None, feedback: bool = False) -> str:
    """A question's result: whether it was answered (and how surely), then a card per passage; with
    ``feedback``, a button on each card ("this answers it") and one under them ("none of these")."""
    t = T[lang]
    cards = "".join(render_card(_hit_card(h, t, _feedback(res, "answers", h) if feedback else ""), t) for h in res.hits)
    none = (f"<div class='k-actions'>{feedback_button(_feedback(res, 'none'), t['fb_none'], t['fb_done'])}</div>"
            if feedback and res.hits else "")
    return _banner(res, lang, display) + cards + none


class AskTab:
    """Made inside ``gr.Tabs``; :meth:`wire` connects its events once the page is complete."""

    def __init__(self, ctx: AppContext, labels: Labels, lang: Any) -> None:
        self.ctx, self.lang = ctx, lang
        searcher = ctx.searcher()
        docs = searcher.documents.values()
        examples = {lg: examples_for(searcher, lg) for lg in T}  # a collection's own, or about its documents in lg
        placeholders = {lg: T[lg]["placeholder"].format(examples[lg][0]) if examples[lg] else "" for lg in T}
        with labels(gr.Tab, {"label": "tab_ask"}, id="ask"):
            with gr.Row():
                self.question = labels(gr.Textbox, {"label": "question", "placeholder": lambda lg: placeholders[lg]},
                                       lines=1, max_lines=3, scale=5, elem_id="k-question", autofocus=True,
                                       max_length=MAX_QUERY_CHARS)
                self.ask_btn = labels(gr.Button, {"value": "ask"}, variant="primary", scale=1, elem_id="k-ask")
            labels(gr.Markdown, {"value": lambda lg: f"**{T[lg]['examples']}:**"})
            with gr.Row():
                self.ex_buttons = [labels(gr.Button, {"value": functools.partial(_example, examples, i)}, size="sm")
                                   for i in range(len(examples[DEFAULT_LANG]))]
            with labels(gr.Accordion, {"label": "filters"}, open=False), gr.Row():
                self.f_doc = labels(gr.Dropdown, {"label": "doc"}, choices=ctx.doc_choices(), multiselect=True)
                self.f_kind = labels(gr.Dropdown, {"label": "kind"}, choices=sorted({d.kind for d in docs if d.kind}),
                                     multiselect=True)
                self.f_year = labels(gr.Dropdown, {"label": "year"}, multiselect=True,
                                     choices=sorted({str(d.year) for d in docs if d.year}))
                self.f_k = labels(gr.Slider, {"label": "k"}, minimum=1, maximum=20, value=5, step=1)
            self.results = gr.HTML(elem_id="k-results")
            self.fb_out = gr.HTML(elem_id="k-fb-out")
            self.fb_target = gr.Textbox(elem_id="k-fb-target", elem_classes=["k-hidden"], show_label=False, container=False)
            self.fb_btn = gr.Button("feedback", elem_id="k-fb-button", elem_classes=["k-hidden"])

    def do_ask(self, q: str, docs_sel: list[str], kinds_sel: list[str], years_sel: list[str], k: float, lg: str,
               request: gr.Request = None) -> str:  # type: ignore[assignment]
        if not (q or "").strip():
            return f"<p role='alert'>{E(T[lg]['empty'])}</p>"
        if why := self.ctx.denied(request):
            return f"<p role='alert'>{E(why)}</p>"
        answer = service.ask(q, self.ctx.index_dir, k=int(k), docs=docs_sel or (), kinds=kinds_sel or (),
                             years=years_sel or ())
        if answer.result is None:
            return f"<p role='alert'>{E(answer.error)}</p>"
        return render_result(answer.result, lg, self.ctx.searcher().config.display, feedback=feedback_enabled())

    def do_feedback(self, payload: str, request: gr.Request) -> str:
        """A "this answers it" or "none of these answers it" button: the verdict stored (qa.feedback)."""
        try:
            d = json.loads(payload)
            service.give_feedback(self.ctx.index_dir, str(d["q"]), str(d["verdict"]), passage_id=str(d.get("pid", "")),
                                  answer=str(d.get("answer", "")), lang=str(d.get("lang") or "") or None,
                                  user=self.ctx.user_of(request))
        except (ValueError, KeyError, TypeError, KlyngeError) as exc:
            return f"<p role='alert'>{E(str(exc))}</p>"
        return f"<p class='k-meta' role='status'>{E(BOTH['fb_saved'])}</p>"

    def wire(self) -> None:
        inputs = [self.question, self.f_doc, self.f_kind, self.f_year, self.f_k, self.lang]
        self.ask_btn.click(self.do_ask, inputs, self.results, api_visibility="private")
        self.fb_btn.click(self.do_feedback, self.fb_target, self.fb_out, api_visibility="private")
        self.question.submit(self.do_ask, inputs, self.results, api_visibility="private")
        for b in self.ex_buttons:
            b.click(lambda v: v, b, self.question, api_visibility="private").then(  # its words in the page's language
                self.do_ask, inputs, self.results, api_visibility="private")
