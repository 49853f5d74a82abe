"""The pipeline's steps in one place: audio in, transcript out.

    decode -> window (audio_start_from / audio_end_at) -> speech-fraction check -> language
    -> ASR per channel -> text form per segment -> speakers -> utterances

Each step lives in its own module (``audio``, ``asr``, ``textform``, ``diarization``,
``utterances``); this function only orders them. Steps that act on the finished words (redaction,
understanding) are called here, after speakers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from stenograph.pipeline import asr, code_switching, textform
from stenograph.pipeline.audio import (
    DEFAULT_AUDIO_LIMITS,
    SAMPLE_RATE,
    AudioLimits,
    check_duration,
    decode_audio,
)
from stenograph.pipeline.code_switching import LanguageRun
from stenograph.pipeline.languages import whisper_language
from stenograph.pipeline.models import (
    DEFAULT_MODEL_SETTINGS,
    ModelSettings,
    choose_model,
    get_whisper_model,
    is_english_only,
)
from stenograph.pipeline.sentences import sentence_spans
from stenograph.pipeline.types import (
    CustomFormatted,
    Entity,
    Highlight,
    PipelineError,
    Redaction,
    SafetyLabel,
    SafetyResult,
    SafetySegment,
    Segment,
    SentenceSentiment,
    TopicResult,
    TopicSegment,
    TranscribeOptions,
    TranscriptResult,
    UnredactedCopy,
    Utterance,
    Word,
)
from stenograph.pipeline.utterances import channel_utterances, speaker_utterances

Progress = Callable[[float], None]


def plan_model(options: TranscribeOptions) -> tuple[str, str | None]:
    """(model that will run, Whisper language or None for detection) for these options."""
    model = choose_model(options.model, options.language_code, options.detects_language)
    if is_english_only(model):
        return model, "en"
    return model, None if options.detects_language else whisper_language(options.language_code)


def transcribe(
    audio: str | Path | np.ndarray,
    options: TranscribeOptions,
    progress: Progress | None = None,
    models: ModelSettings = DEFAULT_MODEL_SETTINGS,
    limits: AudioLimits = DEFAULT_AUDIO_LIMITS,
) -> TranscriptResult:
    """Transcribe a file (any format PyAV reads) or 16 kHz float32 samples ((samples,) or
    (channels, samples)).

    ``progress`` receives the fraction of the audio transcribed so far (0..1), once per segment.
    ``models`` says where models run (device, threads, cache); ``limits`` what a file may hold
    (duration, channels, sample rate) before it is refused. Raises ``PipelineError`` subclasses
    (messages meant for the user) for unusable input.
    """
    model_name, language = plan_model(options)
    channels = _as_channels(audio, options.multichannel, limits)
    check_duration(channels[0], SAMPLE_RATE)
    duration = channels.shape[1] / SAMPLE_RATE
    window, offset_ms = _window(channels, options)
    mono = window.mean(axis=0) if len(window) > 1 else window[0]
    if options.speech_threshold:
        _check_speech_fraction(mono, options.speech_threshold)

    model = get_whisper_model(model_name, models)
    language_confidence = None
    if language is None and (options.language_detection or not options.switches_language):
        language, language_confidence = asr.detect_language(model, mono, options)
    runs = _language_runs(model, window, language, options)
    main = language or _most_spoken(runs)

    segments: list[Segment] = []
    window_seconds = max(window.shape[1] / SAMPLE_RATE, 1e-9)
    for index, samples in enumerate(window):
        channel = str(index + 1) if options.multichannel else None
        for run in runs[index]:
            run_offset_ms = offset_ms + round(run.start * 1000 / SAMPLE_RATE)

            def report(seconds: float, done_channels: int = index, run_start: int = run.start) -> None:
                if progress is not None:
                    done = done_channels + (run_start / SAMPLE_RATE + seconds) / window_seconds
                    progress(min(1.0, done / len(window)))

            kwargs = asr.whisper_decode_kwargs(options, run.language)
            # Localized spelling is for English only.
            form = options if run.language == "en" else replace(options, british_spelling=False)
            run_samples = samples[run.start : run.end]
            for segment in asr.decode(model, run_samples, kwargs, run_offset_ms, channel, report):
                segments.append(_with_text_form(segment, form))
    if options.speaker_labels:
        segments = _with_speakers(segments, window, offset_ms, options)
    if progress is not None:
        progress(1.0)

    segments = [s for s in sorted(segments, key=lambda s: (s.start, s.channel or "")) if s.words]
    guarded = None
    if options.english_only_features:
        _check_english(runs, options.english_only_features[0])
    if options.redact_pii or options.entity_detection:
        guarded = _guarded(segments, options)
    unredacted = None
    if guarded is not None:
        if options.return_unredacted:
            unredacted = _unredacted_copy(segments, options)
        segments = guarded.segments
    words = _words_in_order(segments)
    utterances = _utterances(segments, options)
    return TranscriptResult(
        text=textform.join_text(words),
        words=words,
        segments=segments,
        confidence=round(sum(w.confidence for w in words) / len(words), 4) if words else None,
        audio_duration=duration,
        audio_channels=len(channels),
        language_code=main,
        language_confidence=language_confidence,
        language_codes=_languages_spoken(runs) if options.detects_language else None,
        code_switching_languages=_switching_confidences(runs) if options.switches_language else None,
        speech_model_used=model_name,
        utterances=utterances,
        redactions=guarded.redactions if guarded is not None and options.redact_pii else None,
        unredacted=unredacted,
        entities=guarded.entities if guarded is not None and options.entity_detection else None,
        sentiment_analysis=_sentiments(words) if options.sentiment_analysis else None,
        highlights=_highlights(words) if options.auto_highlights else None,
        topics=_topics(words) if options.iab_categories else None,
        content_safety=(
            _content_safety(words, options.content_safety_confidence) if options.content_safety else None
        ),
        custom_formatting=(
            custom_formatted(
                words, utterances if options.speaker_labels else None, options.custom_formatting
            )
            if options.custom_formatting
            else None
        ),
    )


_FORMATTED_POLICIES = {
    "date": "date",
    "date_of_birth": "date",
    "phone_number": "phone_number",
    "email_address": "email",
}


def custom_formatted(
    words: list[Word], utterances: list[Utterance] | None, patterns: tuple[tuple[str, str], ...]
) -> CustomFormatted:
    """Dates, phone numbers and addresses found by the guardrails' recognisers, rewritten to the
    asked patterns (understanding.formatting); text and ``utterances`` with them replaced."""
    from stenograph.pipeline import guardrails
    from stenograph.understanding import formatting

    wanted = dict(patterns)
    formatters = {
        "date": formatting.format_date,
        "phone_number": formatting.format_phone,
        "email": formatting.format_email,
    }
    mapping: dict[str, str] = {}
    replaced: dict[int, tuple[int, str]] = {}  # first word index -> (last word index, new text)
    for indexes in _channels(words):
        own = [words[i] for i in indexes]
        for entity, written in guardrails.find_in_words(own):
            kind = _FORMATTED_POLICIES.get(entity.policy)
            if kind is None or kind not in wanted:
                continue
            formatted = formatters[kind](written, wanted[kind])
            if formatted is None:
                continue
            said = textform.join_text(own[entity.first : entity.last + 1])
            _, core, trail = textform.split_edges(said)
            mapping[core] = formatted
            replaced[indexes[entity.first]] = (indexes[entity.last], formatted + trail)

    def rewritten(span: list[int]) -> str:
        parts, i = [], 0
        while i < len(span):
            index = span[i]
            if index in replaced:
                last, text = replaced[index]
                parts.append(text)
                while i < len(span) and span[i] <= last:
                    i += 1
                continue
            parts.append(words[index].text.strip())
            i += 1
        return " ".join(parts)

    position = {id(w): i for i, w in enumerate(words)}
    return CustomFormatted(
        mapping,
        rewritten(list(range(len(words)))),
        [(u, rewritten([position[id(w)] for w in u.words])) for u in utterances]
        if utterances is not None
        else None,
    )


def _highlights(words: list[Word]) -> list[Highlight]:
    """Key phrases of the words as they stand (redacted, when redaction was asked for: a hidden
    word is no key phrase)."""
    from stenograph.understanding import highlights

    return [
        Highlight(
            phrase.text,
            phrase.rank,
            tuple((words[first].start, words[last].end) for first, last in phrase.occurrences),
        )
        for phrase in highlights.key_phrases([w.text for w in words])
        if "#" not in phrase.text and "[" not in phrase.text
    ]


def _sentences(words: list[Word]) -> list[list[Word]]:
    """The sentences of the transcript, in time order; none spans two speakers or channels."""
    spans = sentence_spans(words, [(w.speaker, w.channel) for w in words])
    return [words[span.start : span.stop] for span in spans]


def _span_of(sentences: list[list[Word]], first: int, last: int) -> tuple[str, int, int]:
    """The text, start and end (ms) of sentences ``first`` to ``last``."""
    words = [w for sentence in sentences[first : last + 1] for w in sentence]
    return textform.join_text(words), words[0].start, words[-1].end


def _topics(words: list[Word]) -> TopicResult:
    """IAB topics per segment of whole sentences, of the words as they stand."""
    from stenograph.understanding import topics

    sentences = _sentences(words)
    found = topics.detect([textform.join_text(s) for s in sentences])
    return TopicResult(
        [TopicSegment(*_span_of(sentences, seg.first, seg.last), seg.labels) for seg in found.segments],
        found.summary,
    )


def _content_safety(words: list[Word], threshold: int) -> SafetyResult:
    """Sensitive content per segment of whole sentences; swear words as filter_profanity knows them."""
    from stenograph.understanding import safety

    sentences = _sentences(words)
    found = safety.detect([textform.join_text(s) for s in sentences], textform.is_profane, threshold)
    return SafetyResult(
        [
            SafetySegment(
                *_span_of(sentences, seg.first, seg.last),
                seg.first,
                seg.last,
                tuple(SafetyLabel(x.label, x.confidence, x.severity) for x in seg.labels),
            )
            for seg in found.segments
        ],
        found.summary,
        found.severity_summary,
    )


def _sentiments(words: list[Word]) -> list[SentenceSentiment]:
    """Sentiment per sentence (sentences never span two speakers or channels), of the words as
    they stand (redacted, when redaction was asked for)."""
    from stenograph.understanding import sentiment

    spans = sentence_spans(words, [(w.speaker, w.channel) for w in words])
    sentences = [words[span.start : span.stop] for span in spans]
    texts = [textform.join_text(sentence) for sentence in sentences]
    return [
        SentenceSentiment(text, s[0].start, s[-1].end, label, confidence, s[0].speaker, s[0].channel)
        for text, s, (label, confidence) in zip(texts, sentences, sentiment.classify(texts), strict=True)
    ]


def _check_english(runs: list[list[LanguageRun]], feature: str) -> None:
    spoken = {run.language for channel in runs for run in channel if run.speech_samples}
    other = sorted(spoken - {"en"})
    if other:
        raise PipelineError(
            f"{feature} is supported for English audio only, and this audio was found to be in "
            f"{', '.join(repr(code) for code in other)}. Set language_code "
            "to 'en' if the audio is English."
        )


def _channels(words: list[Word]) -> list[list[int]]:
    """The indexes of each channel's words, in order (one list when channels are not apart): each
    channel is analysed on its own, as interleaving them would mix sentences."""
    channels: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        channels.setdefault(word.channel or "", []).append(index)
    return [channels[name] for name in sorted(channels)]


def _words_in_order(segments: list[Segment]) -> list[Word]:
    return sorted((w for s in segments for w in s.words), key=lambda w: (w.start, w.channel or ""))


def _utterances(segments: list[Segment], options: TranscribeOptions) -> list[Utterance] | None:
    if options.speaker_labels:
        return speaker_utterances(_words_in_order(segments))
    if options.multichannel:
        return channel_utterances(segments)
    return None


@dataclass
class _Guarded:
    segments: list[Segment]
    redactions: list[Redaction]
    entities: list[Entity]


def _guarded(segments: list[Segment], options: TranscribeOptions) -> _Guarded:
    """PII redaction and entity detection, each channel on its own (its words in time order)."""
    from stenograph.pipeline import guardrails

    request = None
    if options.redact_pii:
        request = guardrails.RedactionRequest(
            policies=frozenset(options.redact_policies),
            substitution=options.redact_substitution,
            static_entities={label: list(terms) for label, terms in options.redact_static_entities},
        )
    replaced: dict[int, Word] = {}  # id of an original word -> its redacted form
    redactions: list[Redaction] = []
    entities: list[Entity] = []
    words = _words_in_order(segments)
    for indexes in _channels(words):
        own = [words[i] for i in indexes]
        result = guardrails.guard(own, request, options.entity_detection)
        replaced.update({id(old): new for old, new in zip(own, result.words, strict=True)})
        redactions.extend(result.redactions)
        entities.extend(result.entities)
    out = []
    for segment in segments:
        guarded = [replaced.get(id(w), w) for w in segment.words]
        out.append(replace(segment, words=tuple(guarded), text=textform.join_text(guarded)))
    return _Guarded(
        out,
        sorted(redactions, key=lambda r: (r.start, r.channel or "")),
        sorted(entities, key=lambda e: (e.start, e.end)),
    )


def _unredacted_copy(segments: list[Segment], options: TranscribeOptions) -> UnredactedCopy:
    words = _words_in_order(segments)
    return UnredactedCopy(textform.join_text(words), words, _utterances(segments, options))


def _language_runs(
    model: Any, window: np.ndarray, language: str | None, options: TranscribeOptions
) -> list[list[LanguageRun]]:
    """Per channel, the runs to decode and the language of each: the whole channel in ``language``,
    or with code switching, each stretch of speech in its own."""
    if not options.switches_language:
        assert language is not None, "the language is known or detected before decoding"
        return [[LanguageRun(0, len(samples), language, len(samples))] for samples in window]
    candidates = code_switching.candidate_languages(options.language_codes or options.expected_languages)
    stretches = [
        code_switching.identify(model, samples, candidates, options.code_switching_threshold)
        for samples in window
    ]
    main = language or code_switching.main_language([s for c in stretches for s in c], candidates)
    if main is None:  # no candidates and no speech that could be identified
        main = asr.detect_language(model, window.mean(axis=0), options)[0]
    return [
        code_switching.language_runs(channel, main, len(samples))
        for channel, samples in zip(stretches, window, strict=True)
    ]


def _speech_by_language(runs: list[list[LanguageRun]]) -> dict[str, int]:
    speech: dict[str, int] = {}
    for run in (run for channel in runs for run in channel):
        speech[run.language] = speech.get(run.language, 0) + run.speech_samples
    return speech


def _most_spoken(runs: list[list[LanguageRun]]) -> str:
    speech = _speech_by_language(runs)
    return max(speech, key=speech.__getitem__)


def _languages_spoken(runs: list[list[LanguageRun]]) -> list[str]:
    speech = _speech_by_language(runs)
    return sorted(speech, key=lambda code: -speech[code])


def _switching_confidences(runs: list[list[LanguageRun]]) -> list[tuple[str, float]]:
    """Each language's confidence: the mean over the speech identified as it (0 when none was,
    only given it for want of a surer language)."""
    identified: dict[str, int] = {}
    mass: dict[str, float] = {}
    for run in (run for channel in runs for run in channel):
        identified[run.language] = identified.get(run.language, 0) + run.identified_samples
        mass[run.language] = mass.get(run.language, 0.0) + run.confidence_mass
    return [
        (code, round(mass[code] / identified[code], 4) if identified[code] else 0.0)
        for code in _languages_spoken(runs)
    ]


def _as_channels(audio: str | Path | np.ndarray, keep_channels: bool, limits: AudioLimits) -> np.ndarray:
    """(channels, samples) float32; one row (a downmix) unless channels are to be kept apart."""
    if isinstance(audio, np.ndarray):
        samples = np.ascontiguousarray(audio, dtype=np.float32)
        if samples.ndim == 1:
            samples = samples[np.newaxis, :]
        if samples.ndim != 2:
            raise ValueError(f"expected mono or (channels, samples) audio, got shape {samples.shape}")
        return samples if keep_channels else samples.mean(axis=0, keepdims=True)
    decoded = decode_audio(audio, SAMPLE_RATE, keep_channels=keep_channels, limits=limits)
    return decoded if keep_channels else decoded[np.newaxis, :]


def _window(channels: np.ndarray, options: TranscribeOptions) -> tuple[np.ndarray, int]:
    """The part between audio_start_from and audio_end_at, and its offset in ms."""
    start_ms = options.start_ms or 0
    total_ms = channels.shape[1] * 1000 // SAMPLE_RATE
    end_ms = min(options.end_ms, total_ms) if options.end_ms is not None else total_ms
    if start_ms >= total_ms:
        raise PipelineError(f"audio_start_from ({start_ms} ms) is past the end of the audio ({total_ms} ms).")
    if end_ms <= start_ms:
        raise PipelineError(f"audio_end_at ({end_ms} ms) must be after audio_start_from ({start_ms} ms).")
    window = channels[:, start_ms * SAMPLE_RATE // 1000 : end_ms * SAMPLE_RATE // 1000]
    check_duration(window[0], SAMPLE_RATE)
    return window, start_ms


def _check_speech_fraction(mono: np.ndarray, threshold: float) -> None:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(mono, VadOptions())
    fraction = sum(span["end"] - span["start"] for span in spans) / max(len(mono), 1)
    if fraction < threshold:
        raise PipelineError(
            f"Audio speech fraction {fraction:.2f} is below the requested speech_threshold of {threshold}: "
            "the file holds too little speech."
        )


def _with_text_form(segment: Segment, options: TranscribeOptions) -> Segment:
    words = textform.apply_options(list(segment.words), options)
    words = [replace(w, channel=segment.channel) for w in words]
    return replace(segment, words=tuple(words), text=textform.join_text(words))


def _with_speakers(
    segments: list[Segment], window: np.ndarray, offset_ms: int, options: TranscribeOptions
) -> list[Segment]:
    """Diarize each channel (the downmix when channels are not kept apart) and give every word its
    speaker: "A", "B", ... in order of first appearance, or "1A", "2A", ... per channel."""
    from stenograph.pipeline.diarization import assign_speakers, diarize

    out: list[Segment] = []
    for index, samples in enumerate(window):
        channel = str(index + 1) if options.multichannel else None
        own = [s for s in segments if s.channel == channel and s.words]
        if not own:
            continue
        turns = diarize(samples, options.speakers_expected, options.min_speakers, options.max_speakers)
        turns = [replace(t, start=t.start + offset_ms, end=t.end + offset_ms) for t in turns]
        labelled = iter(assign_speakers([w for s in own for w in s.words], turns, prefix=channel or ""))
        out.extend(replace(s, words=tuple(next(labelled) for _ in s.words)) for s in own)
    return out
