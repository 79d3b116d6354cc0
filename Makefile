# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KLYNGE := $(VENV)/bin/klynge
STAMP := $(VENV)/.installed
INDEX_DIR ?= .klynge/index
# the indexing code: an index is rebuilt when it changed (unchanged passages reuse their vectors)
INDEXER_FILES := $(shell find indexer -name "*.py")
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test test-fast index squad-index laws-dev-index install lint bench eval clean browser-deps dictionary-deps ocr-deps proxy-deps load

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: this exact version is a local CPU build; anything else downloads CUDA.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[st,docx,dev,scale]'
	touch $(STAMP)

install: $(STAMP)

# Rebuilt when the corpus or the indexing code changed (unchanged passages reuse their vectors).
$(INDEX_DIR)/manifest.json: $(wildcard corpus/*) $(INDEXER_FILES) | $(STAMP)
	$(KLYNGE) index --index-dir $(INDEX_DIR)

index: $(INDEX_DIR)/manifest.json

# squad-da-dev (../shared): a second collection for the quality gates; rebuilt when the indexing code
# changes (unchanged passages reuse their vectors)
SQUAD_CORPUS := ../shared/eval/squad-da-dev/corpus
SQUAD_INDEX := .klynge/squad-index
$(SQUAD_INDEX)/manifest.json: $(wildcard $(SQUAD_CORPUS)/*) $(INDEXER_FILES) | $(STAMP)
	$(KLYNGE) index --corpus $(SQUAD_CORPUS) --index-dir $(SQUAD_INDEX)

squad-index: $(SQUAD_INDEX)/manifest.json

# laws-dev (../shared/eval/laws-dev): everyday questions over acts; the gate runs on the 29 acts they are
# about (~3,100 passages, a few minutes to embed); the whole 316-act figures: benchmarks/laws_dev.py
LAWS_DEV_CORPUS := .klynge/laws-dev-corpus
LAWS_DEV_INDEX := .klynge/laws-dev-index
$(LAWS_DEV_INDEX)/manifest.json: ../shared/eval/laws-dev/questions.jsonl $(INDEXER_FILES) | $(STAMP)
	$(PY) benchmarks/laws_dev.py --make-subset $(LAWS_DEV_CORPUS)
	$(KLYNGE) index --corpus $(LAWS_DEV_CORPUS) --index-dir $(LAWS_DEV_INDEX)

laws-dev-index: $(LAWS_DEV_INDEX)/manifest.json

run: index dictionary-deps ocr-deps
	$(KLYNGE) serve

# $(call apt_install,PACKAGES,WHAT GOES WITHOUT THEM): Debian packages through apt-get when root or
# passwordless sudo is there (apt-get update only when the first try fails); otherwise, or when it fails,
# a note saying what goes without them, and nothing fails. No commas in the arguments.
apt_install = if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	if [ "$$SUDO" = none ] || ! command -v apt-get >/dev/null; then \
	  echo "NOTE: cannot install Debian's $(1) here (needs root and apt-get): $(2)"; exit 0; fi; \
	echo "Installing Debian's $(1) ..."; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(1) >/dev/null 2>&1 || \
	{ $$SUDO apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(1) >/dev/null 2>&1; } || \
	echo "NOTE: installing $(1) failed: $(2)"

# Debian's FreeDict English-Danish dictionaries (qa/dictionary.py): English questions over a collection
# without a glossary of its own go through them. Without them English rests on the multilingual signals
# (the squad-en quality gate expects them).
DICTD := /usr/share/dictd
dictionary-deps:
	@if [ -f $(DICTD)/freedict-dan-eng.index ] && [ -f $(DICTD)/freedict-eng-dan.index ]; then exit 0; fi; \
	$(call apt_install,dict-freedict-dan-eng dict-freedict-eng-dan,English questions over collections without a glossary will not use a dictionary)

# Debian's Tesseract with its Danish and English models: scanned PDFs and images are read by OCR
# (indexer/reading/ocr.py). Without it scans are reported as needing OCR and the OCR tests skip, saying why.
ocr-deps:
	@if command -v tesseract >/dev/null && [ -n "$$(ls /usr/share/tesseract-ocr/*/tessdata/dan.traineddata 2>/dev/null)" ]; then exit 0; fi; \
	$(call apt_install,tesseract-ocr tesseract-ocr-dan tesseract-ocr-eng,scanned documents cannot be read)

# Debian's nginx for the sign-in test through a real reverse proxy (tests/test_proxy.py); without it that test skips.
proxy-deps:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then exit 0; fi; \
	$(call apt_install,nginx-light,the reverse-proxy sign-in test will be skipped)

# Debian's Chromium for the browser tests (no downloaded browsers). Without it they skip, saying why.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	$(call apt_install,chromium,browser tests will be skipped)

test: index squad-index laws-dev-index browser-deps dictionary-deps ocr-deps proxy-deps
	$(PY) -m ruff check indexer qa ui.py klynge_ui tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest
	# quality gates: eval/gates.toml (the same file tests/test_model.py reads)
	$(KLYNGE) eval --gates eval/gates.toml --index-dir $(INDEX_DIR)

# the inner loop: no model, no browser, nothing slow (about 15 s)
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not model and not browser"

eval: index
	$(KLYNGE) eval ../shared/eval/dev_questions.jsonl --index-dir $(INDEX_DIR)

bench: index
	$(PY) benchmarks/run.py
	# adding and removing one document on the laws index (../shared/bench/laws)
	$(PY) benchmarks/add_document.py
	# retrieval on 19 acts (eval/laws_questions.jsonl)
	$(PY) benchmarks/laws_eval.py
	# the lexical index at 1M passages, what stems-only costs, embedding on Ray
	$(PY) benchmarks/lexical_scale.py
	$(PY) benchmarks/lexical_scale.py --quality
	$(PY) benchmarks/ray_embed.py

load: index
	$(PY) benchmarks/load.py
	$(PY) benchmarks/load.py --signed-in

clean:
	rm -rf $(VENV) .klynge
