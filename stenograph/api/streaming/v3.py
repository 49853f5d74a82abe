"""``WS /v3/ws``: Universal-Streaming v3 sessions."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, NoReturn

from fastapi import APIRouter
from starlette.websockets import WebSocket

from stenograph.api.deps import runtime_of
from stenograph.api.streaming.params import (
    ParamError,
    V3Options,
    language_steering,
    parse_bool,
    parse_v3_params,
    refuse_open_only,
    refuse_unbuilt,
    speaker_settings_change,
    string_list,
    turn_settings,
)
from stenograph.api.streaming.session import (
    Closed,
    InvalidMessage,
    Session,
    json_message,
    open_session,
)
from stenograph.assemblyai.streaming import (
    MAX_CHUNK_MS,
    NORMAL_CLOSURE,
    V3_CODES,
    V3_UNAUTHORIZED,
    V3_UNAUTHORIZED_REASON,
    StreamRedaction,
    v3_begin,
    v3_heartbeat,
    v3_session_messages,
    v3_silence,
    v3_speaker_revision,
    v3_termination,
)
from stenograph.config import Settings
from stenograph.pipeline import guardrails
from stenograph.streaming.engine import TurnEvent
from stenograph.streaming.service import LiveSession, TooManySessions
from stenograph.streaming.speakers import Revision, SpeakerTracker

router = APIRouter()

# v3 text messages are small control messages (UpdateConfiguration with its key terms the largest).
MAX_TEXT_MESSAGE_CHARS = 64 * 1024


@router.websocket("/v3/ws")
async def v3_websocket(websocket: WebSocket) -> None:
    opened = await open_session(websocket, "v3", (V3_UNAUTHORIZED, V3_UNAUTHORIZED_REASON))
    if opened is None:
        return
    sender, (_project_id, token_seconds) = opened
    settings: Settings = runtime_of(websocket).settings
    try:
        options = parse_v3_params(websocket.query_params, settings)
    except ParamError as exc:
        await sender.close(V3_CODES.invalid, str(exc))
        return
    max_seconds = min(
        settings.streaming_max_session_seconds, token_seconds or settings.streaming_max_session_seconds
    )
    session = Session(websocket, sender, V3_CODES, max_seconds)
    try:
        session.service.acquire(session.id)
    except TooManySessions as exc:
        await sender.close(V3_CODES.too_many, str(exc))
        return
    try:
        await _run_v3(session, options)
    except Closed:
        pass
    finally:
        session.service.release(session.id)
        if session.live is not None:
            await session.live.close()


async def _run_v3(session: Session, options: V3Options) -> NoReturn:
    sender = session.sender

    redact = _redaction(options)

    async def on_events(events: list[TurnEvent]) -> None:
        for event in events:
            render = partial(
                v3_session_messages,
                event,
                format_turns=options.format_turns,
                language_detection=options.language_detection,
                language=options.config.language,
                redact=redact,
            )
            # Finding PII takes a few milliseconds of CPU: off the event loop.
            messages = render() if redact is None else await asyncio.to_thread(render)
            for message in messages:
                await sender.send(message)

    async def on_revision(revisions: list[Revision]) -> None:
        await sender.send(await _revision_message(revisions, options))

    speakers = (
        SpeakerTracker(options.max_speakers, options.speaker_labels_revision_interval_ms)
        if options.speaker_labels
        else None
    )
    live = session.live = LiveSession(
        session.service,
        model=options.model,
        config=options.config,
        converter=options.converter,
        on_events=on_events,
        on_error=session.on_engine_error,
        session_id=session.id,
        speakers=speakers,
        on_revision=on_revision,
    )
    notices = _Notices(session)
    await sender.send(v3_begin(session.id, session.expires_at))
    await session.guard(live.start())  # the first session loads the models: after Begin
    if redact is not None:  # the PII models too (the first turn would wait for them otherwise)
        await asyncio.to_thread(guardrails.load)
    while True:
        message = await session.receive(options.inactivity_timeout)
        if message is None:  # inactivity timeout: end like a Terminate
            await _terminate_v3(session, options)
        if message.get("bytes") is not None:
            await session.audio(message["bytes"], MAX_CHUNK_MS)
            await notices.after_audio(live, options)
            continue
        try:
            payload = json_message(message.get("text"), MAX_TEXT_MESSAGE_CHARS)
        except InvalidMessage as exc:
            await session.fail(V3_CODES.invalid, f"Invalid message: {exc}")
        kind = payload.get("type")
        if kind == "Terminate":
            await _terminate_v3(session, options)
        elif kind == "ForceEndpoint":
            await session.guard(live.force_endpoint())
        elif kind == "KeepAlive":
            pass
        elif kind == "UpdateConfiguration":
            try:
                refuse_unbuilt(payload)
                refuse_open_only(payload)
                speaker_settings_change(payload, options)
                changes = turn_settings(payload)
                if payload.get("keyterms_prompt") is not None:
                    changes["keyterms"] = tuple(string_list("keyterms_prompt", [payload["keyterms_prompt"]]))
                if payload.get("language_codes") is not None or payload.get("language_code"):
                    if options.redact_pii is not None:
                        raise ParamError("language_codes: a redacting session stays English")
                    changes["languages"] = _languages(options.model, payload)
                if payload.get("format_turns") is not None:
                    options.format_turns = parse_bool("format_turns", payload["format_turns"])
                for flag in ("acknowledge_silence", "session_heartbeat"):
                    if payload.get(flag) is not None:
                        setattr(options, flag, parse_bool(flag, payload[flag]))
            except ParamError as exc:
                await session.fail(V3_CODES.invalid, str(exc))
            await live.update(**changes)
        else:
            await session.fail(V3_CODES.invalid, f"Invalid message type: {kind!r}")


def _languages(model: str, payload: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The steering an UpdateConfiguration asks for: ``language_codes`` (``[]`` clears it: detection
    among all languages, as when none was given), or ``language_code`` (one)."""
    codes = payload.get("language_codes")
    values = [] if codes is None else string_list("language_codes", [codes])
    if payload.get("language_code"):
        values = [str(payload["language_code"]).strip(), *values]
    return language_steering(model, values)


