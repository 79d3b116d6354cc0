"""The names a question turns on (qa.names) and the confidence feature they feed (qa.confidence)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from indexer import Index, build_index
from qa import DEFAULT_CONFIG, Searcher
from qa.confidence import FEATURES, QUICK_FEATURES
from qa.config import CALIBRATED, CALIBRATED_QUICK
from qa.names import opens_clause, present_cue, question_names, question_years, speaks_of_present, unmentioned
from qa.results import Result
from qa.translate import known_word

from .conftest import FakeEmbedder, write_corpus


def test_a_capitalised_word_inside_a_sentence_is_a_name() -> None:
    assert question_names("Hvor mange borgere i Roskilde Kommune får hjemmehjælp?") == ("Roskilde", "Kommune")
    assert question_names("Hvad hedder direktøren for Ankestyrelsen?") == ("Ankestyrelsen",)


def test_the_word_opening_a_sentence_or_clause_is_not() -> None:
    assert question_names("Hvornår skal vi svare? Borgeren har ventet – Kan vi forlænge fristen?") == ()
    assert question_names("Hvornår skal vi svare?") == ()


@pytest.mark.parametrize(("before", "opens"), [
    ("", True), ("  ", True), ("Hvornår skal vi svare? ", True), ("Fristen: ", True), ("byrådet – ", True),
    ("byrådet - ", True), ('han sagde "', True), ("(", True),
    ("borgere i ", False), ("3.", False), ("IPCC-", False), ("år-", False), ("Vi bor i 2.", False),
])
def test_where_a_capital_opens_a_clause(before: str, opens: bool) -> None:
    assert opens_clause(before) is opens


def test_acronyms_and_the_formal_pronoun_are_not_names() -> None:
    assert question_names("Vi har en SOSU-elev på FGU og VUC efter OK24, får hun SU?") == ()
    assert question_names("Hvor vil De henvende Dem til Parlamentet?") == ("Parlamentet",)


def test_each_part_of_a_hyphenated_word_counts_alone() -> None:
    assert question_names("Hvornår blev Jagiellonian-universitetet i Kraków grundlagt?") == ("Jagiellonian", "Kraków")


def test_known_words_are_not_names() -> None:
    glossary = {"municipality": ("kommune",)}
    q = "What is the unemployment rate in Aarhus Municipality?"
    assert question_names(q) == ("Aarhus", "Municipality")
    assert question_names(q, lambda w: known_word(w, glossary)) == ("Aarhus",)
    assert known_word("municipalities", glossary)  # the forms a question's word is looked up by


def test_a_name_counts_as_mentioned_at_a_word_start_genitive_included() -> None:
    assert unmentioned(("Roskilde",), ["Kapitel 2\nRoskildes borgere"]) == ()
    assert unmentioned(("Roskilde",), ["Kommunalbestyrelsen i Køge", "Lov om social service"]) == ("Roskilde",)
    assert unmentioned(("Køge",), ["Ølsted-Køge"]) == ()  # a hyphen starts a word
    assert unmentioned(("Lund",), ["Frederikslund"]) == ("Lund",)  # inside a word it is not the name
    assert unmentioned((), ["anything"]) == ()
    assert unmentioned(("Roskilde", "Kommune"), ["kommunen skal ..."]) == ("Roskilde",)


def test_every_model_knows_the_feature_and_weighs_it() -> None:
    assert "unmatched_name" in QUICK_FEATURES and "unmatched_name" in FEATURES
    # fitted on the pooled development questions (benchmarks/calibrate.py): a missing name lowers the verdict
    for lang in ("da", "en"):
        assert CALIBRATED[lang].coef["unmatched_name"] < 0
        assert CALIBRATED_QUICK[lang].coef["unmatched_name"] < 0


def test_a_question_naming_what_the_hits_never_mention_gets_the_feature(shipped_fake_index: Path) -> None:
    """The same question with a place the shipped texts never mention gets the feature; with a place their
    best passages mention, it does not."""
    s = Searcher(Index.load(shipped_fake_index), config=DEFAULT_CONFIG)
    corpus = " ".join(p.context_text() for p in s.index.passages).lower()
    assert "københavn" in corpus and "roskilde" not in corpus
    here = s.search("Hvordan støtter klyngerne virksomheder i København?", k=5, lang="da")
    there = s.search("Hvordan støtter klyngerne virksomheder i Roskilde?", k=5, lang="da")
    assert here.features["unmatched_name"] == 0.0 and here.unmentioned == ()
    assert there.features["unmatched_name"] == 1.0 and there.unmentioned == ("Roskilde",)
    assert there.to_json()["unmentioned"] == ["Roskilde"]


def test_the_doubt_banner_names_what_the_passages_do_not_mention() -> None:
    from klynge_ui.ask import render_result

    res = Result("Hvor mange borgere i Roskilde Kommune får hjemmehjælp?", "da", False, 0.2, (),
                 unmentioned=("Roskilde",))
    assert "De bedste passager nævner ikke Roskilde." in render_result(res, "da")
    assert "The best passages do not mention Roskilde." in render_result(res, "en")
    assert "nævner ikke" not in render_result(replace(res, unmentioned=()), "da")
    # answered all the same (the other evidence outweighed it): the reason is said beside the confidence
    answered = Result("Hvem er direktør i Roskilde i dag?", "da", True, 0.85, (), unmentioned=("Roskilde",),
                      now_unmentioned="i dag")
    assert ("De bedste passager nævner ikke Roskilde. De bedste passager siger intet om, hvordan det er nu "
            "(»i dag«).") in render_result(answered, "da")
    assert "The best passages say nothing of how things are now (“i dag”)." in render_result(answered, "en")


def test_klynge_ask_says_which_names_the_passages_do_not_mention(capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal's answer gives the doubt's reason too, in text and Markdown."""
    from qa.cli import _print_answer

    res = Result("Hvor mange borgere i Roskilde Kommune får hjemmehjælp?", "da", False, 0.2, (),
                 unmentioned=("Roskilde",))
    for fmt in ("text", "md"):
        _print_answer(res, fmt)
        out = capsys.readouterr().out
        assert "De bedste passager nævner ikke Roskilde. The best passages do not mention Roskilde." in out
    _print_answer(replace(res, unmentioned=()), "text")
    assert "do not mention" not in capsys.readouterr().out
    _print_answer(replace(res, answered=True, confidence=0.85), "text")
    assert "Answer (confidence 0.85). De bedste passager nævner ikke Roskilde." in capsys.readouterr().out
    _print_answer(replace(res, unmentioned=(), now_unmentioned="lige nu"), "text")
    assert ("hvordan det er nu (»lige nu«). The best passages say nothing of how things are now (“lige nu”)."
            in capsys.readouterr().out)


