"""Language, audio-window, speech-threshold and channel options through the official SDK, on real audio.

Every test compares against what the option changes, so an ignored option fails it. Numbers quoted in
comments were measured on this audio with the packaged models (CPU, int8).
"""

from __future__ import annotations

import re
import time
import wave
from itertools import pairwise
from pathlib import Path

import httpx
import jiwer
import numpy as np
import pytest
from whisper_normalizer.basic import BasicTextNormalizer

from stenograph.pipeline.audio import decode_audio
from tests.support.audio_refs import normalise, read_tsv, wer

JFK_TEXT = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
RIGHT_UTTERANCE = "2609-156975-0001"  # LibriSpeech: HOLD ON HOLD FAST HOLD OUT PATIENCE IS GENIUS (4.9 s)

_basic = BasicTextNormalizer()


def basic_wer(reference: str, hypothesis: str) -> float:
    """WER for any language written with spaces: lower case, no punctuation, diacritics kept."""
    return jiwer.wer(" ".join(_basic(reference).split()), " ".join(_basic(hypothesis).split()) or "<empty>")


def multilingual_ref(shared_audio: Path, clip_id: str) -> tuple[Path, str, str]:
    """(path, language, reference text) of a multilingual clip with a human or provided reference."""
    folder = shared_audio / "multilingual"
    files = {row["id"]: row["file"] for row in read_tsv(folder / "meta.tsv")}
    row = next(r for r in read_tsv(folder / "refs.tsv") if r["id"] == clip_id)
    assert row["ref_type"].startswith(("human", "provided")), row
    return folder / files[clip_id], row["lang"], row["text"]


def raw_json(server, transcript_id: str) -> dict:
    """The transcript as the server sends it (the SDK's model drops fields it does not know)."""
    response = httpx.get(
        f"{server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": server.api_key}
    )
    assert response.status_code == 200, response.text
    return response.json()


def raw_transcribe(server, path: Path, **options) -> dict:
    """Upload and transcribe through plain HTTP (for options the SDK cannot send); the final JSON."""
    headers = {"Authorization": server.api_key}
    upload = httpx.post(f"{server.base_url}/v2/upload", headers=headers, content=path.read_bytes())
    assert upload.status_code == 200, upload.text
    created = httpx.post(
        f"{server.base_url}/v2/transcript",
        headers=headers,
        json={"audio_url": upload.json()["upload_url"], **options},
    )
    assert created.status_code == 200, created.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = raw_json(server, created.json()["id"])
        if body["status"] in ("completed", "error"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"transcript {created.json()['id']} did not finish")


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = 16000) -> Path:
    """16-bit PCM WAV from float32 samples, (samples,) or (channels, samples)."""
    frames = np.atleast_2d(samples).T
    pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(frames.shape[1])
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return path


def joined(words) -> str:
    return " ".join(w.text if hasattr(w, "text") else w["text"] for w in words)


# --------------------------------------------------------------------------- language_code


def test_language_code_runs_the_multilingual_model_in_that_language(aai_client, server, shared_audio) -> None:
    aai = aai_client
    path, language, reference = multilingual_ref(shared_audio, "pv_leopard_test_de")
    assert language == "de"
    german = aai.Transcriber(config=aai.TranscriptionConfig(language_code="de")).submit(str(path))
    english = aai.Transcriber(config=aai.TranscriptionConfig(language_code="en_us")).submit(str(path))
    german, english = german.wait_for_completion(), english.wait_for_completion()
    assert german.status == aai.TranscriptStatus.completed, german.error
    assert english.status == aai.TranscriptStatus.completed, english.error

    body = raw_json(server, german.id)
    # The default model is the English-only tiny.en: asked for German it gives way to base.
    assert body["speech_model_used"] == "base"
    assert body["language_code"] == "de"
    german_wer = basic_wer(reference, german.text)  # measured 0.30 ("liegen der", "Leichenhaler")
    assert german_wer < 0.5, german.text

    # The same clip forced to English stays on tiny.en and comes out as English words (WER 1.7).
    assert raw_json(server, english.id)["speech_model_used"] == "tiny.en"
    english_wer = basic_wer(reference, english.text)
    assert english_wer > 0.9, english.text
    assert german_wer + 0.5 < english_wer