class _Notices:
    """``Silence`` about once a second of silence, and ``Heartbeat`` about once a second, each
    when asked for; both are checked as audio arrives."""

    INTERVAL_MS = 1000

    def __init__(self, session: Session) -> None:
        self.session = session
        self.silence_sent_to_ms = 0
        self.heartbeat_at = session.loop.time()

    async def after_audio(self, live: LiveSession, options: V3Options) -> None:
        if options.acknowledge_silence:
            silence = await live.silence()
            if silence is not None:
                start_ms = max(silence[0], self.silence_sent_to_ms)  # ranges follow on, never overlap
                end_ms = silence[1]
                if end_ms - start_ms >= self.INTERVAL_MS:
                    await self.session.sender.send(v3_silence(start_ms, end_ms))
                    self.silence_sent_to_ms = end_ms
        now = self.session.loop.time()
        if options.session_heartbeat and (now - self.heartbeat_at) * 1000 >= self.INTERVAL_MS:
            self.heartbeat_at = now
            audio_ms = round(live.audio_seconds * 1000)
            session_ms = round((now - self.session.started) * 1000)
            await self.session.sender.send(
                v3_heartbeat(audio_ms, session_ms, await live.take_max_speech_probability())
            )


async def _revision_message(revisions: list[Revision], options: V3Options) -> dict[str, Any]:
    redact = _redaction(options)
    render = partial(v3_speaker_revision, revisions, format_turns=options.format_turns, redact=redact)
    return render() if redact is None else await asyncio.to_thread(render)


def _redaction(options: V3Options) -> StreamRedaction | None:
    if options.redact_pii is None:
        return None
    policies, substitution = options.redact_pii
    return StreamRedaction(frozenset(policies), substitution)


async def _terminate_v3(session: Session, options: V3Options) -> NoReturn:
    assert session.live is not None
    await session.guard(session.live.finish())
    if session.live.speakers is not None:  # the end-of-stream revision, always sent (maybe empty)
        revisions = await session.guard(session.live.final_revision())
        await session.sender.send(await _revision_message(revisions, options))
    await session.sender.send(v3_termination(session.live.audio_seconds, session.session_seconds()))
    await session.sender.close(NORMAL_CLOSURE, "")
    raise Closed
