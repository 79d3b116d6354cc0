"""The sentence(s) of a hit that answer the question. Tunables: ``qa.config.AnswerConfig``."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from indexer.reading.units import answer_units
from indexer.store.tokens import tokenize

from .config import AnswerConfig
from .intent import states_quantity

__all__ = ["answer_units", "best_sentences"]  # answer_units: indexer.reading.units, the one rule


def best_sentences(question: str, text: str, n: int = 1, weight: Callable[[str], float] | None = None,
                   headings: Sequence[str] = (), config: AnswerConfig | None = None,
                   closeness: Callable[[int, int], float | None] | None = None,
                   quantity: bool = False) -> tuple[tuple[int, int], ...]:
    """The sentence(s) of ``text`` that share the most question tokens (offsets into ``text``).

    ``question``: for English questions, their Danish glossary terms (what the lexical index sees).
    ``weight``: token weight, e.g. the lexical index's IDF, so rare words count more than common ones.
    ``headings``: the passage's heading path, never an answer.
    ``closeness``: the cosine of a sentence (its start and end) with the question, None where unknown; with it,
    a sentence scores its shared tokens and its closeness, each min-max scaled over the passage, weighed by
    ``config.closeness_weight`` (the sentence that means what the question asks, not only shares its words).
    ``quantity``: the question asks for a number, an amount or a period (``qa.intent.asks_quantity``); a
    sentence that states one gains ``config.quantity_weight`` of the best sentence's score.
    """
    c = config or AnswerConfig()
    spans = answer_units(text, headings)
    if not spans:
        return ()
    q = set(tokenize(question))
    if not q and closeness is None:
        return (spans[0],)
    w = weight or (lambda _t: 1.0)
    scored = list(_shared_tokens(tuple(sorted((t, w(t)) for t in q)), text, tuple(spans), c))
    if not scored:
        return (spans[0],)
    if closeness is not None and c.closeness_weight > 0:
        scored = _with_closeness(scored, closeness, c.closeness_weight)
    if quantity and c.quantity_weight > 0:
        bonus = c.quantity_weight * max(0.0, max(x for x, _, _ in scored))
        scored = [(x + bonus * states_quantity(text[s:e]), s, e) for x, s, e in scored]
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


@functools.lru_cache(maxsize=256)
def _shared_tokens(q: tuple[tuple[str, float], ...], text: str, spans: tuple[tuple[int, int], ...],
                   c: AnswerConfig) -> tuple[tuple[float, int, int], ...]:
    """(score, start, end) of each sentence with tokens: the question tokens it holds (``q``: each with its
    weight), over the square root of its length's square root, earlier sentences ahead by
    ``position_penalty`` each. Kept for the last few passages: a searcher picks a hit's sentences twice
    (shown, and for the answer check)."""
    w = dict(q)
    scored = []
    for i, (s, e) in enumerate(spans):
        toks = tokenize(text[s:e])
        if not toks:
            continue
        overlap = sum((c.stem_weight if t.startswith("s:") else c.gram_weight) * w[t] for t in set(toks) & w.keys())
        scored.append((overlap / math.sqrt(len(toks) ** 0.5 + 1) - c.position_penalty * i, s, e))
    return tuple(scored)


def _with_closeness(scored: list[tuple[float, int, int]], closeness: Callable[[int, int], float | None],
                    weight: float) -> list[tuple[float, int, int]]:
    """``scored`` rescored as (1 - weight) x shared tokens / the best + weight x min-max closeness; as it was
    when fewer than two sentences have a closeness (a sentence without one counts as the least close)."""
    known = [closeness(s, e) for _, s, e in scored]
    have = [x for x in known if x is not None]
    if len(have) < 2:
        return scored
    low, high = min(have), max(have)
    top = max(x for x, _, _ in scored)
    out = []
    for (x, s, e), cos in zip(scored, known, strict=True):
        lexical = x / top if top > 0 else 0.0
        close = ((cos if cos is not None else low) - low) / (high - low) if high > low else 0.0
        out.append(((1 - weight) * lexical + weight * close, s, e))
    return out
