"""How much of a question a passage holds (qa/match.py) and how ranking uses it: the lexical signal
weighed by its coverage of the question, consecutive question words side by side (proximity)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer import build_index
from indexer.store.tokens import stem_token, tokenize
from qa import DEFAULT_CONFIG, FusionWeights, Searcher
from qa.match import (
    WordPairs,
    content_words,
    coverage,
    densest_window,
    proximity,
    question_terms,
    text_words,
    translated_terms,
    word_pairs,
)
from qa.rank import fuse, lexical_specificity
from qa.translate import translate

from .conftest import FakeEmbedder, write_corpus


def test_coverage_counts_stems_and_compound_parts() -> None:
    assert coverage(question_terms("spirende klynger"), ["Regionerne støtter spirende klynger."]) == 1.0
    assert coverage(question_terms("spirende klynger"), ["Regionerne støtter nye netværk."]) == 0.0
    # a word inside a compound counts by the share of its 4-grams there (at least 0.6 of them), a stopword
    # never counts
    assert 0.5 < coverage(question_terms("organisationer og klynger"), ["klyngeorganisationer"]) < 1.0
    assert coverage(question_terms("organisationer"), ["klyngeorganisationer"]) > coverage(question_terms("klynger"), ["klyngeorganisationer"]) > 0
    assert coverage(question_terms("klynger"), ["klyngen"]) == 1.0  # the same stem
    assert coverage(question_terms("og i"), ["og i"]) == 0.0


def test_a_translated_word_counts_through_any_of_its_senses() -> None:
    glossary = {"support": ("støtte", "understøtte", "støtter"), "emerging clusters": ("spirende klynger",)}
    terms = translated_terms(translate("Who supports emerging clusters?", glossary))
    assert terms == ((("støtte",), ("understøtte",), ("støtter",)), (("spirende", "klynger"),))  # "who": no term
    text = ["Kommunerne støtter spirende klynger."]
    assert coverage(terms, text) == 1.0  # one sense of "supports" is enough
    assert coverage(question_terms("støtte understøtte støtter spirende klynger"), text) < 1.0  # as a bag: not
    assert coverage(terms, ["Kommunerne støtter klynger."]) == pytest.approx(0.75)  # half of the phrase


def _pair(a: str, b: str) -> frozenset[tuple[str, str]]:
    return frozenset({(stem_token(a), stem_token(b))})


def test_word_pairs_are_consecutive_content_words_weighted_by_idf() -> None:
    idf = {stem_token("første"): 1.0, stem_token("udtræksprøve"): 3.0, stem_token("januar"): 2.0}.get
    terms = question_terms("Hvornår fandt den første udtræksprøve sted i januar?")
    q = word_pairs(terms, lambda t: idf(t) or 0.0)
    assert q.pairs[0] == _pair("fandt", "første")  # "den" is a stopword: not a word between
    assert _pair("første", "udtræksprøve") in q.pairs
    assert sum(q.weights) == pytest.approx(1.0)
    heavy = q.weights[q.pairs.index(_pair("første", "udtræksprøve"))]
    assert heavy == max(q.weights)  # the pair with the rare word weighs most
    assert word_pairs(question_terms("klynger"), lambda t: 1.0).pairs == ()  # one word: no pairs
    assert _pair("apollo", "1") in word_pairs(question_terms("Apollo 1 ulykken"), lambda t: 1.0).pairs  # numbers count


def test_proximity_is_the_share_of_pairs_side_by_side() -> None:
    q = word_pairs(question_terms("første udtræksprøve januar"), lambda t: 1.0)
    together = text_words("Den første udtræksprøve var i januar 1967.")  # "var i" are stopwords
    apart = text_words("Udtræksprøve nummer et, den første af dem, i januar.")
    assert proximity(q, together) == pytest.approx(1.0)
    assert proximity(q, apart) == 0.0
    half = text_words("Den første udtræksprøve. Senere kom marts og januar.")
    assert proximity(q, half) == pytest.approx(0.5)


def test_translated_words_are_side_by_side_through_any_of_their_senses() -> None:
    glossary = {"support": ("støtte", "understøtte"), "emerging clusters": ("spirende klynger",),
                "local": ("lokale",)}
    q = word_pairs(translated_terms(translate("supports local emerging clusters", glossary)), lambda t: 1.0)
    assert q.pairs[0] == _pair("støtte", "lokale") | _pair("understøtte", "lokale")
    assert q.pairs[1] == _pair("lokale", "spirende")  # a phrase joins by its first word ...
    text = text_words("Kommunerne skal understøtte lokale og spirende klynger.")
    assert proximity(q, text) == pytest.approx(1.0)  # ... one sense is enough; "og" is a stopword
    assert proximity(q, text_words("Lokale klynger kan understøtte spirende virksomheder.")) == 0.0


def test_lexical_weight_follows_its_coverage_of_the_question() -> None:
    c = DEFAULT_CONFIG
    w = c.weights["da"]
    specific = c.covered_specificity
    assert c.by_coverage(w, 1.0, specific) == w and c.by_coverage(w, c.lexical_coverage, specific) == w
    none = c.by_coverage(w, 0.0, 1.0)
    assert none == FusionWeights(w.dense + w.lexical, 0.0, w.sparse)  # nothing covered: dense carries it
    half = c.by_coverage(w, c.lexical_coverage / 2, 1.0)
    assert half.lexical == pytest.approx(w.lexical / 2) and half.dense == pytest.approx(w.dense + w.lexical / 2)
    assert dataclasses.replace(c, lexical_coverage=0.0).by_coverage(w, 0.0, 0.0) == w  # off


def test_lexical_weight_short_of_coverage_also_follows_its_specificity() -> None:
    c = DEFAULT_CONFIG
    w = c.weights["da"]
    half = c.lexical_coverage / 2
    assert c.by_coverage(w, half, c.lexical_specificity) == c.by_coverage(w, half, 1.0)  # specific enough: coverage only
    flat = c.by_coverage(w, half, c.lexical_specificity / 2)  # half as specific: half the lexical weight again
    assert flat.lexical == pytest.approx(w.lexical / 4) and flat.dense == pytest.approx(w.dense + 3 * w.lexical / 4)
    assert c.by_coverage(w, c.lexical_coverage, c.covered_specificity) == w  # a top passage holds the question
    assert dataclasses.replace(c, lexical_specificity=0.0).by_coverage(w, half, 0.0) == c.by_coverage(w, half, 1.0)  # off


def test_a_covered_question_keeps_lexical_weight_as_far_as_its_best_scores_stand_out() -> None:
    """A terse search string is covered by every passage that repeats its words: when the best lexical score
    stands out from the tenth by less than ``covered_specificity``, its weight is scaled by how far it does."""
    c = DEFAULT_CONFIG
    w = c.weights["da"]
    assert c.covered_specificity > 0
    assert c.by_coverage(w, 1.0, 1.0) == c.by_coverage(w, 1.0, c.covered_specificity) == w
    flat = c.by_coverage(w, 1.0, c.covered_specificity / 2)  # half as specific: half the lexical weight
    assert flat.lexical == pytest.approx(w.lexical / 2) and flat.dense == pytest.approx(w.dense + w.lexical / 2)
    assert c.by_coverage(w, 1.0, 0.0) == FusionWeights(w.dense + w.lexical, 0.0, w.sparse)  # all alike: dense decides
    assert c.by_coverage(w, 1.0, c.covered_specificity / 2) == c.by_coverage(w, c.lexical_coverage, c.covered_specificity / 2)
    assert dataclasses.replace(c, covered_specificity=0.0).by_coverage(w, 1.0, 0.0) == w  # off


def test_lexical_specificity_is_how_far_the_best_score_stands_out() -> None:
    assert lexical_specificity(np.array([4.0] + [1.0] * 20, dtype=np.float32)) == pytest.approx(0.75)
    assert lexical_specificity(np.full(20, 3.0, dtype=np.float32)) == 0.0  # everyday words: all alike
    assert lexical_specificity(np.array([2.0, 0.0], dtype=np.float32)) == 1.0  # fewer than ten: the last
    assert lexical_specificity(np.zeros(5, dtype=np.float32)) == 0.0  # nothing matched
    assert lexical_specificity(np.zeros(0, dtype=np.float32)) == 0.0


DOCS = {
    "a.md": "## Prøver\n\nPrøven blev kørt i januar; den første prøve af systemet var en udtræksprøve, en kort udtræksprøve.\n",
    "b.md": "## Forsøg\n\nDen første udtræksprøve blev kørt i januar, og prøven af systemet var en prøve.\n",
    "c.md": "## Andet\n\nMøbelsamlingen viser stole og borde fra mange lande og perioder.\n",
}


@pytest.fixture(scope="module")
def order_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("order")
    build_index(write_corpus(tmp / "c", DOCS), tmp / "i", FakeEmbedder(), progress=False)
    return tmp / "i"


def _ranked_docs(s: Searcher, question: str) -> list[str]:
    q = s.ranker.analyse(question, "da", s.embedder.embed_queries([question])[0], None)
    return [s.index.passages[c.idx].doc_id for c in s.ranker.rank(q, 3)]


def test_the_passage_that_says_the_phrase_ranks_first(order_index: Path) -> None:
    question = "Hvornår blev den første udtræksprøve kørt?"
    strong = dataclasses.replace(DEFAULT_CONFIG, proximity=1.0)
    s = Searcher(order_index, config=strong)
    q = s.ranker.analyse(question, "da", s.embedder.embed_queries([question])[0], None)
    ids = np.array([i for i, p in enumerate(s.index.passages) if p.doc_id in ("a", "b")])
    prox = dict(zip((s.index.passages[i].doc_id for i in ids), s.ranker.proximity(q, ids), strict=True))
    assert prox["b"] == pytest.approx(1.0) and prox["a"] < 0.5  # the same words; only b keeps their order
    off = Searcher(order_index, config=dataclasses.replace(DEFAULT_CONFIG, proximity=0.0))
    assert _ranked_docs(off, question)[:2] == ["a", "b"]  # a says "udtræksprøve" twice: BM25 prefers it
    assert _ranked_docs(s, question)[:2] == ["b", "a"]  # b says the question's phrase


def test_fusion_uses_the_weights_the_coverage_gives(order_index: Path) -> None:
    # fusion alone: no reordering after it, and no document prior added to it
    s = Searcher(order_index, config=dataclasses.replace(DEFAULT_CONFIG, proximity=0.0, document_lexical=0.0))
    question = "Møbelsamlingen med lamper tæpper spejle ure"  # the lexical top holds one word of five
    q = s.ranker.analyse(question, "da", s.embedder.embed_queries([question])[0], None)
    sig = s.ranker.retrieve(q, 3)
    cov = s.ranker.lexical_coverage(q, sig)
    assert cov == pytest.approx(0.2)
    want = fuse(sig, DEFAULT_CONFIG.by_coverage(DEFAULT_CONFIG.weights["da"], cov, lexical_specificity(sig.lexical)))
    got = {c.idx: c.score for c in s.ranker.rank(q, 3)}
    assert got == {int(i): pytest.approx(float(v)) for i, v in zip(sig.ids, want, strict=True)}
    # a stricter demand on its specificity moves more of the lexical weight to dense
    strict = dataclasses.replace(s.config, lexical_specificity=4.0)
    w_strict = strict.by_coverage(strict.weights["da"], cov, lexical_specificity(sig.lexical))
    assert w_strict.lexical < DEFAULT_CONFIG.by_coverage(DEFAULT_CONFIG.weights["da"], cov, 1.0).lexical
    got = {c.idx: c.score for c in Searcher(s.index, s.embedder, strict).ranker.rank(q, 3)}
    assert got == {int(i): pytest.approx(float(v)) for i, v in zip(sig.ids, fuse(sig, w_strict), strict=True)}
    # a question in another language than the collection's keeps its weights (its words are translations;
    # through the general dictionary, when it is installed, the dictionary's weights)
    en = s.ranker.analyse(question, "en", q.vector, None)
    sig_en = s.ranker.retrieve(en, 3)
    want_en = fuse(sig_en, DEFAULT_CONFIG.weights_for("en", en.overlap, en.dictionary))
    got_en = {c.idx: c.score for c in s.ranker.rank(en, 3)}
    assert got_en == {int(i): pytest.approx(float(v)) for i, v in zip(sig_en.ids, want_en, strict=True)}


def test_the_densest_window_of_a_long_sentence_holds_the_questions_words() -> None:
    filler = " ".join(f"ord{i}" for i in range(40))
    text = f"{filler} Erhvervsministeriet støtter spirende klynger med midler {filler}"
    assert densest_window("Kort sætning om klynger.", "klynger", 10) == "Kort sætning om klynger."
    window = densest_window(text, "Hvem støtter spirende klynger?", 8)
    assert len(window.split()) == 8 and "støtter spirende klynger" in window
    assert densest_window(text, "noget helt andet", 8) == " ".join(text.split()[:8])  # no match: the start


_WORDS = ["klynger", "klyngeorganisationer", "spirende", "støtte", "understøtter", "og", "i", "af", "råd", "by",
          "AS-258", "CO2", "1967", "3,5", "Apollo", "1", "første", "udtræksprøve", "kommunerne", "netværk", "Øst"]


def _share_side_by_side(q: WordPairs, text: str) -> float:
    """What word pairs meant before texts were read once: the share of ``q``'s pairs among the stem pairs of
    ``text``'s consecutive content words."""
    stems = [stem_token(w) for w in content_words(text)]
    adjacent = set(zip(stems, stems[1:], strict=False))
    return sum(w for p, w in zip(q.pairs, q.weights, strict=True) if p & adjacent)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=25), st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6),
       st.sampled_from([" ", ", ", ". ", " - "]))
