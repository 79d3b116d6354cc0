"""What klynge does for a person, in one place: ask, cite, evaluate, list, add, edit and remove documents,
build the index a server needs, and find the app that `klynge serve` starts.

The `klynge` command (``qa.cli``), the browser app (``klynge_ui``) and the app's HTTP API call these
functions and show what they return. Each result is a small frozen dataclass whose ``to_json`` is the
JSON all three give: ``klynge ask --json`` and the app's ``/ask`` alike, ``klynge cite --json`` and
``/cite``, ``klynge add --json`` and the app's change report. Nothing here prints or writes HTML.

A question or quote that cannot be searched (empty, only control characters) is a result with an
``error``, not an exception: every caller shows it to the person. Everything else (no index, a busy
index, a bad question set) raises a ``KlyngeError``.

The app is found through the ``klynge.apps`` entry point group (``pyproject.toml``), so that ``qa``
never imports it: :func:`find_app`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer import (
    BuildReport,
    Change,
    ChangeReport,
    CorpusError,
    DocumentMeta,
    Embedder,
    Index,
    KlyngeError,
    Library,
    Listed,
    UploadLimits,
    build_index,
    corpus_of,
    default_corpus_dir,
    make_embedder,
    write_lock,
)
from indexer.plugins import named

from .access import User, load_access
from .audit import hash_of, record_changes
from .cite import PassageInContext, QuoteMatch, find_quote, passage_in_context
from .config import DEFAULT_CONFIG, RankingConfig
from .errors import QueryError, UsageError
from .evaluate import QuestionSet, check_fail_under, evaluate, load_questions, write_report
from .governance import audit_trail, export_feedback, give_feedback
from .paths import index_path
from .search import Filters, Result, Searcher, clean_query
from .searchers import get_searcher

__all__ = [
    "APP_GROUP",
    "DEFAULT_APP",
    "DEFAULT_PORT",
    "WAITING",
    "Answer",
    "Changes",
    "Citations",
    "Documents",
    "Evaluation",
    "add_documents",
    "ask",
    "cite",
    "corpus_path",
    "edit_document",
    "ensure_index",
    "evaluate_questions",
    "find_app",
    "get_passage",
    "index_path",
    "indexed_documents",
    "audit_trail",
    "export_feedback",
    "give_feedback",
    "list_documents",
    "load_index",
    "load_searcher",
    "make_filters",
    "open_library",
    "remove_documents",
    "serve_port",
    "shown_as",
]

DEFAULT_PORT = 7860  # the app's port unless --port or $KLYNGE_PORT says otherwise
APP_GROUP = "klynge.apps"  # the entry point group `klynge serve` finds its app in
DEFAULT_APP = "gradio"  # the entry point taken when the group has several
# what a command or the server tells the person while it waits for another writer of its index
WAITING = "another klynge process is changing this index; waiting for it to finish ..."

PathLike = str | Path


# ---------------------------------------------------------------- where: the index, the collection, the searcher


def corpus_path(corpus_dir: PathLike | None = None, index_dir: PathLike | None = None) -> Path:
    """The collection's folder: the one given, else the one the index was built from, else ./corpus."""
    return Path(corpus_dir) if corpus_dir else corpus_of(index_path(index_dir))


def load_searcher(index_dir: PathLike | None = None, config: RankingConfig | None = None, *,
                  shared: bool = True) -> Searcher:
    """The searcher of an index. ``shared``: the process-wide one that follows a rebuilt index (a server,
    ``qa.searchers.get_searcher``; ``config`` replaces its settings when given); otherwise a fresh one with
    ``config`` or the defaults (a command that asks once)."""
    if shared:
        return get_searcher(index_path(index_dir), config)
    return Searcher(index_path(index_dir), config=config or DEFAULT_CONFIG)


