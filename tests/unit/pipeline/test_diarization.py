"""Diarization pieces on synthetic data (fast), the packaged encoder, and the utterance builder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stenograph.pipeline.diarization import SpeakerTurn, assign_speakers, clustering, speaker_label
from stenograph.pipeline.diarization.engine import bridge_pauses
from stenograph.pipeline.diarization.resegmentation import viterbi
from stenograph.pipeline.diarization.speech import (
    frame_energies_db,
    merge_regions,
    noise_floor_db,
    vocal_regions,
)
from stenograph.pipeline.diarization.turns import frames_to_turns
from stenograph.pipeline.types import Word


def synthetic_speakers(counts: list[int], dim: int = 256, spread: float = 0.35, seed: int = 0) -> np.ndarray:
    """Unit vectors around one random direction per speaker (a shared part added, as in real d-vectors)."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=dim) * 2
    rows = []
    for count in counts:
        centre = rng.normal(size=dim)
        for _ in range(count):
            rows.append(shared + centre + spread * rng.normal(size=dim) * np.sqrt(dim) / 4)
    x = np.array(rows)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("counts", [[40], [30, 25], [20, 30, 15], [15, 15, 15, 15]])
def test_spectral_clustering_finds_the_speaker_count(counts: list[int]) -> None:
    x = clustering.normalise(synthetic_speakers(counts))
    labels = clustering.spectral(x, 1, 10)
    truth = np.repeat(np.arange(len(counts)), counts)
    assert labels.max() + 1 == len(counts)
    # same partition (up to naming)
    assert len({(a, b) for a, b in zip(labels, truth, strict=True)}) == len(counts)


def test_spectral_clustering_honours_count_bounds() -> None:
    x = clustering.normalise(synthetic_speakers([20, 20, 20]))
    assert clustering.spectral(x, 2, 2).max() + 1 == 2
    assert clustering.spectral(x, 4, 4).max() + 1 == 4
    low, high = clustering.count_bounds(len(x), None, 4, 6, 10)
    assert clustering.spectral(x, low, high).max() + 1 >= 4


def test_count_bounds() -> None:
    assert clustering.count_bounds(50, 3, None, None, 10) == (3, 3)
    assert clustering.count_bounds(2, 5, None, None, 10) == (2, 2)  # never more than windows
    assert clustering.count_bounds(50, None, 2, 4, 10) == (2, 4)
    assert clustering.count_bounds(50, None, None, 20, 10) == (1, 20)  # a caller may go past the default
    assert clustering.count_bounds(50, None, 3, None, 10) == (3, 10)


def test_kmeans_is_deterministic() -> None:
    points = np.concatenate([np.zeros((10, 2)), np.ones((10, 2)) * 5])
    labels = clustering.kmeans(points, 2)
    assert len(set(labels[:10])) == 1 and len(set(labels[10:])) == 1 and labels[0] != labels[10]


def test_viterbi_switch_penalty_smooths_flicker() -> None:
    scores = np.zeros((100, 2))
    scores[:, 0] = 1.0
    scores[50:52] = [0.0, 1.5]  # two frames that prefer the other speaker a little
    assert set(viterbi(scores, switch_penalty=5.0)) == {0}
    assert set(viterbi(scores, switch_penalty=0.1)) == {0, 1}


def test_bridge_pauses_only_within_one_speaker() -> None:
    labels = np.array([0, 0, -1, -1, 0, -1, 1, 1, -1, -1, -1, -1, 1])
    bridged = bridge_pauses(labels, 2)
    assert list(bridged) == [0, 0, 0, 0, 0, -1, 1, 1, -1, -1, -1, -1, 1]


def _quiet_room_with_bursts(bursts: list[tuple[float, float, float]], seconds: float = 6.0) -> np.ndarray:
    """Noise at about -70 dBFS with (start s, end s, amplitude) bursts of louder noise."""
    rng = np.random.default_rng(0)
    samples = rng.normal(0, 0.0003, int(seconds * 16000)).astype(np.float32)
    for start, end, amplitude in bursts:
        a, b = int(start * 16000), int(end * 16000)
        samples[a:b] += rng.normal(0, amplitude, b - a).astype(np.float32)
    return samples


def test_vocal_regions_find_loud_sounds_outside_speech() -> None:
    # a loud 0.5 s burst (~-20 dBFS, 50 dB over the floor), a loud blip too short to count, a sound
    # only ~20 dB over the floor, and a loud burst silero already called speech
    samples = _quiet_room_with_bursts([(1.0, 1.5, 0.1), (2.5, 2.6, 0.1), (3.2, 3.8, 0.003), (4.5, 5.2, 0.1)])
    found = vocal_regions([(4.4, 5.3)], frame_energies_db(samples))
    assert len(found) == 1
    start, end = found[0]
    assert start == pytest.approx(1.0, abs=0.02) and end == pytest.approx(1.5, abs=0.02)


def test_noise_floor_ignores_digital_silence() -> None:
    samples = _quiet_room_with_bursts([])
    samples[: 3 * 16000] = 0.0  # spliced audio: exact zeros
    assert -75 < noise_floor_db(frame_energies_db(samples)) < -65


def test_merge_regions_is_a_sorted_union() -> None:
    assert merge_regions([(3.0, 4.0), (0.0, 1.0)], [(0.5, 2.0), (5.0, 6.0)]) == [
        (0.0, 2.0),
        (3.0, 4.0),
        (5.0, 6.0),
    ]


