"""The `stenograph` command line: transcribe a file directly; serve prints a first key once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.audio_refs import normalise
from tests.support.live_server import REPO_ROOT, LiveServer


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stenograph.cli", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_transcribe_outputs_text_json_and_srt(shared_audio: Path, tmp_path: Path) -> None:
    env = {"STENOGRAPH_DATA_DIR": str(tmp_path)}
    clip = str(shared_audio / "jfk" / "jfk_16k.mp3")

    text = run_cli("transcribe", clip, env=env)
    assert text.returncode == 0, text.stderr
    assert "ask not what your country can do for you" in normalise(text.stdout)
    assert "100%" in text.stderr  # the progress bar reached the end

    as_json = json.loads(run_cli("transcribe", clip, "-o", "json", env=env).stdout)
    assert as_json["speech_model_used"] == "tiny.en"
    assert as_json["words"][0]["start"] >= 0 and as_json["audio_duration"] > 10

    srt = run_cli("transcribe", clip, "-o", "srt", env=env).stdout
    blocks = [b for b in srt.strip().split("\n\n") if b]
    assert len(blocks) >= 3
    assert re.fullmatch(r"1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n.+", blocks[0])

    vtt = run_cli("transcribe", clip, "-o", "vtt", env=env).stdout
    assert vtt.startswith("WEBVTT")
    assert re.search(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$", vtt, re.M)


def test_transcribe_reports_bad_input(tmp_path: Path) -> None:
    not_audio = tmp_path / "x.txt"
    not_audio.write_text("hello")
    result = run_cli("transcribe", str(not_audio), env={"STENOGRAPH_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "does not appear to contain audio" in result.stderr
    unknown = run_cli(
        "transcribe", str(not_audio), "--model", "huge", env={"STENOGRAPH_DATA_DIR": str(tmp_path)}
    )
    assert unknown.returncode != 0 and "Accepted values" in unknown.stderr
    language = run_cli(
        "transcribe", str(not_audio), "--language", "xx", env={"STENOGRAPH_DATA_DIR": str(tmp_path)}
    )
    assert language.returncode == 2 and "--language" in language.stderr
    assert "unsupported language 'xx'" in language.stderr and "Traceback" not in language.stderr
    # The error stands on a line of its own, after the progress bar.
    assert re.search(r"^error: .*does not appear to contain audio", result.stderr, re.M)


def test_serve_without_a_key_creates_and_prints_one_once(tmp_path: Path) -> None:
    server = LiveServer(data_dir=tmp_path / "data", api_key="")
    server.start()
    try:
        deadline = time.monotonic() + 10
        while not (match := re.search(r"^\s+([0-9a-f]{32})\s*$", server.log(tail=None), re.M)):
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.1)
        key = match.group(1)
        assert (
            httpx.get(f"{server.base_url}/v2/transcript", headers={"Authorization": key}).status_code == 200
        )
    finally:
        server.stop()
    server.start()  # a restart finds the key and prints none
    try:
        printed = re.findall(r"^\s+[0-9a-f]{32}\s*$", server.log(tail=None), re.M)
        assert len(printed) == 1  # the log holds both runs
    finally:
        server.stop()


def test_keys_list_has_a_header_and_says_when_there_are_none(tmp_path: Path) -> None:
    env = {"STENOGRAPH_DATA_DIR": str(tmp_path)}
    empty = run_cli("keys", "list", env=env)
    assert empty.returncode == 0 and empty.stdout == "" and "No API keys yet" in empty.stderr

    created = run_cli("keys", "create", "--name", "ci", env=env)
    key, project = created.stdout.split()[0], re.search(r"project ([0-9a-f]{32})", created.stdout)
    assert project is not None and f"--project {project.group(1)}" in created.stderr
    shared = run_cli("keys", "create", "--project", project.group(1), env=env)
    assert "an existing project" in shared.stderr

    listing = run_cli("keys", "list", env=env).stdout.splitlines()
    assert listing[0].split("\t") == ["ID", "KEY", "STATE", "PROJECT", "NAME"]
    assert len(listing) == 3 and all(f"project {project.group(1)}" in line for line in listing[1:])
    assert key not in "\n".join(listing)
