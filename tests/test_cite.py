"""Quote lookup: exact after normalising, fuzzy for reworded or partial quotes, not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import Index
from qa import QueryError
from qa.cite import find_quote


@pytest.fixture(scope="module")
def index(shipped_fake_index: Path) -> Index:
    return Index.load(shipped_fake_index)


def test_exact_quote_with_other_case_spacing_and_quotes(index: Index) -> None:
    quote = '  KLYNGEFORUM har ikke   formel “beslutningskompetence”  '
    m = find_quote(index, quote)
    assert m and m[0].exact and m[0].similarity == 1.0
    assert m[0].doc_id == "klyngestrategi-2.0-2016-2018" and m[0].page is not None
    doc = index.documents[m[0].doc_id]
    assert doc.text[m[0].start:m[0].end].lower().startswith("klyngeforum har ikke formel")
    assert m[0].citation.startswith("Klyngestrategi 2.0")


def test_quote_with_line_end_hyphen_as_in_the_pdf(index: Index) -> None:
    m = find_quote(index, "dansk er-\nhvervsliv, såvel geografisk")
    assert m and m[0].exact


def test_reworded_quote_is_found_fuzzily(index: Index) -> None:
    m = find_quote(index, "De regionale vækstfora og kommunerne har det primære ansvar for at understøtte lokale og spirende klynger")
    assert m and not m[0].exact and m[0].similarity >= 0.72
    assert m[0].doc_id == "roller-ansvar-principper-klyngeindsatsen-2013" and m[0].page == 2
    assert "1. Roller og ansvar" in m[0].section


def test_unknown_quote_is_not_found(index: Index) -> None:
    assert find_quote(index, "Parkeringstilladelser udstedes af borgerservice mod et gebyr på 300 kroner.") == []


def test_empty_quote_is_refused(index: Index) -> None:
    with pytest.raises(QueryError):
        find_quote(index, "  ")


def test_a_quote_over_the_edge_of_two_passages_is_found_word_for_word(index: Index) -> None:
    by_doc: dict[str, list] = {}
    for p in index.passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    first, second = next((a, b) for ps in by_doc.values() for a, b in zip(sorted(ps, key=lambda p: p.start),
                                                                         sorted(ps, key=lambda p: p.start)[1:], strict=False)
                         if b.start >= a.end and len(a.text) > 200 and len(b.text) > 200)
    text = index.documents[first.doc_id].text
    quote = " ".join(text[first.end - 120:second.start + 120].split()[1:-1])  # whole words only
    m = find_quote(index, quote)
    assert m and m[0].exact and m[0].doc_id == first.doc_id
    assert m[0].start < first.end and m[0].end > second.start


def test_a_quote_whose_words_match_no_passage_is_looked_for_in_every_document(index: Index) -> None:
    quote = "at der er"
    assert not index.lexical.scores(quote).any()  # stopwords: the lexical index has nothing to point to
    m = find_quote(index, quote)
    assert m and all(x.exact for x in m)
    assert all(index.documents[x.doc_id].text[x.start:x.end].lower() == quote for x in m)


def test_the_passage_at_an_offset_is_the_one_whose_span_holds_it(index: Index) -> None:
    for p in index.passages[:: max(1, len(index.passages) // 12)]:
        for offset in (p.start, (p.start + p.end) // 2, p.end - 1):
            found = index.passage_at(p.doc_id, offset)
            assert found is not None and found.doc_id == p.doc_id and found.start <= offset < found.end
    last = max((p for p in index.passages if p.doc_id == index.passages[0].doc_id), key=lambda p: p.end)
    assert index.passage_at(last.doc_id, last.end + 10**6) is None  # past the document's last passage
    assert index.passage_at("no-such-document", 0) is None
