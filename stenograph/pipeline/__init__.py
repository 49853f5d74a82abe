"""Audio in, transcript out: decode, VAD, ASR. Usable as a library on its own.

from stenograph.pipeline import transcribe, TranscribeOptions
result = transcribe("meeting.mp3", TranscribeOptions(model="tiny.en"))
"""

from stenograph.pipeline.types import (
    AudioDecodeError,
    AudioTooShortError,
    PipelineError,
    TranscribeOptions,
    TranscriptResult,
    UnknownSpeechModelError,
    Word,
)

__all__ = [
    "AudioDecodeError",
    "AudioTooShortError",
    "PipelineError",
    "TranscribeOptions",
    "TranscriptResult",
    "UnknownSpeechModelError",
    "Word",
    "transcribe",
]


def transcribe(*args, **kwargs):  # imported lazily: keeps faster-whisper out of `import stenograph`
    from stenograph.pipeline.asr import transcribe as _transcribe

    return _transcribe(*args, **kwargs)
