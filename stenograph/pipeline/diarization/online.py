"""Speaker labels given online, turn by turn, and revised by re-clustering everything seen so far.

A live stream cannot wait for the whole recording before naming speakers, so each turn is labelled
as it ends (:meth:`OnlineSpeakers.label_turn`):

- the turn's speech is cut into the batch path's windows (1.5 s every 0.75 s, levelled to -25 dBFS;
  a turn shorter than a window but at least ``min_speech_s`` long is one window) and each window
  embedded (Resemblyzer d-vectors, :mod:`.embeddings`);
- a turn can hold more than one speaker (the turn detection ends turns on silence, and a quick
  reply leaves little): it is split where the mean vectors of the few windows before and after a
  point are least alike, wherever their cosine is under ``split_threshold`` (each part at least
  ``min_segment_windows`` windows); a split moves to the widest pause between words near it;
- each part's vector (the mean of its windows, unit length) is compared with the running centroid
  of each speaker so far (cosine). The most alike speaker takes it when the similarity reaches
  ``threshold``; otherwise a new speaker starts, unless ``max_speakers`` exist already (a hard
  cap): then the most alike one takes it. The speaker's centroid then moves towards the part
  (the sum of its window vectors). Each word takes its part's speaker; the turn's label is the
  speaker of most of its words' time;
- a turn under ``min_speech_s`` of speech is ``"UNKNOWN"``: too little for a reliable d-vector.

:meth:`OnlineSpeakers.revise` re-clusters all the windows of all the labelled turns so far with
the batch method (centring on the recording's mean, spectral clustering with the eigengap speaker
count, at most ``max_speakers``), gives each part (as split online) the cluster most of its windows'
similarity goes to, names the clusters after the online labels they overlap most (so that a
revision changes as few labels as it can), and returns the turns where a word's label changed. The
centroids are rebuilt from the revised labels, so later turns are compared with the revised
speakers.

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
    # Cosine similarity between a part's mean d-vector and a speaker's centroid at which the part is
    # that speaker's, and under which two parts of a turn are two speakers. Chosen on the tuning
    # clips only (benchmarks/streaming_speakers.py --tune).
    threshold: float = 0.75
    split_threshold: float = 0.86
    min_segment_windows: int = 2  # a part of a turn split off has at least this many windows
    split_context: int = 4  # windows compared on each side of a possible split
    snap_ms: int = 1000  # a split moves to the widest pause between words this near
    min_speech_s: float = 1.0  # shorter turns are UNKNOWN
    window_s: float = 1.5
    hop_s: float = 0.75
    min_window_s: float = 0.5


DEFAULT_ONLINE = OnlineConfig()


@dataclass(frozen=True)
class TurnWindows:
    vectors: np.ndarray  # (n, EMBEDDING_SIZE) unit d-vectors
    spans: list[tuple[int, int]]  # (start ms, end ms) of each window, from the start of the samples

    def __len__(self) -> int:
        return len(self.vectors)

    def shifted(self, offset_ms: int) -> TurnWindows:
        return TurnWindows(self.vectors, [(a + offset_ms, b + offset_ms) for a, b in self.spans])


NO_WINDOWS = TurnWindows(np.zeros((0, EMBEDDING_SIZE), dtype=np.float32), [])


def embed_turn(
    samples: np.ndarray, encoder: SpeakerEncoder | None = None, config: OnlineConfig = DEFAULT_ONLINE
) -> TurnWindows:
    """The d-vectors of the windows of one turn's 16 kHz speech; none when it is shorter than
    ``config.min_speech_s``."""
    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) < config.min_speech_s * 16000 or not np.any(samples):
        return NO_WINDOWS
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
        return NO_WINDOWS
    gains = window_gains(samples, positions, WINDOW_TARGET_DBFS)
    vectors = embed_windows(mels, positions, encoder, gains=gains).vectors
    ms = 1000 // FRAMES_PER_SECOND
    return TurnWindows(vectors, [(a * ms, b * ms) for a, b in positions])


def change_points(vectors: np.ndarray, threshold: float, min_windows: int, context: int) -> list[int]:
    """Window indexes where a new speaker starts. Each candidate compares the mean vector of up to
    ``context`` windows before it with that of up to ``context`` after it (local, so a turn of
    A B A B splits as well as A B); the least alike go first, while their cosine is under
    ``threshold``, each at least ``min_windows`` from the turn's ends and from the others."""
    n = len(vectors)
    scores: dict[int, float] = {}
    for cut in range(min_windows, n - min_windows + 1):
        before = vectors[max(0, cut - context) : cut].mean(axis=0)
        after = vectors[cut : cut + context].mean(axis=0)
        scores[cut] = float(_unit(before) @ _unit(after))
    cuts: list[int] = []
    for cut in sorted(scores, key=lambda c: scores[c]):
        if scores[cut] >= threshold:
            break
        if all(abs(cut - other) >= min_windows for other in cuts):
            cuts.append(cut)
    return sorted(cuts)


