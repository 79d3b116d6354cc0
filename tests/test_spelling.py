"""Questions as people type them: without æ, ø, å, or with a slip (qa/spelling.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import Index
from indexer.store.tokens import stem_token
from qa import DEFAULT_CONFIG, Searcher
from qa.config import SpellingConfig
from qa.spelling import Respelling, Speller, searched_for

# a collection's words (as the lexical index holds them: stems) and the number of passages holding each
WORDS = {"kommunalbestyrelsen": 40, "møde": 30, "byrådet": 5, "kontanthjælp": 12, "ansøgning": 9, "år": 50,
         "ældreråd": 4, "hegnsynsforretning": 1}
DF = {stem_token(w)[2:]: n for w, n in WORDS.items()}


def speller(**config: object) -> Speller:
    return Speller(list(DF), lambda s: DF.get(s, 0), replace(SpellingConfig(), **config), "da")


def test_a_word_typed_without_danish_letters_is_unfolded() -> None:
    out = speller().respell("Hvor tit holder byraadet moede hvert aar?")
    assert out.text == "Hvor tit holder byrådet møde hvert år?"
    assert out.changes == (Respelling("byraadet", "byrådet"), Respelling("moede", "møde"), Respelling("aar", "år"))
    assert searched_for(out.changes) == "byrådet (byraadet), møde (moede), år (aar)"


def test_a_slip_in_a_long_word_is_mended_with_the_typed_ending() -> None:
    assert speller().respell("Hvornår får man kontanthælp?").text == "Hvornår får man kontanthjælp?"  # a letter dropped
    assert speller().respell("Kontnathjælp hvor længe").text == "Kontanthjælp hvor længe"  # two letters swapped
    assert speller().respell("ansøgnnigen om hjælp").changes[0].searched == "ansøgningen"


def test_words_that_are_words_are_left_as_typed() -> None:
    s = speller()
    # known to the language though not to the collection ("tjekke", "frisør"), a compound of two words
    # ("lokalliste", "sagsnummer"), a name inside a sentence, a short word, a code, an acronym
    for text in ("Må vi tjekke det hos frisøren?", "Står han på lokallisten med sagsnummer?",
                 "Hvad siger Kommunalbestyrrelsen i Aarhus?", "Kan jeg få hjælp?", "Skema AB12 og SKAT"):
        assert s.respell(text).changes == (), text


def test_an_inflection_the_language_list_lacks_is_left_when_another_form_has_its_stem() -> None:
    """wordfreq lists "trampe" but not "trampet"; the collection holds "trappe", one edit from its stem. An
    inflection is a word where a form the language lists shares its stem, and is not mended to "trapet"."""
    df = {**DF, stem_token("trappen")[2:]: 10}
    s = Speller(list(df), lambda w: df.get(w, 0), SpellingConfig(), "da")
    assert s.respell("Køerne har trampet hele marken ned").changes == ()
    assert s.respell("Hvornår får man kontanthælp?").changes == (Respelling("kontanthælp", "kontanthjælp"),)


def test_a_capital_that_opens_a_clause_is_no_name_and_is_mended() -> None:
    """Where ``qa.names`` reads a name (a capital inside a clause) the word is left; where the capital only opens
    a sentence or clause, a slip in it is mended like any other word."""
    for text in ("Fristen er kort – Kontanthælp stopper", "Fristen: Kontanthælp stopper",
                 "Hvad stopper? Kontanthælp", '"Kontanthælp" stopper'):
        assert speller().respell(text).changes == (Respelling("Kontanthælp", "Kontanthjælp"),), text
    assert speller().respell("Fristen er kort for Kontanthælp").changes == ()


def test_only_stems_in_enough_passages_and_with_the_same_first_letter_are_respellings() -> None:
    # "hegnsynsforretning" is in one passage only (and no word of the language)
    assert speller().respell("Hvad koster en hegnsynsforretnign?").changes == ()
    assert speller(min_passages=1).respell("Hvad koster en hegnsynsforretnign?").text == "Hvad koster en hegnsynsforretning?"
    assert speller().respell("hontanthjælp").changes == ()  # a slip in the first letter is not guessed


def test_a_lay_word_known_elsewhere_is_left_and_can_be_unfolded_to() -> None:
    s = Speller(list(DF), lambda s: DF.get(s, 0), SpellingConfig(), "da", known=lambda w: w == "ældrerådet")
    assert s.respell("Hvem sidder i aeldreraadet?").text == "Hvem sidder i ældrerådet?"


def test_search_reads_the_respelled_question_and_says_so(shipped_fake_index: Path) -> None:
    """A question typed without æ, ø, å finds what its Danish spelling finds; the result keeps the question
    as typed and says what was searched for, in the JSON too; with respelling off it is searched as typed."""
    s = Searcher(Index.load(shipped_fake_index), config=DEFAULT_CONFIG)
    typed, danish = "Hvilke klynger faar stoette fra staten?", "Hvilke klynger får støtte fra staten?"
    res, ref = s.search(typed, k=5, lang="da"), s.search(danish, k=5, lang="da")
    assert [h.passage.passage_id for h in res.hits] == [h.passage.passage_id for h in ref.hits]
    assert res.question == typed and {(r.typed, r.searched) for r in res.respelled} >= {("stoette", "støtte")}
    assert json.loads(json.dumps(res.to_json()))["respelled"][0] == {"typed": "faar", "searched": "får"}
    off = Searcher(s.index, config=replace(DEFAULT_CONFIG, spelling=SpellingConfig(enabled=False)))
    assert off.search(typed, k=5, lang="da").respelled == ()


def test_an_english_question_is_respelled_to_english_words(shipped_fake_index: Path) -> None:
    """Over the Danish collection, an English question's slips are mended to English words (the dictionary
    then finds them), never to the collection's Danish ones; a Danish word the collection uses is left."""
    s = Searcher(Index.load(shipped_fake_index), config=DEFAULT_CONFIG)
    assert s.respell("who supports emerging clusters", "en").changes == ()
    assert s.respell("who suports emerging clustres", "en").text == "who supports emerging clusters"
    assert s.respell("what does the klyngeindsats fund", "en").changes == ()
    assert s.search("who suports emerging clustres", k=3, lang="en").respelled[0].searched == "supports"
    assert s.respell("how many doeer", "en").changes == ()  # no æ, ø, å in English: nothing unfolded


