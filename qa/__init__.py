"""Retrieval, answers, citations, quote lookup and evaluation over a klynge index."""

from .cite import QuoteMatch, citation_for, find_quote
from .evaluate import Question, QuestionSet, evaluate, load_questions
from .lang import detect_lang
from .search import Filters, Hit, Result, Searcher, get_searcher, reload_searcher, search

__all__ = [
    "Filters",
    "Hit",
    "Question",
    "QuestionSet",
    "QuoteMatch",
    "Result",
    "Searcher",
    "citation_for",
    "detect_lang",
    "evaluate",
    "find_quote",
    "get_searcher",
    "load_questions",
    "reload_searcher",
    "search",
]
