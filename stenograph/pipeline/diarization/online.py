"""Speaker labels given online, turn by turn, and revised by re-clustering everything seen so far.

A live stream cannot wait for the whole recording before naming speakers, so each turn is labelled
as it ends (:meth:`OnlineSpeakers.assign`):

- the turn's speech is cut into the batch path's windows (1.5 s, levelled to -25 dBFS; a turn
  shorter than a window but at least ``min_speech_s`` long is one window) and each window embedded
  (Resemblyzer d-vectors, :mod:`.embeddings`);
- the turn's vector (the mean of its windows, unit length) is compared with the running centroid
  of each speaker so far (cosine). The most alike speaker takes it when the similarity reaches
  ``threshold``; otherwise a new speaker starts, unless ``max_speakers`` exist already (a hard
  cap): then the most alike one takes it. The speaker's centroid then moves towards the turn
  (the sum of its turns' window vectors);
- a turn under ``min_speech_s`` of speech is ``"UNKNOWN"``: too little for a reliable d-vector.

:meth:`OnlineSpeakers.revise` re-clusters all the windows of all the labelled turns so far with
the batch method (centring on the recording's mean, spectral clustering with the eigengap speaker
count, at most ``max_speakers``), gives each turn the cluster most of its windows' similarity goes
to, names the clusters after the online labels they overlap most (so that a revision changes as few
labels as it can), and returns the turns whose label changed. The centroids are rebuilt from the
revised labels, so later turns are compared with the revised speakers.

Pure numpy apart from the encoder (:func:`embed_turn`); the state holds only window vectors
(1 KiB per 1.5 s of speech), never audio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stenograph.pipeline.diarization import clustering
from stenograph.pipeline.diarization.embeddings import (
    EMBEDDING_SIZE,
    FRAMES_PER_SECOND,
    WINDOW_TARGET_DBFS,
    SpeakerEncoder,
    embed_windows,
    mel_spectrogram,
    volume_gain,
    window_gains,
    window_positions,
)
from stenograph.pipeline.diarization.turns import speaker_label

UNKNOWN = "UNKNOWN"
MAX_SPEAKERS = 10  # the most speakers without a cap (as the batch path)
MAX_REVISION_WINDOWS = 600  # re-clustering subsamples to this many windows (bounds its cost)


@dataclass(frozen=True)
class OnlineConfig:
    # Cosine similarity between a turn's mean d-vector and a speaker's centroid at which the turn
    # is that speaker's. Chosen on the tuning clips (benchmarks/streaming_speakers.py --tune).
    threshold: float = 0.78
    min_speech_s: float = 1.0  # shorter turns are UNKNOWN
    window_s: float = 1.5
    hop_s: float = 0.75
    min_window_s: float = 0.5


DEFAULT_ONLINE = OnlineConfig()


def embed_turn(
    samples: np.ndarray, encoder: SpeakerEncoder | None = None, config: OnlineConfig = DEFAULT_ONLINE
) -> np.ndarray:
    """(n, EMBEDDING_SIZE) unit d-vectors of the windows of one turn's 16 kHz speech; (0, ...) when
    it is shorter than ``config.min_speech_s``."""
    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) < config.min_speech_s * 16000 or not np.any(samples):
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    samples = samples * volume_gain(samples)
    mels = mel_spectrogram(samples)
    frames = len(mels) - 1
    positions = window_positions(
        [(0, frames)],
        round(config.window_s * FRAMES_PER_SECOND),
        round(config.hop_s * FRAMES_PER_SECOND),
        round(config.min_window_s * FRAMES_PER_SECOND),
    )
    if not positions:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    gains = window_gains(samples, positions, WINDOW_TARGET_DBFS)
    return embed_windows(mels, positions, encoder, gains=gains).vectors


@dataclass
class _Turn:
    order: int
    vectors: np.ndarray  # (n, EMBEDDING_SIZE)
    label: str


@dataclass
class OnlineSpeakers:
    """One stream's speakers: online labels per turn, and revisions by re-clustering."""

    max_speakers: int | None = None  # a hard cap on distinct labels; None: MAX_SPEAKERS
    config: OnlineConfig = DEFAULT_ONLINE
    _turns: dict[int, _Turn] = field(default_factory=dict)  # labelled turns (not UNKNOWN), by order
    _sums: dict[str, np.ndarray] = field(default_factory=dict)  # speaker -> sum of window vectors
    _names: int = 0  # labels handed out so far ("A", "B", ...)

    @property
    def cap(self) -> int:
        return max(1, self.max_speakers or MAX_SPEAKERS)

    @property
    def speakers(self) -> list[str]:
        return list(self._sums)

    @property
    def speech_windows(self) -> int:
        return sum(len(t.vectors) for t in self._turns.values())

    def labels(self) -> dict[int, str]:
        return {order: turn.label for order, turn in self._turns.items()}

    def assign(self, order: int, vectors: np.ndarray) -> str:
        """The label of turn ``order`` from its window vectors (none: UNKNOWN)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, EMBEDDING_SIZE)
        if len(vectors) == 0:
            return UNKNOWN
        mean = _unit(vectors.mean(axis=0))
        label = None
        if self._sums:
            names = list(self._sums)
            similarity = np.array([float(mean @ _unit(self._sums[n])) for n in names])
            best = int(np.argmax(similarity))
            if similarity[best] >= self.config.threshold or len(names) >= self.cap:
                label = names[best]
        if label is None:
            label = speaker_label(self._names)
            self._names += 1
            self._sums[label] = np.zeros(EMBEDDING_SIZE, dtype=np.float64)
        self._sums[label] = self._sums[label] + vectors.sum(axis=0)
        self._turns[order] = _Turn(order, vectors, label)
        return label

    def revise(self) -> dict[int, str]:
        """Re-cluster every labelled turn; returns {turn order: new label} for the turns whose label
        changed (and takes the new labels as the current ones)."""
        turns = sorted(self._turns.values(), key=lambda t: t.order)
        if len(turns) < 2:
            return {}
        vectors = np.concatenate([t.vectors for t in turns])
        owner = np.concatenate([np.full(len(t.vectors), i) for i, t in enumerate(turns)])
        x = clustering.normalise(vectors)
        # Clustered on at most MAX_REVISION_WINDOWS windows spread evenly; every window then goes to
        # the nearest cluster centroid.
        chosen = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_REVISION_WINDOWS)).round().astype(int))
        low, high = clustering.count_bounds(len(chosen), None, None, self.cap, MAX_SPEAKERS)
        labels = clustering.spectral(x[chosen], low, high)
        centres = clustering.centroids(x[chosen], labels)
        similarity = x @ centres.T  # (windows, clusters)
        k = centres.shape[0]
        turn_scores = np.zeros((len(turns), k))
        np.add.at(turn_scores, owner, similarity)
        clusters = np.argmax(turn_scores, axis=1)
        names = self._name_clusters(turns, clusters, k)
        changed: dict[int, str] = {}
        self._sums = {}
        for turn, cluster in zip(turns, clusters, strict=True):
            label = names[int(cluster)]
            if label != turn.label:
                changed[turn.order] = label
            turn.label = label
            self._sums[label] = self._sums.get(label, np.zeros(EMBEDDING_SIZE)) + turn.vectors.sum(axis=0)
        self._sums = {name: self._sums[name] for name in sorted(self._sums, key=_label_key)}
        return changed

    def _name_clusters(self, turns: list[_Turn], clusters: np.ndarray, k: int) -> dict[int, str]:
        """Cluster -> label: the online label it shares the most speech with (one each, the largest
        overlaps first), else a label not used yet."""
        overlap: dict[tuple[int, str], int] = {}
        for turn, cluster in zip(turns, clusters, strict=True):
            key = (int(cluster), turn.label)
            overlap[key] = overlap.get(key, 0) + len(turn.vectors)
        names: dict[int, str] = {}
        taken: set[str] = set()
        for (cluster, label), _ in sorted(overlap.items(), key=lambda item: -item[1]):
            if cluster not in names and label not in taken:
                names[cluster] = label
                taken.add(label)
        # Labels already handed out come back before new ones: the cap counts every label sent.
        spare = [name for name in self._sums if name not in taken]
        for cluster in range(k):
            if cluster not in names:
                if spare:
                    names[cluster] = spare.pop(0)
                else:
                    names[cluster] = speaker_label(self._names)
                    self._names += 1
                taken.add(names[cluster])
        return names


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def _label_key(label: str) -> tuple[int, str]:
    return len(label), label
