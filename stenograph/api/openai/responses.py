"""A transcript in OpenAI's response formats: json, text, srt, vtt and verbose_json."""

from __future__ import annotations

import math
import zlib
from typing import Any

from fastapi import Response
from fastapi.responses import JSONResponse, PlainTextResponse

from stenograph.api.openai.params import Params
from stenograph.pipeline import TranscriptResult
from stenograph.pipeline.subtitles import to_srt, to_vtt
from stenograph.pipeline.types import Segment

# Whisper's language names (openai/whisper tokenizer.LANGUAGES), as verbose_json reports them.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "english", "zh": "chinese", "de": "german", "es": "spanish", "ru": "russian",
    "ko": "korean", "fr": "french", "ja": "japanese", "pt": "portuguese", "tr": "turkish",
    "pl": "polish", "ca": "catalan", "nl": "dutch", "ar": "arabic", "sv": "swedish",
    "it": "italian", "id": "indonesian", "hi": "hindi", "fi": "finnish", "vi": "vietnamese",
    "he": "hebrew", "uk": "ukrainian", "el": "greek", "ms": "malay", "cs": "czech",
    "ro": "romanian", "da": "danish", "hu": "hungarian", "ta": "tamil", "no": "norwegian",
    "th": "thai", "ur": "urdu", "hr": "croatian", "bg": "bulgarian", "lt": "lithuanian",
    "la": "latin", "mi": "maori", "ml": "malayalam", "cy": "welsh", "sk": "slovak",
    "te": "telugu", "fa": "persian", "lv": "latvian", "bn": "bengali", "sr": "serbian",
    "az": "azerbaijani", "sl": "slovenian", "kn": "kannada", "et": "estonian", "mk": "macedonian",
    "br": "breton", "eu": "basque", "is": "icelandic", "hy": "armenian", "ne": "nepali",
    "mn": "mongolian", "bs": "bosnian", "kk": "kazakh", "sq": "albanian", "sw": "swahili",
    "gl": "galician", "mr": "marathi", "pa": "punjabi", "si": "sinhala", "km": "khmer",
    "sn": "shona", "yo": "yoruba", "so": "somali", "af": "afrikaans", "oc": "occitan",
    "ka": "georgian", "be": "belarusian", "tg": "tajik", "sd": "sindhi", "gu": "gujarati",
    "am": "amharic", "yi": "yiddish", "lo": "lao", "uz": "uzbek", "fo": "faroese",
    "ht": "haitian creole", "ps": "pashto", "tk": "turkmen", "nn": "nynorsk", "mt": "maltese",
    "sa": "sanskrit", "lb": "luxembourgish", "my": "myanmar", "bo": "tibetan", "tl": "tagalog",
    "mg": "malagasy", "as": "assamese", "tt": "tatar", "haw": "hawaiian", "ln": "lingala",
    "ha": "hausa", "ba": "bashkir", "jw": "javanese", "su": "sundanese", "yue": "cantonese",
}  # fmt: skip


def _compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return round(len(raw) / len(zlib.compress(raw)), 4) if raw else 0.0


def _segment_json(index: int, segment: Segment, temperature: float | None) -> dict[str, Any]:
    words = segment.words
    logprob = sum(math.log(max(w.confidence, 1e-6)) for w in words) / len(words) if words else 0.0
    return {
        "id": index,
        "seek": segment.start // 10,
        "start": segment.start / 1000,
        "end": segment.end / 1000,
        "text": segment.text,
        "tokens": [],
        "temperature": temperature or 0.0,
        "avg_logprob": round(logprob, 4),
        "compression_ratio": _compression_ratio(segment.text),
        "no_speech_prob": 0.0,
    }


def verbose_json(
    result: TranscriptResult, granularities: frozenset[str], temperature: float | None = None
) -> dict[str, Any]:
    code = result.language_code or "en"
    body: dict[str, Any] = {
        "task": "transcribe",
        "language": LANGUAGE_NAMES.get(code, code),
        "duration": round(result.audio_duration, 3),
        "text": result.text,
    }
    if not granularities or "segment" in granularities:
        body["segments"] = [_segment_json(i, s, temperature) for i, s in enumerate(result.segments)]
    if "word" in granularities:
        body["words"] = [{"word": w.text, "start": w.start / 1000, "end": w.end / 1000} for w in result.words]
    body["usage"] = _usage(result)
    return body


def _usage(result: TranscriptResult) -> dict[str, Any]:
    return {"type": "duration", "seconds": math.ceil(result.audio_duration)}


def diarized_json(result: TranscriptResult) -> dict[str, Any]:
    """OpenAI's ``TranscriptionDiarized``: one segment per speaker turn of our diarization."""
    return {
        "task": "transcribe",
        "duration": round(result.audio_duration, 3),
        "text": result.text,
        "segments": [
            {
                "type": "transcript.text.segment",
                "id": f"seg_{index}",
                "start": turn.start / 1000,
                "end": turn.end / 1000,
                "text": turn.text,
                "speaker": turn.speaker or "A",
            }
            for index, turn in enumerate(result.utterances or ())
        ],
        "usage": _usage(result),
    }


def render(result: TranscriptResult, params: Params) -> Response:
    if params.response_format == "text":
        return PlainTextResponse(result.text + "\n")
    if params.response_format == "srt":
        return PlainTextResponse(to_srt(result.words))
    if params.response_format == "vtt":
        return PlainTextResponse(to_vtt(result.words), media_type="text/vtt")
    if params.response_format == "diarized_json":
        return JSONResponse(diarized_json(result))
    if params.response_format == "verbose_json":
        return JSONResponse(verbose_json(result, params.granularities, params.temperature))
    return JSONResponse({"text": result.text, "usage": _usage(result)})
