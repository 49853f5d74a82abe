"""Plain data passed in and out of the pipeline. No HTTP, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # milliseconds from the start of the file
    end: int  # milliseconds
    confidence: float


@dataclass(frozen=True)
class TranscribeOptions:
    model: str = "tiny.en"  # one of stenograph.pipeline.models.MODEL_NAMES
    language_code: str | None = None  # Whisper language code; None: the model's default / detection


@dataclass
class TranscriptResult:
    text: str
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None
    audio_duration: float = 0.0  # seconds
    language_code: str | None = None
    language_confidence: float | None = None
    speech_model_used: str = ""


class PipelineError(Exception):
    """A failure whose message is meant for the user who sent the audio."""


class AudioDecodeError(PipelineError):
    pass


class AudioTooShortError(PipelineError):
    pass


class UnknownSpeechModelError(ValueError):
    pass
