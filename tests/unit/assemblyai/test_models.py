"""AssemblyAI model names -> the packaged models that serve them."""

from __future__ import annotations

import pytest

from stenograph.assemblyai.models import (
    accepted_speech_model_names,
    resolve_speech_model,
    streaming_model_request,
)
from stenograph.pipeline import models
from stenograph.pipeline.types import UnknownSpeechModelError


@pytest.mark.parametrize(
    ("speech_models", "speech_model", "expected"),
    [
        (["nano"], None, "tiny.en"),
        (["universal-2"], None, "tiny.en"),
        (["best"], None, "base"),
        (["universal-3-pro", "universal-2"], None, "base"),
        (["universal-3-5-pro"], None, "base"),
        (["assemblyai-stt-3-7"], None, "base"),  # AssemblyAI's default from December 2026
        (["assemblyai-stt-3-7", "universal-2"], None, "base"),
        (["universal-3-6"], None, "base"),
        (["universal-3-6-pro"], None, "base"),
        (["slam-1"], "nano", "base"),  # the list wins over the legacy field
        (["foo", "nano"], None, "tiny.en"),  # unknown entries in a fallback list are skipped
        (["Universal-2"], None, "tiny.en"),
        (None, "universal", "base"),
        (None, "nano", "tiny.en"),
        ([], "best", "base"),
        (None, None, "tiny.en"),  # the default
        (None, "tiny.en", "tiny.en"),
        (None, "base", "base"),
    ],
)
def test_resolve(speech_models: list[str] | None, speech_model: str | None, expected: str) -> None:
    assert resolve_speech_model(speech_models, speech_model, "tiny.en") == expected


def test_resolve_default_alias() -> None:
    assert resolve_speech_model(None, None, "best") == "base"


def test_unknown_list() -> None:
    with pytest.raises(UnknownSpeechModelError, match=r"speech_models: unknown models 'foo', 'bar'") as err:
        resolve_speech_model(["foo", "bar"], None, "tiny.en")
    assert "Accepted values: " in str(err.value) and "nano" in str(err.value)


def test_unknown_legacy_field() -> None:
    with pytest.raises(UnknownSpeechModelError, match=r"speech_model: unknown model 'large'"):
        resolve_speech_model(None, "large", "tiny.en")


def test_unknown_default() -> None:
    with pytest.raises(UnknownSpeechModelError, match="STENOGRAPH_DEFAULT_MODEL"):
        resolve_speech_model(None, None, "whisper-huge")


def test_accepted_names() -> None:
    names = accepted_speech_model_names()
    assert names == sorted(names)
    assert {"nano", "best", "universal", "universal-2", "slam-1", "tiny.en", "base"} <= set(names)
    assert all(resolve_speech_model([n], None, "tiny.en") in models.MODEL_NAMES for n in names)


@pytest.mark.parametrize(
    ("speech_model", "expected"),
    [
        (None, ("tiny.en", False)),
        ("", ("tiny.en", False)),
        ("universal-streaming-english", ("tiny.en", False)),
        ("universal-streaming-multilingual", ("base", True)),
        ("whisper-rt", ("base", True)),
        ("assemblyai-stt-3-7-realtime", ("base", True)),
        ("universal-3-6", ("base", True)),
        ("universal-3-6-pro", ("base", True)),
        ("base", ("base", False)),
        ("nano", ("tiny.en", False)),
    ],
)
def test_streaming_model_request(speech_model: str | None, expected: tuple[str, bool]) -> None:
    assert streaming_model_request(speech_model, "tiny.en") == expected


def test_unknown_streaming_model() -> None:
    with pytest.raises(UnknownSpeechModelError, match="Invalid value for 'speech_model': 'large'"):
        streaming_model_request("large", "tiny.en")
