"""The page: its title and language switch, the index's status line, the five tabs, the hidden parts a
card's "open" button uses, and the HTTP API. Each tab is its own module; this one puts them together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from qa.search import Searcher

from .api import register_api
from .ask import AskTab
from .cite import CiteTab
from .context import AppContext
from .documents import DocumentsTab
from .evaluate import EvalTab
from .memo import MEMO_CSS, MEMO_JS, build_memo_tab
from .strings import DEFAULT_LANG, LANG_CHOICES, Labels, T, lang_of

__all__ = ["CSS", "HEAD", "build_app", "titles_for"]

CSS = """
.gradio-container {max-width: 1100px !important; margin: auto; font-size: 16px;}
.k-status {color: #444; font-size: .9rem;}
.k-card {border: 1px solid #d0d7de; border-radius: 10px; padding: 14px 16px; margin: 10px 0; background: #fff;}
.k-card h3 {margin: 0 0 4px 0; font-size: 1.05rem; line-height: 1.35;}
.k-meta {color: #555; font-size: .88rem; margin-bottom: 8px;}
.k-ocr {color: #7a4f00; font-size: .8rem;}
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

# a card's buttons, by delegation: copy the citation; open the passage (the Documents tab's hidden
# target and button, ``DocumentsTab.wire``)
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
  const fb = ev.target.closest('.k-fb');
  if (fb) {
    ev.preventDefault();
    const box = document.querySelector('#k-fb-target textarea, #k-fb-target input');
    if (!box || fb.disabled) return;
    box.value = fb.getAttribute('data-fb');
    box.dispatchEvent(new Event('input', {bubbles: true}));
    fb.textContent = fb.getAttribute('data-done') || 'OK';
    fb.disabled = true;
    const btn = document.querySelector('#k-fb-button');
    if (btn) setTimeout(() => btn.click(), 50);
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


def titles_for(searcher: Searcher) -> dict[str, str]:
    """The app's title per interface language: the collection's own, else a plain one."""
    own = searcher.index.collection.title
    return {lg: own or T[lg]["title"] for lg in T}


def _header(ctx: AppContext, labels: Labels) -> tuple[Any, Any]:
    """The title, the language switch (returned) and the index's status line (returned)."""
    titles = titles_for(ctx.searcher())
    with gr.Row():
        labels(gr.Markdown, {"value": lambda lg: f"# {titles[lg]}"})
        lang = gr.Radio(list(LANG_CHOICES), value="Dansk", label=T[DEFAULT_LANG]["lang"], scale=0, min_width=220)
    return lang, labels(gr.HTML, {"value": ctx.status_line})


def _switch_language(labels: Labels, lang: Any, lang_state: Any) -> None:
    """The switch: the language kept for the handlers, then every registered component in its words."""

    def switch(choice: str) -> list[Any]:
        lg = lang_of(choice)
        return [lg, *labels.updates(lg)]

    lang.change(switch, lang, [lang_state, *labels.components], api_visibility="private")


def build_app(index_dir: Path | str | None = None, corpus_dir: Path | str | None = None,
              read_only: bool = False) -> gr.Blocks:
    """The app over an index; uploads go to ``corpus_dir`` (default: the folder the index was built from)."""
    ctx = AppContext.of(index_dir, corpus_dir, read_only)
    labels = Labels()
    with gr.Blocks(title="klynge") as app:
        lang_state = gr.State(DEFAULT_LANG)
        lang, status = _header(ctx, labels)
        with gr.Tabs() as tabs:
            ask = AskTab(ctx, labels, lang_state)
            cite = CiteTab(ctx, labels, lang_state)
            docs = DocumentsTab(ctx, labels)
            evaluation = EvalTab(ctx, labels, lang_state)
            build_memo_tab(labels)
        open_target = gr.Textbox(elem_id="k-open-target", elem_classes=["k-hidden"], show_label=False, container=False)
        open_btn = gr.Button("open", elem_id="k-open-button", elem_classes=["k-hidden"])
        ask.wire()
        cite.wire()
        docs.wire(status, ask.f_doc, tabs, open_target, open_btn, lang_state)
        evaluation.wire()
        _switch_language(labels, lang, lang_state)
        app.load(docs.controls, None, docs.manage, api_visibility="private")  # per user: who may change
        register_api(ctx.index_dir, ctx)
    return app
