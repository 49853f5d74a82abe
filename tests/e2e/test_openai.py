"""The official ``openai`` Python client against the live server's /v1/audio/transcriptions."""

from __future__ import annotations

import base64
import io
import re
import wave
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import openai
import pytest

from stenograph.api.multipart import Form as _Form
from stenograph.api.openai.params import parse_params as _params
from stenograph.api.openai.responses import LANGUAGE_NAMES
from stenograph.pipeline.audio import decode_audio
from stenograph.pipeline.models import MULTILINGUAL_MODEL
from stenograph.pipeline.transcribe import plan_model
from tests.support.audio_refs import normalise, read_rttm, wer
from tests.support.live_server import LiveServer

JFK_LINE = "ask not what your country can do for you ask what you can do for your country"
# LJ001-0031: "... Sweynheim and Pannartz began printing in the monastery of Subiaco near Rome."
# Unprompted, tiny.en hears "Swayanheim and Panerts ... Subiakkul"; this prompt fixes all three.
PRINTERS_PROMPT = "Sweynheim and Pannartz at Subiaco."
PRINTERS_SPELLINGS = ("Sweynheim", "Pannartz", "Subiaco")
SRT_BLOCK = re.compile(
    r"(\d+)\n(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n(.+?)(?:\n\n|\n?$)", re.DOTALL
)


@pytest.fixture()
def client(server: LiveServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=f"{server.base_url}/v1", api_key=server.api_key, max_retries=0, timeout=120
    ) as c:
        yield c


@pytest.fixture()
def jfk(shared_audio: Path) -> Path:
    return shared_audio / "jfk" / "jfk.wav"


