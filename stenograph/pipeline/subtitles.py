"""SRT and WebVTT captions from timed words.

Each caption is one line of at most ``chars_per_caption`` characters (AssemblyAI's default: 32).
Words are packed into captions in order; a caption never runs across a sentence boundary (nor, so,
across a long pause), and a word longer than the limit is cut over several captions. Cue times come
from the words, made monotonic: each cue starts no earlier than the one before, lasts at least 1 ms,
and ends no later than the next one starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from stenograph.pipeline.sentences import sentence_spans
from stenograph.pipeline.types import Word

DEFAULT_CHARS_PER_CAPTION = 32


class Cue(NamedTuple):
    start: int  # ms
    end: int  # ms
    text: str


def _pieces(word: Word, limit: int) -> Iterator[Word]:
    """The word, or slices of it of at most ``limit`` characters with times shared out by length."""
    text = " ".join(word.text.split())
    if len(text) <= limit:
        yield dataclasses.replace(word, text=text)
        return
    duration = max(word.end - word.start, 0)
    for offset in range(0, len(text), limit):
        stop = min(offset + limit, len(text))
        yield dataclasses.replace(
            word,
            text=text[offset:stop],
            start=word.start + duration * offset // len(text),
            end=word.start + duration * stop // len(text),
        )


def _pack(words: Sequence[Word], limit: int) -> list[list[Word]]:
    groups: list[list[Word]] = []
    current: list[Word] = []
    length = 0
    for word in words:
        if current and length + 1 + len(word.text) > limit:
            groups.append(current)
            current, length = [], 0
        length += len(word.text) + (1 if current else 0)
        current.append(word)
    if current:
        groups.append(current)
    return groups


def caption_groups(words: Sequence[Word], chars_per_caption: int | None = None) -> list[list[Word]]:
    """Words (long ones cut into pieces) packed into captions of at most ``chars_per_caption`` characters."""
    limit = chars_per_caption or DEFAULT_CHARS_PER_CAPTION
    spoken = [word for word in words if word.text.strip()]
    groups: list[list[Word]] = []
    for span in sentence_spans(spoken):
        pieces = [piece for word in spoken[span.start : span.stop] for piece in _pieces(word, limit)]
        groups.extend(_pack(pieces, limit))
    return groups


def cues(words: Sequence[Word], chars_per_caption: int | None = None) -> list[Cue]:
    groups = caption_groups(words, chars_per_caption)
    result: list[Cue] = []
    previous_start = 0
    for i, group in enumerate(groups):
        start = max(group[0].start, previous_start, 0)
        end = group[-1].end
        if i + 1 < len(groups) and groups[i + 1][0].start > start:
            end = min(end, groups[i + 1][0].start)
        result.append(Cue(start, max(end, start + 1), " ".join(word.text for word in group)))
        previous_start = start
    return result


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_srt(words: Sequence[Word], chars_per_caption: int | None = None) -> str:
    blocks = [
        f"{index}\n{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}\n{cue.text}\n"
        for index, cue in enumerate(cues(words, chars_per_caption), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(words: Sequence[Word], chars_per_caption: int | None = None) -> str:
    blocks = ["WEBVTT\n"] + [
        f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{_vtt_escape(cue.text)}\n"
        for cue in cues(words, chars_per_caption)
    ]
    return "\n".join(blocks)
