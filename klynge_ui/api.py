"""The app's HTTP API (``gradio_client``, "Use via API"): ``/ask``, ``/cite``, ``/eval`` and ``/reload``,
giving the same JSON as ``klynge ask|cite|eval --json`` because both come from ``qa.service``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from indexer import KlyngeError
from qa import service
from qa.search import reload_searcher

__all__ = ["MAX_K", "api_ask", "api_cite", "api_eval", "register_api"]

MAX_K = 50  # the most passages one API question may ask for


def api_ask(question: str, k: float = 5, doc: str = "", index_dir: str | None = None) -> dict[str, Any]:
    """``klynge ask --json``, within the document ``doc`` when given."""
    k = max(1, min(MAX_K, int(k)))
    return service.ask(question, index_dir, k=k, docs=(doc,) if doc else ()).to_json()


def api_cite(quote: str, index_dir: str | None = None) -> dict[str, Any]:
    """``klynge cite --json``."""
    return service.cite(quote, index_dir).to_json()


def api_eval(path: str, index_dir: str | None = None) -> dict[str, Any]:
    """``klynge eval --json`` of a question set file; ``{"error": ...}`` when it cannot be run."""
    try:
        return service.evaluate_questions(path, index_dir).to_json()
    except KlyngeError as exc:
        return service.Evaluation(error=str(exc)).to_json()


def register_api(index_dir: Path) -> None:
    """The API's endpoints for the app over ``index_dir``; call inside its ``gr.Blocks``."""

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
