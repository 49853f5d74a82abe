"""Known voices: which diarized speaker is which named person, from a short reference clip of each.

Each voice is the mean d-vector (Resemblyzer, 1.6 s windows) of its audio: a reference clip, or all
of one diarized speaker's turns. A speaker takes the name of the reference most like it, one name
per speaker (the most alike pairs first), when the cosine similarity is at least ``SAME_VOICE``.

``SAME_VOICE`` comes from ``benchmarks/known_voices.py`` on the dev audio: nine speakers of four
recordings (two LibriSpeech conversations, the phone call, an AMI meeting), references of 2, 4, 6
and 10 s cut from each speaker's last turns or, for three readers, from utterances outside the
conversation, against the rest of their speech (reference turns, or the speakers the pipeline's
own diarization found). The same voice scored 0.78-0.98 (lowest with 2 s references); a voice from
another recording (the other files' speakers, and three strangers: the LJSpeech reader, JFK and a
LibriSpeech reader in no file) at most 0.66. 0.72 lies midway, and names every speaker right in
all 328 decisions of the measurement (0.87, the value before, got 88%: 2 s references fell below
it). Two voices of one recording come closer (up to 0.87, the phone call and the meeting, where
the channel is shared): no threshold separates those, so naming relies on each name going once, to
its most alike speaker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from stenograph.pipeline.diarization.embeddings import (
    embed_windows,
    mel_spectrogram,
    volume_gain,
    window_positions,
)
from stenograph.pipeline.types import Utterance

SAMPLE_RATE = 16000
SAME_VOICE = 0.72
WINDOW_FRAMES = 160  # 1.6 s, as diarization's windows
HOP_FRAMES = 80
MIN_FRAMES = 50  # a clip under 0.5 s has no voice print


def voice_print(samples: np.ndarray) -> np.ndarray | None:
    """The unit mean d-vector of 16 kHz speech, None for too little of it."""
    samples = np.asarray(samples, dtype=np.float32)
    mels = mel_spectrogram(samples * volume_gain(samples))
    positions = window_positions([(0, len(mels))], WINDOW_FRAMES, HOP_FRAMES, MIN_FRAMES)
    if not positions:
        return None
    mean = embed_windows(mels, positions).vectors.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def speaker_prints(samples: np.ndarray, utterances: Sequence[Utterance]) -> dict[str, np.ndarray]:
    """Each diarized speaker's voice print, from all of their turns."""
    spans: dict[str, list[np.ndarray]] = {}
    for turn in utterances:
        if turn.speaker:
            piece = samples[turn.start * SAMPLE_RATE // 1000 : turn.end * SAMPLE_RATE // 1000]
            spans.setdefault(turn.speaker, []).append(piece)
    prints = {label: voice_print(np.concatenate(pieces)) for label, pieces in spans.items()}
    return {label: vector for label, vector in prints.items() if vector is not None}


def name_speakers(
    speakers: Mapping[str, np.ndarray], references: Mapping[str, np.ndarray], threshold: float = SAME_VOICE
) -> dict[str, str]:
    """Speaker label -> known name: the most alike pairs first, each name and label once, only pairs
    at least ``threshold`` alike."""
    pairs = sorted(
        (
            (float(voice @ reference), label, name)
            for label, voice in speakers.items()
            for name, reference in references.items()
        ),
        reverse=True,
    )
    named: dict[str, str] = {}
    for similarity, label, name in pairs:
        if similarity >= threshold and label not in named and name not in named.values():
            named[label] = name
    return named
