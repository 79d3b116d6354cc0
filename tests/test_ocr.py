"""Scanned documents: real page images drawn here and read by Tesseract (nothing mocked), and the bad
inputs a scan can be. The tests that run OCR skip, saying why, where Tesseract or its Danish model is
not installed (`make ocr-deps` installs them)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from indexer import build_index
from indexer.errors import DocumentError, UploadRefused
from indexer.reading import ocr
from indexer.reading.clean import looks_garbled
from indexer.reading.intake import check_file
from indexer.reading.read import read_document
from klynge_ui.documents import documents_table
from qa import Searcher
from qa.cite import find_quote
from qa.service import add_documents, list_documents, open_library

from .conftest import FakeEmbedder

FONTS = Path("/usr/share/fonts/truetype/dejavu")
needs_ocr = pytest.mark.skipif(ocr.available() is not None or not FONTS.is_dir(),
                               reason=f"OCR cannot run here: {ocr.available() or 'no DejaVu fonts to draw a page'}")

MEETING = ["Kommunalbestyrelsen holder ordinære møder mindst", "en gang om måneden. Borgmesteren indkalder",
           "til møderne med en dagsorden."]
BURNING = ["Affald fra haver må ikke afbrændes i byzone.", "Overtrædelse straffes med bøde."]


def page(lines: list[str], title: str | None = None, size: tuple[int, int] = (1240, 1754)) -> Image.Image:
    """An A4 page at 150 dpi with ``lines`` typeset in 12 pt serif (a heading above when ``title``)."""
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    y = 150
    if title:
        draw.text((120, y), title, font=ImageFont.truetype(str(FONTS / "DejaVuSerif-Bold.ttf"), 40), fill=0)
        y += 90
    body = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), 26)
    for line in lines:
        draw.text((120, y), line, font=body, fill=0)
        y += 40
    return img


def scan_pdf(path: Path, pages: list[Image.Image]) -> Path:
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150)
    return path


@pytest.fixture(autouse=True)
def _own_ocr_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "ocr-cache"
    monkeypatch.setenv("KLYNGE_OCR_CACHE", str(cache))
    return cache


@needs_ocr
def test_a_photographed_page_is_read_with_its_heading(tmp_path: Path) -> None:
    path = tmp_path / "referat.png"
    page(MEETING, title="Referat af byrådets møde").save(path, dpi=(150, 150))
    doc = read_document(path)
    assert doc.title == "Referat af byrådets møde"  # the large bold line is the heading
    assert "Kommunalbestyrelsen holder ordinære møder mindst en gang om måneden" in doc.text
    assert doc.n_pages == doc.ocr_pages == 1 and doc.page_starts == ((0, 1),)
    assert doc.ocr_confidence is not None and doc.ocr_confidence > 70


@needs_ocr
def test_a_tilted_scan_keeps_its_paragraphs_and_finds_no_false_headings(tmp_path: Path) -> None:
    """A page scanned 1° askew: a line's box grows with its width, so a short last line must not start a
    paragraph of its own, nor a wide body line pass for a heading."""
    first = ["Kommunalbestyrelsen holder ordinære møder mindst en gang om måneden,",
             "og borgmesteren indkalder til møderne med en dagsorden, som sendes",
             "senest fire dage før mødet."]
    img = page([*first, "", "Affald fra haver må ikke afbrændes i byzone, og overtrædelse straffes."],
               title="Referat af byrådets møde")
    path = tmp_path / "skæv.png"
    img.rotate(1.0, resample=Image.Resampling.BICUBIC, fillcolor=255).save(path, dpi=(150, 150))
    doc = read_document(path)
    headings = [doc.text[s.start:s.end] for s in doc.spans if s.kind == "heading"]
    paragraphs = [doc.text[s.start:s.end] for s in doc.spans if s.kind == "para"]
    assert headings == ["Referat af byrådets møde"]
    assert len(paragraphs) == 2 and paragraphs[0].endswith("som sendes senest fire dage før mødet.")


def table_page(rows: list[tuple[str, list[str]]]) -> Image.Image:
    """A page of text over a two-column table: a short label on the left, a cell of several lines on the
    right, a rule under each row (as the shipped strategy's table of initiatives)."""
    img = page([*MEETING, *BURNING])
    draw = ImageDraw.Draw(img)
    body = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), 26)
    y = 400
    for label, cell in rows:
        draw.text((120, y), label, font=body, fill=0)
        for i, line in enumerate(cell):
            draw.text((620, y + 40 * i), line, font=body, fill=0)
        y += 40 * len(cell) + 30
        draw.line((110, y - 15, 1130, y - 15), fill=0, width=2)
    return img


