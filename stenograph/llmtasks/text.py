"""The transcript as text for a prompt: sentences with their times, speaker lines, token estimates
and chunks that fit a budget (the long-transcript strategy: chunk, answer per chunk, combine)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A conservative estimate for English and most Latin-script text (about 4 characters a token for
# Qwen's and SmolLM2's tokenizers): a prompt estimated to fit does fit.
CHARS_PER_TOKEN = 3.0
ENDINGS = (".", "?", "!", "\u3002", "\uff1f", "\uff01")  # and the CJK full stop, ?, !


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # ms
    end: int
    speaker: str | None


def sentences(result: Mapping[str, Any], max_words: int = 60) -> list[Sentence]:
    """Whole sentences from the transcript's words (a run-on sentence is cut at ``max_words``)."""
    out: list[Sentence] = []
    run: list[Mapping[str, Any]] = []
    for word in result.get("words") or ():
        run.append(word)
        text = str(word.get("text") or "")
        if text.endswith(ENDINGS) or len(run) >= max_words:
            out.append(_sentence(run))
            run = []
    if run:
        out.append(_sentence(run))
    return out


def _sentence(words: Sequence[Mapping[str, Any]]) -> Sentence:
    return Sentence(
        text=" ".join(str(w.get("text") or "") for w in words),
        start=int(words[0].get("start") or 0),
        end=int(words[-1].get("end") or 0),
        speaker=words[0].get("speaker"),
    )


def speaker_lines(result: Mapping[str, Any]) -> list[str]:
    """ "A: text" per utterance when the transcript has speakers, else its sentences."""
    utterances = result.get("utterances")
    if utterances:
        return [f"{u.get('speaker') or '?'}: {u.get('text') or ''}" for u in utterances]
    return [s.text for s in sentences(result)]


def chunks(lines: Sequence[str], budget_tokens: int) -> list[str]:
    """Consecutive lines grouped into texts of at most ``budget_tokens`` (estimated); a line longer
    than the budget is cut at word boundaries."""
    out: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        for piece in _cut(line, budget_tokens):
            cost = estimate_tokens(piece) + 1
            if current and used + cost > budget_tokens:
                out.append("\n".join(current))
                current, used = [], 0
            current.append(piece)
            used += cost
    if current:
        out.append("\n".join(current))
    return out


def _cut(line: str, budget_tokens: int) -> list[str]:
    if estimate_tokens(line) <= budget_tokens:
        return [line]
    limit = int(budget_tokens * CHARS_PER_TOKEN)
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > limit:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        pieces.append(current)
    return pieces
