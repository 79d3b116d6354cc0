"""What the `klynge` commands share: exit codes, JSON and error output, and the index, corpus and ranking
settings a command's options name."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .config import DEFAULT_CONFIG, RankingConfig

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "config_of", "corpus_dir", "err", "index_dir", "print_json", "waiting"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def print_json(obj: Any) -> None:
    """``obj`` as indented JSON on standard output (what ``--json`` prints)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def err(msg: str) -> None:
    """A message on standard error, after "klynge: " as every message of the command."""
    sys.stderr.write(f"klynge: {msg}\n")


def index_dir(args: argparse.Namespace) -> Path:
    """--index-dir, else the default index directory."""
    from .service import index_path

    return index_path(getattr(args, "index_dir", None))


def config_of(args: argparse.Namespace) -> RankingConfig:
    """The ranking settings: the defaults, without the answer check with ``--no-answer-check``."""
    return DEFAULT_CONFIG.without_answer_check() if getattr(args, "no_answer_check", False) else DEFAULT_CONFIG


def corpus_dir(args: argparse.Namespace) -> Path:
    """--corpus, else the folder the index was built from, else ./corpus."""
    from .service import corpus_path

    return corpus_path(getattr(args, "corpus", None), getattr(args, "index_dir", None))


def waiting() -> None:
    """Said while another build holds the index's lock."""
    from .service import WAITING

    err(WAITING)
