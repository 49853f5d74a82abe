"""``WS /v2/realtime/ws``: the legacy realtime sessions."""

from __future__ import annotations

import base64
import binascii
from typing import NoReturn

from fastapi import APIRouter
from starlette.websockets import WebSocket

from stenograph.api.deps import runtime_of
from stenograph.api.streaming.params import ParamError, audio_params, parse_bool, parse_number, string_list
from stenograph.api.streaming.session import (
    Closed,
    InvalidMessage,
    Session,
    json_message,
    open_session,
)
from stenograph.assemblyai.models import packaged_model_for
from stenograph.assemblyai.streaming import (
    NORMAL_CLOSURE,
    V2_BAD_SAMPLE_RATE,
    V2_BAD_WORD_BOOST,
    V2_CODES,
    V2_MAX_CHUNK_MS,
    V2_NOT_AUTHORIZED,
    V2_NOT_AUTHORIZED_REASON,
    v2_session_begins,
    v2_session_information,
    v2_session_terminated,
    v2_transcript,
)
from stenograph.config import Settings
from stenograph.streaming.audio import PCM_ENCODINGS, PcmConverter
from stenograph.streaming.engine import StreamConfig, TurnEvent
from stenograph.streaming.service import LiveSession, TooManySessions

router = APIRouter()


@router.websocket("/v2/realtime/ws")
async def v2_websocket(websocket: WebSocket) -> None:
    opened = await open_session(websocket, "v2", (V2_NOT_AUTHORIZED, V2_NOT_AUTHORIZED_REASON))
    if opened is None:
        return
    sender, _auth_info = opened
    settings: Settings = runtime_of(websocket).settings
    query = websocket.query_params
    try:
        converter = audio_params(query, default_rate=None, encodings=PCM_ENCODINGS)  # v2: PCM only
        assert isinstance(converter, PcmConverter)
    except ParamError as exc:
        if "sample_rate" in str(exc):
            await sender.close(V2_BAD_SAMPLE_RATE, "Sample rate must be a positive integer")
        else:
            await sender.close(V2_CODES.invalid, str(exc))
        return
    try:
        word_boost = string_list("word_boost", query.getlist("word_boost"))
        partials = not parse_bool(
            "disable_partial_transcripts", query.get("disable_partial_transcripts", "false")
        )
        extra_info = parse_bool(
            "enable_extra_session_information", query.get("enable_extra_session_information", "false")
        )
    except ParamError as exc:
        await sender.close(V2_BAD_WORD_BOOST if "word_boost" in str(exc) else V2_CODES.invalid, str(exc))
        return
    session = Session(websocket, sender, V2_CODES, settings.streaming_max_session_seconds)
    try:
        session.service.acquire(session.id)
    except TooManySessions:
        await sender.close(V2_CODES.too_many, "Too many streams")
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
    except Closed:
        pass
    finally:
        session.service.release(session.id)
        if session.live is not None:
            await session.live.close()


def text_message_limit(converter: PcmConverter) -> int:
    """The longest text message a session takes: its longest audio chunk in base64 (``audio_data``),
    with room for the JSON around it."""
    chunk_bytes = V2_MAX_CHUNK_MS / 1000 * converter.sample_rate * converter.bytes_per_sample
    return int(chunk_bytes * 4 / 3) + 4096


async def _run_v2(
    session: Session, converter: PcmConverter, config: StreamConfig, *, partials: bool, extra_info: bool
) -> NoReturn:
    sender = session.sender
    text_limit = text_message_limit(converter)

    async def on_events(events: list[TurnEvent]) -> None:
        for event in events:
            if event.end_of_turn or partials:
                await sender.send(v2_transcript(event))

    live = session.live = LiveSession(
        session.service,
        # AssemblyAI's names are accepted in the setting too (an unknown one fails in start: 1011)
        model=packaged_model_for(session.settings.streaming_model) or session.settings.streaming_model,
        config=config,
        converter=converter,
        on_events=on_events,
        on_error=session.on_engine_error,
        session_id=session.id,
    )
    await sender.send(v2_session_begins(session.id, session.expires_at))
    await session.guard(live.start())
    while True:
        message = await session.receive()
        if message is None:
            continue
        if message.get("bytes") is not None:
            await session.audio(message["bytes"], V2_MAX_CHUNK_MS)
            continue
        try:
            payload = json_message(message.get("text"), text_limit)
        except InvalidMessage:
            await session.fail(V2_CODES.bad_json, "Endpoint received invalid JSON")
        if "audio_data" in payload:
            try:
                data = base64.b64decode(payload["audio_data"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                await session.fail(V2_CODES.invalid, "audio_data must be base64")
            await session.audio(data, V2_MAX_CHUNK_MS)
        elif payload.get("terminate_session"):
            await session.guard(live.finish())
            if extra_info:
                await sender.send(v2_session_information(live.audio_seconds))
            await sender.send(v2_session_terminated())
            await sender.close(NORMAL_CLOSURE, "")
            raise Closed
        elif payload.get("force_end_utterance"):
            await session.guard(live.force_endpoint())
        elif "end_utterance_silence_threshold" in payload:
            try:
                ms = parse_number(
                    "end_utterance_silence_threshold",
                    payload["end_utterance_silence_threshold"],
                    int,
                    0,
                    20000,
                )
            except ParamError as exc:
                await session.fail(V2_CODES.invalid, str(exc))
            await live.update(min_turn_silence_ms=ms, max_turn_silence_ms=ms)
        else:
            await session.fail(V2_CODES.invalid, "Endpoint received a message with an invalid schema")
