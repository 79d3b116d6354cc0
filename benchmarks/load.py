"""Load test: N concurrent clients drive the running app's API (/ask) for a fixed time.

    python benchmarks/load.py                      # starts the app on a free loopback port, 50 clients, 60 s
    python benchmarks/load.py --url http://127.0.0.1:7860/ --clients 50 --seconds 60

Loopback only; bounded in time (--seconds) and count (--max-requests); stops by itself.
Writes docs/load.md and benchmarks/load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
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


def run(base: str, clients: int, seconds: float, max_requests: int) -> dict:
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    count = [0]

    def worker(i: int) -> None:
        with httpx.Client(timeout=30) as c:
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
            "max_ms": round(float(a.max()), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running app (default: start one on a free loopback port)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=50_000)
    ap.add_argument("--no-write", action="store_true", help="do not write docs/load.md")
    args = ap.parse_args()
    proc = None
    base = args.url
    if not base:
        port = _free_port()
        env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
        proc = subprocess.Popen([sys.executable, str(ROOT / "ui.py"), "--port", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/"
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(base, timeout=2):
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    proc.kill()
                    raise SystemExit("the app did not start") from None
                time.sleep(0.5)
    base = base if base.endswith("/") else base + "/"
    _check_loopback(base)
    try:
        with httpx.Client(timeout=30) as c:  # warm up
            ask(c, base, QUESTIONS[0])
        single = run(base, 1, min(15.0, args.seconds), args.max_requests)  # one user: the time of one question
        res = run(base, args.clients, args.seconds, args.max_requests)
        res["single_client"] = single
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)
    res["date"] = time.strftime("%Y-%m-%d %H:%M")
    res["concurrency_limit"] = int(os.environ.get("KLYNGE_CONCURRENCY", "8"))
    print(json.dumps(res, indent=2))
    if not args.no_write:
        (ROOT / "benchmarks" / "load.json").write_text(json.dumps(res, indent=2) + "\n")
        (ROOT / "docs" / "load.md").write_text(
            "# Load test\n\n"
            f"Measured {res['date']} with `make load` (= `.venv/bin/python benchmarks/load.py`): {res['clients']} concurrent "
            f"clients calling the app's `/ask` API (Gradio queue, concurrency limit {res['concurrency_limit']}) for "
            f"{res['seconds']} s on loopback, 2 cores, the shipped corpus.\n\n"
            "| requests | errors | throughput | p50 | p95 | max |\n|---|---|---|---|---|---|\n"
            f"| {res['requests']} | {res['errors']} | {res['throughput_rps']} req/s | {res['p50_ms']} ms | "
            f"{res['p95_ms']} ms | {res['max_ms']} ms |\n\n"
            "Latency here is per request as a client sees it, queueing included: with 50 clients and 2 cores, "
            "requests wait their turn.\n\n"
            f"One client alone (the time a person waits for one question over HTTP, search + rendering of the JSON): "
            f"p50 {single['p50_ms']} ms, p95 {single['p95_ms']} ms, {single['ok']} requests in {single['seconds']} s, "
            f"{single['errors']} errors.\n", encoding="utf-8")


if __name__ == "__main__":
    main()