@needs_ocr
def test_a_scanned_table_is_read_cell_by_cell_row_by_row(tmp_path: Path) -> None:
    """Tesseract reads a label and the first line of the cell beside it as one line across the page;
    klynge cuts such a line at the gap and reads each cell whole, row after row."""
    rows = [("Forskning", ["Samarbejde mellem klynger og", "universiteter om videnbroer", "og studerende"]),
            ("Eksport", ["Klyngernes internationale", "strategier styrkes"])]
    path = tmp_path / "tabel.png"
    table_page(rows).save(path, dpi=(150, 150))
    doc = read_document(path)
    paragraphs = [doc.text[s.start:s.end] for s in doc.spans if s.kind == "para"]
    assert paragraphs[-4:] == ["Forskning", "Samarbejde mellem klynger og universiteter om videnbroer og studerende",
                          "Eksport", "Klyngernes internationale strategier styrkes"]


@needs_ocr
def test_label_and_value_rows_of_a_scanned_header_stay_rows(tmp_path: Path) -> None:
    """Minutes open with rows of a label and its value far apart ("Dato:  12. marts 2024"): each row is a
    cell of one line on each side, so the rows are read as they stand, not a column of labels first."""
    img = page([*MEETING, *BURNING], title="Referat af udvalgsmøde")
    draw = ImageDraw.Draw(img)
    body = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), 26)
    rows = [("Dato:", "12. marts 2024 kl. 16.00"), ("Sted:", "Rådhuset, mødelokale 2"), ("Afbud:", "Dorte Madsen")]
    for i, (label, value) in enumerate(rows):
        draw.text((120, 600 + 40 * i), label, font=body, fill=0)
        draw.text((460, 600 + 40 * i), value, font=body, fill=0)
    path = tmp_path / "referat.png"
    img.save(path, dpi=(150, 150))
    doc = read_document(path)
    assert "Dato: 12. marts 2024 kl. 16.00 Sted: Rådhuset, mødelokale 2 Afbud: Dorte Madsen" in doc.text