def load_index(index_dir: PathLike | None = None, *, shared: bool = True) -> Index:
    """The index alone (no embedder loaded when not ``shared``): what a quote lookup needs."""
    return load_searcher(index_dir).index if shared else Index.load(index_path(index_dir))


# ---------------------------------------------------------------- ask


@dataclass(frozen=True)
class Answer:
    """What a question got: the ranked passages, or why it could not be searched."""

    question: str
    result: Result | None = None
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.result is not None:
            return self.result.to_json()
        empty = Result(self.question, "", False, 0.0, ()).to_json()  # a result's keys, empty; no language read
        return {"question": self.question, "error": self.error, **{k: v for k, v in empty.items() if k != "lang"}}


def make_filters(docs: Iterable[str] = (), kinds: Iterable[str] = (), years: Iterable[str | int] = ()) -> Filters:
    """Filters from what a person chose; a year that is not a number is a ``UsageError``."""
    checked = []
    for y in years:
        if not str(y).isdigit():
            raise UsageError(f"--year '{y}' is not a year, e.g. --year 2016")
        checked.append(int(y))
    return Filters(tuple(docs), tuple(kinds), tuple(checked))


def ask(question: str, index_dir: PathLike | None = None, *, k: int = 5, docs: Iterable[str] = (),
        kinds: Iterable[str] = (), years: Iterable[str | int] = (), config: RankingConfig | None = None,
        shared: bool = True, known_docs: bool = False) -> Answer:
    """Search the index for ``question``, within the documents, kinds and years given (none: all).
    ``known_docs``: a document id the index lacks, or kinds and years no document has, are an ``UnknownDocument``
    (not an empty result)."""
    try:
        clean_query(question)
    except QueryError as exc:
        return Answer(question, error=str(exc))
    searcher = load_searcher(index_dir, config, shared=shared)
    filters = make_filters(docs, kinds, years)
    if known_docs:
        searcher.check_documents(filters)
    try:
        return Answer(question, searcher.search(question, k=k, filters=filters))
    except QueryError as exc:
        return Answer(question, error=str(exc))


# ---------------------------------------------------------------- cite


@dataclass(frozen=True)
class Citations:
    """Where a quote comes from: the exact or closest passages, or why it could not be looked up."""

    quote: str
    matches: tuple[QuoteMatch, ...] = ()
    error: str = ""

    @property
    def found(self) -> bool:
        return bool(self.matches)

    def to_json(self) -> dict[str, Any]:
        if self.error:
            return {"quote": self.quote, "error": self.error, "found": False, "matches": []}
        return {"quote": self.quote, "found": self.found, "matches": [m.to_json() for m in self.matches]}


def cite(quote: str, index_dir: PathLike | None = None, *, limit: int = 5, shared: bool = True) -> Citations:
    """Find the passages a quote comes from (exact after normalising, else fuzzy)."""
    index = load_index(index_dir, shared=shared)
    try:
        return Citations(quote, tuple(find_quote(index, quote, limit=limit)))
    except QueryError as exc:
        return Citations(quote, error=str(exc))


def get_passage(passage_id: str, index_dir: PathLike | None = None, *, neighbours: int = 1) -> PassageInContext:
    """A passage by the id a hit gives, with ``neighbours`` passages either side (``QueryError`` when the
    index has no such passage)."""
    return passage_in_context(load_index(index_dir), passage_id, neighbours)


# ---------------------------------------------------------------- evaluate


@dataclass(frozen=True)
class Evaluation:
    """An evaluation's report (``qa.evaluate.evaluate``, plus ``baselines`` when compared), or its error."""

    report: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"error": self.error} if self.error else dict(self.report)

    def failures(self, floors: Sequence[str]) -> list[str]:
        """The quality floors (``recall@5=0.95``, ``en:mrr@10=0.6``) the report is below."""
        return check_fail_under(dict(self.report), floors)

    def write(self, path: PathLike) -> Path:
        """The report as a file: .html, .md, .csv or .json by its suffix."""
        return write_report(dict(self.report), path)


