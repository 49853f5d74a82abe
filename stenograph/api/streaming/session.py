"""What v2 and v3 sessions share: authentication, serialised sends, timing, audio checks, closing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable
from typing import Any, NoReturn, TypeVar

from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from stenograph.api import jsonio
from stenograph.api.auth import key_from_header
from stenograph.api.deps import runtime_of
from stenograph.assemblyai.streaming import MIN_CHUNK_MS, CloseCodes
from stenograph.config import Settings
from stenograph.store import keys, streaming_tokens
from stenograph.store.db import Database
from stenograph.streaming.audio import AudioDecodeError
from stenograph.streaming.service import LiveSession, Overloaded, StreamingService

log = logging.getLogger(__name__)

T = TypeVar("T")

# What the server reads of a WebSocket (uvicorn's limits): the largest legitimate frame is a v2
# audio_data message of 2 s at 384 kHz (about 2.05 MB of base64); a bigger one closes with 1009.
# Frames read ahead of the session's receive loop wait in a queue of at most this many.
MAX_FRAME_BYTES = 4 * 1024 * 1024
MAX_QUEUED_FRAMES = 8

# (project id, session limit in seconds from a temporary token: None for an API key)
AuthInfo = tuple[str, int | None]


def _authenticate(db: Database, credentials: list[str], kind: str) -> AuthInfo | None:
    """(project id, session limit from the token) for the first valid API key or unused token."""
    with db.session() as session:
        for credential in credentials:
            project_id = keys.project_for_key(session, credential)
            if project_id is not None:
                return project_id, None
            claimed = streaming_tokens.claim_token(session, credential, kind=kind)
            if claimed is not None:
                return claimed.project_id, claimed.max_session_seconds
    return None


async def _auth(websocket: WebSocket, kind: str) -> AuthInfo | None:
    credentials = [
        c
        for c in (
            key_from_header(websocket.headers.get("authorization")),
            websocket.query_params.get("token"),
        )
        if c
    ]
    if not credentials:
        return None
    db = runtime_of(websocket).db
    return await asyncio.to_thread(_authenticate, db, credentials, kind)


class Sender:
    """Serialises sends from the receive loop and the decode task; ignores a peer that is gone."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.closed = False
        self._lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        async with self._lock:
            try:
                await self.websocket.send_text(json.dumps(message, separators=(",", ":")))
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.closed = True

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        async with self._lock:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.websocket.close(code, reason.encode()[:123].decode(errors="ignore"))


class Closed(Exception):
    """The session is over (closed by us with a code, or by the peer)."""


