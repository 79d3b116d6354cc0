"""Reliability: a corpus of bad documents, killed rebuilds, hostile input, path traversal."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, build_index
from qa import Searcher

from .conftest import CORPUS, ROOT, FakeEmbedder, write_corpus


def _pdf_bytes(text_pages: list[str] | None = None, encrypt: str | None = None) -> bytes:
    """A small PDF made with pypdf: blank pages (like a scan without text layer), optionally encrypted."""
    import io

    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in text_pages or [""]:
        w.add_blank_page(width=595, height=842)
    if encrypt:
        w.encrypt(user_password=encrypt, owner_password=encrypt)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad") / "corpus"
    good_text = (CORPUS / "de-danske-klynger.txt").read_text(encoding="utf-8")
    write_corpus(root, {
        "god tekst æøå.txt": good_text,
        "kopi af god tekst.txt": good_text,  # the same document under another name
        "tom.txt": "",
        "binær.txt": bytes(range(256)) * 40,
        "dansk-cp1252.txt": "Kommunerne støtter spirende klynger på Ærø.\n\nFødevarer og grøn omstilling.".encode("cp1252"),
        "afkortet.pdf": (CORPUS / "klyngestrategi-2.0-2016-2018.pdf").read_bytes()[:20000],
        "krypteret.pdf": _pdf_bytes(["x"], encrypt="hemmelig"),
        "scannet.pdf": _pdf_bytes(["", ""]),
        "ulæselig.txt": "hemmelig tekst",
    })
    (root / "god.pdf").write_bytes((CORPUS / "roller-ansvar-principper-klyngeindsatsen-2013.pdf").read_bytes())
    os.chmod(root / "ulæselig.txt", 0)
    loop = root / "loop"
    loop.mkdir()
    os.symlink(loop, loop / "self")  # a symlink loop
    os.symlink(root / "findes-ikke.txt", root / "brudt-link.txt")
    return root


def test_bad_documents_are_reported_once_and_good_ones_indexed(tmp_path: Path, bad_corpus: Path) -> None:
    report = build_index(bad_corpus, tmp_path / "idx", FakeEmbedder(), progress=False)
    indexed = sorted(d["file"] for d in report.documents)
    readable_by_root = ["ulæselig.txt"] if os.geteuid() == 0 else []  # root reads a chmod 0 file
    assert indexed == sorted(["dansk-cp1252.txt", "god tekst æøå.txt", "god.pdf", *readable_by_root])
    reasons = {s["file"]: s["reason"] for s in report.skipped}
    assert len(report.skipped) == len(reasons)  # each problem reported once
    assert "empty" in reasons["tom.txt"]
    assert "binary" in reasons["binær.txt"]
    assert "truncated" in reasons["afkortet.pdf"] or "damaged" in reasons["afkortet.pdf"]
    assert "encrypted" in reasons["krypteret.pdf"]
    assert "OCR" in reasons["scannet.pdf"]
    assert "symbolic link" in reasons["brudt-link.txt"]
    if os.geteuid() != 0:  # root reads any file
        assert "permission" in reasons["ulæselig.txt"]
    assert [d["file"] for d in report.duplicates] == ["kopi af god tekst.txt"]
    idx = Index.load(tmp_path / "idx")
    assert "Ærø" in idx.documents["dansk-cp1252"].text


def test_cli_json_lists_skipped_files_with_warning_count(tmp_path: Path, bad_corpus: Path, capsys) -> None:
    from qa.cli import main

    code = main(["index", "--corpus", str(bad_corpus), "--index-dir", str(tmp_path / "i"), "--embedder", "fake", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["n_documents"] == (4 if os.geteuid() == 0 else 3)
    assert {s["file"] for s in data["skipped"]} >= {"tom.txt", "binær.txt", "krypteret.pdf", "scannet.pdf"}
    code = main(["index", "--corpus", str(bad_corpus), "--index-dir", str(tmp_path / "i"), "--embedder", "fake"])
    _, err = capsys.readouterr()
    assert code == 0 and "file(s) skipped" in err


# a build that kills itself at a chosen step: just before its n-th rename of the index folder or its
# siblings (``os.replace``: the steps of the atomic swap), or in its first embedding batch (n = 0)
KILL_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.fake_embedder import FakeEmbedder
from indexer import build_index
n, calls, replace = int(sys.argv[3]), [0], os.replace
def kill(*a, **k):
    calls[0] += Path(a[0]).name.startswith(Path(sys.argv[2]).name)
    if calls[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    return replace(*a, **k)
os.replace = kill
class Dying(FakeEmbedder):
    def embed_batch(self, texts, *a, **k):
        if n == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().embed_batch(texts, *a, **k)
build_index(Path(sys.argv[1]), Path(sys.argv[2]), Dying(), progress=False)
"""


