"""Every tunable of ranking, answers, confidence and display, as data: one frozen :class:`RankingConfig`.

``Searcher(index, config=RankingConfig(...))`` uses it; ``klynge eval`` reports record it
(:meth:`RankingConfig.to_json`); ``benchmarks/ablation.py`` builds variants with
:func:`dataclasses.replace`. Each value carries the reason for it or the section of docs/retrieval.md
where it was measured. Nothing here is specific to one collection.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
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
class LogisticModel:
    """``sigmoid(intercept + sum(coef[f] * feature f))`` over the features of ``qa.confidence``."""

    coef: dict[str, float]
    intercept: float


# --- calibrated: written by `python benchmarks/calibrate.py --write`; do not edit by hand ---
CALIBRATED: dict[str, LogisticModel] = {
    "da": LogisticModel({"top_dense": -16.9904, "coverage": 4.0724, "overlap": 3.9036, "spread": 18.6066, "top_lexical": -0.0608, "answer_dense": 53.7689}, -37.6417),
    "en": LogisticModel({"top_dense": -7.8744, "coverage": 5.3488, "overlap": -0.7020, "spread": 11.2138, "top_lexical": 0.2318, "answer_dense": 42.0453}, -31.1603),
}
CALIBRATED_QUICK: dict[str, LogisticModel] = {
    "da": LogisticModel({"top_dense": 24.2449, "coverage": 4.6716, "overlap": 4.9047, "spread": 11.3867, "top_lexical": 0.0827}, -28.4878),
    "en": LogisticModel({"top_dense": 27.0097, "coverage": 5.9657, "overlap": -0.8252, "spread": 3.7172, "top_lexical": 0.2527}, -25.2742),
}
# --- end calibrated ---


def _default_models() -> dict[str, LogisticModel]:
    # fitted by `python benchmarks/calibrate.py` (pooled sets of two collections, balanced classes,
    # L2 1.0); cross-validated false answers / false declines in docs/retrieval.md
    return CALIBRATED


def _quick_models() -> dict[str, LogisticModel]:
    # the same fit without the answer check's feature, for ConfidenceConfig.answer_check = 0
    return CALIBRATED_QUICK


@dataclass(frozen=True)
class ConfidenceConfig:
    """Per-language logistic models of "the collection answers this" (docs/retrieval.md,
    "Confidence and 'nothing found'")."""

    models: dict[str, LogisticModel] = field(default_factory=_default_models)
    # the answer check: the answer sentence of each of this many best hits embedded on its own, the
    # closest one's cosine a feature. Cross-validated, it took false answers / false declines from
    # 12.3 / 7.9 % to 8.8 / 7.0 % (Danish) and 21.1 / 12.2 % to 12.3 / 10.8 % (English); 1 or 2 sentences
    # helped less (docs/retrieval.md, "The answer check"). It costs a model pass over 3 sentences after the
    # ranking, ~80 ms a question here against ~12 ms for the question's own (docs/benchmarks.md, "What the
    # answer check costs a question"); 0 turns it off and quick_models decide.
    answer_check: int = 3
    # a longer answer sentence is cut to this many words around the question's (the model's time grows
    # with length, ~1 ms a word: a 230-word table row would cost ~0.25 s); 64 is above 90 % of answer
    # sentences and measured the same as no cut, 30 or 40 words worse (docs/retrieval.md, "The answer check")
    answer_check_words: int = 64
    # answer sentences whose vectors a searcher keeps (most recently used): the vector depends on the
    # sentence only, and related questions mark the same sentences (over a question set 20 % of them on
    # squad-da-dev, 50 % on the shipped collection were marked before); 4096 vectors are ~6 MB
    answer_check_cache: int = 4096
    quick_models: dict[str, LogisticModel] = field(default_factory=_quick_models)
    default_lang: str = "da"  # the model for a language without one of its own
    threshold: float = 0.5  # below it: "nothing found", the closest passages shown as such


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
class LegalConfig:
    """Questions that name a provision ("forvaltningslovens § 19"; ``qa/legalref.py``)."""

    enabled: bool = True  # put the named provision first; False = rank such questions like any other
    # how well the question's act name must match a title: 3 same word, 2 a word that starts the
    # same, below 1 character similarity; 0.75 keeps "kommunestyrelsesloven" ~ "lov om kommunernes
    # styrelse" (0.88) and drops unrelated titles (docs/legal.md)
    min_name_score: float = 0.75
    max_pinned: int = 3  # passages of one provision put first (a long § spans several)
    # the confidence of a resolved lookup: the provision exists, so the question is answered whatever
    # the retrieval signals say (they see "§ 9" as an almost empty question)
    confidence: float = 0.95


# what --no-answer-check (klynge ask/eval/serve, ui.py) does, in one place for both command lines
NO_CHECK_HELP = ("skip the answer check: ~80 ms less a question, at the cost of more wrong answers where the "
                 "documents have none (docs/retrieval.md, 'The answer check')")


@dataclass(frozen=True)
class RankingConfig:
    weights: dict[str, FusionWeights] = field(default_factory=_default_weights)
    # weights for a question none of whose words the collection has (English over Danish text without
    # a glossary): the lexical signal has nothing to match, so the multilingual signals carry it. The
    # weights used are interpolated between ``weights`` and these by the share of the question's content
    # words found in the collection's vocabulary (docs/retrieval.md, "Trusting the lexical signal")
    foreign_weights: FusionWeights | None = field(default_factory=lambda: FusionWeights(0.85, 0.0, 0.15))
    foreign_langs: tuple[str, ...] = ("en",)  # languages whose weights are interpolated so
    # English questions over a Danish collection that gives no glossary go through Debian's general
    # FreeDict English-Danish dictionaries when they are installed (qa/dictionary.py; docs/retrieval.md,
    # "A general dictionary": squad English MRR 0.803 -> 0.880, laws English 0.485 -> 0.643). A collection's
    # own glossary is used instead of it: merged, the dictionary's senses of everyday words cost the shipped
    # dev set (0.812 -> 0.729). False = off.
    dictionary: bool = True
    # the weights (in place of ``weights``) for a question matched through that general dictionary: its
    # senses of everyday words are many and loose ("business" -> affære/anliggende/handel), so the lexical
    # signal it feeds is weaker evidence than a collection's own glossary gives, and the multilingual
    # dense signal carries more. Measured on every set English goes through the dictionary in (squad-da-dev,
    # laws-dev, laws-everyday; docs/laws.md); questions through a glossary keep ``weights``
    dictionary_weights: dict[str, FusionWeights] = field(
        default_factory=lambda: {"en": FusionWeights(0.35, 0.40, 0.25)})
    default_lang: str = "da"  # recipe for a language without weights: the collection's own language
    # a signal the index lacks (no sparse head) gives its weight to dense and lexical in equal halves,
    # so fused scores keep the same range (docs/retrieval.md, "Signals alone")
    redistribute_missing_sparse: bool = True
    # a question in the collection's own language: the lexical signal keeps its full weight when one of
    # its best ``coverage_depth`` passages holds at least this share of the question's content words
    # (qa.match.coverage), less in proportion when none does, the rest going to dense: a lexical top that
    # matches only a few of the question's words is matching the wrong thing, where the dense signal may
    # still see the paraphrase. Grid 0.6-0.8 all gained on squad-da-dev and moved no shipped set; 0.9 and
    # above cost the shipped dev set (docs/retrieval.md, "Trusting the lexical signal by its coverage of the question"). 0 = off
    lexical_coverage: float = 0.75
    coverage_depth: int = 5
    # added to a fused candidate's score: the IDF-weighted share of the question's consecutive terms that
    # stand side by side in the passage (qa.match.proximity; ordered pairs of the sequential dependence
    # model), an English question's through any of their Danish senses. 0.2: the middle of 0.1-0.3, where
    # every set measured the same or better (docs/retrieval.md, "Word pairs side by side"). 0 = off
    proximity: float = 0.2
    proximity_depth: int = 10  # the fused top this many get it (10, 20, 30 and every candidate measured alike)
    # passages whose words (qa.match.TextWords, ~2.7 KB each on squad-da-dev) the ranker keeps for coverage
    # and word pairs, most recently used: a question reads up to ~20 passages' words, and questions on one
    # subject meet the same passages again (docs/benchmarks.md, "Reading a passage once"); 2048 are ~6 MB
    words_cache: int = 2048
    # added to the score of each hit the answer check read (ConfidenceConfig.answer_check, the best 3), for
    # a question in the collection's language: this times the cosine between the question and the hit's
    # answer sentence embedded on its own, and those hits reordered by it. The passage's vector averages all
    # it says; the sentence's tells the passage that states the asked fact from one that shares its subject.
    # No extra model work (the check embeds them anyway); with the check off, no reorder. 0.1-0.5 moved no
    # shipped or law set and gained squad-da-dev Danish; 0.25 is their middle; 1.0 cost shipped Danish
    # questions, and English questions (cross-lingual cosines) lost on the shipped sets from 0.25 on
    # (docs/retrieval.md, "The answer sentence breaks near-ties"). 0 = off
    answer_rerank: float = 0.25
    year_prior: float = 0.10  # documents a question names by year (qa/intent.py; "What moved" 8); 0 = off
    list_boost: float = 0.10  # passages with a list as long as the count asked for ("What moved" 9); 0 = off
    depth_min: int = 100  # candidates from each retriever: max(depth_min, depth_per_k * k) ...
    depth_per_k: int = 10  # ... deep enough that fusion sees what either signal ranks high
    pool_min: int = 30  # fused candidates kept before near-duplicates are merged: max(pool_min, ...
    pool_per_k: int = 3  # ... pool_per_k * k), so merging never leaves fewer than k hits
    dedupe_overlap: float = 0.8  # share of shared 5-word shingles that makes two passages one hit
    confidence: ConfidenceConfig = field(default_factory=ConfidenceConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    legal: LegalConfig = field(default_factory=LegalConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)

    def weights_for(self, lang: str, overlap: float = 1.0, dictionary: bool = False) -> FusionWeights:
        """The fusion weights for a question in ``lang`` of which a share ``overlap`` of the content
        words is in the collection's vocabulary; ``dictionary``: its words went through the general
        dictionary (``dictionary_weights``)."""
        w = self.weights.get(lang, self.weights[self.default_lang])
        if dictionary:
            w = self.dictionary_weights.get(lang, w)
        f = self.foreign_weights
        if f is None or lang not in self.foreign_langs or overlap >= 1.0:
            return w
        a = max(0.0, overlap)
        return FusionWeights(a * w.dense + (1 - a) * f.dense, a * w.lexical + (1 - a) * f.lexical,
                             a * w.sparse + (1 - a) * f.sparse)

    def by_coverage(self, w: FusionWeights, coverage: float) -> FusionWeights:
        """``w`` with the lexical weight scaled by ``coverage / lexical_coverage`` (at most 1), the rest
        moved to dense."""
        if self.lexical_coverage <= 0 or coverage >= self.lexical_coverage:
            return w
        moved = w.lexical * (1.0 - max(0.0, coverage) / self.lexical_coverage)
        return FusionWeights(w.dense + moved, w.lexical - moved, w.sparse)

    def uses_sparse(self, lang: str) -> bool:
        """Does any question in ``lang`` weigh the sparse head (the weights are linear in the overlap, so
        the largest sparse weight is at one of its ends)?"""
        return any(self.weights_for(lang, a, d).sparse > 0 for a in (0.0, 1.0) for d in (False, True))

    def depth(self, k: int, n: int) -> int:
        """How many candidates each retriever returns for ``k`` hits out of ``n`` passages."""
        return min(n, max(self.depth_min, self.depth_per_k * k))

    def pool(self, k: int) -> int:
        return max(self.pool_per_k * k, self.pool_min)

    def without_answer_check(self) -> RankingConfig:
        """These settings with the answer check off (``--no-answer-check``): ~80 ms less a question, and
        the verdicts of the models fitted without it (``ConfidenceConfig.quick_models``)."""
        return replace(self, confidence=replace(self.confidence, answer_check=0))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_CONFIG = RankingConfig()
