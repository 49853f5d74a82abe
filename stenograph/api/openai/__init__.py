"""OpenAI-compatible facade: ``POST /v1/audio/transcriptions``, synchronous, on the same pipeline and keys.

Requests are multipart (``file``, ``model``, ``language``, ``languages[]``, ``keywords``, ``prompt``,
``temperature``, ``response_format``, ``timestamp_granularities[]``, ``chunking_strategy``,
``known_speaker_names[]`` / ``known_speaker_references[]``) with
``Authorization: Bearer <key>``. The file part is streamed to a scratch file (at most
``max_upload_bytes``), transcribed in a worker thread with the process-wide model, and deleted.
Errors on this router leave in OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``,
so the ``openai`` client raises its usual classes.

``prompt`` goes to Whisper as its initial prompt. ``temperature`` follows OpenAI: 0 (or none) means
Whisper's fallback schedule (decode greedily, raise the temperature when a decode looks wrong); a value in
(0, 1] is used as the one fixed sampling temperature. OpenAI's model names with no ``language`` have the
language detected (by the multilingual model, whatever the server default); with a ``language``, or with
one of our own model names, the model and language are chosen as the AssemblyAI API does.

``gpt-4o-transcribe-diarize`` runs speaker labels; ``diarized_json`` has one segment per speaker turn,
and known speakers rename the speakers whose voices match their references
(``pipeline/diarization/voices.py``). ``chunking_strategy`` ``auto`` keeps our defaults; a ``server_vad``
object sets the recogniser's VAD (``TranscribeOptions.vad``); diarization keeps its own.

verbose_json ``segments`` are Whisper's own segments (times and text, the text joined from the segment's
words). The pipeline does not return Whisper's per-segment decoding details, so these fields are stand-ins:
``seek`` is the start in 10 ms frames, ``tokens`` is empty, ``avg_logprob`` is the mean log word
probability, ``compression_ratio`` is computed from the segment's text, ``no_speech_prob`` is 0.0, and
``temperature`` is the fixed temperature asked for, else 0.0 (which the fallback may have raised).

Modules: ``errors`` (OpenAI's error shape, the route class), ``params`` (form fields -> pipeline
options), ``responses`` (the five response formats), ``routes`` (the router and its endpoint); the
streamed form reader is ``stenograph.api.multipart``.
"""

from stenograph.api.openai.routes import router

__all__ = ["router"]
