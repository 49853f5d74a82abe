"""Real-time streaming speech-to-text: PCM chunks in, turns of words out (no HTTP here).

- :mod:`~stenograph.streaming.audio`: streamed PCM / mu-law bytes -> 16 kHz float32
- :mod:`~stenograph.streaming.vad`: Silero VAD run incrementally
- :mod:`~stenograph.streaming.decoder`: Whisper on a short rolling window (shared model)
- :mod:`~stenograph.streaming.engine`: turn detection, local agreement, final words
- :mod:`~stenograph.streaming.batcher`: the inference threads, batching decodes across sessions
- :mod:`~stenograph.streaming.service`: live sessions on an event loop, admission and load shedding

The package speaks only in its own events (:class:`~stenograph.streaming.engine.TurnEvent` of
:class:`~stenograph.streaming.engine.StreamWord`); the protocols' messages and close codes are
built from them in :mod:`stenograph.assemblyai.streaming`.
"""
