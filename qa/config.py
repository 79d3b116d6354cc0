"""Every tunable of ranking, answers, confidence and display, as data: one frozen :class:`RankingConfig`.

``Searcher(index, config=RankingConfig(...))`` uses it; ``klynge eval`` reports record it
(:meth:`RankingConfig.to_json`); ``benchmarks/ablation.py`` builds variants with
:func:`dataclasses.replace`. Each value carries the reason for it or the section of the ranking page
where it is described (docs/ranking.md). Nothing here is specific to one collection.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from indexer.store.checks import CHECK_WIDTH


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the min-max normalised signals in the fused score (they sum to 1)."""

    dense: float
    lexical: float
    sparse: float


def _default_weights() -> dict[str, FusionWeights]:
    # Danish leans on BM25's n-grams (they match compounds), English over Danish text on the multilingual signals
    return {"da": FusionWeights(0.20, 0.80, 0.00), "en": FusionWeights(0.20, 0.55, 0.25)}


@dataclass(frozen=True)
class LogisticModel:
    """``sigmoid(intercept + sum(coef[f] * feature f))`` over the features of ``qa.confidence``."""

    coef: dict[str, float]
    intercept: float


# --- calibrated: written by `python benchmarks/calibrate.py --write`; do not edit by hand ---
CALIBRATED: dict[str, LogisticModel] = {
    "da": LogisticModel({"top_dense": -32.0148, "coverage": 3.6540, "overlap": 2.6938, "spread": -0.7606, "top_lexical": -0.0854, "unmatched_name": -2.7020, "answer_dense": 84.0829}, -48.2972),
    "en": LogisticModel({"top_dense": -1.1896, "coverage": 3.1729, "overlap": 1.7484, "spread": 22.8788, "top_lexical": -0.3827, "unmatched_name": -2.3631, "answer_dense": 48.1729}, -40.2679),
}
CALIBRATED_QUICK: dict[str, LogisticModel] = {
    "da": LogisticModel({"top_dense": 30.1299, "coverage": 4.0975, "overlap": 4.2753, "spread": -2.9074, "top_lexical": 0.0799, "unmatched_name": -2.3414}, -31.5682),
    "en": LogisticModel({"top_dense": 36.6696, "coverage": 3.7462, "overlap": 0.7398, "spread": 17.3234, "top_lexical": -0.3198, "unmatched_name": -2.4395}, -31.3694),
}
# --- end calibrated ---


def _default_models() -> dict[str, LogisticModel]:
    # fitted by benchmarks/calibrate.py on both collections' questions pooled; its errors are in docs/ranking.md
    return CALIBRATED


def _quick_models() -> dict[str, LogisticModel]:
    # the same fit without the answer check's feature: these decide when answer_check = 0
    return CALIBRATED_QUICK


@dataclass(frozen=True)
class ConfidenceConfig:
    """Per-language logistic models of "the collection answers this" (docs/ranking.md, "Confidence")."""

    models: dict[str, LogisticModel] = field(default_factory=_default_models)
    # this many best hits' answer sentences embedded alone, the best cosine a feature (fewer false answers); their
    # vectors come from the index (windows embedded at build time), else the model at question time (~80 ms); 0 = off
    answer_check: int = 3
    # a longer answer sentence is cut to this many words around the question's (shorter cuts were worse); an index's
    # stored windows are used only when built for the same width, which is where the value lives
    answer_check_words: int = CHECK_WIDTH
    # answer-sentence vectors a searcher keeps (~6 MB): a repeated or related question skips their embedding
    answer_check_cache: int = 4096
    quick_models: dict[str, LogisticModel] = field(default_factory=_quick_models)
    default_lang: str = "da"  # the model for a language without one of its own
    threshold: float = 0.5  # below it: "nothing found", the closest passages shown as such
    # a question that asks what holds now ("i dag", "right now") where no best passage speaks of the present counts
    # as naming something they do not mention (qa.names): present facts the acts never state were answered at
    # 0.8-0.96 (docs/ranking.md, "Confidence")
    present_time: bool = True
    # a year the question asks about ("Hvor mange patenter fik universiteterne i 2023?") that no best passage
    # mentions counts as an unmentioned name: a rule's passage on patents does not say what happened in 2023
    named_years: bool = True
    # with it, a question asking how many or how much about last year ("Hvor mange … sidste år?") names that year
    # too: such statistics questions were answered at 0.53-0.74. Not "i år" / "next year": in a count question they
    # mostly apply a rule to the asker's year: 6 of 14, then 10 of 14 more such answerable questions were declined
    relative_years: bool = True


