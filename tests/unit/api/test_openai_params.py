"""The OpenAI route's form fields -> pipeline options, and the 400s naming the field at fault: the
diarizing model, chunking_strategy, languages[], keywords and known speakers."""

from __future__ import annotations

import pytest

from stenograph.api.multipart import Form
from stenograph.api.openai.errors import OpenAIError
from stenograph.api.openai.params import Params, parse_params
from stenograph.pipeline import VadSettings
from stenograph.pipeline.asr import whisper_decode_kwargs

DIARIZE = {"model": "gpt-4o-transcribe-diarize", "response_format": "diarized_json"}


def params(**fields: str | list[str]) -> Params:
    form = Form(
        fields={name: value if isinstance(value, list) else [value] for name, value in fields.items()}
    )
    return parse_params(form, "tiny.en")


def refused(**fields: str | list[str]) -> OpenAIError:
    with pytest.raises(OpenAIError) as caught:
        params(**fields)
    assert caught.value.status_code == 400
    return caught.value


@pytest.mark.parametrize("fmt", ["json", "text", "diarized_json"])
def test_the_diarizing_model_diarizes_for_diarized_json(fmt: str) -> None:
    """json and text are the plain text, as on OpenAI: the same words without the diarization."""
    options = params(model="gpt-4o-transcribe-diarize", response_format=fmt).options()
    assert options.speaker_labels is (fmt == "diarized_json") and options.vad is None


@pytest.mark.parametrize("fmt", ["srt", "vtt", "verbose_json"])
def test_the_diarizing_model_refuses_other_formats(fmt: str) -> None:
    error = refused(model="gpt-4o-transcribe-diarize", response_format=fmt)
    assert error.param == "response_format" and "json, text, diarized_json" in error.message


@pytest.mark.parametrize(
    ("fields", "vad"),
    [
        ({"chunking_strategy": "auto"}, None),
        ({"chunking_strategy[type]": "server_vad"}, VadSettings()),
        (
            {
                "chunking_strategy[type]": "server_vad",
                "chunking_strategy[threshold]": "0.6",
                "chunking_strategy[silence_duration_ms]": "500",
                "chunking_strategy[prefix_padding_ms]": "300",
            },
            VadSettings(threshold=0.6, min_silence_ms=500, speech_pad_ms=300),
        ),
        (  # one JSON object in the field, as a hand-made form may send it
            {"chunking_strategy": '{"type": "server_vad", "threshold": 0.3}'},
            VadSettings(threshold=0.3),
        ),
    ],
)
def test_chunking_strategy(fields: dict[str, str], vad: VadSettings | None) -> None:
    options = params(**DIARIZE, **fields).options()
    assert options.vad == vad
    kwargs = whisper_decode_kwargs(options, "en")
    if vad is None or vad == VadSettings():
        assert "vad_parameters" not in kwargs  # faster-whisper's defaults, as without the field
    else:
        expected = {"threshold": vad.threshold, "min_silence_duration_ms": vad.min_silence_ms}
        expected["speech_pad_ms"] = vad.speech_pad_ms
        assert kwargs["vad_parameters"] == {k: v for k, v in expected.items() if v is not None}
        assert kwargs["vad_filter"] is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"chunking_strategy": "manual"}, "must be 'auto' or a server_vad object"),
        ({"chunking_strategy[type]": "client_vad"}, "type must be 'server_vad'"),
        ({"chunking_strategy[type]": "server_vad", "chunking_strategy[eagerness]": "low"}, "'eagerness'"),
        ({"chunking_strategy[type]": "server_vad", "chunking_strategy[threshold]": "1.5"}, "threshold"),
        ({"chunking_strategy[type]": "server_vad", "chunking_strategy[threshold]": "nan"}, "threshold"),
        (
            {"chunking_strategy[type]": "server_vad", "chunking_strategy[silence_duration_ms]": "20.5"},
            "silence_duration_ms: must be a whole number from 0 to 10000",
        ),
        (
            {"chunking_strategy[type]": "server_vad", "chunking_strategy[prefix_padding_ms]": "-1"},
            "prefix_padding_ms",
        ),
        ({"chunking_strategy": "auto", "chunking_strategy[type]": "server_vad"}, "either 'auto' or"),
    ],
)
def test_bad_chunking_strategy_is_a_400(fields: dict[str, str], message: str) -> None:
    error = refused(**DIARIZE, **fields)
    assert error.param == "chunking_strategy" and message in error.message, error.message


def test_languages_restrict_detection_and_keywords_are_key_terms() -> None:
    fields = {"languages[]": ["de", "fr"], "keywords[]": ["Subiaco", "Ada"]}
    options = params(model="gpt-transcribe", **fields).options()
    assert options.language_detection and options.expected_languages == ("de", "fr")
    assert options.keyterms == ("Subiaco", "Ada")
    assert refused(model="gpt-transcribe", **{"languages[]": ["de", "xx"]}).param == "languages"
    assert refused(model="gpt-transcribe", language="de", **{"languages[]": ["de"]}).param == "languages"


def test_known_speakers_need_references_and_the_diarizing_model() -> None:
    error = refused(**DIARIZE, **{"known_speaker_names[]": ["Ada"]})
    assert error.param == "known_speaker_references" and "known_speaker_names needs" in error.message
    error = refused(model="gpt-transcribe", **{"known_speaker_names[]": ["Ada"]})
    assert error.param == "known_speaker_names" and "gpt-4o-transcribe-diarize" in error.message
    reference = "data:audio/wav;base64,UklGRg=="
    two = {"known_speaker_names[]": ["Ada", "Ada"], "known_speaker_references[]": [reference, reference]}
    assert refused(**DIARIZE, **two).param == "known_speaker_names"
    five = {"known_speaker_names[]": list("abcde"), "known_speaker_references[]": [reference] * 5}
    assert "at most 4" in refused(**DIARIZE, **five).message
    known = params(**DIARIZE, **{"known_speaker_names[]": ["Ada"], "known_speaker_references[]": [reference]})
    assert known.known_speakers == (("Ada", b"RIFF"),)
