"""OpenAI-compatible facade: ``POST /v1/audio/transcriptions``, synchronous, on the same pipeline and keys.

Requests are multipart (``file``, ``model``, ``language``, ``prompt``, ``temperature``,
``response_format``, ``timestamp_granularities[]``) with ``Authorization: Bearer <key>``. The file part
is streamed to a scratch file (at most ``max_upload_bytes``), transcribed in a worker thread with the
process-wide model, and deleted. Errors on this router leave in OpenAI's shape,
``{"error": {"message", "type", "param", "code"}}``, so the ``openai`` client raises its usual classes.

``prompt`` goes to Whisper as its initial prompt. ``temperature`` follows OpenAI: 0 (or none) means
Whisper's fallback schedule (decode greedily, raise the temperature when a decode looks wrong); a value in
(0, 1] is used as the one fixed sampling temperature. OpenAI's model names with no ``language`` have the
language detected (by the multilingual model, whatever the server default); with a ``language``, or with
one of our own model names, the model and language are chosen as the AssemblyAI API does.

verbose_json ``segments`` are Whisper's own segments (times and text, the text joined from the segment's
words). The pipeline does not return Whisper's per-segment decoding details, so these fields are stand-ins:
``seek`` is the start in 10 ms frames, ``tokens`` is empty, ``avg_logprob`` is the mean log word
probability, ``compression_ratio`` is computed from the segment's text, ``no_speech_prob`` is 0.0, and
``temperature`` is the fixed temperature asked for, else 0.0 (which the fallback may have raised).
"""

from __future__ import annotations

import logging
import math
import re
import uuid
import zlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from stenograph.api.auth import current_project
from stenograph.api.errors import ApiError, describe_validation_error
from stenograph.pipeline import PipelineError, TranscribeOptions, TranscriptResult, transcribe
from stenograph.pipeline.languages import is_supported_language, whisper_language
from stenograph.pipeline.models import accepted_speech_model_names, canonical_model_name, resolve_speech_model
from stenograph.pipeline.subtitles import to_srt, to_vtt
from stenograph.pipeline.types import Segment

log = logging.getLogger(__name__)

RESPONSE_FORMATS = ("json", "text", "srt", "vtt", "verbose_json")
GRANULARITIES = ("word", "segment")
# OpenAI's transcription models: served by the server's default model. (``-diarize`` is not matched:
# speakers are not built, so that model is an unknown one here.)
OPENAI_MODEL_NAMES = re.compile(r"^(whisper-1|gpt-4o(-mini)?-transcribe(-\d{4}-\d{2}-\d{2})?)$")
# Request fields of features not built yet: a 400 naming them rather than a silently lesser result.
UNSUPPORTED_FIELDS = frozenset(
    {"include", "keywords", "languages", "known_speaker_names", "known_speaker_references"}
)
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 100

