"""The sentence(s) of a hit that answer the question. Tunables: ``qa.config.AnswerConfig``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from indexer.reading.units import answer_units
from indexer.store.lexical import tokenize

from .config import AnswerConfig

__all__ = ["answer_units", "best_sentences"]  # answer_units: indexer.reading.units, the one rule


def best_sentences(question: str, text: str, n: int = 1, weight: Callable[[str], float] | None = None,
                   headings: Sequence[str] = (), config: AnswerConfig | None = None) -> tuple[tuple[int, int], ...]:
    """The sentence(s) of ``text`` that share the most question tokens (offsets into ``text``).

    ``question``: for English questions, their Danish glossary terms (what the lexical index sees).
    ``weight``: token weight, e.g. the lexical index's IDF, so rare words count more than common ones.
    ``headings``: the passage's heading path, never an answer.
    """
    c = config or AnswerConfig()
    spans = answer_units(text, headings)
    if not spans:
        return ()
    q = set(tokenize(question))
    if not q:
        return (spans[0],)
    w = weight or (lambda _t: 1.0)
    scored = []
    for i, (s, e) in enumerate(spans):
        toks = tokenize(text[s:e])
        if not toks:
            continue
        overlap = sum((c.stem_weight if t.startswith("s:") else c.gram_weight) * w(t) for t in set(toks) & q)
        scored.append((overlap / math.sqrt(len(toks) ** 0.5 + 1) - c.position_penalty * i, s, e))
    if not scored:
        return (spans[0],)
    scored.sort(reverse=True)
    best = (scored[0][1], scored[0][2])
    if text[best[0]:best[1]].rstrip().endswith(":"):
        # a sentence that opens a list ("De fem pejlemærker for indsatsen 2016-2018 er:") answers with its items
        chosen = [best]
        for sp in [sp for sp in spans if sp[0] >= best[1]][:c.list_items_shown]:
            if len(text[sp[0]:sp[1]].split()) > c.list_item_words:
                break
            chosen.append(sp)
        return tuple(chosen)
    # a near tie is shown too: two sentences that answer about equally well are both marked
    top = scored[:n] + [x for x in scored[n:n + 1] if scored[0][0] > 0 and x[0] >= c.tie * scored[0][0]]
    chosen = sorted((s, e) for _, s, e in top)
    return tuple(chosen)