def _word_cut(at_ms: float, words: list[tuple[int, int]], snap_ms: int) -> int:
    """Index of the first word after a speaker change estimated at ``at_ms``: the widest pause
    between words within ``snap_ms`` of it, else the word boundary nearest to it."""
    boundaries = range(1, len(words))
    near = [j for j in boundaries if abs((words[j - 1][1] + words[j][0]) / 2 - at_ms) <= snap_ms]
    if near:
        return max(near, key=lambda j: (words[j][0] - words[j - 1][1], -abs(words[j][0] - at_ms)))
    return min(boundaries, key=lambda j: abs((words[j - 1][1] + words[j][0]) / 2 - at_ms), default=0)


@dataclass
class _Part:
    """A stretch of one turn given to one speaker: its words and windows."""

    order: int
    first_word: int
    end_word: int
    vectors: np.ndarray  # (n, EMBEDDING_SIZE)
    label: str


@dataclass
class OnlineSpeakers:
    """One stream's speakers: online labels per turn, and revisions by re-clustering."""

    max_speakers: int | None = None  # a hard cap on distinct labels; None: MAX_SPEAKERS
    config: OnlineConfig = DEFAULT_ONLINE
    _parts: list[_Part] = field(default_factory=list)  # of labelled turns, in order
    _words: dict[int, int] = field(default_factory=dict)  # labelled turn -> its number of words
    _sums: dict[str, np.ndarray] = field(default_factory=dict)  # speaker -> sum of window vectors
    _names: int = 0  # labels handed out so far ("A", "B", ...)

    @property
    def cap(self) -> int:
        return max(1, min(self.max_speakers or MAX_SPEAKERS, MAX_SPEAKERS))

    @property
    def speakers(self) -> list[str]:
        return list(self._sums)

    def labels(self) -> dict[int, list[str]]:
        """Each labelled turn's word labels."""
        out = {order: [UNKNOWN] * count for order, count in self._words.items()}
        for part in self._parts:
            count = part.end_word - part.first_word
            out[part.order][part.first_word : part.end_word] = [part.label] * count
        return out

    def label_turn(self, order: int, windows: TurnWindows, words: list[tuple[int, int]]) -> list[str]:
        """The speaker of each word ((start ms, end ms), stream times as ``windows.spans``) of turn
        ``order``; all UNKNOWN without windows."""
        if len(windows) == 0 or not words:
            return [UNKNOWN] * len(words)
        vectors = np.asarray(windows.vectors, dtype=np.float32).reshape(-1, EMBEDDING_SIZE)
        config = self.config
        cuts = change_points(
            vectors, config.split_threshold, config.min_segment_windows, config.split_context
        )
        if self.cap == 1:
            cuts = []
        bounds = [0, *cuts, len(vectors)]
        word_bounds = [0]
        for cut in cuts:
            # The change lies around where the window after the cut starts, half a hop in.
            at = (windows.spans[cut][0] + windows.spans[cut - 1][1]) / 2
            word_bounds.append(max(word_bounds[-1], _word_cut(at, words, self.config.snap_ms)))
        word_bounds.append(len(words))
        self._words[order] = len(words)
        for index in range(len(bounds) - 1):
            first, end = word_bounds[index], word_bounds[index + 1]
            if end <= first:
                continue
            part_vectors = vectors[bounds[index] : bounds[index + 1]]
            label = self._assign(part_vectors)
            self._parts.append(_Part(order, first, end, part_vectors, label))
        return self.labels()[order]

    def assign(self, order: int, vectors: np.ndarray) -> str:
        """A one-word turn's label from its window vectors, unsplit (none: UNKNOWN)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, EMBEDDING_SIZE)
        if len(vectors) == 0:
            return UNKNOWN
        label = self._assign(vectors)
        self._words[order] = 1
        self._parts.append(_Part(order, 0, 1, vectors, label))
        return label

    def _assign(self, vectors: np.ndarray) -> str:
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
        return label

    def revise(self) -> dict[int, list[str]]:
        """Re-cluster every labelled turn; returns {turn order: word labels} for the turns where a
        label changed (and takes the new labels as the current ones)."""
        parts = self._parts
        if len(parts) < 2:
            return {}
        before = self.labels()
        vectors = np.concatenate([p.vectors for p in parts])
        owner = np.concatenate([np.full(len(p.vectors), i) for i, p in enumerate(parts)])
        x = clustering.normalise(vectors)
        # Clustered on at most MAX_REVISION_WINDOWS windows spread evenly; every window then goes to
        # the nearest cluster centroid.
        chosen = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_REVISION_WINDOWS)).round().astype(int))
        low, high = clustering.count_bounds(len(chosen), None, None, self.cap, MAX_SPEAKERS)
        labels = clustering.spectral(x[chosen], low, high)
        centres = clustering.centroids(x[chosen], labels)
        similarity = x @ centres.T  # (windows, clusters)
        k = centres.shape[0]
        part_scores = np.zeros((len(parts), k))
        np.add.at(part_scores, owner, similarity)
        clusters = np.argmax(part_scores, axis=1)
        names = self._name_clusters(parts, clusters, k)
        sums: dict[str, np.ndarray] = {}
        for part, cluster in zip(parts, clusters, strict=True):
            part.label = names[int(cluster)]
            sums[part.label] = sums.get(part.label, np.zeros(EMBEDDING_SIZE)) + part.vectors.sum(axis=0)
        self._sums = {name: sums[name] for name in sorted(sums, key=_label_key)}
        after = self.labels()
        return {order: after[order] for order in after if after[order] != before[order]}

    def _name_clusters(self, parts: list[_Part], clusters: np.ndarray, k: int) -> dict[int, str]:
        """Cluster -> label: the current label it shares the most windows with (one each, the largest
        overlaps first), else a label handed out before and now free, else a new one (so the cap
        holds over every label sent)."""
        overlap: dict[tuple[int, str], int] = {}
        for part, cluster in zip(parts, clusters, strict=True):
            key = (int(cluster), part.label)
            overlap[key] = overlap.get(key, 0) + len(part.vectors)
        names: dict[int, str] = {}
        taken: set[str] = set()
        for (cluster, label), _ in sorted(overlap.items(), key=lambda item: -item[1]):
            if cluster not in names and label not in taken:
                names[cluster] = label
                taken.add(label)
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


def turn_label(word_labels: list[str], words: list[tuple[int, int]]) -> str:
    """A turn's speaker: the label of most of its words' time (UNKNOWN only when all are)."""
    time: dict[str, int] = {}
    for label, (start, end) in zip(word_labels, words, strict=True):
        if label != UNKNOWN:
            time[label] = time.get(label, 0) + max(end - start, 1)
    return max(time, key=lambda label: time[label]) if time else UNKNOWN


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def _label_key(label: str) -> tuple[int, str]:
    return len(label), label
