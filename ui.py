"""The browser app for municipal staff: ask, find a quote, read the documents, evaluate.

Start with `klynge serve`, `make run` or `python ui.py` (binds 127.0.0.1:7860 by default).
Everything shown that comes from the documents or the user is HTML-escaped.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import gradio as gr

from indexer import (
    DocumentMeta,
    KlyngeError,
    Library,
    build_index,
    corpus_of,
    default_corpus_dir,
    default_index_dir,
    make_embedder,
)
from indexer.document import page_range
from indexer.intake import UploadLimits, suggest_metadata
from qa.cite import find_quote
from qa.config import DEFAULT_CONFIG, NO_CHECK_HELP, DisplayConfig, RankingConfig
from qa.errors import QueryError
from qa.evaluate import METRICS, evaluate, load_questions, write_report
from qa.memo import MemoItem, items_from_hits
from qa.search import Filters, Result, Searcher, get_searcher, reload_searcher
from ui_memo import MEMO_CSS, MEMO_JS, build_memo_tab, memo_button

ROOT = Path(__file__).resolve().parent
E = html.escape
N_EXAMPLES = 5  # example questions shown under the question box
STATUS = {"in_force": "gældende / in force", "historic": "historisk / historic", "repealed": "ophævet / repealed"}

T = {
    "da": {
        "title": "Søg i dokumenterne", "example_q": "Hvad står der om {}?",
        "tab_ask": "Spørg", "tab_cite": "Slå citat op", "tab_docs": "Dokumenter", "tab_eval": "Evaluering",
        "question": "Dit spørgsmål (dansk eller engelsk)", "placeholder": "Fx: {}",
        "ask": "Søg", "filters": "Afgræns søgningen", "doc": "Dokument", "kind": "Type", "year": "År",
        "k": "Antal passager", "examples": "Eksempler",
        "quote": "Indsæt en sætning", "quote_ph": "Indsæt et citat for at finde kilden", "find": "Find kilden",
        "open_doc": "Vælg dokument", "run_eval": "Kør evaluering", "use_dev": "Brug samlingens spørgsmål",
        "upload": "Spørgsmålssæt (JSON Lines eller CSV)", "download": "Hent rapport",
        "nothing": "Dokumenterne besvarer måske ikke spørgsmålet",
        "nothing_sub": "Ingen passage svarer sikkert. De nærmeste passager vises nedenfor – læs dem, før du bruger dem.",
        "answer": "Svar fundet", "confidence": "sikkerhed", "copy": "Kopiér citat", "copied": "Kopieret ✓",
        "open": "Åbn i dokumentet", "page": "s.", "section": "Afsnit", "also": "Også i",
        "high": "høj", "medium": "middel", "low": "lav", "not_found_quote": "Citatet findes ikke i dokumenterne.",
        "exact": "Præcist match", "similar": "Lignende tekst", "status": "Indeks",
        "lang": "Sprog / Language", "empty": "Skriv et spørgsmål.",
        "memo_add": "Tilføj til notat", "memo_done": "Tilføjet ✓",
    },
    "en": {
        "title": "Search the documents", "example_q": "What do the documents say about {}?",
        "tab_ask": "Ask", "tab_cite": "Find a quote", "tab_docs": "Documents", "tab_eval": "Evaluation",
        "question": "Your question (Danish or English)", "placeholder": "E.g.: {}",
        "ask": "Search", "filters": "Narrow the search", "doc": "Document", "kind": "Kind", "year": "Year",
        "k": "Number of passages", "examples": "Examples",
        "quote": "Paste a sentence", "quote_ph": "Paste a quote to find its source", "find": "Find the source",
        "open_doc": "Choose a document", "run_eval": "Run evaluation", "use_dev": "Use the collection's questions",
        "upload": "Question set (JSON Lines or CSV)", "download": "Download report",
        "nothing": "The documents may not answer this",
        "nothing_sub": "No passage answers it with confidence. The closest passages are shown below – read them before you use them.",
        "answer": "Answer found", "confidence": "confidence", "copy": "Copy citation", "copied": "Copied ✓",
        "open": "Open in document", "page": "p.", "section": "Section", "also": "Also in",
        "high": "high", "medium": "medium", "low": "low", "not_found_quote": "The quote is not in the documents.",
        "exact": "Exact match", "similar": "Similar text", "status": "Index",
        "lang": "Sprog / Language", "empty": "Type a question.",
        "memo_add": "Add to memo", "memo_done": "Added ✓",
    },
}

CSS = """
.gradio-container {max-width: 1100px !important; margin: auto; font-size: 16px;}
.k-status {color: #444; font-size: .9rem;}
.k-card {border: 1px solid #d0d7de; border-radius: 10px; padding: 14px 16px; margin: 10px 0; background: #fff;}
.k-card h3 {margin: 0 0 4px 0; font-size: 1.05rem; line-height: 1.35;}
.k-meta {color: #555; font-size: .88rem; margin-bottom: 8px;}
.k-text {line-height: 1.55; white-space: pre-wrap; color: #1f2328;}
.k-text mark {background: #fff3b0; padding: 0 2px; border-radius: 3px;}
.k-cite {font-size: .85rem; color: #333; background: #f6f8fa; border-radius: 6px; padding: 6px 8px; margin-top: 8px;}
.k-actions {display: flex; gap: 10px; flex-wrap: wrap; margin-top: 8px;}
.k-actions button, .k-actions a {font-size: .9rem; border: 1px solid #8c959f; border-radius: 6px; padding: 4px 10px;
  background: #f6f8fa; color: #1f2328; cursor: pointer; text-decoration: none;}
.k-actions button:focus, .k-actions a:focus {outline: 3px solid #0969da; outline-offset: 1px;}
.k-banner {border-radius: 8px; padding: 10px 14px; margin: 6px 0;}
.k-ok {background: #dafbe1; border: 1px solid #4ac26b;}
.k-none {background: #fff8c5; border: 1px solid #d4a72c;}
.k-conf {font-weight: 600;}
.k-doc {line-height: 1.6; white-space: pre-wrap; max-height: 70vh; overflow-y: auto; border: 1px solid #d0d7de;
  border-radius: 8px; padding: 16px; background: #fff;}
.k-doc mark {background: #fff3b0;}
.k-page {display: block; color: #6e7781; font-size: .8rem; border-top: 1px dashed #d0d7de; margin: 10px 0 4px 0; padding-top: 2px;}
.k-table {border-collapse: collapse; width: 100%; font-size: .9rem;}
.k-table th, .k-table td {border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top;}
.k-hidden {display: none !important;}
.k-changes {padding-left: 1.2em;} .k-refused {color: #9a2a00;} .k-done {color: #1a7f37;}
@media (max-width: 640px) { .gradio-container {font-size: 15px;} .k-card {padding: 10px;} }
""" + MEMO_CSS

HEAD = """
<script>
document.addEventListener('click', async (ev) => {
  const copy = ev.target.closest('.k-copy');
  if (copy) {
    ev.preventDefault();
    const text = copy.getAttribute('data-citation') || '';
    let ok = false;
    try { await navigator.clipboard.writeText(text); ok = true; } catch (e) {
      const ta = document.createElement('textarea'); ta.value = text; document.body.appendChild(ta); ta.select();
      try { ok = document.execCommand('copy'); } catch (e2) {} ta.remove();
    }
    window.klyngeLastCopied = text;
    copy.textContent = copy.getAttribute('data-done') || 'OK';
    copy.setAttribute('aria-live', 'polite');
    return;
  }
  const open = ev.target.closest('.k-open');
  if (open) {
    ev.preventDefault();
    const box = document.querySelector('#k-open-target textarea, #k-open-target input');
    if (!box) return;
    box.value = open.getAttribute('data-target');
    box.dispatchEvent(new Event('input', {bubbles: true}));
    const btn = document.querySelector('#k-open-button');
    if (btn) setTimeout(() => btn.click(), 50);
  }
});
</script>
""" + MEMO_JS


def _searcher(index_dir: Path) -> Searcher:
    return get_searcher(index_dir)


def _conf_word(conf: float, t: dict[str, str], display: DisplayConfig | None = None) -> str:
    d = display or DisplayConfig()
    return t["high"] if conf >= d.high else t["medium"] if conf >= d.medium else t["low"]


def _highlight(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        out.append(E(text[pos:s]))
        out.append(f"<mark>{E(text[s:e])}</mark>")
        pos = e
    out.append(E(text[pos:]))
    return "".join(out)


def render_result(res: Result, lang: str, display: DisplayConfig | None = None) -> str:
    t = T[lang]
    asked = f"<div class='k-meta k-asked'>{E(res.question)}</div>"
    if res.answered:
        head = asked + (f"<div class='k-banner k-ok' role='status'><strong>{t['answer']}</strong> – {t['confidence']}: "
                f"<span class='k-conf'>{_conf_word(res.confidence, t, display)} ({res.confidence:.2f})</span></div>")
    else:
        head = asked + (f"<div class='k-banner k-none' role='status'><strong>{t['nothing']}</strong><br>{t['nothing_sub']}"
                f" ({t['confidence']} {res.confidence:.2f})</div>")
    cards = []
    for h in res.hits:
        p = h.passage
        pages = page_range(p.page, p.page_end)
        section = p.section.split(" > ")[-1] if p.section else ""
        meta = " · ".join(x for x in (h.locator, f"{t['section']}: {section}" if section else "",
                                      f"{t['page']} {pages}" if pages else "", f"score {h.score:.2f}") if x)
        also = "".join(f"<div class='k-meta'>{t['also']}: {E(s.citation)}</div>" for s in h.also_in)
        target = json.dumps({"doc": p.doc_id, "start": p.start, "end": p.end})
        cards.append(
            f"<article class='k-card' aria-label='{E(p.title)}'>"
            f"<h3>{h.rank}. {E(p.title)}</h3>"
            f"<div class='k-meta'>{E(meta)}</div>"
            f"<div class='k-text'>{_highlight(p.text, h.answer)}</div>{also}"
            f"<div class='k-cite'>{E(h.citation)}</div>"
            f"<div class='k-actions'><button type='button' class='k-copy' data-citation='{E(h.citation)}' "
            f"data-done='{E(t['copied'])}' aria-label='{E(t['copy'])}: {E(p.title)}'>{E(t['copy'])}</button>"
            + memo_button(items_from_hits([h])[0], t["memo_add"], t["memo_done"]) +
            f"<a href='#' role='button' class='k-open' data-target='{E(target)}'>{E(t['open'])}</a></div>"
            "</article>")
    return head + "".join(cards)


def render_document(searcher: Searcher, doc_id: str, start: int | None = None, end: int | None = None) -> str:
    doc = searcher.documents.get(doc_id)
    if doc is None:
        return "<p>Dokumentet findes ikke i indekset / document not in the index.</p>"
    text = doc.text
    cuts = sorted({0, len(text), *(s for s, _ in doc.page_starts if 0 <= s <= len(text)),
                   *([start, end] if start is not None and end is not None and 0 <= start < end <= len(text) else [])})
    page_at = dict(doc.page_starts)
    parts = [f"<h3>{E(doc.title)}</h3><div class='k-meta'>{E(', '.join(x for x in (doc.publisher, doc.date) if x))}"
             f"{' · ' + str(doc.n_pages) + ' sider' if doc.n_pages else ''}</div><div class='k-doc' tabindex='0'>"]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a in page_at:
            parts.append(f"<span class='k-page'>— Side {page_at[a]} —</span>")
        chunk = E(text[a:b])
        if start is not None and end is not None and start <= a and b <= end:
            mark_id = " id='klynge-selected'" if a == start else ""
            parts.append(f"<mark{mark_id}>{chunk}</mark>")
        else:
            parts.append(chunk)
    parts.append("</div>")
    return "".join(parts)


def documents_table(searcher: Searcher) -> str:
    """All documents; acts' number and status as columns when the collection gives them."""
    docs = list(searcher.documents.values())
    legal = any(d.number or d.status for d in docs)

    def title(d: Any) -> str:
        return f"<a href='{E(d.url)}' target='_blank' rel='noopener'>{E(d.title)}</a>" \
            if d.url.startswith(("https://", "http://")) else E(d.title)

    rows = "".join(
        f"<tr><td>{title(d)}</td>"
        + (f"<td>{E(('nr. ' + d.number) if d.number else '–')}</td><td>{E(STATUS.get(d.status, d.status) or '–')}</td>"
           if legal else "")
        + f"<td>{E(d.publisher or '–')}</td><td>{E(d.date or '–')}</td>"
        f"<td>{E(d.kind or '–')}</td><td>{d.n_pages or '–'}</td><td>{d.n_passages}</td><td><code>{E(d.doc_id)}</code></td></tr>"
        for d in docs)
    legal_head = "<th>Nummer / number</th><th>Status</th>" if legal else ""
    return (f"<table class='k-table' id='k-docs'><thead><tr><th>Titel / title</th>{legal_head}<th>Udgiver / publisher</th>"
            "<th>Dato / date</th><th>Type / kind</th><th>Sider / pages</th><th>Passager / passages</th><th>id</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def metrics_html(report: dict[str, Any]) -> str:
    head = "".join(f"<th>{E(m)}</th>" for m in ("scope", "n", *METRICS))
    rows = [("all", report["n"], report["metrics"])] + [
        (lang, sum(1 for q in report["questions"] if q["lang"] == lang), m) for lang, m in report["by_lang"].items()]
    body = "".join("<tr>" + "".join(f"<td>{E(str(x))}</td>" for x in [s, n] + [
        "–" if m.get(c) is None else f"{m[c]:.3f}" for c in METRICS]) + "</tr>" for s, n, m in rows)
    qrows = "".join(
        f"<tr><td>{E(q['id'])}</td><td>{E(q['lang'])}</td><td>{E(q['question'])}</td>"
        f"<td>{q['first_relevant_rank'] or '–'}</td><td>{'ja' if q['answered'] else 'nej'}</td>"
        f"<td>{'✓' if q['correct'] else '✗'}</td><td>{E(q['top1_citation'] or '')}</td></tr>" for q in report["questions"])
    problems = "".join(f"<li>{E(p)}</li>" for p in report.get("problems", []))
    return (f"<table class='k-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            + (f"<p>Sprunget over / skipped:</p><ul>{problems}</ul>" if problems else "")
            + "<h3>Spørgsmål / questions</h3><table class='k-table' id='k-eval-questions'><thead><tr><th>id</th><th>lang</th>"
            "<th>question</th><th>first relevant rank</th><th>answered</th><th>ok</th><th>top-1 citation</th></tr></thead>"
            f"<tbody>{qrows}</tbody></table>")


# ---------------------------------------------------------------- API functions (same JSON as the CLI)


def api_ask(question: str, k: float = 5, doc: str = "", index_dir: str | None = None) -> dict[str, Any]:
    s = _searcher(Path(index_dir) if index_dir else default_index_dir())
    try:
        filters = Filters(doc_ids=(doc,)) if doc else None
        return s.search(question, k=max(1, min(50, int(k))), filters=filters).to_json()
    except QueryError as exc:
        return {"question": question, "error": str(exc), "answered": False, "confidence": 0.0, "hits": []}


def api_cite(quote: str, index_dir: str | None = None) -> dict[str, Any]:
    s = _searcher(Path(index_dir) if index_dir else default_index_dir())
    try:
        matches = find_quote(s.index, quote)
    except QueryError as exc:
        return {"quote": quote, "error": str(exc), "found": False, "matches": []}
    return {"quote": quote, "found": bool(matches), "matches": [m.to_json() for m in matches]}


def api_eval(path: str, index_dir: str | None = None) -> dict[str, Any]:
    s = _searcher(Path(index_dir) if index_dir else default_index_dir())
    try:
        return evaluate(s, load_questions(path))
    except KlyngeError as exc:
        return {"error": str(exc)}


# ---------------------------------------------------------------- the app


def examples_for(searcher: Searcher, lang: str = "da", n: int = N_EXAMPLES) -> list[str]:
    """The collection's example questions, or questions about its largest documents when it gives none."""
    given = list(searcher.index.collection.examples)
    if given:
        return given[:n]
    docs = sorted(searcher.documents.values(), key=lambda d: (-d.n_passages, d.title))
    return [T[lang]["example_q"].format(d.title) for d in docs[:n]]


def titles_for(searcher: Searcher) -> dict[str, str]:
    """The app's title per interface language: the collection's own, else a plain one."""
    own = searcher.index.collection.title
    return {lg: own or T[lg]["title"] for lg in T}


def changes_html(report: Any) -> str:
    """What an upload, replace or removal did, one line a file; refusals with their reasons."""
    words = {"added": "Tilføjet / added", "replaced": "Erstattet / replaced", "removed": "Fjernet / removed",
             "updated": "Opdateret / updated", "refused": "Afvist / refused", "duplicate": "Findes allerede / already there"}
    rows = []
    for c in report.changes:
        bad = c.refused
        where = f" · {E(c.file)}" if c.file and c.file != c.name else ""
        detail = E(c.reason) if bad else f"id <code>{E(c.doc_id)}</code>{where}"
        rows.append(f"<li class='{'k-refused' if bad else 'k-done'}'{' role=alert' if bad else ''}>"
                    f"<strong>{E(words.get(c.action, c.action))}</strong>: {E(c.name)} – {detail}</li>")
    b = report.build
    built = (f"<p class='k-meta'>Indekset er opdateret / index updated: {b.passages} passager, {b.embedded} nye "
             f"({b.seconds:.1f} s).</p>") if b is not None else ""
    return f"<ul class='k-changes'>{''.join(rows)}</ul>{built}"


def build_app(index_dir: Path | str | None = None, corpus_dir: Path | str | None = None,
              read_only: bool = False) -> gr.Blocks:
    index_dir = Path(index_dir) if index_dir else default_index_dir()
    corpus = Path(corpus_dir) if corpus_dir else corpus_of(index_dir)
    searcher = _searcher(index_dir)
    docs = searcher.documents
    doc_choices = [(d.title, d.doc_id) for d in docs.values()]
    kinds = sorted({d.kind for d in docs.values() if d.kind})
    years = sorted({str(d.year) for d in docs.values() if d.year})
    t = T["da"]
    examples = examples_for(searcher)
    titles = titles_for(searcher)
    placeholders = {lg: T[lg]["placeholder"].format(examples[0]) if examples else "" for lg in T}
    own_questions = searcher.index.collection.questions
    question_set = Path(own_questions) if own_questions and Path(own_questions).is_file() else None

    def status_line() -> str:
        st = _searcher(index_dir).status()
        return (f"<div class='k-status' id='k-status'>{E(t['status'])}: {st['documents']} dokumenter, "
                f"{st['passages']} passager · model {E(str(st['model']))} ({E(str(st['embedder']))}) · "
                f"bygget {E(str(st['built']))}</div>")

    with gr.Blocks(title="klynge") as app:
        lang_state = gr.State("da")
        with gr.Row():
            title_md = gr.Markdown(f"# {titles['da']}")
            lang = gr.Radio(["Dansk", "English"], value="Dansk", label=t["lang"], scale=0, min_width=220)
        status = gr.HTML(status_line())
        with gr.Tabs() as tabs:
            with gr.Tab(t["tab_ask"], id="ask") as tab_ask:
                with gr.Row():
                    question = gr.Textbox(label=t["question"], placeholder=placeholders["da"], lines=1, max_lines=3,
                                          scale=5, elem_id="k-question", autofocus=True, max_length=2000)
                    ask_btn = gr.Button(t["ask"], variant="primary", scale=1, elem_id="k-ask")
                ex_label = gr.Markdown(f"**{t['examples']}:**")
                with gr.Row():
                    ex_buttons = [gr.Button(q, size="sm") for q in examples]
                with gr.Accordion(t["filters"], open=False) as filt_acc, gr.Row():
                    f_doc = gr.Dropdown(doc_choices, multiselect=True, label=t["doc"])
                    f_kind = gr.Dropdown(kinds, multiselect=True, label=t["kind"])
                    f_year = gr.Dropdown(years, multiselect=True, label=t["year"])
                    f_k = gr.Slider(1, 20, value=5, step=1, label=t["k"])
                results = gr.HTML(elem_id="k-results")
            with gr.Tab(t["tab_cite"], id="cite") as tab_cite:
                quote = gr.Textbox(label=t["quote"], placeholder=t["quote_ph"], lines=3, elem_id="k-quote", max_length=5000)
                cite_btn = gr.Button(t["find"], variant="primary", elem_id="k-cite")
                cite_out = gr.HTML(elem_id="k-cite-results")
            with gr.Tab(t["tab_docs"], id="docs") as tab_docs:
                docs_table = gr.HTML(documents_table(searcher), elem_id="k-docs-table")
                with gr.Accordion("Tilføj, erstat eller fjern dokumenter / Add, replace or remove documents",
                                  open=False, visible=not read_only, elem_id="k-manage"):
                    gr.Markdown("PDF, Word (.docx), HTML eller tekst. Filen kontrolleres på indholdet; kun det nye "
                                "dokument indekseres. / PDF, Word, HTML or text, checked by content; only the new "
                                "document is embedded.")
                    add_files = gr.File(file_count="multiple", label="Filer – træk og slip / files – drag and drop",
                                        file_types=[".pdf", ".docx", ".html", ".htm", ".txt", ".md"], elem_id="k-add-files")
                    with gr.Row():
                        m_title = gr.Textbox(label="Titel / title", elem_id="k-m-title")
                        m_publisher = gr.Textbox(label="Udgiver / publisher", elem_id="k-m-publisher")
                        m_date = gr.Textbox(label="Dato / date (2024-03-01)", elem_id="k-m-date")
                        m_kind = gr.Textbox(label="Type / kind", elem_id="k-m-kind")
                    m_replace = gr.Dropdown(doc_choices, label="Ny version af (valgfrit) / new version of (optional)",
                                            elem_id="k-replace")
                    with gr.Row():
                        add_btn = gr.Button("Tilføj og indeksér / Add and index", variant="primary", elem_id="k-add")
                        meta_btn = gr.Button("Gem kun metadata for det valgte dokument / save only the metadata of the "
                                             "chosen document", elem_id="k-save-meta")
                    with gr.Row():
                        rm_pick = gr.Dropdown(doc_choices, label="Fjern dokument / remove document", elem_id="k-rm-pick")
                        rm_btn = gr.Button("Fjern / Remove", variant="stop", elem_id="k-remove", scale=0)
                    manage_out = gr.HTML(elem_id="k-manage-out")
                doc_pick = gr.Dropdown(doc_choices, label=t["open_doc"], elem_id="k-doc-pick")
                doc_view = gr.HTML(elem_id="k-doc-view")
            with gr.Tab(t["tab_eval"], id="eval") as tab_eval:
                with gr.Row():
                    upload = gr.File(label=t["upload"], file_types=[".jsonl", ".json", ".csv"], elem_id="k-upload")
                    with gr.Column():
                        eval_btn = gr.Button(t["run_eval"], variant="primary", elem_id="k-eval")
                        dev_btn = gr.Button(t["use_dev"], elem_id="k-eval-dev", visible=question_set is not None)
                        download = gr.DownloadButton(t["download"], visible=False, elem_id="k-download")
                eval_out = gr.HTML(elem_id="k-eval-results")
            build_memo_tab()
        open_target = gr.Textbox(elem_id="k-open-target", elem_classes=["k-hidden"], show_label=False, container=False)
        open_btn = gr.Button("open", elem_id="k-open-button", elem_classes=["k-hidden"])

        # -------------------------------------------------------- handlers

        def do_ask(q: str, docs_sel: list[str], kinds_sel: list[str], years_sel: list[str], k: float, lg: str) -> str:
            if not (q or "").strip():
                return f"<p role='alert'>{E(T[lg]['empty'])}</p>"
            filters = Filters(tuple(docs_sel or ()), tuple(kinds_sel or ()), tuple(int(y) for y in years_sel or ()))
            try:
                s = _searcher(index_dir)
                res = s.search(q, k=int(k), filters=filters)
            except QueryError as exc:
                return f"<p role='alert'>{E(str(exc))}</p>"
            return render_result(res, lg, s.config.display)

        ask_inputs = [question, f_doc, f_kind, f_year, f_k, lang_state]
        ask_btn.click(do_ask, ask_inputs, results, api_visibility="private")
        question.submit(do_ask, ask_inputs, results, api_visibility="private")
        for b in ex_buttons:
            b.click(lambda v=b.value: v, None, question, api_visibility="private").then(do_ask, ask_inputs, results, api_visibility="private")

        def do_cite(qt: str, lg: str) -> str:
            tt = T[lg]
            try:
                matches = find_quote(_searcher(index_dir).index, qt or "")
            except QueryError as exc:
                return f"<p role='alert'>{E(str(exc))}</p>"
            if not matches:
                return f"<div class='k-banner k-none' role='status'>{E(tt['not_found_quote'])}</div>"
            out = []
            for m in matches:
                kind = tt["exact"] if m.exact else f"{tt['similar']} ({m.similarity:.0%})"
                target = json.dumps({"doc": m.doc_id, "start": m.start, "end": m.end})
                out.append(f"<article class='k-card'><h3>{E(kind)}</h3><div class='k-text'>{E(m.text)}</div>"
                           f"<div class='k-cite'>{E(m.citation)}</div><div class='k-actions'>"
                           f"<button type='button' class='k-copy' data-citation='{E(m.citation)}' data-done='{E(tt['copied'])}'>"
                           f"{E(tt['copy'])}</button>" + memo_button(MemoItem(" ".join(m.text.split()), m.citation),
                                                                      tt["memo_add"], tt["memo_done"]) +
                           f"<a href='#' role='button' class='k-open' data-target='{E(target)}'>"
                           f"{E(tt['open'])}</a></div></article>")
            return "".join(out)

        cite_btn.click(do_cite, [quote, lang_state], cite_out, api_visibility="private")
        quote.submit(do_cite, [quote, lang_state], cite_out, api_visibility="private")

        def show_doc(doc_id: str | None) -> str:
            return render_document(_searcher(index_dir), doc_id) if doc_id else ""

        doc_pick.input(show_doc, doc_pick, doc_view, api_visibility="private")

        def open_passage(target: str) -> tuple[Any, Any, str]:
            try:
                d = json.loads(target)
                doc_id, start, end = str(d["doc"]), int(d["start"]), int(d["end"])
            except (ValueError, KeyError, TypeError):
                return gr.update(), gr.update(), "<p role='alert'>?</p>"
            return gr.Tabs(selected="docs"), gr.update(value=doc_id), render_document(_searcher(index_dir), doc_id, start, end)

        open_btn.click(open_passage, open_target, [tabs, doc_pick, doc_view], api_visibility="private").then(
            None, None, None, js="() => { setTimeout(() => { const m = document.getElementById('klynge-selected');"
                                 " if (m) m.scrollIntoView({block: 'center'}); }, 300); }")

        def library() -> Library:
            return Library(corpus, index_dir, embedder=_searcher(index_dir).embedder, read_only=read_only,
                           limits=UploadLimits.from_env(), progress=True, lock_timeout=120)

        def refreshed(message: str) -> list[Any]:
            """The message, then every view of the document list brought up to date."""
            s = _searcher(index_dir)
            choices = [(d.title, d.doc_id) for d in s.documents.values()]
            return [message, documents_table(s), status_line(), gr.update(choices=choices), gr.update(choices=choices),
                    gr.update(choices=choices, value=None), gr.update(choices=choices, value=None)]

        def prefill(files: list[str] | None) -> list[Any]:
            if not files or len(files) != 1:
                return [gr.update(value="")] * 3
            try:
                hint = suggest_metadata(Path(files[0]))
            except KlyngeError:
                hint = {"title": "", "publisher": "", "date": ""}
            return [hint["title"], hint["publisher"], hint["date"]]

        def do_add(files: list[str] | None, title: str, publisher: str, date: str, kind: str, replace: str | None,
                   progress: gr.Progress = gr.Progress(track_tqdm=True)) -> list[Any]:  # noqa: B008 - how gradio injects it
            if not files:
                return [*refreshed("<p role='alert'>Vælg en eller flere filer / choose one or more files.</p>"), None]
            progress(0, desc="Kontrollerer og indekserer / checking and indexing")
            meta = DocumentMeta(title if len(files) == 1 else "", publisher, date, kind)
            try:
                report = library().add([(Path(f), Path(f).name) for f in files], meta, replace=replace or None)
            except KlyngeError as exc:
                return [*refreshed(f"<p role='alert'>{E(str(exc))}</p>"), gr.update()]
            return [*refreshed(changes_html(report)), None]

        def do_meta(doc_id: str | None, title: str, publisher: str, date: str, kind: str) -> list[Any]:
            if not doc_id:
                return refreshed("<p role='alert'>Vælg dokumentet under \"Ny version af\" / choose the document "
                                 "under \"new version of\".</p>")
            try:
                report = library().set_metadata(doc_id, DocumentMeta(title, publisher, date, kind))
            except KlyngeError as exc:
                return refreshed(f"<p role='alert'>{E(str(exc))}</p>")
            return refreshed(changes_html(report))

        def do_remove(doc_id: str | None) -> list[Any]:
            if not doc_id:
                return refreshed("<p role='alert'>Vælg et dokument / choose a document.</p>")
            try:
                report = library().remove([doc_id])
            except KlyngeError as exc:
                return refreshed(f"<p role='alert'>{E(str(exc))}</p>")
            return refreshed(changes_html(report) + "<p class='k-meta'>Filen er flyttet til .removed/ i samlingens mappe "
                                                     "/ the file was moved to .removed/ in the collection's folder.</p>")

        def replacing(doc_id: str | None) -> list[Any]:
            """Picking the document to replace fills in its current metadata (kept unless changed)."""
            d = _searcher(index_dir).documents.get(doc_id or "")
            return [gr.update()] * 4 if d is None else [d.title, d.publisher, d.date, d.kind]

        m_replace.input(replacing, m_replace, [m_title, m_publisher, m_date, m_kind], api_visibility="private")
        managed = [manage_out, docs_table, status, doc_pick, f_doc, m_replace, rm_pick]
        add_files.upload(prefill, add_files, [m_title, m_publisher, m_date], api_visibility="private")
        add_btn.click(do_add, [add_files, m_title, m_publisher, m_date, m_kind, m_replace], [*managed, add_files],
                      api_visibility="private", concurrency_limit=1, concurrency_id="library")
        rm_btn.click(do_remove, rm_pick, managed, api_visibility="private", concurrency_limit=1, concurrency_id="library")
        meta_btn.click(do_meta, [m_replace, m_title, m_publisher, m_date, m_kind], managed, api_visibility="private",
                       concurrency_limit=1, concurrency_id="library")
        tab_docs.select(lambda: refreshed("")[1:], None, managed[1:], api_visibility="private")

        def run_eval(path: str | None, lg: str) -> tuple[str, Any]:
            if not path:
                return "<p role='alert'>Vælg en fil / choose a file.</p>", gr.update(visible=False)
            try:
                report = evaluate(_searcher(index_dir), load_questions(path))
            except KlyngeError as exc:
                return f"<p role='alert'>{E(str(exc))}</p>", gr.update(visible=False)
            out = Path(tempfile.mkdtemp(prefix="klynge-report-")) / f"klynge-evaluering-{time.strftime('%Y%m%d-%H%M%S')}.html"
            write_report(report, out)
            return metrics_html(report), gr.update(value=str(out), visible=True)

        eval_btn.click(run_eval, [upload, lang_state], [eval_out, download], api_visibility="private")
        dev_btn.click(lambda lg: run_eval(str(question_set), lg), lang_state, [eval_out, download], api_visibility="private")

        def switch(choice: str) -> list[Any]:
            lg = "en" if choice == "English" else "da"
            tt = T[lg]
            return [lg, gr.update(value=f"# {titles[lg]}"), gr.update(label=tt["tab_ask"]), gr.update(label=tt["tab_cite"]),
                    gr.update(label=tt["tab_docs"]), gr.update(label=tt["tab_eval"]),
                    gr.update(label=tt["question"], placeholder=placeholders[lg]), gr.update(value=tt["ask"]),
                    gr.update(value=f"**{tt['examples']}:**"), gr.update(label=tt["filters"]),
                    gr.update(label=tt["doc"]), gr.update(label=tt["kind"]), gr.update(label=tt["year"]),
                    gr.update(label=tt["k"]), gr.update(label=tt["quote"], placeholder=tt["quote_ph"]),
                    gr.update(value=tt["find"]), gr.update(label=tt["open_doc"]), gr.update(label=tt["upload"]),
                    gr.update(value=tt["run_eval"]), gr.update(value=tt["use_dev"], visible=question_set is not None),
                    gr.update(value=tt["download"])]

        lang.change(switch, lang, [lang_state, title_md, tab_ask, tab_cite, tab_docs, tab_eval, question, ask_btn, ex_label,
                                   filt_acc, f_doc, f_kind, f_year, f_k, quote, cite_btn, doc_pick, upload, eval_btn,
                                   dev_btn, download], api_visibility="private")

        # -------------------------------------------------------- API (gradio_client), same JSON as the CLI
        def ask(question: str, k: int = 5, doc: str = "") -> dict:
            """Ask a question; returns the same JSON as `klynge ask --json`."""
            return api_ask(question, k, doc, str(index_dir))

        def cite(quote: str) -> dict:
            """Find where a quote comes from; the same JSON as `klynge cite --json`."""
            return api_cite(quote, str(index_dir))

        def eval_questions(questions_jsonl: str) -> dict:
            """Evaluate a question set given as JSON Lines text; the same JSON as `klynge eval --json`."""
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
                f.write(questions_jsonl or "")
            try:
                return api_eval(f.name, str(index_dir))
            finally:
                os.unlink(f.name)

        def reload() -> dict:
            """Load the index again after `klynge index` rebuilt it; returns the new index status."""
            return reload_searcher(index_dir).status()

        gr.api(reload, api_name="reload")
        gr.api(ask, api_name="ask")
        gr.api(cite, api_name="cite")
        gr.api(eval_questions, api_name="eval")
    return app


def launch(index_dir: Path | str | None = None, host: str = "127.0.0.1", port: int = 7860, block: bool = True,
           corpus_dir: Path | str | None = None, read_only: bool = False) -> Any:
    app = build_app(index_dir, corpus_dir, read_only)
    app.queue(default_concurrency_limit=int(os.environ.get("KLYNGE_CONCURRENCY", "8")), max_size=512)
    return app.launch(server_name=host, server_port=port, css=CSS, head=HEAD, show_error=False, quiet=False,
                      prevent_thread_lock=not block, footer_links=["api"], ssr_mode=False,
                      max_file_size=f"{UploadLimits.from_env().max_bytes // 2**20}mb")


def serve(index_dir: Path | str | None = None, host: str = "127.0.0.1", port: int = 7860, read_only: bool = False,
          corpus_dir: Path | str | None = None, config: RankingConfig | None = None) -> None:
    """Build the index first if there is none (from the default corpus), then run the app until stopped
    (with ``config``'s ranking settings when given, e.g. without the answer check)."""
    index_dir = Path(index_dir) if index_dir else default_index_dir()
    if not (index_dir / "manifest.json").exists():
        corpus = Path(corpus_dir) if corpus_dir else default_corpus_dir()
        print(f"No index at {index_dir}: building it first ...", file=sys.stderr)
        report = build_index(corpus, index_dir, make_embedder(), progress=True)
        if not report.documents:
            raise KlyngeError(f"no document could be indexed from {corpus}; see `klynge index`")
    if config is not None:
        get_searcher(index_dir, config)  # before the app or the warm-up load it with the defaults
    # the first questions should not pay for caches a large collection fills on first use
    threading.Thread(target=lambda: get_searcher(index_dir).warm_up(), name="klynge-warm-up", daemon=True).start()
    if not read_only and host not in ("127.0.0.1", "localhost", "::1"):
        print(f"klynge: the app is reachable beyond this machine ({host}) and anyone who reaches it can add and "
              "remove documents; start it with --read-only unless that is intended", file=sys.stderr)
    launch(index_dir=index_dir, host=host, port=port, corpus_dir=corpus_dir, read_only=read_only)


def main() -> None:
    from qa.runtime import prepare_process

    prepare_process(["serve"])  # as `klynge serve`: passive OpenMP threads (qa.runtime)
    ap = argparse.ArgumentParser(description="Start the klynge browser app (the same as `klynge serve`).")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("KLYNGE_PORT", "7860")), help="port (default 7860)")
    ap.add_argument("--index-dir", default=None, help="index directory (default .klynge/index or $KLYNGE_INDEX_DIR)")
    ap.add_argument("--read-only", action="store_true", help="no uploads or removals from the browser")
    ap.add_argument("--no-answer-check", action="store_true", help=NO_CHECK_HELP)
    args = ap.parse_args()
    config = DEFAULT_CONFIG.without_answer_check() if args.no_answer_check else None
    try:
        serve(args.index_dir, args.host, args.port, read_only=args.read_only, config=config)
    except KlyngeError as exc:
        sys.stderr.write(f"klynge: {exc}\n")
        raise SystemExit(1) from None


__all__ = ["api_ask", "api_cite", "api_eval", "build_app", "launch", "reload_searcher", "render_result", "serve"]

if __name__ == "__main__":
    main()
