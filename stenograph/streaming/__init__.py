"""Real-time streaming speech-to-text: PCM chunks in, turns of words out (no HTTP here).

- :mod:`~stenograph.streaming.audio`: streamed PCM / mu-law bytes -> 16 kHz float32
- :mod:`~stenograph.streaming.vad`: Silero VAD run incrementally
- :mod:`~stenograph.streaming.decoder`: Whisper on a short rolling window (shared model)
- :mod:`~stenograph.streaming.engine`: turn detection, local agreement, final words
- :mod:`~stenograph.streaming.render`: turn events -> v3 ``Turn`` and v2 transcript messages
"""