def test_language_code_on_an_explicit_english_only_model_falls_back(aai_client, server, shared_audio) -> None:
    aai = aai_client
    path, _, reference = multilingual_ref(shared_audio, "pv_leopard_test_fr")
    config = aai.TranscriptionConfig(language_code="fr", speech_models=["nano"])
    transcript = aai.Transcriber(config=config).transcribe(str(path))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    body = raw_json(server, transcript.id)
    assert body["speech_models"] == ["nano"]
    assert body["speech_model_used"] == "base"
    assert body["language_code"] == "fr"
    assert basic_wer(reference, transcript.text) < 0.3, transcript.text  # measured 0.00


@pytest.mark.parametrize(
    ("code", "clip", "model"),
    [
        ("en_au", "jfk", "tiny.en"),  # a regional English code keeps the English-only model
        ("zh", "aishell_BAC009S0724W0121", "base"),
    ],
)
def test_regional_and_short_language_codes(aai_client, server, shared_audio, code, clip, model) -> None:
    aai = aai_client
    if clip == "jfk":
        path, reference = shared_audio / "jfk" / "jfk.wav", JFK_TEXT
    else:
        path, _, reference = multilingual_ref(shared_audio, clip)
    transcript = aai.Transcriber(config=aai.TranscriptionConfig(language_code=code)).transcribe(str(path))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    body = raw_json(server, transcript.id)
    assert body["language_code"] == code  # echoed as the caller spelled it
    assert body["speech_model_used"] == model
    if code == "zh":
        # tiny.en cannot write Han characters. base writes traditional ones (廣州市佛地產中間協會分析 for
        # 广州市房地产中介协会分析), so count the characters both scripts share rather than a CER.
        hypothesis = re.sub(r"[\W_]", "", transcript.text)
        assert re.fullmatch(r"[\u4e00-\u9fff]+", hypothesis), transcript.text
        assert sum(char in hypothesis for char in "州市地分析") >= 4, transcript.text
    else:
        assert wer([reference], [transcript.text]) < 0.1, transcript.text


def test_unsupported_language_code_is_a_400_naming_it(aai_client, server, shared_audio) -> None:
    aai = aai_client
    config = aai.TranscriptionConfig(language_code="xx")
    with pytest.raises(aai.types.TranscriptError) as raised:
        aai.Transcriber(config=config).transcribe(str(shared_audio / "jfk" / "jfk.wav"))
    assert "language_code" in str(raised.value) and "xx" in str(raised.value)

    headers = {"Authorization": server.api_key}
    url = f"{server.base_url}/v2/transcript"
    response = httpx.post(
        url, headers=headers, json={"audio_url": "http://example.com/a.mp3", "language_code": "xx"}
    )
    assert response.status_code == 400
    assert "language_code" in response.json()["error"] and "'xx'" in response.json()["error"]

    detection = {"expected_languages": ["de", "qq"], "fallback_language": "en"}
    body = {"audio_url": "http://example.com/a.mp3", "language_detection": True}
    response = httpx.post(url, headers=headers, json={**body, "language_detection_options": detection})
    assert response.status_code == 400
    assert "expected_languages" in response.json()["error"] and "qq" in response.json()["error"]


# --------------------------------------------------------------------------- language_detection


# Spanish detection is checked in test_language_confidence_threshold_fails_the_job (its lenient run).
@pytest.mark.parametrize("clip", ["pv_leopard_test_de", "pv_leopard_test_fr"])
def test_language_detection_finds_the_language(aai_client, server, shared_audio, clip) -> None:
    aai = aai_client
    path, language, reference = multilingual_ref(shared_audio, clip)
    transcript = aai.Transcriber(config=aai.TranscriptionConfig(language_detection=True)).transcribe(
        str(path)
    )
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    body = raw_json(server, transcript.id)
    assert body["language_detection"] is True
    assert body["language_code"] == language
    assert 0.5 < body["language_confidence"] <= 1  # measured de 0.9997, fr 0.9961
    assert body["speech_model_used"] == "base"  # detection needs the multilingual model
    assert basic_wer(reference, transcript.text) < 0.5, transcript.text