@dataclass(frozen=True)
class AnswerConfig:
    """Which sentence(s) of a hit are marked as the answer (docs/ranking.md, "Answer sentences")."""

    tie: float = 0.9  # a runner-up scoring at least this share of the best is marked too (about one hit in five shows two)
    list_items_shown: int = 10  # items marked after a sentence that opens a list ("... er:")
    list_item_words: int = 60  # a longer piece is running text, not a list item
    stem_weight: float = 1.0  # a shared word stem counts fully ...
    gram_weight: float = 0.25  # ... a shared character n-gram a quarter (a word has several)
    position_penalty: float = 0.01  # per piece: earlier pieces win exact ties
    # shared words and the sentence's cosine with the question (the index's stored windows), min-max scaled over
    # the passage, weigh alike: the sentence that means what is asked, not only the one sharing most words; 0.3
    # and 0.7 measured a question or two below 0.5 (docs/ranking.md, "Answer sentences"); 0 = shared words only
    closeness_weight: float = 0.5
    # a question asking how long, how soon, how many, what it costs: a sentence stating a number, an amount or a
    # period gains this share of the best sentence's score (qa.intent.asks_quantity; docs/ranking.md, "Answer
    # sentences"); 0 = off
    quantity_weight: float = 0.6


@dataclass(frozen=True)
class DisplayConfig:
    """How the app words a confidence."""

    high: float = 0.8  # "høj / high" at or above
    medium: float = 0.5  # "middel / medium" at or above (the answer threshold); "lav / low" below


@dataclass(frozen=True)
class LegalConfig:
    """Questions that name a provision ("forvaltningslovens § 19"; ``qa/legalref.py``)."""

    enabled: bool = True  # put the named provision first; False = rank such questions like any other
    # act name vs title: 3 same word, 2 same start, else similarity; 0.75 keeps "kommunestyrelsesloven" ~ its act (0.88)
    min_name_score: float = 0.75
    max_pinned: int = 3  # passages of one provision put first (a long § spans several)
    # a resolved lookup is answered: the provision exists, though the signals see "§ 9" as an empty question
    confidence: float = 0.95
    # a named provision the named act does not have ("forvaltningslovens § 999"): the passages shown are not it,
    # whatever else they match, so the verdict is a doubt at no more than this, and says which provision is missing
    absent_confidence: float = 0.05
    # an act named in English ("the Public Administration Act"): its translated words must cover this much of the
    # act's name, and this much more than any other act's that holds them all; below either the question is
    # searched. 29 of 40 English names of the 316 acts resolve so, none wrongly (35 with the names the terms know
    # whole); lower, "Building Act" would take "lov om fremme af energibesparelser i bygninger" (0.26) (docs/legal.md)
    english_min_cover: float = 0.3
    english_margin: float = 0.1
    # an acronym no title holds ("CPR-loven", "cvr-loven") names the act that writes it this many times as often as
    # any other, and at least ``acronym_min_uses`` times: the CPR act writes "CPR" 83 times, the next act 11 times;
    # "BBR", which no act is about, is written once each by three acts and names none
    acronym_margin: float = 3.0
    acronym_min_uses: int = 5


@dataclass(frozen=True)
class SpellingConfig:
    """Words of a question the collection does not know, respelled (``qa/spelling.py``)."""

    enabled: bool = True  # False = search every question as typed
    min_length: int = 3  # shorter words are left as typed ("aa" may be å or a typo)
    # (word length from, edits allowed): one slip in a word of 6+ letters, two in one of 10+; a shorter word is
    # only unfolded ("aar" -> år, "moede" -> møde), never edited: one edit turns most of them into another word
    max_edits: tuple[tuple[int, int], ...] = ((6, 1), (10, 2))
    candidates: int = 20  # the nearest words of each source (collection, language) weighed against each other
    min_passages: int = 3  # a stem in fewer passages is no respelling (typos and odd forms of the texts)
    # a word at least this frequent in the language (wordfreq's Zipf scale: 2 = once per 10 million words) is a
    # word, not a slip ("tjekke", "frisør": words the acts never use, one edit from stems they do); wordfreq's
    # English list holds rarer slips too ("benfits" 1.1, "councill" 1.2), its Danish one nothing under 3
    word_zipf: float = 2.0
    candidate_zipf: float = 3.0  # the language's words a slip is respelled to: the common ones
    compound_part: int = 3  # a compound of two known words of at least this many letters is a word too
    # a typed word that is a word of the language is unfolded only to one this much commoner (Zipf: 2 = 100 times):
    # "aar" (3.9) to "år" (6.3), "paa" to "på", not "koen" (3.4, the cow) to "køn" (4.7)
    unfold_margin: float = 2.0


