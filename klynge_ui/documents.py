"""The "Dokumenter / Documents" tab: the collection as a table, a document opened (at a passage, from a
card's "Åbn i dokumentet"), and, unless the app is read-only, adding, replacing and removing documents
and correcting their metadata (``qa.service``, under the index's write lock)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr

from indexer import DocumentMeta, KlyngeError, suggest_metadata
from qa import service
from qa.search import Searcher

from .context import AppContext, E
from .strings import BOTH, DEFAULT_LANG, Labels

__all__ = ["STATUS", "DocumentsTab", "changes_html", "documents_table", "render_document"]

STATUS = {"in_force": BOTH["st_in_force"], "historic": BOTH["st_historic"], "repealed": BOTH["st_repealed"]}


def _alert(key: str) -> str:
    return f"<p role='alert'>{E(BOTH[key])}</p>"


def render_document(searcher: Searcher, doc_id: str, start: int | None = None, end: int | None = None) -> str:
    """A document's text with its page marks; the characters ``start``-``end`` marked (and scrolled to)."""
    doc = searcher.documents.get(doc_id)
    if doc is None:
        return f"<p>{E(BOTH['no_doc'])}</p>"
    text = doc.text
    span = (start, end) if start is not None and end is not None and 0 <= start < end <= len(text) else ()
    cuts = sorted({0, len(text), *(s for s, _ in doc.page_starts if 0 <= s <= len(text)), *span})
    page_at = dict(doc.page_starts)
    pages = BOTH["pages_fmt"].format(doc.n_pages) if doc.n_pages else ""
    if doc.ocr_pages:
        pages += " · " + _ocr_note(doc)
    parts = [f"<h3>{E(doc.title)}</h3><div class='k-meta'>{E(', '.join(x for x in (doc.publisher, doc.date) if x))}"
             f"{pages}</div><div class='k-doc' tabindex='0'>"]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a in page_at:
            parts.append(f"<span class='k-page'>{BOTH['page_mark_fmt'].format(page_at[a])}</span>")
        chunk = E(text[a:b])
        if span and span[0] <= a and b <= span[1]:  # only a span inside the text: stale offsets mark nothing
            mark_id = " id='klynge-selected'" if a == span[0] else ""
            parts.append(f"<mark{mark_id}>{chunk}</mark>")
        else:
            parts.append(chunk)
    parts.append("</div>")
    return "".join(parts)


def _doc_row(d: Any, legal: bool) -> str:
    title = f"<a href='{E(d.url)}' target='_blank' rel='noopener'>{E(d.title)}</a>" \
        if d.url.startswith(("https://", "http://")) else E(d.title)
    number = BOTH["number_fmt"].format(d.number) if d.number else "–"
    acts = f"<td>{E(number)}</td><td>{E(STATUS.get(d.status, d.status) or '–')}</td>" if legal else ""
    return (f"<tr><td>{title}</td>{acts}<td>{E(d.publisher or '–')}</td><td>{E(d.date or '–')}</td>"
            f"<td>{E(d.kind or '–')}</td><td>{_pages_cell(d)}</td><td>{d.n_passages}</td>"
            f"<td><code>{E(d.doc_id)}</code></td></tr>")


def _ocr_note(d: Any) -> str:
    """"scanned: N pages OCRed, confidence C %" for a document OCR read."""
    conf = f"{d.ocr_confidence:.0f}" if d.ocr_confidence is not None else "?"
    return BOTH["ocr_fmt"].format(pages=d.ocr_pages, confidence=conf)


def _pages_cell(d: Any) -> str:
    """The page count; for a scan also how many pages OCR read and how sure it was (trust its text less)."""
    if not d.ocr_pages:
        return str(d.n_pages or "–")
    note = _ocr_note(d)
    return f"{d.n_pages or d.ocr_pages}<br><span class='k-ocr' title='{E(BOTH['ocr_help'])}'>{E(note)}</span>"


def history_html(trail: list[Any]) -> str:
    """A document's audit entries, newest first ("" when there are none)."""
    if not trail:
        return ""
    rows = "".join(f"<tr><td>{E(e.time)}</td><td>{E(e.action)}</td><td>{E(e.user)} ({E(e.role)})</td>"
                   f"<td><code>{E(e.sha256[:12])}</code></td></tr>" for e in trail)
    return (f"<h4>{E(BOTH['history'])}</h4><table class='k-table' id='k-doc-history'><tbody>{rows}</tbody></table>")


