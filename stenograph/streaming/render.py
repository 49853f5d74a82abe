"""Turn events -> the JSON messages of the two streaming protocols (v3 ``Turn``, v2 transcripts).

Unformatted text follows AssemblyAI: lower case, no punctuation, numbers as spoken words
(``textform.unformat`` + ``remove_punctuation``). Formatted text is the recogniser's own
punctuation and casing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stenograph.pipeline import textform
from stenograph.pipeline.types import Word
from stenograph.streaming.engine import StreamWord, TurnEvent

_SENTENCE_END = (".", "?", "!")


def _as_words(words: list[StreamWord] | tuple[StreamWord, ...]) -> list[Word]:
    return [Word(text=w.text, start=w.start, end=w.end, confidence=w.confidence) for w in words]


def unformatted(words: list[StreamWord] | tuple[StreamWord, ...]) -> list[Word]:
    return textform.remove_punctuation(textform.unformat(_as_words(words)))


def formatted(words: list[StreamWord] | tuple[StreamWord, ...]) -> list[Word]:
    out = _as_words(words)
    if out and out[0].text[:1].islower():
        out[0] = Word(out[0].text[0].upper() + out[0].text[1:], out[0].start, out[0].end, out[0].confidence)
    if out and not out[-1].text.endswith(_SENTENCE_END):
        last = out[-1]
        out[-1] = Word(last.text.rstrip(",;:-") + ".", last.start, last.end, last.confidence)
    return out


def _word_json(word: Word, final: bool) -> dict[str, Any]:
    return {
        "start": word.start,
        "end": word.end,
        "text": word.text,
        "confidence": word.confidence,
        "word_is_final": final,
    }


def v3_turn(event: TurnEvent, *, formatted_text: bool = False) -> dict[str, Any]:
    """One v3 ``Turn`` message. ``formatted_text`` only for an ended turn (``turn_is_formatted``)."""
    final = [w for w in event.words if w.final]
    partial = [w for w in event.words if not w.final]
    if formatted_text:
        final_words, partial_words = formatted(final), []
    else:
        final_words, partial_words = unformatted(final), unformatted(partial)
    message: dict[str, Any] = {
        "type": "Turn",
        "turn_order": event.turn_order,
        "turn_is_formatted": formatted_text,
        "end_of_turn": event.end_of_turn,
        "transcript": textform.join_text(final_words),
        "end_of_turn_confidence": event.end_of_turn_confidence,
        "words": [_word_json(w, True) for w in final_words] + [_word_json(w, False) for w in partial_words],
    }
    if event.end_of_turn and event.language_code:
        message["language_code"] = event.language_code
        message["language_confidence"] = event.language_confidence
    return message


def v3_messages(event: TurnEvent, format_turns: bool) -> list[dict[str, Any]]:
    """The v3 messages for one engine event: the turn, and its formatted form when it ends and
    ``format_turns`` is on (same ``turn_order``)."""
    messages = [v3_turn(event)]
    if event.end_of_turn and format_turns:
        messages.append(v3_turn(event, formatted_text=True))
    return messages


def _created() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()


def v2_transcript(event: TurnEvent) -> dict[str, Any]:
    """v2 ``PartialTranscript`` (every word so far, unformatted) or ``FinalTranscript`` (formatted)."""
    words = formatted(event.words) if event.end_of_turn else unformatted(event.words)
    message: dict[str, Any] = {
        "message_type": "FinalTranscript" if event.end_of_turn else "PartialTranscript",
        "audio_start": words[0].start if words else 0,
        "audio_end": words[-1].end if words else 0,
        "confidence": round(sum(w.confidence for w in words) / len(words), 4) if words else 0.0,
        "text": textform.join_text(words),
        "words": [
            {"start": w.start, "end": w.end, "confidence": w.confidence, "text": w.text} for w in words
        ],
        "created": _created(),
    }
    if event.end_of_turn:
        message["punctuated"] = True
        message["text_formatted"] = True
    return message
