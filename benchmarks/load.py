"""Load test: N concurrent clients drive the running app's API (/ask) for a fixed time.

    python benchmarks/load.py                      # starts the app on a free loopback port, 50 clients, 60 s
    python benchmarks/load.py --url http://127.0.0.1:7860/ --clients 50 --seconds 60
    python benchmarks/load.py --signed-in          # 50 users, each signed in, asking and marking answers

``--signed-in`` runs the app over a copy of the shipped index with one built-in user per client (the
access file of the copy, never the real index's): each client signs in, asks, and marks the first hit of
each answer through ``/feedback``; afterwards every stored feedback row is checked against the marks
made (each once).

Loopback only; bounded in time (--seconds) and count (--max-requests); stops by itself.
Writes docs/load.md and benchmarks/load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "belastningstest-adgangskode"  # the signed-in run's users, in its throwaway copy of the index
QUESTIONS = [
    "Hvem støtter spirende klynger?", "who supports emerging clusters?", "Har Klyngeforum beslutningskompetence?",
    "Hvor mange landsdækkende klynger lægger loven op til?", "Should public base funding of clusters be phased out?",
    "Hvad er væksthusenes opgaver?", "Where is Cluster Excellence Denmark located?", "Hvordan søger jeg om parkeringstilladelse?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _check_loopback(url: str) -> None:
    host = urllib.parse.urlparse(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise SystemExit(f"refusing to load-test {host}: loopback addresses only")


def ask(client: httpx.Client, base: str, q: str) -> dict:
    r = client.post(f"{base}gradio_api/call/ask", json={"data": [q, 5, ""]})
    r.raise_for_status()
    event = r.json()["event_id"]
    with client.stream("GET", f"{base}gradio_api/call/ask/{event}") as s:
        s.raise_for_status()
        kind = None
        for line in s.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                if kind == "error":
                    raise RuntimeError(line)
                return json.loads(line[5:])[0]
    raise RuntimeError("stream ended without a result")


def sign_in(client: httpx.Client, base: str, name: str, password: str) -> None:
    r = client.post(f"{base}login", data={"username": name, "password": password})
    if r.status_code >= 400 or not client.cookies:
        raise RuntimeError(f"sign-in of {name} failed ({r.status_code})")


def mark(client: httpx.Client, base: str, question: str, hit: dict) -> None:
    r = client.post(f"{base}gradio_api/call/feedback",
                    json={"data": [question, "answers", hit.get("passage_id", ""), hit.get("answer", "")]})
    r.raise_for_status()
    event = r.json()["event_id"]
    with client.stream("GET", f"{base}gradio_api/call/feedback/{event}") as st:
        text = "".join(st.iter_lines())
    if "event: complete" not in text.replace("event:complete", "event: complete"):
        raise RuntimeError(f"feedback not stored: {text[:120]}")


def run(base: str, clients: int, seconds: float, max_requests: int, users: list[str] | None = None) -> dict:
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    count = [0]

    marked: list[str] = []

    def worker(i: int) -> None:
        with httpx.Client(timeout=30) as c:
            if users:
                sign_in(c, base, users[i % len(users)], PASSWORD)
            n = i
            while time.monotonic() < stop:
                with lock:
                    if count[0] >= max_requests:
                        return
                    count[0] += 1
                q = QUESTIONS[n % len(QUESTIONS)]
                n += 1
                t = time.perf_counter()
                try:
                    res = ask(c, base, q)
                    if "hits" not in res:
                        raise RuntimeError(f"bad answer: {str(res)[:100]}")
                    if users and res["hits"]:
                        tagged = f"{q} (load {i}-{n})"  # one mark a question: each row must be stored once
                        mark(c, base, tagged, res["hits"][0])
                        with lock:
                            marked.append(tagged)
                    with lock:
                        lat.append((time.perf_counter() - t) * 1000)
                except Exception as exc:  # noqa: BLE001
                    with lock:
                        errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    a = np.asarray(lat) if lat else np.zeros(1)
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(lat) + len(errors), "ok": len(lat),
            "errors": len(errors), "error_samples": errors[:5], "throughput_rps": round(len(lat) / wall, 2),
            "p50_ms": round(float(np.percentile(a, 50)), 1), "p95_ms": round(float(np.percentile(a, 95)), 1),
            "max_ms": round(float(a.max()), 1), "marked": marked}


def _start_app(index_dir: Path | None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    extra = ["--index-dir", str(index_dir)] if index_dir else []
    proc = subprocess.Popen([sys.executable, str(ROOT / "ui.py"), "--port", str(port), *extra], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while True:
        try:
            with urllib.request.urlopen(base, timeout=2):
                return proc, base
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit("the app did not start") from None
            time.sleep(0.5)


def _signed_in_index(clients: int) -> tuple[Path, list[str]]:
    """A copy of the shipped index with one editor-less reader per client in its access file."""
    from argon2 import PasswordHasher

    sys.path.insert(0, str(ROOT))
    from qa.access import Account, save_users

    copy = Path(tempfile.mkdtemp(prefix="klynge-load-")) / "index"
    shutil.copytree(ROOT / ".klynge" / "index", copy)
    hashed = PasswordHasher().hash(PASSWORD)  # one hash for all: argon2 verifies any of them alike
    users = [f"bruger{i:02d}" for i in range(clients)]
    save_users(copy, {u: Account("reader", hashed) for u in users})
    return copy, users


def _check_feedback(index_dir: Path, marked: list[str]) -> dict:
    sys.path.insert(0, str(ROOT))
    from qa.feedback import stored

    rows = [f.question for f in stored(index_dir)]
    return {"marks": len(marked), "stored": len(rows), "stored_once": sorted(rows) == sorted(marked)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running app (default: start one on a free loopback port)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=50_000)
    ap.add_argument("--signed-in", action="store_true", help="each client a signed-in user who also marks answers")
    ap.add_argument("--no-write", action="store_true", help="do not write docs/load.md")
    args = ap.parse_args()
    index_dir, users = _signed_in_index(args.clients) if args.signed_in else (None, None)
    proc, base = (None, args.url) if args.url and not args.signed_in else _start_app(index_dir)
    base = base if base.endswith("/") else base + "/"
    _check_loopback(base)
    try:
        with httpx.Client(timeout=30) as c:  # warm up
            if users:
                sign_in(c, base, users[0], PASSWORD)
            ask(c, base, QUESTIONS[0])
        single = run(base, 1, min(15.0, args.seconds), args.max_requests, users)  # one user: one question's time
        res = run(base, args.clients, args.seconds, args.max_requests, users)
        res["single_client"] = {k: v for k, v in single.items() if k != "marked"}
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)
    marked = res.pop("marked") + single["marked"]
    if index_dir is not None:
        res["feedback"] = _check_feedback(index_dir, marked)
    res["date"] = time.strftime("%Y-%m-%d %H:%M")
    res["concurrency_limit"] = int(os.environ.get("KLYNGE_CONCURRENCY", "8"))
    print(json.dumps(res, indent=2))
    if not args.no_write:
        _write(res, args.signed_in)


def _write(res: dict, signed_in: bool) -> None:
    """The results into benchmarks/load.json (and load-signed-in.json) and their section of docs/load.md."""
    name = "load-signed-in" if signed_in else "load"
    (ROOT / "benchmarks" / f"{name}.json").write_text(json.dumps(res, indent=2) + "\n")
    results = {n: json.loads((ROOT / "benchmarks" / f"{n}.json").read_text())
               for n in ("load", "load-signed-in") if (ROOT / "benchmarks" / f"{n}.json").exists()}
    (ROOT / "docs" / "load.md").write_text(_page(results), encoding="utf-8")


def _page(results: dict) -> str:
    rows, notes = [], []
    for name, r in results.items():
        who = "signed-in users asking and marking answers" if name == "load-signed-in" else "anonymous clients asking"
        rows.append(f"| {r['date']} | {r['clients']} {who} | {r['seconds']} s | {r['requests']} | {r['errors']} | "
                    f"{r['throughput_rps']} req/s | {r['p50_ms']} ms | {r['p95_ms']} ms | {r['max_ms']} ms |")
        one = r["single_client"]
        notes.append(f"- {who}, one client alone: p50 {one['p50_ms']} ms, p95 {one['p95_ms']} ms ({one['ok']} requests).")
        if "feedback" in r:
            f = r["feedback"]
            notes.append(f"- feedback marks made {f['marks']}, rows stored {f['stored']}, each stored once: "
                         f"{'yes' if f['stored_once'] else 'NO'}.")
    return ("# Load test\n\n`make load` (= `.venv/bin/python benchmarks/load.py`, and `--signed-in`): concurrent clients "
            "calling the app's API (Gradio queue, concurrency limit 8) on loopback, 2 cores, the shipped corpus. A "
            "signed-in client signs in through the app's own sign-in (argon2), then asks (`/ask`) and marks the first "
            "hit of each answer (`/feedback`); a request is one question with its mark.\n\n"
            "| measured | clients | for | requests | errors | throughput | p50 | p95 | max |\n"
            "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
            "Latency is per request as a client sees it, queueing included: with 50 clients and 2 cores, requests "
            "wait their turn.\n\n" + "\n".join(notes) + "\n")


if __name__ == "__main__":
    main()