def grainy(img: Image.Image, seed: int = 7) -> Image.Image:
    """A copier's grain and specks over ``img`` (as benchmarks/ocr.py makes its noisy twins)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = np.asarray(img, dtype=np.float32) + rng.normal(0.0, 10.0, (img.height, img.width))
    specks = rng.random(a.shape)
    a[specks < 0.001], a[specks > 0.999] = 0.0, 255.0
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")


@pytest.mark.skipif(not FONTS.is_dir(), reason="no DejaVu fonts to draw a page")
def test_grain_is_taken_out_before_ocr_and_a_clean_page_is_left_as_it_is() -> None:
    import numpy as np

    clean = page(MEETING, title="Referat af byrådets møde")
    assert ocr._without_grain(clean).tobytes() == clean.tobytes()
    noisy = grainy(clean)
    cleaned = np.asarray(ocr._without_grain(noisy), dtype=np.int16)
    # the specks in the white are gone, the text's ink is kept
    assert (cleaned[:100] < 128).sum() < (np.asarray(noisy)[:100] < 128).sum() / 10
    assert abs(int((cleaned < 128).sum()) - int((np.asarray(clean) < 128).sum())) < 0.2 * (np.asarray(clean) < 128).sum()


@needs_ocr
def test_a_scanned_pdf_is_found_quoted_and_cited_with_its_page(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    scan_pdf(corpus / "referat.pdf", [page(MEETING, title="Referat af byrådets møde"), page(BURNING)])
    (corpus / "andet.md").write_text("# Møbler\n\nStole og borde fra mange lande og perioder.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    s = Searcher(tmp_path / "index", FakeEmbedder())
    hit = s.search("må man afbrænde affald fra haver i byzone", k=3).hits[0]
    assert hit.passage.doc_id == "referat" and "afbrændes i byzone" in hit.answer_text
    assert s.documents["referat"].page_at(hit.passage.start + hit.answer[0][0]) == 2  # the answer's page
    assert "s. 1-2" in hit.citation  # the passage runs over both pages
    [match] = find_quote(s.index, "Overtrædelse straffes med bøde.", limit=1)
    assert match.exact and match.page == 2 and match.doc_id == "referat"
    table = documents_table(s)  # the Documents tab: the scan's row says OCR read it, and how sure it was
    assert table.count("k-ocr") == 1 and "2 s. læst med OCR / pages OCRed" in table
    listed = {i.file: i for i in list_documents(open_library(corpus, tmp_path / "index")).items}
    assert listed["referat.pdf"].ocr_pages == 2 and listed["referat.pdf"].ocr_note.startswith("OCR: 2 of 2 pages")
    assert listed["andet.md"].ocr_note == ""


@needs_ocr
def test_a_photographed_page_added_to_a_collection_is_asked_about(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "andet.md").write_text("# Møbler\n\nStole og borde fra mange lande og perioder.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    photo = tmp_path / "IMG_0412.jpg"  # a phone's name for it; the person names it haveaffald.jpg
    page(BURNING, title="Regulativ for haveaffald").save(photo, format="JPEG", quality=85)
    changes = add_documents(open_library(corpus, tmp_path / "index", embedder=FakeEmbedder()),
                            [(photo, "haveaffald.jpg")])
    assert [c.action for c in changes.changes] == ["added"] and (corpus / "haveaffald.jpg").is_file()
    s = Searcher(tmp_path / "index", FakeEmbedder())
    hit = s.search("afbrænde haveaffald i byzone", k=2).hits[0]
    assert hit.passage.doc_id == "haveaffald" and hit.passage.title == "Regulativ for haveaffald"


@needs_ocr
def test_a_mixed_pdf_keeps_its_text_layer_and_reads_its_scanned_page(tmp_path: Path) -> None:
    born_digital = Path(__file__).resolve().parent.parent / "corpus" / "roller-ansvar-principper-klyngeindsatsen-2013.pdf"
    writer = PdfWriter()
    writer.add_page(PdfReader(born_digital).pages[0])
    writer.add_page(PdfReader(scan_pdf(tmp_path / "scan.pdf", [page(BURNING)])).pages[0])
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as f:
        writer.write(f)
    doc = read_document(mixed)
    title = "Roller, ansvar og principper for samarbejde om klynge- og netværksindsatsen"
    assert title in read_document(born_digital).text and title in doc.text  # page 1 from its text layer
    assert doc.ocr_pages == 1 and "Affald fra haver må ikke afbrændes i byzone." in doc.text
    assert doc.page_at(doc.text.index("Affald fra haver")) == 2


@needs_ocr
def test_a_page_read_once_is_never_read_again(tmp_path: Path, _own_ocr_cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "referat.tif"
    first, second = page(MEETING), page(BURNING)
    first.save(path, save_all=True, append_images=[second], dpi=(150, 150))
    doc = read_document(path)
    assert doc.n_pages == 2 and "Overtrædelse straffes med bøde." in doc.text
    assert len(list(_own_ocr_cache.rglob("*.json"))) == 2
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # Tesseract cannot be started now ...
    again = tmp_path / "kopi.png"
    second.save(again, dpi=(150, 150))
    assert "Overtrædelse straffes med bøde." in read_document(again).text  # ... the page comes from the cache


def _text_layer_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF whose invisible text layer holds ``lines`` (Helvetica, WinAnsi), written by hand."""
    # 3 Tr: invisible text, as a scanner lays its own OCR over the page image
    content = "BT 3 Tr /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{o:010d} 00000 n \n" for o in offsets).encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


