"""Adding, replacing and removing documents (issue 14): checks by content, incremental index, lock, kill."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from indexer import (
    CorpusError,
    DocumentMeta,
    Index,
    IndexBusyError,
    Library,
    ReadOnlyError,
    UploadLimits,
    UploadRefused,
    build_index,
    check_file,
    safe_name,
    write_lock,
)
from indexer.building import pipeline as build_module
from qa import Searcher
from qa.searchers import get_searcher

from .conftest import CORPUS, ROOT, FakeEmbedder

NEW_TEXT = ("Kommunal strategi for grøn omstilling\n\nByrådet vil plante tusind egetræer langs Gudenåen "
            "inden udgangen af 2027, og borgerne inviteres til at vælge stederne.\n")


def _pdf(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _docx(text: str = "Et afsnit om klynger.") -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Lokal klyngepolitik", 1)
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture
def lib(tmp_path: Path, mini_corpus: Path) -> Library:
    emb = FakeEmbedder()
    build_index(mini_corpus, tmp_path / "index", emb, progress=False)
    return Library(mini_corpus, tmp_path / "index", FakeEmbedder())


def _new_file(tmp_path: Path, name: str = "strategi.txt", text: str = NEW_TEXT) -> Path:
    p = tmp_path / "upload" / name
    p.parent.mkdir(exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def _top_doc(index_dir: Path, question: str) -> str:
    return Searcher(index_dir).search(question, k=3).hits[0].passage.doc_id


# ---------------------------------------------------------------- add, replace, remove


def test_add_indexes_only_the_new_document(lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real_read = build_module.read_document
    monkeypatch.setattr(build_module, "read_document", lambda p, *a, **k: read.append(Path(p).name) or real_read(p, *a, **k))
    before = Index.load(lib.index_dir)
    report = lib.add([_new_file(tmp_path)], DocumentMeta(title="Grøn strategi", publisher="Byrådet", date="2025-01-02",
                                                          kind="strategi"))
    assert [c.action for c in report.changes] == ["added"]
    assert read == ["strategi.txt"]  # the other files were not read again
    assert report.build is not None and report.build.embedded == len(Index.load(lib.index_dir).passages) - len(before.passages)
    assert lib.embedder is not None and lib.embedder.calls == report.build.embedded + report.build.windows_embedded  # type: ignore[attr-defined]
    after = Index.load(lib.index_dir)
    doc = after.documents["strategi"]
    assert (doc.title, doc.publisher, doc.date, doc.kind) == ("Grøn strategi", "Byrådet", "2025-01-02", "strategi")
    assert _top_doc(lib.index_dir, "egetræer langs Gudenåen") == "strategi"
    # the other documents' passages are the same objects' data as before
    old = {p.passage_id: p for p in before.passages}
    assert all(old[p.passage_id] == p for p in after.passages if p.doc_id != "strategi")
    toml = (lib.corpus_dir / "documents.toml").read_text(encoding="utf-8")
    assert "Grøn strategi" in toml and "strategi.txt" in toml


def test_two_files_of_one_name_removed_at_once_are_both_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    for folder, body in (("a", "Den første tekst om klynger i kommunen."), ("b", "Den anden tekst om netværk i regionen.")):
        (corpus / folder).mkdir(parents=True)
        (corpus / folder / "x.txt").write_text(body, encoding="utf-8")
    (corpus / "y.txt").write_text("En tredje tekst om erhvervsfremme.", encoding="utf-8")
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    lib = Library(corpus, tmp_path / "index", FakeEmbedder())
    lib.remove([d for d, doc in Index.load(tmp_path / "index").documents.items() if doc.path != "y.txt"])
    kept = sorted(p.read_text(encoding="utf-8") for p in (corpus / ".removed").iterdir())
    assert kept == ["Den anden tekst om netværk i regionen.", "Den første tekst om klynger i kommunen."]


def test_removing_the_last_documents_is_refused_and_moves_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Den første tekst om klynger i kommunen.", encoding="utf-8")
    (corpus / "b.txt").write_text("Den anden tekst om netværk i regionen.", encoding="utf-8")
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    lib = Library(corpus, tmp_path / "index", FakeEmbedder())
    with pytest.raises(CorpusError, match="without a document.*add another document first"):
        lib.remove(["a", "b"])
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt", "b.txt"]
    lib.remove(["a"])  # one of two is fine
    assert list(Index.load(tmp_path / "index").documents) == ["b"]
    with pytest.raises(CorpusError):
        lib.remove(["b"])
    assert list(Index.load(tmp_path / "index").documents) == ["b"]


def test_a_file_s_metadata_is_found_by_its_path_before_a_namesake_s(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "x.txt").write_text("Den første tekst om klynger i kommunen.", encoding="utf-8")
    (corpus / "sub" / "x.txt").write_text("Den anden tekst om netværk i regionen.", encoding="utf-8")
    (corpus / "documents.toml").write_text('["x.txt"]\ntitle = "Øverst"\n\n["sub/x.txt"]\ntitle = "Nede"\n',
                                           encoding="utf-8")
    build_index(corpus, tmp_path / "index", FakeEmbedder(), progress=False)
    titles = {d.path: d.title for d in Index.load(tmp_path / "index").documents.values()}
    assert titles == {"x.txt": "Øverst", "sub/x.txt": "Nede"}
    lib = Library(corpus, tmp_path / "index", FakeEmbedder())
    nested = next(d for d, p in ((d.doc_id, d.path) for d in Index.load(tmp_path / "index").documents.values())
                  if p == "sub/x.txt")
    lib.set_metadata(nested, DocumentMeta(title="Ny titel"))
    titles = {d.path: d.title for d in Index.load(tmp_path / "index").documents.values()}
    assert titles == {"x.txt": "Øverst", "sub/x.txt": "Ny titel"}


def test_a_new_file_whose_id_another_file_gives_is_numbered(lib: Library, tmp_path: Path) -> None:
    (lib.corpus_dir / "Plan B.txt").write_text("Byrådets grønne plan for kommunen.", encoding="utf-8")  # id plan-b
    lib.sync()
    report = lib.add([_new_file(tmp_path, "plan-b.txt")])
    assert report.changes[0].file == "plan-b-2.txt" and report.changes[0].doc_id == "plan-b-2"


def test_a_broken_link_in_the_collection_does_not_stop_an_upload(lib: Library, tmp_path: Path) -> None:
    (lib.corpus_dir / "væk.txt").symlink_to(tmp_path / "findes-ikke.txt")
    report = lib.add([_new_file(tmp_path)])
    assert [c.action for c in report.changes] == ["added"]
    assert report.build is not None and any(s["file"] == "væk.txt" for s in report.build.skipped)
    assert "strategi" in [i.doc_id for i in lib.listing()]


def test_duplicates_are_refused_by_content(lib: Library, tmp_path: Path) -> None:
    same = _new_file(tmp_path, "kopi af roller.md", (lib.corpus_dir / "roller.md").read_text(encoding="utf-8"))
    report = lib.add([same])
    assert [c.action for c in report.changes] == ["duplicate"]
    assert "roller.md" in report.changes[0].reason
    assert report.build is None and not (lib.corpus_dir / "kopi-af-roller.md").exists()
    first = lib.add([_new_file(tmp_path)])
    again = lib.add([_new_file(tmp_path, "andet navn.txt")])
    assert first.changes[0].action == "added" and again.changes[0].action == "duplicate"


def test_replace_puts_the_new_version_in_place(lib: Library, tmp_path: Path) -> None:
    lib.add([_new_file(tmp_path)], DocumentMeta(title="Grøn strategi"))
    assert _top_doc(lib.index_dir, "egetræer langs Gudenåen") == "strategi"
    v2 = _new_file(tmp_path, "strategi-v2.txt", "Kommunal strategi, version 2\n\nByrådet vil i stedet anlægge "
                                                 "cykelstier langs fjorden og lukke biltrafikken i midtbyen.\n")
    report = lib.add([v2], replace="strategi")
    assert [c.action for c in report.changes] == ["replaced"] and report.changes[0].doc_id == "strategi"
    idx = Index.load(lib.index_dir)
    text = idx.documents["strategi"].text
    assert "cykelstier" in text and "egetræer" not in text
    assert not any("egetræer" in p.text for p in idx.passages)
    assert idx.documents["strategi"].title == "Grøn strategi"  # metadata kept with the new version
    assert any(p.name.endswith("strategi.txt") for p in (lib.corpus_dir / ".removed").iterdir())
    # replacing with the same content again changes nothing
    assert lib.add([v2], replace="strategi").changes[0].action == "duplicate"


def test_remove_takes_the_document_out_and_keeps_the_file(lib: Library, tmp_path: Path) -> None:
    lib.add([_new_file(tmp_path)], DocumentMeta(title="Grøn strategi"))
    report = lib.remove(["strategi"])
    assert [c.action for c in report.changes] == ["removed"]
    idx = Index.load(lib.index_dir)
    assert "strategi" not in idx.documents and not any(p.doc_id == "strategi" for p in idx.passages)
    assert "strategi" not in [i.doc_id for i in lib.listing()]
    assert "Grøn strategi" not in (lib.corpus_dir / "documents.toml").read_text(encoding="utf-8")
    assert [p.name[16:] for p in (lib.corpus_dir / ".removed").iterdir()] == ["strategi.txt"]
    with pytest.raises(Exception, match="no document 'strategi'"):
        lib.remove(["strategi"])


def test_metadata_edit_persists_and_keeps_comments(lib: Library) -> None:
    (lib.corpus_dir / "documents.toml").write_text('# vores noter\n["nyhed.txt"]\nkind = "nyhed" # fra hjemmesiden\n',
                                                   encoding="utf-8")
    lib.sync()
    lib.set_metadata("nyhed", DocumentMeta(date="2019-05-01"))
    toml = (lib.corpus_dir / "documents.toml").read_text(encoding="utf-8")
    assert "# vores noter" in toml and 'date = "2019-05-01"' in toml and 'kind = "nyhed"' in toml
    d = Index.load(lib.index_dir).documents["nyhed"]
    assert (d.date, d.kind) == ("2019-05-01", "nyhed")


def test_a_changed_splitter_resplits_everything(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real_read = build_module.read_document
    monkeypatch.setattr(build_module, "read_document", lambda p, *a, **k: read.append(Path(p).name) or real_read(p, *a, **k))
    lib.sync()
    assert read == []  # nothing changed: nothing read
    monkeypatch.setattr(build_module, "reading_fingerprint", lambda: "another-version")
    lib.sync()
    assert sorted(read) == ["nyhed.txt", "roller.md", "side.html"]


def test_read_only_refuses_changes(lib: Library, tmp_path: Path) -> None:
    lib.read_only = True
    with pytest.raises(ReadOnlyError, match="read-only"):
        lib.add([_new_file(tmp_path)])
    with pytest.raises(ReadOnlyError):
        lib.remove(["nyhed"])


# ---------------------------------------------------------------- refused files


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/media/huge.bin", b"\0" * (60 * 2**20))
    return buf.getvalue()


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hej")
    return buf.getvalue()


REFUSED = {
    "empty": ("tom.txt", b"", UploadLimits(), "empty"),
    "binary": ("program.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, UploadLimits(), "binary"),
    "zip": ("arkiv.docx", _plain_zip(), UploadLimits(), "not a Word"),
    "old word": ("gammel.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, UploadLimits(), "old Word"),
    "pdf in name only": ("rapport.pdf", b"Bare tekst, ingen PDF.", UploadLimits(), "named .pdf"),
    "pdf renamed": ("rapport.txt", _pdf(), UploadLimits(), "content is a PDF"),
    "too large": ("stor.txt", b"klynge " * 200_000, UploadLimits(max_bytes=2**20), "too large"),
    "too many pages": ("lang.pdf", _pdf(12), UploadLimits(max_pdf_pages=10), "12 pages"),
    "damaged pdf": ("itu.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, UploadLimits(), "damaged"),
    "zip bomb": ("bombe.docx", _zip_bomb(), UploadLimits(), "zip bomb"),
    "unknown type": ("script.exe", b"echo hej\n", UploadLimits(), ".exe"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_each_refused_kind_says_why(tmp_path: Path, case: str) -> None:
    name, body, limits, reason = REFUSED[case]
    p = tmp_path / name
    p.write_bytes(body)
    with pytest.raises(UploadRefused, match=reason) as info:
        check_file(p, limits)
    assert info.value.path == name  # the message names the file


def test_refused_files_leave_the_collection_untouched(lib: Library, tmp_path: Path) -> None:
    files = []
    for case in ("binary", "pdf in name only", "zip bomb"):
        name, body, _limits, _reason = REFUSED[case]
        files.append(tmp_path / name)
        files[-1].write_bytes(body)
    before = sorted(p.name for p in lib.corpus_dir.iterdir())
    report = lib.add([*files, _new_file(tmp_path)])
    assert [c.action for c in report.changes] == ["refused", "refused", "refused", "added"]
    assert sorted(p.name for p in lib.corpus_dir.iterdir()) == sorted([*before, "strategi.txt"])  # no metadata given


def test_an_unreadable_pdf_is_taken_out_again(lib: Library, tmp_path: Path) -> None:
    scan = tmp_path / "scannet.pdf"
    scan.write_bytes(_pdf(2))  # passes the checks, but blank: no text layer, nothing for OCR to read
    report = lib.add([scan])
    assert report.changes[0].action == "refused" and any(w in report.changes[0].reason for w in ("no text found", "need OCR"))
    assert not (lib.corpus_dir / "scannet.pdf").exists()


def test_word_and_pdf_are_accepted_by_content(tmp_path: Path) -> None:
    (tmp_path / "notat.docx").write_bytes(_docx())
    (tmp_path / "notat uden endelse").write_bytes(_docx())
    assert check_file(tmp_path / "notat.docx").kind == ".docx"
    assert check_file(tmp_path / "notat uden endelse").name == "notat-uden-endelse.docx"
    (tmp_path / "side.htm").write_text("<p>Et <b>fragment</b></p>", encoding="utf-8")
    assert check_file(tmp_path / "side.htm").kind == ".html"


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"), ("..\\..\\windows\\x.txt", "x.txt"), (".skjult.txt", "skjult.txt"),
    ("Klyngestrategi æøå 2024.PDF", "Klyngestrategi-aeoeaa-2024.pdf"), ("", "dokument"), ("....", "dokument"),
    ("a" * 300 + ".txt", "a" * 110 + ".txt"),
])
def test_names_are_sanitised(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_a_hostile_name_lands_inside_the_folder(lib: Library, tmp_path: Path) -> None:
    src = _new_file(tmp_path)
    report = lib.add([(src, "../../../../tmp/ude.txt")])
    assert report.changes[0].file == "ude.txt" and (lib.corpus_dir / "ude.txt").exists()


# ---------------------------------------------------------------- concurrency, lock, kill


def test_adds_and_removes_while_searching(lib: Library, tmp_path: Path) -> None:
    s = get_searcher(lib.index_dir)
    assert "strategi" not in s.documents
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                assert get_searcher(lib.index_dir).search("klynger", k=3).hits
            except BaseException as exc:  # noqa: BLE001 - any failure of a reader fails the test
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(3):
            lib.add([_new_file(tmp_path, f"strategi{i}.txt", NEW_TEXT.replace("2027", str(2030 + i)))])
        lib.remove(["strategi1"])
    finally:
        done.set()
        for t in threads:
            t.join()
    assert not errors
    docs = get_searcher(lib.index_dir).documents  # picked up without a restart or an explicit reload
    assert "strategi0" in docs and "strategi2" in docs and "strategi1" not in docs


def test_one_writer_at_a_time(lib: Library, tmp_path: Path) -> None:
    script = ("import sys, time; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
              "from indexer import write_lock\nwith write_lock(Path(sys.argv[2])):\n print('held', flush=True); time.sleep(30)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(ROOT), str(lib.index_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        lib.lock_timeout = 0.5
        told: list[bool] = []
        lib.waiting = lambda: told.append(True)
        with pytest.raises(IndexBusyError, match="another klynge process"):
            lib.add([_new_file(tmp_path)])
        assert told == [True]
        assert not (lib.corpus_dir / "strategi.txt").exists()  # nothing changed while waiting
    finally:
        proc.kill()
        proc.wait()
    with write_lock(lib.index_dir, timeout=5):  # a killed holder's lock is free again
        pass


def test_a_build_waits_for_the_writer_before_it_and_may_take_its_own_lock_again(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Den første tekst om klynger i kommunen.", encoding="utf-8")
    index_dir = tmp_path / "index"
    held, released = threading.Event(), []

    def other_writer() -> None:
        with write_lock(index_dir):
            held.set()
            time.sleep(0.5)
            released.append(time.time())

    t = threading.Thread(target=other_writer)
    t.start()
    held.wait(5)
    build_index(corpus, index_dir, FakeEmbedder(), progress=False)
    finished = time.time()
    t.join()
    assert released and finished >= released[0]  # it waited for the other writer
    with write_lock(index_dir, timeout=0.1):  # a writer holding the lock builds without waiting on itself
        build_index(corpus, index_dir, FakeEmbedder(), progress=False)


SLOW_ADD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.fake_embedder import FakeEmbedder
from indexer import Library

class Slow(FakeEmbedder):
    def embed_batch(self, texts, *, query=False):
        print("embedding", flush=True)
        time.sleep(0.5)
        return super().embed_batch(texts, query=query)

Library(Path(sys.argv[1]), Path(sys.argv[2]), Slow()).add([Path(sys.argv[3])])
"""


