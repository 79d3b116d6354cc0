"""The `klynge` command in-process: exit codes, JSON shapes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.cli import main

from .conftest import DEV_QUESTIONS, write_corpus


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_reports_broken_file_and_indexes_the_rest(tmp_path: Path, capsys) -> None:
    corpus = write_corpus(tmp_path / "c", {"god.txt": "Klynger og netværk.", "ødelagt.pdf": b"%PDF-1.4 broken",
                                           "fil med æøå.txt": "Endnu en tekst om klynger."})
    code, out, err = run(capsys, "index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "i"), "--embedder", "fake")
    assert code == 0
    assert "Indexed 2 documents" in out and "ødelagt.pdf" in err
    code, out, _ = run(capsys, "index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "i"), "--embedder", "fake", "--json")
    data = json.loads(out)
    assert code == 0 and data["n_documents"] == 2 and data["embedded"] == 0 and data["reused"] == data["passages"]
    assert data["skipped"][0]["file"] == "ødelagt.pdf"


def test_index_with_nothing_indexable_exits_1(tmp_path: Path, capsys) -> None:
    corpus = write_corpus(tmp_path / "c", {"tom.txt": ""})
    code, _, err = run(capsys, "index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "i"), "--embedder", "fake")
    assert code == 1 and "no document could be indexed" in err


def test_ask_json_shape(mini_index: Path, capsys) -> None:
    code, out, _ = run(capsys, "ask", "Hvem", "støtter", "spirende", "klynger?", "--index-dir", str(mini_index), "--json", "-k", "2")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"question", "lang", "answered", "confidence", "unmentioned", "now_unmentioned",
                         "absent_provision", "respelled", "hits"}
    assert data["question"] == "Hvem støtter spirende klynger?" and data["lang"] == "da"
    assert len(data["hits"]) <= 2 and data["hits"][0]["doc_id"] == "roller"


def test_ask_says_a_doubt_as_the_app_does_and_still_shows_the_closest_passages(mini_index: Path, capsys) -> None:
    question = ("Hvor mange elefanter bor der i Roskilde Zoo i dag?", "--index-dir", str(mini_index), "-k", "2")
    data = json.loads(run(capsys, "ask", *question, "--json")[1])
    assert not data["answered"] and data["hits"]  # an off-topic question over the cluster texts
    code, out, _ = run(capsys, "ask", *question)
    first = out.splitlines()[0]
    assert code == 0 and first.startswith("Dokumenterne besvarer måske ikke spørgsmålet / the documents may not answer")
    assert first.endswith("Closest passages:") and "\n1. " in out
    code, out, _ = run(capsys, "ask", *question, "--format", "md")
    assert out.startswith("<!-- Dokumenterne besvarer måske ikke spørgsmålet") and "> " in out


def test_ask_and_eval_without_the_answer_check(mini_index: Path, tmp_path: Path, capsys) -> None:
    question = ("Hvem", "støtter", "spirende", "klynger?", "--index-dir", str(mini_index), "--json")
    checked = json.loads(run(capsys, "ask", *question)[1])
    code, out, _ = run(capsys, "ask", *question, "--no-answer-check")
    quick = json.loads(out)
    assert code == 0 and [h["passage_id"] for h in quick["hits"]] == [h["passage_id"] for h in checked["hits"]]
    assert quick["confidence"] != checked["confidence"]  # the same ranking, judged by the quick models
    qs = tmp_path / "q.jsonl"
    qs.write_text(json.dumps({"id": "q1", "question": "Hvem støtter spirende klynger?", "expected": ["spirende"]}) + "\n",
                  encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(qs), "--index-dir", str(mini_index), "--json", "--no-answer-check")
    assert code == 0 and json.loads(out)["questions"][0]["confidence"] == pytest.approx(quick["confidence"], abs=1e-3)


def test_serve_settings_stay_with_the_index_directory(mini_index: Path) -> None:
    from qa.config import DEFAULT_CONFIG
    from qa.searchers import get_searcher

    quick = DEFAULT_CONFIG.without_answer_check()
    try:
        assert get_searcher(mini_index, quick).config == quick
        assert get_searcher(mini_index).config == quick  # what `klynge serve --no-answer-check` relies on
    finally:
        assert get_searcher(mini_index, DEFAULT_CONFIG).config == DEFAULT_CONFIG


def test_ask_text_output(mini_index: Path, capsys) -> None:
    code, out, _ = run(capsys, "ask", "grundfinansiering", "--index-dir", str(mini_index))
    assert code == 0 and "1." in out and "Finansiering" in out


def test_ask_says_what_it_searched_for_when_it_respelled(mini_index: Path, capsys) -> None:
    code, out, _ = run(capsys, "ask", "hvem har det primaere ansvar", "--index-dir", str(mini_index))
    assert code == 0 and "Søgte efter: primære (primaere) / Searched for: primære (primaere)" in out
    data = json.loads(run(capsys, "ask", "hvem har det primaere ansvar", "--index-dir", str(mini_index), "--json")[1])
    assert data["question"] == "hvem har det primaere ansvar"
    assert data["respelled"] == [{"typed": "primaere", "searched": "primære"}]


def test_ask_empty_question_exits_2(mini_index: Path, capsys) -> None:
    code, _, err = run(capsys, "ask", "   ", "--index-dir", str(mini_index))
    assert code == 2 and "empty" in err


def test_ask_without_index_exits_1(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "ask", "hej", "--index-dir", str(tmp_path / "none"))
    assert code == 1 and "klynge index" in err and "Traceback" not in err


def test_ask_unknown_doc_filter(mini_index: Path, capsys) -> None:
    code, _, err = run(capsys, "ask", "klynger", "--doc", "nope", "--index-dir", str(mini_index))
    assert code == 2 and "nope" in err


def test_ask_within_kinds_or_years_no_document_has_says_so(mini_index: Path, capsys) -> None:
    """Not "the documents may not answer this" over no passages: the filter matched no document."""
    for option, value in (("--kind", "nope"), ("--year", "1999")):
        code, _, err = run(capsys, "ask", "klynger", option, value, "--index-dir", str(mini_index))
        assert code == 2 and f"no document in the index matches {option[2:]} {value}" in err, (option, err)


def test_a_count_of_hits_below_one_is_refused(mini_index: Path, capsys) -> None:
    for command, value in (("ask", "0"), ("ask", "-3"), ("cite", "0"), ("eval", "zero")):
        with pytest.raises(SystemExit) as exc:
            main([command, "klynger", "-k", value, "--index-dir", str(mini_index)])
        err = capsys.readouterr().err
        assert exc.value.code == 2 and f"'{value}' is not a whole number of at least 1" in err, (command, value, err)


def test_cite_json(mini_index: Path, capsys) -> None:
    code, out, _ = run(capsys, "cite", "Klyngeorganisationen faciliterer samarbejdet", "--index-dir", str(mini_index), "--json")
    data = json.loads(out)
    assert code == 0 and data["found"] and data["matches"][0]["doc_id"] == "side"
    code, out, _ = run(capsys, "cite", "Noget helt andet om fodbold og vejret i morgen", "--index-dir", str(mini_index), "--json")
    assert json.loads(out)["found"] is False


def test_cite_not_found_says_how_to_search_by_meaning(mini_index: Path, capsys) -> None:
    code, out, _ = run(capsys, "cite", "Noget helt andet om fodbold", "--index-dir", str(mini_index))
    assert code == 0 and out.startswith("Not found")
    assert f"klynge ask 'Noget helt andet om fodbold' --index-dir {mini_index}" in out


def test_eval_json_report_and_gate(mini_index: Path, tmp_path: Path, capsys) -> None:
    qs = tmp_path / "q.jsonl"
    qs.write_text(json.dumps({"id": "1", "question": "Hvem støtter spirende klynger?", "expected": ["spirende klynger"]})
                  + "\n{oops\n", encoding="utf-8")
    code, out, err = run(capsys, "eval", str(qs), "--index-dir", str(mini_index), "--json", "--report", str(tmp_path / "r.html"))
    data = json.loads(out)
    assert code == 0 and data["n"] == 1 and "line 2" in err
    assert set(data["metrics"]) >= {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "no_answer_accuracy"}
    assert (tmp_path / "r.html").exists()
    code, _, err = run(capsys, "eval", str(qs), "--index-dir", str(mini_index), "--fail-under", "mrr@10=1.01")
    assert code == 1 and "mrr@10" in err


def test_eval_within_documents_searches_only_them_and_says_so(mini_index: Path, tmp_path: Path, capsys) -> None:
    qs = tmp_path / "q.jsonl"
    qs.write_text(json.dumps({"id": "1", "question": "Hvem støtter spirende klynger?", "expected": ["spirende klynger"]})
                  + "\n", encoding="utf-8")
    within = ("eval", str(qs), "--index-dir", str(mini_index), "--doc", "nyhed", "--compare", "baselines")
    code, out, _ = run(capsys, *within, "--json")
    data = json.loads(out)
    assert code == 0 and data["within"] == {"docs": ["nyhed"]}
    assert data["questions"][0]["first_relevant_rank"] is None  # the answer stands in "roller", left out
    assert data["baselines"]["word BM25"]["mrr@10"] == 0 and data["baselines"]["dense only (e5)"]["mrr@10"] == 0
    assert "searched within document nyhed" in run(capsys, *within)[1]
    whole = json.loads(run(capsys, "eval", str(qs), "--index-dir", str(mini_index), "--json")[1])
    assert whole["within"] is None and whole["questions"][0]["first_relevant_rank"] == 1
    code, _, err = run(capsys, "eval", str(qs), "--index-dir", str(mini_index), "--doc", "nope")
    assert code == 2 and "no document 'nope' in the index" in err and "roller" in err
    code, _, err = run(capsys, "eval", str(qs), "--index-dir", str(mini_index), "--year", "1999")
    assert code == 2 and "no document in the index matches year 1999" in err


def test_eval_missing_file(mini_index: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "eval", str(tmp_path / "none.jsonl"), "--index-dir", str(mini_index))
    assert code == 1 and "none.jsonl" in err


def test_console_script_help() -> None:
    exe = Path(sys.executable).parent / "klynge"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert out.returncode == 0
    for cmd in ("index", "ask", "cite", "eval", "serve"):
        assert cmd in out.stdout


def test_dev_questions_file_is_readable() -> None:
    if not DEV_QUESTIONS.exists():
        pytest.skip("../shared/eval/dev_questions.jsonl is not beside this checkout")
    from qa import load_questions

    assert len(load_questions(DEV_QUESTIONS).questions) >= 20


def test_commands_restart_once_with_their_runtime(monkeypatch) -> None:
    """`klynge index` / `klynge add` replace themselves once with glibc's malloc tuned for embedding
    (indexer.building.pipeline.BUILD_MALLOC); question commands once with passive OpenMP threads (qa.runtime); a
    restarted process and a user's own setting do not restart."""
    import os

    from indexer.building.pipeline import BUILD_MALLOC
    from qa import runtime

    calls: list[tuple[str, list[str], str | None, str | None, str | None]] = []
    monkeypatch.setattr(os, "execv", lambda exe, args: calls.append(
        (exe, list(args), os.environ.get("GLIBC_TUNABLES"), os.environ.get("OMP_WAIT_POLICY"),
         os.environ.get("GOMP_SPINCOUNT"))))
    monkeypatch.setattr(sys, "orig_argv", [sys.executable, "/venv/bin/klynge", "index", "--json"])
    monkeypatch.delenv("KLYNGE_MALLOC", raising=False)
    for var in ("GLIBC_TUNABLES", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT"):
        monkeypatch.setenv(var, "")  # recorded, so the values the restart sets are undone after the test
        monkeypatch.delenv(var)
    runtime.restart_with_runtime_env(["index", "--json"])
    assert calls == [(sys.executable, [sys.executable, "/venv/bin/klynge", "index", "--json"], BUILD_MALLOC, None, None)]
    runtime.restart_with_runtime_env(["index", "--json"])  # the restarted process: GLIBC_TUNABLES is set
    assert len(calls) == 1
    runtime.restart_with_runtime_env(["ask", "hvem?"])
    assert len(calls) == 2 and calls[-1][3:] == ("PASSIVE", "3000")  # sleeping threads after a short spin
    runtime.restart_with_runtime_env(["serve"])  # OMP_WAIT_POLICY is set now: no second restart
    assert len(calls) == 2
    del os.environ["GLIBC_TUNABLES"]
    monkeypatch.setenv("KLYNGE_MALLOC", "0")
    runtime.restart_with_runtime_env(["add", "x.pdf"])
    assert len(calls) == 2 and "GLIBC_TUNABLES" not in os.environ
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's own choice wins
    assert runtime.runtime_env(["serve"]) == {}
    monkeypatch.delenv("OMP_WAIT_POLICY")
    monkeypatch.setenv("GOMP_SPINCOUNT", "0")  # either variable is a choice of the threads' behaviour
    assert runtime.runtime_env(["serve"]) == {}


def test_a_build_lowers_its_own_priority(monkeypatch) -> None:
    """The console's `klynge index` runs below a server's priority (qa.runtime.lower_build_priority);
    KLYNGE_BUILD_NICE=0 keeps it."""
    import os

    from qa import runtime

    steps: list[int] = []
    monkeypatch.setattr(os, "nice", lambda n: steps.append(n) or n)
    monkeypatch.delenv("KLYNGE_BUILD_NICE", raising=False)
    assert runtime.lower_build_priority() == runtime.BUILD_NICE
    monkeypatch.setenv("KLYNGE_BUILD_NICE", "0")
    assert runtime.lower_build_priority() == 0
    assert steps == [runtime.BUILD_NICE]
    # the console's entry: a build lowers its priority, a question command does not (nothing to restart here)
    monkeypatch.delenv("KLYNGE_BUILD_NICE")
    monkeypatch.setattr(runtime, "restart_with_runtime_env", lambda argv: None)
    runtime.prepare_process(["ask", "hvem?"])
    assert steps == [runtime.BUILD_NICE]
    runtime.prepare_process(["--json", "index"])
    assert steps == [runtime.BUILD_NICE, runtime.BUILD_NICE]
