"""Real-time streaming: ``GET /v3/token`` + ``WS /v3/ws`` (Universal-Streaming v3) and the legacy
``POST /v2/realtime/token`` + ``WS /v2/realtime/ws``, both on :mod:`stenograph.streaming`.

A WebSocket is accepted first and then closed with a code when something is wrong, as AssemblyAI
does, so that clients see the code: v3 1008 unauthorised, 3005 server error, 3006 invalid message or
parameter, 3007 audio chunk outside 50-1000 ms (or audio sent far faster than real time), 3008 session
expired, 3009 too many sessions (also for a session closed because the server fell behind real time:
see :mod:`stenograph.streaming.service`); v2 uses its own 4xxx codes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.datastructures import QueryParams
from starlette.websockets import WebSocket, WebSocketDisconnect

from stenograph.api.auth import current_project, key_from_header
from stenograph.config import Settings
from stenograph.pipeline.models import canonical_model_name, is_english_only
from stenograph.store import keys, streaming_tokens
from stenograph.streaming import render
from stenograph.streaming.audio import ENCODINGS, PcmConverter
from stenograph.streaming.engine import StreamConfig, TurnEvent
from stenograph.streaming.service import LiveSession, Overloaded, StreamingService, TooManySessions

log = logging.getLogger(__name__)
router = APIRouter()

# speech_model values of the v3 API; the English ones run the server's streaming model (tiny.en by
# default), the others the multilingual one. Our own model names are accepted too.
ENGLISH_SPEECH_MODELS = frozenset({"universal-streaming-english"})
MULTILINGUAL_SPEECH_MODELS = frozenset(
    {
        "universal-streaming-multilingual",
        "whisper-rt",
        "u3-rt-pro",
        "u3-rt-pro-beta-1",
        "u3-pro",
        "universal-3-5-pro",
        "universal-3-6",
        "universal-3-6-pro",
    }
)
MIN_CHUNK_MS, MAX_CHUNK_MS = 50.0, 1000.0
V2_MAX_CHUNK_MS = 2000.0
UNAUTHORIZED = "Unauthorized connection: missing or invalid API key or temporary token"


# --------------------------------------------------------------------------- tokens


class StreamingTokenResponse(BaseModel):
    token: str
    expires_in_seconds: int


@router.get("/v3/token", response_model=StreamingTokenResponse)
def create_streaming_token(
    request: Request,
    expires_in_seconds: int = Query(..., ge=1, le=600),
    max_session_duration_seconds: int | None = Query(None, ge=60, le=10800),
    project_id: str = Depends(current_project),
) -> StreamingTokenResponse:
    with request.app.state.runtime.db.session() as session:
        token = streaming_tokens.create_token(
            session,
            project_id,
            kind="v3",
            expires_in_seconds=expires_in_seconds,
            max_session_seconds=max_session_duration_seconds,
        )
    return StreamingTokenResponse(token=token, expires_in_seconds=expires_in_seconds)


class RealtimeTokenRequest(BaseModel):
    expires_in: int = Field(..., ge=60, le=360_000)


class RealtimeTokenResponse(BaseModel):
    token: str


@router.post("/v2/realtime/token", response_model=RealtimeTokenResponse)
def create_realtime_token(
    request: Request, body: RealtimeTokenRequest, project_id: str = Depends(current_project)
) -> RealtimeTokenResponse:
    with request.app.state.runtime.db.session() as session:
        token = streaming_tokens.create_token(
            session, project_id, kind="v2", expires_in_seconds=body.expires_in
        )
    return RealtimeTokenResponse(token=token)


# --------------------------------------------------------------------------- shared parts


class ParamError(ValueError):
    pass


def _service(app: Any) -> StreamingService:
    service = getattr(app.state, "streaming_service", None)
    if service is None:
        settings: Settings = app.state.runtime.settings
        service = StreamingService(
            max_sessions=settings.streaming_max_sessions,
            inference_threads=settings.streaming_threads,
            admit_lag_s=settings.streaming_admit_lag_seconds,
            shed_lag_s=settings.streaming_shed_lag_seconds,
        )
        app.state.streaming_service = service
    return service


def _authenticate(db: Any, credentials: list[str], kind: str) -> tuple[str, int | None] | None:
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


async def _auth(websocket: WebSocket, kind: str) -> tuple[str, int | None] | None:
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
    db = websocket.app.state.runtime.db
    return await asyncio.to_thread(_authenticate, db, credentials, kind)


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ParamError(f"Invalid value for '{name}': expected true or false, got {value!r}")


def _number(name: str, value: Any, kind: type, low: float | None = None, high: float | None = None) -> Any:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value) if kind is float else int(str(value).strip())
    except (TypeError, ValueError):
        raise ParamError(f"Invalid value for '{name}': {value!r}") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise ParamError(f"Invalid value for '{name}': {value!r} is outside {low}..{high}")
    return number


def _string_list(name: str, values: list[Any]) -> list[str]:
    """A list given as repeated parameters, one JSON-encoded array, or a JSON array in a message."""
    if len(values) == 1 and isinstance(values[0], list):
        values = values[0]
    elif len(values) == 1 and isinstance(values[0], str) and values[0].strip().startswith("["):
        try:
            values = json.loads(values[0])
        except json.JSONDecodeError:
            raise ParamError(f"Invalid value for '{name}': not a JSON array") from None
        if not isinstance(values, list):
            raise ParamError(f"Invalid value for '{name}': not a JSON array")
    out = []
    for value in values:
        if not isinstance(value, str):
            raise ParamError(f"Invalid value for '{name}': expected strings")
        if value.strip():
            out.append(value.strip())
    return out


def _audio_params(query: QueryParams, *, default_rate: int | None = 16000) -> PcmConverter:
    raw_rate = query.get("sample_rate")
    if raw_rate is None:
        if default_rate is None:
            raise ParamError("sample_rate is required")
        rate = default_rate
    else:
        rate = _number("sample_rate", raw_rate, int, 1, 384_000)
    encoding = (query.get("encoding") or "pcm_s16le").strip().lower()
    if encoding not in ENCODINGS:
        raise ParamError(f"Invalid value for 'encoding': {encoding!r}. Supported: {', '.join(ENCODINGS)}")
    return PcmConverter(rate, encoding)


_TURN_SETTINGS = {
    # wire name -> (engine setting, kind, low, high)
    "end_of_turn_confidence_threshold": ("end_of_turn_confidence_threshold", float, 0.0, 1.0),
    "min_end_of_turn_silence_when_confident": ("min_turn_silence_ms", int, 0, 60_000),
    "min_turn_silence": ("min_turn_silence_ms", int, 0, 60_000),
    "max_turn_silence": ("max_turn_silence_ms", int, 0, 60_000),
    "vad_threshold": ("vad_threshold", float, 0.0, 1.0),
}


def _turn_settings(values: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, (setting, kind, low, high) in _TURN_SETTINGS.items():
        if values.get(name) is not None:
            changes[setting] = _number(name, values[name], kind, low, high)
    return changes


@dataclass
class V3Options:
    model: str
    converter: PcmConverter
    config: StreamConfig
    format_turns: bool = False
    language_detection: bool = False
    inactivity_timeout: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_v3_params(query: QueryParams, settings: Settings) -> V3Options:
    converter = _audio_params(query)
    speech_model = (query.get("speech_model") or "").strip()
    language_codes = _string_list("language_codes", query.getlist("language_codes"))
    if query.get("language_code"):
        language_codes = [query["language_code"].strip(), *language_codes]
    multilingual = False
    if not speech_model or speech_model in ENGLISH_SPEECH_MODELS:
        model = settings.streaming_model
    elif speech_model in MULTILINGUAL_SPEECH_MODELS:
        model, multilingual = "base", True
    else:
        model = canonical_model_name(speech_model) or ""
        if not model:
            raise ParamError(f"Invalid value for 'speech_model': {speech_model!r}")
    model = canonical_model_name(model) or model
    language: str | None = "en"
    non_english = [c for c in language_codes if c.lower().split("_")[0].split("-")[0] != "en"]
    if multilingual or not is_english_only(model) or non_english:
        from stenograph.pipeline.languages import UnsupportedLanguageError, whisper_language

        if is_english_only(model):
            model = "base"
        try:
            languages = [whisper_language(c) for c in language_codes]
        except UnsupportedLanguageError as exc:
            raise ParamError(str(exc)) from None
        language = languages[0] if len(languages) == 1 else None  # None: detected per turn
    config = StreamConfig(language=language, **_turn_settings(dict(query.items())))
    config.keyterms = tuple(_string_list("keyterms_prompt", query.getlist("keyterms_prompt")))
    options = V3Options(model=model, converter=converter, config=config)
    if query.get("format_turns") is not None:
        options.format_turns = _bool("format_turns", query["format_turns"])
    if query.get("language_detection") is not None:
        options.language_detection = _bool("language_detection", query["language_detection"])
    if query.get("inactivity_timeout") is not None:
        options.inactivity_timeout = float(
            _number("inactivity_timeout", query["inactivity_timeout"], int, 5, 3600)
        )
    return options


class _Sender:
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


class _Closed(Exception):
    """The session is over (closed by us with a code, or by the peer)."""


@dataclass
class _Codes:
    server_error: int
    invalid: int
    bad_json: int
    too_short: int
    too_long: int
    too_fast: int
    expired: int
    too_many: int


V3_CODES = _Codes(3005, 3006, 3006, 3007, 3007, 3007, 3008, 3009)
V2_CODES = _Codes(1011, 4101, 4100, 4032, 4033, 4029, 4008, 4102)


class _Session:
    """What v2 and v3 sessions share: timing, audio checks, the live engine, closing."""

    def __init__(self, websocket: WebSocket, sender: _Sender, codes: _Codes, max_seconds: float) -> None:
        self.websocket = websocket
        self.sender = sender
        self.codes = codes
        self.settings: Settings = websocket.app.state.runtime.settings
        self.service = _service(websocket.app)
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

    async def fail(self, code: int, reason: str) -> None:
        await self.sender.close(code, reason)
        raise _Closed

    async def receive(self, inactivity: float | None = None) -> dict[str, Any] | None:
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
                raise _Closed
            self.last_activity = self.loop.time()
            return message

    async def on_expired(self) -> None:
        await self.fail(self.codes.expired, "Session expired: maximum session duration exceeded")

    async def audio(self, data: bytes, max_chunk_ms: float) -> None:
        assert self.live is not None
        ms = self.live.converter.duration_ms(len(data))
        if ms < MIN_CHUNK_MS - 1e-6:
            await self.fail(
                self.codes.too_short,
                f"Input duration violation: {ms:.0f} ms. Expected between 50 and {max_chunk_ms:.0f} ms",
            )
        if ms > max_chunk_ms + 1e-6:
            await self.fail(
                self.codes.too_long,
                f"Input duration violation: {ms:.0f} ms. Expected between 50 and {max_chunk_ms:.0f} ms",
            )
        self.audio_received += ms / 1000
        ahead = self.audio_received - (self.loop.time() - self.started)
        if ahead > self.settings.streaming_max_audio_ahead_seconds:
            await self.fail(self.codes.too_fast, "Audio sent faster than real time")
        await self.guard(self.live.feed(data))

    async def guard(self, awaitable: Any) -> Any:
        """Run engine work; an engine failure closes the session with the server-error code."""
        try:
            return await awaitable
        except _Closed:
            raise
        except Overloaded as exc:
            await self.fail(self.codes.too_many, str(exc))
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


async def _open(
    websocket: WebSocket, kind: str, unauthorized: tuple[int, str]
) -> tuple[_Sender, tuple] | None:
    await websocket.accept()
    sender = _Sender(websocket)
    try:
        auth = await _auth(websocket, kind)
    except Exception:
        log.exception("streaming authentication failed")
        auth = None
    if auth is None:
        await sender.close(*unauthorized)
        return None
    return sender, auth


# --------------------------------------------------------------------------- v3


@router.websocket("/v3/ws")
async def v3_websocket(websocket: WebSocket) -> None:
    opened = await _open(websocket, "v3", (1008, UNAUTHORIZED))
    if opened is None:
        return
    sender, (_project_id, token_seconds) = opened
    settings: Settings = websocket.app.state.runtime.settings
    try:
        options = parse_v3_params(websocket.query_params, settings)
    except ParamError as exc:
        await sender.close(3006, str(exc))
        return
    max_seconds = min(
        settings.streaming_max_session_seconds, token_seconds or settings.streaming_max_session_seconds
    )
    session = _Session(websocket, sender, V3_CODES, max_seconds)
    try:
        session.service.acquire(session.id)
    except TooManySessions as exc:
        await sender.close(3009, str(exc))
        return
    try:
        await _run_v3(session, options)
    except _Closed:
        pass
    finally:
        session.service.release(session.id)
        if session.live is not None:
            await session.live.close()


async def _run_v3(session: _Session, options: V3Options) -> None:
    sender = session.sender

    async def on_events(events: list[TurnEvent]) -> None:
        for event in events:
            if options.language_detection and event.end_of_turn and event.language_code is None:
                event = _with_language(event, options.config.language or "en")
            for message in render.v3_messages(event, options.format_turns):
                if not options.language_detection:
                    message.pop("language_code", None)
                    message.pop("language_confidence", None)
                await sender.send(message)

    session.live = LiveSession(
        session.service,
        model=options.model,
        config=options.config,
        converter=options.converter,
        on_events=on_events,
        on_error=session.on_engine_error,
        session_id=session.id,
    )
    await sender.send(
        {"type": "Begin", "id": session.id, "expires_at": int(session.started_wall + session.max_seconds)}
    )
    await session.guard(session.live.start())  # the first session loads the models: after Begin
    while True:
        message = await session.receive(options.inactivity_timeout)
        if message is None:  # inactivity timeout: end like a Terminate
            await _terminate_v3(session)
        if message.get("bytes") is not None:
            await session.audio(message["bytes"], MAX_CHUNK_MS)
            continue
        payload = _json_message(message.get("text"))
        if payload is None:
            await session.fail(3006, "Invalid message: expected audio bytes or a JSON object with a 'type'")
        kind = payload.get("type")
        if kind == "Terminate":
            await _terminate_v3(session)
        elif kind == "ForceEndpoint":
            await session.guard(session.live.force_endpoint())
        elif kind == "KeepAlive":
            pass
        elif kind == "UpdateConfiguration":
            try:
                changes = _turn_settings(payload)
                if payload.get("keyterms_prompt") is not None:
                    changes["keyterms"] = tuple(_string_list("keyterms_prompt", [payload["keyterms_prompt"]]))
                if payload.get("format_turns") is not None:
                    options.format_turns = _bool("format_turns", payload["format_turns"])
            except ParamError as exc:
                await session.fail(3006, str(exc))
            await session.live.update(**changes)
        else:
            await session.fail(3006, f"Invalid message type: {kind!r}")


async def _terminate_v3(session: _Session) -> None:
    assert session.live is not None
    await session.guard(session.live.finish())
    await session.sender.send(
        {
            "type": "Termination",
            "audio_duration_seconds": round(session.live.audio_seconds),
            "session_duration_seconds": session.session_seconds(),
        }
    )
    await session.sender.close(1000, "")
    raise _Closed


def _with_language(event: TurnEvent, language: str) -> TurnEvent:
    from dataclasses import replace

    return replace(event, language_code=language, language_confidence=1.0)


def _json_message(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None


# --------------------------------------------------------------------------- v2 (legacy realtime)


@router.websocket("/v2/realtime/ws")
async def v2_websocket(websocket: WebSocket) -> None:
    opened = await _open(websocket, "v2", (4001, "Not Authorized"))
    if opened is None:
        return
    sender, _auth_info = opened
    settings: Settings = websocket.app.state.runtime.settings
    query = websocket.query_params
    try:
        converter = _audio_params(query, default_rate=None)
    except ParamError as exc:
        code = 4000 if "sample_rate" in str(exc) else 4101
        await sender.close(code, "Sample rate must be a positive integer" if code == 4000 else str(exc))
        return
    try:
        word_boost = _string_list("word_boost", query.getlist("word_boost"))
        partials = not _bool("disable_partial_transcripts", query.get("disable_partial_transcripts", "false"))
        extra_info = _bool(
            "enable_extra_session_information", query.get("enable_extra_session_information", "false")
        )
    except ParamError as exc:
        await sender.close(4104 if "word_boost" in str(exc) else 4101, str(exc))
        return
    session = _Session(websocket, sender, V2_CODES, settings.streaming_max_session_seconds)
    try:
        session.service.acquire(session.id)
    except TooManySessions:
        await sender.close(4102, "Too many streams")
        return
    config = StreamConfig(
        language="en",
        keyterms=tuple(word_boost),
        end_of_turn_confidence_threshold=0.0,
        min_turn_silence_ms=700,
        max_turn_silence_ms=700,
    )
    try:
        await _run_v2(session, converter, config, partials=partials, extra_info=extra_info)
    except _Closed:
        pass
    finally:
        session.service.release(session.id)
        if session.live is not None:
            await session.live.close()


async def _run_v2(
    session: _Session, converter: PcmConverter, config: StreamConfig, *, partials: bool, extra_info: bool
) -> None:
    import base64
    import binascii

    sender = session.sender

    async def on_events(events: list[TurnEvent]) -> None:
        for event in events:
            if event.end_of_turn or partials:
                await sender.send(render.v2_transcript(event))

    session.live = LiveSession(
        session.service,
        model=session.settings.streaming_model,
        config=config,
        converter=converter,
        on_events=on_events,
        on_error=session.on_engine_error,
        session_id=session.id,
    )
    expires = dt.datetime.fromtimestamp(session.started_wall + session.max_seconds, dt.UTC).replace(
        tzinfo=None
    )
    await sender.send(
        {"message_type": "SessionBegins", "session_id": session.id, "expires_at": expires.isoformat()}
    )
    await session.guard(session.live.start())
    while True:
        message = await session.receive()
        if message is None:
            continue
        if message.get("bytes") is not None:
            await session.audio(message["bytes"], V2_MAX_CHUNK_MS)
            continue
        payload = _json_message(message.get("text"))
        if payload is None:
            await session.fail(4100, "Endpoint received invalid JSON")
        if "audio_data" in payload:
            try:
                data = base64.b64decode(payload["audio_data"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                await session.fail(4101, "audio_data must be base64")
            await session.audio(data, V2_MAX_CHUNK_MS)
        elif payload.get("terminate_session"):
            await session.guard(session.live.finish())
            if extra_info:
                await sender.send(
                    {
                        "message_type": "SessionInformation",
                        "audio_duration_seconds": round(session.live.audio_seconds, 3),
                    }
                )
            await sender.send({"message_type": "SessionTerminated"})
            await sender.close(1000, "")
            raise _Closed
        elif payload.get("force_end_utterance"):
            await session.guard(session.live.force_endpoint())
        elif "end_utterance_silence_threshold" in payload:
            try:
                ms = _number(
                    "end_utterance_silence_threshold",
                    payload["end_utterance_silence_threshold"],
                    int,
                    0,
                    20000,
                )
            except ParamError as exc:
                await session.fail(4101, str(exc))
            await session.live.update(min_turn_silence_ms=ms, max_turn_silence_ms=ms)
        else:
            await session.fail(4101, "Endpoint received a message with an invalid schema")
