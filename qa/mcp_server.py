"""klynge as tools for an assistant (the Model Context Protocol, with the official ``mcp`` SDK).

Four read-only tools, each answering the JSON the rest of klynge gives, through ``qa.service``:

- ``search``: ``klynge ask --json`` (ranked passages, answer sentence, memo citation, "nothing found" verdict);
- ``find_quote``: ``klynge cite --json`` (where a quoted sentence comes from);
- ``list_documents``: the indexed documents as ``klynge documents --json`` lists them;
- ``get_passage``: a passage by its id, with the passages around it.

:func:`build_server` makes the server over one index; :func:`run_stdio` serves it on stdin/stdout
(`klynge mcp`, what a desktop assistant starts); the browser app mounts the same server over streamable
HTTP at ``/mcp`` (``klynge_ui.mcp_http``). Bad arguments are tool errors (``ToolError``) that say what to
send instead; nothing here writes to stdout, which belongs to the protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from indexer import KlyngeError

from . import service
from .cite import MAX_NEIGHBOURS
from .errors import UnknownDocument
from .results import MAX_K, MAX_QUERY_CHARS

__all__ = ["INSTRUCTIONS", "MAX_K", "MAX_TEXT_CHARS", "KlyngeTools", "build_server", "run_stdio"]

MAX_TEXT_CHARS = MAX_QUERY_CHARS  # a question or quote longer than this is pasted text: the search reads no more
NAME = "klynge"

INSTRUCTIONS = (
    "klynge searches a collection of Danish public-policy documents and laws (strategies, guidance, acts) "
    "and returns the passages that answer a question, each with a ready citation. Use `search` for any "
    "question about what the documents say; answer from the returned `answer` and `text`, and quote each "
    "hit's `citation` verbatim (it names the document, page or § and stk.). When `answered` is false, say "
    "that the documents do not seem to answer the question instead of answering from memory. Use "
    "`find_quote` to find where a sentence comes from, `get_passage` to read around a hit, and "
    "`list_documents` to see what the collection holds (and the ids `search` can be limited to)."
)

SEARCH_DOC = (
    "Search the document collection for the passages that answer a question (Danish or English, in the "
    "user's own words). Returns ranked hits: `answer` (the sentence that answers), `text` (the whole "
    "passage), `citation` (quote it verbatim in your answer: document, page or § / stk.), `locator`, "
    "`passage_id` (for get_passage); and `answered` with its `confidence`: when `answered` is false the "
    "collection does not seem to answer the question, and the hits are only the closest passages.")
QUOTE_DOC = (
    "Find where a quoted sentence or paragraph comes from: the document, page or § and the citation to "
    "paste (quote `citation` verbatim). Exact matches after normalising case, spacing and quotes; "
    "otherwise the closest reworded passages with their `similarity`. `found` false: not in the collection.")
LIST_DOC = (
    "List the documents in the collection: id, title, publisher, date, kind, pages and passages. Use the "
    "ids to limit `search` to some documents.")
PASSAGE_DOC = (
    "Read a passage by the `passage_id` a search hit gives, with `neighbours` passages before and after it "
    "in its document (to read a hit in context). Each passage has its own `citation`: quote it verbatim.")


def _tool_error(exc: Exception) -> ToolError:
    return ToolError(str(exc))


class KlyngeTools:
    """The tools over one index (``None``: the default index); each method is one tool."""

    def __init__(self, index_dir: Path | str | None = None) -> None:
        self.index_dir = service.index_path(index_dir)

    def search(self,
               question: Annotated[str, Field(description="the question, Danish or English, in plain words")],
               k: Annotated[int, Field(description=f"how many passages to return, 1 to {MAX_K}")] = 5,
               documents: Annotated[list[str] | None, Field(description="only these document ids "
                                                                        "(from list_documents)")] = None,
               kinds: Annotated[list[str] | None, Field(description="only these kinds, e.g. 'lov'")] = None,
               years: Annotated[list[int] | None, Field(description="only documents from these years")] = None,
               ) -> dict[str, Any]:
        _check_text("question", question, "a question about the documents, e.g. 'Hvem støtter klynger?'")
        if not 1 <= k <= MAX_K:
            raise ToolError(f"k={k}: ask for 1 to {MAX_K} passages (5 is usually enough)")
        try:
            answer = service.ask(question, self.index_dir, k=k, docs=documents or (), kinds=kinds or (),
                                 years=years or (), known_docs=True)
        except UnknownDocument as exc:
            raise ToolError(f"{exc}. Pass ids, kinds or years that list_documents gives, or none to search every "
                            "document") from None
        except KlyngeError as exc:
            raise _tool_error(exc) from None
        if answer.error:
            raise ToolError(answer.error)
        return answer.to_json()

    def find_quote(self,
                   text: Annotated[str, Field(description="the sentence or paragraph to look up, as quoted")],
                   limit: Annotated[int, Field(description="most sources to return, 1 to 20")] = 5,
                   ) -> dict[str, Any]:
        _check_text("text", text, "the sentence as quoted (one sentence or paragraph)")
        if not 1 <= limit <= 20:
            raise ToolError(f"limit={limit}: ask for 1 to 20 sources")
        try:
            found = service.cite(text, self.index_dir, limit=limit)
        except KlyngeError as exc:
            raise _tool_error(exc) from None
        if found.error:
            raise ToolError(found.error)
        return found.to_json()

    def list_documents(self) -> dict[str, Any]:
        try:
            return {"documents": service.indexed_documents(self.index_dir).to_json()}
        except KlyngeError as exc:
            raise _tool_error(exc) from None

    def get_passage(self,
                    passage_id: Annotated[str, Field(description="the passage_id of a search hit")],
                    neighbours: Annotated[int, Field(description=f"passages before and after it, 0 to "
                                                                 f"{MAX_NEIGHBOURS}")] = 1,
                    ) -> dict[str, Any]:
        if not passage_id.strip() or len(passage_id) > 300:
            raise ToolError("passage_id: pass the passage_id of a search hit, e.g. 'de-danske-klynger#1d227297c5d7'")
        try:
            return service.get_passage(passage_id.strip(), self.index_dir, neighbours=neighbours).to_json()
        except KlyngeError as exc:
            raise _tool_error(exc) from None

    def tools(self) -> dict[str, tuple[Callable[..., dict[str, Any]], str, str]]:
        """name → (function, title, description)."""
        return {"search": (self.search, "Search the documents", SEARCH_DOC),
                "find_quote": (self.find_quote, "Find a quote's source", QUOTE_DOC),
                "list_documents": (self.list_documents, "List the documents", LIST_DOC),
                "get_passage": (self.get_passage, "Read a passage in context", PASSAGE_DOC)}


def _check_text(name: str, value: str, what: str) -> None:
    if not value or not value.strip():
        raise ToolError(f"{name} is empty: send {what}")
    if len(value) > MAX_TEXT_CHARS:
        raise ToolError(f"{name} has {len(value):,} characters; send at most {MAX_TEXT_CHARS:,}: {what}")


def build_server(index_dir: Path | str | None = None) -> MCPServer:
    """The MCP server over an index: the four read-only tools and the instructions an assistant reads."""
    from importlib.metadata import version

    server: MCPServer = MCPServer(NAME, title="klynge: search with citations", instructions=INSTRUCTIONS,
                                  version=version("klynge"), log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                open_world_hint=False)
    for name, (fn, title, doc) in KlyngeTools(index_dir).tools().items():
        server.add_tool(fn, name=name, title=title, description=doc, annotations=read_only, structured_output=True)
    return server


def run_stdio(index_dir: Path | str | None = None, warm_up: bool = True) -> None:
    """Serve the tools on stdin/stdout until the client closes them (`klynge mcp`); ``warm_up``: load the
    index and model in the background first, so that the first call does not wait for them."""
    import threading

    if warm_up:
        path = service.index_path(index_dir)
        threading.Thread(target=lambda: service.load_searcher(path).warm_up(), name="klynge-warm-up",
                         daemon=True).start()
    build_server(index_dir).run("stdio")
