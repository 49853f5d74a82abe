"""The Live page's AudioWorklet (``pcm-worklet.js``), run by node on real speech: the microphone's
44.1 or 48 kHz resampled to the 16 kHz s16le PCM the v3 API takes, in 100 ms chunks, and as close
to the original 16 kHz recording as SciPy's polyphase resampler gets it.

The signal: ../shared/audio/jfk/jfk.wav (16 kHz) raised to the device rate by SciPy; a perfect
round trip gives the original back. This worklet: 59 dB at 44.1 and 48 kHz (SciPy's own round trip:
54 dB). Its first version, a box filter (the mean of each output period's input samples), measured
14 dB at 44.1 kHz the same way (a Python copy of it); streamed from Chromium's fake microphone, its
audio made the recogniser hear "ask not" as "s not", which this one's does not."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly

from stenograph.api import playground

WORKLET = Path(playground.__file__).parent / "static" / "pcm-worklet.js"
HARNESS = Path(__file__).with_name("pcm_worklet_harness.mjs")
CHUNK_BYTES = 1600 * 2  # 100 ms of 16 kHz s16le


def _read(path: Path) -> np.ndarray:
    with wave.open(str(path)) as audio:
        assert audio.getframerate() == 16000 and audio.getsampwidth() == 2 and audio.getnchannels() == 1
        return np.frombuffer(audio.readframes(audio.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def _snr_db(reference: np.ndarray, signal: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(reference**2) / np.sum((reference - signal) ** 2)))


@pytest.mark.parametrize("rate", [44100, 48000])
def test_the_worklet_resamples_to_16_khz(shared_audio: Path, tmp_path: Path, rate: int) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is needed to run the worklet outside a browser")
    original = _read(shared_audio / "jfk" / "jfk.wav")
    divisor = np.gcd(rate, 16000)
    device = resample_poly(original, rate // divisor, 16000 // divisor).astype(np.float32)
    (tmp_path / "in.f32").write_bytes(device.tobytes())

    run = subprocess.run(
        ["node", str(HARNESS), str(WORKLET), str(tmp_path / "in.f32"), str(rate), str(tmp_path / "out.s16")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    chunk_sizes = json.loads(run.stdout)
    assert set(chunk_sizes) == {CHUNK_BYTES}  # every message 100 ms
    out = np.frombuffer((tmp_path / "out.s16").read_bytes(), dtype=np.int16).astype(np.float32) / 32768
    # Whole chunks only: the last partial 100 ms stays in the worklet.
    assert len(original) - CHUNK_BYTES // 2 <= len(out) <= len(original)

    # The filter is centred (no delay). Compared away from the edges, where the filter lacks input.
    n = len(out) - 200
    worklet_snr = _snr_db(original[200:n], out[200:n])
    scipy_round_trip = resample_poly(device, 16000 // divisor, rate // divisor)[: len(out)]
    scipy_snr = _snr_db(original[200:n], scipy_round_trip[200:n])
    assert worklet_snr >= 40, f"{worklet_snr:.1f} dB (SciPy's round trip: {scipy_snr:.1f} dB)"
