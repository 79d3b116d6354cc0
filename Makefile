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
	$(KLYNGE) eval ../shared/eval/dev_questions.jsonl --index-dir $(INDEX_DIR) \
	  --fail-under recall@5=0.90 --fail-under mrr@10=0.75

eval: index
	$(KLYNGE) eval ../shared/eval/dev_questions.jsonl --index-dir $(INDEX_DIR)

bench: index
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .klynge