@needs_ocr
def test_a_garbled_text_layer_is_read_again_by_ocr(tmp_path: Path) -> None:
    mojibake = "Klyngeindsatsen skal understøtte virksomhedernes vækst i hele landet.".encode().decode("latin-1")
    writer = PdfWriter(clone_from=scan_pdf(tmp_path / "scan.pdf", [page(BURNING)]))
    writer.pages[0].merge_page(PdfReader(io.BytesIO(_text_layer_pdf([mojibake] * 6))).pages[0])  # a copier's layer
    path = tmp_path / "kopi.pdf"
    with path.open("wb") as f:
        writer.write(f)
    assert "understÃ¸tte" in PdfReader(path).pages[0].extract_text()  # the text layer is there, and garbled
    doc = read_document(path)
    assert doc.ocr_pages == 1 and "Affald fra haver må ikke afbrændes i byzone." in doc.text
    assert "Ã" not in doc.text


def test_a_garbled_text_layer_is_told_from_text() -> None:
    text = ("Klyngeindsatsen skal understøtte virksomhedernes innovation og vækst gennem samarbejde mellem "
            "virksomheder, videninstitutioner og offentlige aktører i hele Danmark, også i de mindre byer.")
    assert not looks_garbled(text)
    assert looks_garbled(text.encode("utf-8").decode("latin-1"))  # mojibake: UTF-8 read as Latin-1
    assert looks_garbled("K1!yn9 5tr@t3g1 xqzt 1nd54t5 vvk#3 " * 8)  # a copier's poor OCR
    assert looks_garbled("\ue000\ue001\ue002\ue003 " * 10)  # a font without a character map
    assert looks_garbled("   ")
    assert not looks_garbled("Side 3")  # too little to judge: kept