# Whisper's language names (openai/whisper tokenizer.LANGUAGES), as verbose_json reports them.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "english", "zh": "chinese", "de": "german", "es": "spanish", "ru": "russian",
    "ko": "korean", "fr": "french", "ja": "japanese", "pt": "portuguese", "tr": "turkish",
    "pl": "polish", "ca": "catalan", "nl": "dutch", "ar": "arabic", "sv": "swedish",
    "it": "italian", "id": "indonesian", "hi": "hindi", "fi": "finnish", "vi": "vietnamese",
    "he": "hebrew", "uk": "ukrainian", "el": "greek", "ms": "malay", "cs": "czech",
    "ro": "romanian", "da": "danish", "hu": "hungarian", "ta": "tamil", "no": "norwegian",
    "th": "thai", "ur": "urdu", "hr": "croatian", "bg": "bulgarian", "lt": "lithuanian",
    "la": "latin", "mi": "maori", "ml": "malayalam", "cy": "welsh", "sk": "slovak",
    "te": "telugu", "fa": "persian", "lv": "latvian", "bn": "bengali", "sr": "serbian",
    "az": "azerbaijani", "sl": "slovenian", "kn": "kannada", "et": "estonian", "mk": "macedonian",
    "br": "breton", "eu": "basque", "is": "icelandic", "hy": "armenian", "ne": "nepali",
    "mn": "mongolian", "bs": "bosnian", "kk": "kazakh", "sq": "albanian", "sw": "swahili",
    "gl": "galician", "mr": "marathi", "pa": "punjabi", "si": "sinhala", "km": "khmer",
    "sn": "shona", "yo": "yoruba", "so": "somali", "af": "afrikaans", "oc": "occitan",
    "ka": "georgian", "be": "belarusian", "tg": "tajik", "sd": "sindhi", "gu": "gujarati",
    "am": "amharic", "yi": "yiddish", "lo": "lao", "uz": "uzbek", "fo": "faroese",
    "ht": "haitian creole", "ps": "pashto", "tk": "turkmen", "nn": "nynorsk", "mt": "maltese",
    "sa": "sanskrit", "lb": "luxembourgish", "my": "myanmar", "bo": "tibetan", "tl": "tagalog",
    "mg": "malagasy", "as": "assamese", "tt": "tatar", "haw": "hawaiian", "ln": "lingala",
    "ha": "hausa", "ba": "bashkir", "jw": "javanese", "su": "sundanese", "yue": "cantonese",
}  # fmt: skip


# --------------------------------------------------------------------------- errors


class OpenAIError(Exception):
    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param
        self.code = code
        self.error_type = error_type
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}
        return JSONResponse({"error": body}, status_code=self.status_code, headers=self.headers)


def _from_api_error(exc: ApiError) -> OpenAIError:
    code = {401: "invalid_api_key", 429: "rate_limit_exceeded", 413: "file_too_large"}.get(exc.status_code)
    kind = "requests" if exc.status_code == 429 else "invalid_request_error"
    if exc.status_code >= 500:
        kind = "server_error"
    return OpenAIError(exc.status_code, exc.message, code=code, error_type=kind, headers=exc.headers)