class Session:
    """What v2 and v3 sessions share: timing, audio checks, the live engine, closing."""

    def __init__(self, websocket: WebSocket, sender: Sender, codes: CloseCodes, max_seconds: float) -> None:
        self.websocket = websocket
        self.sender = sender
        self.codes = codes
        runtime = runtime_of(websocket)
        self.settings: Settings = runtime.settings
        self.service: StreamingService = runtime.streaming
        self.id = str(uuid.uuid4())
        self.loop = asyncio.get_running_loop()
        self.started = self.loop.time()
        self.started_wall = time.time()
        self.max_seconds = max_seconds
        self.audio_received = 0.0
        self.live: LiveSession | None = None
        self.last_activity = self.started

    @property
    def deadline(self) -> float:
        return self.started + self.max_seconds

    @property
    def expires_at(self) -> float:
        """When the session expires, in Unix seconds."""
        return self.started_wall + self.max_seconds

    async def fail(self, code: int, reason: str) -> NoReturn:
        await self.sender.close(code, reason)
        raise Closed

    async def receive(self, inactivity: float | None = None) -> Message | None:
        """The next message; None when the client's inactivity timeout ran out."""
        while True:
            now = self.loop.time()
            if now >= self.deadline:
                await self.on_expired()
            wait = self.deadline - now
            if inactivity is not None:
                wait = min(wait, self.last_activity + inactivity - now)
                if wait <= 0:
                    return None
            try:
                message = await asyncio.wait_for(self.websocket.receive(), timeout=max(wait, 0.001))
            except TimeoutError:
                continue
            if message["type"] == "websocket.disconnect":
                raise Closed
            self.last_activity = self.loop.time()
            return message

    async def on_expired(self) -> NoReturn:
        await self.fail(self.codes.expired, "Session expired: maximum session duration exceeded")

    async def audio(self, data: bytes, max_chunk_ms: float) -> None:
        """Check a binary message and feed it. PCM chunks are held to 50 ms..``max_chunk_ms`` by
        their size; compressed audio (whose bytes do not tell its length: a message may be one Opus
        packet of 20 ms, or part of an Ogg page) only to its byte limit and to real time."""
        assert self.live is not None
        ms = self.live.converter.duration_ms(len(data))
        if ms is not None:
            if ms < MIN_CHUNK_MS - 1e-6 or ms > max_chunk_ms + 1e-6:
                code = self.codes.too_short if ms < MIN_CHUNK_MS - 1e-6 else self.codes.too_long
                await self.fail(
                    code,
                    f"Input duration violation: {ms:.0f} ms. Expected between 50 and {max_chunk_ms:.0f} ms",
                )
            self.audio_received += ms / 1000
            await self._check_rate()
        await self.guard(self.live.feed(data))
        if ms is None:
            self.audio_received = self.live.audio_seconds  # decoded: known only now
            await self._check_rate()

    async def _check_rate(self) -> None:
        ahead = self.audio_received - (self.loop.time() - self.started)
        if ahead > self.settings.streaming_max_audio_ahead_seconds:
            await self.fail(self.codes.too_fast, "Audio sent faster than real time")

    async def guard(self, awaitable: Awaitable[T]) -> T:
        """Run engine work; an engine failure closes the session with the server-error code."""
        try:
            return await awaitable
        except Closed:
            raise
        except Overloaded as exc:
            await self.fail(self.codes.too_many, str(exc))
        except AudioDecodeError as exc:  # the client's audio, not the server, is at fault
            log.info("streaming session %s closed: invalid audio: %s", self.id, exc)
            await self.fail(self.codes.invalid, f"Invalid audio: {exc}")
        except Exception:
            log.exception("streaming session %s failed", self.id)
            await self.fail(self.codes.server_error, "Server error")

    async def on_engine_error(self, exc: BaseException) -> None:
        if isinstance(exc, Overloaded):
            await self.sender.close(self.codes.too_many, str(exc))
        else:
            await self.sender.close(self.codes.server_error, "Server error")

    def session_seconds(self) -> int:
        return round(self.loop.time() - self.started)


async def open_session(
    websocket: WebSocket, kind: str, unauthorized: tuple[int, str]
) -> tuple[Sender, AuthInfo] | None:
    """Accept the WebSocket and authenticate it; an unauthorised one is closed with
    ``unauthorized`` (code, reason) and gives None."""
    await websocket.accept()
    sender = Sender(websocket)
    try:
        auth = await _auth(websocket, kind)
    except Exception:
        log.exception("streaming authentication failed")
        auth = None
    if auth is None:
        await sender.close(*unauthorized)
        return None
    return sender, auth


class InvalidMessage(ValueError):
    """A text frame that is not a bounded JSON object; the message says why (a close reason)."""


def json_message(text: str | None, max_chars: int) -> dict[str, Any]:
    """A text frame's JSON object (parsed with the REST API's limits), else InvalidMessage."""
    if text is None:
        raise InvalidMessage("expected audio bytes or a JSON object")
    if len(text) > max_chars:
        raise InvalidMessage(f"a text message is limited to {max_chars} characters")
    try:
        payload = jsonio.loads(text)
    except jsonio.JsonError as exc:
        raise InvalidMessage(str(exc)) from None
    if not isinstance(payload, dict):
        raise InvalidMessage("expected a JSON object")
    return payload
