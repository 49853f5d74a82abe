"""The streaming protocols' wire format: the messages of Universal-Streaming v3 (``Begin``, ``Turn``,
``Termination``) and of the legacy v2 realtime API (``SessionBegins``, transcripts,
``SessionInformation``, ``SessionTerminated``), their close codes and reasons, and the audio chunk
limits. Built from :mod:`stenograph.streaming`'s own events (:class:`TurnEvent`, :class:`StreamWord`).

Unformatted text follows AssemblyAI: lower case, no punctuation, numbers as spoken words
(``textform.unformat`` + ``remove_punctuation``). Formatted text is the recogniser's own
punctuation and casing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from stenograph.pipeline import guardrails, textform
from stenograph.pipeline.types import Word
from stenograph.streaming.engine import StreamWord, TurnEvent
from stenograph.streaming.speakers import Revision

# --------------------------------------------------------------------------- close codes and limits

NORMAL_CLOSURE = 1000  # after Termination / SessionTerminated


@dataclass(frozen=True)
class CloseCodes:
    """The close codes a session uses, per protocol."""

    server_error: int
    invalid: int  # an invalid message or parameter
    bad_json: int
    too_short: int  # an audio chunk under MIN_CHUNK_MS
    too_long: int  # an audio chunk over the protocol's longest
    too_fast: int  # audio sent far faster than real time
    expired: int  # the maximum session duration passed
    too_many: int  # too many sessions, or a session closed because the server fell behind


V3_CODES = CloseCodes(3005, 3006, 3006, 3007, 3007, 3007, 3008, 3009)
V2_CODES = CloseCodes(1011, 4101, 4100, 4032, 4033, 4029, 4008, 4102)

V3_UNAUTHORIZED = 1008
V3_UNAUTHORIZED_REASON = "Unauthorized connection: missing or invalid API key or temporary token"

V2_NOT_AUTHORIZED = 4001
V2_NOT_AUTHORIZED_REASON = "Not Authorized"
V2_BAD_SAMPLE_RATE = 4000
V2_BAD_WORD_BOOST = 4104

MIN_CHUNK_MS, MAX_CHUNK_MS = 50.0, 1000.0  # v3 audio chunks
V2_MAX_CHUNK_MS = 2000.0


# --------------------------------------------------------------------------- words


_SENTENCE_END = (".", "?", "!")


def _as_words(words: Sequence[StreamWord]) -> list[Word]:
    return [
        Word(text=w.text, start=w.start, end=w.end, confidence=w.confidence, speaker=w.speaker) for w in words
    ]


def unformatted(words: Sequence[StreamWord]) -> list[Word]:
    return textform.remove_punctuation(textform.unformat(_as_words(words)))


def formatted(words: Sequence[StreamWord]) -> list[Word]:
    out = _as_words(words)
    if out and out[0].text[:1].islower():
        out[0] = replace(out[0], text=out[0].text[0].upper() + out[0].text[1:])
    if out and not out[-1].text.endswith(_SENTENCE_END):
        out[-1] = replace(out[-1], text=out[-1].text.rstrip(",;:-") + ".")
    return out


def _word_json(word: Word, final: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": word.start,
        "end": word.end,
        "text": word.text,
        "confidence": word.confidence,
        "word_is_final": final,
    }
    if final and word.speaker is not None:
        out["speaker"] = word.speaker
    return out


# --------------------------------------------------------------------------- v3


def v3_begin(session_id: str, expires_at: float) -> dict[str, Any]:
    """``Begin``: ``expires_at`` in Unix seconds."""
    return {"type": "Begin", "id": session_id, "expires_at": int(expires_at)}


@dataclass(frozen=True)
class StreamRedaction:
    """``redact_pii`` for a streaming session. PII is found in the words as the recogniser wrote them
    (cased, punctuated: the named-entity model needs that), then hidden in the words as sent, which
    may be unformatted ("diane", "five five five"): a sent word is hidden when it comes from a
    hidden word (same times)."""

    policies: frozenset[str]
    substitution: str  # "hash" or "entity_name"

    def hidden(self, words: Sequence[StreamWord]) -> dict[tuple[int, int], str]:
        """(start, end) of each word to hide -> its policy. The first call loads the models."""
        source = _as_words(words)
        return {
            (source[index].start, source[index].end): entity.policy
            for entity, _ in guardrails.find_in_words(source)
            if entity.policy in self.policies
            for index in range(entity.first, entity.last + 1)
        }

    def apply(self, words: list[Word], hidden: dict[tuple[int, int], str]) -> list[Word]:
        return [
            replace(word, text=guardrails.hidden_text(word.text, policy, self.substitution))
            if (policy := hidden.get((word.start, word.end))) is not None
            else word
            for word in words
        ]


def v3_turn(
    event: TurnEvent, *, formatted_text: bool = False, redact: StreamRedaction | None = None
) -> dict[str, Any]:
    """One v3 ``Turn`` message. ``formatted_text`` only for an ended turn (``turn_is_formatted``).
    With ``redact``, every word is redacted, partial words too (they would show the PII early)."""
    final = [w for w in event.words if w.final]
    partial = [w for w in event.words if not w.final]
    if formatted_text:
        final_words, partial_words = formatted(final), []
    else:
        final_words, partial_words = unformatted(final), unformatted(partial)
    if redact is not None and event.words:
        hidden = redact.hidden(event.words)
        final_words, partial_words = redact.apply(final_words, hidden), redact.apply(partial_words, hidden)
    message: dict[str, Any] = {
        "type": "Turn",
        "turn_order": event.turn_order,
        "turn_is_formatted": formatted_text,
        "end_of_turn": event.end_of_turn,
        "transcript": textform.join_text(final_words),
        "end_of_turn_confidence": event.end_of_turn_confidence,
        "words": [_word_json(w, True) for w in final_words] + [_word_json(w, False) for w in partial_words],
    }
    if event.speaker is not None:
        message["speaker_label"] = event.speaker
    if event.end_of_turn and event.language_code:
        message["language_code"] = event.language_code
        message["language_confidence"] = event.language_confidence
    return message


def v3_messages(
    event: TurnEvent, format_turns: bool, redact: StreamRedaction | None = None
) -> list[dict[str, Any]]:
    """The v3 messages for one engine event: the turn, and its formatted form when it ends and
    ``format_turns`` is on (same ``turn_order``)."""
    messages = [v3_turn(event, redact=redact)]
    if event.end_of_turn and format_turns:
        messages.append(v3_turn(event, formatted_text=True, redact=redact))
    return messages


def v3_session_messages(
    event: TurnEvent,
    *,
    format_turns: bool,
    language_detection: bool,
    language: str | None,
    redact: StreamRedaction | None = None,
) -> list[dict[str, Any]]:
    """:func:`v3_messages` as a session sends them: ``language_code`` and ``language_confidence``
    only with ``language_detection`` on, and then on every ended turn (the session's ``language``,
    English when none, with confidence 1 when the turn's language was not detected)."""
    if language_detection and event.end_of_turn and event.language_code is None:
        event = replace(event, language_code=language or "en", language_confidence=1.0)
    messages = v3_messages(event, format_turns, redact)
    if not language_detection:
        for message in messages:
            message.pop("language_code", None)
            message.pop("language_confidence", None)
    return messages


def v3_speaker_revision(
    revisions: Sequence[Revision], *, format_turns: bool, redact: StreamRedaction | None = None
) -> dict[str, Any]:
    """``SpeakerRevision``: the earlier turns where a speaker changed, each with its final words as
    last sent (formatted with ``format_turns``, redacted with ``redact``) carrying their new speakers."""
    items = []
    for revision in revisions:
        words = formatted(revision.words) if format_turns else unformatted(revision.words)
        if redact is not None and revision.words:
            words = redact.apply(words, redact.hidden(revision.words))
        items.append(
            {
                "turn_order": revision.turn_order,
                "speaker_label": revision.speaker,
                "words": [_word_json(w, True) for w in words],
            }
        )
    return {"type": "SpeakerRevision", "revisions": items}


def v3_silence(start_ms: int, end_ms: int) -> dict[str, Any]:
    """``Silence`` (with ``acknowledge_silence``): nobody has spoken from ``start_ms`` to ``end_ms``."""
    return {"type": "Silence", "start_ms": start_ms, "end_ms": end_ms}


def v3_heartbeat(audio_ms: int, session_ms: int, max_speech_probability: float) -> dict[str, Any]:
    """``Heartbeat`` (with ``session_heartbeat``): audio received against time passed, and the
    highest speech probability since the last heartbeat."""
    return {
        "type": "Heartbeat",
        "total_audio_received_ms": audio_ms,
        "total_duration_ms": session_ms,
        "realtime_factor": round(audio_ms / session_ms, 3) if session_ms else 0.0,
        "max_speech_probability": round(max_speech_probability, 3),
    }


def v3_termination(audio_seconds: float, session_seconds: int) -> dict[str, Any]:
    return {
        "type": "Termination",
        "audio_duration_seconds": round(audio_seconds),
        "session_duration_seconds": session_seconds,
    }


# --------------------------------------------------------------------------- v2 (legacy realtime)


def _naive_utc(timestamp: dt.datetime) -> str:
    return timestamp.replace(tzinfo=None).isoformat()


def v2_session_begins(session_id: str, expires_at: float) -> dict[str, Any]:
    """``SessionBegins``: ``expires_at`` in Unix seconds, sent as a naive UTC ISO timestamp."""
    expires = _naive_utc(dt.datetime.fromtimestamp(expires_at, dt.UTC))
    return {"message_type": "SessionBegins", "session_id": session_id, "expires_at": expires}


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
        "created": _naive_utc(dt.datetime.now(dt.UTC)),
    }
    if event.end_of_turn:
        message["punctuated"] = True
        message["text_formatted"] = True
    return message


def v2_session_information(audio_seconds: float) -> dict[str, Any]:
    return {"message_type": "SessionInformation", "audio_duration_seconds": round(audio_seconds, 3)}


def v2_session_terminated() -> dict[str, Any]:
    return {"message_type": "SessionTerminated"}
