"""The app in real headless Chromium (Debian's, driven by Playwright through its executable path).

Screenshots go to test-artifacts/ (not committed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, ROOT, ask_in_page, event_done, free_port, launch_fake_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.model]

@pytest.fixture(scope="module")
def app_url(real_index: Path) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, KLYNGE_INDEX_DIR=str(real_index), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([sys.executable, str(ROOT / "ui.py"), "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    wait_for_app(proc, url)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def page(browser, app_url: str):  # noqa: ANN001, ANN201
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    pg.goto(app_url)
    pg.wait_for_selector("#k-question textarea", timeout=30_000)
    yield pg
    ctx.close()


@pytest.mark.parametrize("question,shot", [("Hvem støtter spirende klynger?", "ask-da.png"),
                                           ("who supports emerging clusters?", "ask-en.png")])
def test_ask_shows_cited_cards_with_page(page, question: str, shot: str) -> None:  # noqa: ANN001
    ask_in_page(page, question, tab=None)
    cards = page.locator("#k-results .k-card")
    assert cards.count() >= 3
    top3 = " ".join(cards.nth(i).inner_text() for i in range(3))
    assert "primære ansvar for understøttelse af lokale og spirende klynger" in top3
    cites = page.locator("#k-results .k-cite").all_inner_texts()
    assert any("s. 2" in c and "Roller og ansvar" in c for c in cites[:3])
    assert page.locator("#k-results mark").count() >= 1  # the answering sentence is highlighted
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)


def test_copy_citation(page) -> None:  # noqa: ANN001
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ask_in_page(page, "Har Klyngeforum beslutningskompetence?", tab=None)
    btn = page.locator("#k-results .k-copy").first
    expected = btn.get_attribute("data-citation")
    btn.click()
    page.wait_for_function("() => window.klyngeLastCopied !== undefined")
    assert page.evaluate("window.klyngeLastCopied") == expected
    assert "Kopieret" in btn.inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == expected


def test_find_a_quote(page) -> None:  # noqa: ANN001
    page.get_by_role("tab", name="Slå citat op").click()
    page.locator("#k-quote textarea").fill("Klyngeforum har ikke formel beslutningskompetence")
    page.locator("#k-cite").click()
    page.wait_for_selector("#k-cite-results .k-card", timeout=20_000)
    text = page.locator("#k-cite-results").inner_text()
    assert "Præcist match" in text and "Klyngestrategi 2.0" in text and "s. " in text
    page.screenshot(path=str(ARTIFACTS / "cite.png"), full_page=True)


def test_open_document_at_passage(page) -> None:  # noqa: ANN001
    ask_in_page(page, "Hvem støtter spirende klynger?", tab=None)
    page.locator("#k-results .k-open").first.click()
    page.wait_for_selector("#k-doc-view #klynge-selected", timeout=20_000)
    assert page.locator("#k-doc-view .k-page").count() >= 1  # page numbers visible for PDFs
    assert page.locator("#klynge-selected").is_visible()
    page.screenshot(path=str(ARTIFACTS / "document.png"))


def test_evaluation_tab_on_dev_set(page) -> None:  # noqa: ANN001
    page.get_by_role("tab", name="Evaluering").click()
    page.locator("#k-eval-dev").click()
    page.wait_for_selector("#k-eval-questions", timeout=60_000)
    text = page.locator("#k-eval-results").inner_text()
    assert "recall@5" in text and "dev-da01" in text
    page.wait_for_selector("#k-download", state="visible", timeout=10_000)  # its update may follow the table's
    page.screenshot(path=str(ARTIFACTS / "evaluation.png"), full_page=True)
    page.locator("#k-eval-doc input").fill("Klyngestrategi")  # the same set within one document
    page.keyboard.press("Enter")
    page.locator("#k-eval-dev").click()
    page.wait_for_selector("#k-eval-within", timeout=60_000)
    assert "klyngestrategi" in page.locator("#k-eval-within").inner_text()


def test_xss_question_is_text(page) -> None:  # noqa: ANN001
    q = "<img src=x onerror=alert(1)>"
    ask_in_page(page, q, tab=None)
    # drawn as text: no <img> anywhere that could fire onerror (so no alert can come later either)
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("#k-results .k-asked").inner_text() == q
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_language_switch(page) -> None:  # noqa: ANN001
    page.get_by_label("English").check()
    page.wait_for_selector("text=Your question (Danish or English)", timeout=30_000)  # the queue may be busy
    # the tab labels arrive in the same update but may render a moment later: wait, don't count at once
    page.get_by_role("tab", name="Find a quote").wait_for(timeout=30_000)
    assert page.get_by_role("tab", name="Find a quote").count() == 1
    assert page.get_by_role("tab", name="Slå citat op").count() == 0
    page.wait_for_function("() => (document.querySelector('#k-status')?.innerText || '').includes('passages')",
                           timeout=30_000)
    with event_done(page, "#k-status"):  # the Documents tab redraws the status line: in the language chosen
        page.get_by_role("tab", name="Documents").click()
    assert "documents," in page.locator("#k-status").inner_text()


def test_narrow_screen(browser, app_url: str) -> None:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    pg.goto(app_url)
    pg.wait_for_selector("#k-question textarea", timeout=30_000)
    ask_in_page(pg, "Hvem støtter spirende klynger?", tab=None)
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # no horizontal scrolling
    pg.screenshot(path=str(ARTIFACTS / "narrow.png"), full_page=True)
    ctx.close()


def test_api_with_gradio_client(app_url: str) -> None:
    from gradio_client import Client

    c = Client(app_url, verbose=False)
    ask = c.predict("Hvem støtter spirende klynger?", 3, "", api_name="/ask")
    ask = ask if isinstance(ask, dict) else json.loads(ask)
    assert set(ask) == {"question", "lang", "answered", "confidence", "unmentioned", "now_unmentioned",
                         "absent_provision", "respelled", "hits"} and len(ask["hits"]) == 3
    cite = c.predict("Klyngeforum har ikke formel beslutningskompetence", api_name="/cite")
    assert cite["found"] and cite["matches"][0]["page"] is not None
    line = json.dumps({"id": "q", "question": "Hvem støtter spirende klynger?", "expected": ["spirende klynger"]})
    ev = c.predict(line, api_name="/eval")
    assert ev["n"] == 1 and "recall@5" in ev["metrics"]


HOSTILE = ["", "   ", "x" * 10_000, "klynger\x00\x00 nul", "\x01\x02\x1b[31m kontrol", "кластер 集群 klynge مجموعة",
           "<script>alert(1)</script>", "Hvad er å?", "Hvad er a\u030a?", "' OR 1=1 --", "../../etc/passwd"]


def test_hostile_queries_through_the_api(app_url: str) -> None:
    from gradio_client import Client

    c = Client(app_url, verbose=False)
    answers = {}
    for q in HOSTILE:
        res = c.predict(q, 5, "", api_name="/ask")
        assert isinstance(res, dict) and "hits" in res, q
        if not q.strip():
            assert "error" in res and "empty" in res["error"]
        answers[q] = [h["passage_id"] for h in res["hits"]]
    assert answers["Hvad er å?"] == answers["Hvad er a\u030a?"]  # NFC and NFD alike
    cite = c.predict("../../etc/passwd", api_name="/cite")
    assert cite["found"] is False


@pytest.mark.parametrize("path", ["gradio_api/file=/etc/passwd", "gradio_api/file=../../../../etc/passwd",
                                  "gradio_api/file=%2Fetc%2Fpasswd", "file=/etc/passwd",
                                  "gradio_api/file=" + str(ROOT / "pyproject.toml")])
def test_files_outside_the_app_are_not_served(app_url: str, path: str) -> None:
    try:
        with urllib.request.urlopen(app_url + path, timeout=10) as r:
            body = r.read().decode(errors="ignore")
            status = r.status
    except urllib.error.HTTPError as exc:
        status, body = exc.code, ""
    assert status in (400, 403, 404) or ("root:" not in body and "[project]" not in body)
    assert "root:x:" not in body and 'name = "klynge"' not in body


def test_reload_picks_up_a_rebuilt_index(tmp_path: Path) -> None:
    """An app keeps answering from its index while it is rebuilt, and /reload switches to the new one."""
    from gradio_client import Client

    from indexer import build_index

    from .conftest import FakeEmbedder, write_corpus

    corpus = write_corpus(tmp_path / "c", {"a.txt": "Klynger og netværk i Danmark."})
    idx = tmp_path / "idx"
    build_index(corpus, idx, FakeEmbedder(), progress=False)
    proc, url = launch_fake_app(idx)
    try:
        c = Client(url, verbose=False)
        assert c.predict("klynger", 5, "", api_name="/ask")["hits"][0]["doc_id"] == "a"
        (corpus / "b.txt").write_text("Spirende klynger i kommunerne.", encoding="utf-8")
        build_index(corpus, idx, FakeEmbedder(), progress=False)
        assert c.predict("klynger", 5, "", api_name="/ask")["hits"]  # still answering
        status = c.predict(api_name="/reload")
        assert status["documents"] == 2
        ids = {h["doc_id"] for h in c.predict("spirende klynger kommunerne", 5, "", api_name="/ask")["hits"]}
        assert "b" in ids
    finally:
        proc.terminate()
        proc.wait(10)
