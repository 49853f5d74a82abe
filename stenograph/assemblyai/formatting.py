"""``speech_understanding.response.custom_formatting`` on the wire: from the pipeline's result as a
transcript is made, and on a stored transcript (its JSON words and utterances) for the LLM
Gateway's ``POST /v1/understanding``. The formatting itself is deterministic (no language model)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stenograph.pipeline.transcribe import custom_formatted
from stenograph.pipeline.types import CustomFormatted, Utterance, Word


def custom_formatting_json(formatted: CustomFormatted) -> dict[str, Any]:
    return {
        "status": "success",
        "mapping": formatted.mapping,
        "formatted_text": formatted.text,
        "formatted_utterances": (
            [
                {"speaker": utterance.speaker, "start": utterance.start, "end": utterance.end, "text": text}
                for utterance, text in formatted.utterances
            ]
            if formatted.utterances is not None
            else None
        ),
    }


def format_stored(result: Mapping[str, Any], patterns: Mapping[str, str]) -> dict[str, Any]:
    """The response of ``custom_formatting`` with ``patterns`` ({"date": "mm/dd/yyyy"}) run on a
    stored transcript's words, and its utterances when it has them."""
    words = [_word(w) for w in result.get("words") or ()]
    # The formatter finds an utterance's words among the transcript's by identity.
    by_key = {(w.start, w.end, w.text, w.speaker, w.channel): w for w in words}
    stored_utterances = result.get("utterances")
    utterances = (
        [_utterance(u, by_key) for u in stored_utterances] if isinstance(stored_utterances, list) else None
    )
    return custom_formatting_json(custom_formatted(words, utterances, tuple(patterns.items())))


def _word(stored: Mapping[str, Any]) -> Word:
    return Word(
        text=str(stored.get("text") or ""),
        start=int(stored.get("start") or 0),
        end=int(stored.get("end") or 0),
        confidence=float(stored.get("confidence") or 0.0),
        channel=_channel(stored),
        speaker=stored.get("speaker"),
    )


def _channel(stored: Mapping[str, Any]) -> str | None:
    channel = stored.get("channel")
    return str(channel) if channel is not None else None


def _utterance(
    stored: Mapping[str, Any], by_key: Mapping[tuple[int, int, str, str | None, str | None], Word]
) -> Utterance:
    own = (_word(w) for w in stored.get("words") or ())
    words = tuple(
        found
        for w in own
        if (found := by_key.get((w.start, w.end, w.text, w.speaker, w.channel))) is not None
    )
    return Utterance(
        text=str(stored.get("text") or ""),
        start=int(stored.get("start") or 0),
        end=int(stored.get("end") or 0),
        confidence=float(stored.get("confidence") or 0.0),
        words=words,
        speaker=stored.get("speaker"),
        channel=_channel(stored),
    )
