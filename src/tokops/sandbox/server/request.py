"""One incoming call as plain data, and the body decoders routes need (JSON, multipart, query).

TikTok's GET endpoints take lists and objects JSON-encoded inside one query value
(``custom_audience_ids=["1","2"]``); :meth:`SandboxRequest.query_json` decodes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from tokops.sandbox.server.envelope import CODE_PARAMETER, ApiFailure

__all__ = ["Form", "SandboxRequest", "parse_multipart"]


@dataclass(frozen=True)
class Form:
    """A decoded ``multipart/form-data`` body: text fields and files (name → (filename, bytes))."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass(frozen=True)
class SandboxRequest:
    """Method, path, lower-cased headers, query values (last wins) and the raw body."""

    method: str
    path: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes

    def json_body(self) -> Any:
        """The body as JSON; a body that is not JSON is a request-level 40002."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise ApiFailure(CODE_PARAMETER, "Invalid request body: not valid JSON.") from None

    def json_object(self) -> dict[str, Any]:
        obj = self.json_body()
        if not isinstance(obj, dict):
            raise ApiFailure(CODE_PARAMETER, "Invalid request body: not a valid JSON object.")
        return obj

    def query_json(self, name: str) -> Any:
        """A query value that may be JSON-encoded (lists, objects); plain text is kept as is."""
        raw = self.query.get(name)
        if raw is None:
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return raw

    def form(self) -> Form:
        return parse_multipart(self.headers.get("content-type", ""), self.body)


def parse_multipart(content_type: str, body: bytes) -> Form:
    """Decode a ``multipart/form-data`` body; anything else is a 40002."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ApiFailure(
            CODE_PARAMETER, "Invalid request body: expected multipart/form-data with a boundary."
        )
    parts: list[tuple[dict[str, bytes], bytearray]] = []
    header_name = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        parts.append(({}, bytearray()))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        parts[-1][0][header_name.decode("latin-1").lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError:
        raise ApiFailure(CODE_PARAMETER, "Invalid request body: malformed multipart.") from None
    form = Form()
    for headers, data in parts:
        _, disposition = parse_options_header(headers.get("content-disposition", b""))
        name = disposition.get(b"name", b"").decode()
        if not name:
            continue
        if b"filename" in disposition:
            form.files[name] = (disposition[b"filename"].decode(), bytes(data))
        else:
            form.fields[name] = bytes(data).decode("utf-8", errors="replace")
    return form
