"""Any collection: its own settings (collection.toml), a glossary as optional data, English questions
without one, and the calibrated "nothing found"."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from indexer import Index, build_index
from indexer.reading.collection import Collection, load_collection
from qa import DEFAULT_CONFIG, FusionWeights, Searcher
from qa.confidence import FEATURES, QUICK_FEATURES, assess
from qa.match import densest_window

from .conftest import MINI_DOCS, FakeEmbedder, write_corpus


def test_a_collection_without_settings_gets_a_plain_title_and_examples_from_its_documents(mini_index: Path) -> None:
    import ui

    s = Searcher(mini_index)
    assert s.index.collection == Collection()
    assert ui.titles_for(s) == {"da": "Søg i dokumenterne", "en": "Search the documents"}
    examples = ui.examples_for(s)
    assert len(examples) == 3 and all(e.startswith("Hvad står der om ") for e in examples)
    assert {e[len("Hvad står der om "):-1] for e in examples} == {d.title for d in s.documents.values()}


def test_examples_name_an_act_as_it_is_cited() -> None:
    import types

    import ui
    from indexer import Document

    docs = {d.doc_id: d for d in (
        Document("a", "a.txt", "Bekendtgørelse af lov om rettens pleje", "", n_passages=9),
        Document("b", "b.txt", "Bekendtgørelse af forvaltningsloven", "", n_passages=5),
        Document("c", "c.txt", "Strategi for klynger", "", n_passages=3))}
    searcher = types.SimpleNamespace(index=types.SimpleNamespace(collection=Collection()), documents=docs)
    assert ui.examples_for(searcher) == ["Hvad står der om lov om rettens pleje?", "Hvad står der om forvaltningsloven?",
                                         "Hvad står der om Strategi for klynger?"]
    assert ui.examples_for(searcher, "en")[0] == "What do the documents say about Lov om rettens pleje?"


def test_collection_settings_and_glossary_travel_with_the_index(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", {**MINI_DOCS,
                                           "collection.toml": 'title = "Min samling"\nexamples = ["Hvem har ansvaret?"]\n'
                                                              'glossary = "ord.tsv"\n',
                                           "ord.tsv": "# en -> da\nresponsibility\tansvar ansvaret\n"})
    report = build_index(corpus, tmp_path / "i", FakeEmbedder(), progress=False)
    assert "ord.tsv" not in {d["file"] for d in report.documents} and not report.skipped  # data, not a document
    s = Searcher(tmp_path / "i")
    assert s.index.collection.title == "Min samling" and s.index.collection.examples == ("Hvem har ansvaret?",)
    q = s.ranker.analyse("Who has the responsibility?", "en", s.embedder.embed_queries(["x"])[0], None)
    assert "ansvaret" in q.lexical.split()  # English through the collection's glossary


def test_a_broken_collection_file_is_reported_and_the_build_goes_on(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", {**MINI_DOCS, "collection.toml": "title = [unclosed\n"})
    report = build_index(corpus, tmp_path / "i", FakeEmbedder(), progress=False)
    assert len(report.documents) == 3
    assert [s["file"] for s in report.skipped] == [str(corpus / "collection.toml")]
    assert "not valid TOML" in report.skipped[0]["reason"]
    with pytest.raises(Exception, match="glossary"):
        (corpus / "collection.toml").write_text('glossary = "../../etc/passwd"\n', encoding="utf-8")
        load_collection(corpus)


def test_english_without_a_glossary_leans_on_the_multilingual_signals() -> None:
    c = DEFAULT_CONFIG
    assert c.weights_for("en", 1.0) == c.weights["en"]  # the question's words are the collection's
    none = c.weights_for("en", 0.0)
    assert none == c.foreign_weights and none.lexical < c.weights["en"].lexical
    half = c.weights_for("en", 0.5)
    assert half.lexical == pytest.approx((c.weights["en"].lexical + none.lexical) / 2)
    assert c.weights_for("da", 0.0) == c.weights["da"]  # Danish questions keep their recipe
    off = dataclasses.replace(c, foreign_weights=None)
    assert off.weights_for("en", 0.0) == FusionWeights(0.20, 0.55, 0.25)
    # through the general dictionary: its own recipe, more dense and less lexical than through a glossary
    d = c.weights_for("en", 1.0, dictionary=True)
    assert d == c.dictionary_weights["en"] and d.lexical < c.weights["en"].lexical and d.dense > c.weights["en"].dense
    assert c.weights_for("da", 1.0, dictionary=True) == c.weights["da"]  # no dictionary recipe for Danish


def test_a_question_is_marked_as_going_through_the_dictionary_only_without_a_glossary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Query.dictionary: an English question over a Danish collection without a glossary, when the general
    dictionary is there; never a Danish question, never through a collection's glossary."""
    from qa import rank

    monkeypatch.setattr(rank, "english_danish", lambda **_: {"responsibility": ("ansvar",)})
    plain = write_corpus(tmp_path / "p", MINI_DOCS)
    build_index(plain, tmp_path / "pi", FakeEmbedder(), progress=False)
    s = Searcher(tmp_path / "pi")
    v = s.embedder.embed_queries(["x"])[0]
    assert s.ranker.analyse("Who has the responsibility?", "en", v, None).dictionary
    assert not s.ranker.analyse("Hvem har ansvaret?", "da", v, None).dictionary
    own = write_corpus(tmp_path / "g", {**MINI_DOCS, "collection.toml": 'glossary = "ord.tsv"\n',
                                        "ord.tsv": "responsibility\tansvar\n"})
    build_index(own, tmp_path / "gi", FakeEmbedder(), progress=False)
    g = Searcher(tmp_path / "gi")
    assert not g.ranker.analyse("Who has the responsibility?", "en", v, None).dictionary


