"""Sign-in, roles and the audit trail: the access file beside the index, the service's checks, the
append-only trail, the proxy's headers trusted only from the proxy, and the app's handlers refusing."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from indexer import Library
from qa import AccessDenied, cli, service
from qa.access import Access, LoginLimiter, Proxy, User, access_path, load_access
from qa.audit import audit_path, entries

from .conftest import FakeEmbedder

NEW = "# Nyt referat\n\nBorgmesteren indkalder til møderne med en dagsorden.\n"


def _users(index: Path, monkeypatch: pytest.MonkeyPatch, *people: tuple[str, str]) -> None:
    for name, role in people:
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{name}-har-en-lang-adgangskode\n"))
        assert cli.main(["users", "add", name, "--role", role, "--password-stdin", "--index-dir", str(index)]) == 0


def _library(mini_corpus: Path, mini_index: Path) -> Library:
    return service.open_library(mini_corpus, mini_index, embedder=FakeEmbedder())


def _new_file(tmp_path: Path) -> Path:
    path = tmp_path / "upload" / "referat.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(NEW, encoding="utf-8")
    return path


def test_without_users_everything_is_allowed_and_audited(tmp_path: Path, mini_corpus: Path, mini_index: Path) -> None:
    assert load_access(mini_index).open
    changes = service.add_documents(_library(mini_corpus, mini_index), [_new_file(tmp_path)])
    assert [c.action for c in changes.changes] == ["added"]
    [entry] = entries(mini_index)
    assert (entry.action, entry.file, entry.doc_id, entry.user) == ("added", "referat.md", "referat", "local")
    assert len(entry.sha256) == 64


def test_users_are_managed_from_the_command_line(mini_index: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _users(mini_index, monkeypatch, ("anna", "editor"), ("bo", "reader"))
    path = access_path(mini_index)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600" and "$argon2id$" in path.read_text()
    access = load_access(mini_index)
    assert access.check_password("anna", "anna-har-en-lang-adgangskode") == User("anna", "editor")
    assert access.check_password("anna", "forkert") is None and access.check_password("nobody", "x") is None
    assert cli.main(["users", "role", "bo", "editor", "--index-dir", str(mini_index)]) == 0
    assert load_access(mini_index).users["bo"].role == "editor"
    assert cli.main(["users", "role", "bo", "chef", "--index-dir", str(mini_index)]) == 2
    assert "role must be one of reader, editor, admin" in capsys.readouterr().err
    assert cli.main(["users", "remove", "bo", "--index-dir", str(mini_index)]) == 0
    capsys.readouterr()
    assert cli.main(["users", "list", "--json", "--index-dir", str(mini_index)]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": "anna", "role": "editor"}]
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert cli.main(["users", "add", "cecilie", "--password-stdin", "--index-dir", str(mini_index)]) == 2


def test_a_reader_cannot_change_the_collection_and_an_editor_can(tmp_path: Path, mini_corpus: Path, mini_index: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _users(mini_index, monkeypatch, ("anna", "editor"), ("bo", "reader"))
    lib = _library(mini_corpus, mini_index)
    with pytest.raises(AccessDenied, match="bo is a reader; add, replace, edit or remove documents takes the role 'editor'"):
        service.add_documents(lib, [_new_file(tmp_path)], user=User("bo", "reader"))
    with pytest.raises(AccessDenied, match="sign in"):
        service.remove_documents(lib, ["roller"])
    assert not (mini_corpus / "referat.md").exists() and entries(mini_index) == []
    service.add_documents(lib, [_new_file(tmp_path)], user=User("anna", "editor"))
    service.remove_documents(lib, ["referat"], User("anna", "editor"))
    trail = entries(mini_index)
    assert [(e.action, e.user, e.role) for e in trail] == [("removed", "anna", "editor"), ("added", "anna", "editor")]
    assert trail[0].sha256 == trail[1].sha256  # the removed file is the one that was added
    assert [e.action for e in service.audit_trail(mini_index, "referat", User("anna", "editor"))] == ["removed", "added"]
    with pytest.raises(AccessDenied):
        service.audit_trail(mini_index, user=User("bo", "reader"))


def test_the_audit_trail_is_append_only(tmp_path: Path, mini_corpus: Path, mini_index: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    service.add_documents(_library(mini_corpus, mini_index), [_new_file(tmp_path)])
    con = sqlite3.connect(audit_path(mini_index))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit SET user = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM audit")
    con.close()
    assert cli.main(["audit", "--json", "--index-dir", str(mini_index)]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["action"] == "added" and row["file"] == "referat.md"


def test_a_proxy_is_trusted_only_from_its_address() -> None:
    access = Access(proxy=Proxy(("10.0.0.5",), roles={"klynge-editors": "editor", "klynge-admins": "admin"}))
    headers = {"X-Forwarded-User": "anna@kommune.dk", "X-Forwarded-Groups": "alle,klynge-editors"}
    assert access.from_proxy(headers, "10.0.0.5") == User("anna@kommune.dk", "editor")
    assert access.from_proxy(headers, "10.0.0.9") is None  # straight to the app: the header is ignored
    assert access.from_proxy({"x-forwarded-user": "bo"}, "10.0.0.5") == User("bo", "reader")  # no group: reader
    assert access.from_proxy({}, "10.0.0.5") is None
    assert not access.open


def test_failed_sign_ins_make_a_name_wait() -> None:
    limiter = LoginLimiter(attempts=3, window=60)
    for _ in range(3):
        assert limiter.wait_for("anna") == 0
        limiter.failed("anna")
    assert 0 < limiter.wait_for("anna") <= 60 and limiter.wait_for("bo") == 0


def test_names_whose_failures_aged_out_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    import qa.access

    clock = [1000.0]
    monkeypatch.setattr(qa.access.time, "monotonic", lambda: clock[0])
    limiter = LoginLimiter(attempts=3, window=60)
    for i in range(1000):  # someone guessing names
        limiter.failed(f"gæt-{i}")
    clock[0] += 61
    limiter.failed("anna")
    assert list(limiter._failures) == ["anna"] and limiter.wait_for("anna") == 0


def test_the_apps_handlers_refuse_a_reader_and_hide_the_controls(tmp_path: Path, mini_corpus: Path, mini_index: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from klynge_ui.context import AppContext
    from klynge_ui.documents import DocumentsTab

    _users(mini_index, monkeypatch, ("anna", "editor"), ("bo", "reader"))
    ctx = AppContext.of(mini_index, mini_corpus)
    tab = DocumentsTab.__new__(DocumentsTab)  # its handlers only, without building the page
    tab.ctx = ctx
    reader, editor = SimpleNamespace(username="bo"), SimpleNamespace(username="anna")
    assert ctx.login("anna", "anna-har-en-lang-adgangskode") and not ctx.login("anna", "forkert")
    assert tab.controls(reader)["visible"] is False and tab.controls(editor)["visible"] is True
    message = tab.do_remove("roller", reader)[0]
    assert "role &#x27;editor&#x27;" in message and (mini_corpus / "roller.md").exists()
    assert entries(mini_index) == []


def test_every_tab_that_reads_the_collection_asks_who_is_there(tmp_path: Path, mini_corpus: Path, mini_index: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With users, a visitor not signed in (one reaching the app's port past the proxy) reads nothing: not a quote's
    source, not a document, not an evaluation; a reader does."""
    from klynge_ui.cite import CiteTab
    from klynge_ui.context import AppContext
    from klynge_ui.documents import DocumentsTab
    from klynge_ui.evaluate import EvalTab

    _users(mini_index, monkeypatch, ("bo", "reader"))
    ctx = AppContext.of(mini_index, mini_corpus)
    cite, docs, evaluation = (tab.__new__(tab) for tab in (CiteTab, DocumentsTab, EvalTab))  # handlers only
    cite.ctx = docs.ctx = evaluation.ctx = ctx
    nobody, reader = SimpleNamespace(username=None, headers={}, client=None), SimpleNamespace(username="bo")
    quote = "primære ansvar for understøttelse af lokale og spirende klynger"
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "q", "question": "Hvem støtter klynger?", "expected": ["klynger"]}) + "\n",
                         encoding="utf-8")
    refused = [cite.do_cite(quote, "da", nobody), docs.show_doc("roller", nobody),
               docs.open_passage(json.dumps({"doc": "roller", "start": 0, "end": 10}), nobody)[2],
               evaluation.run_eval(str(questions), "da", nobody)[0]]
    assert all("role='alert'" in r and "sign in" in r for r in refused), refused
    assert "roller" in cite.do_cite(quote, "da", reader) and "alert" not in docs.show_doc("roller", reader)
    assert "recall@5" in evaluation.run_eval(str(questions), "da", reader)[0]


