"""Giving each recognised word the speaker of the turn it falls in."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace

from stenograph.pipeline.diarization.turns import SpeakerTurn, speaker_label
from stenograph.pipeline.types import Word


def assign_speakers(words: Sequence[Word], turns: Sequence[SpeakerTurn], prefix: str = "") -> list[Word]:
    """``words`` with ``speaker`` set: the speaker whose turns overlap the word longest, or, for a
    word in no turn (the VAD and Whisper disagree at the edges), the speaker of the nearest turn.

    Speakers are then renamed "A", "B", ... in the order they first speak in ``words`` (so the first
    word is always "A"), with ``prefix`` in front ("1A" for channel 1). Without turns every word is
    the one speaker "A".
    """
    if not words:
        return []
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    starts = [t.start for t in ordered]
    names: dict[str, str] = {}
    out = []
    for word in words:
        speaker = _speaker_of(word, ordered, starts)
        name = names.setdefault(speaker, speaker_label(len(names)))
        out.append(replace(word, speaker=prefix + name))
    return out


def _speaker_of(word: Word, turns: Sequence[SpeakerTurn], starts: list[int]) -> str:
    if not turns:
        return ""
    last = bisect.bisect_left(starts, max(word.end, word.start + 1))  # turns[:last] start before the end
    overlap: dict[str, int] = {}
    index = last - 1
    while index >= 0:
        turn = turns[index]
        shared = min(word.end, turn.end) - max(word.start, turn.start)
        if shared > 0:
            overlap[turn.speaker] = overlap.get(turn.speaker, 0) + shared
        elif turn.end <= word.start and index < last - 4:  # turns are disjoint: none further back
            break
        index -= 1
    if overlap:
        return max(overlap, key=lambda s: overlap[s])
    middle = (word.start + word.end) / 2
    around = turns[max(0, last - 2) : last + 2]
    return min(around, key=lambda t: max(t.start - middle, middle - t.end, 0)).speaker
