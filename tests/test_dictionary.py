"""The general English → Danish dictionary (Debian's FreeDict, qa/dictionary.py) for English questions over
a collection without a glossary of its own."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest

from indexer import Index
from indexer.store.tokens import ENGLISH_STOPWORDS
from qa import DEFAULT_CONFIG, Searcher
from qa.dictionary import EVERYDAY_WORDS, PUBLIC_TERMS, english_danish, read_dictd
from qa.translate import translate

from .conftest import check_term_list

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(n: int) -> str:
    s = ""
    while True:
        s = B64[n % 64] + s
        n //= 64
        if not n:
            return s


def write_dictd(folder: Path, name: str, entries: list[tuple[str, str]]) -> Path:
    """A dictd dictionary as dictfmt writes it: a header entry, then headword line + translation lines."""
    folder.mkdir(parents=True, exist_ok=True)
    body, index = b"", []
    for head, text in [("00-database-info", "made by a test"), *entries]:
        chunk = f"{head} /x/ <n>\n{text}\n".encode()
        index.append(f"{head}\t{_b64(len(body))}\t{_b64(len(chunk))}")
        body += chunk
    (folder / f"{name}.dict.dz").write_bytes(gzip.compress(body))
    (folder / f"{name}.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    return folder / name


def test_read_dictd_gives_headwords_and_clean_translations(tmp_path: Path) -> None:
    prefix = write_dictd(tmp_path, "freedict-dan-eng", [("adgang", "access, admission"),
                                                       ("adgangskode", "[Computer: hemmeligt] password")])
    assert dict(read_dictd(prefix)) == {"adgang": ["access", "admission"], "adgangskode": ["password"]}


def test_english_danish_reads_danish_english_backwards(tmp_path: Path) -> None:
    write_dictd(tmp_path, "freedict-dan-eng", [
        ("støtte", "support, to support"), ("understøtte", "support"), ("hav", "sea"),
        ("klynge", "cluster (of grapes)"), ("lang forklaring", "x"),
        ("ord", "a very long explanation of a word"),
    ])
    write_dictd(tmp_path, "freedict-eng-dan", [("winter", "vinter")])
    d = english_danish((str(tmp_path),), terms=None)
    assert d["support"] == ("støtte", "understøtte")  # "to support" is the same verb
    assert d["sea"] == ("hav",) and d["cluster"] == ("klynge",) and d["winter"] == ("vinter",)
    assert "a very long explanation of a word" not in d and "very long explanation of" not in d
    assert all(" " not in da for v in d.values() for da in v)  # Danish phrases are left out


def test_no_dictionary_installed_gives_an_empty_one(tmp_path: Path) -> None:
    assert english_danish((str(tmp_path / "nowhere"),), terms=None) == {}
    (tmp_path / "freedict-dan-eng.index").write_text("broken", encoding="utf-8")
    (tmp_path / "freedict-dan-eng.dict.dz").write_bytes(b"not gzip")
    assert english_danish((str(tmp_path),), terms=None) == {}


def test_one_damaged_dictionary_leaves_the_other_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_dictd(tmp_path, "freedict-eng-dan", [("winter", "vinter")])
    (tmp_path / "freedict-dan-eng.index").write_text("hav\tA\tK\n", encoding="utf-8")
    (tmp_path / "freedict-dan-eng.dict.dz").write_bytes(b"not gzip")
    assert english_danish((str(tmp_path),), terms=None) == {"winter": ("vinter",)}
    said = capsys.readouterr().err
    assert "freedict-dan-eng cannot be read" in said and "reinstall" in said


def test_public_terms_replace_freedicts_senses_and_serve_without_it(tmp_path: Path) -> None:
    write_dictd(tmp_path, "freedict-dan-eng", [("fordel", "benefit, advantage"), ("lejer", "tenant")])
    terms = tmp_path / "terms.tsv"
    terms.write_text("# comment\nbenefit\tydelse\nsickness benefit\tsygedagpenge\n", encoding="utf-8")
    d = english_danish((str(tmp_path),), terms=terms)
    assert d["benefit"] == ("ydelse",)  # the term replaces FreeDict's loose sense
    assert d["sickness benefit"] == ("sygedagpenge",) and d["tenant"] == ("lejer",)
    assert d["advantage"] == ("fordel",)
    alone = english_danish((str(tmp_path / "nowhere"),), terms=terms)
    assert alone == {"benefit": ("ydelse",), "sickness benefit": ("sygedagpenge",)}
    assert english_danish((str(tmp_path),), terms=tmp_path / "missing.tsv")["benefit"] == ("fordel",)  # FreeDict


def test_the_shipped_public_terms_are_well_formed() -> None:
    """qa/data/public_en_da.tsv: one lowercase English word or phrase of 1-3 words a line (the longest phrase
    translate() looks up), a TAB, 1-6 lowercase Danish words; no key twice."""
    keys = check_term_list(PUBLIC_TERMS, r"[a-z0-9'-]+(?: [a-z0-9'-]+){0,2}", r"[a-zæøåé-]+(?: [a-zæøåé-]+){0,5}")
    assert len(keys) > 300 and len(set(keys)) == len(keys)
    d = english_danish(("/nowhere",))
    assert d["municipality"] and d["tenant"]


def test_english_questions_use_it_only_without_a_glossary(tmp_path: Path, shipped_fake_index: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write_dictd(tmp_path / "d", "freedict-dan-eng", [("havtemperatur", "sea temperature"), ("vinter", "winter")])
    monkeypatch.setattr("qa.dictionary.DICTD_DIRS", ())
    monkeypatch.setenv("KLYNGE_DICTD_DIR", str(tmp_path / "d"))
    index = Index.load(shipped_fake_index)
    bare = dataclasses.replace(index, collection=dataclasses.replace(index.collection, glossary={}))
    q = "What is the sea temperature in winter?"
    assert Searcher(bare).ranker.lexical_query(q, "en").split()[-3:] == ["havtemperatur", "in", "vinter"]
    off = Searcher(bare, config=dataclasses.replace(DEFAULT_CONFIG, dictionary=False))
    assert off.ranker.lexical_query(q, "en") == q  # switched off: the question's own words
    own = Searcher(index).ranker.lexical_query(q, "en")  # the collection's glossary, not the dictionary
    assert "havtemperatur" not in own and "vinter" not in own
    assert Searcher(bare).ranker.lexical_query("Hvad er havtemperaturen?", "da") == "Hvad er havtemperaturen?"


def test_english_questions_go_through_the_public_terms_without_freedict(tmp_path: Path, shipped_fake_index: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Without FreeDict and without a glossary of the collection's own, an English question's words still
    reach the Danish lexical index through qa/data/public_en_da.tsv; ``public_terms=False`` switches it off."""
    monkeypatch.setattr("qa.dictionary.DICTD_DIRS", ())
    monkeypatch.setenv("KLYNGE_DICTD_DIR", str(tmp_path / "none"))
    index = Index.load(shipped_fake_index)
    bare = dataclasses.replace(index, collection=dataclasses.replace(index.collection, glossary={}))
    q = "How long can a tenant get sickness benefit?"
    s = Searcher(bare)
    assert {"lejer", "sygedagpenge"} <= set(s.ranker.lexical_query(q, "en").split())
    assert s.ranker.through_dictionary("en")
    off = Searcher(bare, config=dataclasses.replace(DEFAULT_CONFIG, public_terms=False, everyday_words=False))
    assert off.ranker.lexical_query(q, "en") == q and not off.ranker.through_dictionary("en")


