"""Where there is speech: silero VAD (the ONNX model inside faster-whisper), thresholded for
diarization.

Whisper's own VAD settings keep long pads and bridge pauses up to 2 s, which suits decoding but
merges one speaker's turn with the next. Here the frame probabilities are thresholded with
hysteresis, pauses shorter than ``min_silence_s`` are bridged, blips shorter than ``min_speech_s``
dropped, and regions padded by ``pad_s``.
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
VAD_FRAME = 512  # samples per silero frame (32 ms)
ENERGY_FRAME = 160  # samples per energy frame (10 ms)
ENERGY_FRAMES_PER_S = SAMPLE_RATE // ENERGY_FRAME
DIGITAL_SILENCE_DB = -120.0


def speech_probabilities(samples: np.ndarray) -> np.ndarray:
    """Silero's speech probability per 32 ms frame of 16 kHz samples."""
    from faster_whisper.vad import get_vad_model

    samples = np.asarray(samples, dtype=np.float32)
    padded = np.pad(samples, (0, VAD_FRAME - len(samples) % VAD_FRAME))
    return np.asarray(get_vad_model()(padded), dtype=np.float32).reshape(-1)


def speech_regions(
    probabilities: np.ndarray,
    n_samples: int,
    *,
    onset: float = 0.5,
    offset: float = 0.35,
    min_silence_s: float = 0.25,
    min_speech_s: float = 0.1,
    pad_s: float = 0.05,
) -> list[tuple[float, float]]:
    """Speech regions in seconds, sorted and disjoint."""
    frame_s = VAD_FRAME / SAMPLE_RATE
    regions: list[list[float]] = []
    active = False
    start = 0
    for index, p in enumerate(probabilities):
        if not active and p >= onset:
            active, start = True, index
        elif active and p < offset:
            active = False
            regions.append([start * frame_s, index * frame_s])
    if active:
        regions.append([start * frame_s, len(probabilities) * frame_s])
    merged: list[list[float]] = []
    for region in regions:
        if merged and region[0] - merged[-1][1] < min_silence_s:
            merged[-1][1] = region[1]
        else:
            merged.append(region)
    total = n_samples / SAMPLE_RATE
    return merge_regions(
        [
            (max(0.0, start_s - pad_s), min(total, end_s + pad_s))
            for start_s, end_s in merged
            if end_s - start_s >= min_speech_s
        ]
    )


def frame_energies_db(samples: np.ndarray) -> np.ndarray:
    """Energy (dBFS) of each 10 ms frame."""
    n = len(samples) // ENERGY_FRAME
    if n == 0:
        return np.zeros(0)
    frames = samples[: n * ENERGY_FRAME].reshape(n, ENERGY_FRAME)
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    return 10 * np.log10(power + 1e-18)


def noise_floor_db(energy: np.ndarray, percentile: float = 3.0) -> float:
    """The file's noise floor: a low percentile of frame energies, digital silence left out (spliced
    or padded audio has exact zeros, whose -180 dB would make every breath look loud)."""
    audible = energy[energy > DIGITAL_SILENCE_DB]
    return float(np.percentile(audible if len(audible) else energy, percentile))


def vocal_regions(
    regions: list[tuple[float, float]],
    energy: np.ndarray,
    *,
    margin_db: float = 30.0,
    min_s: float = 0.3,
    bridge_s: float = 0.1,
) -> list[tuple[float, float]]:
    """Loud sounds outside the speech regions: stretches at least ``margin_db`` above the noise floor
    for ``min_s`` or longer (dips under ``bridge_s`` bridged). ``energy``: :func:`frame_energies_db`.

    Silero scores laughter, sighs and other non-speech vocalisations near zero, but meeting
    references count them as the speaker's speech. In a room recording a sound this far above
    the floor is nearly always somebody; 25 dB already picked up room noise on AMI.
    """
    if len(energy) == 0:
        return []
    per_s = ENERGY_FRAMES_PER_S
    loud = energy > noise_floor_db(energy) + margin_db
    for start_s, end_s in regions:
        loud[round(start_s * per_s) : round(end_s * per_s)] = False
    found: list[list[int]] = []
    for index in np.nonzero(loud)[0]:
        if found and index - found[-1][1] <= round(bridge_s * per_s):
            found[-1][1] = int(index) + 1
        else:
            found.append([int(index), int(index) + 1])
    return [(a / per_s, b / per_s) for a, b in found if b - a >= round(min_s * per_s)]


def merge_regions(*groups: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The union of region lists, sorted and disjoint."""
    merged: list[tuple[float, float]] = []
    for start_s, end_s in sorted(r for group in groups for r in group):
        if merged and start_s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end_s, merged[-1][1]))
        else:
            merged.append((start_s, end_s))
    return merged


def extend_by_energy(
    regions: list[tuple[float, float]],
    energy: np.ndarray,
    *,
    max_extend_s: float = 1.0,
    margin_db: float = 12.0,
    floor_percentile: float = 3.0,
) -> list[tuple[float, float]]:
    """Move each region's edges outwards (up to ``max_extend_s``) while the audio stays louder than
    the file's noise floor by ``margin_db``: the VAD is late on quiet onsets and early on fading
    ends, and a region's edges are where the voice begins and ends, not where words are heard.
    ``energy``: :func:`frame_energies_db`."""
    if len(energy) == 0 or not regions:
        return regions
    floor = float(np.percentile(energy, floor_percentile))
    loud = energy > floor + margin_db
    per_s = ENERGY_FRAMES_PER_S
    limit = round(max_extend_s * per_s)
    out: list[tuple[float, float]] = []
    for start_s, end_s in regions:
        a, b = round(start_s * per_s), round(end_s * per_s)
        low_bound = max(0, a - limit, round(out[-1][1] * per_s) if out else 0)
        while a > low_bound and loud[a - 1]:
            a -= 1
        high_bound = min(len(loud), b + limit)
        while b < high_bound and loud[b]:
            b += 1
        out.append((a / per_s, max(b, a) / per_s))
    return merge_regions(out)
