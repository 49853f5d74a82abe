"""Clustering speaker embeddings, with the number of speakers found automatically or constrained.

- :func:`normalise`: centre the file's embeddings on their mean and scale them to unit length. The
  d-vectors of one recording share channel and room; removing the shared part spreads the speakers
  apart (it matters most on telephone audio, where every raw d-vector is alike).
- :func:`spectral`: the graph Laplacian of the cosine affinity (raised by :data:`AFFINITY_SHIFT`,
  cut at zero); the speaker count is where its scaled spectrum jumps the most (a count of one
  included: one speaker's windows form one well-connected graph), the clusters come from k-means on
  its first eigenvectors.
- :func:`agglomerative`: average-linkage clustering on cosine distance, cut at a threshold (the
  benchmark's baseline step).
"""

from __future__ import annotations

import numpy as np


def normalise(vectors: np.ndarray, center: bool = True) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float64)
    if center and len(x) > 1:
        x = x - x.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-9)


def cosine_affinity(x: np.ndarray) -> np.ndarray:
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    return np.clip(unit @ unit.T, -1.0, 1.0)


def count_bounds(
    n: int, speakers: int | None, min_speakers: int | None, max_speakers: int | None, limit: int
) -> tuple[int, int]:
    """(lowest, highest) speaker count allowed for ``n`` items."""
    if speakers:
        k = max(1, min(speakers, n))
        return k, k
    low = max(1, min_speakers or 1)
    high = max(low, max_speakers or limit)
    return min(low, max(n, 1)), min(high, max(n, 1))


AFFINITY_SHIFT = 0.1


def laplacian_spectrum(affinity: np.ndarray, shift: float = AFFINITY_SHIFT) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending, scaled to end at 1) and eigenvectors of the graph Laplacian of a
    cosine affinity raised by ``shift`` and cut at zero. (Cut at zero alone, a few windows of one
    speaker can fall apart into unconnected groups, each of which looks like a speaker.)"""
    a = np.maximum(affinity + shift, 0.0)
    np.fill_diagonal(a, 0.0)
    laplacian = np.diag(a.sum(axis=1)) - a
    values, vectors = np.linalg.eigh(laplacian)
    return values / max(float(values[-1]), 1e-9), vectors


def eigengap_count(values: np.ndarray, low: int, high: int) -> int:
    """The count k in [low, high] after which the scaled Laplacian spectrum jumps the most."""
    gaps = np.diff(values[: high + 1])
    candidates = gaps[max(low, 1) - 1 : high]
    if len(candidates) == 0:
        return max(low, 1)
    return int(np.argmax(candidates)) + max(low, 1)


def spectral(x: np.ndarray, low: int, high: int, *, seed: int = 0) -> np.ndarray:
    """Labels for the rows of ``x`` (normalised embeddings), with between ``low`` and ``high``
    clusters: the count from the largest eigengap, the clusters from k-means on the eigenvectors."""
    n = len(x)
    if n < 2 or high <= 1:
        return np.zeros(n, dtype=int)
    values, vectors = laplacian_spectrum(cosine_affinity(x))
    k = eigengap_count(values, low, min(high, n - 1))
    if k <= 1:
        return np.zeros(n, dtype=int)
    points = vectors[:, :k]
    points = points / np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-9)
    return relabel(kmeans(points, k, seed=seed))


def kmeans(points: np.ndarray, k: int, seed: int = 0, restarts: int = 10, iterations: int = 50) -> np.ndarray:
    """Plain k-means (k-means++ seeding, best of ``restarts``); numpy only."""
    rng = np.random.default_rng(seed)
    n = len(points)
    best_labels, best_cost = np.zeros(n, dtype=int), np.inf
    for _ in range(restarts):
        centres = [points[rng.integers(n)]]
        for _ in range(1, k):
            d2 = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
            total = d2.sum()
            centres.append(points[rng.choice(n, p=d2 / total)] if total > 0 else points[rng.integers(n)])
        c = np.array(centres)
        labels = np.zeros(n, dtype=int)
        for _ in range(iterations):
            d2 = ((points[:, None, :] - c[None]) ** 2).sum(-1)
            new = np.argmin(d2, axis=1)
            if _ and np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                if np.any(labels == j):
                    c[j] = points[labels == j].mean(axis=0)
        cost = float(((points - c[labels]) ** 2).sum())
        if cost < best_cost:
            best_labels, best_cost = labels, cost
    return best_labels


def agglomerative(x: np.ndarray, low: int, high: int, threshold: float) -> np.ndarray:
    """Average-linkage clustering on cosine distance, cut at ``threshold`` within [low, high]."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(x)
    if n < 2:
        return np.zeros(n, dtype=int)
    tree = linkage(x, method="average", metric="cosine")
    labels = fcluster(tree, t=threshold, criterion="distance")
    k = len(set(labels))
    if k < low or k > high:
        labels = fcluster(tree, t=min(max(k, low), high), criterion="maxclust")
    return relabel(labels)


def relabel(labels: np.ndarray) -> np.ndarray:
    """Cluster ids 0, 1, ... in order of first appearance."""
    mapping: dict[int, int] = {}
    out = np.empty(len(labels), dtype=int)
    for i, label in enumerate(labels):
        out[i] = mapping.setdefault(int(label), len(mapping))
    return out


def centroids(x: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    k = int(labels.max()) + 1 if len(labels) else 0
    out = np.zeros((k, x.shape[1]))
    for c in range(k):
        member = labels == c
        w = weights[member] if weights is not None else np.ones(member.sum())
        if member.any():
            out[c] = (x[member] * w[:, None]).sum(axis=0)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