def test_overlap_measures_the_questions_words_in_the_collection(shipped_fake_index: Path) -> None:
    s = Searcher(shipped_fake_index)
    assert s.ranker.overlap("klynger og netværk") == 1.0
    assert s.ranker.overlap("quantum chromodynamics lattice") == 0.0


def test_confidence_rises_with_the_evidence(shipped_fake_index: Path) -> None:
    s = Searcher(shipped_fake_index)
    idx = Index.load(shipped_fake_index)
    q = s.ranker.analyse("Hvem støtter spirende klynger?", "da", s.embedder.embed_queries(["x"])[0], None)
    ranked = s.ranker.rank(q, 5)
    v = assess(q, ranked, idx.passages)  # no answer check: the quick models
    assert set(v.features) == set(QUICK_FEATURES) and 0.0 <= v.confidence <= 1.0
    better = [dataclasses.replace(c, dense=c.dense + 0.05) for c in ranked]
    assert assess(q, better, idx.passages).confidence > v.confidence  # a closer match is more likely an answer
    assert not assess(q, [], idx.passages).answered
    checked = assess(q, ranked, idx.passages, answer_dense=0.80)
    assert set(checked.features) == set(FEATURES) and checked.confidence != v.confidence
    # an answer sentence closer to the question than its passage is more likely an answer
    assert assess(q, ranked, idx.passages, answer_dense=0.85).confidence > checked.confidence


def _without_windows(index_dir: Path) -> Index:
    """The index as one built before the answer check's windows were stored: the check embeds them now."""
    index = Index.load(index_dir)
    index.checks = None
    return index


def test_the_answer_check_embeds_the_answer_sentences_of_the_best_hits(shipped_fake_index: Path) -> None:
    """On an index without stored windows: the check embeds them, one batch, and keeps them."""
    question = "Hvem støtter spirende klynger?"
    bare = _without_windows(shipped_fake_index)
    s = Searcher(bare)
    emb = s.embedder
    assert isinstance(emb, FakeEmbedder)
    before = emb.calls
    res = s.search(question, k=1)  # one hit shown, the check still reads the best three
    n = DEFAULT_CONFIG.confidence.answer_check
    assert emb.calls - before == 1 + n  # the question, then one batch of answer sentences
    qv = emb.embed_queries([question])[0]
    full = s.search(question, k=n)
    width = DEFAULT_CONFIG.confidence.answer_check_words
    sentences = [densest_window(h.passage.text[h.answer[0][0]:h.answer[0][1]], question, width) for h in full.hits]
    expected = max(float(v @ qv) for v in emb.embed_batch(sentences))
    assert res.features["answer_dense"] == pytest.approx(expected, abs=1e-6)
    assert res.confidence == pytest.approx(full.confidence) and "check" in res.timings

    before = emb.calls
    again = s.search(question, k=1)  # the same sentences: their vectors come from the searcher's cache
    assert emb.calls - before == 1 and again.features == res.features and again.confidence == res.confidence
    uncached = Searcher(bare, emb, dataclasses.replace(
        DEFAULT_CONFIG, confidence=dataclasses.replace(DEFAULT_CONFIG.confidence, answer_check_cache=0)))
    for _ in range(2):
        before = emb.calls
        assert uncached.search(question, k=1).features == res.features and emb.calls - before == 1 + n

    quick = Searcher(bare, config=DEFAULT_CONFIG.without_answer_check())
    before = quick.embedder.calls
    r0 = quick.search(question, k=1)
    assert quick.embedder.calls - before == 1 and set(r0.features) == set(QUICK_FEATURES)
    assert r0.confidence != pytest.approx(res.confidence)  # the other models decide


