"""Plain data passed in and out of the pipeline. No HTTP, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # milliseconds from the start of the file
    end: int  # milliseconds
    confidence: float
    channel: str | None = None  # "1", "2", ... when channels are transcribed apart
    speaker: str | None = None  # "A", "B", ... ("1A", "2A", ... per channel) with speaker labels


@dataclass(frozen=True)
class Segment:
    """A stretch of speech as the recogniser decoded it (one Whisper segment)."""

    text: str
    start: int  # milliseconds
    end: int
    words: tuple[Word, ...]
    channel: str | None = None


@dataclass(frozen=True)
class Utterance:
    """A turn of one speaker (with speaker labels), or one decoded stretch of a channel (multichannel)."""

    text: str
    start: int  # milliseconds
    end: int
    confidence: float
    words: tuple[Word, ...]
    speaker: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Redaction:
    """A stretch of audio whose words were redacted as PII (what the redacted audio hides)."""

    start: int  # milliseconds from the start of the file
    end: int
    policy: str  # the PiiPolicy that matched, e.g. "person_name"
    channel: str | None = None


@dataclass(frozen=True)
class Entity:
    """An entity found by entity detection (AssemblyAI's ``Entity``)."""

    entity_type: str  # an EntityType, e.g. "location"
    text: str  # as it stands in the transcript (redacted there if it was redacted)
    start: int  # milliseconds
    end: int


@dataclass(frozen=True)
class CustomSpelling:
    sources: tuple[str, ...]  # AssemblyAI "from"
    target: str  # AssemblyAI "to"


@dataclass(frozen=True)
class VadSettings:
    """The recogniser's voice activity detection (faster-whisper's silero VAD before decoding);
    None keeps faster-whisper's default for that setting."""

    threshold: float | None = None  # speech probability above which a frame is speech (0.5)
    min_silence_ms: int | None = None  # silence this long ends a stretch of speech (2000)
    speech_pad_ms: int | None = None  # kept on each side of a stretch of speech (400)


@dataclass(frozen=True)
class TranscribeOptions:
    model: str = "tiny.en"  # one of stenograph.pipeline.models.MODEL_NAMES (or an alias)
    language_code: str | None = None  # None: English for English-only models, else detection
    # Language detection (multilingual model): restrict to expected languages, fall back, gate.
    language_detection: bool = False
    expected_languages: tuple[str, ...] = ()
    fallback_language: str | None = None  # None or "auto": best of the expected languages
    language_confidence_threshold: float | None = None
    low_confidence_fallback: bool = False  # below the threshold: the fallback language, not an error
    # Code switching: each stretch of speech in its own language, from these (Whisper or AssemblyAI
    # codes) or, with code_switching, from the expected languages (any when none are).
    language_codes: tuple[str, ...] = ()
    code_switching: bool = False
    code_switching_threshold: float = 0.3  # a stretch less sure than this keeps the main language
    # Decoding hints.
    prompt: str | None = None
    keyterms: tuple[str, ...] = ()
    temperature: float | None = None  # None: Whisper's temperature fallback schedule
    vad: VadSettings | None = None  # None: the recogniser's VAD with faster-whisper's defaults
    # What part of the audio, and how much speech it must hold.
    start_ms: int | None = None
    end_ms: int | None = None
    speech_threshold: float | None = None
    multichannel: bool = False
    # Text form (AssemblyAI semantics).
    punctuate: bool = True
    format_text: bool = True
    disfluencies: bool = False
    filter_profanity: bool = False
    custom_spelling: tuple[CustomSpelling, ...] = ()
    british_spelling: bool = False  # English written in British spelling (localization en_uk/en_au)
    # Speaker labels (diarization): the count exactly, or bounds on it; None: found automatically.
    speaker_labels: bool = False
    speakers_expected: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    # Guardrails (English): PII redaction and entity detection on the finished words.
    redact_pii: bool = False
    redact_policies: tuple[str, ...] = ()
    redact_substitution: str = "hash"  # or "entity_name"
    redact_static_entities: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (label, exact terms)
    return_unredacted: bool = False
    entity_detection: bool = False
    # Speech understanding (English): sentiment per sentence, key phrases.
    sentiment_analysis: bool = False
    auto_highlights: bool = False
    iab_categories: bool = False
    content_safety: bool = False
    content_safety_confidence: int = 50  # percent a label's confidence must reach
    # speech_understanding custom_formatting: (kind, pattern) with kind date, phone_number or email.
    custom_formatting: tuple[tuple[str, str], ...] = ()

    @property
    def english_only_features(self) -> list[str]:
        """The options asked for that work on English only (their request names)."""
        asked = {
            "redact_pii": self.redact_pii,
            "entity_detection": self.entity_detection,
            "sentiment_analysis": self.sentiment_analysis,
            "auto_highlights": self.auto_highlights,
            "iab_categories": self.iab_categories,
            "content_safety": self.content_safety,
            "speech_understanding.request.custom_formatting": bool(self.custom_formatting),
        }
        return [name for name, on in asked.items() if on]

    @property
    def switches_language(self) -> bool:
        return self.code_switching or bool(self.language_codes)

    @property
    def detects_language(self) -> bool:
        """The language is found from the audio: detected for the file, or per stretch of speech."""
        return self.language_detection or self.switches_language


@dataclass
class TranscriptResult:
    text: str
    words: list[Word] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    confidence: float | None = None
    audio_duration: float = 0.0  # seconds, of the whole file
    audio_channels: int = 1
    language_code: str | None = None
    language_confidence: float | None = None
    # The languages the transcript holds, most speech first (with detection or code switching).
    language_codes: list[str] | None = None
    # With code switching: (language, confidence) of each language found, most speech first.
    code_switching_languages: list[tuple[str, float]] | None = None
    speech_model_used: str = ""
    # With speaker labels or multichannel: the turns of the transcript; None otherwise.
    utterances: list[Utterance] | None = None
    # With redact_pii: every redacted stretch, in time order ([] when nothing was found); None otherwise.
    redactions: list[Redaction] | None = None
    # With redact_pii_return_unredacted: the transcript as it was before redaction.
    unredacted: UnredactedCopy | None = None
    # With entity_detection: the entities found, in time order.
    entities: list[Entity] | None = None
    # With sentiment_analysis: one per sentence, in time order.
    sentiment_analysis: list[SentenceSentiment] | None = None
    # With auto_highlights: the key phrases, most relevant first.
    highlights: list[Highlight] | None = None
    # With iab_categories: topics per segment and for the whole transcript.
    topics: TopicResult | None = None
    # With content_safety: sensitive content per segment.
    content_safety: SafetyResult | None = None
    # With custom_formatting: the text with dates, phone numbers and addresses in the asked patterns.
    custom_formatting: CustomFormatted | None = None


@dataclass
class CustomFormatted:
    mapping: dict[str, str]  # as said -> as formatted
    text: str
    utterances: list[tuple[Utterance, str]] | None  # each utterance and its formatted text


@dataclass(frozen=True)
class TopicSegment:
    text: str
    start: int  # milliseconds
    end: int
    labels: tuple[tuple[str, float], ...]  # (IAB label, relevance), most relevant first


@dataclass
class TopicResult:
    segments: list[TopicSegment]
    summary: dict[str, float]  # label -> relevance to the whole transcript


@dataclass(frozen=True)
class SafetyLabel:
    label: str
    confidence: float
    severity: float


@dataclass(frozen=True)
class SafetySegment:
    text: str
    start: int  # milliseconds
    end: int
    sentences_idx_start: int
    sentences_idx_end: int
    labels: tuple[SafetyLabel, ...]


@dataclass
class SafetyResult:
    segments: list[SafetySegment]  # those with a label
    summary: dict[str, float]
    severity_summary: dict[str, dict[str, float]]  # label -> {"low", "medium", "high"} shares


@dataclass(frozen=True)
class Highlight:
    text: str
    rank: float  # 0..1, greater is more relevant
    timestamps: tuple[tuple[int, int], ...]  # (start, end) in ms of every occurrence


@dataclass(frozen=True)
class SentenceSentiment:
    text: str
    start: int  # milliseconds
    end: int
    sentiment: str  # POSITIVE, NEUTRAL or NEGATIVE
    confidence: float
    speaker: str | None = None
    channel: str | None = None


@dataclass
class UnredactedCopy:
    text: str
    words: list[Word]
    utterances: list[Utterance] | None


class PipelineError(Exception):
    """A failure whose message is meant for the user who sent the audio."""


class AudioDecodeError(PipelineError):
    pass


class AudioTooShortError(PipelineError):
    pass


class AudioTooLongError(PipelineError):
    pass


class UnknownSpeechModelError(ValueError):
    pass
