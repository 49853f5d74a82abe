"""Speaker embeddings: Resemblyzer's d-vector encoder on sliding windows of the audio.

The network (3-layer LSTM, 40 mel bands in, 256-d out) and its weights are Resemblyzer's: the weights
are read from the installed ``resemblyzer`` package (``pretrained.pt``), never downloaded. The
package's own Python module is not imported: it needs ``webrtcvad``, whose import fails on current
setuptools (``pkg_resources`` is gone), and ``librosa``, slow to import. The mel spectrogram is
computed here in numpy, exactly as Resemblyzer's (librosa's defaults: centred 25 ms Hann frames,
10 ms hop, power spectrum, Slaney mel filters); a test checks it against librosa.

torch is imported only when an encoder is first built; the encoder is built once per process.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms: one mel frame
N_MELS = 40
FRAMES_PER_SECOND = SAMPLE_RATE // HOP
EMBEDDING_SIZE = 256
TARGET_DBFS = -30.0  # Resemblyzer's volume normalisation (raised only, never lowered)
WINDOW_TARGET_DBFS = -25.0  # each window raised to this (measured against -30 ... -10: docs/architecture.md)
_BATCH = 64  # windows per forward pass

_lock = threading.Lock()
log = logging.getLogger(__name__)


def weights_path() -> Path:
    """``pretrained.pt`` inside the installed resemblyzer package (found without importing it)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "speaker labels need the weights in the 'resemblyzer' package: "
            "pip install --no-deps resemblyzer==0.1.4"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise RuntimeError(f"resemblyzer's packaged weights are missing: {path}")
    return path


@functools.cache
def _mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) Slaney-style mel filter bank, as librosa.filters.mel builds it."""

    def hz_to_mel(hz: np.ndarray) -> np.ndarray:
        hz = np.asanyarray(hz, dtype=np.float64)
        f_sp = 200.0 / 3
        mels = hz / f_sp
        min_log_hz = 1000.0
        min_log_mel = min_log_hz / f_sp
        logstep = np.log(6.4) / 27.0
        log_t = hz >= min_log_hz
        mels = np.where(log_t, min_log_mel + np.log(np.maximum(hz, 1e-10) / min_log_hz) / logstep, mels)
        return mels

    def mel_to_hz(mels: np.ndarray) -> np.ndarray:
        f_sp = 200.0 / 3
        freqs = f_sp * mels
        min_log_hz = 1000.0
        min_log_mel = min_log_hz / f_sp
        logstep = np.log(6.4) / 27.0
        return np.where(mels >= min_log_mel, min_log_hz * np.exp(logstep * (mels - min_log_mel)), freqs)

    fft_freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    mel_points = np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2)
    mel_f = mel_to_hz(mel_points)
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return weights.astype(np.float32)


def mel_spectrogram(samples: np.ndarray) -> np.ndarray:
    """(frames, N_MELS) power mel spectrogram of 16 kHz samples; frame i is centred on sample i * HOP."""
    samples = np.asarray(samples, dtype=np.float32)
    padded = np.pad(samples, (N_FFT // 2, N_FFT // 2))
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    if n_frames <= 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    mels = np.empty((n_frames, N_MELS), dtype=np.float32)
    filters = _mel_filters()
    step = 20000  # frames per chunk: bounds the memory of the strided FFT input
    for first in range(0, n_frames, step):
        count = min(step, n_frames - first)
        frames = np.lib.stride_tricks.as_strided(
            padded[first * HOP :],
            shape=(count, N_FFT),
            strides=(padded.strides[0] * HOP, padded.strides[0]),
            writeable=False,
        )
        power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
        mels[first : first + count] = power.astype(np.float32) @ filters.T
    return mels


def volume_gain(samples: np.ndarray, target_dbfs: float = TARGET_DBFS) -> float:
    """Gain that raises the RMS of ``samples`` to ``target_dbfs`` (never lowers it), as Resemblyzer."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    if rms <= 1e-9:
        return 1.0
    change = target_dbfs - 20 * np.log10(rms)
    return float(10 ** (change / 20)) if change > 0 else 1.0


def window_gains(
    samples: np.ndarray, positions: list[tuple[int, int]], target_dbfs: float = WINDOW_TARGET_DBFS
) -> np.ndarray:
    """Power gain of each window (mel frames ``start:end`` of ``samples``) that raises its RMS to
    ``target_dbfs`` (never lowers it). The encoder reads linear mel power, so a window's loudness
    moves its d-vector: a quiet far-field stretch of one speaker lands away from the same speaker's
    louder speech. Resemblyzer normalises each utterance so; here every window is one."""
    return np.array(
        [volume_gain(samples[a * HOP : b * HOP], target_dbfs) ** 2 for a, b in positions], dtype=np.float32
    )


@dataclass(frozen=True)
class Windows:
    """Embeddings of sliding windows: ``starts``/``ends`` in mel frames (10 ms), ``vectors`` L2-normed."""

    starts: np.ndarray  # (n,) int
    ends: np.ndarray  # (n,) int
    vectors: np.ndarray  # (n, EMBEDDING_SIZE) float32

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def centres(self) -> np.ndarray:
        return (self.starts + self.ends) / 2


