"""Speaker labels end to end: the official SDK against a live server, real packaged models, real audio
(../shared/audio/diarization), scored with DER (0.25 s collar) against the reference turns."""

from __future__ import annotations

import wave
from pathlib import Path

import httpx
import numpy as np
import pytest

from stenograph.pipeline.audio import decode_audio
from tests.support.utterance_checks import check_utterances

DER_BOUND = 0.10  # the LibriSpeech conversations, no hint (the benchmark measures ~0%)


def raw_json(server, transcript_id: str) -> dict:
    response = httpx.get(
        f"{server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": server.api_key}
    )
    assert response.status_code == 200, response.text
    return response.json()


def reference_turns(path: Path) -> list[tuple[float, float, str]]:
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        start, duration = float(fields[3]), float(fields[4])
        turns.append((start, start + duration, fields[7]))
    return turns


def der(reference: list[tuple[float, float, str]], utterances: list[dict]) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for i, (start, end, speaker) in enumerate(reference):
        ref[Segment(start, end), i] = speaker
    for i, u in enumerate(utterances):
        hyp[Segment(u["start"] / 1000, u["end"] / 1000), i] = u["speaker"]
    return DiarizationErrorRate(collar=0.25)(ref, hyp)


def check_speaker_transcript(body: dict, rttm: Path, speakers: int) -> None:
    assert body["status"] == "completed", body["error"]
    assert body["speaker_labels"] is True
    words, utterances = body["words"], body["utterances"]
    assert words and utterances
    check_utterances(words, utterances)
    assert words[0]["speaker"] == "A"
    assert {w["speaker"] for w in words} == {chr(ord("A") + i) for i in range(speakers)}
    score = der(reference_turns(rttm), utterances)
    assert score <= DER_BOUND, f"DER {score:.3f}"


@pytest.fixture(scope="module")
def conversation(shared_audio: Path) -> tuple[Path, Path]:
    folder = shared_audio / "diarization"
    return folder / "ls_conv_2spk.wav", folder / "ls_conv_2spk.rttm"


@pytest.fixture(scope="module")
def labelled_conversations(aai_module, server, conversation) -> dict[str, dict]:
    """The two-speaker conversation three ways: no hint, speakers_expected, speaker_options."""
    aai = aai_module
    wav, _ = conversation
    configs = {
        "auto": aai.TranscriptionConfig(speaker_labels=True),
        "expected": aai.TranscriptionConfig(speaker_labels=True, speakers_expected=2),
        "options": aai.TranscriptionConfig(
            speaker_labels=True,
            speaker_options=aai.SpeakerOptions(min_speakers_expected=2, max_speakers_expected=3),
        ),
    }
    submitted = {name: aai.Transcriber(config=config).submit(str(wav)) for name, config in configs.items()}
    done = {name: t.wait_for_completion() for name, t in submitted.items()}
    return {name: {"sdk": t, "raw": raw_json(server, t.id)} for name, t in done.items()}


def test_speaker_labels_without_a_hint(aai_module, labelled_conversations, conversation) -> None:
    aai = aai_module
    transcript = labelled_conversations["auto"]["sdk"]
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    # the SDK's own models carry the speakers
    assert all(w.speaker in ("A", "B") for w in transcript.words)
    assert transcript.utterances and {u.speaker for u in transcript.utterances} == {"A", "B"}
    check_speaker_transcript(labelled_conversations["auto"]["raw"], conversation[1], speakers=2)

    # sentences carry the speaker of their words, and never span two speakers
    sentences = transcript.get_sentences()
    assert sentences
    for sentence in sentences:
        assert sentence.speaker in ("A", "B")
        assert {w.speaker for w in sentence.words} == {sentence.speaker}


def test_word_speakers_match_the_reference_transcript(labelled_conversations, shared_audio: Path) -> None:
    stm = shared_audio / "diarization" / "ls_conv_2spk.stm"
    turns = []
    for line in stm.read_text().splitlines():
        fields = line.split(maxsplit=5)
        turns.append((float(fields[3]) * 1000, float(fields[4]) * 1000, fields[2]))
    words = labelled_conversations["auto"]["raw"]["words"]
    pairs = {}
    for w in words:
        middle = (w["start"] + w["end"]) / 2
        holder = min(turns, key=lambda t: max(t[0] - middle, middle - t[1], 0))[2]
        pairs.setdefault((w["speaker"], holder), 0)
        pairs[(w["speaker"], holder)] += 1
    # the two hypothesis speakers map one-to-one onto the reference readers
    best = max(
        pairs.get(("A", a), 0) + pairs.get(("B", b), 0) for a, b in (("1688", "1998"), ("1998", "1688"))
    )
    assert best / len(words) >= 0.95


@pytest.mark.parametrize("name", ["expected", "options"])
def test_speaker_count_hints(labelled_conversations, conversation, name: str) -> None:
    body = labelled_conversations[name]["raw"]
    check_speaker_transcript(body, conversation[1], speakers=2)
    if name == "expected":
        assert body["speakers_expected"] == 2
    else:
        assert body["speaker_options"] == {"min_speakers_expected": 2, "max_speakers_expected": 3}


def test_speaker_options_min_above_max_is_a_400(server) -> None:
    # (the SDK refuses such options itself; other clients get a 400 naming the field)
    for options in ({"min_speakers_expected": 4, "max_speakers_expected": 1}, {"min_speakers_expected": 0}):
        response = httpx.post(
            f"{server.base_url}/v2/transcript",
            headers={"Authorization": server.api_key},
            json={"audio_url": "http://a.example/a.mp3", "speaker_labels": True, "speaker_options": options},
        )
        assert response.status_code == 400, options
        assert "speaker_options.min_speakers_expected" in response.json()["error"]


def test_phone_call_finds_both_speakers(aai_client, server, shared_audio: Path) -> None:
    aai = aai_client
    folder = shared_audio / "diarization"
    transcript = aai.Transcriber(config=aai.TranscriptionConfig(speaker_labels=True)).transcribe(
        str(folder / "pyannote_sample.wav")
    )
    body = raw_json(server, transcript.id)
    assert body["status"] == "completed", body["error"]
    check_utterances(body["words"], body["utterances"])
    assert {w["speaker"] for w in body["words"]} == {"A", "B"}
    assert der(reference_turns(folder / "pyannote_sample.rttm"), body["utterances"]) <= 0.25


def write_wav(path: Path, channels: np.ndarray) -> Path:
    pcm = (np.clip(channels.T, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels.shape[0])
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm.tobytes())
    return path


def test_multichannel_labels_are_per_channel(aai_client, server, shared_audio: Path, tmp_path: Path) -> None:
    aai = aai_client
    left = decode_audio(shared_audio / "jfk" / "jfk.wav")
    utterance = decode_audio(shared_audio / "librispeech" / "1688-142285-0002.flac")[: len(left) - 16000]
    right = np.zeros_like(left)
    right[16000 : 16000 + len(utterance)] = utterance
    path = write_wav(tmp_path / "stereo.wav", np.stack([left, right]))
    config = aai.TranscriptionConfig(speaker_labels=True, multichannel=True)
    transcript = aai.Transcriber(config=config).transcribe(str(path))
    body = raw_json(server, transcript.id)
    assert body["status"] == "completed", body["error"]
    words = body["words"]
    assert {w["channel"] for w in words} == {"1", "2"}
    assert all(w["speaker"].startswith(w["channel"]) for w in words)
    assert {"1A", "2A"} <= {w["speaker"] for w in words}
    check_utterances(words, body["utterances"])
