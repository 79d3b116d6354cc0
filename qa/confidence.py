"""Does the collection answer the question at all? A confidence in [0, 1], and "nothing found" below
the threshold.

One logistic model per question language over features of the ranking that do not depend on the
collection's size or subject (``FEATURES``). The coefficients are data (``ConfidenceConfig.models``),
fitted by ``benchmarks/calibrate.py`` on pooled question sets of two collections with answerable and
unanswerable questions, with cross-validation (docs/ranking.md, "7. Confidence").

The answer check (``answer_dense``): a passage's vector averages everything it says, so a passage on
the question's subject scores close to it whether or not it holds the answer. The sentence that would
be shown as the answer, embedded on its own, is closer to an answerable question than to a near-topic one
it does not answer. It costs a model pass over a few sentences per question
(``ConfidenceConfig.answer_check``); with it off, the models fitted without the feature decide
(``ConfidenceConfig.quick_models``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer import Passage

from .config import ConfidenceConfig
from .match import TextWords, coverage, text_words
from .names import present_cue, question_years, speaks_of_present, unmentioned
from .rank import Candidate, Query

MAY_NOT_ANSWER = {  # what the app (its language) and `klynge ask` (both at once) say below the threshold
    "da": "Dokumenterne besvarer måske ikke spørgsmålet",
    "en": "The documents may not answer this",
}
QUICK_FEATURES = ("top_dense", "coverage", "overlap", "spread", "top_lexical", "unmatched_name")
FEATURES = (*QUICK_FEATURES, "answer_dense")
TOP = 5  # the features look at this many best candidates (whatever number of hits is shown); coverage
# over the top 3 instead measured worse once ranking weighed lexical coverage (docs/experiments.md)


@dataclass(frozen=True)
class Unmentioned:
    """What a question asks about that its best candidates never mention (:func:`unmentioned_in`)."""

    names: tuple[str, ...] = ()  # its names (and the years it asks about) none of them mentions
    now: str = ""  # the words by which it asks what holds now, where none of them speaks of the present

    def __bool__(self) -> bool:
        return bool(self.names or self.now)


@dataclass(frozen=True)
class Verdict:
    answered: bool
    confidence: float
    features: dict[str, float]
    unmentioned: tuple[str, ...] = ()  # the question's names none of the top candidates mentions (qa.names)
    now_unmentioned: str = ""  # the words by which it asks what holds now, where none of them speaks of the present


def features(q: Query, ranked: Sequence[Candidate], passages: Sequence[Passage],
             answer_dense: float | None = None, words: Callable[[int], TextWords] | None = None,
             *, unmentioned: Unmentioned = Unmentioned()) -> dict[str, float]:
    """What the model sees of a ranking: the best dense cosine among the top candidates and how much
    they differ, the share of the question's words the best passages hold, the share of its words the
    collection knows at all, the best lexical score per query word, whether it names something none of
    them mentions (``qa.names``), and (when the answer check ran) the best cosine between the question and
    an answer sentence of the top hits, each embedded alone.
    ``words`` reads passage ``i`` (``Ranker.passage_words``, which keeps them); else it is read here.
    ``unmentioned``: what the question asks about that they never mention (:func:`unmentioned_in`); anything
    there sets ``unmatched_name``."""
    top = ranked[:TOP]
    read = words or (lambda i: text_words(passages[i].text))
    dense = [c.dense for c in top]
    n_words = max(1, len(q.senses) if q.senses else len(q.lexical.split()))  # a structured query's words: its groups
    return {
        "top_dense": max(dense),
        "coverage": coverage(q.terms, [read(c.idx) for c in top]),
        "overlap": q.overlap,
        "spread": max(dense) - min(dense),
        "top_lexical": max(c.lexical for c in top) / n_words,
        "unmatched_name": float(bool(unmentioned)),
    } | ({} if answer_dense is None else {"answer_dense": answer_dense})


def unmentioned_in(q: Query, ranked: Sequence[Candidate], passages: Sequence[Passage],
                   config: ConfidenceConfig) -> Unmentioned:
    """What ``q`` asks about that its best ``TOP`` candidates never mention (``qa.names``): its names (and, with
    ``config.named_years``, the years it asks about), and, with ``config.present_time``, the words by which it
    asks what holds now where none of them speaks of the present; a question without either reads no passage."""
    cue = present_cue(q.text) if config.present_time else ""
    names = (*q.names, *question_years(q.text, relative=config.relative_years)) if config.named_years else q.names
    if not names and not cue:
        return Unmentioned()
    texts = [passages[c.idx].context_text() for c in ranked[:TOP]]
    return Unmentioned(unmentioned(names, texts), "" if not cue or speaks_of_present(texts) else cue)


def assess(q: Query, ranked: Sequence[Candidate], passages: Sequence[Passage],
           config: ConfidenceConfig | None = None, answer_dense: float | None = None,
           words: Callable[[int], TextWords] | None = None) -> Verdict:
    """The verdict on ``q`` from its best candidates (``ranked``, best first) and, when the answer
    check ran, its result (``answer_dense``; else the models fitted without it decide). ``words``: as
    for :func:`features`."""
    c = config or ConfidenceConfig()
    if not ranked:
        return Verdict(False, 0.0, {})
    absent = unmentioned_in(q, ranked, passages, c)
    x = features(q, ranked, passages, answer_dense, words, unmentioned=absent)
    models = c.models if answer_dense is not None else c.quick_models
    model = models.get(q.lang) or models[c.default_lang]
    z = model.intercept + sum(model.coef.get(name, 0.0) * v for name, v in x.items())
    conf = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
    return Verdict(conf >= c.threshold, conf, x, absent.names, absent.now)
