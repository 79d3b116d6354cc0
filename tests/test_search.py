"""Search mechanics with the fake embedder: ranking, filters, answers, citations, bad queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.reading.collection import read_glossary
from qa import Filters, QueryError, Searcher, detect_lang
from qa.answer import answer_units, best_sentences
from qa.config import AnswerConfig
from qa.rank import Candidate, dedupe
from qa.search import clean_query
from qa.translate import to_danish

from .conftest import CORPUS


@pytest.fixture(scope="module")
def shipped(shipped_fake_index: Path) -> Searcher:
    return Searcher(shipped_fake_index)


def test_search_returns_ranked_hits(shipped: Searcher) -> None:
    res = shipped.search("Hvor mange landsdækkende klynger lægger loven op til?", k=5)
    assert 0 < len(res.hits) <= 5
    assert [h.rank for h in res.hits] == list(range(1, len(res.hits) + 1))
    assert [h.score for h in res.hits] == sorted((h.score for h in res.hits), reverse=True)
    assert any("10-12 landsdækkende klynger" in h.passage.text for h in res.hits[:3])


def test_search_many_matches_search(shipped: Searcher) -> None:
    qs = ["Har Klyngeforum beslutningskompetence?", "Hvad er Cluster Excellence Denmark?"]
    many = shipped.search_many(qs, k=3)
    for q, r in zip(qs, many, strict=True):
        assert [h.passage.passage_id for h in r.hits] == [h.passage.passage_id for h in shipped.search(q, k=3).hits]


def test_filters_by_document_kind_and_year(shipped: Searcher) -> None:
    res = shipped.search("klynger", k=10, filters=Filters(doc_ids=("de-danske-klynger",)))
    assert res.hits and {h.passage.doc_id for h in res.hits} == {"de-danske-klynger"}
    res = shipped.search("klynger", k=10, filters=Filters(kinds=("strategy",)))
    assert {h.passage.doc_id for h in res.hits} == {"klyngestrategi-2.0-2016-2018"}
    res = shipped.search("klynger", k=10, filters=Filters(years=(2013,)))
    assert {h.passage.doc_id for h in res.hits} <= {"roller-ansvar-principper-klyngeindsatsen-2013", "klynger-innovationsloeft-2013"}


def test_candidates_follow_the_filter_not_the_collection(shipped_fake_index: Path) -> None:
    """Fusion sees the dense and lexical top ``depth`` (not the whole collection); a filter takes its own
    top, so a document that ranks nowhere overall still answers when it is the one asked about."""
    import dataclasses

    from qa import DEFAULT_CONFIG

    narrow = Searcher(shipped_fake_index, config=dataclasses.replace(DEFAULT_CONFIG, depth_min=3, depth_per_k=1))
    q = "klynger og innovation"
    s = narrow.ranker.retrieve(narrow.ranker.analyse(q, "da", narrow.embedder.embed_queries([q])[0], None), k=3)
    assert 3 <= len(s.ids) <= 6 < narrow.ranker.n  # dense top 3 plus lexical top 3
    docs = {p.doc_id for p in narrow.index.passages}
    overall = {h.passage.doc_id for h in narrow.search(q, k=3).hits}
    other = sorted(docs - overall)[0]
    res = narrow.search(q, k=3, filters=Filters(doc_ids=(other,)))
    assert len(res.hits) == 3 and {h.passage.doc_id for h in res.hits} == {other}


def test_hits_carry_memo_citations(shipped: Searcher) -> None:
    res = shipped.search("Statens klynge- og netværksindsats Uddannelses- og Forskningsministeriet ansvarlig", k=5)
    pdf_hits = [h for h in res.hits if h.passage.page is not None]
    assert pdf_hits
    cit = pdf_hits[0].citation
    assert cit.startswith("Klyngestrategi 2.0 – Strategi for Danmarks klynge- og netværksindsats 2016-2018 (Klyngeforum, 2016), s. ")
    assert ', afsnit "' in cit
    data = res.to_json()
    assert set(data) == {"question", "lang", "answered", "confidence", "unmentioned", "now_unmentioned",
                         "absent_provision", "respelled", "hits"}
    assert {"rank", "score", "doc_id", "title", "section", "page", "passage_id", "text", "answer", "citation"} <= set(data["hits"][0])


@pytest.mark.parametrize("q", ["", "   ", "\x00\x00", "\n\t"])
def test_empty_questions_are_refused(shipped: Searcher, q: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        shipped.search(q)


def test_odd_queries_are_answered(shipped: Searcher) -> None:
    for q in ["<img src=x onerror=alert(1)>", "klynge" * 2000, "Hvad er å?\u0000", "кластер 集群 klynge"]:
        res = shipped.search(q, k=3)
        assert [h.rank for h in res.hits] == [1, 2, 3]  # dense search always has candidates
        assert all(h.citation for h in res.hits) and json.dumps(res.to_json())


def test_nfc_and_nfd_give_the_same_results(shipped: Searcher) -> None:
    import unicodedata

    q = "Hvad er målet for klyngernes årlige innovationer?"
    a = shipped.search(unicodedata.normalize("NFC", q), k=5)
    b = shipped.search(unicodedata.normalize("NFD", q), k=5)
    assert [h.passage.passage_id for h in a.hits] == [h.passage.passage_id for h in b.hits]


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=300))
def test_clean_query_never_crashes(text: str) -> None:
    try:
        out = clean_query(text)
    except QueryError:
        return
    assert out and "\x00" not in out and len(out) <= 2000


def test_language_detection() -> None:
    assert detect_lang("Hvem støtter spirende klynger?") == "da"
    assert detect_lang("who supports emerging clusters?") == "en"
    assert detect_lang("Har Klyngeforum beslutningskompetence?") == "da"
    assert detect_lang("Does the cluster forum have formal decision-making power?") == "en"
    # terse search strings, no stopword in them: the words' own languages decide
    for text, lang in (("maternity leave father weeks", "en"), ("parking fine appeal", "en"), ("dog tax", "en"),
                       ("barsel far uger", "da"), ("hundeskat", "da"), ("byggetilladelse carport", "da"),
                       ("Can I get boligstøtte?", "en"), ("", "da")):
        assert detect_lang(text) == lang, text


def test_glossary_translation() -> None:
    g = read_glossary(CORPUS / "glossary_en_da.tsv")  # the shipped collection's glossary
    da = to_danish("Who supports emerging clusters?", g).split()
    assert {"spirende", "klynger", "støtte"} <= set(da)
    assert "grundfinansiering" in to_danish("public base funding", g)
    # longest phrase first, the plural of its last word stripped; unknown words kept as they are
    assert to_danish("cooperation projects with foreign Xylo", g).split() == [
        "samarbejdsprojekt", "samarbejdsprojekter", "with", "udenlandske", "udenlandsk", "xylo"]


def test_best_sentence_is_the_answering_one() -> None:
    text = ("Klynger er vigtige. De regionale vækstfora og kommunerne har det primære ansvar for understøttelse "
            "af lokale og spirende klynger. Staten har andre opgaver.")
    (s, e), = best_sentences("Hvem støtter spirende klynger?", text)
    assert text[s:e].startswith("De regionale vækstfora")


def test_a_sentence_closer_in_meaning_is_marked_over_one_sharing_more_words() -> None:
    """Shared words and closeness (a sentence's cosine with the question) weigh alike, each scaled over the
    passage; without closeness, with its weight 0, or with fewer than two sentences known: shared words alone."""
    text = ("Kommunalbestyrelsen træffer beslutning om, hvornår kommunalbestyrelsens møder skal afholdes. "
            "Ordinært møde afholdes som regel en gang om måneden.")
    q = "Hvor tit holder kommunalbestyrelsen møde?"
    first, second = answer_units(text)
    close = {first: 0.80, second: 0.88}
    shown = lambda spans: [text[slice(*sp)][:9] for sp in spans]  # noqa: E731
    assert shown(best_sentences(q, text)) == ["Kommunalb"]
    assert shown(best_sentences(q, text, closeness=lambda s, e: close[(s, e)])) == ["Ordinært "]
    assert shown(best_sentences(q, text, closeness=lambda s, e: close[(s, e)],
                                config=AnswerConfig(closeness_weight=0.0))) == ["Kommunalb"]
    assert shown(best_sentences(q, text, closeness=lambda s, e: 0.9 if (s, e) == second else None)) == ["Kommunalb"]
    # no shared word at all: the closest sentence, not the first
    assert shown(best_sentences("Xyz?", text, closeness=lambda s, e: close[(s, e)])) == ["Ordinært "]


def test_a_question_asking_how_long_marks_the_sentence_that_states_a_period() -> None:
    """ "Hvor hurtigt …" asks for a period: the sentence stating one ("senest 4 uger") is marked over the one
    sharing more of the question's words; a question asking for none, or the weight 0, keeps the words' choice."""
    text = ("Arbejdsgiveren skal indkalde en sygemeldt lønmodtager til en personlig samtale om sygefraværet, jf. § 7. "
            "Samtalen om sygefraværet skal holdes senest 4 uger efter den første sygedag.")
    q = "Hvor hurtigt skal arbejdsgiveren holde samtalen om sygefraværet?"
    shown = lambda spans: [text[slice(*sp)][:9] for sp in spans]  # noqa: E731
    assert shown(best_sentences(q, text)) == ["Arbejdsgi"]
    assert shown(best_sentences(q, text, quantity=True)) == ["Samtalen "]
    assert shown(best_sentences(q, text, quantity=True, config=AnswerConfig(quantity_weight=0.0))) == ["Arbejdsgi"]


def test_answer_sentences_skip_headings_and_show_the_items_of_a_list() -> None:
    text = ("Pejlemærker 2018\n\nDer opstilles følgende fem pejlemærker for indsatsen 2016-2018:\n\n"
            "1. Mindst 2.000 virksomheder har årligt udviklet nye innovationer\n\n"
            "2. Mindst 2.500 virksomheder deltager i samarbejdsprojekter\n\n6.\n\nAndet afsnit om noget andet.")
    spans = best_sentences("Hvilke pejlemærker er der for indsatsen 2016-2018?", text)
    shown = [text[s:e] for s, e in spans]
    assert shown[0] == "Der opstilles følgende fem pejlemærker for indsatsen 2016-2018:"
    assert shown[1].startswith("1. Mindst 2.000") and shown[2].startswith("2. Mindst 2.500")
    assert "Pejlemærker 2018" not in " ".join(shown)  # the heading is not an answer


def test_two_equally_good_sentences_are_both_marked() -> None:
    text = ("Regionerne og kommunerne har ansvaret for spirende klynger. Staten kan i nogle tilfælde også have "
            "ansvaret for spirende klynger. Helt andet emne om bredbånd og veje i landdistrikter.")
    shown = [text[s:e] for s, e in best_sentences("Hvem har ansvaret for spirende klynger?", text)]
    assert len(shown) == 2 and shown[0].startswith("Regionerne") and shown[1].startswith("Staten")
    one = [text[s:e] for s, e in best_sentences("Hvem har ansvaret for bredbånd i landdistrikter?", text)]
    assert one == ["Helt andet emne om bredbånd og veje i landdistrikter."]


def test_the_passage_heading_is_not_an_answer() -> None:
    text = "2. Klyngers funktioner og opgaver\n\nKlynger kan udfylde en række forskellige funktioner."
    assert answer_units(text, headings=("2. Klyngers funktioner og opgaver",)) == [(35, len(text))]
    assert len(answer_units(text)) == 2  # a numbered line alone reads like a list item


def test_rare_question_words_choose_the_answer_sentence() -> None:
    text = "Klyngeorganisationer samarbejder med andre klyngeorganisationer. Lønnen fastsættes af bestyrelsen."
    q = "Hvordan fastsættes løn i klyngeorganisationer?"
    flat = best_sentences(q, text)
    weighted = best_sentences(q, text, weight=lambda t: 10.0 if t in ("s:løn", "s:fastsæt") else 0.1)
    assert text[slice(*flat[0])].startswith("Klyngeorganisationer") and text[slice(*weighted[0])].startswith("Lønnen")


def test_near_duplicates_are_shown_once() -> None:
    from indexer import Passage

    t = "Den offentlige grundfinansiering bør gradvis nedtrappes i takt med, at klyngen modnes, siger alle parter i dag."
    ps = [Passage("a#1", "a", "A", 1, 1, "", 0, len(t), t), Passage("b#1", "b", "B", None, None, "", 0, len(t), t),
          Passage("c#1", "c", "C", None, None, "", 0, 5, "Andet")]
    out = dedupe([Candidate(0, 0.9, 0, 0, 0), Candidate(1, 0.8, 0, 0, 0), Candidate(2, 0.5, 0, 0, 0)], ps)
    assert [c.idx for c in out] == [0, 2] and out[0].also_in == (1,) and out[1].also_in == ()


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from("a b c d e f".split()), min_size=4, max_size=14), min_size=1, max_size=6),
       picks=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2), st.booleans()), min_size=1, max_size=25),
       limit=st.integers(1, 8))
def test_dedupe_with_a_limit_gives_the_first_hits_unchanged(texts: list[list[str]], picks: list[tuple[int, int, bool]],
                                                            limit: int) -> None:
    """Stopping at ``limit`` kept candidates changes nothing in those: same passages, same also_in."""
    from indexer import Passage

    ps = []
    for n, (t, doc, extra) in enumerate(picks):
        words = texts[t % len(texts)] + (["z"] if extra else [])  # near-copies: one word more
        text = " ".join(words)
        ps.append(Passage(f"d{doc}#{n}", f"d{doc}", "T", None, None, "", 0, len(text), text))
    ranked = [Candidate(i, 1.0 - i / 100, 0, 0, 0) for i in range(len(ps))]
    assert dedupe(ranked, ps, 0.8, limit=limit) == dedupe(ranked, ps, 0.8)[:limit]


def test_baselines_rank_real_hits(shipped: Searcher, tmp_path: Path) -> None:
    from qa.baselines import WordBM25, compare_baselines
    from qa.evaluate import load_questions

    res = WordBM25(shipped.index.passages).search("Klyngeforum formel beslutningskompetence", k=5)
    assert [h.rank for h in res.hits] == [1, 2, 3, 4, 5]
    assert [h.score for h in res.hits] == sorted((h.score for h in res.hits), reverse=True)
    assert "beslutningskompetence" in res.hits[0].passage.text
    qs = tmp_path / "q.jsonl"
    qs.write_text('{"id": "1", "question": "Har Klyngeforum formel beslutningskompetence?", '
                  '"expected": ["formel beslutningskompetence"], "lang": "da"}\n', encoding="utf-8")
    out = compare_baselines(shipped, load_questions(qs))
    assert set(out) == {"word BM25", "dense only (e5)"}
    assert out["word BM25"]["recall@5"] == 1.0 and "da:mrr@10" in out["dense only (e5)"]


def test_the_answer_check_reads_stored_windows_and_agrees_with_embedding_them_now(shipped_fake_index: Path) -> None:
    """A question's answer check takes its windows' vectors from the index (no model work beyond the
    question), and they are the vectors embedding the same windows now gives: same cosines, same verdicts.
    An index without stored windows (built before them) embeds them as it did. (Closeness off in both: without
    windows the marked sentences are the word-sharing ones, and the check reads the marked ones.)"""
    from dataclasses import replace

    from indexer import Index
    from qa import DEFAULT_CONFIG

    from .fake_embedder import FakeEmbedder

    words = replace(DEFAULT_CONFIG, answer=replace(DEFAULT_CONFIG.answer, closeness_weight=0.0))
    stored = Searcher(Index.load(shipped_fake_index), embedder=FakeEmbedder(), config=words)
    bare = Index.load(shipped_fake_index)
    bare.checks = None
    now = Searcher(bare, embedder=FakeEmbedder(), config=words)
    questions = ["Hvem har ansvaret for spirende klynger?", "Hvor mange landsdækkende klynger lægger loven op til?",
                 "Who finances the clusters?", "Hvad er Cluster Excellence Denmark?"]
    for q in questions:
        a, b = stored.search(q, k=5), now.search(q, k=5)
        assert a.features["answer_dense"] == pytest.approx(b.features["answer_dense"], abs=2e-3)
        assert (a.answered, [h.passage.passage_id for h in a.hits]) == (b.answered, [h.passage.passage_id for h in b.hits])
    assert stored.embedder.calls == len(questions)  # the questions themselves, nothing else
    assert now.embedder.calls > len(questions)


def test_marked_sentences_weigh_their_stored_windows_and_the_check_reads_them_in_the_collections_language(
        shipped_fake_index: Path) -> None:
    """With stored windows the marked sentence weighs its closeness (its closest window's cosine with the
    question). The answer check reads the marked sentences of a question in the collection's language, and
    for another the word-sharing ones its model was fitted on: an English question's verdict and hits are
    those without closeness."""
    from dataclasses import replace

    from indexer import Index
    from qa import DEFAULT_CONFIG

    from .fake_embedder import FakeEmbedder

    near = Searcher(Index.load(shipped_fake_index), embedder=FakeEmbedder())
    words = Searcher(Index.load(shipped_fake_index), embedder=FakeEmbedder(),
                     config=replace(DEFAULT_CONFIG, answer=replace(DEFAULT_CONFIG.answer, closeness_weight=0.0)))
    moved = 0
    for text in ["Hvem har ansvaret for spirende klynger?", "Hvor mange landsdækkende klynger lægger loven op til?",
                 "Hvad er Cluster Excellence Denmark?", "Hvordan måles klyngernes effekt?",
                 "Who finances the clusters?", "Who is responsible for emerging clusters?"]:
        a, b = near.search(text, k=5), words.search(text, k=5)
        moved += [h.answer for h in a.hits] != [h.answer for h in b.hits]
        if a.lang == "en":
            assert (a.features, a.answered, a.confidence) == (b.features, b.answered, b.confidence)
            assert [h.passage.passage_id for h in a.hits] == [h.passage.passage_id for h in b.hits]
    assert moved > 0
    v = near.embedder.encode_queries(["Hvem har ansvaret for spirende klynger?"], [], "raw").dense[0]
    for lang in ("da", "en"):
        q = near.ranker.analyse("Hvem har ansvaret for spirende klynger?", lang, v, None)
        ranked = near.ranker.rank(q, 5)
        shown = [near._answer_spans(q, c.idx, None) for c in ranked]
        sharing = [near._answer_spans(q, c.idx, None, close=False) for c in ranked[:3]]
        assert near._checked(q, ranked, shown) == (shown if lang == "da" else sharing)
    # the closeness of a sentence is the best cosine of the stored windows inside it
    checks = near.index.checks
    assert checks is not None
    rows = checks.windows(0)
    closeness = near._closeness(q, 0)
    assert closeness is not None
    (s, e) = rows[0][1]
    assert closeness(s, e) == pytest.approx(max(float(checks.vector(r) @ v) for r, (a, b) in rows if s <= a and b <= e))
    assert closeness(len(near.index.passages[0].text) + 1, len(near.index.passages[0].text) + 2) is None


def test_check_windows_cover_a_long_sentence_in_overlapping_runs() -> None:
    import random

    from indexer.reading.units import check_windows
    from qa.match import best_window

    rng = random.Random(7)
    words = ["".join(rng.choice("bcdfghjklmnprstv") + rng.choice("aeiouy") for _ in range(4)) for _ in range(100)]
    text = "Overskrift\n\n" + " ".join(words) + "."
    start = text.index(words[0])
    windows = check_windows(text, (start, len(text)), 64)
    assert [text[s:e].split()[0] for s, e in windows] == [words[0], words[32], words[36]]
    assert all(len(text[s:e].split()) == 64 for s, e in windows) and text[windows[-1][0]:windows[-1][1]].endswith(words[99] + ".")
    assert check_windows(text, (0, 10), 64) == [(0, 10)]  # a short unit is its own window
    assert best_window(text, list(enumerate(windows)), f"{words[97]} {words[98]} {words[99]}") == 2
    assert best_window(text, list(enumerate(windows)), words[40]) == 0  # in all three: the earliest
