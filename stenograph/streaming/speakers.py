"""Speaker labels for a live stream: each ended turn labelled from its audio, revisions by
re-clustering (the labelling itself is :mod:`stenograph.pipeline.diarization.online`).

A :class:`SpeakerTracker` belongs to one session. The session's audio thread hands it the 16 kHz
samples as they arrive (:meth:`SpeakerTracker.append`: a copy into a bounded buffer, nothing
more); the embedding work (:meth:`SpeakerTracker.label`, :meth:`SpeakerTracker.revise`) runs on the
streaming service's speaker thread, never on the audio or inference threads, so a session with
speaker labels neither delays its own audio nor other sessions' decodes. Pure: no asyncio.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np

from stenograph.pipeline.audio import SAMPLE_RATE
from stenograph.pipeline.diarization.online import OnlineSpeakers, embed_turn, turn_label
from stenograph.streaming.engine import StreamWord, TurnEvent

# Audio kept behind the stream's end (float16: 5.8 MB): a longer turn is labelled from its last
# three minutes, its earlier words taking the speaker of the first part heard.
MAX_TURN_AUDIO_S = 180.0
REVISION_MIN_S, REVISION_MAX_S = 120.0, 300.0  # the clamp on speaker_labels_revision_interval_ms
FIRST_REVISION_SPEECH_S = 120.0  # no mid-stream revision before this much labelled speech


def revision_interval_s(interval_ms: int | None) -> float:
    """Seconds of audio between mid-stream revisions; 0: only the end-of-stream one."""
    if not interval_ms:
        return 0.0
    return min(max(interval_ms / 1000, REVISION_MIN_S), REVISION_MAX_S)


@dataclass(frozen=True)
class Revision:
    turn_order: int
    speaker: str  # the turn's
    words: tuple[StreamWord, ...]  # the turn's final words as sent, each with its new speaker


class SpeakerTracker:
    def __init__(self, max_speakers: int | None = None, revision_interval_ms: int | None = None) -> None:
        self.speakers = OnlineSpeakers(max_speakers)
        self.revision_interval_s = revision_interval_s(revision_interval_ms)
        self._lock = threading.Lock()
        self._start = 0  # stream sample index of self._chunks[0][0]
        self._chunks: list[np.ndarray] = []
        self._length = 0
        self._words: dict[int, tuple[StreamWord, ...]] = {}  # labelled turns' final words
        self.speech_seconds = 0.0  # of the labelled turns
        self._revised_at = 0.0  # audio seconds (stream time) of the last mid-stream revision

    # ------------------------------------------------------------------ the audio thread

    def append(self, samples: np.ndarray) -> None:
        with self._lock:
            if len(samples):
                self._chunks.append(np.asarray(samples, dtype=np.float16))
                self._length += len(samples)
            excess = self._length - int(MAX_TURN_AUDIO_S * SAMPLE_RATE)
            while excess > 0 and self._chunks:
                first = self._chunks[0]
                cut = min(len(first), excess)
                if cut == len(first):
                    self._chunks.pop(0)
                else:
                    self._chunks[0] = first[cut:]
                self._length -= cut
                self._start += cut
                excess -= cut

    def _slice(self, start: int, end: int) -> tuple[int, np.ndarray]:
        """(the stream index it starts at, float32 samples) of ``start:end``, or of the part still kept."""
        with self._lock:
            if not self._chunks:
                return max(start, self._start), np.zeros(0, np.float32)
            if len(self._chunks) > 1:
                self._chunks = [np.concatenate(self._chunks)]
            data = self._chunks[0]
            first = max(start, self._start)
            return first, data[first - self._start : max(0, end - self._start)].astype(np.float32)

    def _drop_before(self, index: int) -> None:
        with self._lock:
            if len(self._chunks) > 1:
                self._chunks = [np.concatenate(self._chunks)]
            cut = min(max(0, index - self._start), self._length)
            if cut and self._chunks:
                self._chunks = [self._chunks[0][cut:]]
                self._length -= cut
                self._start += cut

    # ------------------------------------------------------------------ the speaker thread

    def label(self, event: TurnEvent) -> TurnEvent:
        """The ended turn with its speaker ("A", "B", ... or UNKNOWN) and each word's."""
        words = event.final_words
        if not event.end_of_turn or not words:
            return event
        first_ms, last_ms = min(w.start for w in words), max(w.end for w in words)
        start, end = first_ms * SAMPLE_RATE // 1000, last_ms * SAMPLE_RATE // 1000
        kept_from, samples = self._slice(start, end)
        windows = embed_turn(samples).shifted(kept_from * 1000 // SAMPLE_RATE)
        self._drop_before(end)
        spans = [(w.start, w.end) for w in words]
        labels = self.speakers.label_turn(event.turn_order, windows, spans)
        labelled = tuple(replace(w, speaker=label) for w, label in zip(words, labels, strict=True))
        if len(windows):
            self._words[event.turn_order] = labelled
            self.speech_seconds += (end - start) / SAMPLE_RATE
        return replace(event, words=labelled, speaker=turn_label(labels, spans))

    def revision_due(self, audio_seconds: float) -> bool:
        """Whether a mid-stream revision is due at this point of the stream."""
        return (
            self.revision_interval_s > 0
            and self.speech_seconds >= FIRST_REVISION_SPEECH_S
            and audio_seconds - self._revised_at >= self.revision_interval_s
        )

    def revise(self, audio_seconds: float | None = None) -> list[Revision]:
        """Re-cluster every labelled turn; the turns whose label changed, in turn order."""
        if audio_seconds is not None:
            self._revised_at = audio_seconds
        changed = self.speakers.revise()
        out = []
        for order in sorted(changed):
            labels = changed[order]
            words = tuple(
                replace(w, speaker=label) for w, label in zip(self._words[order], labels, strict=True)
            )
            self._words[order] = words
            out.append(Revision(order, turn_label(labels, [(w.start, w.end) for w in words]), words))
        return out
