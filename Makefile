# The README's two commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test test-fast install install-test lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

serve: install
	$(BIN)/stenograph serve

lint: install-test
	$(BIN)/ruff check stenograph tests benchmarks
	$(BIN)/mypy

# The whole suite, slow end-to-end tests included (`pytest -m "not slow"` for a quick run).
test: install-test lint
	$(BIN)/pytest -q

# The unit tests only (no live server, no long real-model runs): a quick check while working.
test-fast: install-test
	$(BIN)/pytest -q tests/unit

bench: install-test
	$(BIN)/python benchmarks/asr.py
