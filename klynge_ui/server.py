"""Running the app: :func:`serve` (what `klynge serve` starts, through the ``klynge.apps`` entry point in
pyproject.toml) builds the index first when there is none, under the index's write lock as every build,
then :func:`launch` runs it; :func:`main` is `python ui.py`."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Any

from starlette.middleware import Middleware

from indexer import KlyngeError, UploadLimits
from indexer.settings import env_count
from qa import service
from qa.cli_parser import serve_options
from qa.config import DEFAULT_CONFIG, RankingConfig
from qa.searchers import get_searcher

from .changes_api import ChangesAPI
from .context import LOCAL_HOSTS, AppContext
from .mcp_http import McpHTTP
from .page import CSS, HEAD, build_app

__all__ = ["BUILD_LOCK_TIMEOUT", "launch", "main", "serve"]

BUILD_LOCK_TIMEOUT: float | None = None  # seconds serve waits for another build of its index (None: the indexer's)
SIGN_IN = ("Log ind med dit klynge-navn og din adgangskode. Efter 5 forkerte forsøg på 5 minutter venter navnet. / "
           "Sign in with your klynge name and password; after 5 wrong attempts in 5 minutes the name must wait.")


def launch(index_dir: Path | str | None = None, host: str = "127.0.0.1", port: int = service.DEFAULT_PORT,
           block: bool = True, corpus_dir: Path | str | None = None, read_only: bool = False) -> Any:
    """Run the app over an existing index (``block=False``: return once it answers)."""
    app = build_app(index_dir, corpus_dir, read_only)
    app.queue(default_concurrency_limit=env_count("KLYNGE_CONCURRENCY", 8, example="8") or 1,
              max_size=512)
    ctx = AppContext.of(index_dir, corpus_dir, read_only)
    # the client address is the connection's: no X-Forwarded-For may turn a direct request into the proxy's
    os.environ.setdefault("FORWARDED_ALLOW_IPS", "")
    sign_in: dict[str, Any] = {"auth": ctx.login, "auth_message": SIGN_IN} if ctx.access().users else {}
    # /api/documents (changes_api.py) and the MCP tools at /mcp (mcp_http.py)
    sign_in["app_kwargs"] = {"middleware": [Middleware(ChangesAPI, ctx=ctx), Middleware(McpHTTP, ctx=ctx, host=host)]}
    return app.launch(server_name=host, server_port=port, css=CSS, head=HEAD, show_error=False, quiet=False, **sign_in,
                      prevent_thread_lock=not block, footer_links=["api"], ssr_mode=False,
                      max_file_size=f"{UploadLimits.from_env().max_bytes // 2**20}mb")


def _warm_up(index_dir: Path) -> None:
    """Fill the caches a large collection fills on first use, and choose the engine that embeds questions
    fastest here, in the background: the first questions should not pay for them."""
    def warm() -> None:
        engines = get_searcher(index_dir).warm_up().engines
        if engines:
            mixed = len(set(engines.values())) > 1
            which = ", ".join(f"{k} {v}" for k, v in engines.items()) if mixed else next(iter(engines.values()))
            _say(f"ready; question engine{'s' if mixed else ''}: {which}, the faster here "
                 "(KLYNGE_QUESTION_ENGINE=c or torch to choose)")

    threading.Thread(target=warm, name="klynge-warm-up", daemon=True).start()


def _say(message: str) -> None:
    print(f"klynge serve: {message}", file=sys.stderr)


def serve(index_dir: Path | str | None = None, host: str = "127.0.0.1", port: int | None = None,
          read_only: bool = False, corpus_dir: Path | str | None = None, config: RankingConfig | None = None) -> None:
    """Build the index first if there is none (from ``corpus_dir``, else the default corpus), then run the
    app until stopped, on ``port`` (default ``$KLYNGE_PORT``, else 7860), with ``config``'s ranking
    settings when given (e.g. without the answer check)."""
    index_dir = service.index_path(index_dir)
    port = service.serve_port(port)
    service.build_before_serving(index_dir, corpus_dir, _say, lock_timeout=BUILD_LOCK_TIMEOUT)
    if config is not None:
        get_searcher(index_dir, config)  # before the app or the warm-up load it with the defaults
    _warm_up(index_dir)
    if not read_only and host not in LOCAL_HOSTS and AppContext.of(index_dir, corpus_dir).access().open:
        print(f"klynge: the app is reachable beyond this machine ({host}) and anyone who reaches it can add and "
              "remove documents; add users (`klynge users add NAME --role editor`) or start it with --read-only",
              file=sys.stderr)
    launch(index_dir=index_dir, host=host, port=port, corpus_dir=corpus_dir, read_only=read_only)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description="Start the klynge browser app (the same as `klynge serve`).")
    serve_options(ap)
    return ap


def main(argv: list[str] | None = None) -> None:
    """`python ui.py [--port N] ...`: the app as `klynge serve` starts it."""
    from qa.runtime import prepare_process

    prepare_process(["serve"])  # as `klynge serve`: OpenMP threads that sleep after a short spin (qa.runtime)
    args = _parser().parse_args(argv)
    config = DEFAULT_CONFIG.without_answer_check() if args.no_answer_check else None
    try:
        serve(args.index_dir, args.host, args.port, read_only=args.read_only, corpus_dir=args.corpus, config=config)
    except KlyngeError as exc:
        sys.stderr.write(f"klynge: {exc}\n")
        raise SystemExit(1) from None
