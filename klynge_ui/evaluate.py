"""The "Evaluering / Evaluation" tab: run a question set (uploaded, or the collection's own) and read
its metrics, per language and per question; the report as a file to download."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import gradio as gr

from indexer import KlyngeError
from qa import service
from qa.evaluate import METRICS, within_text
from qa.feedback import write_jsonl

from .context import AppContext, E
from .strings import BOTH, Labels

__all__ = ["EvalTab", "metrics_html"]


def _metric_rows(report: dict[str, Any]) -> str:
    rows = [(BOTH["ev_all"], report["n"], report["metrics"])] + [
        (lang, sum(1 for q in report["questions"] if q["lang"] == lang), m) for lang, m in report["by_lang"].items()]
    return "".join("<tr>" + "".join(f"<td>{E(str(x))}</td>" for x in [s, n] + [
        "–" if m.get(c) is None else f"{m[c]:.3f}" for c in METRICS]) + "</tr>" for s, n, m in rows)


def _question_rows(report: dict[str, Any]) -> str:
    t = BOTH
    return "".join(
        f"<tr><td>{E(q['id'])}</td><td>{E(q['lang'])}</td><td>{E(q['question'])}</td>"
        f"<td>{q['first_relevant_rank'] or '–'}</td><td>{t['yes'] if q['answered'] else t['no']}</td>"
        f"<td>{t['ok_mark'] if q['correct'] else t['miss_mark']}</td><td>{E(q['top1_citation'] or '')}</td></tr>"
        for q in report["questions"])


def metrics_html(report: dict[str, Any]) -> str:
    """An evaluation report as tables: the metrics (all, per language), what was skipped, each question."""
    t = BOTH
    head = "".join(f"<th>{E(m)}</th>" for m in (t["ev_scope"], t["ev_n"], *METRICS))
    qhead = "".join(f"<th>{t[k]}</th>" for k in ("ev_id", "ev_lang", "ev_question", "ev_rank", "ev_answered", "ev_ok",
                                                  "ev_top1"))
    problems = "".join(f"<li>{E(p)}</li>" for p in report.get("problems", []))
    within = within_text(report)
    return ((f"<p class='k-meta' id='k-eval-within'>{t['ev_within']} {E(within)}</p>" if within else "")
            + f"<table class='k-table'><thead><tr>{head}</tr></thead><tbody>{_metric_rows(report)}</tbody></table>"
            + (f"<p>{t['skipped']}</p><ul>{problems}</ul>" if problems else "")
            + f"<h3>{t['questions_h']}</h3><table class='k-table' id='k-eval-questions'><thead><tr>{qhead}</tr></thead>"
            f"<tbody>{_question_rows(report)}</tbody></table>")


class EvalTab:
    """Made inside ``gr.Tabs``; :meth:`wire` connects its events."""

    def __init__(self, ctx: AppContext, labels: Labels, lang: Any) -> None:
        self.ctx, self.lang = ctx, lang
        self.question_set = ctx.question_set()
        with labels(gr.Tab, {"label": "tab_eval"}, id="eval") as self.tab:
            with gr.Row():
                self.upload = labels(gr.File, {"label": "upload"}, file_types=[".jsonl", ".json", ".csv"],
                                     elem_id="k-upload")
                with gr.Column():
                    self.f_doc = labels(gr.Dropdown, {"label": "eval_doc"}, choices=ctx.doc_choices(), multiselect=True,
                                        elem_id="k-eval-doc")
                    self.run_btn = labels(gr.Button, {"value": "run_eval"}, variant="primary", elem_id="k-eval")
                    self.dev_btn = labels(gr.Button, {"value": "use_dev", "visible": self.question_set is not None},
                                          elem_id="k-eval-dev")
                    self.fb_btn = labels(gr.Button, {"value": "use_feedback"}, elem_id="k-eval-feedback")
                    self.download = labels(gr.DownloadButton, {"label": "download"}, visible=False, elem_id="k-download")
            self.results = gr.HTML(elem_id="k-eval-results")

    def run_eval(self, path: str | None, lg: str, request: gr.Request = None,  # type: ignore[assignment]
                 docs: list[str] | None = None) -> tuple[str, Any]:
        """The set at ``path`` evaluated, within the documents ``docs`` when any are chosen."""
        if why := self.ctx.denied(request):
            return f"<p role='alert'>{E(why)}</p>", gr.update(visible=False)
        if not path:
            return f"<p role='alert'>{E(BOTH['choose_file'])}</p>", gr.update(visible=False)
        try:
            evaluation = service.evaluate_questions(path, self.ctx.index_dir, filters=service.make_filters(docs or ()))
        except KlyngeError as exc:
            return f"<p role='alert'>{E(str(exc))}</p>", gr.update(visible=False)
        out = Path(tempfile.mkdtemp(prefix="klynge-report-")) / f"klynge-evaluering-{time.strftime('%Y%m%d-%H%M%S')}.html"
        evaluation.write(out)
        return metrics_html(dict(evaluation.report)), gr.update(value=str(out), visible=True)

    def run_own(self, lg: str, request: gr.Request = None,  # type: ignore[assignment]
                docs: list[str] | None = None) -> tuple[str, Any]:
        return self.run_eval(str(self.question_set), lg, request, docs)

    def run_feedback(self, lg: str, request: gr.Request, docs: list[str] | None = None) -> tuple[str, Any]:
        """The staff's own questions (their feedback in the Ask tab) as the question set."""
        try:
            rows = service.export_feedback(self.ctx.index_dir, self.ctx.user_of(request))
        except KlyngeError as exc:
            return f"<p role='alert'>{E(str(exc))}</p>", gr.update(visible=False)
        if not rows:
            return f"<p role='alert'>{E(BOTH['no_feedback'])}</p>", gr.update(visible=False)
        path = Path(tempfile.mkdtemp(prefix="klynge-feedback-")) / "feedback.jsonl"
        path.write_text(write_jsonl(rows), encoding="utf-8")
        return self.run_eval(str(path), lg, request, docs)

    def wire(self) -> None:
        """Each button runs its set within the documents chosen; the document list is read again when the tab is
        opened (the Documents tab may have changed it)."""
        out, private = [self.results, self.download], {"api_visibility": "private"}
        self.run_btn.click(self.run_eval, [self.upload, self.lang, self.f_doc], out, **private)
        self.dev_btn.click(self.run_own, [self.lang, self.f_doc], out, **private)
        self.fb_btn.click(self.run_feedback, [self.lang, self.f_doc], out, **private)
        self.tab.select(lambda: gr.update(choices=self.ctx.doc_choices()), None, self.f_doc, **private)