def test_dictionary_senses_are_a_structured_query_and_a_glossary_a_bag(shipped_fake_index: Path) -> None:
    """Through the general dictionary each English word is a group of its senses (scored by the best one,
    ``LexicalIndex.scores``); through a collection's glossary, and with ``structured_senses=False``, a bag."""
    import numpy as np

    index = Index.load(shipped_fake_index)
    bare = dataclasses.replace(index, collection=dataclasses.replace(index.collection, glossary={}))
    q, vector = "How long can a tenant get sickness benefit?", np.zeros(8, dtype=np.float32)
    senses = Searcher(bare).ranker.analyse(q, "en", vector, None).senses
    assert ("lejer",) in senses and ("sygedagpenge",) in senses
    off = Searcher(bare, config=dataclasses.replace(DEFAULT_CONFIG, structured_senses=False))
    assert off.ranker.analyse(q, "en", vector, None).senses == ()
    assert Searcher(index).ranker.analyse("Can a tenant join a cluster?", "en", vector, None).senses == ()


def test_a_collections_glossary_goes_over_the_public_terms(shipped_fake_index: Path) -> None:
    """A collection with a glossary of its own: its entries win, the public terms fill the words it lacks
    (laws added to a policy collection), FreeDict's loose senses stay out."""
    index = Index.load(shipped_fake_index)
    glossary = index.collection.glossary
    assert "tenant" not in glossary and "cluster" in glossary
    words = Searcher(index).ranker.lexical_query("Can a tenant join a cluster?", "en").split()
    assert "lejer" in words and set(glossary["cluster"]) <= set(words)
    off = Searcher(index, config=dataclasses.replace(DEFAULT_CONFIG, public_terms=False))
    assert "lejer" not in off.ranker.lexical_query("Can a tenant join a cluster?", "en").split()