@example(["spirende", "klyngeorganisationer", "og", "råd"], ["spirende", "klynger", "by"], " ")  # a stem that
# starts another is not that word
def test_a_text_read_once_matches_as_its_tokens_do(passage_words: list[str], question_words: list[str],
                                                   sep: str) -> None:
    # what coverage and word pairs meant before texts were read once: the set of the text's lexical tokens,
    # and the stem pairs of its consecutive content words
    text, question = sep.join(passage_words), " ".join(question_words)
    tokens = set(tokenize(text))
    read = text_words(text)
    for token in {t for w in content_words(question) for t in tokenize(w)}:
        assert read.has(token) == (token in tokens), token
    q = word_pairs(question_terms(question), lambda t: 1.0)
    assert proximity(q, read) == pytest.approx(_share_side_by_side(q, text))


def test_coverage_and_pairs_of_the_shipped_passages_read_once_match_their_tokens(shipped_fake_index: Path) -> None:
    s = Searcher(shipped_fake_index)
    question = "Hvem har det primære ansvar for at understøtte lokale og spirende klynger i 2016?"
    terms = question_terms(question)
    pairs = word_pairs(terms, lambda t: 1.0)
    for i, p in enumerate(s.index.passages):
        tokens = set(tokenize(p.text))
        read = s.ranker.passage_words(i)
        assert all(read.has(t) == (t in tokens) for w in content_words(question) for t in tokenize(w))
        assert proximity(pairs, read) == pytest.approx(_share_side_by_side(pairs, p.text))
    assert s.ranker.passage_words(0) is s.ranker.passage_words(0)  # kept, not read again