def test_turn_labels_in_order_of_first_appearance() -> None:
    turns = frames_to_turns([-1, 3, 3, 1, 1, -1, 3], frame_ms=10, offset_ms=1000)
    assert turns == [
        SpeakerTurn(1010, 1030, "A"),
        SpeakerTurn(1030, 1050, "B"),
        SpeakerTurn(1060, 1070, "A"),
    ]
    assert [speaker_label(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def word(text: str, start: int, end: int, channel: str | None = None, speaker: str | None = None) -> Word:
    return Word(text, start, end, 0.9, channel=channel, speaker=speaker)


def test_assign_speakers_by_overlap_nearest_and_first_appearance() -> None:
    turns = [SpeakerTurn(0, 1000, "B"), SpeakerTurn(1000, 2000, "A"), SpeakerTurn(3000, 4000, "B")]
    words = [
        word("one", 100, 400),
        word("two", 900, 1300),  # mostly in A's turn
        word("three", 2100, 2300),  # in no turn: nearest is A's
        word("four", 2800, 3200),  # nearest / overlapping B
    ]
    labelled = assign_speakers(words, turns)
    assert [w.speaker for w in labelled] == ["A", "B", "B", "A"]  # renamed: the first word is "A"
    assert [w.text for w in labelled] == ["one", "two", "three", "four"]
    assert [w.speaker for w in assign_speakers(words, turns, prefix="2")] == ["2A", "2B", "2B", "2A"]
    assert {w.speaker for w in assign_speakers(words, [])} == {"A"}
    assert assign_speakers([], turns) == []


# --------------------------------------------------------------------------- the packaged encoder


def test_encoder_weights_come_from_the_installed_package() -> None:
    from stenograph.pipeline.diarization.embeddings import weights_path

    path = weights_path()
    assert path.name == "pretrained.pt" and path.parent.name == "resemblyzer"
    assert "site-packages" in str(path) or "dist-packages" in str(path)


def test_mel_spectrogram_matches_librosa() -> None:
    librosa = pytest.importorskip("librosa")
    from stenograph.pipeline.diarization.embeddings import mel_spectrogram

    rng = np.random.default_rng(1)
    samples = (rng.normal(size=16000) * 0.1).astype(np.float32)
    ours = mel_spectrogram(samples)
    theirs = librosa.feature.melspectrogram(y=samples, sr=16000, n_fft=400, hop_length=160, n_mels=40).T
    assert ours.shape == theirs.shape
    assert np.max(np.abs(ours - theirs)) <= 1e-4 * np.max(theirs)


def test_encoder_loads_offline_and_embeds(shared_audio: Path) -> None:
    from stenograph.pipeline.audio import decode_audio
    from stenograph.pipeline.diarization import embeddings

    encoder = embeddings.get_encoder()
    assert embeddings.get_encoder() is encoder  # one per process
    samples = decode_audio(shared_audio / "jfk" / "jfk.wav")
    mels = embeddings.mel_spectrogram(samples * embeddings.volume_gain(samples))
    windows = embeddings.embed_windows(mels, embeddings.window_positions([(0, len(mels))], 150, 150, 50))
    assert windows.vectors.shape == (len(windows), 256)
    assert np.allclose(np.linalg.norm(windows.vectors, axis=1), 1, atol=1e-3)
    similarity = windows.vectors @ windows.vectors.T
    assert similarity.min() > 0.5  # one speaker throughout


def test_window_levels_are_raised_to_one_target(shared_audio: Path) -> None:
    """A window's loudness must not move its d-vector: quiet windows are raised to the target
    level (never lowered), so one voice at -50 and -40 dBFS gives one embedding."""
    from stenograph.pipeline.audio import decode_audio
    from stenograph.pipeline.diarization import embeddings

    samples = decode_audio(shared_audio / "jfk" / "jfk.wav")[: 16000 * 4]
    rms_db = 20 * np.log10(np.sqrt(np.mean(np.square(samples))))
    positions = [(100, 250)]
    vectors = []
    for level_db in (-50.0, -40.0):
        quiet = samples * 10 ** ((level_db - rms_db) / 20)
        gains = embeddings.window_gains(quiet, positions, -25.0)
        window = quiet[100 * embeddings.HOP : 250 * embeddings.HOP]
        assert 20 * np.log10(np.sqrt(gains[0] * np.mean(np.square(window)))) == pytest.approx(-25.0, abs=0.01)
        mels = embeddings.mel_spectrogram(quiet)
        vectors.append(embeddings.embed_windows(mels, positions, gains=gains).vectors[0])
    assert float(vectors[0] @ vectors[1]) > 0.999
    loud = samples * 10 ** ((-10.0 - rms_db) / 20)
    assert embeddings.window_gains(loud, positions, -25.0)[0] == 1.0  # never lowered


def test_encoder_falls_back_to_float32_where_bfloat16_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """oneDNN lacks a bfloat16 LSTM on some CPUs and raises; "auto" must then settle on float32."""
    pytest.importorskip("torch")
    from stenograph.pipeline.diarization import embeddings

    real_embed = embeddings.SpeakerEncoder.embed

    def embed_without_bfloat16(self: embeddings.SpeakerEncoder, mel_windows: np.ndarray) -> np.ndarray:
        if self.bfloat16:
            raise RuntimeError("could not create a primitive descriptor for the LSTM forward primitive")
        return real_embed(self, mel_windows)

    monkeypatch.setattr(embeddings.SpeakerEncoder, "embed", embed_without_bfloat16)
    encoder = embeddings.SpeakerEncoder()
    assert encoder.bfloat16 is False
    vectors = encoder.embed(np.random.default_rng(0).random((3, 160, embeddings.N_MELS), dtype=np.float32))
    assert vectors.shape == (3, embeddings.EMBEDDING_SIZE)


def test_torch_stays_out_of_the_server_start_up() -> None:
    code = (
        "import sys, stenograph, stenograph.pipeline, stenograph.pipeline.diarization, stenograph.api.app, "
        "stenograph.jobs.runner; print('torch' in sys.modules or 'resemblyzer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