def documents_table(searcher: Searcher) -> str:
    """All documents; acts' number and status as columns when the collection gives them."""
    docs = list(searcher.documents.values())
    legal = any(d.number or d.status for d in docs)
    keys = ["th_title", *(["th_number", "th_status"] if legal else []), "th_publisher", "th_date", "th_kind",
            "th_pages", "th_passages", "th_id"]
    head = "".join(f"<th>{BOTH[k]}</th>" for k in keys)
    rows = "".join(_doc_row(d, legal) for d in docs)
    return f"<table class='k-table' id='k-docs'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def changes_html(changes: service.Changes) -> str:
    """What an upload, replace or removal did, one line a file; refusals with their reasons."""
    rows = []
    for c in changes.changes:
        bad = c.refused
        where = f" · {E(service.shown_as(c))}" if service.shown_as(c) else ""
        detail = E(c.reason) if bad else f"id <code>{E(c.doc_id)}</code>{where}"
        rows.append(f"<li class='{'k-refused' if bad else 'k-done'}'{' role=alert' if bad else ''}>"
                    f"<strong>{E(BOTH.get('ch_' + c.action, c.action))}</strong>: {E(c.name)} – {detail}</li>")
    b = changes.build
    built = "" if b is None else \
        f"<p class='k-meta'>{BOTH['built_fmt'].format(passages=b.passages, embedded=b.embedded, seconds=b.seconds)}</p>"
    return f"<ul class='k-changes'>{''.join(rows)}</ul>{built}"