class OpenAIRoute(APIRoute):
    """Turns every error of this router's endpoints (their dependencies included) into OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except ApiError as exc:
                return _from_api_error(exc).response()
            except RequestValidationError as exc:
                return OpenAIError(400, describe_validation_error(exc)).response()
            except StarletteHTTPException as exc:
                message = exc.detail if isinstance(exc.detail, str) else "Request failed"
                return OpenAIError(exc.status_code, message, headers=getattr(exc, "headers", None)).response()
            except Exception:
                log.exception("unhandled error in %s", request.url.path)
                return OpenAIError(500, "Internal server error", error_type="server_error").response()

        return handle


router = APIRouter(prefix="/v1", route_class=OpenAIRoute)


# --------------------------------------------------------------------------- multipart, streamed


@dataclass
class _Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    file_parts: int = 0
    file_size: int = 0

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None

    def get_list(self, name: str) -> list[str]:
        return self.fields.get(f"{name}[]", []) + self.fields.get(name, [])


class _FormReader:
    """python-multipart callbacks: the ``file`` part goes to ``dest`` (size-limited), others to fields."""

    def __init__(self, dest: Path, max_file_bytes: int) -> None:
        self.dest = dest
        self.max_file_bytes = max_file_bytes
        self.form = _Form()
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._value = bytearray()
        self._out: IO[bytes] | None = None

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._name, self._value = {}, None, bytearray()

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        if b"name" not in options:
            raise OpenAIError(400, "Malformed multipart body: a part has no name")
        self._name = options[b"name"].decode("utf-8", "replace")
        if self._name == "file":
            self.form.file_parts += 1
            if self.form.file_parts > 1:
                raise OpenAIError(400, "Send exactly one 'file' part", param="file")
            self._out = self.dest.open("wb")
        elif sum(len(v) for v in self.form.fields.values()) >= MAX_FIELDS:
            raise OpenAIError(400, f"Too many form fields (at most {MAX_FIELDS})")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._out is not None:
            self.form.file_size += end - start
            if self.form.file_size > self.max_file_bytes:
                message = f"file exceeds the maximum size of {self.max_file_bytes} bytes"
                raise OpenAIError(413, message, param="file", code="file_too_large")
            self._out.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise OpenAIError(400, f"Form field '{self._name}' is too long", param=self._name)

    def _part_end(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        elif self._name is not None:
            self.form.fields.setdefault(self._name, []).append(self._value.decode("utf-8", "replace"))

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


async def _read_form(request: Request, dest: Path, max_file_bytes: int) -> _Form:
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise OpenAIError(400, "Send the request as multipart/form-data with a 'file' part")
    reader = _FormReader(dest, max_file_bytes)
    parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise OpenAIError(400, f"Malformed multipart body: {exc}") from exc
    finally:
        reader.close()
    return reader.form


# --------------------------------------------------------------------------- request options


@dataclass(frozen=True)
class _Params:
    model: str
    language: str | None
    response_format: str
    granularities: frozenset[str]
    detect_language: bool = False
    prompt: str | None = None
    temperature: float | None = None

    def options(self) -> TranscribeOptions:
        return TranscribeOptions(
            model=self.model,
            language_code=self.language,
            language_detection=self.detect_language,
            prompt=self.prompt,
            temperature=self.temperature,
        )


def choose_model(value: str, default: str) -> str:
    """The packaged model for an OpenAI ``model``: OpenAI's names get the server default."""
    if OPENAI_MODEL_NAMES.match(value.strip().lower()):
        return resolve_speech_model(None, None, default)
    name = canonical_model_name(value)
    if name is None:
        accepted = ", ".join(["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"])
        message = f"model: unknown model {value!r}. Accepted values: {accepted}, " + ", ".join(
            accepted_speech_model_names()
        )
        raise OpenAIError(400, message, param="model", code="model_not_found")
    return name


def _reject_unsupported(form: _Form) -> None:
    """Options this server cannot honour yet are a 400, never silently ignored."""
    for name in sorted(UNSUPPORTED_FIELDS):
        if any(v.strip() for v in form.get_list(name)):
            raise OpenAIError(400, f"{name}: not supported by this server yet", param=name)
    chunking = form.get("chunking_strategy")
    if chunking not in (None, "", "auto") or any(k.startswith("chunking_strategy[") for k in form.fields):
        raise OpenAIError(400, "chunking_strategy: only 'auto' is supported", param="chunking_strategy")
    if (form.get("stream") or "false").strip().lower() not in ("false", "0", ""):
        raise OpenAIError(
            400, "stream: streaming transcription is not supported by this server yet", param="stream"
        )


