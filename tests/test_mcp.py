"""klynge's MCP tools through the official ``mcp`` client, for real: `klynge mcp` as a subprocess over stdio,
and `klynge serve` over streamable HTTP at /mcp (with and without sign-in). Nothing of the protocol is mocked."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from qa import service
from qa.evaluate import is_relevant
from qa.mcp_server import MAX_K, MAX_TEXT_CHARS

from .conftest import PASSWORDS, ROOT, free_port, wait_for_app

TOOLS = {"search", "find_quote", "list_documents", "get_passage"}
# a dev question (../shared/eval/dev_questions.jsonl, dev-da01) and the phrase its first hit must hold
QUESTION = "Hvor mange væsentlige klynger og netværk er der i Danmark ifølge Klyngestrategi 2.0?"
EXPECTED = ["omkring 45 væsentlige klynger og netværk"]
QUOTE = "Samarbejde er vejen til innovative samfund."

Session = Callable[[Client], Awaitable[Any]]


def over_stdio(index: Path, check: Session) -> Any:
    """Run ``check`` against `klynge mcp --index-dir index` started as a subprocess (stdin/stdout)."""
    server = StdioServerParameters(command=sys.executable, args=["-m", "qa.cli", "mcp", "--index-dir", str(index)],
                                   env=dict(os.environ), cwd=str(ROOT))

    async def run() -> Any:
        async with Client(server, read_timeout_seconds=120) as client:
            return await check(client)
    return asyncio.run(run())


def over_http(url: str, check: Session, user: str | None = None) -> Any:
    """Run ``check`` against the app's /mcp, with ``user``'s basic credentials when given."""
    headers = {}
    if user:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{PASSWORDS[user]}".encode()).decode()

    async def run() -> Any:
        async with create_mcp_http_client(headers=headers) as http, \
                Client(streamable_http_client(url.rstrip("/") + "/mcp", http_client=http)) as client:
            return await check(client)
    return asyncio.run(run())


async def call(client: Client, tool: str, **args: Any) -> tuple[bool, Any]:
    """(is_error, the structured result or the error's text)."""
    r = await client.call_tool(tool, args)
    return r.is_error, (r.content[0].text if r.is_error else r.structured_content)


async def every_tool(client: Client) -> dict[str, Any]:
    out: dict[str, Any] = {"tools": {t.name: t for t in (await client.list_tools()).tools}}
    out["search"] = await call(client, "search", question=QUESTION, k=3)
    out["quote"] = await call(client, "find_quote", text=QUOTE)
    out["documents"] = await call(client, "list_documents")
    hit = out["search"][1]["hits"][0]
    out["passage"] = await call(client, "get_passage", passage_id=hit["passage_id"], neighbours=1)
    return out


async def bad_calls(client: Client) -> dict[str, tuple[bool, Any]]:
    return {
        "empty": await call(client, "search", question="   "),
        "huge k": await call(client, "search", question=QUESTION, k=10_000),
        "unknown doc": await call(client, "search", question=QUESTION, documents=["ingen-saadan"]),
        "bad year": await call(client, "search", question=QUESTION, years=[-5]),
        "long question": await call(client, "search", question="klynger " * 1000),
        "wrong type": await call(client, "search", question=["not", "text"]),
        "1 MB quote": await call(client, "find_quote", text="a" * 1_000_000),
        "unknown passage": await call(client, "get_passage", passage_id="ingen-saadan#123"),
        "many neighbours": await call(client, "get_passage", passage_id="x#1", neighbours=500),
    }


def check_every_tool(out: dict[str, Any], index: Path) -> None:
    tools = out["tools"]
    assert set(tools) == TOOLS  # read-only: no add, edit or remove
    assert all(t.annotations.read_only_hint for t in tools.values())
    assert "verbatim" in tools["search"].description and "citation" in tools["search"].description
    error, result = out["search"]
    assert not error and result["answered"] and is_relevant(result["hits"][0]["text"], EXPECTED)
    # the same JSON as `klynge ask --json` (one service layer)
    direct = service.ask(QUESTION, index, k=3, shared=False).to_json()
    assert [(h["passage_id"], h["citation"]) for h in result["hits"]] == \
        [(h["passage_id"], h["citation"]) for h in direct["hits"]]
    assert result["hits"][0]["citation"].startswith("Klyngestrategi")
    error, found = out["quote"]
    assert not error and found["found"] and found["matches"][0]["doc_id"] == "de-danske-klynger"
    assert found["matches"][0]["citation"].startswith("De danske klynger")
    error, docs = out["documents"]
    assert not error and len(docs["documents"]) == 5 and all(d["status"] == "indexed" for d in docs["documents"])
    error, around = out["passage"]
    assert not error and around["passage"]["passage_id"] == result["hits"][0]["passage_id"]
    assert around["passage"]["citation"] and (around["before"] or around["after"])
    doc = around["passage"]["doc_id"]
    assert all(p["doc_id"] == doc for p in around["before"] + around["after"])


@pytest.fixture(scope="module")
def served(real_index: Path) -> Iterator[str]:
    """`klynge serve` over the shipped index (the real model) on a free port: its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--index-dir", str(real_index), "--port", str(port)],
                            cwd=ROOT, env=dict(os.environ, GRADIO_ANALYTICS_ENABLED="False"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    wait_for_app(proc, url)
    yield url
    proc.terminate()
    proc.wait(20)


@pytest.mark.model
def test_every_tool_over_stdio(real_index: Path) -> None:
    check_every_tool(over_stdio(real_index, every_tool), real_index)


@pytest.mark.model
def test_every_tool_over_http_from_klynge_serve(served: str, real_index: Path) -> None:
    check_every_tool(over_http(served, every_tool), real_index)


@pytest.mark.model
def test_bad_arguments_are_tool_errors_that_say_what_to_send(real_index: Path) -> None:
    errors = over_stdio(real_index, bad_calls)
    assert all(is_error for is_error, _ in errors.values()), errors
    text = {name: message for name, (_, message) in errors.items()}
    assert "question is empty" in text["empty"]
    assert f"1 to {MAX_K}" in text["huge k"]
    assert "ingen-saadan" in text["unknown doc"] and "list_documents" in text["unknown doc"]
    assert "-5" in text["bad year"] and "list_documents" not in text["bad year"]  # the hint is the documents'
    assert f"at most {MAX_TEXT_CHARS:,}" in text["long question"] and f"at most {MAX_TEXT_CHARS:,}" in text["1 MB quote"]
    assert "question" in text["wrong type"] and "valid string" in text["wrong type"]
    assert "passage_id of a search hit" in text["unknown passage"]
    assert "0 to 5" in text["many neighbours"]
    assert not any("Traceback" in m for m in text.values())


def test_with_sign_in_the_http_tools_need_a_user(department: tuple[str, Path, Path]) -> None:
    url = department[0]

    async def titles(client: Client) -> list[str]:
        _, result = await call(client, "list_documents")
        return [d["doc_id"] for d in result["documents"]]

    assert "roller" in over_http(url, titles, user="bo")  # a reader may search
    with pytest.raises(Exception):  # noqa: B017, PT011 (the client raises its task group's error group)
        over_http(url, titles)
    status, headers, body = post_tools_list(url)
    assert status == 401 and "sign in" in body["error"] and headers["WWW-Authenticate"].startswith("Basic")


def post_tools_list(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    """A raw `tools/list` POST to the app's /mcp: (status, headers, JSON body)."""
    import urllib.error
    import urllib.request

    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    req = urllib.request.Request(url.rstrip("/") + "/mcp", data=body, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Accept": "application/json, text/event-stream", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, exc.headers, json.loads(raw)
        except ValueError:
            return exc.code, exc.headers, raw.decode(errors="replace")


@pytest.mark.model
def test_the_http_endpoint_refuses_another_host_name(served: str) -> None:
    """On a loopback address a page elsewhere cannot reach the tools through DNS rebinding."""
    status, _, _ = post_tools_list(served, {"Host": "evil.example"})
    assert status == 421
