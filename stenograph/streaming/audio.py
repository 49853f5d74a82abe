"""Raw streamed audio (PCM s16le or G.711 mu-law at any rate) -> 16 kHz mono float32 samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from stenograph.pipeline.audio import SAMPLE_RATE

ENCODINGS = ("pcm_s16le", "pcm_mulaw")


def _mulaw_table() -> np.ndarray:
    """G.711 mu-law byte -> linear 16-bit sample."""
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_MULAW = _mulaw_table()


class PcmConverter:
    """Turns the bytes of each binary message into 16 kHz float32 samples, keeping any odd trailing
    byte for the next message and the resampler's state across messages."""

    def __init__(self, sample_rate: int, encoding: str = "pcm_s16le") -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
        if sample_rate <= 0:
            raise ValueError("sample_rate must be a positive integer")
        self.sample_rate = sample_rate
        self.encoding = encoding
        self.bytes_per_sample = 2 if encoding == "pcm_s16le" else 1
        self._carry = b""
        self._resampler: Any = None  # an av.AudioResampler when the rate is not 16 kHz
        if sample_rate != SAMPLE_RATE:
            import av

            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

    def duration_ms(self, nbytes: int) -> float:
        return nbytes / self.bytes_per_sample / self.sample_rate * 1000.0

    def convert(self, data: bytes) -> np.ndarray:
        data = self._carry + data
        usable = len(data) - len(data) % self.bytes_per_sample
        self._carry = data[usable:]
        if self.encoding == "pcm_s16le":
            pcm = np.frombuffer(data[:usable], dtype="<i2")
        else:
            pcm = _MULAW[np.frombuffer(data[:usable], dtype=np.uint8)]
        if self._resampler is None:
            return pcm.astype(np.float32) / 32768.0
        return self._resample(pcm.astype(np.int16, copy=False))

    def _resample(self, pcm: np.ndarray) -> np.ndarray:
        import av

        if len(pcm) == 0:
            return np.zeros(0, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm[np.newaxis, :]), format="s16", layout="mono"
        )
        frame.sample_rate = self.sample_rate
        chunks = [out.to_ndarray()[0] for out in self._resampler.resample(frame)]
        return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