def evaluate_questions(questions: PathLike | QuestionSet, index_dir: PathLike | None = None, *, k: int = 10,
                       config: RankingConfig | None = None, shared: bool = True, warm: bool = False,
                       baselines: bool = False, filters: Filters | None = None) -> Evaluation:
    """Run a question set (a JSON Lines or CSV file, or one read already) against the index. ``warm``:
    fill the searcher's caches first (a set reads many documents); ``baselines``: also word-BM25 and
    dense-only on the same questions; ``filters``: every search within those documents (``make_filters``)."""
    qs = questions if isinstance(questions, QuestionSet) else load_questions(questions)
    searcher = load_searcher(index_dir, config, shared=shared)
    if filters is not None:
        searcher.check_documents(filters)
    if warm:
        searcher.warm_up()
    report = evaluate(searcher, qs, k=k, filters=filters)
    if baselines:
        from .baselines import compare_baselines

        report["baselines"] = compare_baselines(searcher, qs, k=k, filters=filters)
    return Evaluation(report)


# ---------------------------------------------------------------- documents: list, add, edit, remove


@dataclass(frozen=True)
class Documents:
    """Every file of the collection with its state in the index (``klynge documents``)."""

    items: tuple[Listed, ...] = ()

    def to_json(self) -> list[dict[str, Any]]:
        return [i.to_json() for i in self.items]


@dataclass(frozen=True)
class Changes:
    """What an add, replace, edit or removal did: one change a file, and the index build when there was one."""

    report: ChangeReport

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.report.changes

    @property
    def build(self) -> BuildReport | None:
        return self.report.build

    @property
    def ok(self) -> bool:
        """At least one file was taken: some change, and not every change refused (an empty report is not ok)."""
        return len(self.report.refused) < len(self.report.changes)

    def to_json(self) -> dict[str, Any]:
        return self.report.to_json()


def shown_as(change: Change) -> str:
    """Where a file went in the collection's folder when that is not the name it was given; else ''."""
    return change.file if change.file and change.file != change.name else ""


def open_library(corpus_dir: PathLike, index_dir: PathLike, *, embedder: Embedder | None = None,
                 limits: UploadLimits | None = None, read_only: bool = False, progress: bool = False,
                 waiting: Callable[[], None] | None = None, lock_timeout: float | None = None) -> Library:
    """The collection and its index, changed together under the index's write lock (``indexer.Library``;
    ``lock_timeout``: how long a change waits for another writer, default the indexer's)."""
    library = Library(Path(corpus_dir), Path(index_dir), embedder=embedder, limits=limits or UploadLimits(),
                      read_only=read_only, progress=progress, waiting=waiting)
    if lock_timeout is not None:
        library.lock_timeout = lock_timeout
    return library


def list_documents(library: Library) -> Documents:
    return Documents(tuple(library.listing()))


def indexed_documents(index_dir: PathLike | None = None) -> Documents:
    """The documents a search can find: the index's own list (no look at the collection's folder)."""
    return Documents(tuple(Listed.of(d) for d in load_index(index_dir).documents.values()))


def add_documents(library: Library, files: Sequence[Path | tuple[Path, str]], meta: DocumentMeta | None = None,
                  replace: str | None = None, user: User | None = None) -> Changes:
    """Add files (each a path, or a path and the name the person gave it), or put one in place of the document
    ``replace``; refused files are reported with their reasons. ``user``: who asks (``AccessDenied`` unless
    they may change the collection), named in the audit trail."""
    who = load_access(library.index_dir).require(user, "change")
    changes = Changes(library.add(files, meta or DocumentMeta(), replace=replace))
    record_changes(library, who, changes.changes)
    return changes


def edit_document(library: Library, doc_id: str, meta: DocumentMeta, user: User | None = None) -> Changes:
    who = load_access(library.index_dir).require(user, "change")
    changes = Changes(library.set_metadata(doc_id, meta))
    record_changes(library, who, changes.changes)
    return changes


