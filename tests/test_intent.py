"""Question form: years that name documents, counts that ask for lists, and what they do to ranking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from indexer import Document, Passage, build_index
from indexer.reading.read import read_document
from indexer.reading.split import split_document
from qa import DEFAULT_CONFIG, Searcher
from qa.intent import (
    DocumentYears,
    asked_count,
    asks_quantity,
    list_lengths,
    names_territory,
    states_quantity,
    territorial_documents,
    territory_named,
    years_in,
)

from .conftest import CORPUS, MINI_DOCS, FakeEmbedder, write_corpus


def _doc(doc_id: str, title: str, date: str = "") -> Document:
    return Document(doc_id, f"{doc_id}.txt", title, "", date=date, kind="strategy")


def _p(doc_id: str, start: int, text: str) -> Passage:
    return Passage(f"{doc_id}#{start}", doc_id, doc_id, None, None, "", start, start + len(text), text)


def test_years_and_periods() -> None:
    assert years_in("strategien 2016-2018") == {2016, 2017, 2018}
    assert years_in("fra 2013 til 2020 – 2021") == {2013, 2020, 2021}
    assert years_in("mindst 2.000 virksomheder, 1.500 i alt, 12,2019") == set()
    assert years_in("Klyngestrategi 2.0") == set()


def test_years_name_documents_and_leave_the_statement() -> None:
    docs = {"a": _doc("a", "Strategi 2016-2018", "2016"), "b": _doc("b", "Principper", "2013-11-05"),
            "c": _doc("c", "Uden år")}
    dy = DocumentYears(docs)
    s = dy.scope("What are the five focus areas of the 2016-2018 cluster strategy?")
    assert s.docs == {"a": 1.0} and s.years == {2016, 2017, 2018}
    assert s.without_years("fem indsatsområder 2016-2018 klyngestrategi") == "fem indsatsområder klyngestrategi"
    half = dy.scope("antal netværk i perioden 2013-2016")
    assert half.docs["a"] == pytest.approx(0.25) and half.docs["b"] == pytest.approx(0.25)
    # a period not wholly named by documents stays in the statement
    assert dy.scope("i perioden 2014-2018").without_years("i perioden 2014-2018") == "i perioden 2014-2018"
    assert not dy.scope("Hvem støtter spirende klynger?")
    assert not dy.scope("Hvad skete der i 1999?")


@pytest.mark.parametrize(("question", "lang", "n"), [
    ("What are the five focus areas of the 2016-2018 cluster strategy?", "en", 5),
    ("Hvilke tre indsatsområder havde den første strategi?", "da", 3),
    ("Which 4 initiatives are planned?", "en", 4),
    ("Hvilke to klynger fik mærket?", "da", 2),
    ("How do I apply to the fund?", "en", None),  # "to" is a preposition in English
    ("Hvor mange klynger er der ifølge Klyngestrategi 2.0?", "da", None),  # a version, not a count
    ("How many companies, 2.000 or 5%?", "en", None),
    ("Hvad sker der i 2018?", "da", None),
])
def test_asked_count(question: str, lang: str, n: int | None) -> None:
    assert asked_count(question, lang) == n


@pytest.mark.parametrize(("question", "asks"), [
    ("Hvor tit holder byrådet normalt møde?", True), ("Hvor hurtigt skal vi sende klagen videre?", True),
    ("Hvad koster det skyldneren, når der foretages udlæg?", True), ("Fra hvornår må plakaterne hænge?", True),
    ("How long is a rural zone permit valid?", True), ("What does a fit note cost the employer?", True),
    ("Hvem står i spidsen for valgbestyrelsen?", False), ("Can a company have its public debt forgiven?", False),
    ("When must the plan be revised?", True), ("From when do our payments go to the new account?", True),
    ("What happens when a tenant moves out?", False),
])
def test_a_question_asks_for_a_quantity(question: str, asks: bool) -> None:
    assert asks_quantity(question) is asks


@pytest.mark.parametrize(("sentence", "states"), [
    ("Ordinært møde afholdes som regel mindst en gang om måneden.", True),
    ("Samtalen skal holdes senest 4 uger efter den første sygedag.", True),
    ("Valgbestyrelsen består af mindst fem og højst syv medlemmer.", True),
    ("Kommunalbestyrelsen træffer afgørelse efter § 45, stk. 2, nr. 3, jf. §§ 16-20.", False),  # references only
    ("Lov om kommunernes styrelse, jf. lovbekendtgørelse nr. 13 af 5. januar 2026, § 8, 2. pkt.", False),
    ("Der må ikke 1) opføres bebyggelse i området eller 2) etableres veje.", False),  # list items' numbers
    ("Højden må ikke overstige 8,5 m.", True),
    ("Klagen sendes til Ankestyrelsen.", False),
])
def test_a_sentence_states_a_quantity(sentence: str, states: bool) -> None:
    assert states_quantity(sentence) is states


def test_list_lengths_follow_a_list_across_passages_but_not_documents() -> None:
    ps = [
        _p("a", 0, "Indsatsområder:\n\nA. Forskning\n\nB. Internationalisering"),
        _p("a", 60, "C. Økosystem\n\nD. Professionalisering\n\nE. Sammenhæng"),
        _p("a", 200, "Tekst uden liste."),
        _p("b", 0, "1. Et punkt\n\n2. Et andet punkt"),
        _p("b", 5000, "3. Et nummereret afsnit langt væk"),  # a numbered section heading, not the same list
        _p("c", 0, "2. Starter ikke med et\n\n3. så ingen liste"),
    ]
    assert list_lengths(ps).tolist() == [5, 5, 0, 2, 0, 0]


def test_the_shipped_focus_area_list_is_one_list_of_five() -> None:
    doc = read_document(CORPUS / "klyngestrategi-2.0-2016-2018.pdf")
    ps = split_document(doc)
    lengths = list_lengths(ps)
    i = next(i for i, p in enumerate(ps) if p.text.startswith("A. Klynger og netværk som brobygger"))
    assert lengths[i] == 5
    # the sentence that names the list ("de fem indsatsområder") stays with it (orphan control)
    assert "inden for de fem indsatsområder" in ps[i].text


DOCS: dict[str, str | bytes] = {
    **MINI_DOCS,  # other documents, so that scores spread as in a real corpus
    "plan-a.txt": "Strategi A\n\nMålet er, at mindst 500 virksomheder deltager i klyngesamarbejde om året.\n\n"
                  "Derudover skal der etableres nye netværk.",
    "plan-b.txt": "Strategi B\n\nMålet er, at mindst 900 virksomheder deltager i klyngesamarbejde om året.\n\n"
                  "Derudover skal der etableres flere netværk.",
    "documents.toml": '["plan-a.txt"]\ntitle = "Strategi A"\ndate = "2013"\n\n'
                      '["plan-b.txt"]\ntitle = "Strategi B"\ndate = "2020"\n',
}


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    root = tmp_path_factory.mktemp("plans")
    build_index(write_corpus(root / "corpus", DOCS), root / "index", FakeEmbedder(), progress=False)
    return Searcher(root / "index")


@pytest.mark.parametrize(("year", "doc"), [("2013", "plan-a"), ("2020", "plan-b")])
def test_a_year_in_the_question_prefers_the_document_of_that_year(two_plans: Searcher, year: str, doc: str) -> None:
    res = two_plans.search(f"Hvor mange virksomheder skal deltage i klyngesamarbejde ifølge strategien fra {year}?")
    assert res.hits[0].passage.doc_id == doc


def test_a_count_lifts_a_list_of_that_length(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {
        **MINI_DOCS,
        "liste.txt": "Indsatser\n\nA. Forskning og uddannelse\n\nB. Internationalisering\n\nC. Regionale økosystemer",
        "tekst.txt": "Om strategien\n\nStrategien beskriver indsatser for klynger og netværk i hele landet.",
    })
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    on = Searcher(tmp_path / "index")
    off = Searcher(on.index, config=replace(DEFAULT_CONFIG, list_boost=0.0))

    def scores(s: Searcher, q: str) -> dict[str, float]:
        return {h.passage.doc_id: h.score for h in s.search(q).hits}

    three, four = scores(on, "Hvilke tre indsatser har strategien?"), scores(on, "Hvilke fire indsatser har strategien?")
    boost = DEFAULT_CONFIG.list_boost
    three_off, four_off = scores(off, "Hvilke tre indsatser har strategien?"), scores(off, "Hvilke fire indsatser har strategien?")
    assert three["liste"] - three_off["liste"] == pytest.approx(boost)
    assert three["tekst"] == pytest.approx(three_off["tekst"])
    assert four == pytest.approx(four_off)  # a list of three is not what "four" asks for


def test_acts_for_greenland_or_the_faroe_islands_are_territorial() -> None:
    docs = {"a": _doc("a", "Bekendtgørelse af retsplejelov for Færøerne"), "b": _doc("b", "Lov om rettens pleje"),
            "c": _doc("c", "Bekendtgørelse af lov om folketingsvalg i Grønland"), "d": _doc("d", "Grønlandsk kunst")}
    assert territorial_documents(docs) == {"a", "c"}
    assert names_territory("Hvem dømmer på Færøerne?") and names_territory("elections in Greenland")
    assert not names_territory("Hvornår er der folketingsvalg?")
    assert [territory_named(q) for q in ("retsplejeloven for Grønland", "the Faroe Islands", "på Færøerne", "i Odense")] \
        == ["grønland", "færøerne", "færøerne", ""]


def test_a_territorial_act_yields_to_the_danish_one_unless_the_question_names_its_place(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {
        "dk.txt": "§ 1. Folketingsvalg skal afholdes senest fire år efter det forrige valg.",
        "gl.txt": "§ 1. Folketingsvalg holdes samtidig med valget i landet, og landsstyret sørger for valglisterne.",
        "documents.toml": '["dk.txt"]\ntitle = "Lov om folketingsvalg"\n\n'
                          '["gl.txt"]\ntitle = "Lov om folketingsvalg i Grønland"\n'})
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    on = Searcher(tmp_path / "index")
    off = Searcher(on.index, config=replace(DEFAULT_CONFIG, territorial_prior=0.0))

    def scores(s: Searcher, q: str) -> dict[str, float]:
        return {h.passage.doc_id: h.score for h in s.search(q).hits}

    q = "Hvornår skal der senest være folketingsvalg?"
    assert DEFAULT_CONFIG.territorial_prior > 0
    assert scores(off, q)["gl"] - scores(on, q)["gl"] == pytest.approx(DEFAULT_CONFIG.territorial_prior)
    assert scores(off, q)["dk"] == pytest.approx(scores(on, q)["dk"])
    assert scores(on, q + " I Grønland") == pytest.approx(scores(off, q + " I Grønland"))


def test_a_large_document_yields_a_little_and_a_small_one_is_not_lifted(tmp_path: Path) -> None:
    """The size prior: passages of a document with more passages than the collection's typical one lose
    ``size_prior`` × its z-score of log(passage count); documents of typical size or smaller keep their score."""
    big = "\n\n".join(f"Afsnit {i}\n\nKommunen fører tilsyn med område nummer {i} og dets anlæg." for i in range(40))
    corpus = write_corpus(tmp_path / "corpus", {
        "stor.txt": big, "lille.txt": "Kommunen fører tilsyn med skoler.", "mellem.txt": "Kommunen fører tilsyn med veje."})
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    on = Searcher(tmp_path / "index")
    off = Searcher(on.index, config=replace(DEFAULT_CONFIG, size_prior=0.0))
    counts = {d: sum(p.doc_id == d for p in on.index.passages) for d in ("stor", "lille", "mellem")}
    assert counts["stor"] > 3 * max(counts["lille"], counts["mellem"])

    def scores(s: Searcher) -> dict[str, float]:  # each document's best hit
        best: dict[str, float] = {}
        for h in s.search("Hvem fører tilsyn?", k=20).hits:
            best.setdefault(h.passage.doc_id, h.score)
        return best

    with_prior, without = scores(on), scores(off)
    assert DEFAULT_CONFIG.size_prior > 0
    assert without["stor"] - with_prior["stor"] > 0.5 * DEFAULT_CONFIG.size_prior
    assert with_prior["lille"] == pytest.approx(without["lille"])
    assert with_prior["mellem"] == pytest.approx(without["mellem"])


def test_size_scores_are_zero_where_sizes_do_not_vary() -> None:
    import numpy as np

    from qa.docpriors import size_scores as _size_scores

    assert len(_size_scores(np.array([], dtype=np.int64))) == 0  # an empty index: no warning, no score
    assert _size_scores(np.array([7])).tolist() == [0.0]
    assert _size_scores(np.array([4, 4, 4])).tolist() == [0.0, 0.0, 0.0]
    big = _size_scores(np.array([1, 1, 100]))
    assert big[0] == big[1] == 0.0 and big[2] > 0