def test_a_kill_during_an_add_leaves_the_old_index_and_the_next_build_catches_up(lib: Library, tmp_path: Path) -> None:
    before = Index.load(lib.index_dir)
    big = _new_file(tmp_path, "stor.txt", "\n\n".join(f"Afsnit {i}: {NEW_TEXT}" for i in range(200)))
    proc = subprocess.Popen([sys.executable, "-c", SLOW_ADD.format(root=str(ROOT)), str(lib.corpus_dir), str(lib.index_dir),
                             str(big)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "embedding"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    idx = Index.load(lib.index_dir)  # whole, and the old one
    assert idx.manifest["passage_keys"] == before.manifest["passage_keys"]
    assert Searcher(idx).search("klynger", k=3).hits
    listed = {i.file: i.status for i in lib.listing()}
    assert listed["stor.txt"] == "not indexed yet"
    report = lib.sync()  # the next build indexes it
    assert "stor" in Index.load(lib.index_dir).documents and report.embedded > 0


# ---------------------------------------------------------------- command line and watching


def test_cli_add_documents_remove(tmp_path: Path, mini_index: Path, mini_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qa.cli import main

    new = _new_file(tmp_path)
    args = ["--index-dir", str(mini_index)]
    assert main(["add", str(new), "--title", "Grøn strategi", "--date", "2025", "--kind", "strategi", *args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changes"][0]["action"] == "added" and out["build"]["embedded"] > 0
    assert (mini_corpus / "strategi.txt").exists()  # the index's own folder, found from its manifest
    assert main(["documents", *args, "--json"]) == 0
    listed = {d["doc_id"]: d for d in json.loads(capsys.readouterr().out)}
    assert listed["strategi"]["title"] == "Grøn strategi" and listed["strategi"]["status"] == "indexed"
    assert main(["add", str(new), *args]) == 1  # a duplicate: nothing added
    assert "already in the collection" in capsys.readouterr().err
    assert main(["add", str(new), "--date", "i går", *args]) == 2
    assert "--date" in capsys.readouterr().err
    assert main(["edit", "strategi", "--publisher", "Byrådet", *args]) == 0
    assert Index.load(mini_index).documents["strategi"].publisher == "Byrådet"
    assert main(["edit", "strategi", *args]) == 2  # nothing to change
    capsys.readouterr()
    assert main(["remove", "strategi", *args]) == 0
    assert main(["remove", "findes-ikke", *args]) == 1
    assert "no document 'findes-ikke'" in capsys.readouterr().err


def test_watch_follows_the_folder(tmp_path: Path, mini_index: Path, mini_corpus: Path) -> None:
    from indexer.library.watch import watch

    lib = Library(mini_corpus, mini_index, FakeEmbedder())
    builds: list[int] = []
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(lib,), kwargs={"on_build": lambda r: builds.append(len(r.documents)),
                                                            "poll": True, "stop": stop, "poll_seconds": 0.2})
    t.start()
    try:
        deadline = time.time() + 30
        while not builds and time.time() < deadline:
            time.sleep(0.05)
        (mini_corpus / "ny.txt").write_text(NEW_TEXT, encoding="utf-8")
        while len(builds) < 2 and time.time() < deadline:
            time.sleep(0.1)
        (mini_corpus / ".skjult.txt").write_text("ignoreres", encoding="utf-8")
        time.sleep(1.0)
    finally:
        stop.set()
        t.join(10)
    assert builds == [3, 4]
    assert "ny" in Index.load(mini_index).documents


def test_shipped_corpus_add_remove_round_trip(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    import shutil

    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "idx", FakeEmbedder(), progress=False)
    before = Index.load(tmp_path / "idx")
    lib = Library(corpus, tmp_path / "idx", FakeEmbedder())
    lib.add([_new_file(tmp_path)])
    lib.remove(["strategi"])
    after = Index.load(tmp_path / "idx")
    assert after.manifest["passage_keys"] == before.manifest["passage_keys"]
    assert {d: x.title for d, x in after.documents.items()} == {d: x.title for d, x in before.documents.items()}
