"""Utterances: the runs of one speaker's words (speaker labels), or the decoded stretches of each
channel (multichannel without speaker labels)."""

from __future__ import annotations

from collections.abc import Sequence

from stenograph.pipeline.textform import join_text
from stenograph.pipeline.types import Segment, Utterance, Word


def _mean_confidence(words: Sequence[Word]) -> float:
    return round(sum(w.confidence for w in words) / len(words), 4) if words else 0.0


def speaker_utterances(words: Sequence[Word]) -> list[Utterance]:
    """The runs of consecutive words of one speaker, per channel, in order of their start."""
    by_channel: dict[str | None, list[Word]] = {}
    for word in words:
        by_channel.setdefault(word.channel, []).append(word)
    runs: list[list[Word]] = []
    for channel_words in by_channel.values():
        for word in channel_words:
            if runs and runs[-1][-1].channel == word.channel and runs[-1][-1].speaker == word.speaker:
                runs[-1].append(word)
            else:
                runs.append([word])
    runs.sort(key=lambda run: (run[0].start, run[0].channel or ""))
    return [
        Utterance(
            text=join_text(run),
            start=run[0].start,
            end=max(w.end for w in run),
            confidence=_mean_confidence(run),
            words=tuple(run),
            speaker=run[0].speaker,
            channel=run[0].channel,
        )
        for run in runs
    ]


def channel_utterances(segments: Sequence[Segment]) -> list[Utterance]:
    """One utterance per decoded segment, as the recogniser cut them, each on its channel."""
    return [
        Utterance(
            text=segment.text,
            start=segment.start,
            end=segment.end,
            confidence=_mean_confidence(segment.words),
            words=segment.words,
            speaker=None,
            channel=segment.channel,
        )
        for segment in segments
    ]
