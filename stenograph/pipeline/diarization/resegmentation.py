"""From window labels to frame labels, and Viterbi re-segmentation of the frames.

Frames are mel frames (10 ms). A speech frame's score for a speaker is the mean cosine similarity
of the windows that cover it to that speaker's centroid; the frame sequence is then decoded with a
Viterbi pass whose only parameter is the cost of switching speaker, so one turn does not flicker
into many short ones. Optionally a second pass refines the boundaries with per-speaker Gaussian
mixtures of the frames' cepstra (classic GMM re-segmentation), which sees 10 ms detail that the
1.5 s windows blur.
"""

from __future__ import annotations

import numpy as np

NO_SPEECH = -1


def speech_mask(regions: list[tuple[int, int]], n_frames: int) -> np.ndarray:
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in regions:
        mask[max(0, start) : min(n_frames, end)] = True
    return mask


def window_scores(
    n_frames: int, starts: np.ndarray, ends: np.ndarray, similarities: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(frames, speakers) mean similarity of the windows covering each frame, and the count of them."""
    k = similarities.shape[1]
    total = np.zeros((n_frames + 1, k))
    count = np.zeros(n_frames + 1)
    for start, end, sim in zip(starts, ends, similarities, strict=True):
        total[start] += sim
        total[end] -= sim
        count[start] += 1
        count[end] -= 1
    total = np.cumsum(total, axis=0)[:n_frames]
    count = np.cumsum(count)[:n_frames]
    scores = total / np.maximum(count, 1)[:, None]
    return scores, count


def nearest_window_labels(
    n_frames: int, mask: np.ndarray, centres: np.ndarray, window_labels: np.ndarray
) -> np.ndarray:
    """Each speech frame gets the label of the window whose centre is nearest (the plain baseline)."""
    labels = np.full(n_frames, NO_SPEECH, dtype=int)
    if len(centres) == 0:
        return labels
    order = np.argsort(centres)
    sorted_centres = centres[order]
    frames = np.nonzero(mask)[0]
    pos = np.clip(np.searchsorted(sorted_centres, frames), 1, len(order) - 1)
    left = sorted_centres[pos - 1]
    right = sorted_centres[pos]
    pick = np.where(np.abs(frames - left) <= np.abs(right - frames), pos - 1, pos)
    if len(order) == 1:
        pick = np.zeros_like(pick)
    labels[frames] = window_labels[order[pick]]
    return labels


def viterbi(
    log_likelihood: np.ndarray, switch_penalty: float, free_switch: np.ndarray | None = None
) -> np.ndarray:
    """Best state path of (frames, states) scores with a fixed cost per change of state.

    ``free_switch`` (frames,) bool: changing state into that frame costs nothing (e.g. after a pause).
    """
    n, k = log_likelihood.shape
    if n == 0:
        return np.zeros(0, dtype=int)
    if k == 1:
        return np.zeros(n, dtype=int)
    back = np.zeros((n, k), dtype=np.int32)
    score = log_likelihood[0].copy()
    for t in range(1, n):
        penalty = 0.0 if free_switch is not None and free_switch[t] else switch_penalty
        best_prev = int(np.argmax(score))
        switched = score[best_prev] - penalty
        stay = score >= switched
        back[t] = np.where(stay, np.arange(k), best_prev)
        score = np.where(stay, score, switched) + log_likelihood[t]
    path = np.empty(n, dtype=int)
    path[-1] = int(np.argmax(score))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def decode_frames(
    scores: np.ndarray,
    mask: np.ndarray,
    switch_penalty: float,
    gap_frames: int = 30,
) -> np.ndarray:
    """Viterbi over the speech frames only; a speaker change right after a pause of at least
    ``gap_frames`` is free."""
    labels = np.full(len(mask), NO_SPEECH, dtype=int)
    frames = np.nonzero(mask)[0]
    if len(frames) == 0:
        return labels
    free = np.zeros(len(frames), dtype=bool)
    free[1:] = np.diff(frames) > gap_frames
    labels[frames] = viterbi(scores[frames], switch_penalty, free)
    return labels


def mfcc(mels: np.ndarray, n_coefficients: int = 20) -> np.ndarray:
    """Cepstra of power mel frames, mean-normalised over the file (CMN)."""
    from scipy.fft import dct

    log_mels = np.log(np.maximum(mels, 1e-10))
    cepstra = dct(log_mels, type=2, axis=1, norm="ortho")[:, :n_coefficients]
    return cepstra - cepstra.mean(axis=0, keepdims=True)


def gmm_scores(
    features: np.ndarray, labels: np.ndarray, k: int, components: int = 8, seed: int = 0
) -> np.ndarray | None:
    """(frames, k) log-likelihood of each frame under a diagonal GMM fitted on each speaker's frames."""
    from sklearn.mixture import GaussianMixture

    features = np.asarray(features, dtype=np.float64)
    out = np.zeros((len(features), k))
    for c in range(k):
        own = features[labels == c]
        if len(own) < components * 20:
            return None
        gmm = GaussianMixture(
            components, covariance_type="diag", max_iter=20, random_state=seed, reg_covar=1e-2
        )
        gmm.fit(own[:: max(1, len(own) // 20000)])
        out[:, c] = gmm.score_samples(features)
    return out