def test_the_app_and_the_cli_say_what_was_searched_for(shipped_fake_index: Path) -> None:
    from klynge_ui.ask import render_result

    s = Searcher(Index.load(shipped_fake_index), config=DEFAULT_CONFIG)
    res = s.search("Hvilke klynger faar stoette fra staten?", k=3, lang="da")
    assert "Søgte efter: får (faar), støtte (stoette)" in render_result(res, "da")
    assert "Searched for: får (faar), støtte (stoette)" in render_result(res, "en")


def test_a_compound_is_unfolded_and_a_word_with_its_own_oe_is_left() -> None:
    s = speller()
    assert s.respell("Hvem sidder i miljoeudvalget?").text == "Hvem sidder i miljøudvalget?"  # miljø + udvalget
    assert s.respell("Naboerne klager over firmaer").changes == ()  # nabo-erne, firma-er: words as typed
    assert s.respell("koen er syg").changes == ()  # "koen" (the cow) is a word; "køn" not that much commoner


def test_a_letter_for_another_is_a_slip_only_where_the_keys_touch() -> None:
    from qa.spelling import typing_distance

    assert typing_distance("tiladelse", "tilladelse") == 1  # a letter dropped
    assert typing_distance("kontnathjælp", "kontanthjælp") == 1  # two swapped
    assert typing_distance("kommuen", "kommune") == 1
    assert typing_distance("bygnimg", "bygning") == 1  # m beside n
    assert typing_distance("skimmel", "svimmel") == 2  # k and v are far apart: no slip
    assert typing_distance("tilodelse", "tiladelse") == 1  # vowels stand for each other


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdeklmnorstuæøåAEKØÅ -?.,§1"), max_size=60))
def test_respelling_any_text_changes_words_only(text: str) -> None:
    """Whatever is typed: no error, and the searched text is the typed one with each changed word replaced in
    place (punctuation, numbers and spacing kept)."""
    out = speller().respell(text)
    rebuilt, rest = "", text
    for change in out.changes:
        at = rest.index(change.typed)
        rebuilt, rest = rebuilt + rest[:at] + change.searched, rest[at + len(change.typed):]
    assert rebuilt + rest == out.text
