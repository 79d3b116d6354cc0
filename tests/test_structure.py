"""The architecture's promises: no import cycle, one error tree, ranking driven by its config, the
shared rules (min-max, quote folding) behaving as documented, thread safety, immutable results."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qa
from indexer import CorpusError, KlyngeError, build_index
from indexer.reading.clean import fold_for_match, normalize_for_match
from indexer.reading.readers import READERS, SUPPORTED
from indexer.store.scores import minmax
from qa import DEFAULT_CONFIG, FusionWeights, RankingConfig, Searcher, UsageError
from qa.cli import main
from qa.gates import load_gates

from .conftest import ROOT, FakeEmbedder


def test_the_app_does_not_import_the_cli() -> None:
    code = "import sys, ui; assert 'qa.cli' not in sys.modules, 'ui imports qa.cli'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_every_error_is_a_klynge_error_exported_and_documented() -> None:
    import inspect

    import indexer.errors
    import qa.errors

    defined = {n: c for m in (indexer.errors, qa.errors) for n, c in vars(m).items()
               if inspect.isclass(c) and issubclass(c, Exception) and c.__module__ == m.__name__}
    exported = {n for m in (indexer, qa) for n in m.__all__ if inspect.isclass(getattr(m, n))
                and issubclass(getattr(m, n), Exception)}
    assert set(defined) == exported  # every error defined is exported, and nothing else is
    assert all(issubclass(c, KlyngeError) for c in defined.values())
    tree = indexer.errors.__doc__ or ""
    assert [n for n in defined if f" {n} " not in tree] == []  # each one in the documented tree


def test_missing_corpus_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no-such-folder"):
        build_index(tmp_path / "no-such-folder", tmp_path / "idx", FakeEmbedder(), progress=False)


@pytest.mark.parametrize(("argv", "code", "says"), [
    (["ask", "klynger", "--year", "toogtyve"], 2, "--year 'toogtyve' is not a year"),
    (["eval", "QUESTIONS", "--fail-under", "recall@5"], 2, "METRIC=VALUE"),
    (["eval", "QUESTIONS", "--report", "r.pdf"], 2, ".html, .md, .csv or .json"),
    (["eval"], 2, "--gates"),
    (["eval", "no-such-file.jsonl"], 1, "does not exist"),
])
def test_usage_mistakes_exit_2_and_name_the_value(mini_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  argv: list[str], code: int, says: str) -> None:
    qs = tmp_path / "q.jsonl"
    qs.write_text('{"id": "1", "question": "Hvem har ansvaret?", "expected": ["ansvar"]}\n', encoding="utf-8")
    argv = [str(qs) if a == "QUESTIONS" else str(tmp_path / a) if a == "r.pdf" else a for a in argv]
    assert main([*argv, "--index-dir", str(mini_index)]) == code
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err


def test_config_is_frozen_and_recorded_in_eval_reports(mini_index: Path, tmp_path: Path) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_CONFIG.year_prior = 0.5  # type: ignore[misc]
    qs = tmp_path / "q.jsonl"
    qs.write_text('{"id": "1", "question": "Hvem har ansvaret?", "expected": ["ansvar"]}\n', encoding="utf-8")
    config = dataclasses.replace(DEFAULT_CONFIG, list_boost=0.0)
    report = qa.evaluate(Searcher(mini_index, config=config), qa.load_questions(qs))
    assert report["config"]["list_boost"] == 0.0 and report["config"]["weights"]["da"]["lexical"] == 0.8


def test_fusion_weights_come_from_the_config(shipped_fake_index: Path) -> None:
    dense_only = RankingConfig(weights={"da": FusionWeights(1.0, 0.0, 0.0), "en": FusionWeights(1.0, 0.0, 0.0)},
                               year_prior=0.0, list_boost=0.0, size_prior=0.0, document_lexical=0.0)
    lexical_only = dataclasses.replace(dense_only, weights={"da": FusionWeights(0.0, 1.0, 0.0)})
    q = "Hvem har ansvaret for world class klynger?"
    d = Searcher(shipped_fake_index, config=dense_only).search(q, k=8).hits
    lx = Searcher(shipped_fake_index, config=lexical_only).search(q, k=8).hits
    assert [h.dense for h in d] == sorted((h.dense for h in d), reverse=True)
    assert [h.lexical for h in lx] == sorted((h.lexical for h in lx), reverse=True)
    assert [h.passage.passage_id for h in d] != [h.passage.passage_id for h in lx]


def test_results_are_immutable(shipped_fake_index: Path) -> None:
    res = Searcher(shipped_fake_index).search("klynger", k=3)
    assert isinstance(res.hits, tuple) and set(res.timings) == {"embed", "rank", "check"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.answered = False  # type: ignore[misc]


def test_a_searcher_can_be_shared_between_threads(shipped_fake_index: Path) -> None:
    s = Searcher(shipped_fake_index)
    questions = ["Hvem støtter spirende klynger?", "who supports emerging clusters?", "Hvad er klyngestrategi 2.0?",
                 "Hvilke fem indsatsområder?", "What is the 2013 strategy about?"]
    expected = {q: [h.passage.passage_id for h in s.search(q, k=5).hits] for q in questions}
    got: list[tuple[str, list[str]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for q in questions * 4:
                got.append((q, [h.passage.passage_id for h in s.search(q, k=5).hits]))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(got) == 4 * 4 * len(questions)
    assert all(ids == expected[q] for q, ids in got)


def test_minmax_on_constant_and_empty_scores() -> None:
    assert minmax(np.array([2.0, 2.0])).tolist() == [1.0, 1.0]  # every item matched equally
    assert minmax(np.array([0.0, 0.0])).tolist() == [0.0, 0.0]  # nothing matched
    assert minmax(np.array([1.0, 3.0, 2.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([])).size == 0


def test_quote_folding_joins_hyphenation_but_not_suspended_compounds() -> None:
    assert fold_for_match("Er-\nhvervsliv “og” Vækst- og udvikling").text == "erhvervsliv og vækst- og udvikling"
    assert normalize_for_match("Klynge-\n organisationer") == normalize_for_match("klyngeorganisationer")
    assert normalize_for_match("**Klynge** <i>og</i>  ”netværk”") == "klynge og netværk"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcæøå ABC-\n“”'.,0")), max_size=80))
def test_quote_folding_offsets_point_into_the_text(text: str) -> None:
    fd = fold_for_match(text)
    folded, pos = fd.text, fd.offsets
    assert len(folded) == len(pos) and pos == sorted(pos)
    for ch, i in zip(folded, pos, strict=True):
        assert ch == " " if text[i].isspace() else ch in (text[i].lower(), "-")


def test_every_supported_suffix_has_a_reader() -> None:
    assert set(SUPPORTED) == set(READERS) >= {".txt", ".md", ".html", ".pdf", ".docx"}


def test_gates_file_is_read_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "g.toml").write_text('[a]\nquestions = "sets/a.jsonl"\nfail_under = ["recall@5=0.9"]\n', encoding="utf-8")
    (g,) = load_gates(tmp_path / "g.toml")
    assert g.questions == (tmp_path / "sets" / "a.jsonl").resolve() and g.fail_under == ("recall@5=0.9",)
    (tmp_path / "bad.toml").write_text('[a]\nfail_under = "recall@5=0.9"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"\[a\] needs questions"):
        load_gates(tmp_path / "bad.toml")
    with pytest.raises(UsageError, match="does not exist"):
        load_gates(tmp_path / "none.toml")


def test_the_performance_page_is_generated_from_the_results() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "report.py"), "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr  # docs/performance.md: run benchmarks/report.py


def test_calibrate_writes_only_the_models_asked_for() -> None:
    """benchmarks/calibrate.py --write-only CALIBRATED:da replaces that model's line and keeps the others."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "benchmarks" / "calibrate.py")
    assert spec is not None and spec.loader is not None
    calibrate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(calibrate)
    text = ('A = 1\nCALIBRATED: dict[str, LogisticModel] = {\n    "da": OLD_DA,\n    "en": OLD_EN,\n}\n'
            'CALIBRATED_QUICK: dict[str, LogisticModel] = {\n    "da": Q_DA,\n    "en": Q_EN,\n}\n')
    fitted = 'CALIBRATED: dict[str, LogisticModel] = {\n    "da": NEW_DA,\n    "en": NEW_EN,\n}\n'
    once = calibrate._merge(text, "CALIBRATED", fitted, ["da"])
    assert '"da": NEW_DA' in once and '"en": OLD_EN' in once and '"da": Q_DA' in once
    assert calibrate._merge(text, "CALIBRATED", fitted, ["da", "en"]).count("NEW_") == 2
    with pytest.raises(SystemExit, match="'fr'"):
        calibrate._merge(text, "CALIBRATED", fitted, ["fr"])
