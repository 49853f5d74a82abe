"""SRT and WebVTT captions from timed words."""

from __future__ import annotations

from collections.abc import Sequence

from stenograph.pipeline.types import Word

DEFAULT_CHARS_PER_CAPTION = 32


def caption_groups(words: Sequence[Word], chars_per_caption: int | None = None) -> list[list[Word]]:
    """Consecutive words packed into captions whose text stays within ``chars_per_caption``
    (a single longer word still gets a caption of its own)."""
    limit = chars_per_caption or DEFAULT_CHARS_PER_CAPTION
    groups: list[list[Word]] = []
    current: list[Word] = []
    length = 0
    for word in words:
        added = len(word.text) + (1 if current else 0)
        if current and length + added > limit:
            groups.append(current)
            current, length, added = [], 0, len(word.text)
        current.append(word)
        length += added
    if current:
        groups.append(current)
    return groups


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def to_srt(words: Sequence[Word], chars_per_caption: int | None = None) -> str:
    blocks = []
    for index, group in enumerate(caption_groups(words, chars_per_caption), start=1):
        span = f"{_clock(group[0].start, ',')} --> {_clock(group[-1].end, ',')}"
        blocks.append(f"{index}\n{span}\n{' '.join(w.text for w in group)}\n")
    return "\n".join(blocks)


def to_vtt(words: Sequence[Word], chars_per_caption: int | None = None) -> str:
    blocks = ["WEBVTT\n"]
    for group in caption_groups(words, chars_per_caption):
        span = f"{_clock(group[0].start, '.')} --> {_clock(group[-1].end, '.')}"
        blocks.append(f"{span}\n{' '.join(w.text for w in group)}\n")
    return "\n".join(blocks)
