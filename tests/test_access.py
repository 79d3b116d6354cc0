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
    assert load_access(mini_index).users["bo"][0] == "editor"
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