def test_personal_data_is_masked_before_it_is_stored() -> None:
    from qa.feedback import mask_personal

    masked = mask_personal("Min søn (CPR 010203-1234, også 0102031234) har mail anna@kommune.dk og tlf. 12 34 56 78")
    assert "1234" not in masked and "anna@" not in masked and "12 34 56 78" not in masked
    assert masked.count("[skjult]") == 4 and masked.startswith("Min søn (CPR [skjult]")
    kept = "Hvad siger § 17, stk. 2 i lov nr. 230 af 2024 om 14 dages frist?"
    assert mask_personal(kept) == kept


def test_feedback_becomes_a_question_set_that_eval_reads(tmp_path: Path, mini_index: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from qa.feedback import feedback_path, stored

    hit = service.ask("Hvem har ansvaret for spirende klynger?", mini_index, k=3, shared=False).result.hits[0]
    service.give_feedback(mini_index, "Hvem har ansvaret for spirende klynger? Ring på 12345678",
                          "answers", passage_id=hit.passage.passage_id, answer=hit.answer_text)
    service.give_feedback(mini_index, "Hvornår holder kantinen lukket?", "none")
    rows = stored(mini_index)
    assert [(r.verdict, r.role) for r in rows] == [("answers", "admin"), ("none", "admin")]  # nobody signs in: local
    assert "12345678" not in rows[0].question and rows[0].doc_id == hit.passage.doc_id
    out = tmp_path / "feedback.jsonl"
    assert cli.main(["feedback", "export", "--output", str(out), "--index-dir", str(mini_index)]) == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert exported[0]["expected"] == [hit.answer_text] and exported[1]["expected"] == []
    service.give_feedback(mini_index, "Hvem betaler?", "answers", passage_id=hit.passage.passage_id)  # no sentence
    assert [q["question"] for q in service.export_feedback(mini_index)] == [rows[0].question, rows[1].question]
    report = service.evaluate_questions(out, mini_index).to_json()
    assert report["n"] == 2 and report["metrics"]["recall@5"] == 1.0
    assert report["metrics"]["no_answer_accuracy"] is not None  # the "none" question is asked as unanswerable
    con = sqlite3.connect(feedback_path(mini_index))  # a verdict older than the retention ...
    con.execute("UPDATE feedback SET time = '2020-01-01T00:00:00Z' WHERE verdict = 'none'")
    con.commit()
    con.close()
    service.give_feedback(mini_index, "Hvem støtter klynger?", "none")  # ... goes with the next one stored
    assert [r.question for r in stored(mini_index)] == [rows[0].question, "Hvem betaler?", "Hvem støtter klynger?"]
    monkeypatch.setenv("KLYNGE_FEEDBACK", "off")
    assert service.give_feedback(mini_index, "Noget helt andet?", "none") is False and len(stored(mini_index)) == 3


def test_the_app_stores_a_readers_verdict_with_the_role(mini_corpus: Path, mini_index: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from klynge_ui.ask import AskTab, render_result
    from klynge_ui.context import AppContext
    from qa.feedback import stored

    _users(mini_index, monkeypatch, ("bo", "reader"))
    tab = AskTab.__new__(AskTab)  # its handler only, without building the page
    tab.ctx = AppContext.of(mini_index, mini_corpus)
    result = service.ask("Hvem har ansvaret for spirende klynger?", mini_index, k=2, shared=False).result
    html = render_result(result, "da", feedback=True)
    assert html.count("class='k-fb'") == len(result.hits) + 1  # one a card, and "none of these"
    payload = json.dumps({"q": result.question, "lang": "da", "verdict": "answers",
                          "pid": result.hits[0].passage.passage_id, "answer": result.hits[0].answer_text})
    assert "gemt" in tab.do_feedback(payload, SimpleNamespace(username="bo"))
    assert [(r.role, r.verdict) for r in stored(mini_index)] == [("reader", "answers")]
    assert "sign in" in tab.do_feedback(payload, None)  # sign-in configured: nobody signed in, nothing stored
    assert "role='alert'" in tab.do_feedback("not json", SimpleNamespace(username="bo"))
    assert len(stored(mini_index)) == 1


def test_the_api_refuses_with_a_message_when_the_access_file_is_broken(mini_corpus: Path, mini_index: Path) -> None:
    """A damaged access file closes the API with the reason, as it closes the tabs (one check, ``ctx.denied``)."""
    import gradio as gr

    from klynge_ui.api import register_api
    from klynge_ui.context import AppContext

    ctx = AppContext.of(mini_index, mini_corpus)
    with gr.Blocks() as demo:
        register_api(mini_index, ctx)
    ask = next(f.fn for f in demo.fns.values() if f.api_name == "ask")
    assert ask is not None and ask("Hvem støtter klynger?", 1, "", SimpleNamespace(username=None))["hits"]
    access_path(mini_index).write_text("[users.anna\nrole = ", encoding="utf-8")
    try:
        with pytest.raises(gr.Error, match="access"):
            ask("Hvem støtter klynger?", 1, "", SimpleNamespace(username=None))
    finally:
        access_path(mini_index).unlink()