def test_later_term_lists_win_over_earlier_ones(tmp_path: Path) -> None:
    everyday, public = tmp_path / "everyday.tsv", tmp_path / "public.tsv"
    everyday.write_text("staff\tpersonale\nbenefit\tfordel\n", encoding="utf-8")
    public.write_text("benefit\tydelse\n", encoding="utf-8")
    d = english_danish(("/nowhere",), terms=(everyday, public))
    assert d == {"staff": ("personale",), "benefit": ("ydelse",)}
    assert english_danish(("/nowhere",), terms=(public, everyday))["benefit"] == ("fordel",)


def test_the_shipped_everyday_words_are_well_formed() -> None:
    """qa/data/everyday_en_da.tsv: single lowercase English words, 1-3 Danish words; no key twice, no English
    stopword (a stopword's entry would translate every question's "can" or "is")."""
    keys = check_term_list(EVERYDAY_WORDS, r"[a-z0-9'-]+", r"[a-zæøåé-]+(?: [a-zæøåé-]+){0,2}")
    assert len(keys) > 3000 and len(set(keys)) == len(keys)
    assert not set(keys) & ENGLISH_STOPWORDS
    d = english_danish(("/nowhere",))
    assert d["staff"] and d["household"] and d["municipality"]


def test_english_questions_go_through_the_everyday_words(tmp_path: Path, shipped_fake_index: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Words FreeDict lacks ("staff", "offers") reach the Danish lexical index through qa/data/everyday_en_da.tsv;
    ``everyday_words=False`` leaves them as they are."""
    monkeypatch.setattr("qa.dictionary.DICTD_DIRS", ())
    monkeypatch.setenv("KLYNGE_DICTD_DIR", str(tmp_path / "none"))
    index = Index.load(shipped_fake_index)
    bare = dataclasses.replace(index, collection=dataclasses.replace(index.collection, glossary={}))
    q = "Does the household staff get offers?"
    words = Searcher(bare).ranker.lexical_query(q, "en").split()
    assert {"husstand", "personale", "tilbud"} <= set(words) and "offers" not in words
    off = Searcher(bare, config=dataclasses.replace(DEFAULT_CONFIG, everyday_words=False)).ranker
    assert {"household", "staff", "offers"} <= set(off.lexical_query(q, "en").split())


def test_translate_looks_words_up_by_their_lemma() -> None:
    glossary = {"send": ("sende",), "letter": ("brev",), "turn down": ("afvise",), "rate": ("sats",),
                "rat": ("rotte",), "child": ("barn",)}
    assert translate("She sent letters", glossary) == (("she",), ("sende",), ("brev",))
    assert translate("he turned down children", glossary) == (("he",), ("afvise",), ("barn",))
    assert translate("interest rates", glossary)[-1] == ("sats",)  # the lemma before a cut suffix ("rat")
    assert translate("rats", glossary) == (("rotte",),)
    assert translate("does it", {"do": ("gøre",)}) == (("does",), ("it",))  # an auxiliary is no form of "do"
