"""Danish lay words → the terms legislation uses (qa/lay.py, qa/data/lay_da.tsv)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from indexer import Index
from qa import DEFAULT_CONFIG, Searcher
from qa.lay import LAY_TERMS, LayMatch, LayTerms, expansion, expansion_terms, lay_terms, with_formal
from qa.match import coverage, question_terms, text_words

from .conftest import check_term_list


def table(tmp_path: Path, text: str) -> LayTerms:
    f = tmp_path / "lay.tsv"
    f.write_text(text, encoding="utf-8")
    return LayTerms.read(f)


def test_words_are_found_by_stem_and_phrases_before_their_words(tmp_path: Path) -> None:
    t = table(tmp_path, "# comment\nbyråd\tkommunalbestyrelse\nbørne check\tbørneydelse\ncheck\tkontrol\n")
    found = t.find("Hvornår holder byrådet møde, og hvornår kommer børne-checken?")
    assert found == (LayMatch(("byrådet",), ("kommunalbestyrelse",)), LayMatch(("børne", "checken"), ("børneydelse",)))
    assert t.find("Hvad siger loven?") == ()
    # a lay word the collection itself uses is left alone; a phrase is still looked up
    assert t.find("byrådet og børne-checken", known=lambda w: True) == found[1:]
    assert t.find("byrådet", known=lambda w: w != "byrådet") == found[:1]
    assert expansion(found) == "kommunalbestyrelse børneydelse" and expansion_terms(found) == 2


def test_a_lay_word_counts_as_present_where_its_formal_term_is(tmp_path: Path) -> None:
    found = table(tmp_path, "byråd\tkommunalbestyrelse\n").find("Hvor tit holder byrådet møde")
    terms = question_terms("Hvor tit holder byrådet møde")
    passage = [text_words("Kommunalbestyrelsen holder møde en gang om måneden.")]
    assert coverage(with_formal(terms, found), passage) > coverage(terms, passage)
    assert with_formal(terms, ()) == terms


def test_an_unreadable_table_is_empty(tmp_path: Path) -> None:
    assert LayTerms.read(tmp_path / "missing.tsv").table == {}


def test_the_shipped_lay_terms_are_well_formed() -> None:
    """qa/data/lay_da.tsv: a lowercase Danish word or phrase of 1-3 words a line, a TAB, formal words that
    differ from it; no key twice."""
    keys = check_term_list(LAY_TERMS, r"[a-zæøåé0-9-]+(?: [a-zæøåé0-9-]+){0,2}", r"[a-zæøåé0-9-]+(?: [a-zæøåé0-9-]+)*",
                           differ=True)
    assert len(keys) > 150 and len(set(keys)) == len(keys)
    assert len(lay_terms().table) > 150


def test_danish_questions_get_the_formal_terms_english_ones_do_not(shipped_fake_index: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    from qa import rank

    t = table(tmp_path, "byråd\tkommunalbestyrelse\n")
    monkeypatch.setattr(rank, "lay_terms", lambda: t)
    s = Searcher(Index.load(shipped_fake_index))
    q = s.ranker.analyse("Hvor tit holder byrådet møde?", "da", s.index.vectors()[0], None)
    assert q.lexical.endswith(" kommunalbestyrelse") and q.lay == t.find("byrådet")
    assert any(("kommunalbestyrelse",) in term for term in q.terms)
    en = s.ranker.analyse("How often does the byråd meet?", "en", s.index.vectors()[0], None)
    assert "kommunalbestyrelse" not in en.lexical and en.lay == ()
    off = Searcher(Index.load(shipped_fake_index), config=dataclasses.replace(DEFAULT_CONFIG, lay_terms=False))
    assert off.ranker.analyse("Hvor tit holder byrådet møde?", "da", s.index.vectors()[0], None).lexical == \
        "Hvor tit holder byrådet møde?"


def test_the_question_is_embedded_with_its_formal_terms(shipped_fake_index: Path, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    """The model sees "question (formal terms)" for a Danish question with lay words, the question alone
    otherwise, in English, or with the switch off."""
    from qa import rank

    t = table(tmp_path, "byråd\tkommunalbestyrelse\n")
    monkeypatch.setattr(rank, "lay_terms", lambda: t)
    s = Searcher(Index.load(shipped_fake_index))
    seen: list[str] = []
    encode = s.embedder.encode_queries
    monkeypatch.setattr(s.embedder, "encode_queries", lambda texts, *a: seen.extend(texts) or encode(texts, *a))
    s.search_many(["Hvor tit holder byrådet møde?", "Hvem støtter klynger?"], lang="da")
    s.search("How often does the byråd meet?", lang="en")
    assert seen == ["Hvor tit holder byrådet møde? (kommunalbestyrelse)", "Hvem støtter klynger?",
                    "How often does the byråd meet?"]
    off = Searcher(Index.load(shipped_fake_index), config=dataclasses.replace(DEFAULT_CONFIG, lay_terms_embedded=False))
    assert off.ranker.embedded_text("Hvor tit holder byrådet møde?", "da") == "Hvor tit holder byrådet møde?"
    assert s.ranker.analyse("Hvor tit holder byrådet møde?", "da", s.index.vectors()[0], None).text == \
        "Hvor tit holder byrådet møde?"  # the lexical side and the answer see the question as asked