# what --no-answer-check (klynge ask/eval/serve, ui.py) does, in one place for both command lines
NO_CHECK_HELP = ("skip the answer check: ~80 ms less a question, at the cost of more wrong answers where the "
                 "documents have none (docs/ranking.md, '6. The answer check')")


@dataclass(frozen=True)
class RankingConfig:
    weights: dict[str, FusionWeights] = field(default_factory=_default_weights)
    # English weights at zero vocabulary overlap (no word for BM25 to match), interpolated by the share known
    foreign_weights: FusionWeights | None = field(default_factory=lambda: FusionWeights(0.85, 0.0, 0.15))
    foreign_langs: tuple[str, ...] = ("en",)  # languages whose weights are interpolated so
    # English over a collection without a glossary goes through the general dictionary (never merged with a
    # collection's glossary): FreeDict when installed and the public terms below; False = neither
    dictionary: bool = True
    # in front of it, the project's list of public-administration terms (qa/data/public_en_da.tsv): the words English
    # questions about Danish law turn on, which FreeDict lacks or gives loose senses of; False = FreeDict alone
    public_terms: bool = True
    # under those terms, frequent English words FreeDict lacks (qa/data/everyday_en_da.tsv: "staff" -> personale,
    # "household" -> husstand); FreeDict has ~5,500 headwords; False = without them
    everyday_words: bool = True
    # a word through that dictionary is one lexical group: in each passage, its best-matching sense counts, not
    # all of them summed ("on" has ten senses; summed, they outweighed "ældreråd"); a glossary's terms are
    # summed as before, each a right word (docs/ranking.md, "1. The question"); False = every sense summed
    structured_senses: bool = True
    # Danish questions in a Danish collection: a lay word's formal terms (qa/data/lay_da.tsv: "byråd" ->
    # kommunalbestyrelse) added to the lexical query; the words people use are not the words acts use (qa/lay.py)
    lay_terms: bool = True
    # ... and in brackets after the question the model embeds, so its vector points at the acts' wording too (one
    # pass as before; laws-dev da act@1 .82 -> .84, nothing lower on the shipped or squad sets); False = lexical only
    lay_terms_embedded: bool = True
    # English through that dictionary: its many loose senses are weaker lexical evidence than a glossary's
    dictionary_weights: dict[str, FusionWeights] = field(
        default_factory=lambda: {"en": FusionWeights(0.35, 0.40, 0.25)})
    default_lang: str = "da"  # recipe for a language without weights: the collection's own language
    # without a sparse head, its weight goes to dense and lexical in halves, so fused scores keep their range
    redistribute_missing_sparse: bool = True
    # own-language questions: BM25 keeps its full weight only if a top passage holds this share of the words; 0 = off
    lexical_coverage: float = 0.75
    # ... and, short of that share, only as far as its evidence is specific: its weight is scaled further by
    # (s1 - s10) / s1 of its best scores over this (at most 1): flat scores are everyday words matching
    # everywhere (docs/ranking.md, "Lexical specificity"); 0 = off
    lexical_specificity: float = 0.8
    # ... and a question a top passage covers keeps it only as far as its best scores stand out by this much
    # ((s1 - s10) / s1 over this, at most 1): a terse search string ("hvor længe medlem af a-kasse før dagpenge")
    # is covered by every § of its act that repeats its words, and BM25 then ranks them by how often and how
    # briefly they say them. All 316 acts, Danish, 494 questions: 5 rose, 0 fell (one lost its act at hit 1);
    # shipped and squad-da-dev the same. 0.3: 9 / 0, but the shipped dev set's Danish MRR .969 -> .927 (a
    # question worded like its passage in common words); 0.45: 8 / 3 (docs/ranking.md, "Lexical specificity");
    # 0 = off
    covered_specificity: float = 0.2
    coverage_depth: int = 5
    # the fused top get + this × the IDF-weighted share of the question's word pairs standing side by side; 0 = off
    proximity: float = 0.2
    proximity_depth: int = 10  # the fused top this many get it (deeper measured alike)
    # passages' words kept for coverage and word pairs (~6 MB): passages met again are not read again
    words_cache: int = 2048
    # own-language questions: the checked hits get + this × their answer sentence's cosine and are reordered; 0 = off
    answer_rerank: float = 0.25
    year_prior: float = 0.10  # documents a question names by year (qa/intent.py); 0 = off
    # taken from acts for Greenland or the Faroe Islands only (qa/intent.py) when the question names neither:
    # near-copies of the Danish acts that outrank them; 0.2 and 0.3 measured the same, 0.1 half of it; 0 = off
    territorial_prior: float = 0.20
    # a document of many passages has more chances of one that scores high by chance (the best of n draws grows
    # with n): each passage loses size_prior x its document's z-score of log(passage count), where above 0 (a
    # small document is not lifted: that flipped a toss-up in the shipped texts); 0.02 cost squad-da-dev a
    # question; 0 = off
    size_prior: float = 0.01
    # a passage of an act + this × (the question's cosine with the act's opening, its title and § 1, less that
    # cosine's mean over the candidates' acts): the act a question belongs to (qa/docpriors.py). Acts only (an
    # opening prior over other texts cost the shipped texts and squad-da-dev); questions in the collection's
    # language only (English over the acts: MRR up on two sets, down on laws-dev-acts, its verdicts worse);
    # 2.0 against 1.0 on the acts' 305 Danish questions: right act first for 6 more, 1 fewer (1.5: 2 / 0; 3.0:
    # 9 / 4, more churn); collections without acts are untouched by construction; 0 = off
    scope_prior: float = 2.0
    # a passage + this × (its whole document's BM25 for the question without its names, as a share of the best
    # candidate document's, less that share's mean over the candidates' documents): the document that holds the
    # question's words at all, wherever they stand (qa/docpriors.py). Questions in the collection's language only
    # (English through the dictionary: laws-everyday en MRR .438 → .399, shipped dev en .906 → .823); 0.1 and
    # 0.2 measured alike, 0.3 lower on laws-everyday; 0 = off
    document_lexical: float = 0.15
    list_boost: float = 0.10  # passages with a list as long as the count asked for (qa/intent.py); 0 = off
    depth_min: int = 100  # candidates from each retriever: max(depth_min, depth_per_k * k) ...
    depth_per_k: int = 10  # ... deep enough that fusion sees what either signal ranks high
    pool_min: int = 30  # fused candidates kept before near-duplicates are merged: max(pool_min, ...
    pool_per_k: int = 3  # ... pool_per_k * k), so merging never leaves fewer than k hits
    dedupe_overlap: float = 0.8  # share of shared 5-word shingles that makes two passages one hit
    confidence: ConfidenceConfig = field(default_factory=ConfidenceConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    legal: LegalConfig = field(default_factory=LegalConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    spelling: SpellingConfig = field(default_factory=SpellingConfig)

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

    def by_coverage(self, w: FusionWeights, coverage: float, specificity: float) -> FusionWeights:
        """``w`` with the lexical weight scaled by ``coverage / lexical_coverage`` and by
        ``specificity / lexical_specificity`` (each at most 1), the rest moved to dense; when ``coverage``
        reaches ``lexical_coverage``, scaled only by ``specificity / covered_specificity`` (at most 1)."""
        if self.lexical_coverage <= 0:
            return w
        if coverage >= self.lexical_coverage:
            if self.covered_specificity <= 0:
                return w
            trust = min(1.0, max(0.0, specificity) / self.covered_specificity)
        else:
            trust = max(0.0, coverage) / self.lexical_coverage
            if self.lexical_specificity > 0:
                trust *= min(1.0, max(0.0, specificity) / self.lexical_specificity)
        moved = w.lexical * (1.0 - trust)
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
