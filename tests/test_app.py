"""The app as a package (klynge_ui): its floor plan, its words per language and the switch made from
them, one card renderer, and `klynge serve` building a missing index under the index's write lock."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from indexer import IndexBusyError, build_index, write_lock
from qa import service
from qa.search import Searcher

from .conftest import ROOT, FakeEmbedder, write_corpus

MAX_LINES = 60  # the longest function the app and the service layer may have
MODULES = ["api", "ask", "cards", "cite", "context", "documents", "evaluate", "memo", "page", "server", "strings"]


def test_ui_py_is_the_front_door_to_the_package() -> None:
    import klynge_ui
    import ui

    assert importlib.util.find_spec("ui_memo") is None  # moved into klynge_ui.memo
    for name in [*ui.__all__, "titles_for", "examples_for", "render_result", "render_document", "launch", "serve"]:
        assert getattr(ui, name) is not None, name
    assert ui.build_app is klynge_ui.build_app and ui.serve is klynge_ui.serve
    assert all(getattr(klynge_ui, n) is not None for n in klynge_ui.__all__)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_says_what_it_offers(module: str) -> None:
    mod = importlib.import_module(f"klynge_ui.{module}")
    assert mod.__doc__ and mod.__all__ and all(hasattr(mod, n) for n in mod.__all__)


def test_no_function_is_longer_than_a_screen() -> None:
    files = [*(ROOT / "klynge_ui").glob("*.py"), ROOT / "qa" / "service.py", ROOT / "ui.py"]
    long = [f"{f.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for f in files for node in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno
            and node.end_lineno - node.lineno + 1 > MAX_LINES]
    assert long == []


def test_every_language_has_every_word() -> None:
    from klynge_ui.strings import BOTH, T

    assert set(T["da"]) == set(T["en"]) >= set(BOTH)
    assert [k for k in T["da"] if k.endswith("_fmt") and "{" not in T["da"][k]] == []


def _switch(app: Any) -> Any:
    (fn,) = [f for f in app.fns.values() if getattr(f.fn, "__name__", "") == "switch"]
    return fn


def test_the_language_switch_is_made_from_the_registered_components(mini_index: Path) -> None:
    from klynge_ui import build_app
    from klynge_ui.strings import T

    switch = _switch(build_app(mini_index))
    updates = switch.fn("English")
    assert len(updates) == len(switch.outputs) > 20 and updates[0] == "en"  # the language kept, then each one
    by_id = {getattr(c, "elem_id", None): u for c, u in zip(switch.outputs, updates, strict=True)}
    assert by_id["k-question"]["label"] == T["en"]["question"] and by_id["k-ask"]["value"] == "Search"
    assert by_id["k-download"] == {"__type__": "update", "label": "Download report"}  # its label, not its file
    assert by_id["k-m-title"]["label"] == "Titel / title"  # the words shown in both languages stay
    labels = [u.get("label") for u in updates[1:]]
    assert {"Ask", "Find a quote", "Documents", "Evaluation", "Notat / Memo"} <= set(labels)
    assert _switch(build_app(mini_index)).fn("Dansk")[1:] != updates[1:]
    status = next(u["value"] for u in updates[1:] if "k-status" in str(u.get("value", "")))
    assert "documents," in status and "passages" in status and "built" in status and "dokumenter" not in status


def test_the_status_line_stays_in_the_chosen_language_after_a_change(mini_index: Path, mini_corpus: Path) -> None:
    from klynge_ui.context import AppContext
    from klynge_ui.documents import DocumentsTab

    tab = DocumentsTab.__new__(DocumentsTab)  # its handlers only, without building the page
    tab.ctx = AppContext.of(mini_index, mini_corpus)
    assert "passages" in tab.refreshed("", "en")[2] and "passager" in tab.refreshed("", "da")[2]
    assert "passages" in tab.do_remove(None, None, "en")[2]  # nothing chosen: the lists redrawn all the same


def test_the_evaluation_tab_runs_a_set_within_the_documents_chosen(mini_index: Path, mini_corpus: Path,
                                                                   tmp_path: Path) -> None:
    from klynge_ui.context import AppContext
    from klynge_ui.evaluate import EvalTab

    tab = EvalTab.__new__(EvalTab)  # its handlers only, without building the page
    tab.ctx = AppContext.of(mini_index, mini_corpus)
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "q1", "question": "Hvem støtter spirende klynger?", "expected": ["spirende klynger"]}\n',
                         encoding="utf-8")
    whole, _ = tab.run_eval(str(questions), "da", None)
    within, _ = tab.run_eval(str(questions), "da", None, ["nyhed"])
    rank = re.compile(r"<td>q1</td><td>da</td><td>[^<]*</td><td>([^<]*)</td>")  # the question's first relevant rank
    assert "k-eval-within" not in whole and rank.findall(whole) == ["1"]  # its answer stands in "roller"
    assert "Søgt i / searched within: document nyhed" in within and rank.findall(within) == ["–"]
    assert "no document &#x27;nope&#x27;" in tab.run_eval(str(questions), "da", None, ["nope"])[0]


def test_the_http_api_keeps_its_names(mini_index: Path) -> None:
    from klynge_ui import build_app

    public = sorted(f.api_name for f in build_app(mini_index).fns.values() if f.api_visibility != "private")
    assert public == ["ask", "cite", "eval", "feedback", "reload", "whoami"]  # not ask_1: no event handler may take an API's name


def test_answers_and_quotes_are_drawn_by_one_card(mini_index: Path) -> None:
    from klynge_ui import render_quotes, render_result

    res = Searcher(mini_index).search("Klyngeorganisationen faciliterer samarbejdet", k=2)
    answer = render_result(res, "da")
    quote = render_quotes(service.cite("Klyngeorganisationen faciliterer samarbejdet", mini_index), "en")

    def actions(page: str) -> list[list[str]]:
        return [re.findall(r"class='(k-copy|k-memo-add|k-open)'", a) for a in page.split("<div class='k-actions'>")[1:]]

    assert actions(answer) == [["k-copy", "k-memo-add", "k-open"]] * len(res.hits)
    assert actions(quote) == [["k-copy", "k-memo-add", "k-open"]] and "Copy citation" in quote


# ---------------------------------------------------------------- serve builds under the index's write lock


@pytest.fixture
def serve_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`serve` with the fake embedder and without a server: what it launched, the embedders it made."""
    import klynge_ui.server as server

    env: dict[str, Any] = {"corpus": write_corpus(tmp_path / "corpus"), "index": tmp_path / "index", "launched": [],
                           "embedders": []}
    monkeypatch.setattr(server, "launch", lambda **kw: env["launched"].append(kw))
    monkeypatch.setattr(server, "_warm_up", lambda index_dir: None)  # no thread left behind
    monkeypatch.setattr(service, "make_embedder", lambda *a, **k: env["embedders"].append(FakeEmbedder()) or
                        env["embedders"][-1])
    return env


