"""Adding, replacing and removing documents in the app, in headless Chromium (issue 14).

The app runs with the tests' fake embedder over a copy of a small collection, so the round trip takes
seconds; the upload is a two-page PDF whose answer is on page 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import build_index
from indexer.reading import ocr

from .conftest import ARTIFACTS, FakeEmbedder, ask_in_page, event_done, launch_fake_app, write_corpus
from .test_ocr import FONTS
from .test_ocr import page as drawn_page

pytestmark = [pytest.mark.browser]

PAGE_1 = "Solbakke Kommune. Plan for mobilitet 2030. Indledning om byens trafik og busser."
PAGE_2 = "Solbakke Kommune bygger en ny cykelbro over havnen i 2031, betalt af anlaegspuljen."


def text_pdf(pages: list[str]) -> bytes:
    """A PDF with one line of Helvetica text per page (ASCII), written by hand: offsets and all."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] /Count {len(pages)} >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for i, text in enumerate(pages):
        stream = f"BT /F1 11 Tf 50 780 Td ({text}) Tj ET"
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>")
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.fixture(scope="module")
def writable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("app")
    corpus = write_corpus(root / "corpus")
    idx = root / "index"
    build_index(corpus, idx, FakeEmbedder(), progress=False)
    proc, url = launch_fake_app(idx, corpus)
    yield url, corpus
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def docs_page(browser, writable_app: tuple[str, Path]):  # noqa: ANN001, ANN201
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = ctx.new_page()
    pg.goto(writable_app[0])
    pg.wait_for_selector("#k-question textarea", timeout=30_000)
    yield pg
    ctx.close()


def _open_manage(page) -> None:  # noqa: ANN001
    """The Documents tab with its add/replace/remove part open. Selecting the tab refreshes the document
    lists (and the index's status line above the tabs) and clears the pickers: wait for that to be done,
    or it may clear a pick made meanwhile."""
    tab = page.get_by_role("tab", name="Dokumenter")
    if tab.get_attribute("aria-selected") != "true":
        with event_done(page, "#k-status"):
            tab.click()
    if page.locator("#k-manage button.label-wrap.open").count() == 0:  # the accordion stays open once opened
        page.get_by_text("Tilføj, erstat eller fjern dokumenter").click()
    page.locator("#k-add-files").wait_for(state="visible", timeout=10_000)


def _upload(page, path: Path) -> None:  # noqa: ANN001
    """Choose the file and wait for the upload and the metadata it suggests (title, publisher, date): a
    field filled in before that arrives would be overwritten by it."""
    with event_done(page, "#k-m-title"):
        page.locator("#k-add-files input[type=file]").set_input_files(str(path))


def _result(page, word: str) -> str:  # noqa: ANN001
    page.wait_for_function("w => (document.querySelector('#k-manage-out')?.innerText || '').includes(w)", arg=word,
                           timeout=60_000)
    return str(page.locator("#k-manage-out").inner_text())


def _docs_table(page, text: str, present: bool = True) -> str:  # noqa: ANN001
    """The documents table once it shows (or no longer shows) ``text``: it is drawn a moment after the
    result line that the same event updates (a fixed read right away failed once in a loaded CI run)."""
    page.wait_for_function("([t, p]) => (document.querySelector('#k-docs-table')?.innerText || '').includes(t) === p",
                           arg=[text, present], timeout=30_000)
    return str(page.locator("#k-docs-table").inner_text())


def _pick(page, elem_id: str, label: str) -> None:  # noqa: ANN001
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(label)
    page.get_by_role("option", name=label).first.click()


def _pick_to_replace(page, label: str) -> None:  # noqa: ANN001
    """Choose the document to replace and wait for its metadata to be filled in: fields typed before that
    arrives would be overwritten by it (the title may show the same value already, so wait for the event)."""
    with event_done(page, "#k-m-title"):
        _pick(page, "k-replace", label)


