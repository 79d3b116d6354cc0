"""Danish legal structure, locators and act citations (issue 15), over acts from ../shared/bench/laws."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import build_index, read_document, split_document
from indexer.reading.legal import (
    ActName,
    act_citation,
    act_name,
    act_number,
    danish_date,
    structure,
    structure_of,
)
from indexer.reading.read import load_metadata
from indexer.reading.split import MAX_WORDS
from qa.acronyms import spells
from qa.cite import find_quote
from qa.config import LegalConfig
from qa.legalref import Resolved, english_act, english_name_score, name_score, name_words, parse
from qa.memo import MemoItem, items_from_json, to_markdown, write_docx
from qa.names import doubt_reasons
from qa.results import Filters
from qa.search import Searcher

from .conftest import ROOT, SHARED, FakeEmbedder

LAWS = SHARED / "bench" / "laws"
ACTS = ("2024_230", "2014_433", "2025_160", "2026_13", "2019_927", "2020_145")
needs_laws = pytest.mark.skipif(not (LAWS / "manifest.json").exists(),
                                reason="../shared/bench/laws is not beside the checkout (CI has it)")


def laws_corpus(dst: Path, acts: tuple[str, ...] = ACTS) -> Path:
    """Copies of a few acts and their lines of the collection's manifest.json."""
    dst.mkdir(parents=True)
    for a in acts:
        shutil.copy(LAWS / f"{a}.txt", dst / f"{a}.txt")
    manifest = [e for e in json.loads((LAWS / "manifest.json").read_text(encoding="utf-8"))
                if e["file"][:-4] in acts]
    (dst / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return dst


@pytest.fixture(scope="module")
def laws_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (LAWS / "manifest.json").exists():
        pytest.skip("../shared/bench/laws is not beside the checkout (CI has it)")
    root = tmp_path_factory.mktemp("laws")
    build_index(laws_corpus(root / "corpus"), root / "index", FakeEmbedder(), progress=False)
    return root / "index"


@pytest.fixture(scope="module")
def searcher(laws_index: Path) -> Searcher:
    return Searcher(laws_index, FakeEmbedder())


# ---------------------------------------------------------------- structure (no files needed)

ACT = """Bekendtgørelse af lov om prøver

Kapitel 1
Formål

§ 1. Loven skal fremme prøver. Stk. 2. Loven gælder ikke for Grønland, jf. § 3, stk. 4.

§ 2. Ministeren kan fastsætte regler om 1) prøvernes indhold, 2) frister og 3) klage.

Kapitel 2
Klage

§ 2 a. Afgørelser kan påklages. Stk. 2. Klagen skal være skriftlig. Stk. 3. Fristen er 4 uger.

§ 3. Loven træder i kraft den 1. juli 2024."""


def test_structure_finds_paragraphs_stk_nr_and_chapters() -> None:
    s = structure(ACT)
    keys = [(p.paragraph, p.stk) for p in s.provisions]
    assert keys == [("1", 1), ("1", 2), ("2", 1), ("2 a", 1), ("2 a", 2), ("2 a", 3), ("3", 1)]
    assert [p.chapter for p in s.provisions] == ["1", "1", "1", "2", "2", "2", "2"]
    p2 = s.provisions[2]
    assert [i.number for i in p2.items] == [1, 2, 3]
    # "jf. § 3, stk. 4" inside a sentence is a reference, not structure
    assert ACT[s.provisions[1].start:s.provisions[1].end] == "Stk. 2. Loven gælder ikke for Grønland, jf. § 3, stk. 4."
    # a chapter heading ends the § before it
    assert not ACT[s.provisions[2].start:s.provisions[2].end].endswith("Klage")


@pytest.mark.parametrize(("quote", "locator"), [
    ("Loven skal fremme prøver.", "§ 1, stk. 1"),
    ("Loven gælder ikke for Grønland", "§ 1, stk. 2"),
    ("frister og", "§ 2, nr. 2"),
    ("Klagen skal være skriftlig. Stk. 3. Fristen", "§ 2 a, stk. 2–3"),
    ("Afgørelser kan påklages. Stk. 2. Klagen skal være skriftlig. Stk. 3. Fristen er 4 uger.", "§ 2 a"),
    ("klage.\n\nKapitel 2\nKlage\n\n§ 2 a. Afgørelser", "§§ 2–2 a"),
    ("Formål", ""),
])
def test_locator_of_a_span(quote: str, locator: str) -> None:
    s = structure(ACT)
    at = ACT.index(quote)
    assert s.locator(at, at + len(quote)) == locator


@pytest.mark.parametrize(("quotes", "locator"), [
    (["Afgørelser kan påklages.", "Fristen er 4 uger."], "§ 2 a, stk. 1 og 3"),  # not stk. 2, which lies between
    (["Afgørelser kan påklages.", "Klagen skal være skriftlig.", "Fristen er 4 uger."], "§ 2 a"),  # neighbours
    (["Klagen skal være skriftlig.", "Fristen er 4 uger."], "§ 2 a, stk. 2–3"),
    (["Afgørelser kan påklages.", "Afgørelser kan påklages."], "§ 2 a, stk. 1"),
    (["Loven skal fremme prøver.", "Fristen er 4 uger."], "§§ 1–2 a"),  # two §§: the stretch, as before
    (["Fristen er 4 uger."], "§ 2 a, stk. 3"),
])
def test_locator_of_an_answers_sentences_names_each_stk(quotes: list[str], locator: str) -> None:
    spans = [(ACT.index(q), ACT.index(q) + len(q)) for q in quotes]
    assert structure(ACT).locator_of(sorted(spans)) == locator


def test_text_without_paragraph_blocks_has_no_structure() -> None:
    assert not structure("En strategi.\n\nDen nævner § 9 i lov om erhvervsfremme, stk. 2.\n\nMere tekst.")
    assert not structure("§ 3. Et enkelt citat af en paragraf.")


def test_act_names_numbers_and_dates() -> None:
    assert act_name("Bekendtgørelse af lov om erhvervsfremme") == ActName("Lov om erhvervsfremme", "lovbekendtgørelse")
    assert act_name("Bekendtgørelse af forvaltningsloven") == ActName("Forvaltningsloven", "lovbekendtgørelse")
    assert act_name("Lov om ændring af lov om leje") == ActName("Lov om ændring af lov om leje", "lov")
    assert act_name("Bekendtgørelse om erhvervsfremme") == ActName("Bekendtgørelse om erhvervsfremme", "bekendtgørelse")
    assert act_name("Strategi for klynger") == ActName("Strategi for klynger", "")
    assert [act_number(x) for x in ("2024:230", "nr. 230", "230", "")] == ["230", "230", "230", ""]
    assert danish_date("2024-02-29") == "29. februar 2024"
    assert danish_date("2016") == "2016"


@pytest.mark.parametrize(("question", "paragraph", "stk", "act"), [
    ("Hvad står der i erhvervsfremmelovens § 9?", "9", None, "erhvervsfremme"),
    ("forvaltningslovens § 19, stk. 2", "19", 2, "forvaltning"),
    ("§ 9 i lov om kommunernes styrelse", "9", None, "kommunernes styrelse"),
    ("Hvad siger § 15 a i forvaltningsloven?", "15 a", None, "forvaltning"),
    ("Hvem kan få aktindsigt?", None, None, None),
    # the sign and the stk. as people type them
    ("paragraf 19 i forvaltningsloven", "19", None, "forvaltning"),
    ("forvaltningslovens paragraf 19 stk 2", "19", 2, "forvaltning"),
    ("pgf. 7 i offentlighedsloven", "7", None, "offentlighed"),
    ("What does section 19(2) of forvaltningsloven say?", "19", 2, "forvaltning"),
    ("lov om social service paragraf 83 stykke 2", "83", 2, "social service"),
    ("Which section of the act covers appeals?", None, None, None),
    ("Hvad koster et par sko?", None, None, None),
    # a name of two letters; "orloven" (the leave) gives way to an act named after it
    ("Hvad siger § 5 i søloven?", "5", None, "sø"),
    ("Hvor lang er orloven efter § 5 i barselsloven?", "5", None, "barsel"),
])
def test_questions_that_name_a_provision(question: str, paragraph: str | None, stk: int | None, act: str | None) -> None:
    ref = parse(question)
    if paragraph is None:
        assert ref is None
        return
    assert ref is not None
    assert (ref.paragraph, ref.stk, ref.act) == (paragraph, stk, act)


# ---------------------------------------------------------------- acts from ../shared/bench/laws


@needs_laws
def test_metadata_from_the_collections_manifest_and_documents_toml(tmp_path: Path) -> None:
    corpus = laws_corpus(tmp_path / "corpus", ("2024_230", "2014_433"))
    (corpus / "documents.toml").write_text('["2014_433.txt"]\nstatus = "historic"\n', encoding="utf-8")
    meta = load_metadata(corpus)
    doc = read_document(corpus / "2024_230.txt", meta["2024_230.txt"])
    assert (doc.title, doc.number, doc.date, doc.status) == ("Bekendtgørelse af lov om erhvervsfremme", "230",
                                                             "2024-02-29", "in_force")
    assert doc.url.startswith("https://www.retsinformation.dk/")
    assert act_citation(doc) == "Lov om erhvervsfremme, jf. lovbekendtgørelse nr. 230 af 29. februar 2024"
    assert meta["2014_433.txt"]["status"] == "historic"  # documents.toml wins, field by field
    assert meta["2014_433.txt"]["number"] == "2014:433"


@needs_laws
@pytest.mark.parametrize("act", ACTS)
def test_passages_follow_the_structure(act: str) -> None:
    doc = read_document(LAWS / f"{act}.txt")
    s = structure_of(doc)
    assert s, "every act has § structure"
    passages = split_document(doc)
    assert all(p.locator.startswith("§") for p in passages)
    for p in passages:
        for prov in s.covering(p.end - 1, p.end):
            if prov.end > p.end + 1:  # the passage ends inside this stk.: only when the stk. is too long
                item = next((i for i in prov.items if i.start < p.end <= i.end), None)
                unit = doc.text[item.start:item.end] if item else doc.text[prov.start:prov.end]
                assert len(unit.split()) > MAX_WORDS or (item and p.end == item.end), (p.locator, p.text[-80:])


@needs_laws
def test_a_long_paragraph_is_split_at_its_stk() -> None:
    doc = read_document(LAWS / "2024_230.txt")
    nine = [p for p in split_document(doc) if p.locator.startswith("§ 9,") or p.locator == "§ 9"]
    assert len(nine) >= 2  # § 9 of lov om erhvervsfremme has six stk. and ~500 words
    assert nine[0].text.startswith("§ 9.")
    assert all(p.text.startswith(("§ 9.", "Stk. ")) for p in nine)


def test_every_hit_in_an_act_carries_its_locator_and_the_act_citation(searcher: Searcher) -> None:
    res = searcher.search("Hvad er Danmarks Erhvervsfremmebestyrelses opgaver?", k=5)
    act_hits = [h for h in res.hits if h.passage.doc_id == "2024_230"]
    assert act_hits
    for h in act_hits:
        assert h.locator.startswith("§")
        assert h.citation == f"Lov om erhvervsfremme, jf. lovbekendtgørelse nr. 230 af 29. februar 2024, {h.locator}"
    assert res.to_json()["hits"][0]["locator"] == res.hits[0].locator


@pytest.mark.parametrize(("question", "doc_id", "locator"), [
    ("Hvad står der i erhvervsfremmelovens § 9?", "2024_230", "§ 9"),
    ("forvaltningslovens § 19", "2014_433", "§ 19"),
    ("Hvad siger forvaltningslovens § 19, stk. 2?", "2014_433", "§ 19, stk. 2"),
    ("§ 9 i lov om kommunernes styrelse", "2026_13", "§ 9"),
    ("kommunestyrelseslovens § 9", "2026_13", "§ 9"),
    ("offentlighedslovens § 7", "2020_145", "§ 7"),
    ("lejelovens § 5, stk. 2", "2019_927", "§ 5, stk. 2"),
    ("Hvad står der i § 15 a i forvaltningsloven?", "2014_433", "§ 15 a"),
    # the act named in English: through the English terms, a known name whole or its words in the act's name
    ("What does section 19 of the Public Administration Act say?", "2014_433", "§ 19"),
    ("section 5(2) of the Rent Act", "2019_927", "§ 5, stk. 2"),
    ("What does section 9 of the Business Promotion Act say?", "2024_230", "§ 9"),
    ("section 9 of the local government act", "2026_13", "§ 9"),
    ("What does section 7 of the Freedom of Information Act say?", "2020_145", "§ 7"),
    ("section 3 of the Act on Technology and Innovation", "2025_160", "§ 3"),
])
def test_a_question_naming_a_paragraph_finds_it_first(searcher: Searcher, question: str, doc_id: str, locator: str) -> None:
    res = searcher.search(question, k=5)
    top = res.hits[0]
    assert top.passage.doc_id == doc_id
    assert top.locator == locator or top.locator.startswith(locator + ",")
    assert res.answered


@pytest.mark.parametrize(("question", "absent"), [
    ("forvaltningslovens § 999", "Forvaltningsloven, § 999"),
    ("Hvad siger forvaltningslovens § 19, stk. 9?", "Forvaltningsloven, § 19, stk. 9"),
    ("What does section 999 of forvaltningsloven say?", "Forvaltningsloven, § 999"),
    ("What does section 999 of the Public Administration Act say?", "Forvaltningsloven, § 999"),
])
def test_a_provision_the_act_does_not_have_is_a_doubt_that_names_it(searcher: Searcher, question: str,
                                                                     absent: str) -> None:
    res = searcher.search(question, k=3)
    assert not res.answered and res.confidence <= 0.05 and res.hits  # the closest passages, shown as such
    assert res.absent_provision == absent and res.to_json()["absent_provision"] == absent
    assert doubt_reasons(res.unmentioned, res.now_unmentioned, "da", res.absent_provision).startswith(
        f"{absent} findes ikke i dokumenterne.")


@pytest.mark.parametrize("question", [
    "What does section 5 of the Marriage Act say?",  # an act the collection does not hold
    "What does section 5 of the Administration of Justice Act say?",  # "administration" alone is forvaltningsloven's
    "section 3 of the Environmental Protection Act",  # miljøbeskyttelse: in none of the six names
])
def test_an_english_act_name_that_does_not_name_one_act_is_not_resolved(searcher: Searcher, question: str) -> None:
    assert searcher.legal.lookup(question) is None


@pytest.mark.parametrize(("question", "named"), [
    ("What does section 19 of the Public Administration Act say?", "Public Administration Act"),
    ("section 9 of the Freedom of Information Act", "Freedom of Information Act"),
    ("Is that allowed under section 5 of the Municipal and Regional Elections Act?", "Municipal and Regional Elections Act"),
    ("What does the Act on Social Services say in section 83?", "Act on Social Services"),
    ("section 245 of the Criminal Code", "Criminal Code"),
    ("What does section 19 of the act say?", ""),
    ("section 5 of the rules of the Act", ""),
])
def test_how_a_question_names_an_act_in_english(question: str, named: str) -> None:
    assert english_act(question) == named


def test_a_danish_compound_act_name_prefers_the_act_whose_name_words_make_it_up() -> None:
    # "folketingsvalgloven": lov om valg til Folketinget, not lov om folketingsvalg i Grønland
    assert name_score("folketingsvalg", "Bekendtgørelse af lov om valg til Folketinget") > name_score(
        "folketingsvalg", "Bekendtgørelse af lov om folketingsvalg i Grønland")
    assert name_score("kommunalvalg", "Bekendtgørelse af lov om kommunale og regionale valg") >= 2.5
    assert name_score("kommunestyrelses", "Bekendtgørelse af lov om kommunernes styrelse") >= 2.5
    assert name_score("forvaltning", "Bekendtgørelse af forvaltningsloven") == 3.0  # the name's own word first
    # the compound's last part may be the last part of a compound of the name: privatvej ~ private fællesveje
    assert name_score("privatvej", "Bekendtgørelse af lov om private fællesveje") >= 2.5
    assert name_score("privatvej", "Bekendtgørelse af lov om offentlige veje m.v.") < 2.5
    assert name_score("privatvej", "Bekendtgørelse af lov om private veje og stier") >= 2.5


def test_one_word_of_a_long_title_names_it_only_when_it_comes_first() -> None:
    assert name_score("retssikkerhed", "Bekendtgørelse af lov om retssikkerhed og administration på det sociale "
                                       "område") >= 2.0
    assert name_score("tinglysning", "Bekendtgørelse af lov om afgift af tinglysning og registrering af ejer- og "
                                     "panterettigheder m.v.") < LegalConfig().min_name_score
    assert name_score("fællesvej", "Bekendtgørelse af lov om private fællesveje") >= 2.0  # a short title: any word
    vvm = "Bekendtgørelse af lov om miljøvurdering af planer og programmer og af konkrete projekter (VVM)"
    assert name_score("VVM", vvm) >= 2.0  # the short name in brackets, wherever it stands
    assert name_score("tinglysning", "Bekendtgørelse af lov om afgift af tinglysning og registrering af ejer- og "
                                     "panterettigheder m.v. (tinglysningsafgiftsloven)") < 2.0  # its start is not it
    # the word itself before the start of a longer one: vejloven is lov om offentlige veje, not lov om vejafgift
    assert name_score("vej", "Bekendtgørelse af lov om offentlige veje m.v.") > name_score(
        "vej", "Bekendtgørelse af lov om vejafgift")


def test_a_name_of_two_letters_names_only_the_act_whose_title_writes_it() -> None:
    assert name_score("sø", "Bekendtgørelse af søloven") == 3.0
    # "orloven" is the leave: a title that holds the word (orlov) is not named by it
    assert name_score("or", "Bekendtgørelse af lov om ret til orlov og dagpenge ved barsel") == 0.0


def _spells(acronym: str, title: str) -> bool:
    return spells(acronym.lower(), name_words(title)[0])  # as the lookup asks: both folded


def test_an_acronym_spells_the_initials_of_an_act_name_and_the_parts_of_its_compounds() -> None:
    assert _spells("ATP", "Bekendtgørelse af lov om Arbejdsmarkedets Tillægspension")  # tillægs|pension
    assert _spells("pal", "Bekendtgørelse af pensionsafkastbeskatningsloven")  # pensions|afkast…beskatnings|loven
    assert _spells("LAB", "Bekendtgørelse af lov om en aktiv beskæftigelsesindsats")  # "lov" at will
    assert _spells("AB", "Bekendtgørelse af lov om en aktiv beskæftigelsesindsats") is False  # three letters at least
    assert not _spells("ATP", "Bekendtgørelse af lov om Arbejdsmarkedets Tillægspension og forsikring")  # every word
    assert not _spells("APT", "Bekendtgørelse af lov om Arbejdsmarkedets Tillægspension")  # in order
    assert not _spells("BBR", "Bekendtgørelse af lov om bygninger")


def test_an_english_name_scores_the_act_whose_name_its_terms_make_up() -> None:
    # "parliamentary elections" → folketingsvalg: made of both words of "valg til Folketinget", half of the other
    terms = (("folketingsvalg",),)
    assert english_name_score(terms, "Bekendtgørelse af lov om valg til Folketinget") == (1.0, 1.0)
    assert english_name_score(terms, "Bekendtgørelse af lov om folketingsvalg i Grønland") == (1.0, 0.5)
    assert english_name_score((("skat",), ("forvaltning",)), "Bekendtgørelse af skatteforvaltningsloven")[0] == 1.0
    assert english_name_score((("ægteskab",),), "Bekendtgørelse af lov om leje") == (0.0, 0.0)


def test_a_paragraph_named_without_its_act_is_looked_up_in_the_one_act_searched(searcher: Searcher) -> None:
    question = "Hvad siger § 19, stk. 2?"
    assert searcher.legal.lookup(question) is None  # six acts: which § 19?
    res = searcher.search(question, k=3, filters=Filters(doc_ids=("2014_433",)))
    assert res.answered and res.hits[0].passage.doc_id == "2014_433" and res.hits[0].locator.startswith("§ 19, stk. 2")
    assert searcher.legal.lookup(question, frozenset({"2014_433", "2026_13"})) is None  # two acts: still a search


def test_an_act_for_greenland_or_the_faroe_islands_is_meant_where_the_question_names_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    titles = {"dk": "Bekendtgørelse af lov om rettens pleje", "fo": "Bekendtgørelse af retsplejelov for Færøerne",
              "gl": "Bekendtgørelse af retsplejelov for Grønland", "valg-dk": "Bekendtgørelse af lov om valg til Folketinget",
              "valg-gl": "Bekendtgørelse af lov om folketingsvalg i Grønland",
              "valg-fo": "Bekendtgørelse af lov om folketingsvalg på Færøerne"}
    for name, title in titles.items():
        (corpus / f"{name}.txt").write_text(f"{title}\n\n§ 1. Retten sættes af en dommer.\n\n§ 2. Retten holdes "
                                            "offentligt.\n\n§ 3. Sagen indledes ved stævning.\n", encoding="utf-8")
    (corpus / "manifest.json").write_text(json.dumps([{"file": f"{n}.txt", "title": t} for n, t in titles.items()],
                                                     ensure_ascii=False), encoding="utf-8")
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    legal = Searcher(tmp_path / "index", FakeEmbedder()).legal
    for question, act in (("Hvad står der i retsplejelovens § 3?", "dk"),  # the word is in the territories' names
                          ("Hvad står der i retsplejeloven for Grønland § 3?", "gl"),
                          ("section 3 of retsplejeloven for the Faroe Islands", "fo"),
                          ("section 3 of the Parliamentary Elections Act for Greenland", "valg-gl"),  # in English
                          ("section 3 of the Parliamentary Elections Act", "valg-dk")):
        found = legal.lookup(question)
        assert isinstance(found, Resolved) and found.doc_id == act, question


def test_an_acronym_names_the_act_that_writes_it_far_more_than_any_other(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    acts = {"cpr": ("Bekendtgørelse af lov om Det Centrale Personregister",
                    "§ 1. CPR føres af ministeriet. Stk. 2. Et CPR-nummer tildeles ved fødslen.\n\n§ 2. CPR indeholder "
                    "navn og adresse. Stk. 2. Oplysninger i CPR må udleveres. Stk. 3. CPR opdateres dagligt.\n"),
            "valg": ("Bekendtgørelse af lov om valg til Folketinget",
                     "§ 1. Valglisten dannes fra CPR.\n\n§ 2. Valget holdes på en søndag eller en hverdag.\n"),
            "bbr": ("Bekendtgørelse af lov om bygninger", "§ 1. BBR føres af kommunen.\n\n§ 2. Bygninger registreres.\n"),
            "leje": ("Bekendtgørelse af lov om leje", "§ 1. BBR-oplysninger følger lejekontrakten.\n\n§ 2. Lejen betales "
                     "månedsvis.\n"),
            "atp": ("Bekendtgørelse af lov om Arbejdsmarkedets Tillægspension", "§ 1. ATP oprettes.\n\n§ 2. "
                    "Bidraget betales af arbejdsgiveren.\n"),
            "tvang": ("Bekendtgørelse af lov om anvendelse af tvang i psykiatrien", "§ 1. Tvang er sidste udvej.\n\n"
                      "§ 2. Patienten skal høres.\n"),
            "amu": ("Bekendtgørelse af lov om arbejdsmarkedsuddannelser m.v.", "§ 1. Kurserne er korte.\n\n§ 2. "
                    "Kurserne er gratis.\n"),
            "eudp": ("Bekendtgørelse af lov om et energiprogram", "§ 1. EUDP støtter forskning. EUDP ledes af en "
                     "bestyrelse.\n\n§ 2. EUDP giver tilskud. EUDP aflægger regnskab. EUDP evalueres. EUDP holder møder.\n")}
    for name, (title, text) in acts.items():
        (corpus / f"{name}.txt").write_text(f"{title}\n\n{text}", encoding="utf-8")
    (corpus / "manifest.json").write_text(json.dumps([{"file": f"{n}.txt", "title": t} for n, (t, _) in acts.items()],
                                                     ensure_ascii=False), encoding="utf-8")
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    legal = Searcher(tmp_path / "index", FakeEmbedder()).legal
    for question in ("Hvad står der i CPR-lovens § 2?", "cpr-loven § 2", "What does section 2 of the CPR Act say?"):
        found = legal.lookup(question)
        assert isinstance(found, Resolved) and found.doc_id == "cpr", question
    assert legal.lookup("Hvad siger BBR-lovens § 2?") is None  # written once by each of two acts: names neither
    assert legal.lookup("Hvad siger EUD-lovens § 2?") is None  # only inside a longer acronym ("EUDP")
    for question, act in (("Hvad siger AMU-lovens § 2?", "amu"),  # never written: the initials of one act's name
                          ("Hvad siger ATP-lovens § 2?", "atp"),  # of two acts' names: the one that writes it
                          ("section 2 of the AMU Act", "amu")):  # in English
        found = legal.lookup(question)
        assert isinstance(found, Resolved) and found.doc_id == act, question
    # a word of two letters before "loven" that names no act is no act's name: § 2 of the one act searched
    found = legal.lookup("Hvor lang er orloven efter § 2?", frozenset({"leje"}))
    assert isinstance(found, Resolved) and found.doc_id == "leje"


def test_a_provision_the_act_has_is_not_absent(searcher: Searcher) -> None:
    for question in ("forvaltningslovens § 19", "lejelovens § 5, stk. 2", "Hvem støtter klynger?"):
        assert searcher.search(question, k=3).absent_provision == ""


def test_a_resolved_paragraph_skips_the_answer_check(searcher: Searcher) -> None:
    emb = searcher.embedder
    assert isinstance(emb, FakeEmbedder)
    before = emb.calls
    res = searcher.search("Hvad siger forvaltningslovens § 21?", k=3)  # asked nowhere else: nothing cached
    assert res.answered and res.hits[0].locator.startswith("§ 21")
    assert emb.calls - before == 1 and "answer_dense" not in res.features  # the question only
    searched = searcher.search("Hvad siger forvaltningsloven om aktindsigt for parter?", k=3)
    assert "answer_dense" in searched.features  # a search is checked (its windows stored in the index)


def test_a_paragraph_the_act_does_not_have_is_searched_as_usual(searcher: Searcher) -> None:
    res = searcher.search("erhvervsfremmelovens § 999", k=3)
    assert all("§ 999" not in h.locator for h in res.hits)


def test_cite_returns_the_locator(searcher: Searcher) -> None:
    m = find_quote(searcher.index, "Danmarks Erhvervsfremmebestyrelse evaluerer, om der")
    assert m and m[0].locator == "§ 9, stk. 6"
    assert m[0].citation == "Lov om erhvervsfremme, jf. lovbekendtgørelse nr. 230 af 29. februar 2024, § 9, stk. 6"
    assert m[0].to_json()["locator"] == "§ 9, stk. 6"


def test_cli_cite_and_ask_as_markdown(laws_index: Path) -> None:
    def klynge(*args: str) -> str:
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from qa.cli import main; sys.argv = ['klynge', *sys.argv[2:]]; raise SystemExit(main())")
        out = subprocess.run([sys.executable, "-c", code, str(ROOT), *args, "--index-dir", str(laws_index)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    cited = json.loads(klynge("cite", "Bestemmelsen i stk. 1 gælder ikke, hvis", "--json"))
    assert cited["matches"][0]["locator"] == "§ 19, stk. 2"
    md = klynge("ask", "forvaltningslovens § 19, stk. 2", "-k", "2", "--format", "md")
    first = md.split("\n\n")[0]
    assert first.startswith("> Stk. 2. Bestemmelsen i stk. 1 gælder ikke")
    assert "> — Forvaltningsloven, jf. lovbekendtgørelse nr. 433 af 22. april 2014, § 19, stk. 2" in md


# ---------------------------------------------------------------- the memo files


def test_memo_as_markdown_and_word_read_back(tmp_path: Path) -> None:
    import docx

    items = items_from_json(json.dumps([
        {"quote": "Loven gælder for  alle dele\naf den offentlige forvaltning.", "citation": "Forvaltningsloven, § 1",
         "note": "Til indledningen."},
        {"quote": "Stk. 2. Strategien …", "citation": "Lov om erhvervsfremme, § 9, stk. 2", "note": ""},
        {"quote": "Samme kilde igen.", "citation": "Forvaltningsloven, § 1"},
    ]))
    assert items[0] == MemoItem("Loven gælder for alle dele af den offentlige forvaltning.", "Forvaltningsloven, § 1",
                                "Til indledningen.")
    md = to_markdown(items, "Notat")
    assert md.startswith("# Notat\n")
    assert "> Loven gælder for alle dele af den offentlige forvaltning.\n>\n> — Forvaltningsloven, § 1\n\nTil indledningen." in md
    path = write_docx(items, tmp_path / "notat.docx")
    d = docx.Document(str(path))
    paras = [(p.style.name, p.text) for p in d.paragraphs if p.text]
    assert paras[0] == ("Heading 1", "Notat")
    assert ("Quote", "Loven gælder for alle dele af den offentlige forvaltning. [1]") in paras
    assert ("Quote", "Samme kilde igen. [1]") in paras  # the same source keeps its number
    assert paras[-3:] == [("Heading 2", "Kilder"), ("Normal", "[1] Forvaltningsloven, § 1"),
                          ("Normal", "[2] Lov om erhvervsfremme, § 9, stk. 2")]


@pytest.mark.parametrize(("data", "message"), [
    ("not json", "not valid JSON"), ('{"a": 1}', "must be a list"), ('[{"citation": "x"}]', "item 1 has no quote"),
])
def test_a_bad_memo_is_refused_with_its_reason(data: str, message: str) -> None:
    from qa.errors import QueryError

    with pytest.raises(QueryError, match=message):
        items_from_json(data)


@needs_laws
def test_the_held_out_law_questions_hold_against_the_acts(tmp_path: Path) -> None:
    """eval/laws_everyday.jsonl: every phrase verbatim, once in the 316 acts, inside its cited provision, the
    question paraphrased, no act of laws-dev's; a broken line is caught."""
    script = ROOT / "eval" / "check_laws_everyday.py"
    ok = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = tmp_path / "bad.jsonl"
    row = json.loads((ROOT / "eval" / "laws_everyday.jsonl").read_text(encoding="utf-8").splitlines()[0])
    bad.write_text(json.dumps({**row, "expected": ["ikke en sætning fra nogen lov overhovedet"]}) + "\n", encoding="utf-8")
    caught = subprocess.run([sys.executable, str(script), "--questions", str(bad)], capture_output=True, text=True,
                            cwd=ROOT)
    assert caught.returncode == 1 and row["id"] in caught.stdout
    # eval/laws_dev_acts.jsonl: the same checks, over laws-dev's own acts (so no act is excluded)
    (tmp_path / "none.jsonl").write_text("", encoding="utf-8")
    dev_acts = subprocess.run([sys.executable, str(script), "--questions", str(ROOT / "eval" / "laws_dev_acts.jsonl"),
                               "--dev", str(tmp_path / "none.jsonl")], capture_output=True, text=True, cwd=ROOT)
    assert dev_acts.returncode == 0, dev_acts.stdout + dev_acts.stderr
    # eval/laws_fresh.jsonl, eval/laws_unseen.jsonl and eval/laws_periods.jsonl: the same checks (held out from
    # laws-dev's acts)
    for name in ("laws_fresh.jsonl", "laws_unseen.jsonl", "laws_periods.jsonl"):
        run = subprocess.run([sys.executable, str(script), "--questions", str(ROOT / "eval" / name)],
                             capture_output=True, text=True, cwd=ROOT)
        assert run.returncode == 0, run.stdout + run.stderr

    def provisions(name: str) -> set[tuple[str, str]]:  # (act, §) of each answerable row
        rows = [json.loads(line) for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
                if line.strip()]
        return {(r["doc"], r["ref"].split(",")[0]) for r in rows if r.get("doc")}

    def acts(name: str) -> set[str]:
        return {doc for doc, _ in provisions(name)}

    # laws-fresh: over acts none of the other sets cites; laws-unseen: on provisions none of them cites
    assert acts("laws_fresh.jsonl") and not acts("laws_fresh.jsonl") & (
        acts("laws_everyday.jsonl") | acts("laws_dev_acts.jsonl"))
    cited = set().union(*(provisions(name) for name in (
        "laws_everyday.jsonl", "laws_dev_acts.jsonl", "laws_fresh.jsonl", "laws_questions.jsonl")))
    assert provisions("laws_unseen.jsonl") and not provisions("laws_unseen.jsonl") & cited


def test_a_repealed_paragraph_is_no_heading_and_goes_with_the_next_one(tmp_path: Path) -> None:
    """A consolidated act keeps "§ 13. (Ophævet)" as a line of its own: short, like a heading, but read as
    one it became the section of every later passage (and "(Ophævet)" part of their vectors' text)."""
    from indexer.reading.legal import is_stub
    from indexer.reading.units import answer_units

    act = tmp_path / "act.txt"
    act.write_text("Bekendtgørelse af lov om prøver\n\n§ 12. Kommunen fører tilsyn med prøverne.\n\n"
                   "§ 13. (Ophævet)\n\n§ 14. Forældre kan klage over prøven til kommunalbestyrelsen. "
                   "Stk. 2. Klagen skal være modtaget senest 4 uger efter prøven.\n\n"
                   "§§ 15-20. (Ubenyttede)\n\n§ 21. Loven træder i kraft den 1. juli.\n", encoding="utf-8")
    doc = read_document(act)
    assert all(s.kind != "heading" for s in doc.spans[1:])  # the title is the only heading
    passages = split_document(doc)
    assert [p.section for p in passages] == ["", "", ""]
    assert [p.locator for p in passages] == ["§ 12", "§ 14", "§ 21"]
    assert passages[1].text.startswith("§ 13. (Ophævet)")  # a § 13 question still finds where it stood
    assert is_stub("§§ 15-20. (Ubenyttede)") and not is_stub("§ 14. Forældre kan klage (skriftligt).")
    units = [passages[1].text[s:e] for s, e in answer_units(passages[1].text)]
    assert units and not any("Ophævet" in u for u in units)
    # a lower-case note stays one sentence ("§ 35 a. (ophæves)"), which only the stub rule keeps from answering
    note = "§ 35 a. (ophæves)\n\n§ 36. Kommunen fører tilsyn med prøverne."
    assert [note[s:e] for s, e in answer_units(note)] == ["Kommunen fører tilsyn med prøverne."]


def test_a_title_line_ending_in_a_full_stop_is_the_heading_not_a_passage(tmp_path: Path) -> None:
    """"Bekendtgørelse af lov om vandforsyning m.v." ends with a full stop, so it reads as text; when it is the
    title the metadata gives, it is the document's heading, not a passage with nothing to cite."""
    act = tmp_path / "act.txt"
    title = "Bekendtgørelse af lov om prøver m.v."
    act.write_text(f"{title}\n\n§ 1. Kommunen fører tilsyn med prøverne.\n\n§ 2. Loven træder i kraft den 1. juli.\n",
                   encoding="utf-8")
    doc = read_document(act, {"title": title})
    assert doc.spans[0].kind == "heading" and doc.title == title
    assert [p.locator for p in split_document(doc)] == ["§ 1", "§ 2"]
    other = read_document(act, {"title": "Lov om noget andet"})  # not its title: the line stays text
    assert other.spans[0].kind != "heading"