class SpeakerEncoder:
    """Resemblyzer's voice encoder: (batch, frames, 40) power mels -> (batch, 256) unit vectors.

    It runs on one CPU thread: the LSTM's steps are too small to gain from a second one, and a
    second thread loses badly when the cores are busy (CTranslate2 decoding, other jobs).
    ``precision`` "auto" uses bfloat16 where the CPU computes it natively (measured once, at
    construction: it must run at all, be clearly faster and give the same vectors), else float32.
    """

    def __init__(self, precision: str = "auto") -> None:
        import torch
        from torch import nn

        class _Net(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
                self.linear = nn.Linear(256, EMBEDDING_SIZE)

            def forward(self, mels: Any) -> Any:
                _, (hidden, _) = self.lstm(mels)
                return torch.relu(self.linear(hidden[-1]))  # scaled to unit length by embed()

        checkpoint = torch.load(weights_path(), map_location="cpu", weights_only=True)
        state = {k: v for k, v in checkpoint["model_state"].items() if k.startswith(("lstm.", "linear."))}
        net = _Net()
        net.load_state_dict(state, strict=True)
        net.eval()
        self._torch = torch
        self._net = net
        self.bfloat16 = precision == "bfloat16" or (precision == "auto" and self._bfloat16_pays())

    def _bfloat16_pays(self) -> bool:
        probe = np.random.default_rng(0).random((32, 160, N_MELS), dtype=np.float32)
        timings: dict[bool, float] = {}
        outputs: dict[bool, np.ndarray] = {}
        for bf16 in (False, True, False, True):
            self.bfloat16 = bf16
            start = time.perf_counter()
            try:
                outputs[bf16] = self.embed(probe)
            except RuntimeError:
                # oneDNN has no bfloat16 LSTM for some CPUs (seen on an AMD EPYC without AVX-512
                # BF16: "could not create a primitive descriptor"): float32 it is.
                if not bf16:
                    raise
                log.info("bfloat16 speaker encoder unavailable on this CPU; using float32")
                return False
            elapsed = time.perf_counter() - start
            timings[bf16] = min(timings.get(bf16, elapsed), elapsed)
        same = float(np.min(np.sum(outputs[False] * outputs[True], axis=1))) > 0.99
        return same and timings[True] < 0.75 * timings[False]

    def embed(self, mel_windows: np.ndarray) -> np.ndarray:
        """(n, frames, N_MELS) -> (n, EMBEDDING_SIZE) float32."""
        torch = self._torch
        out = np.empty((len(mel_windows), EMBEDDING_SIZE), dtype=np.float32)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # process-wide in torch: restored below for other torch users
        try:
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16):
                for first in range(0, len(mel_windows), _BATCH):
                    batch = torch.from_numpy(np.ascontiguousarray(mel_windows[first : first + _BATCH]))
                    out[first : first + len(batch)] = self._net(batch).float().numpy()
        finally:
            torch.set_num_threads(threads)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


_encoder: SpeakerEncoder | None = None


def get_encoder() -> SpeakerEncoder:
    """The process's one encoder (built on first use, then shared by every job thread)."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = SpeakerEncoder()
        return _encoder


def window_positions(
    regions: list[tuple[int, int]], window: int, hop: int, min_window: int
) -> list[tuple[int, int]]:
    """Sliding windows (in frames) inside each speech region: ``window`` long every ``hop``; a region
    shorter than ``window`` (but at least ``min_window``) gives one window over it; the last window of
    a region is moved back to end at the region's end so that no speech is left out."""
    out: list[tuple[int, int]] = []
    for start, end in regions:
        length = end - start
        if length < min_window:
            continue
        if length <= window:
            out.append((start, end))
            continue
        position = start
        while position + window < end:
            out.append((position, position + window))
            position += hop
        out.append((end - window, end))
    return out


def embed_windows(
    mels: np.ndarray,
    positions: list[tuple[int, int]],
    encoder: SpeakerEncoder | None = None,
    gains: np.ndarray | None = None,
) -> Windows:
    """Embeddings of ``mels[start:end]`` for each position, each window's power scaled by its
    ``gains`` entry when given (see :func:`window_gains`); windows of one length are batched."""
    encoder = encoder or get_encoder()
    vectors = np.zeros((len(positions), EMBEDDING_SIZE), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(positions):
        by_length.setdefault(end - start, []).append(index)
    for length, indexes in by_length.items():
        batch = np.stack([mels[positions[i][0] : positions[i][0] + length] for i in indexes])
        if gains is not None:
            batch = batch * gains[indexes, None, None]
        vectors[indexes] = encoder.embed(batch)
    starts = np.array([p[0] for p in positions], dtype=np.int64)
    ends = np.array([p[1] for p in positions], dtype=np.int64)
    return Windows(starts, ends, vectors)
