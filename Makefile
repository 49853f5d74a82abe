# The README's two commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test test-fast install install-test lint bench browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The speaker embeddings' weights package, without its dependencies: they are not used, and one of
# them (webrtcvad) ships only as source, which would need a C compiler.
RESEMBLYZER := resemblyzer==0.1.4

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(RESEMBLYZER)

install-test: $(BIN)/python browser
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet --no-deps $(RESEMBLYZER)

# The playground's browser test (tests/e2e/test_playground.py) drives Debian's Chromium through
# Playwright (never `playwright install`, which downloads browsers). Installed here when missing and
# we are root with apt-get; otherwise nothing is done and that test skips, saying why.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the playground's browser test"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
			|| echo "chromium could not be installed: the browser test will skip"; \
	fi

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