def test_serve_does_not_build_while_another_process_holds_the_write_lock(serve_env: dict[str, Any],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import klynge_ui.server as server

    monkeypatch.setattr(server, "BUILD_LOCK_TIMEOUT", 0.0)
    index, corpus = serve_env["index"], serve_env["corpus"]
    held, done = threading.Event(), threading.Event()

    def other_writer() -> None:  # as `klynge add` holds it while it builds (another thread: this one may re-enter)
        with write_lock(index):
            held.set()
            done.wait(10)

    t = threading.Thread(target=other_writer)
    t.start()
    try:
        held.wait(5)
        with pytest.raises(IndexBusyError):
            server.serve(index, corpus_dir=corpus, port=1)
    finally:
        done.set()
        t.join()
    assert not (index / "manifest.json").exists() and serve_env["launched"] == []
    server.serve(index, corpus_dir=corpus, port=1)  # the lock free: it builds, then starts
    assert (index / "manifest.json").exists() and serve_env["launched"][0]["port"] == 1


def test_serve_waits_for_another_build_and_uses_its_index(serve_env: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import klynge_ui.server as server

    index, corpus = serve_env["index"], serve_env["corpus"]
    waiting = threading.Event()
    monkeypatch.setattr(server, "_say", lambda message: waiting.set() if message == service.WAITING else None)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            server.serve(index, corpus_dir=corpus, port=1)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    t = threading.Thread(target=run)
    with write_lock(index):  # another process is building this index
        t.start()
        assert waiting.wait(timeout=60), "serve did not wait for the write lock"
        assert not (index / "manifest.json").exists()
        build_index(corpus, index, FakeEmbedder(), progress=False)
    t.join(timeout=120)
    assert not t.is_alive() and errors == []
    assert serve_env["embedders"] == [] and len(serve_env["launched"]) == 1  # found it built: built nothing itself


def test_python_ui_py_honours_klynge_port(mini_index: Path, serve_env: dict[str, Any],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import klynge_ui.server as server
    import qa.runtime

    monkeypatch.setattr(qa.runtime, "prepare_process", lambda argv: None)  # no restart of the test process
    monkeypatch.setenv("KLYNGE_PORT", "8125")
    server.main(["--index-dir", str(mini_index)])
    server.main(["--index-dir", str(mini_index), "--port", "8126"])
    assert [kw["port"] for kw in serve_env["launched"]] == [8125, 8126]


def test_the_warm_up_says_which_engine_embeds_the_questions(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Once the server's warm-up has chosen, the terminal says which engine embeds questions and how to choose."""
    import klynge_ui.server as server

    class Warmed:
        engines = {"dense": "torch", "sparse": "torch"}

        def warm_up(self) -> Warmed:
            return self

    for engines, said in (({"dense": "torch", "sparse": "torch"}, "question engine: torch,"),
                          ({"dense": "c", "sparse": "torch"}, "question engines: dense c, sparse torch,")):
        Warmed.engines = engines
        monkeypatch.setattr(server, "get_searcher", lambda index_dir: Warmed())
        server._warm_up(Path("index"))
        for t in threading.enumerate():
            if t.name == "klynge-warm-up":
                t.join(10)
        err = capsys.readouterr().err
        assert said in err and "KLYNGE_QUESTION_ENGINE" in err


def test_python_ui_py_takes_the_options_of_klynge_serve() -> None:
    from klynge_ui.server import _parser
    from qa.cli_parser import build_parser

    def options(p) -> set[str]:  # noqa: ANN001
        return {o for a in p._actions for o in a.option_strings}

    klynge = build_parser({name: (lambda args: 0) for name in (
        "index", "add", "edit", "remove", "documents", "ask", "cite", "eval", "serve", "mcp", "users", "audit",
        "feedback")})
    serve = next(a for a in klynge._actions if a.dest == "command").choices["serve"]
    assert options(_parser()) == options(serve)
    assert _parser().parse_args(["--corpus", "mappe"]).corpus == "mappe"