def test_killed_rebuilds_leave_the_previous_index_answering(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", {f"doc{i}.txt": f"Klynge nummer {i} støtter virksomheder. " * 300 for i in range(30)})
    out = tmp_path / "idx"
    build_index(corpus, out, FakeEmbedder(), progress=False)
    before = [h.passage.passage_id for h in Searcher(out).search("klynge nummer 7", k=5).hits]
    (corpus / "doc0.txt").write_text("Ændret indhold. " * 500, encoding="utf-8")
    build_index(corpus, tmp_path / "reference", FakeEmbedder(), progress=False)  # what a completed rebuild gives
    rebuilt = [h.passage.passage_id for h in Searcher(tmp_path / "reference").search("klynge nummer 7", k=5).hits]
    script = KILL_SCRIPT.format(root=str(ROOT))
    killed_at = []
    for n in range(50):  # every step until a build gets through
        code = subprocess.run([sys.executable, "-c", script, str(corpus), str(out), str(n)], timeout=300).returncode
        idx = Index.load(out)  # loads, whole
        after = [h.passage.passage_id for h in Searcher(idx).search("klynge nummer 7", k=5).hits]
        # either the old index, whole, or a completed new one: never a mixture
        assert after == (rebuilt if "Ændret" in idx.documents["doc0"].text else before), f"killed at step {n}"
        if code == 0:
            break
        assert code == -signal.SIGKILL
        killed_at.append(n)
    # killed while embedding and at each rename of the swap (the old index moved aside, the new moved in)
    assert killed_at[:3] == [0, 1, 2], killed_at
    # the next build cleans up what the killed ones left behind
    build_index(corpus, out, FakeEmbedder(), progress=False)
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_readers_keep_answering_during_a_rebuild(tmp_path: Path) -> None:
    import threading

    corpus = write_corpus(tmp_path / "c", {f"d{i}.txt": f"Tekst {i} om klynger og netværk. " * 50 for i in range(20)})
    out = tmp_path / "idx"
    build_index(corpus, out, FakeEmbedder(), progress=False)
    s = Searcher(out)
    errors: list[BaseException] = []
    answered = threading.Event()  # set after each search the reader completes
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                assert s.search("klynger og netværk", k=3).hits
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            answered.set()

    class Waiting(FakeEmbedder):
        """Each embedding batch of the rebuild waits for a search the reader completes meanwhile."""

        batches = 0

        def embed_batch(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
            answered.clear()
            assert answered.wait(timeout=60), "the reader answered nothing during the rebuild"
            self.batches += 1
            return super().embed_batch(texts, query=query)

    t = threading.Thread(target=reader)
    t.start()
    (corpus / "ny.txt").write_text("Helt ny tekst om klynger.", encoding="utf-8")
    embedder = Waiting()
    try:
        build_index(corpus, out, embedder, progress=False)
    finally:
        done.set()
        t.join()
    assert embedder.batches >= 1 and not errors  # searches ran while the rebuild was under way, all answered
    from qa import get_searcher, reload_searcher

    before = get_searcher(out)
    again = reload_searcher(out)
    assert "ny" in again.documents and again is not before  # an explicit reload loads the index again ...
    assert again.embedder is before.embedder  # ... and keeps the model it has (no second load of the weights)


@pytest.mark.parametrize("doc_id", ["../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd",
                                    "%2e%2e/%2e%2e/etc/passwd", "roller/../../x", "C:\\Windows\\win.ini"])
def test_document_view_refuses_paths(shipped_fake_index: Path, doc_id: str) -> None:
    import ui

    html = ui.render_document(Searcher(shipped_fake_index), doc_id)
    assert "findes ikke" in html and "root:" not in html


def test_stale_offsets_mark_nothing_in_the_document_view(shipped_fake_index: Path) -> None:
    """A card's offsets from before the document was replaced may run past its text: nothing is marked, rather
    than everything after ``start``; offsets inside it mark that stretch and scroll to it."""
    import ui

    searcher = Searcher(shipped_fake_index)
    doc = next(d for d in searcher.documents.values() if len(d.page_starts) > 1)  # a PDF: cut at its pages
    stale = ui.render_document(searcher, doc.doc_id, 5, len(doc.text) + 500)
    assert "<mark" not in stale and "klynge-selected" not in stale
    inside = ui.render_document(searcher, doc.doc_id, 5, 40)
    assert inside.count("id='klynge-selected'") == 1


# peak memory of the child itself (VmHWM): ru_maxrss after fork + exec can carry pytest's own peak
LARGE_SCRIPT = """
import re, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.fake_embedder import FakeEmbedder
from indexer import build_index
t = time.time()
r = build_index(Path(sys.argv[1]), Path(sys.argv[2]), FakeEmbedder(), progress=False)
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
print(r.passages, len(r.skipped), round(time.time() - t, 1), peak_kb // 1024)
"""


@pytest.mark.slow
def test_very_large_text_file_is_indexed_with_bounded_memory(tmp_path: Path) -> None:
    """A 50 MB text file: indexed, and the build's peak memory stays within a fixed multiple of it."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    words = (CORPUS / "de-danske-klynger.txt").read_text(encoding="utf-8").split()
    rng = random.Random(0)
    size = 0
    with (corpus / "stor fil.txt").open("w", encoding="utf-8") as f:
        i = 0
        while size < 50 * 2**20:
            para = f"Afsnit {i}. " + " ".join(rng.choice(words) for _ in range(120)) + "\n\n"
            f.write(para)
            size += len(para.encode())
            i += 1
    out = subprocess.run([sys.executable, "-c", LARGE_SCRIPT.format(root=str(ROOT)), str(corpus), str(tmp_path / "idx")],
                         capture_output=True, text=True, check=True, timeout=1200)
    passages, skipped, seconds, peak_mb = out.stdout.split()
    assert int(passages) > 40_000 and int(skipped) == 0
    assert int(peak_mb) < 2500, f"peak RSS {peak_mb} MB for a 50 MB file"
    print(f"50 MB text file: {passages} passages in {seconds} s, peak RSS {peak_mb} MB")
