"""Retrieval, ranking, answers, citations, quote lookup and evaluation over a klynge index.

One module per stage: ``config`` (every tunable), ``lang``, ``translate``, ``dictionary`` and ``lay`` (the
question's language, its Danish terms, the formal terms of its Danish lay words), ``intent`` (what a question's form says), ``match`` (how much of a
question a passage holds: coverage, word pairs), ``names`` (the places and bodies a question names), ``rank`` (retrieve → fuse → priors → proximity → dedupe; ``docpriors``: a document's size, an act's scope), ``answer`` (answer sentences, confidence), ``cite`` (citations, quote lookup), ``search``
(:class:`Searcher`), ``evaluate`` and ``baselines``, ``errors``; ``service`` is what the `klynge` command
(``cli``), the browser app and its HTTP API all call (ask, cite, evaluate, add, remove, list documents).
"""

from .cite import QuoteMatch, citation_for, find_quote
from .config import (
    DEFAULT_CONFIG,
    AnswerConfig,
    ConfidenceConfig,
    DisplayConfig,
    FusionWeights,
    RankingConfig,
)
from .dictionary import english_danish
from .errors import AccessDenied, QueryError, QuestionSetError, UnknownDocument, UsageError
from .evaluate import Question, QuestionSet, evaluate, load_questions
from .lang import detect_lang
from .lay import LayTerms, lay_terms
from .rank import Candidate, Query, Ranker
from .search import Filters, Hit, Result, Searcher, Source
from .searchers import get_searcher, reload_searcher, search

__all__ = [
    "DEFAULT_CONFIG",
    "AnswerConfig",
    "Candidate",
    "ConfidenceConfig",
    "DisplayConfig",
    "Filters",
    "FusionWeights",
    "Hit",
    "LayTerms",
    "Query",
    "QueryError",
    "Question",
    "QuestionSet",
    "QuestionSetError",
    "QuoteMatch",
    "Ranker",
    "RankingConfig",
    "Result",
    "Searcher",
    "Source",
    "UnknownDocument",
    "UsageError",
    "AccessDenied",
    "citation_for",
    "detect_lang",
    "english_danish",
    "lay_terms",
    "evaluate",
    "find_quote",
    "get_searcher",
    "load_questions",
    "reload_searcher",
    "search",
]