def remove_documents(library: Library, doc_ids: Sequence[str], user: User | None = None) -> Changes:
    """Take documents out of the collection (their files move to ``.removed/``) and out of the index."""
    who = load_access(library.index_dir).require(user, "change")
    hashes = {d: hash_of(library.corpus_dir / library.file_of(d)) for d in doc_ids}  # before they move
    changes = Changes(library.remove(doc_ids))
    record_changes(library, who, changes.changes, hashes)
    return changes


# ---------------------------------------------------------------- serving: the index it needs, its port, the app


def ensure_index(index_dir: PathLike | None = None, corpus_dir: PathLike | None = None, *,
                 embedder: Embedder | None = None, progress: bool = False, waiting: Callable[[], None] | None = None,
                 lock_timeout: float | None = None) -> BuildReport | None:
    """Build the index from the collection (default: ./corpus) when there is none, under the index's
    write lock as every other build (``klynge index``, ``klynge add``): a second process waits for the
    first (``waiting`` is told), then finds the index built and builds nothing. ``IndexBusyError`` after
    ``lock_timeout`` seconds. Returns the build, or None when the index was there."""
    index_dir = index_path(index_dir)
    if (index_dir / "manifest.json").exists():
        return None
    corpus = Path(corpus_dir) if corpus_dir else default_corpus_dir()
    lock = write_lock(index_dir, waiting=waiting) if lock_timeout is None else \
        write_lock(index_dir, lock_timeout, waiting)
    with lock:
        if (index_dir / "manifest.json").exists():  # built by the process we waited for
            return None
        report = build_index(corpus, index_dir, embedder or make_embedder(), progress=progress)
    if not report.documents:
        raise CorpusError(f"no document could be indexed from {corpus}: add PDF, Word, HTML, Markdown or text files "
                          "there, or give --corpus DIR (`klynge index` says why each file was skipped)")
    return report


def build_before_serving(index_dir: PathLike | None, corpus_dir: PathLike | None, say: Callable[[str], None],
                         lock_timeout: float | None = None) -> None:
    """What `klynge serve` and `klynge mcp` do first: build the index when there is none (progress bars on
    stdout), telling ``say`` so, and that it waits while another process builds it."""
    index_dir = index_path(index_dir)
    if not (index_dir / "manifest.json").exists():
        say(f"no index at {index_dir}: building it first ...")
        ensure_index(index_dir, corpus_dir, progress=True, lock_timeout=lock_timeout, waiting=lambda: say(WAITING))


def serve_port(flag: int | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The app's port: ``--port`` when given, else ``$KLYNGE_PORT``, else 7860 (`klynge serve` and
    `python ui.py` alike)."""
    if flag is not None:
        return flag
    raw = (os.environ if environ is None else environ).get("KLYNGE_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise UsageError(f"KLYNGE_PORT='{raw}' is not a port number: give one from 1 to 65535, e.g. 7860")
    return int(raw)


def find_app(name: str = DEFAULT_APP) -> Callable[..., Any]:
    """The app `klynge serve` starts: the ``klynge.apps`` entry point ``name`` (else the first by name),
    loaded; a ``KlyngeError`` saying how to install it when there is none."""
    found = named(APP_GROUP)
    if not found:
        raise KlyngeError(
            f"no browser app is installed (nothing in the '{APP_GROUP}' entry point group): install klynge with "
            "its app, e.g. `pip install -e .` in the checkout (or `make install`), which registers "
            "gradio = klynge_ui.server:serve; `python ui.py` starts it from the checkout meanwhile")
    ep = found.get(name) or found[sorted(found)[0]]
    try:
        return ep.load()
    except ImportError as exc:
        raise KlyngeError(f"the browser app '{ep.name}' ({ep.value}) could not be loaded: {exc}; install it "
                              "again with `pip install -e .` in the checkout") from exc
