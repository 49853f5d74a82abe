"""AssemblyAI's Sync API (``SyncTranscriber`` / ``client.sync`` in the SDKs): one request, one clip
of at most 120 s, the transcript in the answer, on the same pipeline and keys as the async API.

``POST /v1/transcribe/live`` (also ``/v1/transcribe/stream`` and ``/v1/transcribe``) takes a
multipart body, a ``config`` part (JSON) before an ``audio`` part (a WAV file, or raw s16le PCM with
``sample_rate`` and ``channels`` in the config), with the model named in the ``X-AAI-Model`` header.
``GET /v1/warm`` loads the model. Errors leave as RFC 9457 problem details, as the SDKs parse them.

Modules: ``config`` (the config part -> pipeline options), ``problems`` (the error shape and the
route class), ``routes`` (the endpoints).
"""

from stenograph.api.sync.routes import router

__all__ = ["router"]
