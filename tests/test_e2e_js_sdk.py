"""The official AssemblyAI JavaScript SDK (through node) against a live server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.audio_refs import normalise

JS_DIR = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def js_sdk() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the JavaScript SDK tests")
    if not (JS_DIR / "node_modules" / "assemblyai").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, timeout=300)
    return JS_DIR


def test_js_sdk_transcribes_lists_and_deletes(js_sdk: Path, server, shared_audio: Path) -> None:
    output = subprocess.run(
        ["node", "transcribe.mjs", server.base_url, server.api_key, str(shared_audio / "jfk" / "jfk.wav")],
        cwd=js_sdk,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    seen = json.loads(output.strip().splitlines()[-1])
    assert seen["status"] == "completed"
    assert "ask not what your country can do for you" in normalise(seen["text"])
    assert seen["words"] >= 20 and seen["audio_duration"] == 11
    assert seen["listed"] == [seen["id"]]
    assert seen["current_url"].startswith(server.base_url)
    assert seen["deleted_text"] == "Deleted by user."
    assert seen["deleted_audio_url"] == "http://deleted_by_user"
