"""Pixel-side inputs: the legacy Events API 1.0 routes and the sandbox's browser-pixel simulator.

Legacy 1.0 (``events_api.md`` §1.7), still called by older clients and by TikTok's official
Python SDK, on ``/open_api/v1.2/`` and ``/open_api/v1.3/``:

- ``pixel/track/``: one event ``{pixel_code, event, event_id, timestamp (ISO-8601; receive
  time if omitted), test_event_code, context: {ad: {callback}, page: {url, referrer},
  user: {external_id, email, phone_number, ttp}, ip, user_agent}, properties}``;
- ``pixel/batch/``: ``{pixel_code, batch: [{type: "track", event, event_id, timestamp, context,
  properties}]}``.

Both feed the **server** channel of the pixel's event source. Errors use the 1.0 wording
(``Batch.0.properties.contents.0.content_id: Not a valid string``). Our choices where nothing
is documented: a batch holds at most 1,000 events, ``type`` may be omitted but, when given,
must be ``track``; a top-level ``test_event_code`` is honoured on ``batch`` too.

The simulator (``POST /sandbox/pixel/events/``, sandbox-only) stands in for browsers running
the TikTok Pixel, so dedup between "server" and "pixel" can be shown offline::

    {"pixel_code": "C…", "test_event_code": null,
     "events": [{"event": "Purchase", "event_id": "order_1", "event_time": 1704721970,
                 "url": "https://shop.example/thanks", "ttclid": "E.C.P.…", "ttp": "…",
                 "email": "<sha256>", "phone": "<sha256>", "external_id": "<sha256>",
                 "ip": "203.0.113.8", "user_agent": "Mozilla/5.0 …"}]}

``event_time`` defaults to the arrival time; email/phone/external_id are hashes, as
``ttq.identify`` sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from tokops.sandbox.events.sink import IncomingEvent
from tokops.sandbox.events.track import check_user, check_user_and_properties
from tokops.sandbox.events.validation import Invalid, optional_str

__all__ = [
    "MAX_BATCH",
    "CheckPixel",
    "PixelEvents",
    "parse_legacy_batch",
    "parse_legacy_track",
    "parse_simulated",
]

MAX_BATCH: Final = 1000
_REQUIRED: Final = "field is required"
_SIMULATED_STRINGS: Final = ("url", "referrer")


@dataclass(frozen=True)
class PixelEvents:
    """Events for one pixel, ready for the sink."""

    pixel_code: str
    test_event_code: str | None
    events: list[IncomingEvent]


CheckPixel = Callable[[str], None]
"""Called with the pixel code as soon as it is read (permission check before event checks)."""


def _pixel_head(obj: dict[str, Any], check: CheckPixel) -> tuple[str, str | None]:
    """The checked ``pixel_code`` (permission first) and the ``test_event_code``, if any."""
    code = obj.get("pixel_code")
    if code is None:
        raise Invalid("pixel_code", _REQUIRED)
    if type(code) is not str or not code:
        raise Invalid("pixel_code", "not a valid string")
    check(code)
    return code, optional_str(obj, "test_event_code") or None


def _event_list(obj: dict[str, Any], key: str, wrong_length: str) -> list[Any]:
    """The list of events under *key*: 1 to :data:`MAX_BATCH` items."""
    events = obj.get(key)
    if type(events) is not list:
        raise Invalid(key, "not a valid list")
    if not events or len(events) > MAX_BATCH:
        raise Invalid(key, wrong_length)
    return events


def parse_legacy_track(obj: dict[str, Any], now_s: float, check: CheckPixel) -> PixelEvents:
    """Validate a ``pixel/track/`` body."""
    code, test_code = _pixel_head(obj, check)
    optional_str(obj, "partner_name")
    return PixelEvents(code, test_code, [_legacy_event(obj, "", now_s)])


def parse_legacy_batch(obj: dict[str, Any], now_s: float, check: CheckPixel) -> PixelEvents:
    """Validate a ``pixel/batch/`` body."""
    code, test_code = _pixel_head(obj, check)
    optional_str(obj, "partner_name")
    if obj.get("batch") is None:
        raise Invalid("batch", _REQUIRED)
    batch = _event_list(obj, "batch", f"length must be between 1 and {MAX_BATCH}")
    events = []
    for i, item in enumerate(batch):
        path = f"Batch.{i}."
        if type(item) is not dict:
            raise Invalid(f"Batch.{i}", "not a valid object")
        kind = item.get("type")
        if kind is not None and kind != "track":
            raise Invalid(f"{path}type", "must be one of: track")
        events.append(_legacy_event(item, path, now_s))
    return PixelEvents(code, test_code, events)


def _legacy_event(ev: dict[str, Any], prefix: str, now_s: float) -> IncomingEvent:
    name = ev.get("event")
    if name is None:
        raise Invalid(f"{prefix}event", _REQUIRED)
    if type(name) is not str or not name.strip():
        raise Invalid(f"{prefix}event", "not a valid string")
    event_id = ev.get("event_id")
    if event_id is not None and type(event_id) is not str:
        raise Invalid(f"{prefix}event_id", "not a valid string")
    event_time = _timestamp(ev.get("timestamp"), f"{prefix}timestamp", now_s)
    keys, flags = check_user_and_properties(ev, "context", prefix, _legacy_context)
    return IncomingEvent(name, event_id or None, event_time, keys, flags)


def _timestamp(value: Any, path: str, now_s: float) -> int:
    if value is None:
        return int(now_s)
    if type(value) is not str:
        raise Invalid(path, "not a valid datetime")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(path, "not a valid datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def _legacy_context(context: Any, path: str) -> tuple[int, int]:
    """Map 1.0 ``context`` onto 2.0 ``user`` names, then reuse the 2.0 user checks."""
    if type(context) is not dict:
        raise Invalid(path, "not a valid object")
    user: dict[str, Any] = {}
    legacy_user = context.get("user")
    if legacy_user is not None:
        if type(legacy_user) is not dict:
            raise Invalid(f"{path}.user", "not a valid object")
        for key in ("email", "external_id", "ttp"):
            user[key] = optional_str(legacy_user, key, f"{path}.user")
        user["phone"] = optional_str(legacy_user, "phone_number", f"{path}.user")
    ad = context.get("ad")
    if ad is not None:
        if type(ad) is not dict:
            raise Invalid(f"{path}.ad", "not a valid object")
        user["ttclid"] = optional_str(ad, "callback", f"{path}.ad")
    page = context.get("page")
    if page is not None:
        if type(page) is not dict:
            raise Invalid(f"{path}.page", "not a valid object")
        optional_str(page, "url", f"{path}.page")
        optional_str(page, "referrer", f"{path}.page")
    user["ip"] = optional_str(context, "ip", path)
    user["user_agent"] = optional_str(context, "user_agent", path)
    return check_user(user, path)


def parse_simulated(obj: dict[str, Any], now_s: float, check: CheckPixel) -> PixelEvents:
    """Validate a simulator body (browser events); Events API 2.0 error wording."""
    code, test_code = _pixel_head(obj, check)
    raw = _event_list(obj, "events", f"must contain 1 to {MAX_BATCH} events")
    events = []
    for i, ev in enumerate(raw):
        path = f"events.{i}"
        if type(ev) is not dict:
            raise Invalid(path, "not a valid object")
        name = ev.get("event")
        if type(name) is not str or not name.strip():
            raise Invalid(f"{path}.event", "not a valid string")
        event_id = optional_str(ev, "event_id", path)
        t = ev.get("event_time", int(now_s))
        if type(t) is not int or t <= 0:
            raise Invalid(f"{path}.event_time", "not a valid integer")
        for key in _SIMULATED_STRINGS:
            optional_str(ev, key, path)
        keys, flags = check_user(ev, path)
        events.append(IncomingEvent(name, event_id or None, t, keys, flags))
    return PixelEvents(code, test_code, events)
