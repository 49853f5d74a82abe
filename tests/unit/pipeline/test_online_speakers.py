"""Online speaker labels and their revision, on synthetic d-vectors (no encoder)."""

from __future__ import annotations

import numpy as np

from stenograph.pipeline.diarization.embeddings import EMBEDDING_SIZE
from stenograph.pipeline.diarization.online import (
    UNKNOWN,
    OnlineSpeakers,
    TurnWindows,
    change_points,
    turn_label,
)


def _voices(count: int, seed: int = 0) -> np.ndarray:
    """Speaker directions alike as real d-vectors of one recording are (pairwise cosine about 0.5)."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=EMBEDDING_SIZE)
    own = rng.normal(size=(count, EMBEDDING_SIZE))
    voices = shared / np.linalg.norm(shared) + own / np.linalg.norm(own, axis=1, keepdims=True)
    return voices / np.linalg.norm(voices, axis=1, keepdims=True)


def _turn(voice: np.ndarray, windows: int, rng: np.random.Generator, noise: float = 0.25) -> np.ndarray:
    x = voice[None, :] + noise * rng.normal(size=(windows, EMBEDDING_SIZE)) / np.sqrt(EMBEDDING_SIZE)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_turns_of_two_voices_get_two_labels_in_order_of_appearance() -> None:
    voices, rng = _voices(2), np.random.default_rng(1)
    online = OnlineSpeakers()
    who = [0, 1, 0, 0, 1, 1, 0]
    labels = [online.assign(order, _turn(voices[v], 3, rng)) for order, v in enumerate(who)]
    assert labels == ["A", "B", "A", "A", "B", "B", "A"]
    assert online.revise() == {}  # the batch method agrees: nothing to revise


def test_a_turn_without_windows_is_unknown_and_not_remembered() -> None:
    online = OnlineSpeakers()
    assert online.assign(0, np.zeros((0, EMBEDDING_SIZE), np.float32)) == UNKNOWN
    assert online.speakers == [] and online.labels() == {}
    assert online.label_turn(1, TurnWindows(np.zeros((0, EMBEDDING_SIZE)), []), [(0, 300)]) == [UNKNOWN]


def test_max_speakers_is_a_hard_cap() -> None:
    voices, rng = _voices(4), np.random.default_rng(2)
    online = OnlineSpeakers(max_speakers=2)
    labels = [online.assign(order, _turn(voices[order % 4], 2, rng)) for order in range(12)]
    assert set(labels) <= {"A", "B"}
    online.revise()
    assert {label for labels in online.labels().values() for label in labels} <= {"A", "B"}
    single = OnlineSpeakers(max_speakers=1)
    assert {single.assign(order, _turn(voices[order % 3], 2, rng)) for order in range(6)} == {"A"}
    assert single.revise() == {} and {x for v in single.labels().values() for x in v} == {"A"}


def test_revision_fixes_an_online_split_and_keeps_the_names() -> None:
    voices, rng = _voices(2, seed=3), np.random.default_rng(4)
    online = OnlineSpeakers()
    who = [0, 1, 0, 1, 0, 1, 0, 1]
    for order, v in enumerate(who):
        online.assign(order, _turn(voices[v], 4, rng))
    # An online mistake: turn 2 (voice 0) was labelled as a third speaker, e.g. a threshold too strict.
    online._parts[2].label = "C"
    changed = online.revise()
    assert changed == {2: ["A"]}
    assert online.labels() == {o: ["A" if v == 0 else "B"] for o, v in enumerate(who)}
    # Later turns are compared with the revised speakers.
    assert online.assign(8, _turn(voices[1], 3, rng)) == "B"


def test_revision_splits_a_merged_speaker() -> None:
    voices, rng = _voices(3, seed=5), np.random.default_rng(6)
    online = OnlineSpeakers()
    who = [0, 1, 2, 0, 1, 2, 0, 1, 2]
    for order, v in enumerate(who):
        online.assign(order, _turn(voices[v], 4, rng))
    for part in online._parts:  # online merged voices 1 and 2 into B
        if part.label == "C":
            part.label = "B"
    online._sums.pop("C", None)
    changed = online.revise()
    labels = {order: words[0] for order, words in online.labels().items()}
    assert len(set(labels.values())) == 3
    by_voice = {v: {labels[o] for o, w in enumerate(who) if w == v} for v in range(3)}
    assert all(len(names) == 1 for names in by_voice.values())
    assert by_voice[0] == {"A"}
    assert set(changed) == {o for o, w in enumerate(who) if labels[o] != ("A" if w == 0 else "B")}


def test_a_turn_of_two_voices_is_split_at_the_pause_between_them() -> None:
    voices, rng = _voices(2, seed=7), np.random.default_rng(8)
    online = OnlineSpeakers()
    assert online.assign(0, _turn(voices[0], 4, rng)) == "A"
    # Turn 1: voice 0 for 6 windows (about 5 s), then voice 1 for 5; windows every 750 ms.
    vectors = np.concatenate([_turn(voices[0], 6, rng), _turn(voices[1], 5, rng)])
    spans = [(10_000 + 750 * i, 11_500 + 750 * i) for i in range(11)]
    assert change_points(vectors, 0.78, 3, 4) == [6]
    # Words every 400 ms, with a 600 ms pause before the second voice's first word at 14 900 ms.
    words = [(10_000 + 400 * i, 10_300 + 400 * i) for i in range(12)]
    words += [(14_900 + 400 * i, 15_200 + 400 * i) for i in range(10)]
    labels = online.label_turn(1, TurnWindows(vectors, spans), words)
    assert labels == ["A"] * 12 + ["B"] * 10
    assert turn_label(labels, words) == "A"
    assert online.revise() == {}
    # A cap of one speaker never splits.
    single = OnlineSpeakers(max_speakers=1)
    assert set(single.label_turn(0, TurnWindows(vectors, spans), words)) == {"A"}


def test_one_voice_is_not_split() -> None:
    voices, rng = _voices(2, seed=9), np.random.default_rng(10)
    assert change_points(_turn(voices[0], 12, rng), 0.78, 2, 4) == []
    # Alternating voices, each 4 windows: every change found, not only one.
    alternating = np.concatenate([_turn(voices[i % 2], 4, rng) for i in range(4)])
    assert change_points(alternating, 0.78, 2, 4) == [4, 8, 12]
    assert turn_label([UNKNOWN, UNKNOWN], [(0, 1), (1, 2)]) == UNKNOWN
