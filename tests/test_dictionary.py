"""The general English → Danish dictionary (Debian's FreeDict, qa/dictionary.py) for English questions over
a collection without a glossary of its own."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest

from indexer import Index
from qa import DEFAULT_CONFIG, Searcher
from qa.dictionary import english_danish, read_dictd

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
    d = english_danish((str(tmp_path),))
    assert d["support"] == ("støtte", "understøtte")  # "to support" is the same verb
    assert d["sea"] == ("hav",) and d["cluster"] == ("klynge",) and d["winter"] == ("vinter",)
    assert "a very long explanation of a word" not in d and "very long explanation of" not in d
    assert all(" " not in da for v in d.values() for da in v)  # Danish phrases are left out


def test_no_dictionary_installed_gives_an_empty_one(tmp_path: Path) -> None:
    assert english_danish((str(tmp_path / "nowhere"),)) == {}
    (tmp_path / "freedict-dan-eng.index").write_text("broken", encoding="utf-8")
    (tmp_path / "freedict-dan-eng.dict.dz").write_bytes(b"not gzip")
    assert english_danish((str(tmp_path),)) == {}


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