def test_without_names_leaves_what_the_question_asks() -> None:
    from qa.names import without_names

    assert without_names("Hvem er formand for ældrerådet i Silkeborg Kommune?", ("Silkeborg",)) == \
        "Hvem er formand for ældrerådet i Kommune?"
    assert without_names("ældrerådet (Silkeborg) og Silkeborgs", ("Silkeborg",)) == "ældrerådet () og"
    assert without_names("Silkeborg-borgere og Aarhus-Silkeborg", ("Silkeborg",)) == "borgere og Aarhus"
    assert without_names("uden navne", ()) == "uden navne"


@pytest.mark.parametrize(("question", "cue"), [
    ("Hvem er direktør for Energinet i dag?", "i dag"),
    ("hvad koster et buskort lige nu", "lige nu"),
    ("Who chairs the board right now?", "right now"),
    ("Who is currently the chair?", "currently"),
    ("Hvor stor er grundskylden i år?", ""),  # a period the acts regulate (the income year)
    ("Can I deduct it all this year?", ""),
    ("Can I value the stock at today's market price?", ""),  # a rule's, not a present fact
    ("Hvornår må vi afbrænde haveaffald?", ""),
])
def test_the_words_by_which_a_question_asks_what_holds_now(question: str, cue: str) -> None:
    assert present_cue(question) == cue


def test_a_passage_speaks_of_the_present_by_its_words_for_now() -> None:
    assert speaks_of_present(["Bestyrelsens nuværende formand er udpeget af ministeren."])
    assert speaks_of_present(["Der er i dag 14 nationale klynger."])
    assert not speaks_of_present(["§ 3. Bestyrelsen består af en formand og seks medlemmer.", "nummer 7"])


def _searchers(tmp_path: Path, docs: dict[str, str], **off: bool) -> tuple[Searcher, Searcher]:
    """A searcher over an index of ``docs`` as shipped, and one with the confidence switches ``off`` set."""
    build_index(write_corpus(tmp_path / "corpus", dict(docs)), tmp_path / "index", FakeEmbedder(), progress=False)
    s = Searcher(Index.load(tmp_path / "index"), config=DEFAULT_CONFIG)
    return s, Searcher(s.index, config=replace(DEFAULT_CONFIG, confidence=replace(DEFAULT_CONFIG.confidence, **off)))


# one body, two texts: the act's rule for its board, and a page that says who chairs it now
BOARD = {"lov.txt": "Bekendtgørelse af lov om fonden\n\n§ 3. Fondens bestyrelse består af en formand og seks "
                    "medlemmer, som ministeren udpeger for fire år ad gangen.\n\n§ 4. Bestyrelsen fastsætter "
                    "selv sin forretningsorden.\n"}
