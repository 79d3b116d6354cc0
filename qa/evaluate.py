"""Batch evaluation of the search against a question set (JSON Lines or CSV).

Relevance rule: a hit is relevant when its passage text contains one of the question's expected
phrases after both are normalised the same way: Unicode NFC, markup removed, lower case, quotes
dropped, dashes unified, line-end hyphenation joined, whitespace collapsed
(``indexer.reading.clean.normalize_for_match``). A question with an empty ``expected`` has no answer in
the corpus; it counts as right when the search answers "nothing found".

``answer@5``: the share of answerable questions whose first relevant passage is in the top 5 and
whose highlighted answer sentence(s) carry an expected phrase (at least 60% of its words) – how
often the sentence a user is shown is the one that answers.

``doc@1``: for questions that name the document answering them (optional ``doc``: its file name or
id), the share whose first hit is from that document – is the right act found first?
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.reading.clean import normalize_for_match

from .errors import QuestionSetError, UsageError
from .results import Filters

METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "answer@5", "doc@1", "no_answer_accuracy")
FLOOR_METRICS = (*METRICS, "answered_rate")  # what a floor (--fail-under, eval/gates.toml) may name
ANSWER_SHARE = 0.6  # share of an expected phrase's words the highlighted answer must carry


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    expected: tuple[str, ...]
    lang: str | None = None
    doc: str = ""  # optional: the file (or document id) that answers it, for ``doc@1``


@dataclass
class QuestionSet:
    questions: list[Question]
    problems: list[str] = field(default_factory=list)  # "line N: reason" for skipped lines


def _parse_expected(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValueError(f"{where}: 'expected' must be a list of phrases")
    return tuple(x for x in value if x.strip())


def load_questions(path: str | Path) -> QuestionSet:
    """Read JSON Lines (``.jsonl``/``.json``) or CSV (``question``, ``expected`` with '|', optional ``id``, ``lang``)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise QuestionSetError(f"question set {path} does not exist") from exc
    except OSError as exc:
        raise QuestionSetError(f"question set {path} cannot be read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuestionSetError(f"question set {path} is not UTF-8 text; save it as UTF-8") from exc
    if not text.strip():
        raise QuestionSetError(f"question set {path} is empty: one JSON object per line, "
                               'e.g. {"id": "q1", "question": "...", "expected": ["..."]}')
    qs = _load_csv(text, path) if path.suffix.lower() == ".csv" else _load_jsonl(text)
    if not qs.questions:
        detail = "; ".join(qs.problems[:3])
        raise QuestionSetError(f"question set {path} has no usable questions ({detail})")
    return qs


def _load_jsonl(text: str) -> QuestionSet:
    qs = QuestionSet([])
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
            q = obj.get("question")
            if not isinstance(q, str) or not q.strip():
                raise ValueError("missing 'question'" if q is None else "'question' must be the question's text")
            qid = str(obj.get("id") or f"line{n}")
            if qid in seen:
                qid = f"{qid}@line{n}"
            seen.add(qid)
            lang = obj.get("lang")
            qs.questions.append(Question(qid, q.strip(), _parse_expected(obj.get("expected"), f"line {n}"),
                                         str(lang) if lang else None, str(obj.get("doc") or "")))
        except ValueError as exc:  # JSONDecodeError is a ValueError
            msg = str(exc).split(":")[0] if isinstance(exc, json.JSONDecodeError) else str(exc)
            qs.problems.append(f"line {n}: {msg}")
    return qs


def _load_csv(text: str, path: Path) -> QuestionSet:
    qs = QuestionSet([])
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "question" not in [f.strip().lower() for f in reader.fieldnames]:
        raise QuestionSetError(f"{path}: CSV needs a header with 'question' and 'expected' columns")
    for n, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "") for k, v in row.items()}
        q = row.get("question", "").strip()
        if not q:
            qs.problems.append(f"line {n}: missing 'question'")
            continue
        exp = tuple(x.strip() for x in row.get("expected", "").split("|") if x.strip())
        qs.questions.append(Question(row.get("id") or f"line{n}", q, exp, row.get("lang") or None,
                                     row.get("doc", "").strip()))
    return qs


def is_relevant(text: str, expected: Sequence[str]) -> bool:
    t = normalize_for_match(text)
    return any(normalize_for_match(e) in t for e in expected)


def same_document(named: str, doc_id: str) -> bool:
    """Is ``doc_id`` the document a question set names (``2025_1100.txt`` or ``2025_1100``)?"""
    return bool(doc_id) and Path(named).stem == Path(doc_id).stem


def carries_answer(answer: str, expected: Sequence[str], share: float = ANSWER_SHARE) -> bool:
    """Does the highlighted answer text carry an expected phrase (at least ``share`` of its words)?"""
    have = set(normalize_for_match(answer).split())
    for e in expected:
        want = normalize_for_match(e).split()
        if want and sum(w in have for w in want) / len(want) >= share:
            return True
    return False


