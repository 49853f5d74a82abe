"""Online speaker labels and their revision, on synthetic d-vectors (no encoder)."""

from __future__ import annotations

import numpy as np

from stenograph.pipeline.diarization.embeddings import EMBEDDING_SIZE
from stenograph.pipeline.diarization.online import UNKNOWN, OnlineSpeakers


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


def test_max_speakers_is_a_hard_cap() -> None:
    voices, rng = _voices(4), np.random.default_rng(2)
    online = OnlineSpeakers(max_speakers=2)
    labels = [online.assign(order, _turn(voices[order % 4], 2, rng)) for order in range(12)]
    assert set(labels) <= {"A", "B"}
    online.revise()
    assert set(online.labels().values()) <= {"A", "B"}
    single = OnlineSpeakers(max_speakers=1)
    assert {single.assign(order, _turn(voices[order % 3], 2, rng)) for order in range(6)} == {"A"}
    assert single.revise() == {} and set(single.labels().values()) == {"A"}


def test_revision_fixes_an_online_split_and_keeps_the_names() -> None:
    voices, rng = _voices(2, seed=3), np.random.default_rng(4)
    online = OnlineSpeakers()
    who = [0, 1, 0, 1, 0, 1, 0, 1]
    for order, v in enumerate(who):
        online.assign(order, _turn(voices[v], 4, rng))
    # An online mistake: turn 2 (voice 0) was labelled as a third speaker, e.g. a threshold too strict.
    online._turns[2].label = "C"
    changed = online.revise()
    assert changed == {2: "A"}
    assert online.labels() == {0: "A", 1: "B", 2: "A", 3: "B", 4: "A", 5: "B", 6: "A", 7: "B"}
    # Later turns are compared with the revised speakers.
    assert online.assign(8, _turn(voices[1], 3, rng)) == "B"


def test_revision_splits_a_merged_speaker() -> None:
    voices, rng = _voices(3, seed=5), np.random.default_rng(6)
    online = OnlineSpeakers()
    who = [0, 1, 2, 0, 1, 2, 0, 1, 2]
    for order, v in enumerate(who):
        online.assign(order, _turn(voices[v], 4, rng))
    for turn in online._turns.values():  # online merged voices 1 and 2 into B
        if turn.label == "C":
            turn.label = "B"
    online._sums.pop("C", None)
    changed = online.revise()
    labels = online.labels()
    assert len(set(labels.values())) == 3
    by_voice = {v: {labels[o] for o, w in enumerate(who) if w == v} for v in range(3)}
    assert all(len(names) == 1 for names in by_voice.values())
    assert by_voice[0] == {"A"}
    assert set(changed) == {o for o, w in enumerate(who) if labels[o] != ("A" if w == 0 else "B")}