def test_language_confidence_threshold_fails_the_job(aai_client, server, shared_audio) -> None:
    aai = aai_client
    path, language, reference = multilingual_ref(shared_audio, "pv_leopard_test_es")  # es, 0.9889
    strict = aai.TranscriptionConfig(language_detection=True, language_confidence_threshold=0.999)
    lenient = aai.TranscriptionConfig(language_detection=True, language_confidence_threshold=0.9)
    failed = aai.Transcriber(config=strict).submit(str(path))
    passed = aai.Transcriber(config=lenient).submit(str(path))
    failed, passed = failed.wait_for_completion(), passed.wait_for_completion()

    assert failed.status == aai.TranscriptStatus.error
    assert f"'{language}'" in failed.error, failed.error
    match = re.search(r"confidence (0\.\d+)", failed.error)
    assert match, failed.error
    assert 0.95 < float(match.group(1)) < 0.999
    assert "0.999" in failed.error
    assert raw_json(server, failed.id)["language_confidence_threshold"] == 0.999

    # Below the detected confidence the job runs: language detection on Spanish, as for de and fr.
    assert passed.status == aai.TranscriptStatus.completed, passed.error
    body = raw_json(server, passed.id)
    assert body["language_code"] == language == "es"
    assert body["language_confidence"] == pytest.approx(float(match.group(1)), abs=1e-4)
    assert body["speech_model_used"] == "base"
    assert basic_wer(reference, passed.text) < 0.5, passed.text  # measured 0.08


def test_expected_languages_and_fallback_language(aai_client, server, shared_audio) -> None:
    aai = aai_client
    path, language, reference = multilingual_ref(shared_audio, "pv_cheetah_test_de")  # de, 0.9991
    assert language == "de"

    def config(expected: list[str], fallback: str):
        options = aai.LanguageDetectionOptions(expected_languages=expected, fallback_language=fallback)
        # temperature 0: German decoded as another language otherwise walks Whisper's whole
        # temperature-fallback schedule (about 3x the time) for nothing this test looks at.
        return aai.TranscriptionConfig(
            language_detection=True, language_detection_options=options, temperature=0.0
        )

    runs = {
        "fallback_en": aai.Transcriber(config=config(["en", "fr"], "en")).submit(str(path)),
        "german_expected": aai.Transcriber(config=config(["de", "fr"], "auto")).submit(str(path)),
        "best_of_expected": aai.Transcriber(config=config(["fr", "es"], "auto")).submit(str(path)),
    }
    done = {name: t.wait_for_completion() for name, t in runs.items()}
    for name, transcript in done.items():
        assert transcript.status == aai.TranscriptStatus.completed, (name, transcript.error)
    bodies = {name: raw_json(server, t.id) for name, t in done.items()}

    # German is not among the expected languages: the fallback is used and the audio decoded as English
    # (base translates: "The paint will give a false impression.").
    assert bodies["fallback_en"]["language_code"] == "en"
    assert bodies["fallback_en"]["speech_model_used"] == "base"
    echoed = bodies["fallback_en"]["language_detection_options"]
    assert (echoed["expected_languages"], echoed["fallback_language"]) == (["en", "fr"], "en")
    assert basic_wer(reference, done["fallback_en"].text) > 0.7, done["fallback_en"].text
    # German is expected: detected as usual.
    assert bodies["german_expected"]["language_code"] == "de"
    assert bodies["german_expected"]["language_confidence"] > 0.9
    assert basic_wer(reference, done["german_expected"].text) < 0.5, done["german_expected"].text
    # "auto" with German not expected: the likelier of the expected languages, never the detected one.
    assert bodies["best_of_expected"]["language_code"] in ("fr", "es")


# --------------------------------------------------------------------------- audio_start_from / audio_end_at