def _metrics(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    ans = [r for r in rows if r["expected"]]
    noans = [r for r in rows if not r["expected"]]
    out: dict[str, float | None] = {}
    for k in (1, 5, 10):
        out[f"recall@{k}"] = (sum(1 for r in ans if r["first_relevant_rank"] and r["first_relevant_rank"] <= k) / len(ans)) if ans else None
    out["mrr@10"] = (sum(1.0 / r["first_relevant_rank"] for r in ans
                         if r["first_relevant_rank"] and r["first_relevant_rank"] <= 10) / len(ans)) if ans else None
    out["ndcg@10"] = (sum(r["ndcg@10"] for r in ans) / len(ans)) if ans else None
    out["answer@5"] = (sum(1 for r in ans if r.get("answer_ok")) / len(ans)) if ans else None
    named = [r for r in ans if r.get("doc_ok") is not None]
    out["doc@1"] = (sum(1 for r in named if r["doc_ok"]) / len(named)) if named else None
    out["no_answer_accuracy"] = (sum(1 for r in noans if not r["answered"]) / len(noans)) if noans else None
    out["answered_rate"] = (sum(1 for r in ans if r["answered"]) / len(ans)) if ans else None
    return out


def _ndcg(rels: list[bool], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(rels[:k]) if r)
    ideal_n = min(k, sum(rels)) or 1
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg if any(rels[:k]) else 0.0


def evaluate(searcher: Any, qs: QuestionSet, k: int = 10,
             progress: Callable[[int], None] | None = None, filters: Filters | None = None) -> dict[str, Any]:
    """Run every question; return overall and per-language metrics, per-question rows, the ranking
    configuration used (``searcher.config``, when it has one) and the engines that embedded the questions
    (``searcher.engines``: the faster one is chosen at warm-up, and the two differ in their last digits, which
    can swap near-tied hits; ``$KLYNGE_QUESTION_ENGINE`` pins one). ``filters``: every search limited to those
    documents, as `klynge ask --doc` limits one (recorded in the report)."""
    filters = None if filters is None or filters.empty() else filters  # a searcher without filters (a baseline) runs as is
    rows: list[dict[str, Any]] = []
    for q in qs.questions:
        res = searcher.search(q.question, k=max(k, 10), filters=filters) if filters else \
            searcher.search(q.question, k=max(k, 10))
        rels = [is_relevant(h.passage.text, q.expected) for h in res.hits] if q.expected else []
        first = next((i + 1 for i, r in enumerate(rels) if r), None)
        answer = res.hits[first - 1].answer_text if first else ""
        rows.append({
            "id": q.id, "question": q.question, "lang": q.lang or res.lang, "expected": list(q.expected),
            "first_relevant_rank": first, "answered": res.answered, "confidence": round(res.confidence, 4),
            "ndcg@10": _ndcg(rels) if q.expected else None,
            "answer": answer, "answer_ok": bool(first and first <= 5 and carries_answer(answer, q.expected)),
            "doc_ok": same_document(q.doc, res.hits[0].passage.doc_id if res.hits else "") if q.doc else None,
            "top1_citation": res.hits[0].citation if res.hits else None,
            "top1_text": res.hits[0].passage.text[:300] if res.hits else None,
            "correct": (first is not None and first <= 5) if q.expected else (not res.answered),
        })
        if progress:
            progress(1)
    by_lang = {lang: _metrics([r for r in rows if r["lang"] == lang]) for lang in sorted({r["lang"] for r in rows})}
    config = getattr(searcher, "config", None)
    return {"n": len(rows), "k": k, "metrics": _metrics(rows), "by_lang": by_lang, "questions": rows,
            "within": filters.to_json() if filters else None,
            "problems": qs.problems, "config": config.to_json() if config is not None else None,
            "engines": dict(getattr(searcher, "engines", None) or {}) or None}


def check_fail_under(report: dict[str, Any], conditions: Sequence[str]) -> list[str]:
    """``["recall@5=0.95", "da:mrr@10=0.85"]`` -> messages for the metrics below their floor."""
    failures = []
    for cond in conditions:
        if "=" not in cond:
            raise UsageError(f"--fail-under '{cond}' must look like METRIC=VALUE, e.g. recall@5=0.95")
        name, value = cond.split("=", 1)
        scope, _, metric = name.rpartition(":")
        if scope and scope not in report["by_lang"]:  # a typo or another spelling must not switch a floor off
            raise UsageError(f"--fail-under '{cond}': the question set has no language '{scope}'; its languages: "
                             f"{', '.join(report['by_lang']) or 'none'}")
        metrics = report["by_lang"][scope] if scope else report["metrics"]
        if metric not in FLOOR_METRICS:
            raise UsageError(f"--fail-under: unknown metric '{metric}'; use one of {', '.join(FLOOR_METRICS)}")
        try:
            floor = float(value)
        except ValueError as exc:
            raise UsageError(f"--fail-under '{cond}': '{value}' is not a number") from exc
        got = metrics.get(metric)
        if got is None:
            continue
        if got < floor:
            failures.append(f"{name} = {got:.3f} is below {floor:.3f}")
    return failures


# ---------------------------------------------------------------- reports


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def metrics_table_md(report: dict[str, Any]) -> str:
    cols = ["scope", "n", *METRICS]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    scopes = [("all", report["metrics"], report["n"])]
    for lang, m in report["by_lang"].items():
        scopes.append((lang, m, sum(1 for q in report["questions"] if q["lang"] == lang)))
    for name, m, n in scopes:
        lines.append("| " + " | ".join([name, str(n)] + [_fmt(m.get(c)) for c in METRICS]) + " |")
    return "\n".join(lines)


def _config_text(report: dict[str, Any]) -> str:
    return json.dumps(report.get("config"), ensure_ascii=False, indent=1) if report.get("config") else "–"


def engines_text(engines: Mapping[str, str] | None) -> str:
    """The question engines as the CLI, the reports and the benchmarks say them ("dense torch, sparse c"); "" for
    none."""
    return ", ".join(f"{kind} {name}" for kind, name in (engines or {}).items())


def within_text(report: Mapping[str, Any]) -> str:
    """The documents the set was searched within, in words ("document 2014_433, year 2024"); "" for the whole
    index."""
    within = report.get("within")
    return Filters.from_json(within).described() if within else ""


def _scope_text(report: dict[str, Any]) -> str:
    within = within_text(report)
    return f"Searched within: {within}" if within else "Searched the whole index"


def _engines_text(report: dict[str, Any]) -> str:
    return "Questions embedded by: " + (engines_text(report.get("engines")) or "–")


def render_markdown(report: dict[str, Any]) -> str:
    out = ["# klynge evaluation", "", metrics_table_md(report), "", "## Questions", "",
           "| id | lang | first relevant rank | answered | top-1 citation |", "|---|---|---|---|---|"]
    for q in report["questions"]:
        cit = (q["top1_citation"] or "").replace("|", "\\|")
        out.append(f"| {q['id']} | {q['lang']} | {q['first_relevant_rank'] or '–'} | {'yes' if q['answered'] else 'no'} | {cit} |")
    out += ["", "## Ranking configuration", "", _scope_text(report), "", _engines_text(report), "", "```json",
            _config_text(report), "```"]
    return "\n".join(out) + "\n"


def render_csv(report: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "lang", "question", "first_relevant_rank", "answered", "confidence", "top1_citation"])
    for q in report["questions"]:
        w.writerow([q["id"], q["lang"], q["question"], q["first_relevant_rank"] or "", q["answered"],
                    q["confidence"], q["top1_citation"] or ""])
    return buf.getvalue()