def _huge_png(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` pixels, with almost no data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def _valid_png() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (400, 300), 255).save(buf, format="PNG")
    return buf.getvalue()


def _many_pages_tiff(path: Path, n: int) -> Path:
    frames = [Image.new("1", (8, 8), 1) for _ in range(n)]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="group4")
    return path


def _encrypted_scan(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("L", (200, 200), 255).save(buf, format="PDF")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    writer.encrypt("hemmeligt")
    with path.open("wb") as f:
        writer.write(f)
    return path


def test_bad_scans_are_refused_with_the_file_and_reason_and_the_rest_is_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bomb.png").write_bytes(_huge_png(40_000, 40_000))
    (corpus / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    (corpus / "truncated.png").write_bytes(_valid_png()[:60])
    _many_pages_tiff(corpus / "huge-scan.tif", ocr.MAX_OCR_PAGES + 1)
    _encrypted_scan(corpus / "locked.pdf")
    (corpus / "god.md").write_text("# Referat\n\nBorgmesteren indkalder til møderne.\n", encoding="utf-8")
    report = build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    assert [d["file"] for d in report.documents] == ["god.md"]
    reasons = {s["file"]: s["reason"] for s in report.skipped}
    assert "too large" in reasons["bomb.png"]
    assert "not an image" in reasons["corrupt.jpg"] or "damaged" in reasons["corrupt.jpg"]
    assert "damaged or truncated" in reasons["truncated.png"] or "not an image" in reasons["truncated.png"]
    assert f"more than the {ocr.MAX_OCR_PAGES:,}" in reasons["huge-scan.tif"] and "split" in reasons["huge-scan.tif"]
    assert "encrypted PDF" in reasons["locked.pdf"]


def test_an_upload_takes_a_scan_by_its_content_and_refuses_a_bomb(tmp_path: Path) -> None:
    good = tmp_path / "upload-123"
    good.write_bytes(_valid_png())
    checked = check_file(good, name="Referat fra mødet.png")
    assert checked.kind == ".png" and checked.name == "Referat-fra-moedet.png"
    with pytest.raises(UploadRefused, match="named .jpeg but its content is a PNG image"):
        check_file(good, name="scanning.jpeg")  # the content decides
    with pytest.raises(UploadRefused, match="content is a PNG image"):
        check_file(good, name="referat.pdf")
    bomb = tmp_path / "bomb"
    bomb.write_bytes(_huge_png(40_000, 40_000))
    with pytest.raises(UploadRefused, match="too large"):
        check_file(bomb, name="bomb.png")
    many = _many_pages_tiff(tmp_path / "many.tif", ocr.MAX_OCR_PAGES + 1)
    with pytest.raises(UploadRefused, match="split the scan"):
        check_file(many)


def test_without_tesseract_a_scan_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "referat.png"
    Image.new("L", (300, 200), 255).save(path)
    monkeypatch.setattr(ocr, "available", lambda: "Tesseract is not installed (Debian: apt-get install tesseract-ocr)")
    with pytest.raises(DocumentError, match="scanned pages need OCR, but Tesseract is not installed"):
        read_document(path)


def test_an_ocr_failure_names_the_page_of_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF whose pages 3 and 7 are scans: a failure on its first scan says "page 3", not "page 1"."""
    monkeypatch.setattr(ocr, "available", lambda: None)
    monkeypatch.setattr(ocr, "_tesseract_lang", lambda: "dan")
    monkeypatch.setattr(ocr, "_key", lambda img, lang: str(id(img)))
    monkeypatch.setattr(ocr, "_cached", lambda key: None)

    def fail(image: object, lang: str, dpi: int, where: str) -> None:
        raise DocumentError(where, "OCR failed")

    monkeypatch.setattr(ocr, "_run", fail)
    with pytest.raises(DocumentError, match=r"rapport\.pdf, page 3: OCR failed"):
        ocr.ocr_pages([object(), object()], "rapport.pdf", numbers=[3, 7])



def test_a_long_scan_is_rendered_a_few_pages_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scanned PDF's pages are rendered as OCR reaches them, never all before the first is read."""
    WORDS = ["affald", "vand", "skoler", "veje", "havne", "parker", "busser", "biblioteker", "sport", "kultur", "erhverv",
             "natur"]
    from indexer.reading.readers import pdf

    path = tmp_path / "skanning.pdf"
    pages = [Image.new("L", (100, 100), 255) for _ in range(12)]
    pages[0].save(path, save_all=True, append_images=pages[1:])
    rendered, seen = [0], []
    page_of = pdf._Rendered.__getitem__

    def counting(self: pdf._Rendered, i: int) -> object:
        rendered[0] += 1
        return page_of(self, i)

    def run(image: object, lang: str, dpi: int, where: str) -> ocr.OcrPage:
        seen.append(rendered[0])
        word = WORDS[len(seen) - 1]
        return ocr.OcrPage((ocr.OcrLine(f"Om {word} skriver kommunen en hel del på denne side.", 50.0, 10.0, 8.0, 90.0, 0.1),), 90.0)

    monkeypatch.setattr(pdf._Rendered, "__getitem__", counting)
    monkeypatch.setattr(ocr, "available", lambda: None)
    monkeypatch.setattr(ocr, "_tesseract_lang", lambda: "dan")
    monkeypatch.setattr(ocr, "_cached", lambda key: None)
    monkeypatch.setattr(ocr, "_store", lambda key, page: None)
    monkeypatch.setattr(ocr, "_run", run)
    monkeypatch.setattr(ocr, "OCR_BATCH", 1)
    monkeypatch.setattr(ocr.os, "cpu_count", lambda: 2)
    doc = read_document(path)
    assert doc.ocr_pages == 12 and all(word in doc.text for word in WORDS)
    assert seen[0] <= 2 and max(seen) == 12  # the first page read after two were rendered, not twelve
