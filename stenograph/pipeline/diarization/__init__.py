"""Speaker diarization: who spoke when, from packaged weights only (Resemblyzer's d-vectors).

    turns = diarize(samples_16k_mono, speakers_expected=None, min_speakers=None, max_speakers=None)
    words = assign_speakers(words, turns)

Modules: ``speech`` (VAD regions), ``embeddings`` (d-vectors of windows), ``clustering`` (speaker
count and clusters), ``resegmentation`` (frame labels, Viterbi), ``assignment`` (words -> speakers),
``engine`` (the steps in order). torch is imported only when :func:`diarize` first runs; the
encoder is built once per process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stenograph.pipeline.diarization.assignment import assign_speakers
from stenograph.pipeline.diarization.turns import SpeakerTurn, speaker_label

if TYPE_CHECKING:
    import numpy as np

__all__ = ["SpeakerTurn", "assign_speakers", "diarize", "speaker_label"]


def diarize(
    samples: np.ndarray,
    speakers_expected: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    **kwargs: Any,
) -> list[SpeakerTurn]:
    """Speaker turns (ms, "A", "B", ... in order of first appearance) of 16 kHz mono float32 samples."""
    from stenograph.pipeline.diarization.engine import diarize as _diarize

    return _diarize(samples, speakers_expected, min_speakers, max_speakers, **kwargs)
