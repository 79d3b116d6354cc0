"""Reading and cleaning: the shipped PDFs and texts, encodings, broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer import DocumentError, read_document
from indexer.reading.clean import join_lines, normalize_for_match, strip_inline_markup
from indexer.reading.read import load_metadata
from indexer.reading.readers import decode_bytes

from .conftest import CORPUS

STRATEGY = CORPUS / "klyngestrategi-2.0-2016-2018.pdf"
ROLES = CORPUS / "roller-ansvar-principper-klyngeindsatsen-2013.pdf"


@pytest.fixture(scope="module")
def strategy():
    return read_document(STRATEGY, load_metadata(CORPUS)[STRATEGY.name])


@pytest.fixture(scope="module")
def roles():
    return read_document(ROLES)


def test_pdf_joins_line_end_hyphenation(strategy) -> None:
    # "er-\nhvervsliv" in the PDF layout comes out whole
    assert "erhvervsliv" in strategy.text
    assert not re.search(r"\ber- hvervsliv|\ber-hvervsliv", strategy.text)
    assert "klyngeindsatsen" in strategy.text and "klyn-geindsatsen" not in strategy.text
    assert "Klyngeforum har derfor besluttet" in strategy.text  # "Klynge-\nforum"


def test_pdf_keeps_real_hyphens(strategy, roles) -> None:
    assert "klynge- og netværksindsats" in strategy.text
    assert "rolle- og ansvarsfordeling" in roles.text  # suspended compound broken at a line end
    assert "Guld- og 10 Sølv-klynger" in strategy.text
    assert "EU-ansøgninger" in strategy.text


def test_pdf_drops_running_headers_and_page_numbers(strategy, roles) -> None:
    assert "Side 3" not in strategy.text
    assert "Klyngeforum · Klyngestrategi 2.0" not in strategy.text
    assert "5. november 2013" not in roles.text  # letterhead
    assert "Telefon" not in roles.text and "Cvr-nr" not in roles.text


def test_pdf_pages_are_kept(strategy, roles) -> None:
    assert strategy.n_pages == 20
    at = strategy.text.index("Statens klynge- og netværksindsats")
    assert strategy.page_at(at) == 6
    at = roles.text.index("det primære ansvar for understøttelse af lokale og spirende klynger")
    assert roles.page_at(at) == 2
    assert roles.page_at(0) == 1


def test_pdf_headings_become_sections(strategy) -> None:
    headings = [strategy.text[s.start:s.end] for s in strategy.spans if s.kind == "heading"]
    assert "Sammenfatning" in headings
    assert "Statens klynge- og netværksindsats" in headings


def test_text_chrome_and_markup_removed() -> None:
    news = read_document(CORPUS / "klynger-innovationsloeft-2013.txt")
    assert "dot_animation" not in news.text and "14:19" not in news.text
    assert "klik her" not in news.text
    assert "vækst- og udviklingspotentialer" in news.text
    qa = read_document(CORPUS / "klynger-spoergsmaal-og-svar-erhvervsfremme.txt")
    assert "Log ind" not in qa.text and "×" not in qa.text
    headings = [qa.text[s.start:s.end] for s in qa.spans if s.kind == "heading"]
    assert "Hvem har opgaven med at drive klyngeindsatsen videre?" in headings


def test_markdown_debris(tmp_path: Path) -> None:
    p = tmp_path / "x.md"
    p.write_text("## **Overskrift**\n\nTekst med fodnote<sup>1</sup> og [link](http://x.dk) og *kursiv*.\n\n"
                 "Indsats\tAnsvarlig\nNationalt\tStaten\n\n---\n\nForsknings- og  \nInnovationsstyrelsen\n\n"
                 "Forsknings- og  \nInnovationsstyrelsen\n\nForsknings- og  \nInnovationsstyrelsen\n", encoding="utf-8")
    d = read_document(p)
    assert d.title == "Overskrift"
    assert "Tekst med fodnote og link og kursiv." in d.text
    assert "Nationalt | Staten" in d.text  # tab table kept readable
    assert "Innovationsstyrelsen" not in d.text  # repeated page header


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    p = tmp_path / "legacy.txt"
    p.write_bytes("Kommunerne støtter spirende klynger på Ærø og i Års.".encode("cp1252"))
    assert "støtter spirende klynger på Ærø" in read_document(p).text


@pytest.mark.parametrize("body,reason", [
    (b"", "empty"),
    (b"\x00\x01\x02binary\x00" * 50, "binary"),
])
def test_bad_text_files_have_reasons(tmp_path: Path, body: bytes, reason: str) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(body)
    with pytest.raises(DocumentError, match=reason):
        read_document(p)


def test_truncated_pdf_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "cut.pdf"
    p.write_bytes(STRATEGY.read_bytes()[:5000])
    with pytest.raises(DocumentError) as info:
        read_document(p)
    assert "PDF" in info.value.reason


def test_unsupported_extension(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK")
    with pytest.raises(DocumentError, match="unsupported"):
        read_document(p)


@pytest.mark.parametrize("lines,expected", [
    (["Danmarks er-", "hvervsliv er stærkt"], "Danmarks erhvervsliv er stærkt"),
    (["lovende vækst-", "og udviklingspotentialer"], "lovende vækst- og udviklingspotentialer"),
    (["antal EU-", "ansøgninger"], "antal EU-ansøgninger"),
    (["perioden 2016-", "2018"], "perioden 2016-2018"),
])
def test_join_lines(lines: list[str], expected: str) -> None:
    assert join_lines(lines) == expected


def test_strip_inline_markup() -> None:
    assert strip_inline_markup("<i>Mål</i> **2018**&amp;<sup>2</sup>") == "Mål 2018&"


def test_normalize_for_match_folds_quotes_case_and_hyphenation() -> None:
    assert normalize_for_match("“Klynge”  er-\nhvervsliv") == normalize_for_match('"klynge" erhvervsliv')


def test_decode_bytes_utf8_bom() -> None:
    assert decode_bytes("\ufeffÆble".encode(), "x") == "Æble"


def test_cell_formatting_written_out_in_a_table_is_dropped_and_the_cells_kept(tmp_path: Path) -> None:
    """Some acts' text exports carry each table cell's formatting ("0,44 Right 1 1 border-top: 1pt solid
    #000000; …"): it filled passages (one of 5,420 words) and their vectors with no text."""
    from indexer.reading.clean import strip_table_markup

    border = "border-top: 1pt solid #000000; border-left: 0pt none #000000; grid-V: 0pt none #000000; "
    text = (f"§ 5. Satserne er følgende: 4 1 310 0.05cm,0.05cm,0.05cm,0.05cm column-width: 66pt 56pt; "
            f"Kroner pr. kilometer Left 1 1 {border}Totalvægt over 32.000 kg Center 1 1 {border}0,44 Right 1 1 "
            f"{border}0,38 Right {border}")
    out = strip_table_markup(text)
    assert "border" not in out and "grid-V" not in out and "column-width" not in out and "pt" not in out.split()
    assert "Kroner pr. kilometer | Totalvægt over 32.000 kg | 0,44 | 0,38 |" in out
    prose = "§ 7. Center for Cybersikkerhed kan til Left 1 1 ikke ændre noget."  # no formatting: as it is
    assert strip_table_markup(prose) == prose
    act = tmp_path / "act.txt"
    act.write_text(f"Lov om afgift\n\n{text}\n\n§ 6. Loven træder i kraft.\n", encoding="utf-8")
    assert "border" not in read_document(act).text
