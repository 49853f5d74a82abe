"""Code switching: which language each stretch of speech is in, so each is decoded in its own.

Speech is cut at pauses (Silero VAD, stretches of at most 30 s, Whisper's window), Whisper's
language identification runs on each stretch, restricted to the candidate languages, and runs of
the same language are decoded together. A stretch too short to identify, or identified with less
confidence than the threshold, keeps the main language (the API's code_switching_confidence_threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from stenograph.pipeline.languages import whisper_language

SAMPLE_RATE = 16000
MAX_STRETCH_S = 30.0  # one Whisper window
MIN_PAUSE_MS = 500  # a pause this long may separate languages
MIN_IDENTIFIABLE_S = 1.0  # shorter stretches take the language around them


@dataclass(frozen=True)
class Stretch:
    start: int  # samples
    end: int
    language: str | None  # Whisper code; None: too short or too unsure to say
    confidence: float


@dataclass(frozen=True)
class LanguageRun:
    """Samples [start, end) of one channel, decoded in ``language``."""

    start: int
    end: int
    language: str
    speech_samples: int  # how much of it is speech (for the main language)
    identified_samples: int = 0  # speech identified as ``language`` (not given it for want of another)
    confidence_mass: float = 0.0  # the confidence of those stretches, weighted by their samples


def speech_stretches(samples: np.ndarray) -> list[tuple[int, int]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(max_speech_duration_s=MAX_STRETCH_S, min_silence_duration_ms=MIN_PAUSE_MS)
    return [(t["start"], t["end"]) for t in get_speech_timestamps(samples, options)]


def identify(model: Any, samples: np.ndarray, candidates: list[str], threshold: float) -> list[Stretch]:
    """Each stretch of speech with its language among ``candidates`` (Whisper codes; empty: any)
    and the confidence of it among them."""
    stretches = []
    for start, end in speech_stretches(samples):
        if (end - start) / SAMPLE_RATE < MIN_IDENTIFIABLE_S:
            stretches.append(Stretch(start, end, None, 0.0))
            continue
        _, _, ranked = model.detect_language(audio=samples[start:end], vad_filter=False)
        probabilities = {code: p for code, p in ranked if not candidates or code in candidates}
        total = sum(probabilities.values())
        if not total:
            stretches.append(Stretch(start, end, None, 0.0))
            continue
        language = max(probabilities, key=probabilities.__getitem__)
        confidence = probabilities[language] / total
        stretches.append(Stretch(start, end, language if confidence >= threshold else None, confidence))
    return stretches


def main_language(stretches: list[Stretch], candidates: list[str]) -> str | None:
    """The language with the most identified speech (the first candidate on a tie or with none)."""
    speech: dict[str, int] = {}
    for stretch in stretches:
        if stretch.language is not None:
            speech[stretch.language] = speech.get(stretch.language, 0) + stretch.end - stretch.start
    if speech:
        return max(speech, key=lambda code: (speech[code], -_rank(code, candidates)))
    return candidates[0] if candidates else None


def _rank(code: str, candidates: list[str]) -> int:
    return candidates.index(code) if code in candidates else len(candidates)


def language_runs(stretches: list[Stretch], main: str, n_samples: int) -> list[LanguageRun]:
    """The channel cut into runs of one language each, covering it whole; a cut falls in the middle
    of the pause between the last stretch of one language and the first of the next."""
    if not stretches:
        return [LanguageRun(0, n_samples, main, 0)]
    languages = [s.language or main for s in stretches]
    runs: list[LanguageRun] = []
    run_start, speech, identified, mass = 0, 0, 0, 0.0
    for index, stretch in enumerate(stretches):
        length = stretch.end - stretch.start
        speech += length
        if stretch.language is not None:
            identified += length
            mass += stretch.confidence * length
        last = index == len(stretches) - 1
        if last or languages[index + 1] != languages[index]:
            end = n_samples if last else (stretch.end + stretches[index + 1].start) // 2
            runs.append(LanguageRun(run_start, end, languages[index], speech, identified, mass))
            run_start, speech, identified, mass = end, 0, 0, 0.0
    return runs


def candidate_languages(codes: tuple[str, ...]) -> list[str]:
    """AssemblyAI codes (``en_us``, ``de``) as Whisper codes, in order, without repeats."""
    out: list[str] = []
    for code in codes:
        language = whisper_language(code)
        if language and language not in out:
            out.append(language)
    return out
