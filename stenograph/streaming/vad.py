"""Silero VAD (the v6 ONNX model inside faster-whisper) run incrementally, state carried across calls."""

from __future__ import annotations

import numpy as np

WINDOW = 512  # samples at 16 kHz: 32 ms
_CONTEXT = 64


class StreamingVad:
    """Speech probability per 32 ms window of a 16 kHz stream fed in arbitrary pieces.

    Equal, window for window, to running the model over the whole stream at once."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session  # one ONNX session per process, thread-safe
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities of the whole windows completed by ``samples`` (possibly none)."""
        data = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        whole = len(data) // WINDOW * WINDOW
        self._pending = data[whole:]
        if whole == 0:
            return np.zeros(0, dtype=np.float32)
        windows = data[:whole].reshape(-1, WINDOW)
        previous = np.concatenate([self._context[np.newaxis, :], windows[:-1, -_CONTEXT:]], axis=0)
        batch = np.ascontiguousarray(np.concatenate([previous, windows], axis=1))
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)
