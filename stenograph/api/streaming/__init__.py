"""Real-time streaming: ``GET /v3/token`` + ``WS /v3/ws`` (Universal-Streaming v3) and the legacy
``POST /v2/realtime/token`` + ``WS /v2/realtime/ws``, both on :mod:`stenograph.streaming` (the
process's :class:`~stenograph.streaming.service.StreamingService` is ``runtime.streaming``).

A WebSocket is accepted first and then closed with a code when something is wrong, as AssemblyAI
does, so that clients see the code: v3 1008 unauthorised, 3005 server error, 3006 invalid message or
parameter, 3007 audio chunk outside 50-1000 ms (or audio sent far faster than real time), 3008 session
expired, 3009 too many sessions (also for a session closed because the server fell behind real time:
see :mod:`stenograph.streaming.service`); v2 uses its own 4xxx codes. The messages and codes are in
:mod:`stenograph.assemblyai.streaming`.

- :mod:`~stenograph.api.streaming.tokens`: the temporary token endpoints
- :mod:`~stenograph.api.streaming.params`: query and message parameters
- :mod:`~stenograph.api.streaming.session`: authentication and what v2 and v3 sessions share
- :mod:`~stenograph.api.streaming.v3`, :mod:`~stenograph.api.streaming.v2`: the two protocols
"""

from __future__ import annotations

from fastapi import APIRouter

from stenograph.api.streaming import tokens, v2, v3

router = APIRouter()
router.include_router(tokens.router)
router.include_router(v3.router)
router.include_router(v2.router)
