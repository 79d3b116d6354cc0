"""`klynge add`, `edit`, `remove` and `documents`: the collection's documents from the terminal, through
``qa.service`` as the app's documents tab does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .access import local_user
from .cli_common import EXIT_ERROR, EXIT_OK, corpus_dir, index_dir, print_json, waiting
from .errors import UsageError

__all__ = ["cmd_add", "cmd_documents", "cmd_edit", "cmd_remove"]


def _library(args: argparse.Namespace) -> Any:
    from indexer import UploadLimits

    from .service import open_library

    return open_library(corpus_dir(args), index_dir(args), limits=UploadLimits.from_mb(getattr(args, "max_mb", None)),
                        progress=sys.stderr.isatty() and not getattr(args, "json", False), waiting=waiting)


def _print_changes(changes: Any, as_json: bool) -> int:
    """A ``qa.service.Changes`` as JSON or one line a file; exit 1 when every file was refused."""
    from .service import shown_as

    if as_json:
        print_json(changes.to_json())
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
        print_json(listing.to_json())
        return EXIT_OK
    items = listing.items
    if not items:
        print(f"No documents in {corpus_dir(args)}: add some with `klynge add FILE`.")
    for i in items:
        meta = ", ".join(x for x in (i.publisher, i.date, i.kind) if x)
        print(f"{i.doc_id:28s} {i.title[:60]}" + (f" ({meta})" if meta else ""))
        print(f"{'':28s} {i.file} · {i.passages} passages · {i.status}" + (f" · {i.ocr_note}" if i.ocr_note else ""))
    return EXIT_OK
