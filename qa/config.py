"""Every tunable of ranking, answers, confidence and display, as data: one frozen :class:`RankingConfig`.

``Searcher(index, config=RankingConfig(...))`` uses it; ``klynge eval`` reports record it
(:meth:`RankingConfig.to_json`); ``benchmarks/ablation.py`` builds variants with
:func:`dataclasses.replace`. Each value carries the reason for it or the section of docs/retrieval.md
where it was measured. Nothing here is specific to one collection.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the min-max normalised signals in the fused score (they sum to 1)."""

    dense: float
    lexical: float
    sparse: float


def _default_weights() -> dict[str, FusionWeights]:
    # docs/retrieval.md, "What moved the numbers" 4 and 10: Danish questions lean on the lexical index
    # (its n-grams match Danish compounds; the sparse head did not help and costs a model pass);
    # English questions over Danish text share few words with it and lean on the multilingual
    # signals. English 0.2/0.55/0.25 sits on a plateau of a grid over 35 questions.
    return {"da": FusionWeights(0.20, 0.80, 0.00), "en": FusionWeights(0.20, 0.55, 0.25)}


@dataclass(frozen=True)
class ConfidenceConfig:
    """Logistic over the top dense cosine (per language) and the question's coverage by the best
    passages (docs/retrieval.md, "Confidence and 'nothing found'")."""

    dense_center: dict[str, float] = field(default_factory=lambda: {"da": 0.835, "en": 0.780})
    # between the answerable and off-topic top cosines measured per language
    dense_center_other: float = 0.83  # a language without a measured centre (unmeasured; near Danish's)
    dense_scale: float = 60.0  # the two groups are ~0.05 apart in cosine: a steep logistic
    coverage_weight: dict[str, float] = field(default_factory=lambda: {"da": 1.0, "en": 1.5})
    # English on- and off-topic cosines overlap more, so coverage breaks more of its near-ties
    coverage_weight_other: float = 4.0  # a language without a measured weight (unmeasured; from the first calibration)
    coverage_center: float = 0.6  # share of content words found that reads as "on topic"
    threshold: float = 0.5  # below it: "nothing found", the closest passages shown as such
    dense_top: int = 5  # the best dense cosine among this many top hits
    coverage_top: int = 3  # coverage is counted over this many top passages


@dataclass(frozen=True)
class AnswerConfig:
    """Which sentence(s) of a hit are marked as the answer (docs/retrieval.md, "The answer sentence")."""

    tie: float = 0.9  # a runner-up scoring at least this share of the best is marked too (Danish 0.83 -> 0.85)
    list_items_shown: int = 10  # items marked after a sentence that opens a list ("... er:")
    list_item_words: int = 60  # a longer piece is running text, not a list item
    stem_weight: float = 1.0  # a shared word stem counts fully ...
    gram_weight: float = 0.25  # ... a shared character n-gram a quarter (a word has several)
    position_penalty: float = 0.01  # per piece: earlier pieces win exact ties


@dataclass(frozen=True)
class DisplayConfig:
    """How the app words a confidence."""

    high: float = 0.8  # "høj / high" at or above
    medium: float = 0.5  # "middel / medium" at or above (the answer threshold); "lav / low" below


@dataclass(frozen=True)
class RankingConfig:
    weights: dict[str, FusionWeights] = field(default_factory=_default_weights)
    default_lang: str = "da"  # recipe for a language without weights: the collection's own language
    # a signal the index lacks (no sparse head) gives its weight to dense and lexical in equal halves,
    # so fused scores keep the same range (docs/retrieval.md, "Signals alone")
    redistribute_missing_sparse: bool = True
    year_prior: float = 0.10  # documents a question names by year (qa/intent.py; "What moved" 8); 0 = off
    list_boost: float = 0.10  # passages with a list as long as the count asked for ("What moved" 9); 0 = off
    depth_min: int = 100  # candidates from each retriever: max(depth_min, depth_per_k * k) ...
    depth_per_k: int = 10  # ... deep enough that fusion sees what either signal ranks high
    pool_min: int = 30  # fused candidates kept before near-duplicates are merged: max(pool_min, ...
    pool_per_k: int = 3  # ... pool_per_k * k), so merging never leaves fewer than k hits
    dedupe_overlap: float = 0.8  # share of shared 5-word shingles that makes two passages one hit
    confidence: ConfidenceConfig = field(default_factory=ConfidenceConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)

    def weights_for(self, lang: str) -> FusionWeights:
        return self.weights.get(lang, self.weights[self.default_lang])

    def depth(self, k: int, n: int) -> int:
        """How many candidates each retriever returns for ``k`` hits out of ``n`` passages."""
        return min(n, max(self.depth_min, self.depth_per_k * k))

    def pool(self, k: int) -> int:
        return max(self.pool_per_k * k, self.pool_min)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_CONFIG = RankingConfig()