def test_result_cards_without_section_or_page_have_a_clean_meta_line(mini_index: Path) -> None:
    import re

    import ui

    res = Searcher(mini_index).search("Klyngeorganisationen faciliterer samarbejdet", k=3)
    metas = re.findall(r"<div class='k-meta'>([^<]*)</div>", ui.render_result(res, "da"))
    assert metas and all(m.startswith(("Afsnit: ", "s. ", "score ")) for m in metas), metas


def test_the_answer_check_reorders_the_hits_it_read_for_questions_in_the_collections_language(
        shipped_fake_index: Path) -> None:
    w = DEFAULT_CONFIG.answer_rerank
    assert w > 0
    bare = _without_windows(shipped_fake_index)  # the cosines below are of the windows embedded now
    s = Searcher(bare)
    plain = Searcher(bare, s.embedder, dataclasses.replace(DEFAULT_CONFIG, answer_rerank=0.0))
    n, width = DEFAULT_CONFIG.confidence.answer_check, DEFAULT_CONFIG.confidence.answer_check_words
    questions = ["Hvem støtter spirende klynger?", "Hvad er en klyngeorganisation?", "Hvordan finansieres klynger?",
                 "Hvem har ansvaret for world class klynger?", "Hvad gør Innovationsfonden?",
                 "Hvor mange klynger skal der være?", "Hvad er målet med klyngestrategien?", "Hvad er Klyngeforum?",
                 "Hvem finansierer klyngeorganisationerne?", "Hvad er en bronzeklynge?", "Hvilke klynger er landsdækkende?"]
    changed = 0
    for question, got, before in zip(questions, s.search_many(questions), plain.search_many(questions), strict=True):
        assert got.lang == "da" and got.confidence == before.confidence  # the same hits read, the same verdict
        assert got.hits[n:] == before.hits[n:]  # hits below those the check read stay where they were
        qv = s.embedder.embed_queries([question])[0]
        cos = {h.passage.passage_id: float(s.embedder.embed_batch(
            [densest_window(h.passage.text[h.answer[0][0]:h.answer[0][1]], question, width)])[0] @ qv)
            for h in before.hits[:n]}
        want = sorted(before.hits[:n], key=lambda h: -(h.score + w * cos[h.passage.passage_id]))
        assert [h.passage.passage_id for h in got.hits[:n]] == [h.passage.passage_id for h in want]
        for h in got.hits[:n]:
            old = next(b for b in before.hits[:n] if b.passage.passage_id == h.passage.passage_id)
            assert h.score == pytest.approx(old.score + w * cos[h.passage.passage_id], abs=1e-5)
            assert h.answer == old.answer  # each hit keeps its own answer sentence
        assert [h.score for h in got.hits] == sorted((h.score for h in got.hits), reverse=True)
        changed += [h.passage.passage_id for h in got.hits] != [h.passage.passage_id for h in before.hits]
    assert changed  # the reorder decided something on these questions

    english = "Who supports emerging clusters?"  # across languages the cosines are not compared so
    assert s.search(english).hits == plain.search(english).hits
    off = Searcher(bare, s.embedder, DEFAULT_CONFIG.without_answer_check())
    assert [h.passage.passage_id for h in off.search(questions[0]).hits] == \
        [h.passage.passage_id for h in plain.search(questions[0]).hits]  # no check, no reorder
