"""The browser app for municipal staff: ask, find a quote, read the documents, evaluate, collect a memo.

Start it with `klynge serve` (which finds :func:`serve` through the ``klynge.apps`` entry point),
`make run` or `python ui.py` (binds 127.0.0.1:7860 by default, or ``$KLYNGE_PORT``). Everything shown
that comes from the documents or the person is HTML-escaped.

One module per tab: ``ask``, ``cite`` (find a quote), ``documents``, ``evaluate``, ``memo``; and
``strings`` (every word, one table per language, and the registry the language switch is made
from), ``cards`` (the result card, for answers and quotes alike), ``context`` (the index and
collection a page works on), ``page`` (the page put together), ``api`` (the HTTP API), ``server``
(launch, serve, `python ui.py`). What the app does it asks ``qa.service`` for, as the `klynge`
command does; ``qa`` never imports the app.
"""

from .api import api_ask, api_cite, api_eval
from .ask import examples_for, render_result
from .cards import Card, render_card
from .cite import render_quotes
from .documents import changes_html, documents_table, render_document
from .evaluate import metrics_html
from .page import CSS, HEAD, build_app, titles_for
from .server import launch, main, serve
from .strings import Labels, T

__all__ = [
    "CSS",
    "HEAD",
    "Card",
    "Labels",
    "T",
    "api_ask",
    "api_cite",
    "api_eval",
    "build_app",
    "changes_html",
    "documents_table",
    "examples_for",
    "launch",
    "main",
    "metrics_html",
    "render_card",
    "render_document",
    "render_quotes",
    "render_result",
    "serve",
    "titles_for",
]
