"""TikTok's answer shapes: the ``{code, message, request_id, data}`` envelope and HTTP-level faults.

Every Marketing/Events API answer is HTTP 200 with an envelope; the ``code`` field, not the HTTP
status, says whether the call worked (``events_api.md`` §5). HTTP 4xx/5xx mean the request never
reached API logic: an unknown route (404), a wrong method (405) or a gateway fault (503).

``request_id`` is 14 UTC digits (``YYYYMMDDhhmmss``) followed by 20 uppercase hex characters,
the 34-character shape observed on the real API.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import orjson

__all__ = [
    "CODE_NOT_ALLOWLISTED",
    "CODE_NOT_FOUND",
    "CODE_NO_PERMISSION",
    "CODE_OK",
    "CODE_PARAMETER",
    "CODE_PARTIAL_SUCCESS",
    "CODE_SYSTEM_ERROR",
    "CODE_TOKEN_EMPTY",
    "CODE_TOKEN_INVALID",
    "CODE_TOO_MANY_REQUESTS",
    "CODE_TOO_MANY_REQUESTS_ADVERTISER",
    "CODE_TOO_MANY_REQUESTS_FIELD",
    "ApiFailure",
    "ConnectionDropped",
    "SandboxResponse",
    "envelope",
    "http_error",
    "new_request_id",
]

CODE_OK: Final = 0
CODE_PARTIAL_SUCCESS: Final = 20001
CODE_NO_PERMISSION: Final = 40001
CODE_PARAMETER: Final = 40002
CODE_NOT_FOUND: Final = 40007
CODE_TOO_MANY_REQUESTS: Final = 40100
CODE_TOO_MANY_REQUESTS_FIELD: Final = 40132
CODE_TOO_MANY_REQUESTS_ADVERTISER: Final = 40133
CODE_TOKEN_EMPTY: Final = 40104
CODE_TOKEN_INVALID: Final = 40105
CODE_NOT_ALLOWLISTED: Final = 40118
CODE_SYSTEM_ERROR: Final = 50000

JSON_HEADERS: Final = {"content-type": "application/json"}


@dataclass(frozen=True)
class SandboxResponse:
    """What the sandbox answers: an HTTP status, headers and a body, independent of any server."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body decoded as JSON (for tests and the in-process transport)."""
        return orjson.loads(self.body)


class ApiFailure(Exception):
    """A business error: answered as HTTP 200 with ``code != 0`` and ``data: {}``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


class ConnectionDropped(Exception):
    """A fault: the connection is closed without any response.

    The in-process transport turns it into :class:`httpx.RemoteProtocolError`; the real server
    aborts the TCP connection.
    """


def new_request_id(now: datetime) -> str:
    """``YYYYMMDDhhmmss`` (UTC) + 20 uppercase hex characters."""
    return now.strftime("%Y%m%d%H%M%S") + os.urandom(10).hex().upper()


def envelope(code: int, message: str, request_id: str, data: Any = None) -> SandboxResponse:
    """An HTTP 200 answer carrying the TikTok envelope (``data`` defaults to ``{}``)."""
    body = orjson.dumps(
        {
            "code": code,
            "message": message,
            "request_id": request_id,
            "data": {} if data is None else data,
        }
    )
    return SandboxResponse(200, dict(JSON_HEADERS), body)


def http_error(status: int, text: str) -> SandboxResponse:
    """A gateway-level answer (404, 405, 503 …): plain text, no envelope."""
    return SandboxResponse(status, {"content-type": "text/plain; charset=utf-8"}, text.encode())