def test_upload_ask_replace_remove(docs_page, writable_app: tuple[str, Path], tmp_path: Path) -> None:  # noqa: ANN001
    page = docs_page
    pdf = tmp_path / "mobilitetsplan.pdf"
    pdf.write_bytes(text_pdf([PAGE_1, PAGE_2]))
    _open_manage(page)
    _upload(page, pdf)
    page.locator("#k-m-title textarea, #k-m-title input").first.fill("Mobilitetsplan 2030")
    page.locator("#k-m-kind textarea, #k-m-kind input").first.fill("plan")
    page.locator("#k-add").click()
    out = _result(page, "Tilføjet")
    assert "mobilitetsplan" in out
    assert "Mobilitetsplan 2030" in _docs_table(page, "Mobilitetsplan 2030")  # the list is up to date
    page.screenshot(path=str(ARTIFACTS / "documents-added.png"), full_page=True)

    text = ask_in_page(page, "Hvornår bygger Solbakke Kommune en ny cykelbro over havnen?")
    first = page.locator("#k-results .k-card").first
    assert "Mobilitetsplan 2030" in first.inner_text()
    # cited with its pages: the short document is one passage over pages 1-2, the answer on 2
    assert re.search(r"Mobilitetsplan 2030, s\. (1-)?2$", first.locator(".k-cite").inner_text())
    assert "cykelbro" in text

    # replace with a new version: the old text is gone
    v2 = tmp_path / "mobilitetsplan-v2.txt"
    v2.write_text("Plan for mobilitet, version 2\n\nSolbakke Kommune udskyder broen og udvider i stedet "
                  "busdriften til landsbyerne.\n", encoding="utf-8")
    _open_manage(page)
    _upload(page, v2)
    _pick_to_replace(page, "Mobilitetsplan 2030")
    title = page.locator("#k-m-title textarea, #k-m-title input").first
    assert title.input_value() == "Mobilitetsplan 2030"  # the replaced document's metadata, kept
    page.locator("#k-add").click()
    assert "Erstattet" in _result(page, "Erstattet")
    text = ask_in_page(page, "Bygger Solbakke Kommune en cykelbro over havnen?")  # another wording: a fresh result
    assert "Plan for mobilitet, version 2" in text and "cykelbro over havnen i 2031" not in text
    assert "busdriften til landsbyerne" in ask_in_page(page, "Hvad gør Solbakke Kommune med busdriften?")

    # correct the metadata alone: kept in documents.toml, shown in the list
    _open_manage(page)
    _pick_to_replace(page, "Mobilitetsplan 2030")
    assert page.locator("#k-m-title textarea, #k-m-title input").first.input_value() == "Mobilitetsplan 2030"
    page.locator("#k-m-publisher textarea, #k-m-publisher input").first.fill("Solbakke Kommune")
    page.locator("#k-save-meta").click()
    assert "Opdateret" in _result(page, "Opdateret")
    assert "Solbakke Kommune" in _docs_table(page, "Solbakke Kommune")
    assert "Solbakke Kommune" in (writable_app[1] / "documents.toml").read_text(encoding="utf-8")

    # remove: gone from the answers and the list
    _open_manage(page)
    _pick(page, "k-rm-pick", "Mobilitetsplan 2030")
    page.locator("#k-remove").click()
    assert "Fjernet" in _result(page, "Fjernet")
    assert "Mobilitetsplan 2030" not in _docs_table(page, "Mobilitetsplan 2030", present=False)
    assert "Mobilitetsplan" not in ask_in_page(page, "Hvad sker der med busdriften i Solbakke?")


def test_a_refused_file_shows_its_reason(docs_page, writable_app: tuple[str, Path], tmp_path: Path) -> None:  # noqa: ANN001
    page = docs_page
    fake = tmp_path / "rapport.pdf"
    fake.write_text("Dette er ikke en PDF, bare tekst.", encoding="utf-8")
    _open_manage(page)
    _upload(page, fake)
    page.locator("#k-add").click()
    out = _result(page, "Afvist")
    assert "rapport.pdf" in out and "named .pdf" in out
    assert page.locator("#k-manage-out [role=alert]").count() == 1
    assert not (writable_app[1] / "rapport.pdf").exists()
    page.screenshot(path=str(ARTIFACTS / "documents-refused.png"), full_page=True)


@pytest.mark.skipif(ocr.available() is not None or not FONTS.is_dir(),
                    reason=f"OCR cannot run here: {ocr.available() or 'no DejaVu fonts to draw a page'}")
def test_a_photographed_page_is_uploaded_read_by_ocr_and_answers(docs_page, writable_app: tuple[str, Path],  # noqa: ANN001
                                                                 tmp_path: Path) -> None:
    """A scan chosen in the browser is taken by its content, read by OCR, listed as scanned, and asked about."""
    page = docs_page
    scan = tmp_path / "referat-foto.png"
    drawn_page(["Byrådet i Solbakke vedtog at plante 300 lindetræer", "langs havnepromenaden i foråret."],
               title="Referat af byrådets møde").save(scan, dpi=(150, 150))
    _open_manage(page)
    _upload(page, scan)
    page.locator("#k-add").click()
    assert "referat-foto" in _result(page, "Tilføjet")
    table = _docs_table(page, "læst med OCR")
    assert "Referat af byrådets møde" in table and "1 s. læst med OCR" in table
    text = ask_in_page(page, "Hvor mange lindetræer skal plantes langs havnepromenaden?")
    assert "Referat af byrådets møde" in page.locator("#k-results .k-card").first.inner_text()
    assert "300 lindetræer" in text
    page.screenshot(path=str(ARTIFACTS / "documents-scan-added.png"), full_page=True)
