"""Run a node script of tests/js (the official AssemblyAI JavaScript SDK) against a live server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.live_server import LiveServer


def run_script(js_sdk: Path, script: str, server: LiveServer, *args: str, timeout: float = 120) -> dict:
    """``node script BASE_URL API_KEY ARGS...`` in ``js_sdk``: the JSON line it printed last."""
    output = subprocess.run(
        ["node", script, server.base_url, server.api_key, *args],
        cwd=js_sdk,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])
