"""The app's memo basket: "Tilføj til notat" on answer cards and quote results, a "Notat" tab that
lists the quotes with their citations (reorder, remove, a note per item), and export as Word or
Markdown or to the clipboard.

The basket lives in the browser (``sessionStorage``, one per tab, gone when the tab closes); nothing
about it is kept on the server. Exports are written by ``qa.memo`` from the list the browser sends.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import gradio as gr

from qa.errors import QueryError
from qa.memo import MemoItem, items_from_json, to_markdown, write_docx

from .context import E
from .strings import BOTH, Labels

__all__ = ["MEMO_CSS", "MEMO_JS", "build_memo_tab", "export_docx", "export_md", "memo_button", "memo_markdown"]

MEMO_CSS = """
.k-memo-list {list-style: decimal; padding-left: 1.6em;}
.k-memo-item {border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin: 8px 0; background: #fff;}
.k-memo-quote {border-left: 3px solid #8c959f; padding-left: 10px; color: #1f2328; white-space: pre-wrap;}
.k-memo-note {width: 100%; min-height: 2.5em; margin-top: 6px; font: inherit;}
.k-memo-empty {color: #555;}
/* five tabs do not fit a phone's width: let the tab row wrap instead of widening the page */
.tab-container {flex-wrap: wrap !important; height: auto !important;}
.tab-wrapper {min-width: 0 !important; height: auto !important;}
"""

# Reads and writes the basket, renders it into #k-basket wherever that element is (the tab may be drawn
# after the script runs, hence the observer), and handles the buttons by delegation.
MEMO_JS = """
<script>
(() => {
  const KEY = 'klynge-memo';
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
  const memo = {
    items() { try { return JSON.parse(sessionStorage.getItem(KEY) || '[]'); } catch (e) { return []; } },
    save(items) { sessionStorage.setItem(KEY, JSON.stringify(items)); memo.render(); },
    add(quote, citation) { const it = memo.items(); it.push({quote, citation, note: ''}); memo.save(it); return it.length; },
    render() {
      const box = document.getElementById('k-basket');
      if (!box) return;
      const items = memo.items();
      box.dataset.rendered = '1';
      if (!items.length) {
        box.innerHTML = "<p class='k-memo-empty'>Notatet er tomt. Brug „Tilføj til notat” på et svar eller et citat. / " +
          "The memo is empty: use “Add to memo” on an answer or a quote.</p>";
        return;
      }
      box.innerHTML = `<p class='k-meta' id='k-memo-count'>${items.length} citat${items.length === 1 ? '' : 'er'} / ` +
        `${items.length} quote${items.length === 1 ? '' : 's'}</p><ol class='k-memo-list'>` + items.map((it, i) =>
        `<li class='k-memo-item' data-i='${i}'><div class='k-memo-quote'>${esc(it.quote)}</div>` +
        `<div class='k-cite'>${esc(it.citation)}</div>` +
        `<label>Note<textarea class='k-memo-note' data-i='${i}' aria-label='Note ${i + 1}'>${esc(it.note || '')}</textarea></label>` +
        `<div class='k-actions'><button type='button' class='k-memo-up' data-i='${i}' aria-label='Flyt op / move up ${i + 1}'` +
        `${i === 0 ? ' disabled' : ''}>↑</button><button type='button' class='k-memo-down' data-i='${i}' ` +
        `aria-label='Flyt ned / move down ${i + 1}'${i === items.length - 1 ? ' disabled' : ''}>↓</button>` +
        `<button type='button' class='k-memo-rm' data-i='${i}' aria-label='Fjern / remove ${i + 1}'>Fjern / Remove</button>` +
        `</div></li>`).join('') + '</ol>';
    },
  };
  window.klyngeMemo = memo;
  document.addEventListener('click', (ev) => {
    const add = ev.target.closest('.k-memo-add');
    if (add) {
      ev.preventDefault();
      const n = memo.add(add.getAttribute('data-quote') || '', add.getAttribute('data-citation') || '');
      add.textContent = (add.getAttribute('data-done') || '✓') + ` (${n})`;
      add.setAttribute('aria-live', 'polite');
      return;
    }
    const b = ev.target.closest('.k-memo-up, .k-memo-down, .k-memo-rm, #k-memo-clear');
    if (!b) return;
    ev.preventDefault();
    const items = memo.items();
    if (b.id === 'k-memo-clear') { memo.save([]); return; }
    const i = Number(b.getAttribute('data-i'));
    if (b.classList.contains('k-memo-rm')) items.splice(i, 1);
    else {
      const j = b.classList.contains('k-memo-up') ? i - 1 : i + 1;
      if (j < 0 || j >= items.length) return;
      [items[i], items[j]] = [items[j], items[i]];
    }
    memo.save(items);
  });
  document.addEventListener('input', (ev) => {
    const note = ev.target.closest('.k-memo-note');
    if (!note) return;
    const items = memo.items();
    const i = Number(note.getAttribute('data-i'));
    if (items[i]) { items[i].note = note.value; sessionStorage.setItem(KEY, JSON.stringify(items)); }
  });
  new MutationObserver(() => {
    const box = document.getElementById('k-basket');
    if (box && !box.dataset.rendered) memo.render();
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>
"""

# what the export buttons send to the server: the basket as JSON
_SEND = "(x) => [JSON.stringify(window.klyngeMemo ? window.klyngeMemo.items() : [])]"


def memo_button(item: MemoItem, label: str, done: str) -> str:
    """The "Tilføj til notat" button of an answer card or a quote result."""
    return (f"<button type='button' class='k-memo-add' data-quote='{E(item.quote)}' data-citation='{E(item.citation)}' "
            f"data-done='{E(done)}'>{E(label)}</button>")


def _export_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="klynge-notat-"))


def _items(data: str) -> tuple[list[MemoItem], str]:
    """The basket's items, or none and the alert to show (invalid, or empty)."""
    try:
        items = items_from_json(data)
    except QueryError as exc:
        return [], f"<p role='alert'>{E(str(exc))}</p>"
    return items, "" if items else f"<p role='alert'>{E(BOTH['memo_empty'])}</p>"


def _exported(path: Path, n: int) -> tuple[Any, str]:
    return gr.update(value=str(path), visible=True), \
        f"<p role='status'>{BOTH['memo_exported_fmt'].format(n=n, name=E(path.name))}</p>"


def _export_path(suffix: str) -> Path:
    return _export_dir() / f"notat-{time.strftime('%Y%m%d-%H%M%S')}{suffix}"


def export_docx(data: str) -> tuple[Any, str]:
    items, alert = _items(data)
    if alert:
        return gr.update(value=None, visible=False), alert
    return _exported(write_docx(items, _export_path(".docx")), len(items))


def export_md(data: str) -> tuple[Any, str, str]:
    items, alert = _items(data)
    if alert:
        return gr.update(value=None, visible=False), alert, ""
    text = to_markdown(items)
    path = _export_path(".md")
    path.write_text(text, encoding="utf-8")
    return (*_exported(path, len(items)), text)


def memo_markdown(data: str) -> str:
    """The basket as Markdown ("copy all"); an error as one line."""
    try:
        return to_markdown(items_from_json(data))
    except QueryError as exc:
        return str(exc)


def build_memo_tab(labels: Labels | None = None) -> None:
    """The "Notat / Memo" tab; call inside ``gr.Tabs``. Its words are registered with ``labels`` (the
    language switch) when given."""
    labels = labels if labels is not None else Labels()
    with labels(gr.Tab, {"label": "memo_tab"}, id="memo"):
        gr.HTML("<div id='k-basket' aria-live='polite'></div>")
        with gr.Row():
            docx_btn = labels(gr.Button, {"value": "memo_docx"}, variant="primary", elem_id="k-memo-docx", min_width=120)
            md_btn = labels(gr.Button, {"value": "memo_md"}, elem_id="k-memo-md", min_width=120)
            copy_btn = labels(gr.Button, {"value": "memo_copy"}, elem_id="k-memo-copy", min_width=120)
            gr.HTML(f"<button type='button' id='k-memo-clear' class='lg secondary'>{E(BOTH['memo_clear'])}</button>")
        memo_json = gr.Textbox(elem_id="k-memo-json", elem_classes=["k-hidden"], show_label=False, container=False)
        memo_out = gr.HTML(elem_id="k-memo-out")
        memo_file = labels(gr.File, {"label": "memo_file"}, visible=False, elem_id="k-memo-file", interactive=False)
        memo_md = labels(gr.Textbox, {"label": "memo_text"}, lines=6, elem_id="k-memo-text", interactive=False,
                         buttons=["copy"])
    docx_btn.click(export_docx, memo_json, [memo_file, memo_out], js=_SEND, api_visibility="private")
    md_btn.click(export_md, memo_json, [memo_file, memo_out, memo_md], js=_SEND, api_visibility="private")
    copy_btn.click(memo_markdown, memo_json, memo_md, js=_SEND, api_visibility="private").then(
        None, memo_md, None, api_visibility="private",
        js="async (t) => { window.klyngeLastCopied = t; try { await navigator.clipboard.writeText(t); } catch (e) {} }")