def _temperature(form: _Form) -> float | None:
    """The fixed sampling temperature, or None for Whisper's fallback schedule (OpenAI's 0)."""
    raw = (form.get("temperature") or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise OpenAIError(400, "temperature: must be a number", param="temperature") from None
    if not 0 <= value <= 1:  # NaN fails this too
        raise OpenAIError(400, "temperature: must be between 0 and 1", param="temperature")
    return value or None


def _params(form: _Form, default_model: str) -> _Params:
    _reject_unsupported(form)
    model = (form.get("model") or "").strip()
    if not model:
        raise OpenAIError(400, "you must provide a model parameter", param="model")
    response_format = (form.get("response_format") or "json").strip()
    if response_format not in RESPONSE_FORMATS:
        raise OpenAIError(
            400,
            f"response_format: {response_format!r} is not one of {', '.join(RESPONSE_FORMATS)}",
            param="response_format",
        )
    granularities = frozenset(g.strip() for g in form.get_list("timestamp_granularities"))
    unknown = sorted(granularities - set(GRANULARITIES))
    if unknown:
        message = f"timestamp_granularities: {unknown[0]!r} is not one of word, segment"
        raise OpenAIError(400, message, param="timestamp_granularities")
    if granularities and response_format != "verbose_json":
        message = (
            "timestamp_granularities: response_format must be verbose_json to use timestamp granularities"
        )
        raise OpenAIError(400, message, param="timestamp_granularities")
    language = (form.get("language") or "").strip() or None
    if language is not None and not is_supported_language(language):
        raise OpenAIError(400, f"language: {language!r} is not a supported language", param="language")
    return _Params(
        model=choose_model(model, default_model),
        language=whisper_language(language),
        response_format=response_format,
        granularities=granularities,
        # OpenAI detects the language when none is given; our own model names keep their defaults.
        detect_language=language is None and bool(OPENAI_MODEL_NAMES.match(model.lower())),
        prompt=(form.get("prompt") or "").strip() or None,
        temperature=_temperature(form),
    )


# --------------------------------------------------------------------------- responses


def _compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return round(len(raw) / len(zlib.compress(raw)), 4) if raw else 0.0


def _segment_json(index: int, segment: Segment, temperature: float | None) -> dict[str, Any]:
    words = segment.words
    logprob = sum(math.log(max(w.confidence, 1e-6)) for w in words) / len(words) if words else 0.0
    return {
        "id": index,
        "seek": segment.start // 10,
        "start": segment.start / 1000,
        "end": segment.end / 1000,
        "text": segment.text,
        "tokens": [],
        "temperature": temperature or 0.0,
        "avg_logprob": round(logprob, 4),
        "compression_ratio": _compression_ratio(segment.text),
        "no_speech_prob": 0.0,
    }


def verbose_json(
    result: TranscriptResult, granularities: frozenset[str], temperature: float | None = None
) -> dict[str, Any]:
    code = result.language_code or "en"
    body: dict[str, Any] = {
        "task": "transcribe",
        "language": LANGUAGE_NAMES.get(code, code),
        "duration": round(result.audio_duration, 3),
        "text": result.text,
    }
    if not granularities or "segment" in granularities:
        body["segments"] = [_segment_json(i, s, temperature) for i, s in enumerate(result.segments)]
    if "word" in granularities:
        body["words"] = [{"word": w.text, "start": w.start / 1000, "end": w.end / 1000} for w in result.words]
    body["usage"] = _usage(result)
    return body


def _usage(result: TranscriptResult) -> dict[str, Any]:
    return {"type": "duration", "seconds": math.ceil(result.audio_duration)}


def render(result: TranscriptResult, params: _Params) -> Response:
    if params.response_format == "text":
        return PlainTextResponse(result.text + "\n")
    if params.response_format == "srt":
        return PlainTextResponse(to_srt(result.words))
    if params.response_format == "vtt":
        return PlainTextResponse(to_vtt(result.words), media_type="text/vtt")
    if params.response_format == "verbose_json":
        return JSONResponse(verbose_json(result, params.granularities, params.temperature))
    return JSONResponse({"text": result.text, "usage": _usage(result)})


# --------------------------------------------------------------------------- endpoint


@router.post("/audio/transcriptions")
async def create_transcription(request: Request, _project_id: str = Depends(current_project)) -> Response:
    runtime = request.app.state.runtime
    scratch = runtime.storage.scratch_path(f"openai-{uuid.uuid4().hex}")
    try:
        form = await _read_form(request, scratch, runtime.settings.max_upload_bytes)
        if form.file_parts == 0:
            raise OpenAIError(400, "you must provide a 'file' part with the audio", param="file")
        params = _params(form, runtime.settings.default_model)
        try:
            result = await run_in_threadpool(transcribe, scratch, params.options())
        except PipelineError as exc:
            raise OpenAIError(400, str(exc), param="file") from exc
    finally:
        await run_in_threadpool(scratch.unlink, missing_ok=True)
    return render(result, params)
