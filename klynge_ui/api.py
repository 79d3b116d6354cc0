"""The app's HTTP API (``gradio_client``, "Use via API"): ``/ask``, ``/cite``, ``/eval``, ``/reload``, ``/whoami`` and ``/feedback``,
giving the same JSON as ``klynge ask|cite|eval --json`` because both come from ``qa.service``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from indexer import KlyngeError
from qa import service
from qa.results import MAX_K
from qa.searchers import reload_searcher

from .context import AppContext

__all__ = ["MAX_K", "api_ask", "api_cite", "api_eval", "register_api"]



def api_ask(question: str, k: float = 5, doc: str = "", index_dir: str | None = None) -> dict[str, Any]:
    """``klynge ask --json``, within the document ``doc`` when given."""
    k = max(1, min(MAX_K, int(k)))
    return service.ask(question, index_dir, k=k, docs=(doc,) if doc else ()).to_json()


def api_cite(quote: str, index_dir: str | None = None) -> dict[str, Any]:
    """``klynge cite --json``."""
    return service.cite(quote, index_dir).to_json()


def api_eval(path: str, index_dir: str | None = None, doc: str = "") -> dict[str, Any]:
    """``klynge eval --json`` of a question set file, within the document ``doc`` when given; ``{"error": ...}``
    when it cannot be run."""
    try:
        return service.evaluate_questions(path, index_dir, filters=service.make_filters((doc,) if doc else ())).to_json()
    except KlyngeError as exc:
        return service.Evaluation(error=str(exc)).to_json()


def register_api(index_dir: Path, ctx: AppContext | None = None) -> None:
    """The API's endpoints for the app over ``index_dir``; call inside its ``gr.Blocks``. With sign-in
    configured (``ctx``'s access file) every call needs a signed-in user (``AccessDenied`` names why)."""

    def allowed(request: gr.Request | None, action: str = "ask") -> None:
        why = ctx.denied(request, action) if ctx is not None else ""  # the same check as every tab's
        if why:
            raise gr.Error(why)  # the reason reaches the caller, as HTTP-level errors do

    def ask(question: str, k: int = 5, doc: str = "", request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Ask a question; returns the same JSON as `klynge ask --json`."""
        allowed(request)
        return api_ask(question, k, doc, str(index_dir))

    def cite(quote: str, request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Find where a quote comes from; the same JSON as `klynge cite --json`."""
        allowed(request)
        return api_cite(quote, str(index_dir))

    def eval_questions(questions_jsonl: str, doc: str = "", request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Evaluate a question set given as JSON Lines text, within the document ``doc`` when given; the same JSON
        as `klynge eval --json`."""
        allowed(request)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
            f.write(questions_jsonl or "")
        try:
            return api_eval(f.name, str(index_dir), doc)
        finally:
            os.unlink(f.name)

    def feedback(question: str, verdict: str, passage_id: str = "", answer: str = "",
                 request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Record a verdict on an answer: "answers" (this passage's answer sentence answers the question) or
        "none" (no hit does); stored masked, with the caller's role (qa.feedback). {"stored": false}: storage off."""
        try:
            return {"stored": service.give_feedback(index_dir, question, verdict, passage_id=passage_id, answer=answer,
                                                    user=ctx.user_of(request) if ctx is not None else None)}
        except KlyngeError as exc:
            raise gr.Error(str(exc)) from None

    def whoami(request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Who this request is signed in as, and the role: {"user": null} when nobody is."""
        access = ctx.access() if ctx is not None else None
        user = ctx.user_of(request, access) if ctx is not None else None
        open_ = access is None or access.open
        return {"user": user.name if user else None, "role": user.role if user else ("admin" if open_ else None)}

    def reload(request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Load the index again after `klynge index` rebuilt it; returns the new index status."""
        allowed(request)
        return reload_searcher(index_dir).status()

    gr.api(reload, api_name="reload")
    gr.api(ask, api_name="ask")
    gr.api(cite, api_name="cite")
    gr.api(eval_questions, api_name="eval")
    gr.api(whoami, api_name="whoami")
    gr.api(feedback, api_name="feedback")
