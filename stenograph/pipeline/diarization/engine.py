"""diarize(): 16 kHz mono samples -> speaker turns. Pure: no I/O but the packaged models.

Steps (each measured by benchmarks/diarization.py; see docs/architecture.md):
1. speech regions from silero VAD (speech.py);
2. Resemblyzer d-vectors of sliding windows over the speech, each window's level raised to one
   target first (embeddings.py);
3. centring + clustering with an automatic speaker count, or the count asked for (clustering.py);
4. frame scores from the windows, Viterbi re-segmentation (resegmentation.py; its GMM boundary
   refinement is measured by the benchmark but off: no gain);
5. pauses inside one speaker's speech bridged, frames -> turns.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from stenograph.pipeline.diarization import clustering, resegmentation
from stenograph.pipeline.diarization.embeddings import (
    FRAMES_PER_SECOND,
    HOP,
    WINDOW_TARGET_DBFS,
    Windows,
    embed_windows,
    mel_spectrogram,
    volume_gain,
    window_gains,
    window_positions,
)
from stenograph.pipeline.diarization.speech import (
    extend_by_energy,
    frame_energies_db,
    merge_regions,
    speech_probabilities,
    speech_regions,
    vocal_regions,
)
from stenograph.pipeline.diarization.turns import SpeakerTurn, frames_to_turns

log = logging.getLogger(__name__)

MAX_SPEAKERS = 10  # the most speakers found without a hint
FRAME_MS = 1000 // FRAMES_PER_SECOND


@dataclass(frozen=True)
class DiarizationConfig:
    # speech regions
    # Lower than Whisper's 0.5: far-field meeting speech often sits at 0.3-0.5 (measured on AMI).
    vad_onset: float = 0.3
    vad_offset: float = 0.2
    min_silence_s: float = 0.5
    min_speech_s: float = 0.1
    pad_s: float = 0.05
    extend_margin_db: float = 12.0  # region edges move out over audio this far above the floor; 0: off
    vocal_margin_db: float = 30.0  # loud non-speech sounds (laughter) this far above the floor; 0: off
    # windows
    window_s: float = 1.5
    hop_s: float = 1.5
    min_window_s: float = 0.5
    min_hop_s: float = 0.25
    target_windows: int = 40  # short audio: hop shortened (down to min_hop_s) to get this many
    window_target_dbfs: float | None = WINDOW_TARGET_DBFS  # each window's level raised to this; None: off
    # embeddings and clustering
    center: bool = True
    method: str = "spectral"  # "spectral" | "ahc"
    ahc_threshold: float = 0.7
    # frames
    assign: str = "viterbi"  # "nearest" (window centres, the baseline) | "viterbi"
    switch_penalty: float = 5.0  # Viterbi: cost of a speaker change inside speech (score x frames)
    gmm_refine: bool = False
    gmm_weight: float = 0.05
    bridge_s: float = 2.0  # a pause this short inside one speaker's speech belongs to the turn
    fill_gaps_s: float = 0.0


DEFAULT_CONFIG = DiarizationConfig()


@dataclass
class Prepared:
    """What the embedding step leaves for clustering: mel frames, speech, window embeddings."""

    mels: np.ndarray  # (frames, N_MELS)
    mask: np.ndarray  # (frames,) bool: speech
    regions: list[tuple[int, int]]  # speech regions in frames
    windows: Windows


def diarize(
    samples: np.ndarray,
    speakers_expected: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    config: DiarizationConfig = DEFAULT_CONFIG,
    timings: dict[str, float] | None = None,
) -> list[SpeakerTurn]:
    """Speaker turns (ms, labelled "A", "B", ... in order of first appearance) of 16 kHz mono audio.

    ``timings``, when given, receives the seconds spent in each step.
    """
    timings = {} if timings is None else timings
    prepared = prepare(samples, config, timings)
    if prepared is None:
        return []
    return segment(prepared, speakers_expected, min_speakers, max_speakers, config, timings)


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def prepare(
    samples: np.ndarray, config: DiarizationConfig = DEFAULT_CONFIG, timings: dict[str, float] | None = None
) -> Prepared | None:
    """Speech regions, mel frames and window embeddings; None when there is no speech."""
    clock = _Clock({} if timings is None else timings)
    samples = np.asarray(samples, dtype=np.float32)
    regions_s = speech_regions(
        speech_probabilities(samples),
        len(samples),
        onset=config.vad_onset,
        offset=config.vad_offset,
        min_silence_s=config.min_silence_s,
        min_speech_s=config.min_speech_s,
        pad_s=config.pad_s,
    )
    energy = frame_energies_db(samples)
    if config.extend_margin_db > 0:
        regions_s = extend_by_energy(regions_s, energy, margin_db=config.extend_margin_db)
    if config.vocal_margin_db > 0:
        regions_s = merge_regions(
            regions_s, vocal_regions(regions_s, energy, margin_db=config.vocal_margin_db)
        )
    clock.lap("vad")
    regions = [(round(a * FRAMES_PER_SECOND), round(b * FRAMES_PER_SECOND)) for a, b in regions_s]
    regions = [(a, b) for a, b in regions if b > a]
    if not regions:
        return None
    speech = np.concatenate([samples[a * HOP : b * HOP] for a, b in regions])
    samples = samples * volume_gain(speech)
    mels = mel_spectrogram(samples)
    mask = resegmentation.speech_mask(regions, len(mels))
    clock.lap("mel")
    speech_s = sum(b - a for a, b in regions) / FRAMES_PER_SECOND
    # Short recordings get a shorter hop: enough windows for the speaker count to be estimable.
    hop_s = min(config.hop_s, max(config.min_hop_s, speech_s / config.target_windows))
    positions = window_positions(
        regions,
        round(config.window_s * FRAMES_PER_SECOND),
        round(hop_s * FRAMES_PER_SECOND),
        round(config.min_window_s * FRAMES_PER_SECOND),
    )
    if not positions:  # only blips of speech: embed them as they are
        positions = regions
    gains = (
        window_gains(samples, positions, config.window_target_dbfs)
        if config.window_target_dbfs is not None
        else None
    )
    windows = embed_windows(mels, positions, gains=gains)
    clock.lap("embed")
    return Prepared(mels, mask, regions, windows)


def segment(
    prepared: Prepared,
    speakers_expected: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    config: DiarizationConfig = DEFAULT_CONFIG,
    timings: dict[str, float] | None = None,
) -> list[SpeakerTurn]:
    """Cluster the windows and label every speech frame."""
    clock = _Clock({} if timings is None else timings)
    windows, mels, mask = prepared.windows, prepared.mels, prepared.mask
    n_frames = len(mels)
    x = clustering.normalise(windows.vectors, center=config.center)
    low, high = clustering.count_bounds(len(x), speakers_expected, min_speakers, max_speakers, MAX_SPEAKERS)
    if config.method == "ahc":
        labels = clustering.agglomerative(x, low, high, config.ahc_threshold)
    else:
        labels = clustering.spectral(x, low, high)
    labels = clustering.relabel(labels)
    k = int(labels.max()) + 1
    clock.lap("cluster")

    if config.assign == "nearest" or k == 1:
        frame_labels = resegmentation.nearest_window_labels(n_frames, mask, windows.centres, labels)
    else:
        centres = clustering.centroids(x, labels)
        similarity = x @ centres.T
        scores, covered = resegmentation.window_scores(n_frames, windows.starts, windows.ends, similarity)
        # speech no window covers (blips shorter than a window): the nearest window's speaker
        uncovered_mask = mask & (covered == 0)
        nearest = resegmentation.nearest_window_labels(n_frames, uncovered_mask, windows.centres, labels)
        uncovered = nearest >= 0
        scores[uncovered] = -1.0
        scores[uncovered, nearest[uncovered]] = 1.0
        frame_labels = resegmentation.decode_frames(scores, mask, config.switch_penalty)
        if config.gmm_refine:
            features = resegmentation.mfcc(mels)
            gmm = resegmentation.gmm_scores(features[mask], frame_labels[mask], k)
            if gmm is not None:
                combined = scores.copy()
                combined[mask] = scores[mask] + config.gmm_weight * gmm
                frame_labels = resegmentation.decode_frames(combined, mask, config.switch_penalty)
    clock.lap("resegment")
    if config.bridge_s > 0:
        frame_labels = bridge_pauses(frame_labels, round(config.bridge_s * FRAMES_PER_SECOND))
    if config.fill_gaps_s > 0:
        frame_labels = fill_gaps(frame_labels, round(config.fill_gaps_s * FRAMES_PER_SECOND))
    return frames_to_turns(list(frame_labels), FRAME_MS)


def bridge_pauses(labels: np.ndarray, max_frames: int) -> np.ndarray:
    """A pause shorter than ``max_frames`` between two stretches of the same speaker is part of
    that speaker's turn (references and AssemblyAI's utterances count it so)."""
    labels = labels.copy()
    speech = np.nonzero(labels >= 0)[0]
    if len(speech) < 2:
        return labels
    gaps = np.nonzero(np.diff(speech) > 1)[0]
    for g in gaps:
        a, b = speech[g], speech[g + 1]
        if b - a - 1 <= max_frames and labels[a] == labels[b]:
            labels[a + 1 : b] = labels[a]
    return labels


def fill_gaps(labels: np.ndarray, max_frames: int) -> np.ndarray:
    """A pause shorter than ``max_frames`` between two speakers is split between them at its middle."""
    labels = labels.copy()
    speech = np.nonzero(labels >= 0)[0]
    if len(speech) < 2:
        return labels
    for g in np.nonzero(np.diff(speech) > 1)[0]:
        a, b = speech[g], speech[g + 1]
        if b - a - 1 <= max_frames:
            middle = (a + b + 1) // 2
            labels[a + 1 : middle] = labels[a]
            labels[middle:b] = labels[b]
    return labels
