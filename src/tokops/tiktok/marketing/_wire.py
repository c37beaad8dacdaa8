"""Private helpers shared by every Marketing API resource.

- :func:`sid` keeps IDs as strings: v1.3 IDs can exceed 2^53 (``marketing_api.md`` §1.1), so an
  ID is never turned into an ``int`` or ``float`` on our side.
- :func:`new_request_id` makes the idempotency ``request_id`` of create calls: a 64-bit integer
  written as a string (§1.4).
- :func:`call_with_headers` returns the response headers with the answer, because the 20,000-ad
  truncation is only signalled by the ``X-Tt-Ads-Throttle`` header (§1.2, §2.1).
- :func:`get_raw` downloads a body that is not an envelope: an async report in ``CSV_STRING``
  format is the raw CSV stream (§2.5 step 3).

"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import orjson

from tokops.tiktok._http import ApiClient, ApiResponse

__all__ = [
    "RawAnswer",
    "RequestIdFactory",
    "call_with_headers",
    "chunked",
    "get_raw",
    "json_body",
    "new_request_id",
    "sid",
    "sids",
]

RequestIdFactory = Callable[[], str]


def sid(value: str | int, *, name: str = "id") -> str:
    """An ID as TikTok's decimal string. Accepts ``str`` or ``int``; refuses ``float`` and bool."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"{name} must be a string (or an int), got {type(value).__name__}")
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"{name} must be a numeric string, got {text!r}")
    return text


def sids(values: Any, *, name: str = "ids") -> list[str]:
    """A list of IDs as strings (a single string is refused: it is a common slip)."""
    if isinstance(values, str | int):
        raise TypeError(f"{name} must be a sequence of IDs, not a single value")
    return [sid(v, name=name) for v in values]


def chunked(items: list[str], size: int) -> list[list[str]]:
    """*items* cut into lists of at most *size* (the API's per-call ID caps)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def new_request_id() -> str:
    """A fresh idempotency key: a positive 64-bit integer as a string (§1.4)."""
    return str(secrets.randbits(63) or 1)


def json_body(value: Any) -> Any:
    """A request body: ``Decimal`` kept exact (orjson fragment, not float), ``None`` left out."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} to TikTok")
        return orjson.Fragment(format(value, "f").encode())
    if isinstance(value, Mapping):
        return {k: json_body(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [json_body(v) for v in value]
    return value


# -- response headers and raw bodies --------------------------------------------------------------
def call_with_headers(
    api: ApiClient,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
) -> tuple[ApiResponse, httpx.Headers]:
    """``api.call`` plus the headers of the response that answered it (after any retries)."""
    resp = api.call(method, path, params=params, json=json)
    return resp, httpx.Headers(dict(resp.headers))


@dataclass(frozen=True)
class RawAnswer:
    """A body that may or may not be an envelope: ``data`` is set when it was one (code 0)."""

    body: bytes
    data: Any
    is_envelope: bool


def get_raw(api: ApiClient, path: str, params: Mapping[str, Any] | None = None) -> RawAnswer:
    """GET whose answer may be a raw stream (CSV) or an envelope; same retry rules as ``call``."""
    resp = api.call_raw(path, params)
    if resp.raw is not None:
        return RawAnswer(resp.raw, None, False)
    return RawAnswer(orjson.dumps({"code": resp.code, "data": resp.data}), resp.data, True)
