"""The `klynge` command: index, add, edit, remove, documents, ask, cite, eval, serve."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import textwrap
from pathlib import Path
from typing import Any

from indexer import KlyngeError

from . import cli_parser
from .cli_admin import cmd_audit, cmd_feedback, cmd_mcp, cmd_users
from .cli_common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    config_of,
    corpus_dir,
    err,
    index_dir,
    print_json,
    waiting,
)
from .cli_library import cmd_add, cmd_documents, cmd_edit, cmd_remove
from .confidence import MAY_NOT_ANSWER
from .errors import QueryError, UsageError
from .names import doubt_reasons
from .runtime import prepare_process
from .spelling import RESPELLED, searched_for


def cmd_index(args: argparse.Namespace) -> int:
    from indexer import Library, default_corpus_dir, make_embedder

    if args.watch is not None:
        return _watch(args)
    corpus = Path(args.corpus) if args.corpus else default_corpus_dir()
    embedder = make_embedder(args.embedder, args.model)
    ray = None
    if args.ray is not None:
        from indexer.building.distributed import RaySettings

        if args.ray_workers is not None and args.ray_workers < 1:
            raise UsageError(f"--ray-workers {args.ray_workers}: give 1 or more")
        ray = RaySettings(address=args.ray or None, workers=args.ray_workers, cpus=args.ray_cpus, gpus=args.ray_gpus)
    library = Library(corpus, index_dir(args), embedder, progress=not args.json and sys.stderr.isatty() or args.progress,
                      waiting=waiting, ray=ray)
    report = library.sync()
    return _print_build(report, corpus, args.json)


def _print_build(report: Any, corpus: Path, as_json: bool) -> int:
    data = report.to_json()
    if as_json:
        print_json(data)
    else:
        print(f"Indexed {len(report.documents)} documents ({report.pages} PDF pages) into {report.passages} passages "
              f"in {report.seconds:.1f} s -> {report.index_dir}")
        rate = f" at {report.passages_per_second:.1f} passages/s" if report.embedded else ""
        resumed = f", {report.resumed} of them from an interrupted build" if report.resumed else ""
        print(f"  passages embedded: {report.embedded}{rate}, reused: {report.reused}{resumed} ({report.embedder})")
        print(f"  answer-check windows: {report.windows}, {report.windows_embedded} embedded in {report.window_seconds:.0f} s")
        for d in report.documents:
            ocr = f", {d['ocr_pages']} read by OCR" if d.get("ocr_pages") else ""
            print(f"  - {d['file']}: {d['passages']} passages" + (f", {d['pages']} pages{ocr}" if d["pages"] else ""))
        for d in report.duplicates:
            print(f"  = {d['file']}: indexed once, same as {d['same_as']} ({d['reason']})")
        if report.skipped:
            print(f"  {len(report.skipped)} file(s) skipped:", file=sys.stderr)
            for s in report.skipped:
                print(f"  ! {s['file']}: {s['reason']}", file=sys.stderr)
    if not report.documents:
        err(f"no document could be indexed from {corpus}" + ("" if report.skipped else " (the folder has no supported files)"))
        return EXIT_ERROR
    return EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    from indexer import Library, default_corpus_dir, make_embedder
    from indexer.library.watch import watch

    corpus = Path(args.watch or args.corpus or default_corpus_dir())
    library = Library(corpus, index_dir(args), make_embedder(args.embedder, args.model), waiting=waiting)

    def built(report: Any) -> None:
        _print_build(report, corpus, args.json)
        sys.stdout.flush()

    print(f"Watching {corpus} (Ctrl-C to stop); the index follows every change.", file=sys.stderr)
    watch(library, on_build=built, poll=args.poll)
    return EXIT_OK


# ---------------------------------------------------------------- ask


def cmd_ask(args: argparse.Namespace) -> int:
    from .service import ask

    answer = ask(" ".join(args.question), index_dir(args), k=args.k, docs=args.doc or (), kinds=args.kind or (),
                 years=args.year or (), config=config_of(args), shared=False, known_docs=True)
    if answer.result is None:
        err(answer.error)
        return EXIT_USAGE
    if args.json or args.format == "json":
        print_json(answer.to_json())
        return EXIT_OK
    return _print_answer(answer.result, args.format)


# below the confidence threshold: a doubt, said as the app says it, with the closest passages still shown
DOUBT = " / ".join((MAY_NOT_ANSWER["da"], MAY_NOT_ANSWER["en"][0].lower() + MAY_NOT_ANSWER["en"][1:]))


def _print_answer(res: Any, fmt: str) -> int:
    if fmt == "md":
        from qa.memo import items_from_hits, to_markdown

        if not res.answered:
            print(f"<!-- {DOUBT} (confidence {res.confidence:.2f}).{_unmentioned(res)} "
                  "The closest passages follow -->\n")
        print(to_markdown(items_from_hits(res.hits)), end="")
        return EXIT_OK
    width = min(100, os.get_terminal_size().columns if sys.stdout.isatty() else 100)
    if res.respelled:
        print(" / ".join(RESPELLED[lang].format(searched_for(res.respelled)) for lang in ("da", "en")) + "\n")
    if not res.answered:
        print(f"{DOUBT} (confidence {res.confidence:.2f}).{_unmentioned(res)} Closest passages:\n")
    else:
        print(f"Answer (confidence {res.confidence:.2f}).{_unmentioned(res)}\n")
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


def _unmentioned(res: Any) -> str:
    """The doubt's reasons, in both languages, when the question asks about what the best passages never
    mention (``qa.names``)."""
    return "".join(f" {said}" for lang in ("da", "en")
                   if (said := doubt_reasons(res.unmentioned, res.now_unmentioned, lang, res.absent_provision)))


# ---------------------------------------------------------------- cite


def cmd_cite(args: argparse.Namespace) -> int:
    from .service import cite

    quote = " ".join(args.quote)
    if not quote.strip():
        err("the quote is empty: paste a sentence from a document")
        return EXIT_USAGE
    found = cite(quote, index_dir(args), limit=args.k, shared=False)
    if found.error:
        err(found.error)
        return EXIT_USAGE
    if args.json:
        print_json(found.to_json())
        return EXIT_OK
    if not found.matches:
        print("Not found: no document in the index contains this quote or anything worded close to it.\n"
              "To find passages that say the same in other words, ask it: klynge ask "
              + shlex.join([quote, *(["--index-dir", str(args.index_dir)] if args.index_dir else [])]))
        return EXIT_OK
    for m in found.matches:
        kind = "exact" if m.exact else f"similar ({m.similarity:.0%})"
        print(f"{kind}: {m.citation}")
        print(textwrap.fill(m.text[:500], 100, initial_indent="   ", subsequent_indent="   "))
        print(f"   [{m.doc_id}, characters {m.start}-{m.end}]\n")
    return EXIT_OK


# ---------------------------------------------------------------- eval


def cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluate import load_questions

    from .service import evaluate_questions, make_filters

    if args.gates:
        if args.doc or args.kind or args.year:
            raise UsageError("--gates checks each set on the whole index: leave out --doc, --kind and --year")
        return _eval_gates(args)
    if not args.questions:
        raise UsageError("give a question set (JSON Lines or CSV), or --gates FILE")
    qs = load_questions(args.questions)
    for p in qs.problems:
        err(f"{args.questions}: {p} (skipped)")
    # a question set reads many documents: their § structure and the caches filled once (~1.5 s on the 316
    # acts) instead of inside the first questions that need them
    evaluation = evaluate_questions(qs, index_dir(args), k=args.k, config=config_of(args), shared=False, warm=True,
                                    baselines=bool(args.compare),
                                    filters=make_filters(args.doc or (), args.kind or (), args.year or ()))
    if args.report:
        path = evaluation.write(args.report)
        err(f"report written to {path}")
    failures = evaluation.failures(args.fail_under or [])
    if args.json:
        print_json(evaluation.to_json())
    else:
        _print_eval(evaluation.report, args)
    for f in failures:
        err(f"quality gate failed: {f}")
    return EXIT_ERROR if failures else EXIT_OK


def _print_eval(report: Any, args: argparse.Namespace) -> None:
    from qa.evaluate import engines_text, metrics_table_md, within_text

    engines, within = engines_text(report.get("engines")), within_text(report)
    print(f"{report['n']} questions from {args.questions}" + (f", searched within {within}" if within else "")
          + (f" (embedded by: {engines})" if engines else "") + "\n")
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


def _eval_gates(args: argparse.Namespace) -> int:
    from qa.evaluate import metrics_table_md
    from qa.gates import check_gates, load_gates

    from .service import load_searcher

    searcher = load_searcher(index_dir(args), config_of(args), shared=False).warm_up()  # as `klynge eval` and serve
    results = check_gates(searcher, load_gates(args.gates), k=args.k)
    failed = 0
    if args.json:
        print_json({r.gate.name: {"questions": str(r.gate.questions), "fail_under": list(r.gate.fail_under),
                                   "metrics": r.report["metrics"], "by_lang": r.report["by_lang"],
                                   "failures": list(r.failures)}
                     for r in results})
    for r in results:
        g, report, failures = r.gate, r.report, r.failures
        if not args.json:
            print(f"## {g.name}: {report['n']} questions from {g.questions}\n")
            print(metrics_table_md(report))
            print(f"\ngates: {', '.join(g.fail_under) or 'none'}: {'FAILED' if failures else 'ok'}\n")
        for f in failures:
            err(f"quality gate failed: {g.name}: {f}")
        failed += bool(failures)
    return EXIT_ERROR if failed else EXIT_OK


# ---------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the browser app found through the ``klynge.apps`` entry point (``qa.service.find_app``):
    ``qa`` never imports the app itself."""
    from .service import find_app, serve_port

    port = serve_port(args.port)
    serve = find_app()
    serve(index_dir=index_dir(args), host=args.host, port=port, read_only=args.read_only,
          corpus_dir=corpus_dir(args), config=config_of(args))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The command line (``qa.cli_parser``), each command bound to its function here."""
    return cli_parser.build_parser({
        "index": cmd_index, "add": cmd_add, "edit": cmd_edit, "remove": cmd_remove, "documents": cmd_documents,
        "ask": cmd_ask, "cite": cmd_cite, "eval": cmd_eval, "serve": cmd_serve, "users": cmd_users, "audit": cmd_audit,
        "feedback": cmd_feedback, "mcp": cmd_mcp})


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
        err(str(exc))
        return EXIT_USAGE
    except KlyngeError as exc:
        err(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