def test_on_low_language_confidence_fallback_transcribes_instead_of_failing(server, shared_audio) -> None:
    path, language, reference = multilingual_ref(shared_audio, "pv_leopard_test_es")  # es, 0.9889
    strict = {"language_detection": True, "language_confidence_threshold": 0.999}
    failed = raw_transcribe(server, path, **strict)
    assert failed["status"] == "error" and "on_low_language_confidence" in failed["error"], failed
    auto = raw_transcribe(
        server, path, **strict, language_detection_options={"on_low_language_confidence": "fallback"}
    )
    assert auto["status"] == "completed", auto["error"]
    assert auto["language_code"] == language == "es"  # no fallback language named: the one detected
    assert basic_wer(reference, auto["text"]) < 0.5, auto["text"]
    named = raw_transcribe(
        server,
        path,
        **strict,
        language_detection_options={"on_low_language_confidence": "fallback", "fallback_language": "en"},
    )
    assert named["status"] == "completed", named["error"]
    assert named["language_code"] == "en"
    assert named["language_confidence"] < 0.5


def test_language_code_and_language_detection_together_are_a_400(aai_client, shared_audio) -> None:
    aai = aai_client
    config = aai.TranscriptionConfig(language_code="de", language_detection=True)
    with pytest.raises(aai.types.TranscriptError) as raised:
        aai.Transcriber(config=config).transcribe(str(shared_audio / "jfk" / "jfk.wav"))
    assert "cannot be used together with language_detection" in str(raised.value)


def test_localization_writes_english_in_british_spelling(aai_client, server, shared_audio) -> None:
    aai = aai_client
    path, language, reference = multilingual_ref(shared_audio, "fleurs-en-003")  # "... changes color ..."
    assert language == "en" and "color" in reference

    def config(localization: list[str] | None):
        options = aai.LanguageDetectionOptions(localization=localization)
        return aai.TranscriptionConfig(language_detection=True, language_detection_options=options)

    british = aai.Transcriber(config=config(["en_uk"])).submit(str(path))
    american = aai.Transcriber(config=config(None)).submit(str(path))
    british, american = british.wait_for_completion(), american.wait_for_completion()
    assert british.status == american.status == aai.TranscriptStatus.completed
    assert "colour" in british.text and "color " not in british.text, british.text
    assert "color" in american.text, american.text
    assert any(w.text.startswith("colour") for w in british.words)
    assert basic_wer(american.text, british.text.replace("colour", "color")) == 0


# --------------------------------------------------------------------------- code switching

# faster-whisper's test clip: English (0-29.5 s), then the same licence text in German (30.6-59.9 s).
EN_DE_CLIP = "fw_multilingual_en_de.mp3"
ENGLISH_WORDS = {"permission", "granted", "software", "copyright", "notice"}
GERMAN_WORDS = {"software", "genehmigung", "recht", "verwenden", "veröffentlichen", "bedingungen"}


def test_code_switching_decodes_each_language_in_its_own(aai_client, server, shared_audio) -> None:
    """Without code switching the German half comes out as a short English paraphrase ("to sell and
    transfer these rights to other companies."); with it, as German."""
    aai = aai_client
    path = shared_audio / "multilingual" / EN_DE_CLIP
    listed = aai.Transcriber(config=aai.TranscriptionConfig(language_codes=["en", "de"])).submit(str(path))
    detection = aai.LanguageDetectionOptions(expected_languages=["en", "de"], code_switching=True)
    detected = aai.Transcriber(
        config=aai.TranscriptionConfig(language_detection=True, language_detection_options=detection)
    ).submit(str(path))
    for transcript in (listed.wait_for_completion(), detected.wait_for_completion()):
        assert transcript.status == aai.TranscriptStatus.completed, transcript.error
        body = raw_json(server, transcript.id)
        assert set(body["language_codes"]) == {"en", "de"}, body["language_codes"]
        found = body["language_detection_results"]["code_switching_languages"]
        assert {f["language_code"] for f in found} == {"en", "de"}
        assert all(f["confidence"] > 0.9 for f in found), found  # measured 0.997, 0.998
        english = [w for w in transcript.words if w.end <= 30_000]
        german = [w for w in transcript.words if w.start >= 30_600]
        assert len(english) > 60 and len(german) > 50, (len(english), len(german))
        assert len(ENGLISH_WORDS & set(_basic(joined(english)).split())) >= 4, joined(english)
        assert len(GERMAN_WORDS & set(_basic(joined(german)).split())) >= 4, joined(german)
        assert [w.start for w in transcript.words] == sorted(w.start for w in transcript.words)


