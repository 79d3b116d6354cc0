"""The change API beside the running app (/api/documents): a reader is refused with 403 and the reason,
missing credentials get 401, an editor adds, edits and removes, and the audit trail names them."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from qa.audit import entries

from .conftest import PASSWORDS


def call(url: str, method: str, path: str, user: str | None = None, body: bytes = b"") -> tuple[int, Any]:
    req = urllib.request.Request(url.rstrip("/") + path, data=body or None, method=method)
    if user:
        token = base64.b64encode(f"{user}:{PASSWORDS[user]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_reader_is_refused_with_403_and_the_reason(department: tuple[str, Path, Path]) -> None:
    url, corpus, index = department
    status, body = call(url, "DELETE", "/api/documents/roller", "bo")
    assert status == 403 and "bo is a reader" in body["error"] and "'editor'" in body["error"]
    status, body = call(url, "DELETE", "/api/documents/roller")
    assert status == 401 and "sign in" in body["error"]
    assert (corpus / "roller.md").exists() and entries(index) == []


def test_an_editor_adds_edits_and_removes(department: tuple[str, Path, Path]) -> None:
    url, corpus, index = department
    text = "# Referat\n\nBorgmesteren indkalder til møderne med en dagsorden.\n".encode()
    status, body = call(url, "POST", "/api/documents?name=referat.md", "anna", text)
    assert status == 200 and body["changes"][0]["action"] == "added" and (corpus / "referat.md").is_file()
    status, body = call(url, "PATCH", "/api/documents/referat", "anna", json.dumps({"title": "Referat 4. maj"}).encode())
    assert status == 200 and body["changes"][0]["action"] == "updated"
    status, body = call(url, "DELETE", "/api/documents/referat", "anna")
    assert status == 200 and not (corpus / "referat.md").exists()
    assert [(e.action, e.user) for e in entries(index)] == [("removed", "anna"), ("updated", "anna"), ("added", "anna")]
    status, body = call(url, "GET", "/api/documents/referat", "anna")
    assert status == 400 and "not a change this API makes" in body["error"]
    for bad in (b"[]", b"{title: x}"):  # a JSON list, not JSON at all: the form that works, not a 500
        status, body = call(url, "PATCH", "/api/documents/roller", "anna", bad)
        assert status == 400 and "JSON object" in body["error"], body
