"""The browser app's front door: `python ui.py [--port N] [--index-dir DIR] [--read-only]` starts it as
`klynge serve` does, and ``import ui`` gives its public names. The app itself is the ``klynge_ui``
package beside this file (one module per tab)."""

from __future__ import annotations

from klynge_ui import (
    CSS,
    HEAD,
    T,
    api_ask,
    api_cite,
    api_eval,
    build_app,
    changes_html,
    documents_table,
    examples_for,
    launch,
    main,
    metrics_html,
    render_document,
    render_result,
    serve,
    titles_for,
)
from qa.searchers import reload_searcher

__all__ = ["CSS", "HEAD", "T", "api_ask", "api_cite", "api_eval", "build_app", "changes_html", "documents_table",
           "examples_for", "launch", "main", "metrics_html", "reload_searcher", "render_document", "render_result",
           "serve", "titles_for"]

if __name__ == "__main__":
    main()
