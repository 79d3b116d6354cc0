"""The memo basket in headless Chromium (issue 15): add answers and a quote from acts, reorder, note,
remove, then export Word and Markdown and read the files back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import build_index

from .conftest import ARTIFACTS, FakeEmbedder, ask_in_page, launch_fake_app
from .test_legal import LAWS, laws_corpus

pytestmark = [pytest.mark.browser]

FORVALTNING = "Forvaltningsloven, jf. lovbekendtgørelse nr. 433 af 22. april 2014"
ERHVERV = "Lov om erhvervsfremme, jf. lovbekendtgørelse nr. 230 af 29. februar 2024"


@pytest.fixture(scope="module")
def laws_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (LAWS / "manifest.json").exists():
        pytest.skip("../shared/bench/laws is not beside the checkout (CI has it)")
    root = tmp_path_factory.mktemp("laws-app")
    corpus = laws_corpus(root / "corpus", ("2024_230", "2014_433", "2025_160"))
    build_index(corpus, root / "index", FakeEmbedder(), progress=False)
    proc, url = launch_fake_app(root / "index", corpus)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def page(browser, laws_app: str):  # noqa: ANN001, ANN201
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    pg = ctx.new_page()
    pg.goto(laws_app)
    pg.wait_for_selector("#k-question textarea", timeout=30_000)
    yield pg
    ctx.close()


def _download(page, button: str, tmp_path: Path) -> Path:  # noqa: ANN001
    page.locator(button).click()
    link = page.locator("#k-memo-file a[download], #k-memo-file a").first
    link.wait_for(timeout=30_000)
    with page.expect_download() as dl:
        link.click()
    out = tmp_path / dl.value.suggested_filename
    dl.value.save_as(str(out))
    return out


def test_collect_three_citations_and_export_them(page, tmp_path: Path) -> None:  # noqa: ANN001
    import docx
    from playwright.sync_api import expect

    ask_in_page(page, "forvaltningslovens § 19, stk. 2")
    card = page.locator("#k-results .k-card").first
    assert f"{FORVALTNING}, § 19, stk. 2" in card.locator(".k-cite").inner_text()
    card.get_by_role("button", name="Tilføj til notat").click()
    assert "(1)" in card.locator(".k-memo-add").inner_text()  # says it was added, and how many there are

    ask_in_page(page, "Hvad står der i erhvervsfremmelovens § 9?")
    cards = page.locator("#k-results .k-card")
    cards.nth(0).get_by_role("button", name="Tilføj til notat").click()
    cards.nth(1).get_by_role("button", name="Tilføj til notat").click()  # one too many: removed below

    page.get_by_role("tab", name="Slå citat op").click()
    page.locator("#k-quote textarea").fill("Danmarks Erhvervsfremmebestyrelse evaluerer, om der")
    page.locator("#k-cite").click()
    page.wait_for_selector("#k-cite-results .k-card", timeout=30_000)
    assert f"{ERHVERV}, § 9, stk. 6" in page.locator("#k-cite-results .k-cite").first.inner_text()
    page.locator("#k-cite-results .k-memo-add").first.click()

    page.get_by_role("tab", name="Notat / Memo").click()
    items = page.locator("#k-basket .k-memo-item")
    expect(items).to_have_count(4, timeout=10_000)
    items.nth(2).get_by_role("button", name="Fjern / remove 3").click()
    expect(items).to_have_count(3)
    # the quote (last) moves to the top; a note on the § 19 item (now second)
    items.nth(2).get_by_role("button", name="Flyt op / move up 3").click()
    items.nth(1).get_by_role("button", name="Flyt op / move up 2").click()
    cites = [items.nth(i).locator(".k-cite").inner_text() for i in range(3)]
    assert cites == [f"{ERHVERV}, § 9, stk. 6", f"{FORVALTNING}, § 19, stk. 2", f"{ERHVERV}, § 9, stk. 1"]
    items.nth(1).locator("textarea").fill("Partshøring: undtagelserne.")
    page.screenshot(path=str(ARTIFACTS / "memo-basket.png"), full_page=True)

    # the basket survives a reload of the page (kept in the browser session)
    page.reload()
    page.wait_for_selector("#k-question textarea", timeout=30_000)
    page.get_by_role("tab", name="Notat / Memo").click()
    items = page.locator("#k-basket .k-memo-item")
    expect(items).to_have_count(3, timeout=10_000)
    expect(items.nth(1).locator("textarea")).to_have_value("Partshøring: undtagelserne.")

    word = _download(page, "#k-memo-docx", tmp_path)
    assert word.suffix == ".docx"
    paras = [(p.style.name, p.text) for p in docx.Document(str(word)).paragraphs if p.text]
    quotes = [t for s, t in paras if s == "Quote"]
    assert len(quotes) == 3
    assert quotes[0] == "Danmarks Erhvervsfremmebestyrelse evaluerer, om der [1]"  # the quote as found
    assert quotes[1].startswith("Stk. 2. Bestemmelsen i stk. 1 gælder ikke") and quotes[1].endswith("[2]")
    assert quotes[2].startswith("§ 9. Danmarks Erhvervsfremmebestyrelse") and quotes[2].endswith("[3]")
    assert ("Normal", "Partshøring: undtagelserne.") in paras
    assert [t for _, t in paras[-3:]] == [f"[1] {ERHVERV}, § 9, stk. 6", f"[2] {FORVALTNING}, § 19, stk. 2",
                                          f"[3] {ERHVERV}, § 9, stk. 1"]

    md = _download(page, "#k-memo-md", tmp_path).read_text(encoding="utf-8")
    blocks = [b for b in md.split("\n\n") if b.startswith("> ")]
    assert len(blocks) == 3
    assert blocks[1].startswith("> Stk. 2. Bestemmelsen i stk. 1 gælder ikke")
    assert blocks[1].endswith(f">\n> — {FORVALTNING}, § 19, stk. 2")
    assert "\n\nPartshøring: undtagelserne.\n" in md

    page.locator("#k-memo-copy").click()
    page.wait_for_function("() => (window.klyngeLastCopied || '').length > 0", timeout=30_000)
    assert page.evaluate("() => window.klyngeLastCopied") == md

    page.locator("#k-memo-clear").click()
    expect(page.locator("#k-basket .k-memo-item")).to_have_count(0)
    assert "tomt" in page.locator("#k-basket").inner_text()


def test_example_questions_name_the_acts_in_the_page_language(page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    first = page.get_by_role("button", name="Hvad står der om ").first
    assert "Bekendtgørelse af" not in first.inner_text()  # an act as it is cited: "… om lov om erhvervsfremme?"
    page.get_by_label("English").check()
    english = page.get_by_role("button", name="What do the documents say about ").first
    expect(english).to_be_visible(timeout=30_000)  # relabelled with the rest of the page
    asked = english.inner_text()
    english.click()
    page.wait_for_function(
        "q => { const r = document.querySelector('#k-results .k-asked'); return r && r.textContent === q; }",
        arg=asked, timeout=30_000)
    assert page.locator("#k-question textarea").input_value() == asked
