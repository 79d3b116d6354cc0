"""Passages: coverage, offsets and stable ids (property tests), sizes on the shipped corpus."""

from __future__ import annotations

import statistics
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import read_document, split_document
from indexer.reading.document import Document
from indexer.reading.readers import Block, assemble
from indexer.reading.readers.text import read_text_blocks
from indexer.reading.split import sentence_spans

from .conftest import CORPUS

WORDS = st.sampled_from("klynge virksomheder netværk og i at er. Danmark strategi 2.000 fx. innovation".split())
PARA = st.lists(WORDS, min_size=1, max_size=120).map(" ".join)
BLOCK = st.one_of(
    PARA.map(lambda t: Block("para", t)),
    st.lists(WORDS, min_size=1, max_size=8).map(" ".join).map(lambda t: Block("heading", t.capitalize(), level=2)),
    PARA.map(lambda t: Block("list", t)),
)


def _doc(blocks: list[Block]) -> Document:
    joined = assemble(blocks)
    return Document("d", "d.txt", "Titel", joined.text, joined.spans, joined.page_starts)


def _check(doc: Document) -> None:
    passages = split_document(doc)
    covered = [0] * len(doc.text)
    for p in passages:
        assert doc.text[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text
        for i in range(p.start, p.end):
            covered[i] += 1
    for i, ch in enumerate(doc.text):
        assert covered[i] <= 1, "a character in two passages"
        if not ch.isspace():
            assert covered[i] == 1, f"character {i} {ch!r} in no passage"
    assert [p.start for p in passages] == sorted(p.start for p in passages)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BLOCK, min_size=1, max_size=25))
def test_every_character_in_exactly_one_passage(blocks: list[Block]) -> None:
    _check(_doc(blocks))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000))
def test_arbitrary_text_reads_and_splits(text: str) -> None:
    blocks = read_text_blocks(text, markdown=True)
    if blocks:
        _check(_doc(blocks))


def test_ids_are_stable_across_runs() -> None:
    doc = read_document(CORPUS / "klyngestrategi-2.0-2016-2018.pdf")
    a = [p.passage_id for p in split_document(doc)]
    b = [p.passage_id for p in split_document(read_document(CORPUS / "klyngestrategi-2.0-2016-2018.pdf"))]
    assert a == b and len(set(a)) == len(a)


def test_shipped_corpus_passage_sizes() -> None:
    sizes = []
    for f in sorted(CORPUS.glob("*.*")):
        if f.suffix in (".pdf", ".txt"):
            d = read_document(f)
            _check(d)
            for p in split_document(d):
                sizes.append(len(p.text.split()))
                assert len(p.text.split()) <= 260
    assert 100 <= statistics.median(sizes) <= 200


def test_pdf_passages_carry_page_and_section() -> None:
    doc = read_document(CORPUS / "roller-ansvar-principper-klyngeindsatsen-2013.pdf")
    p = next(p for p in split_document(doc) if "lokale og spirende klynger" in p.text)
    assert p.page == 2 or p.page_end == 2
    assert p.section.startswith("1. Roller og ansvar")


def test_sentence_spans_respect_abbreviations_and_numbers() -> None:
    text = "Mindst 2.000 virksomheder deltager, bl.a. SMV'er. Det er fx. vigtigt. Næste sætning!"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Mindst 2.000 virksomheder deltager, bl.a. SMV'er.", "Det er fx. vigtigt.", "Næste sætning!"]
    item = "1. Mindst 2.000 virksomheder har årligt udviklet nye innovationer"
    assert sentence_spans(item) == [(0, len(item))]  # a list number does not end a sentence


def test_passages_never_cross_documents(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Første dokument.\n\nMere tekst.", encoding="utf-8")
    doc = read_document(tmp_path / "a.txt")
    assert all(p.doc_id == "a" for p in split_document(doc))


def test_a_short_closing_paragraph_stays_with_its_section() -> None:
    """Orphan control: a passage that reaches its target size does not leave a short last paragraph of
    its section to open the next passage."""
    body = " ".join(["klynge"] * 80)
    blocks = [Block("heading", "Indsatsområder", level=2), Block("para", body), Block("para", body),
              Block("para", "Inden for de fem indsatsområder iværksættes 20 initiativer."),
              Block("heading", "Initiativer", level=2), Block("para", body)]
    passages = split_document(_doc(blocks))
    closing = next(p for p in passages if "fem indsatsområder" in p.text)
    assert closing.text.startswith("Indsatsområder") and "Initiativer" not in closing.text
    # a long closing part is not swallowed: the passage would grow past its maximum
    blocks[3] = Block("para", " ".join(["netværk"] * 70))
    passages = split_document(_doc(blocks))
    assert not any(p.text.startswith("Indsatsområder") and "netværk" in p.text for p in passages)


def test_the_tail_of_a_section_is_not_glued_to_the_next_section() -> None:
    """A section's last paragraph that did not fit its passage does not open the next section's passage
    (which would then be cited under the wrong section)."""
    blocks = [Block("heading", "Titel", level=1), Block("heading", "Statens indsats", level=2),
              Block("para", " ".join(["stat"] * 100)),
              Block("para", " ".join(["stat"] * 100)), Block("para", " ".join(["hale"] * 50)),
              Block("heading", "Regionernes indsats", level=2), Block("para", " ".join(["region"] * 100))]
    passages = split_document(_doc(blocks))
    tail = next(p for p in passages if "hale" in p.text)
    assert "Regionernes" not in tail.text and tail.section == "Statens indsats"
    regional = next(p for p in passages if "region" in p.text)
    assert regional.text.startswith("Regionernes indsats") and regional.section == "Regionernes indsats"