NEWS = {"side.txt": "Fondens bestyrelse\n\nFondens bestyrelse består i dag af en formand og seks medlemmer. "
                    "Den nuværende formand er Jens Hansen.\n"}


@pytest.mark.parametrize(("docs", "doubted"), [(BOARD, True), ({**BOARD, **NEWS}, False)])
def test_a_question_about_now_is_doubted_where_no_passage_speaks_of_the_present(
        tmp_path: Path, docs: dict[str, str], doubted: bool) -> None:
    s, off = _searchers(tmp_path, docs, present_time=False)
    res = s.search("Hvem er formand for fondens bestyrelse lige nu?", k=5, lang="da")
    assert res.now_unmentioned == ("lige nu" if doubted else "") and res.unmentioned == ()
    assert res.features["unmatched_name"] == float(doubted)
    assert res.to_json()["now_unmentioned"] == res.now_unmentioned
    assert off.search("Hvem er formand for fondens bestyrelse lige nu?", k=5, lang="da").now_unmentioned == ""


@pytest.mark.parametrize(("question", "years"), [
    ("Hvor mange patenter har danske universiteter fået i 2023?", ("2023",)),
    ("How many civil weddings were held in 2021, and in 2022?", ("2021", "2022")),
    ("Hvad skete der, da kommunerne blev lagt sammen i 2007.", ("2007",)),
    ("Hun fik pension fra før 2003 – skal den genberegnes?", ()),  # a boundary of the asker's situation
    ("I have lived in Denmark since 2019, can I get a pension?", ()),
    ("Får man i 2000 kr. i tilskud?", ()),  # an amount
    ("Hvad gælder for skoleåret fra 2023/24?", ()),  # a span
    ("Hvad står der i lov nr. 2023?", ()),  # a number
    ("Hvad koster det om året?", ()),
])
def test_the_years_a_question_asks_about(question: str, years: tuple[str, ...]) -> None:
    assert question_years(question) == years


@pytest.mark.parametrize(("question", "years"), [
    ("Hvor mange familier fik stoppet børnechecken sidste år?", ("2025",)),
    ("hvor mange fik kontanthjælp i fjor", ("2025",)),
    ("How much does a monthly bus pass cost this year?", ()),  # this year's: often a rule for the asker's year
    ("Hvor mange feriedage kan jeg overføre til næste år?", ()),
    ("How many weddings were held in 2023, and last year?", ("2023", "2025")),
    ("Min pension gav minus sidste år – får jeg skatten tilbage?", ()),  # the asker's situation, no count asked
    ("Hvornår skal grundejerne betale til diget i år?", ()),  # a date, which rules state
    ("Hvor meget stod der på sidste årsopgørelse?", ()),  # not "sidste år"
    ("What did the council charge for parking last year?", ("2025",)),
    ("Who was in charge of the election last year?", ()),  # "in charge": a post, not an amount
])
def test_a_count_or_amount_of_a_year_named_from_today(question: str, years: tuple[str, ...]) -> None:
    assert question_years(question, today=date(2026, 12, 6)) == years
    written = tuple(y for y in years if y in question)  # without the relative rule: the years written out
    assert question_years(question, today=date(2026, 12, 6), relative=False) == written


STATS = {"patent.txt": "Patenter\n\nEt universitet kan søge patent på en opfindelse, som en ansat har gjort.\n"}
YEARLY = {"tal.txt": "Patenter i tal\n\nI 2023 fik danske universiteter 120 patenter på opfindelser.\n"}


@pytest.mark.parametrize(("docs", "doubted"), [(STATS, True), ({**STATS, **YEARLY}, False)])
def test_a_year_no_passage_mentions_counts_as_an_unmentioned_name(
        tmp_path: Path, docs: dict[str, str], doubted: bool) -> None:
    s, off = _searchers(tmp_path, docs, named_years=False)
    question = "Hvor mange patenter fik universiteterne i 2023?"
    res = s.search(question, k=5, lang="da")
    assert res.unmentioned == (("2023",) if doubted else ()) and res.features["unmatched_name"] == float(doubted)
    assert off.search(question, k=5, lang="da").unmentioned == ()


@pytest.mark.parametrize("written", [False, True])
def test_last_year_in_a_count_question_is_the_year_before_this_one(tmp_path: Path, written: bool) -> None:
    last = str(date.today().year - 1)
    docs = {**STATS, **({"tal.txt": f"Patenter i tal\n\nI {last} fik danske universiteter 120 patenter.\n"} if written else {})}
    s, off = _searchers(tmp_path, docs, relative_years=False)
    question = "Hvor mange patenter fik universiteterne sidste år?"
    assert s.search(question, k=5, lang="da").unmentioned == (() if written else (last,))
    assert off.search(question, k=5, lang="da").unmentioned == ()
