from __future__ import annotations

from pathlib import Path

import pytest

# --- shared audio (../shared/audio beside the checkout; never copied into the repo) ---
SHARED_AUDIO_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "audio"


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    if not SHARED_AUDIO_DIR.is_dir():
        pytest.skip(f"shared audio set not found at {SHARED_AUDIO_DIR} (expected beside the checkout)")
    return SHARED_AUDIO_DIR


# --- live servers for end-to-end tests ---
import secrets  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from tests.support.live_server import LiveServer  # noqa: E402


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server for the SDK suites: SQLite, SqliteHuey, in-process worker, tiny.en."""
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("server") / "data",
        api_key=secrets.token_hex(16),
        env={"STENOGRAPH_ALLOW_PRIVATE_URLS": "1"},
    ).start()
    yield live
    live.stop()


@contextmanager
def sdk_pointed_at(server: LiveServer) -> Iterator[object]:
    """The official SDK's global settings aimed at ``server`` (polling fast), restored afterwards."""
    import assemblyai as aai

    previous = (aai.settings.base_url, aai.settings.api_key, aai.settings.polling_interval)
    aai.settings.base_url = server.base_url
    aai.settings.api_key = server.api_key
    aai.settings.polling_interval = 0.2
    try:
        yield aai
    finally:
        aai.settings.base_url, aai.settings.api_key, aai.settings.polling_interval = previous


@pytest.fixture()
def aai_client(server: LiveServer) -> Iterator[object]:
    with sdk_pointed_at(server) as aai:
        yield aai


@pytest.fixture(scope="module")
def aai_module(server: LiveServer) -> Iterator[object]:
    """Like aai_client, for module-scoped fixtures."""
    with sdk_pointed_at(server) as aai:
        yield aai


JS_DIR = Path(__file__).parent / "js"


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    """The folder of the node scripts that drive the official JavaScript SDK, its packages installed."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the JavaScript SDK tests")
    packages = ("assemblyai", "assemblyai-lemur")  # the current SDK, and the last one with LeMUR
    if not all((JS_DIR / "node_modules" / name).exists() for name in packages):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, timeout=300)
    return JS_DIR


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real server whose language model is SmolLM2-135M (real llama.cpp generations, fast), with a
    small context and no waiting room, so that the limits are quick to reach."""
    from tests.support.llm_models import smollm2_path

    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("llm-server") / "data",
        api_key=secrets.token_hex(16),
        env={
            "STENOGRAPH_ALLOW_PRIVATE_URLS": "1",
            "STENOGRAPH_LLM_MODEL_PATH": str(smollm2_path()),
            "STENOGRAPH_LLM_MODEL": "smollm2-135m-instruct",
            "STENOGRAPH_LLM_CONTEXT_TOKENS": "2048",
            "STENOGRAPH_LLM_MAX_WAITING": "0",
            "STENOGRAPH_LLM_THREADS": "2",
        },
    ).start()
    yield live
    live.stop()