def _seconds(clock: str) -> float:
    hours, minutes, rest = clock.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def test_json_default(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        result = client.audio.transcriptions.create(model="whisper-1", file=fh)
    assert JFK_LINE in normalise(result.text)


def test_text_and_our_own_model_names(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        text = client.audio.transcriptions.create(model="tiny.en", file=fh, response_format="text")
    assert isinstance(text, str)
    assert JFK_LINE in normalise(text)


def test_srt(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        srt = client.audio.transcriptions.create(model="gpt-4o-transcribe", file=fh, response_format="srt")
    blocks = SRT_BLOCK.findall(srt)
    assert len(blocks) >= 2
    assert [int(b[0]) for b in blocks] == list(range(1, len(blocks) + 1))
    for _, start, end, _ in blocks:
        assert 0 <= _seconds(start) <= _seconds(end) <= 11.1
    assert JFK_LINE in normalise(" ".join(b[3] for b in blocks))


def test_vtt(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        vtt = client.audio.transcriptions.create(model="whisper-1", file=fh, response_format="vtt")
    assert vtt.startswith("WEBVTT")
    assert re.search(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", vtt)
    cues = [line for line in vtt.splitlines()[1:] if line and "-->" not in line]
    assert JFK_LINE in normalise(" ".join(cues))


def test_verbose_json_with_words_and_segments(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        result = client.audio.transcriptions.create(
            model="whisper-1",
            file=fh,
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
            language="en",
            temperature=0,
        )
    assert result.language == "english"
    assert result.duration == pytest.approx(11.0, abs=0.1)
    assert JFK_LINE in normalise(result.text)

    words = result.words or []
    assert len(words) >= 20
    for w in words:
        assert 0 <= w.start <= w.end <= 11.1
    for earlier, later in pairwise(words):
        assert earlier.start <= later.start and earlier.end <= later.start + 0.05
    assert JFK_LINE in normalise(" ".join(w.word for w in words))

    segments = result.segments or []
    assert segments and [s.id for s in segments] == list(range(len(segments)))
    for s in segments:
        assert 0 <= s.start <= s.end <= 11.1
        assert s.avg_logprob <= 0 and s.compression_ratio > 0
    for earlier, later in pairwise(segments):
        assert earlier.end <= later.start
    assert normalise(" ".join(s.text for s in segments)) == normalise(" ".join(w.word for w in words))


def test_verbose_json_defaults_to_segments_only(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        result = client.audio.transcriptions.create(
            model="whisper-1", file=fh, response_format="verbose_json"
        )
    assert result.segments and result.words is None
    assert result.task == "transcribe"


def test_wrong_key_is_authentication_error(server: LiveServer, jfk: Path) -> None:
    bad = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="not-a-key", max_retries=0)
    with jfk.open("rb") as fh, pytest.raises(openai.AuthenticationError) as caught:
        bad.audio.transcriptions.create(model="whisper-1", file=fh)
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.type == "invalid_request_error"


def test_not_audio_is_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(
            model="whisper-1", file=("notes.txt", b"these are not the sounds you are looking for\n")
        )
    assert "does not appear to contain audio" in caught.value.message
    assert caught.value.param == "file"


def _wav(samples: np.ndarray) -> bytes:
    """16-bit mono 16 kHz WAV of float samples."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def test_too_short_is_bad_request(client: openai.OpenAI) -> None:
    blip = _wav(np.zeros(800, dtype=np.float32))  # 50 ms
    with pytest.raises(openai.BadRequestError, match="too short"):
        client.audio.transcriptions.create(model="whisper-1", file=("blip.wav", blip))


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"model": "whisper-9000"}, "model"),
        ({"model": "whisper-1", "temperature": 1.5}, "temperature"),
        ({"model": "whisper-1", "temperature": -0.1}, "temperature"),
        ({"model": "whisper-1", "language": "xx"}, "language"),
        ({"model": "whisper-1", "timestamp_granularities": ["word"]}, "timestamp_granularities"),
        (
            {"model": "whisper-1", "chunking_strategy": {"type": "server_vad", "threshold": 2}},
            "chunking_strategy",
        ),
    ],
)
def test_rejected_options_are_bad_requests(
    client: openai.OpenAI, jfk: Path, kwargs: dict[str, object], param: str
) -> None:
    with jfk.open("rb") as fh, pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(file=fh, **kwargs)  # type: ignore[call-overload]
    assert caught.value.param == param
    assert caught.value.body["message"].startswith(param)


def test_language_names_cover_every_whisper_language() -> None:
    from stenograph.pipeline.languages import supported_language_codes

    assert set(supported_language_codes()) == set(LANGUAGE_NAMES)


def test_prompt_changes_rare_spellings(client: openai.OpenAI, shared_audio: Path) -> None:
    clip = shared_audio / "compressed" / "ljspeech_LJ001-0031.mp3"

    def transcribe(**kwargs: str) -> str:
        with clip.open("rb") as fh:
            return client.audio.transcriptions.create(
                model="whisper-1", file=fh, language="en", **kwargs
            ).text

    plain, prompted = transcribe(), transcribe(prompt=PRINTERS_PROMPT)
    assert "printing in the monastery" in plain and "printing in the monastery" in prompted
    for spelling in PRINTERS_SPELLINGS:
        assert spelling not in plain, plain
        assert spelling in prompted, prompted


def test_verbose_json_segments_are_whispers(client: openai.OpenAI, shared_audio: Path) -> None:
    clip = shared_audio / "multilingual" / "azure_en-US_train_audio1.wav"  # 35 s, several segments
    with clip.open("rb") as fh:
        result = client.audio.transcriptions.create(
            model="whisper-1", file=fh, response_format="verbose_json", language="en"
        )
    assert result.language == "english"
    segments = result.segments or []
    assert len(segments) >= 3
    assert [s.id for s in segments] == list(range(len(segments)))
    for s in segments:
        assert 0 <= s.start <= s.end <= result.duration
        assert s.text and s.text == s.text.strip()
    for earlier, later in pairwise(segments):
        assert earlier.start < later.start and earlier.end <= later.start
    assert " ".join(s.text for s in segments) == result.text
    assert "organized into projects" in normalise(result.text)


def test_no_language_is_detected(client: openai.OpenAI, shared_audio: Path) -> None:
    clip = shared_audio / "multilingual" / "pv_leopard_test_de.wav"
    # refs.tsv: "Der hinter diesem Portal liegenden Raum wurde als Leichenhalle genutzt."
    with clip.open("rb") as fh:
        result = client.audio.transcriptions.create(
            model="whisper-1", file=fh, response_format="verbose_json"
        )
    assert result.language == "german"
    assert "hinter diesem portal" in normalise(result.text)


def test_fixed_temperature_is_accepted_and_reported(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        result = client.audio.transcriptions.create(
            model="whisper-1", file=fh, response_format="verbose_json", language="en", temperature=0.5
        )
    assert result.text.strip()
    assert result.segments and {s.temperature for s in result.segments} == {0.5}


@pytest.mark.parametrize(
    ("fields", "model", "language", "detect", "temperature"),
    [
        ({"model": "whisper-1"}, MULTILINGUAL_MODEL, None, True, None),
        ({"model": "gpt-4o-mini-transcribe", "temperature": "0"}, MULTILINGUAL_MODEL, None, True, None),
        ({"model": "whisper-1", "language": "en", "temperature": "0.3"}, "tiny.en", "en", False, 0.3),
        ({"model": "whisper-1", "language": "de"}, MULTILINGUAL_MODEL, "de", False, None),
        ({"model": "tiny.en"}, "tiny.en", "en", False, None),  # our own names keep their defaults
        ({"model": "base", "language": "fr"}, "base", "fr", False, None),
    ],
)
def test_request_options(
    fields: dict[str, str], model: str, language: str | None, detect: bool, temperature: float | None
) -> None:
    form = _Form(fields={name: [value] for name, value in {**fields, "prompt": " Subiaco. "}.items()})
    options = _params(form, "tiny.en").options()
    assert plan_model(options) == (model, language)
    assert options.language_detection is detect
    assert options.temperature == temperature
    assert options.prompt == "Subiaco."


def _diarize(client: openai.OpenAI, path: Path, **extra: object) -> Any:
    with path.open("rb") as fh:
        return client.audio.transcriptions.create(  # type: ignore[call-overload]
            model="gpt-4o-transcribe-diarize",
            file=fh,
            response_format="diarized_json",
            chunking_strategy="auto",
            **extra,
        )


def _overlaps(segments: Any, reference: list[tuple[float, float, str]]) -> dict[tuple[str, str], float]:
    """Seconds shared by each (segment speaker, reference speaker) pair."""
    shared: dict[tuple[str, str], float] = {}
    for segment in segments:
        for start, end, who in reference:
            seconds = min(segment.end, end) - max(segment.start, start)
            if seconds > 0:
                shared[(segment.speaker, who)] = shared.get((segment.speaker, who), 0.0) + seconds
    return shared


def test_diarized_json_labels_each_speakers_turns(client: openai.OpenAI, shared_audio: Path) -> None:
    """ls_conv_2spk: LibriSpeech turns of two readers. Each speaker letter should cover mostly one
    reference speaker (purity over the segment time)."""
    folder = shared_audio / "diarization"
    result = _diarize(client, folder / "ls_conv_2spk.wav")
    assert result.task == "transcribe" and result.text and result.duration > 120
    segments = result.segments
    assert len({s.speaker for s in segments}) >= 2, [s.speaker for s in segments]
    assert all(
        s.type == "transcript.text.segment" and 0 <= s.start < s.end <= result.duration for s in segments
    )
    assert [s.start for s in segments] == sorted(s.start for s in segments)
    assert " ".join(s.text for s in segments).split() == result.text.split()
    overlap = _overlaps(segments, read_rttm(folder / "ls_conv_2spk.rttm"))
    total = sum(overlap.values())
    majority = sum(
        max(v for (hyp, _), v in overlap.items() if hyp == speaker) for speaker in {h for h, _ in overlap}
    )
    assert majority / total >= 0.85, overlap
    # the words: base (OpenAI's names detect the language) scored 7.7% WER on these test-other turns
    transcript = [
        line.split(maxsplit=5)[5] for line in (folder / "ls_conv_2spk.stm").read_text().splitlines()
    ]
    assert wer([" ".join(transcript)], [result.text]) <= 0.25


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"model": "gpt-4o-transcribe-diarize", "response_format": "srt"},
            "supports json, text, diarized_json",
        ),
        (
            {"model": "whisper-1", "response_format": "diarized_json"},
            "needs the model gpt-4o-transcribe-diarize",
        ),
    ],
)
def test_diarized_json_goes_with_the_diarizing_model(
    client: openai.OpenAI, jfk: Path, kwargs: dict[str, str], message: str
) -> None:
    with jfk.open("rb") as fh, pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(file=fh, **kwargs)  # type: ignore[call-overload]
    assert caught.value.param == "response_format" and message in caught.value.body["message"]


def test_the_diarizing_model_answers_json_and_text_plainly(client: openai.OpenAI, jfk: Path) -> None:
    with jfk.open("rb") as fh:
        text = client.audio.transcriptions.create(
            model="gpt-4o-transcribe-diarize", file=fh, response_format="text", language="en"
        )
    with jfk.open("rb") as fh:
        result = client.audio.transcriptions.create(model="gpt-4o-transcribe-diarize", file=fh, language="en")
    assert isinstance(text, str) and JFK_LINE in normalise(text)
    assert JFK_LINE in normalise(result.text)


def test_server_vad_chunking_sets_the_recognisers_vad(client: openai.OpenAI, jfk: Path) -> None:
    def text(strategy: dict[str, object]) -> str:
        with jfk.open("rb") as fh:
            return client.audio.transcriptions.create(
                model="gpt-4o-transcribe",
                file=fh,
                language="en",
                chunking_strategy=strategy,  # type: ignore[arg-type]
            ).text

    tuned = {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 500, "prefix_padding_ms": 300}
    assert JFK_LINE in normalise(text(tuned))
    assert text({"type": "server_vad", "threshold": 1.0}) == ""  # no frame is surer than certain: no speech


def test_gpt_transcribe_languages_restrict_detection(client: openai.OpenAI, shared_audio: Path) -> None:
    clip = shared_audio / "multilingual" / "pv_cheetah_test_de.wav"
    # refs.tsv: "Die Werbung vermittelt einen falschen Eindruck."

    def transcribe(languages: list[str]) -> openai.types.audio.TranscriptionVerbose:
        with clip.open("rb") as fh:
            return client.audio.transcriptions.create(
                model="gpt-transcribe", file=fh, response_format="verbose_json", languages=languages
            )

    german = transcribe(["de"])
    assert german.language == "german" and "werbung" in normalise(german.text)
    # Detection never leaves the list, even when the audio's language is not on it.
    assert transcribe(["es", "fr"]).language in ("spanish", "french")
    for kwargs, param in (
        ({"languages": ["de", "xx"]}, "languages"),
        ({"language": "de", "languages": ["de"]}, "languages"),
        ({"known_speaker_names": ["Ada"]}, "known_speaker_names"),
    ):
        with clip.open("rb") as fh, pytest.raises(openai.BadRequestError) as caught:
            client.audio.transcriptions.create(model="gpt-transcribe", file=fh, **kwargs)  # type: ignore[call-overload]
        assert caught.value.param == param


def test_gpt_transcribe_keywords_spell_rare_words(client: openai.OpenAI, shared_audio: Path) -> None:
    """Unprompted, tiny.en misspells all three names of LJ001-0031 (test_prompt_changes_rare_spellings);
    as keywords (Whisper's hotwords) they come out right."""
    with (shared_audio / "compressed" / "ljspeech_LJ001-0031.mp3").open("rb") as fh:
        text = client.audio.transcriptions.create(
            model="gpt-transcribe", file=fh, language="en", keywords=list(PRINTERS_SPELLINGS)
        ).text
    assert "printing in the monastery" in text
    for spelling in PRINTERS_SPELLINGS:
        assert spelling in text, text


def test_keywords_are_key_terms() -> None:
    form = _Form(fields={"model": ["gpt-transcribe"], "keywords": ["Subiaco, Ada Lovelace"]})
    options = _params(form, "tiny.en").options()
    assert options.keyterms == ("Subiaco", "Ada Lovelace")
    fields = {"model": ["gpt-4o-transcribe-diarize"], "response_format": ["diarized_json"]}
    diarize = _params(_Form(fields=fields), "tiny.en").options()
    assert diarize.speaker_labels and not options.speaker_labels


def _wav_data_url(samples: np.ndarray) -> str:
    return "data:audio/wav;base64," + base64.b64encode(_wav(samples)).decode()


def _under_each_label(
    segments: Any, reference: list[tuple[float, float, str]]
) -> dict[str, dict[str, float]]:
    """For each reference speaker, the seconds of their turns under each segment speaker label."""
    under: dict[str, dict[str, float]] = {}
    for (label, who), seconds in _overlaps(segments, reference).items():
        under.setdefault(who, {})[label] = seconds
    return under


def test_known_speakers_name_the_diarized_speakers(client: openai.OpenAI, shared_audio: Path) -> None:
    """ls_conv_2spk with references cut from each reader's last turn (3.5 and 7.5 s) and one of a
    voice in no file (the phone call's first speaker): the two readers get their names, the
    stranger's goes unused. Scored on the turns before the references, so that no reference is
    compared with itself."""
    folder = shared_audio / "diarization"
    audio = decode_audio(folder / "ls_conv_2spk.wav", 16000)
    reference = read_rttm(folder / "ls_conv_2spk.rttm")
    last_turns = {who: (start, end) for start, end, who in reference}  # the last one of each wins
    names = {who: f"reader-{who}" for who in sorted(last_turns)}
    call = decode_audio(folder / "pyannote_sample.wav", 16000)
    result = _diarize(
        client,
        folder / "ls_conv_2spk.wav",
        known_speaker_names=[*(names[who] for who in last_turns), "stranger"],
        known_speaker_references=[
            *(
                _wav_data_url(audio[int(s * 16000) : int(min(e, s + 8) * 16000)])
                for s, e in last_turns.values()
            ),
            _wav_data_url(call[6 * 16000 : 11 * 16000]),
        ],
    )
    assert {s.speaker for s in result.segments} == set(names.values()), {s.speaker for s in result.segments}
    checked = [(s, e, who) for s, e, who in reference if e <= min(s for s, _ in last_turns.values())]
    assert sum(e - s for s, e, _ in checked) > 100  # most of the conversation
    for who, under in _under_each_label(result.segments, checked).items():
        assert under.get(names[who], 0.0) / sum(under.values()) >= 0.9, (who, under)


def test_a_speaker_without_a_reference_keeps_its_letter(client: openai.OpenAI, shared_audio: Path) -> None:
    """ls_conv_3spk with references of two of its three readers from LibriSpeech utterances the
    conversation does not hold (another take of each voice, sent as FLAC): those two get their
    names, the third reader keeps a letter."""
    folder = shared_audio / "diarization"
    clips = {"2033": "2033-164914-0009.flac", "2414": "2414-128291-0007.flac"}  # 6.9 and 6.8 s
    result = _diarize(
        client,
        folder / "ls_conv_3spk.wav",
        known_speaker_names=[f"reader-{who}" for who in clips],
        known_speaker_references=[
            "data:audio/flac;base64,"
            + base64.b64encode((shared_audio / "librispeech" / name).read_bytes()).decode()
            for name in clips.values()
        ],
    )
    shares = _under_each_label(result.segments, read_rttm(folder / "ls_conv_3spk.rttm"))
    assert set(shares) == {"2033", "2414", "2609"}
    for who, under in shares.items():
        label = max(under, key=under.__getitem__)
        assert under[label] / sum(under.values()) >= 0.9, (who, under)
        if who in clips:
            assert label == f"reader-{who}", (who, under)
        else:
            assert re.fullmatch(r"[A-Z]", label), (who, under)


def test_known_speakers_need_readable_references(client: openai.OpenAI, jfk: Path) -> None:
    """Refused before any transcription: names without references, references that are not data
    URLs of audio, or clips outside OpenAI's 2-10 s."""
    speech = decode_audio(jfk, 16000)
    cases = (
        (["not a data url"], "not a base64 data URL"),
        ([], "known_speaker_names needs a reference clip"),
        (["data:audio/wav;base64," + base64.b64encode(b"no sound here").decode()], "is not audio"),
        ([_wav_data_url(speech[:16000])], "lasts 1 s; it must be between 2 and 10 seconds"),
        ([_wav_data_url(speech[: int(10.5 * 16000)])], "lasts 10.5 s"),
    )
    for references, message in cases:
        with jfk.open("rb") as fh, pytest.raises(openai.BadRequestError) as caught:
            client.audio.transcriptions.create(
                model="gpt-4o-transcribe-diarize",
                file=fh,
                response_format="diarized_json",
                known_speaker_names=["Ada"],
                known_speaker_references=references,
            )
        assert caught.value.param == "known_speaker_references"
        assert message in caught.value.body["message"], caught.value.body["message"]
