"""The last Python SDK with LeMUR (``assemblyai`` 0.65.0) in a folder of its own, beside the 1.x
SDK the other tests import: ``make install-test`` puts it in ``.venv/lemur-sdk``; without that, it
is installed once (pip, --no-deps: its dependencies are the 1.x SDK's) into a cache folder. Tests run
it in a subprocess with that folder first on ``sys.path``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.live_server import REPO_ROOT, LiveServer

LEMUR_SDK = "assemblyai==0.65.0"
_CACHE = Path("/tmp") / "stenograph-test-lemur-sdk-0.65.0"


def lemur_sdk_dir() -> Path:
    for folder in (REPO_ROOT / ".venv" / "lemur-sdk", _CACHE):
        if (folder / "assemblyai" / "lemur.py").is_file():
            return folder
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(_CACHE), LEMUR_SDK],
        check=True,
    )
    return _CACHE


def run_old_sdk(server: LiveServer, script: str, **values: Any) -> Any:
    """Run ``script`` with the old SDK pointed at ``server``; ``values`` are its globals, and what it
    assigns to ``result`` comes back (as JSON)."""
    prelude = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(lemur_sdk_dir())!r})\n"
        "import assemblyai as aai\n"
        "assert aai.__version__.startswith('0.65'), aai.__version__\n"
        f"aai.settings.base_url = {server.base_url!r}\n"
        f"aai.settings.api_key = {server.api_key!r}\n"
        "aai.settings.http_timeout = 120\n"
        f"globals().update(json.loads({json.dumps(values)!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + script + "\nprint(json.dumps(result, default=str))"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
