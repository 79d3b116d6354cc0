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

from . import cli_parser
from .access import local_user
from .cli_admin import cmd_audit, cmd_feedback, cmd_mcp, cmd_users
from .config import DEFAULT_CONFIG, RankingConfig
from .errors import QueryError, UsageError
from .runtime import prepare_process

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _err(msg: str) -> None:
    sys.stderr.write(f"klynge: {msg}\n")


def _index_dir(args: argparse.Namespace) -> Path:
    from .service import index_path

    return index_path(getattr(args, "index_dir", None))


def _config(args: argparse.Namespace) -> RankingConfig:
    """The ranking settings: the defaults, without the answer check with ``--no-answer-check``."""
    return DEFAULT_CONFIG.without_answer_check() if getattr(args, "no_answer_check", False) else DEFAULT_CONFIG


# ---------------------------------------------------------------- index


def _corpus_dir(args: argparse.Namespace) -> Path:
    """--corpus, else the folder the index was built from, else ./corpus."""
    from .service import corpus_path

    return corpus_path(getattr(args, "corpus", None), getattr(args, "index_dir", None))


def _waiting() -> None:
    from .service import WAITING

    _err(WAITING)


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
        _err(f"no document could be indexed from {corpus}" + ("" if report.skipped else " (the folder has no supported files)"))
        return EXIT_ERROR
    return EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    from indexer import Library, default_corpus_dir, make_embedder
    from indexer.library.watch import watch

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
    from indexer import UploadLimits

    from .service import open_library

    return open_library(_corpus_dir(args), _index_dir(args), limits=UploadLimits.from_mb(getattr(args, "max_mb", None)),
                        progress=sys.stderr.isatty() and not getattr(args, "json", False), waiting=_waiting)


def _print_changes(changes: Any, as_json: bool) -> int:
    """A ``qa.service.Changes`` as JSON or one line a file; exit 1 when every file was refused."""
    from .service import shown_as

    if as_json:
        _print_json(changes.to_json())
    else:
        for c in changes.changes:
            if c.refused:
                print(f"  ! {c.name}: not added: {c.reason}", file=sys.stderr)
            else:
                where = f" as {shown_as(c)}" if shown_as(c) else ""
                print(f"  {c.action}: {c.name}{where} (id {c.doc_id})")
        if changes.build is not None:
            b = changes.build
            rate = f" at {b.passages_per_second:.1f} passages/s" if b.embedded else ""
            print(f"Index updated in {b.seconds:.1f} s: {len(b.documents)} documents, {b.passages} passages; "
                  f"embedded {b.embedded}{rate}, reused {b.reused}.")
    return EXIT_OK if changes.ok else EXIT_ERROR


def _meta(args: argparse.Namespace) -> Any:
    """--title, --publisher, --date, --kind as a DocumentMeta (the date checked)."""
    from indexer import DocumentMeta

    if args.date and not args.date[:4].isdigit():
        raise UsageError(f"--date '{args.date}' is not a date: write e.g. 2024-03-01 or 2024")
    return DocumentMeta(args.title or "", args.publisher or "", args.date or "", args.kind or "")


def cmd_add(args: argparse.Namespace) -> int:
    from .service import add_documents

    meta = _meta(args)
    if len(args.files) > 1 and args.title:
        raise UsageError("--title names one document: add the files one at a time to give each its title")
    return _print_changes(add_documents(_library(args), [Path(f) for f in args.files], meta, replace=args.replace,
                                        user=local_user()),
                          args.json)


def cmd_edit(args: argparse.Namespace) -> int:
    from .service import edit_document

    meta = _meta(args)
    if not meta.given():
        raise UsageError("give at least one of --title, --publisher, --date, --kind")
    return _print_changes(edit_document(_library(args), args.doc_id, meta, local_user()), args.json)


def cmd_remove(args: argparse.Namespace) -> int:
    from .service import remove_documents

    return _print_changes(remove_documents(_library(args), args.doc_ids, local_user()), args.json)


def cmd_documents(args: argparse.Namespace) -> int:
    from .service import list_documents

    listing = list_documents(_library(args))
    if args.json:
        _print_json(listing.to_json())
        return EXIT_OK
    items = listing.items
    if not items:
        print(f"No documents in {_corpus_dir(args)}: add some with `klynge add FILE`.")
    for i in items:
        meta = ", ".join(x for x in (i.publisher, i.date, i.kind) if x)
        print(f"{i.doc_id:28s} {i.title[:60]}" + (f" ({meta})" if meta else ""))
        print(f"{'':28s} {i.file} · {i.passages} passages · {i.status}" + (f" · {i.ocr_note}" if i.ocr_note else ""))
    return EXIT_OK


# ---------------------------------------------------------------- ask


def cmd_ask(args: argparse.Namespace) -> int:
    from .service import ask

    answer = ask(" ".join(args.question), _index_dir(args), k=args.k, docs=args.doc or (), kinds=args.kind or (),
                 years=args.year or (), config=_config(args), shared=False, known_docs=True)
    if answer.result is None:
        _err(answer.error)
        return EXIT_USAGE
    if args.json or args.format == "json":
        _print_json(answer.to_json())
        return EXIT_OK
    return _print_answer(answer.result, args.format)


def _print_answer(res: Any, fmt: str) -> int:
    if fmt == "md":
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
    from .service import cite

    quote = " ".join(args.quote)
    if not quote.strip():
        _err("the quote is empty: paste a sentence from a document")
        return EXIT_USAGE
    found = cite(quote, _index_dir(args), limit=args.k, shared=False)
    if found.error:
        _err(found.error)
        return EXIT_USAGE
    if args.json:
        _print_json(found.to_json())
        return EXIT_OK
    if not found.matches:
        print("Not found: no document in the index contains this quote or anything close to it.")
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

    from .service import evaluate_questions

    if args.gates:
        return _eval_gates(args)
    if not args.questions:
        raise UsageError("give a question set (JSON Lines or CSV), or --gates FILE")
    qs = load_questions(args.questions)
    for p in qs.problems:
        _err(f"{args.questions}: {p} (skipped)")
    # a question set reads many documents: their § structure and the caches filled once (~1.5 s on the 316
    # acts) instead of inside the first questions that need them
    evaluation = evaluate_questions(qs, _index_dir(args), k=args.k, config=_config(args), shared=False, warm=True,
                                    baselines=bool(args.compare))
    if args.report:
        path = evaluation.write(args.report)
        _err(f"report written to {path}")
    failures = evaluation.failures(args.fail_under or [])
    if args.json:
        _print_json(evaluation.to_json())
    else:
        _print_eval(evaluation.report, args)
    for f in failures:
        _err(f"quality gate failed: {f}")
    return EXIT_ERROR if failures else EXIT_OK


def _print_eval(report: Any, args: argparse.Namespace) -> None:
    from qa.evaluate import metrics_table_md

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


def _eval_gates(args: argparse.Namespace) -> int:
    from qa.evaluate import metrics_table_md
    from qa.gates import check_gates, load_gates

    from .service import load_searcher

    results = check_gates(load_searcher(_index_dir(args), _config(args), shared=False), load_gates(args.gates), k=args.k)
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
    """Start the browser app found through the ``klynge.apps`` entry point (``qa.service.find_app``):
    ``qa`` never imports the app itself."""
    from .service import find_app, serve_port

    port = serve_port(args.port)
    serve = find_app()
    serve(index_dir=_index_dir(args), host=args.host, port=port, read_only=args.read_only,
          corpus_dir=_corpus_dir(args), config=_config(args))
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
