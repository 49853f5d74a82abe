"""Audio in, transcript out: decode, VAD, ASR, text form, speakers. Usable as a library on its own.

from stenograph.pipeline import transcribe, TranscribeOptions
result = transcribe("meeting.mp3", TranscribeOptions(model="tiny.en"))

faster-whisper, CTranslate2 and torch load on first use, not on import.
"""

from stenograph.pipeline.audio import AudioLimits
from stenograph.pipeline.transcribe import transcribe
from stenograph.pipeline.types import (
    AudioDecodeError,
    AudioTooLongError,
    AudioTooShortError,
    PipelineError,
    TranscribeOptions,
    TranscriptResult,
    UnknownSpeechModelError,
    Utterance,
    VadSettings,
    Word,
)

__all__ = [
    "AudioDecodeError",
    "AudioLimits",
    "AudioTooLongError",
    "AudioTooShortError",
    "PipelineError",
    "TranscribeOptions",
    "TranscriptResult",
    "UnknownSpeechModelError",
    "Utterance",
    "VadSettings",
    "Word",
    "transcribe",
]