def render_html(report: dict[str, Any]) -> str:
    e = html.escape
    head = ["scope", "n", *METRICS]
    rows = [("all", report["n"], report["metrics"])] + [
        (lang, sum(1 for q in report["questions"] if q["lang"] == lang), m) for lang, m in report["by_lang"].items()]
    t1 = "".join("<tr>" + "".join(f"<td>{e(str(x))}</td>" for x in [s, n] + [_fmt(m.get(c)) for c in METRICS]) + "</tr>"
                 for s, n, m in rows)
    t2 = "".join(
        f"<tr><td>{e(q['id'])}</td><td>{e(q['lang'])}</td><td>{e(q['question'])}</td>"
        f"<td>{q['first_relevant_rank'] or '–'}</td><td>{'ja' if q['answered'] else 'nej'}</td>"
        f"<td>{e(q['top1_citation'] or '')}</td></tr>" for q in report["questions"])
    return (
        "<!doctype html><html lang='da'><meta charset='utf-8'><title>klynge evaluation</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}</style>"
        f"<h1>klynge evaluation</h1><table><tr>{''.join(f'<th>{e(h)}</th>' for h in head)}</tr>{t1}</table>"
        "<h2>Questions</h2><table><tr><th>id</th><th>lang</th><th>question</th><th>first relevant rank</th>"
        f"<th>answered</th><th>top-1 citation</th></tr>{t2}</table>"
        f"<h2>Ranking configuration</h2><p>{e(_scope_text(report))}</p><p>{e(_engines_text(report))}</p><pre id='k-config'>{e(_config_text(report))}</pre></html>")


def write_report(report: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    ext = path.suffix.lower()
    if ext in (".html", ".htm"):
        body = render_html(report)
    elif ext in (".md", ".markdown"):
        body = render_markdown(report)
    elif ext == ".csv":
        body = render_csv(report)
    elif ext == ".json":
        body = json.dumps(report, ensure_ascii=False, indent=2)
    else:
        raise UsageError(f"--report {path}: use a .html, .md, .csv or .json file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path