def test_audio_window_transcribes_only_that_window(aai_client, server, shared_audio) -> None:
    aai = aai_client
    folder = shared_audio / "longform"
    segments = read_tsv(folder / "dev_concat.segments.tsv")
    before, first, second, after = segments[4:8]  # utterances 6 and 7 (2.8 s, 5.1 s) and their neighbours
    # Half-way into the 0.6 s gaps, so the window holds exactly the two utterances.
    start_ms = round((float(before["end_s"]) + float(first["start_s"])) * 500)
    end_ms = round((float(second["end_s"]) + float(after["start_s"])) * 500)
    config = aai.TranscriptionConfig(audio_start_from=start_ms, audio_end_at=end_ms)
    transcript = aai.Transcriber(config=config).transcribe(str(folder / "dev_concat.flac"))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error

    body = raw_json(server, transcript.id)
    assert (body["audio_start_from"], body["audio_end_at"]) == (start_ms, end_ms)
    words = body["words"]
    assert words
    # Times stay relative to the whole file (50.66 s .. 59.76 s here), not to the window.
    assert words[0]["start"] >= start_ms
    assert all(start_ms - 200 <= w["start"] <= w["end"] <= end_ms + 200 for w in words)
    assert words[0]["start"] <= float(first["start_s"]) * 1000 + 1000
    assert words[-1]["end"] >= float(second["end_s"]) * 1000 - 1500

    assert wer([first["text"] + " " + second["text"]], [transcript.text]) < 0.15, transcript.text  # 0.04
    text = normalise(transcript.text)
    assert "shop" not in text, text  # both neighbours speak of a shop boy
    assert "margaret" not in text and "statement" not in text, text


# --------------------------------------------------------------------------- speech_threshold


def test_speech_threshold(aai_client, server, shared_audio, tmp_path) -> None:
    aai = aai_client
    speech = decode_audio(shared_audio / "jfk" / "jfk.wav")  # 11 s, speech from end to end
    silence = np.zeros(29 * 16000, dtype=np.float32)
    path = write_wav(tmp_path / "jfk_then_silence.wav", np.concatenate([speech, silence]))
    expected_fraction = len(speech) / (len(speech) + len(silence))  # 0.275; VAD measured 0.27

    strict = aai.Transcriber(config=aai.TranscriptionConfig(speech_threshold=0.5)).submit(str(path))
    lenient = aai.Transcriber(config=aai.TranscriptionConfig(speech_threshold=0.1)).submit(str(path))
    strict, lenient = strict.wait_for_completion(), lenient.wait_for_completion()

    assert strict.status == aai.TranscriptStatus.error
    assert "speech_threshold" in strict.error and "0.5" in strict.error, strict.error
    match = re.search(r"fraction (\d\.\d+)", strict.error)
    assert match, strict.error
    assert float(match.group(1)) == pytest.approx(expected_fraction, abs=0.05)
    assert raw_json(server, strict.id)["speech_threshold"] == 0.5

    assert lenient.status == aai.TranscriptStatus.completed, lenient.error
    assert "ask not what your country can do for you" in normalise(lenient.text)
    assert raw_json(server, lenient.id)["speech_threshold"] == 0.1


# --------------------------------------------------------------------------- multichannel / dual_channel


@pytest.fixture()
def stereo_two_speakers(shared_audio, tmp_path) -> tuple[Path, str]:
    """Left: JFK (11 s). Right: a LibriSpeech utterance starting 1 s in. Both real speech, 16 kHz."""
    left = decode_audio(shared_audio / "jfk" / "jfk.wav")
    utterance = decode_audio(shared_audio / "librispeech" / f"{RIGHT_UTTERANCE}.flac")
    refs = dict(
        line.split("\t", 1) for line in (shared_audio / "librispeech" / "refs.tsv").read_text().splitlines()
    )
    right = np.zeros_like(left)
    right[16000 : 16000 + len(utterance)] = utterance
    return write_wav(tmp_path / "stereo.wav", np.stack([left, right])), refs[RIGHT_UTTERANCE]


