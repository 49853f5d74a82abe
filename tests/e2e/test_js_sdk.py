"""The official AssemblyAI JavaScript SDK (through node) against a live server."""

from __future__ import annotations

from pathlib import Path

import av

from tests.support.audio_refs import normalise
from tests.support.js_sdk import run_script


def test_js_sdk_transcribes_lists_and_deletes(js_sdk: Path, server, shared_audio: Path) -> None:
    seen = run_script(js_sdk, "transcribe.mjs", server, str(shared_audio / "jfk" / "jfk.wav"))
    assert seen["status"] == "completed"
    assert "ask not what your country can do for you" in normalise(seen["text"])
    assert seen["words"] >= 20 and seen["audio_duration"] == 11
    assert seen["listed"] == [seen["id"]]
    assert seen["listed_with_unset_filters"] == [seen["id"]]  # issue 22: empty parameters ignored
    assert seen["current_url"].startswith(server.base_url)
    assert seen["deleted_text"] == "Deleted by user."
    assert seen["deleted_audio_url"] == "http://deleted_by_user"


def test_js_sdk_sync_api(js_sdk: Path, server, shared_audio: Path) -> None:
    seen = run_script(js_sdk, "sync.mjs", server, str(shared_audio / "jfk" / "jfk.wav"))
    assert seen["warmed"] is not False
    for text in (seen["text"], seen["live_text"]):
        assert "ask not what your country can do for you" in normalise(text)
    first = seen["first_word"]
    assert first["start"] is not None and first["end"] >= first["start"]
    assert abs(seen["audio_duration_ms"] - 11_000) <= 50
    assert seen["error"] and "X-AAI-Model" in seen["error"]["message"], seen["error"]


def test_js_sdk_transcript_methods(js_sdk: Path, server, shared_audio: Path) -> None:
    seen = run_script(js_sdk, "methods.mjs", server, str(shared_audio / "jfk" / "jfk.wav"))
    assert seen["upload_url"].startswith(server.base_url)
    assert seen["submitted_status"] == "queued" and seen["ready_status"] == "completed" and seen["same_id"]
    assert "ask not what your country can do for you" in normalise(seen["text"])
    assert sorted(seen["matches"]) == [["americans", 1], ["country", 2]] and seen["total_count"] == 3
    assert seen["sentences"] and " ".join(seen["sentences"]) == seen["text"]
    assert seen["paragraphs"] >= 1
    cues = [block.splitlines() for block in seen["srt"].strip().split("\n\n")]
    assert len(cues) >= 2 and all(len(" ".join(cue[2:])) <= 32 for cue in cues)
    assert seen["vtt"].startswith("WEBVTT")


def test_js_sdk_redacted_audio(js_sdk: Path, server, shared_audio: Path, tmp_path: Path) -> None:
    out = tmp_path / "redacted.mp3"
    audio = str(shared_audio / "jfk" / "jfk.wav")
    seen = run_script(js_sdk, "redacted.mjs", server, audio, str(out), timeout=180)
    assert seen["early_status"] in ("redacted_audio_processing", "redacted_audio_ready")
    if seen["early_status"] == "redacted_audio_processing":  # redactedAudioFile refuses it meanwhile
        assert "redacted_audio_processing" in seen["early_file_error"]
    assert seen["ready_status"] == "completed" and "americans" not in normalise(seen["text"])
    assert seen["status"] == seen["legacy_status"] == "redacted_audio_ready"
    assert seen["url"].startswith(f"{server.base_url}/v2/redacted-audio/")
    assert seen["bytes"] == out.stat().st_size > 10_000
    with av.open(str(out)) as container:
        stream = container.streams.audio[0]
        assert (stream.codec_context.name, stream.codec_context.sample_rate) == ("mp3float", 16000)
        samples = sum(frame.samples for frame in container.decode(stream))
    assert abs(samples - 176_000) <= 1152
    assert "redact_pii_audio" in seen["not_asked_error"]