class DocumentsTab:
    """Made inside ``gr.Tabs``; :meth:`wire` connects its events to the rest of the page."""

    def __init__(self, ctx: AppContext, labels: Labels) -> None:
        self.ctx = ctx
        choices = ctx.doc_choices()
        with labels(gr.Tab, {"label": "tab_docs"}, id="docs") as self.tab:
            self.table = gr.HTML(documents_table(ctx.searcher()), elem_id="k-docs-table")
            # hidden until the page knows who it is for where people sign in (see ``controls``)
            with labels(gr.Accordion, {"label": "manage"}, open=False, visible=not ctx.read_only and ctx.access().open,
                        elem_id="k-manage") as self.manage:
                self._manage(labels, choices)
            self.doc_pick = labels(gr.Dropdown, {"label": "open_doc"}, choices=choices, elem_id="k-doc-pick")
            self.doc_view = gr.HTML(elem_id="k-doc-view")

    def _manage(self, labels: Labels, choices: list[tuple[str, str]]) -> None:
        labels(gr.Markdown, {"value": "manage_help"})
        self.files = labels(gr.File, {"label": "add_files"}, file_count="multiple", elem_id="k-add-files",
                            file_types=[".pdf", ".docx", ".html", ".htm", ".txt", ".md", ".png", ".jpg", ".jpeg", ".tif", ".tiff"])
        with gr.Row():
            self.meta = [labels(gr.Textbox, {"label": f"m_{f}"}, elem_id=f"k-m-{f}")
                         for f in ("title", "publisher", "date", "kind")]
        self.replace = labels(gr.Dropdown, {"label": "m_replace"}, choices=choices, elem_id="k-replace")
        with gr.Row():
            self.add_btn = labels(gr.Button, {"value": "add"}, variant="primary", elem_id="k-add")
            self.meta_btn = labels(gr.Button, {"value": "save_meta"}, elem_id="k-save-meta")
        with gr.Row():
            self.rm_pick = labels(gr.Dropdown, {"label": "rm_pick"}, choices=choices, elem_id="k-rm-pick")
            self.rm_btn = labels(gr.Button, {"value": "rm"}, variant="stop", elem_id="k-remove", scale=0)
        self.out = gr.HTML(elem_id="k-manage-out")

    # ------------------------------------------------------------ handlers

    def show_doc(self, doc_id: str | None, request: gr.Request = None) -> str:  # type: ignore[assignment]
        """The document, and under it its history (the audit trail) for whoever may read that."""
        if not doc_id:
            return ""
        if why := self.ctx.denied(request):
            return f"<p role='alert'>{E(why)}</p>"
        try:
            trail = service.audit_trail(self.ctx.index_dir, doc_id, self.ctx.user_of(request), limit=20)
        except KlyngeError:
            trail = []
        return render_document(self.ctx.searcher(), doc_id) + history_html(trail)

    def open_passage(self, target: str, request: gr.Request = None) -> tuple[Any, Any, str]:  # type: ignore[assignment]
        """A card's "open" button: this tab, the document chosen, the passage marked."""
        if why := self.ctx.denied(request):
            return gr.update(), gr.update(), f"<p role='alert'>{E(why)}</p>"
        try:
            d = json.loads(target)
            doc_id, start, end = str(d["doc"]), int(d["start"]), int(d["end"])
        except (ValueError, KeyError, TypeError):
            return gr.update(), gr.update(), f"<p role='alert'>{E(BOTH['bad_target'])}</p>"
        return gr.Tabs(selected="docs"), gr.update(value=doc_id), render_document(self.ctx.searcher(), doc_id, start, end)

    def refreshed(self, message: str, lang: str = DEFAULT_LANG) -> list[Any]:
        """The message, then every view of the document list brought up to date (see :meth:`wire`); the
        index's status line in the interface language ``lang``."""
        choices = self.ctx.doc_choices()
        return [message, documents_table(self.ctx.searcher()), self.ctx.status_line(lang), gr.update(choices=choices),
                gr.update(choices=choices), gr.update(choices=choices, value=None), gr.update(choices=choices, value=None)]

    def prefill(self, files: list[str] | None) -> list[Any]:
        """One file chosen: its title, publisher and date as the file suggests them."""
        if not files or len(files) != 1:
            return [gr.update(value="")] * 3
        try:
            hint = suggest_metadata(Path(files[0]))
        except KlyngeError:
            hint = {"title": "", "publisher": "", "date": ""}
        return [hint["title"], hint["publisher"], hint["date"]]

    def controls(self, request: gr.Request) -> Any:
        """The add/replace/remove controls, shown only to whoever may change the collection."""
        return gr.update(visible=self.ctx.may_change(request))

    def do_add(self, files: list[str] | None, title: str, publisher: str, date: str, kind: str, replace: str | None,
               request: gr.Request, lang: str = DEFAULT_LANG,
               progress: gr.Progress = gr.Progress(track_tqdm=True)) -> list[Any]:  # noqa: B008 - how gradio injects it
        if not files:
            return [*self.refreshed(_alert("no_files"), lang), None]
        progress(0, desc=BOTH["checking"])
        meta = DocumentMeta(title if len(files) == 1 else "", publisher, date, kind)
        try:
            changes = service.add_documents(self.ctx.library(), [(Path(f), Path(f).name) for f in files], meta,
                                            replace=replace or None, user=self.ctx.user_of(request))
        except KlyngeError as exc:
            return [*self.refreshed(f"<p role='alert'>{E(str(exc))}</p>", lang), gr.update()]
        return [*self.refreshed(changes_html(changes), lang), None]

    def do_meta(self, doc_id: str | None, title: str, publisher: str, date: str, kind: str,
                request: gr.Request, lang: str = DEFAULT_LANG) -> list[Any]:
        if not doc_id:
            return self.refreshed(_alert("no_meta_doc"), lang)
        try:
            changes = service.edit_document(self.ctx.library(), doc_id, DocumentMeta(title, publisher, date, kind),
                                            self.ctx.user_of(request))
        except KlyngeError as exc:
            return self.refreshed(f"<p role='alert'>{E(str(exc))}</p>", lang)
        return self.refreshed(changes_html(changes), lang)

    def do_remove(self, doc_id: str | None, request: gr.Request, lang: str = DEFAULT_LANG) -> list[Any]:
        if not doc_id:
            return self.refreshed(_alert("no_rm_doc"), lang)
        try:
            changes = service.remove_documents(self.ctx.library(), [doc_id], self.ctx.user_of(request))
        except KlyngeError as exc:
            return self.refreshed(f"<p role='alert'>{E(str(exc))}</p>", lang)
        return self.refreshed(changes_html(changes) + f"<p class='k-meta'>{E(BOTH['removed_note'])}</p>", lang)

    def replacing(self, doc_id: str | None) -> list[Any]:
        """Picking the document to replace fills in its current metadata (kept unless changed)."""
        d = self.ctx.searcher().documents.get(doc_id or "")
        return [gr.update()] * 4 if d is None else [d.title, d.publisher, d.date, d.kind]

    # ------------------------------------------------------------ events

    def wire(self, status: Any, f_doc: Any, tabs: Any, open_target: Any, open_btn: Any, lang_state: Any) -> None:
        """``status`` (the page's index line, in the language of ``lang_state``) and ``f_doc`` (the Ask tab's
        document filter) follow every change; ``open_target``/``open_btn`` are what a card's "open" button fills
        in and clicks."""
        private: dict[str, Any] = {"api_visibility": "private"}
        library: dict[str, Any] = {**private, "concurrency_limit": 1, "concurrency_id": "library"}
        managed = [self.out, self.table, status, self.doc_pick, f_doc, self.replace, self.rm_pick]
        self.doc_pick.input(self.show_doc, self.doc_pick, self.doc_view, **private)
        open_btn.click(self.open_passage, open_target, [tabs, self.doc_pick, self.doc_view], **private).then(
            None, None, None, js="() => { setTimeout(() => { const m = document.getElementById('klynge-selected');"
                                 " if (m) m.scrollIntoView({block: 'center'}); }, 300); }")
        self.replace.input(self.replacing, self.replace, self.meta, **private)
        self.files.upload(self.prefill, self.files, self.meta[:3], **private)
        self.add_btn.click(self.do_add, [self.files, *self.meta, self.replace, lang_state], [*managed, self.files], **library)
        self.rm_btn.click(self.do_remove, [self.rm_pick, lang_state], managed, **library)
        self.meta_btn.click(self.do_meta, [self.replace, *self.meta, lang_state], managed, **library)
        self.tab.select(lambda lang: self.refreshed("", lang)[1:], lang_state, managed[1:], **private)