def check_two_channels(body: dict, right_reference: str) -> None:
    assert body["status"] == "completed", body["error"]
    assert body["audio_channels"] == 2
    words = body["words"]
    assert {w["channel"] for w in words} == {"1", "2"}
    left = [w for w in words if w["channel"] == "1"]
    right = [w for w in words if w["channel"] == "2"]
    assert wer([JFK_TEXT], [joined(left)]) < 0.15, joined(left)
    assert wer([right_reference], [joined(right)]) < 0.3, joined(right)
    assert right[0]["start"] >= 900  # the right channel is silent for its first second
    assert all(a["start"] <= b["start"] for a, b in pairwise(words))

    utterances = body["utterances"]
    assert utterances and {u["channel"] for u in utterances} == {"1", "2"}
    assert all(a["start"] <= b["start"] for a, b in pairwise(utterances))
    for utterance in utterances:
        assert utterance["words"], utterance
        assert {w["channel"] for w in utterance["words"]} == {utterance["channel"]}
        assert utterance["start"] <= utterance["words"][0]["start"]

    # Every word is in exactly one utterance.
    def key(w: dict) -> tuple:
        return (w["start"], w["channel"], w["text"])

    assert sorted(key(w) for u in utterances for w in u["words"]) == sorted(key(w) for w in words)


def test_multichannel_transcribes_each_channel(aai_client, server, stereo_two_speakers) -> None:
    aai = aai_client
    path, right_reference = stereo_two_speakers
    split = aai.Transcriber(config=aai.TranscriptionConfig(multichannel=True)).submit(str(path))
    mixed = aai.Transcriber().submit(str(path))
    split, mixed = split.wait_for_completion(), mixed.wait_for_completion()

    assert split.status == aai.TranscriptStatus.completed, split.error
    assert split.json_response["multichannel"] is True
    assert {w.channel for w in split.words} == {"1", "2"}  # the SDK's model carries channel too
    assert {u.channel for u in split.utterances} == {"1", "2"}
    check_two_channels(raw_json(server, split.id), right_reference)

    # Without the option the same file is one downmixed transcript.
    assert mixed.status == aai.TranscriptStatus.completed, mixed.error
    body = raw_json(server, mixed.id)
    assert body["words"] and all(w["channel"] is None for w in body["words"])
    assert "audio_channels" not in body and body["utterances"] is None  # only present with multichannel


def test_legacy_dual_channel_behaves_like_multichannel(server, stereo_two_speakers) -> None:
    path, right_reference = stereo_two_speakers
    body = raw_transcribe(server, path, dual_channel=True)
    assert body["dual_channel"] is True
    check_two_channels(body, right_reference)


def test_multichannel_on_a_real_eight_channel_file(aai_client, server, shared_audio) -> None:
    aai = aai_client
    path = shared_audio / "compressed" / "whisperkit_8_Channel_ID.m4a"  # each channel names itself
    transcript = aai.Transcriber(config=aai.TranscriptionConfig(multichannel=True)).transcribe(str(path))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    body = raw_json(server, transcript.id)
    assert body["audio_channels"] == 8
    by_channel: dict[str, str] = {}
    for word in body["words"]:
        by_channel[word["channel"]] = f"{by_channel.get(word['channel'], '')} {word['text']}"
    assert set(by_channel) <= {str(n) for n in range(1, 9)}
    said = {channel: normalise(text) for channel, text in by_channel.items()}
    # Measured: 1 front left, 2 front right, 3 center, 5/6 back left/right, 7/8 auxiliary left/right
    # (4 is the silent LFE channel).
    assert "front left" in said.get("1", ""), said
    assert "front right" in said.get("2", ""), said
    assert "left" in said.get("7", "") and "right" in said.get("8", ""), said
    assert all(a["start"] <= b["start"] for a, b in pairwise(body["utterances"]))
