# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KLYNGE := $(VENV)/bin/klynge
STAMP := $(VENV)/.installed
INDEX_DIR ?= .klynge/index
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test index install lint bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: this exact version is a local CPU build; anything else downloads CUDA.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[st,docx,dev]'
	touch $(STAMP)

install: $(STAMP)

$(INDEX_DIR)/manifest.json: | $(STAMP)
	$(KLYNGE) index --index-dir $(INDEX_DIR)

index: $(INDEX_DIR)/manifest.json

run: index
	$(KLYNGE) serve

test: index
	$(PY) -m ruff check indexer qa ui.py tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest
	# quality gate: the levels reached (docs/retrieval.md), minus a small margin
	$(KLYNGE) eval ../shared/eval/dev_questions.jsonl --index-dir $(INDEX_DIR) \
	  --fail-under recall@5=0.92 --fail-under mrr@10=0.76 \
	  --fail-under da:recall@5=0.95 --fail-under da:mrr@10=0.85 \
	  --fail-under en:recall@5=0.85 --fail-under en:mrr@10=0.55
	$(KLYNGE) eval eval/extra_questions.jsonl --index-dir $(INDEX_DIR) \
	  --fail-under recall@5=0.95 --fail-under mrr@10=0.80 --fail-under no_answer_accuracy=0.9

eval: index
	$(KLYNGE) eval ../shared/eval/dev_questions.jsonl --index-dir $(INDEX_DIR)

bench: index
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .klynge
