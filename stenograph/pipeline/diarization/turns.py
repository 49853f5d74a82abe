"""Speaker turns and their labels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpeakerTurn:
    start: int  # milliseconds
    end: int  # milliseconds
    speaker: str  # "A", "B", ... in order of first appearance


def speaker_label(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA", ... (AssemblyAI's speaker names)."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def frames_to_turns(labels: list[int], frame_ms: int, offset_ms: int = 0) -> list[SpeakerTurn]:
    """Runs of one label (``-1``: no speech) in a frame sequence -> turns named in order of first
    appearance."""
    names: dict[int, str] = {}
    turns: list[SpeakerTurn] = []
    run_start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[run_start]:
            label = labels[run_start]
            if label >= 0:
                name = names.setdefault(label, speaker_label(len(names)))
                turns.append(SpeakerTurn(offset_ms + run_start * frame_ms, offset_ms + i * frame_ms, name))
            run_start = i
    return turns
