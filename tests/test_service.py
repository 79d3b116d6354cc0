"""One service layer (qa.service) under the `klynge` command, the app and its HTTP API: the same JSON from
each, errors as results where every caller shows them, and `klynge serve` finding the app through its
entry point (qa never imports the app)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from indexer import KlyngeError
from qa import service
from qa.cli import main
from qa.errors import UsageError

from .conftest import ROOT, write_corpus

SERVED: list[dict[str, Any]] = []


def fake_app(**kwargs: Any) -> None:
    """An app as the ``klynge.apps`` entry point group holds one: records how `klynge serve` started it."""
    SERVED.append(kwargs)


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_cli_and_the_http_api_give_the_same_json(mini_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from klynge_ui import api_ask, api_cite

    q = "Hvem støtter spirende klynger?"
    assert _cli_json(capsys, "ask", q, "-k", "3", "--json", "--index-dir", str(mini_index)) == \
        api_ask(q, 3, "", str(mini_index))
    assert _cli_json(capsys, "ask", q, "--doc", "roller", "--json", "--index-dir", str(mini_index)) == \
        api_ask(q, 5, "roller", str(mini_index))
    quote = "Klyngeorganisationen faciliterer samarbejdet"
    cited = _cli_json(capsys, "cite", quote, "-k", "5", "--json", "--index-dir", str(mini_index))
    assert cited == api_cite(quote, str(mini_index)) and cited["found"]


def test_what_cannot_be_searched_is_a_result_with_its_reason(mini_index: Path, tmp_path: Path) -> None:
    from klynge_ui import api_ask, api_cite, api_eval

    assert api_ask("   ", 5, "", str(mini_index)) == {
        "question": "   ", "error": "the question is empty: type a question about the documents", "answered": False,
        "confidence": 0.0, "unmentioned": [], "now_unmentioned": "", "absent_provision": "", "respelled": [], "hits": []}
    assert set(api_cite("x", str(mini_index))) == {"quote", "error", "found", "matches"}
    assert "does not exist" in api_eval(str(tmp_path / "none.jsonl"), str(mini_index))["error"]
    qs = tmp_path / "q.jsonl"
    qs.write_text('{"id": "1", "question": "Hvem støtter spirende klynger?", "expected": ["spirende klynger"]}\n',
                  encoding="utf-8")
    assert api_eval(str(qs), str(mini_index), "roller")["within"] == {"docs": ["roller"]}
    assert "no document 'nope'" in api_eval(str(qs), str(mini_index), "nope")["error"]
    answer = service.ask("\x00", mini_index)
    assert answer.result is None and "empty" in answer.error
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.error = ""  # type: ignore[misc]


def test_filters_and_unknown_documents(mini_index: Path) -> None:
    assert service.make_filters(["a"], [], ["2016", 2020]).years == (2016, 2020)
    with pytest.raises(UsageError, match="--year 'toogtyve' is not a year"):
        service.make_filters(years=["toogtyve"])
    assert service.ask("klynger", mini_index, docs=["nope"]).result is not None  # the app: just nothing found
    with pytest.raises(UsageError, match="no document 'nope' in the index"):
        service.ask("klynger", mini_index, docs=["nope"], known_docs=True)  # the CLI: a usage mistake


def test_changes_and_listing_from_the_service(tmp_path: Path, fake_embedder: Any) -> None:
    corpus = write_corpus(tmp_path / "c")
    library = service.open_library(corpus, tmp_path / "i", embedder=fake_embedder, lock_timeout=5)
    assert library.lock_timeout == 5
    (tmp_path / "ny fil.txt").write_text("Helt ny tekst om klynger i kommunerne.", encoding="utf-8")
    (tmp_path / "falsk.pdf").write_text("ikke en pdf", encoding="utf-8")
    changes = service.add_documents(library, [tmp_path / "ny fil.txt", tmp_path / "falsk.pdf"])
    assert changes.ok and [c.action for c in changes.changes] == ["added", "refused"]
    assert service.shown_as(changes.changes[0]) == "ny-fil.txt" and changes.build is not None
    assert changes.to_json() == changes.report.to_json() and json.dumps(changes.to_json())
    refused = service.add_documents(library, [tmp_path / "falsk.pdf"])
    assert not refused.ok and refused.build is None
    listing = service.list_documents(library)
    assert {i["doc_id"] for i in listing.to_json()} == {"roller", "nyhed", "side", "ny-fil"}


def test_the_port_is_the_flag_then_klynge_port_then_7860() -> None:
    assert service.serve_port(None, {}) == 7860
    assert service.serve_port(None, {"KLYNGE_PORT": "8123"}) == 8123
    assert service.serve_port(8124, {"KLYNGE_PORT": "8123"}) == 8124  # the flag wins
    for bad in ("http", "0", "70000"):
        with pytest.raises(UsageError, match="KLYNGE_PORT"):
            service.serve_port(None, {"KLYNGE_PORT": bad})


def _only_app(monkeypatch: pytest.MonkeyPatch, *eps: EntryPoint) -> None:
    """Only ``eps`` in the ``klynge.apps`` group (the other groups as installed)."""
    import importlib.metadata

    real = importlib.metadata.entry_points
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda **kw: list(eps) if kw.get("group") == service.APP_GROUP else real(**kw))


def test_klynge_serve_starts_the_app_of_the_entry_point(mini_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _only_app(monkeypatch, EntryPoint("gradio", f"{__name__}:fake_app", service.APP_GROUP))
    SERVED.clear()
    monkeypatch.setenv("KLYNGE_PORT", "8123")
    assert main(["serve", "--index-dir", str(mini_index), "--read-only"]) == 0
    assert main(["serve", "--index-dir", str(mini_index), "--port", "8124"]) == 0
    assert [(s["port"], s["read_only"], s["index_dir"]) for s in SERVED] == [(8123, True, mini_index),
                                                                              (8124, False, mini_index)]


def test_without_an_app_klynge_serve_says_how_to_install_it(mini_index: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    _only_app(monkeypatch)
    assert main(["serve", "--index-dir", str(mini_index)]) == 1
    err = capsys.readouterr().err
    assert "klynge.apps" in err and "pip install -e ." in err and "Traceback" not in err
    _only_app(monkeypatch, EntryPoint("gradio", "no_such_module_here:serve", service.APP_GROUP))
    with pytest.raises(KlyngeError, match="could not be loaded"):
        service.find_app()


def test_the_installed_entry_point_is_the_gradio_app() -> None:
    from klynge_ui.server import serve

    assert service.find_app() is serve  # `pip install -e .` registered it (pyproject.toml)


def test_qa_never_imports_the_app() -> None:
    code = ("import sys, qa, qa.cli, qa.service; qa.cli.build_parser(); "
            "assert not {'ui', 'klynge_ui'} & set(sys.modules), sorted(m for m in sys.modules if 'ui' in m)")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
