"""A department's app in headless Chromium: a reader signs in, asks, marks an answer and sees no way to
change the collection; an editor signs in and adds a document; the audit trail and the feedback store
record both (the app's own sign-in, argon2 users in the access file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.audit import entries
from qa.feedback import stored

from .conftest import PASSWORDS, event_done

pytestmark = [pytest.mark.browser]
def _signed_in(browser, url: str, name: str):  # noqa: ANN001, ANN202
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    page.locator("input[type=text], input:not([type])").first.fill(name)
    page.locator("input[type=password]").fill(PASSWORDS[name])
    page.locator("input[type=password]").press("Enter")
    page.wait_for_selector("#k-question textarea", timeout=30_000)
    return ctx, page


def test_a_reader_asks_and_marks_and_an_editor_adds(browser, department: tuple[str, Path, Path],  # noqa: ANN001
                                                    tmp_path: Path) -> None:
    url, corpus, index = department
    ctx, page = _signed_in(browser, url, "bo")
    box = page.locator("#k-question textarea")
    box.fill("Hvem har ansvaret for spirende klynger?")
    box.press("Enter")
    page.locator("#k-results .k-fb").first.wait_for(timeout=30_000)
    with event_done(page, "#k-fb-out"):
        page.locator("#k-results .k-card .k-fb").first.click()
    assert "gemt" in page.locator("#k-fb-out").inner_text()
    page.get_by_role("tab", name="Dokumenter").click()
    page.locator("#k-docs-table").wait_for(timeout=10_000)
    assert page.locator("#k-add-files").count() == 0 and not page.get_by_text("Tilføj, erstat eller fjern").is_visible()
    ctx.close()
    assert [(f.role, f.verdict) for f in stored(index)] == [("reader", "answers")]

    ctx, page = _signed_in(browser, url, "anna")
    page.get_by_role("tab", name="Dokumenter").click()
    page.get_by_text("Tilføj, erstat eller fjern dokumenter").click(timeout=15_000)  # shown to an editor
    page.locator("#k-add-files").wait_for(state="visible", timeout=15_000)
    new = tmp_path / "referat.md"
    new.write_text("# Referat fra mødet\n\nBorgmesteren indkalder til møderne med en dagsorden.\n", encoding="utf-8")
    with event_done(page, "#k-m-title"):
        page.locator("#k-add-files input[type=file]").set_input_files(str(new))
    page.locator("#k-add").click()
    page.wait_for_function("() => (document.querySelector('#k-manage-out')?.innerText || '').includes('Tilføjet')",
                           timeout=60_000)
    ctx.close()
    trail = entries(index)
    assert [(e.action, e.file, e.user, e.role) for e in trail] == [("added", "referat.md", "anna", "editor")]
    assert (corpus / "referat.md").is_file()
