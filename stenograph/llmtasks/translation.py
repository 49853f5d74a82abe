"""``speech_understanding.request.translation``: the transcript translated per utterance (or per
sentence without speakers), in batches of numbered lines under a JSON schema so each translation
stays with its line; joined for ``translated_texts``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stenograph.llmtasks.generate import Generator
from stenograph.llmtasks.text import estimate_tokens, sentences

TASK = "speech_understanding.translation"
BATCH_TOKENS = 500  # source text per generation: its translation must fit the output cap too

LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "pl": "Polish",
    "cs": "Czech",
    "sk": "Slovak",
    "hu": "Hungarian",
    "ro": "Romanian",
    "bg": "Bulgarian",
    "el": "Greek",
    "ru": "Russian",
    "uk": "Ukrainian",
    "tr": "Turkish",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
    "bn": "Bengali",
    "ur": "Urdu",
    "fa": "Persian",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "vi": "Vietnamese",
    "th": "Thai",
    "id": "Indonesian",
    "ms": "Malay",
    "tl": "Tagalog",
    "ca": "Catalan",
    "hr": "Croatian",
    "sr": "Serbian",
    "sl": "Slovenian",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "et": "Estonian",
}


def language_name(code: str) -> str | None:
    return LANGUAGES.get(code.lower().replace("-", "_").split("_")[0])


def source_lines(result: Mapping[str, Any]) -> tuple[list[str], bool]:
    """The lines translated, and whether they are the utterances."""
    utterances = result.get("utterances")
    if utterances:
        return [str(u.get("text") or "") for u in utterances], True
    return [s.text for s in sentences(result)], False


def translate_lines(gen: Generator, lines: Sequence[str], code: str, *, formal: bool) -> list[str]:
    name = language_name(code) or code
    register = "formal" if formal else "informal, natural"
    out: list[str] = []
    for batch in _batches(lines):
        schema = {
            "type": "object",
            "properties": {
                "translations": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": len(batch),
                    "maxItems": len(batch),
                }
            },
            "required": ["translations"],
        }
        numbered = "\n".join(f"{i + 1}. {line}" for i, line in enumerate(batch))
        source_tokens = sum(estimate_tokens(line) for line in batch)
        answer = gen.json(
            f"You are a professional translator. Translate each numbered line into {name}, in a "
            f"{register} register, keeping its meaning. Answer in JSON: 'translations', one "
            f"{name} string per line, in order, without the numbers.",
            numbered,
            schema,
            max_tokens=min(2000, 3 * source_tokens + 20 * len(batch) + 50),
            task=TASK,
        )
        out.extend(str(t).strip() for t in answer["translations"])
    return out


def _batches(lines: Sequence[str]) -> list[list[str]]:
    batches: list[list[str]] = []
    current: list[str] = []
    used = 0
    for line in lines:
        cost = estimate_tokens(line)
        if current and used + cost > BATCH_TOKENS:
            batches.append(current)
            current, used = [], 0
        current.append(line)
        used += cost
    if current:
        batches.append(current)
    return batches


def translate(
    gen: Generator,
    result: dict[str, Any],
    target_languages: Sequence[str],
    *,
    formal: bool = False,
    match_original_utterance: bool = False,
) -> dict[str, str]:
    """``translated_texts`` ({code: text}); with ``match_original_utterance``, each utterance's
    ``translated_texts`` too (in place)."""
    lines, are_utterances = source_lines(result)
    texts: dict[str, str] = {}
    per_line: dict[str, list[str]] = {}
    for code in target_languages:
        translated = translate_lines(gen, lines, code, formal=formal) if lines else []
        per_line[code] = translated
        texts[code] = " ".join(t for t in translated if t)
    if match_original_utterance and are_utterances:
        for index, utterance in enumerate(result.get("utterances") or ()):
            utterance["translated_texts"] = {code: per_line[code][index] for code in target_languages}
    return texts
