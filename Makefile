# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv if needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: install run index test test-fast check lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Index the shipped seed corpus (idempotent: unchanged documents embed nothing).
index: $(STAMP)
	$(VENV)/bin/ymateb ingest seeds/

run: index
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# Everything, as CI runs it: browser, server and slow tests included.
test: $(STAMP)
	$(PY) -m pytest -q

# The inner loop: no browser, no `chroma run` server, no long end-to-end runs (under 90 s).
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not browser and not server and not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check rag tests app.py ui views
	$(VENV)/bin/mypy

check: lint test

bench: index
	$(VENV)/bin/ymateb bench --json BENCHMARKS.json --markdown BENCHMARKS.md

eval: $(STAMP)
	$(VENV)/bin/ymateb eval --cases evals/cases/seeds.jsonl --corpus seeds/ --report eval-report

clean:
	rm -rf .ymateb .pytest_cache eval-report
