"""A multipart form, streamed: the audio part (``file`` for OpenAI's route, ``audio`` for the Sync
API) straight to a scratch file (size-limited), the other parts, small, into fields. Errors are
:class:`FormError`; each route answers them in its own error shape."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD_BYTES = 64 * 1024
LARGE_FIELD_BYTES = 4 * 1024 * 1024  # a field the route names as large (an audio clip as a data URL)
MAX_LARGE_FIELDS = 4
MAX_FIELDS = 100


class FormError(Exception):
    def __init__(self, status_code: int, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param
        self.code = code


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    file_parts: int = 0
    file_size: int = 0
    file_content_type: str = ""  # the Content-Type header of the file part

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None

    def get_list(self, name: str) -> list[str]:
        return self.fields.get(f"{name}[]", []) + self.fields.get(name, [])


class _FormReader:
    """python-multipart callbacks: the file part goes to ``dest`` (size-limited), others to fields."""

    def __init__(self, dest: Path, max_file_bytes: int, file_part: str, large_fields: frozenset[str]) -> None:
        self.dest = dest
        self.file_part = file_part
        self.large_fields = large_fields
        self._large_seen = 0
        self.max_file_bytes = max_file_bytes
        self.form = Form()
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
            raise FormError(400, "Malformed multipart body: a part has no name")
        self._name = options[b"name"].decode("utf-8", "replace")
        if self._name == self.file_part:
            self.form.file_parts += 1
            self.form.file_content_type = self._headers.get(b"content-type", b"").decode("latin-1").strip()
            if self.form.file_parts > 1:
                raise FormError(400, f"Send exactly one '{self.file_part}' part", param=self.file_part)
            self._out = self.dest.open("wb")
        elif sum(len(v) for v in self.form.fields.values()) >= MAX_FIELDS:
            raise FormError(400, f"Too many form fields (at most {MAX_FIELDS})")
        elif self._name in self.large_fields:
            self._large_seen += 1
            if self._large_seen > MAX_LARGE_FIELDS:
                raise FormError(400, f"At most {MAX_LARGE_FIELDS} '{self._name}' fields", param=self._name)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._out is not None:
            self.form.file_size += end - start
            if self.form.file_size > self.max_file_bytes:
                message = f"{self.file_part} exceeds the maximum size of {self.max_file_bytes} bytes"
                raise FormError(413, message, param=self.file_part, code="file_too_large")
            self._out.write(data[start:end])
            return
        self._value += data[start:end]
        limit = LARGE_FIELD_BYTES if self._name in self.large_fields else MAX_FIELD_BYTES
        if len(self._value) > limit:
            raise FormError(400, f"Form field '{self._name}' is too long", param=self._name)

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


async def read_form(
    request: Request,
    dest: Path,
    max_file_bytes: int,
    file_part: str = "file",
    large_fields: frozenset[str] = frozenset(),
    idle_timeout: float | None = None,
) -> Form:
    """The form of ``request``; its ``file_part`` part is written to ``dest``; ``large_fields`` may
    hold up to LARGE_FIELD_BYTES each (MAX_LARGE_FIELDS of them). A client that sends nothing for
    ``idle_timeout`` seconds is a FormError 408."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise FormError(400, f"Send the request as multipart/form-data with a '{file_part}' part")
    reader = _FormReader(dest, max_file_bytes, file_part, large_fields)
    parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
    chunks = request.stream().__aiter__()
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(anext(chunks), idle_timeout)
            except StopAsyncIteration:
                break
            except TimeoutError:
                raise FormError(
                    408, f"The upload sent nothing for {idle_timeout:g} s and was abandoned"
                ) from None
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise FormError(400, f"Malformed multipart body: {exc}") from exc
    finally:
        reader.close()
    return reader.form
