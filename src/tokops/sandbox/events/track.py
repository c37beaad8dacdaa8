"""``POST /open_api/v1.3/event/track/`` (Events API 2.0): request validation, one pass.

Rules (``events_api.md`` §1.2–§1.5, §10.3); errors are **request-level**: the first bad value
rejects the whole request with 40002 and its JSON path (``Invalid value for data.3.event_id: not
a valid string.``).

- ``event_source`` ∈ web/app/offline/crm; ``event_source_id`` a non-empty string; optional
  ``test_event_code`` and ``partner_name`` strings; ``data`` an array of 1..1000 events.
- per event: ``event`` a non-empty string (offline: standard events only; crm: any name, since
  the spec leaves it [UNCONFIRMED]); ``event_time`` an integer in unix seconds; ``event_id`` a
  string when present (an empty string counts as absent: no dedup).
- ``user.email/phone/external_id``: a string or list of strings; non-hex values are accepted and
  flagged "not hashed" in diagnostics. ``ttclid/ttp/ip/user_agent/locale`` strings.
- ``properties``: ``value``/``price``/``predicted_ltv`` numbers, ``quantity``/``num_items``
  integers, ``content_id``/``content_ids`` strings, ``currency`` from the supported list.
- web requires ``page.url``; crm requires ``lead.lead_id``; app requires ``app.app_id``.

Our choices where the spec is [UNCONFIRMED]: an unsupported currency is rejected (40002);
``event_time`` above 10¹¹ is rejected as "looks like milliseconds"; offline events older than
``offline_max_age_days`` (28, from partner docs) are rejected; no other time window is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from tokops.sandbox.events.sink import IncomingEvent
from tokops.sandbox.events.validation import (
    CURRENCIES,
    EVENT_SOURCES,
    FLAG_EMAIL_UNHASHED,
    FLAG_EMPTY_HASH,
    FLAG_PHONE_UNHASHED,
    KEY_EMAIL,
    KEY_EXTERNAL_ID,
    KEY_IP_UA,
    KEY_PHONE,
    KEY_TTCLID,
    KEY_TTP,
    STANDARD_EVENTS,
    Invalid,
    hashed_ids,
    is_number,
    optional_str,
)

__all__ = [
    "MAX_EVENTS",
    "MS_THRESHOLD",
    "TrackHead",
    "check_properties",
    "check_user",
    "check_user_and_properties",
    "parse_events",
    "parse_head",
]

MAX_EVENTS: Final = 1000
MS_THRESHOLD: Final = 10**11
"""Seconds above this (year 5138) are taken for milliseconds sent by mistake."""

_PROPERTY_STRINGS: Final = (
    "content_type",
    "order_id",
    "shop_id",
    "search_string",
    "query",
    "description",
    "status",
    "delivery_category",
)
_CONTENT_STRINGS: Final = ("content_type", "content_name", "content_category", "brand")
_USER_STRINGS: Final = ("ttclid", "ttp", "ip", "user_agent", "locale")


@dataclass(frozen=True)
class TrackHead:
    """The top-level fields of a track request (``data`` still raw)."""

    event_source: str
    event_source_id: str
    test_event_code: str | None
    data: list[Any]


def parse_head(obj: dict[str, Any]) -> TrackHead:
    """Check the top-level fields; the events themselves are checked by :func:`parse_events`."""
    source = obj.get("event_source")
    if source is None:
        raise Invalid("event_source", "field is required")
    if source not in EVENT_SOURCES:
        raise Invalid("event_source", "must be one of web, app, offline, crm")
    source_id = obj.get("event_source_id")
    if type(source_id) is not str or not source_id:
        raise Invalid("event_source_id", "not a valid string")
    test_code = optional_str(obj, "test_event_code")
    optional_str(obj, "partner_name")
    data = obj.get("data")
    if type(data) is not list:
        raise Invalid("data", "not a valid list")
    if not data:
        raise Invalid("data", "must contain at least 1 event")
    if len(data) > MAX_EVENTS:
        raise Invalid("data", f"at most {MAX_EVENTS} events per request, got {len(data)}")
    return TrackHead(source, source_id, test_code or None, data)


def parse_events(
    head: TrackHead, now_s: float, offline_max_age_days: int | None = 28
) -> list[IncomingEvent]:
    """Validate every event of *head* in one pass (first error wins)."""
    source = head.event_source
    min_time = 0.0
    if source == "offline" and offline_max_age_days is not None:
        min_time = now_s - offline_max_age_days * 86400
    out: list[IncomingEvent] = []
    append = out.append
    for i, ev in enumerate(head.data):
        path = f"data.{i}"
        if type(ev) is not dict:
            raise Invalid(path, "not a valid object")
        name = ev.get("event")
        if type(name) is not str:
            raise Invalid(f"{path}.event", "not a valid string")
        if not name.strip():
            raise Invalid(f"{path}.event", "must not be empty")
        if source == "offline" and name not in STANDARD_EVENTS:
            raise Invalid(f"{path}.event", f"offline events must be standard events, got {name!r}")
        t = ev.get("event_time")
        if type(t) is not int:
            raise Invalid(f"{path}.event_time", "not a valid integer")
        if t <= 0:
            raise Invalid(f"{path}.event_time", "must be a positive unix timestamp in seconds")
        if t > MS_THRESHOLD:
            raise Invalid(
                f"{path}.event_time", "expected unix seconds, got a value that looks like ms"
            )
        if t < min_time:
            raise Invalid(
                f"{path}.event_time",
                f"offline events must have occurred within the last {offline_max_age_days} days",
            )
        event_id = optional_str(ev, "event_id", path)
        keys, flags = check_user_and_properties(ev, "user", f"{path}.", check_user)
        _check_source_objects(ev, path, source)
        ldu = ev.get("limited_data_use")
        if ldu is not None and type(ldu) is not bool:
            raise Invalid(f"{path}.limited_data_use", "not a valid boolean")
        append(IncomingEvent(name, event_id or None, t, keys, flags))
    return out


def check_user_and_properties(
    ev: dict[str, Any], user_key: str, prefix: str, check: Callable[[Any, str], tuple[int, int]]
) -> tuple[int, int]:
    """Check the event's user object (under *user_key*, by *check*) and then its
    ``properties``; the user's match-key bits and quality flags (0, 0 without a user)."""
    keys = flags = 0
    user = ev.get(user_key)
    if user is not None:
        keys, flags = check(user, f"{prefix}{user_key}")
    props = ev.get("properties")
    if props is not None:
        check_properties(props, f"{prefix}properties")
    return keys, flags


def check_user(user: Any, path: str) -> tuple[int, int]:
    """Check a ``user`` object; returns ``(match-key bits, quality flags)``."""
    if type(user) is not dict:
        raise Invalid(path, "not a valid object")
    keys = flags = 0
    email = hashed_ids(user.get("email"), f"{path}.email")
    if email.present:
        keys |= KEY_EMAIL
    if email.unhashed:
        flags |= FLAG_EMAIL_UNHASHED
    phone = hashed_ids(user.get("phone"), f"{path}.phone")
    if phone.present:
        keys |= KEY_PHONE
    if phone.unhashed:
        flags |= FLAG_PHONE_UNHASHED
    external = hashed_ids(user.get("external_id"), f"{path}.external_id")
    if external.present:
        keys |= KEY_EXTERNAL_ID
    if email.empty_hash or phone.empty_hash or external.empty_hash:
        flags |= FLAG_EMPTY_HASH
    for key in _USER_STRINGS:
        optional_str(user, key, path)
    if user.get("ttclid"):
        keys |= KEY_TTCLID
    if user.get("ttp"):
        keys |= KEY_TTP
    if user.get("ip") and user.get("user_agent"):
        keys |= KEY_IP_UA
    return keys, flags


def check_properties(props: Any, path: str) -> None:
    """Check a ``properties`` object (Events API 2.0 and legacy share these rules)."""
    if type(props) is not dict:
        raise Invalid(path, "not a valid object")
    for key in ("value", "predicted_ltv"):
        value = props.get(key)
        if value is not None and not is_number(value):
            raise Invalid(f"{path}.{key}", "not a valid number")
    num_items = props.get("num_items")
    if num_items is not None and type(num_items) is not int:
        raise Invalid(f"{path}.num_items", "not a valid integer")
    currency = props.get("currency")
    if currency is not None:
        if type(currency) is not str:
            raise Invalid(f"{path}.currency", "not a valid string")
        if currency not in CURRENCIES:
            raise Invalid(f"{path}.currency", f"not a supported currency: {currency!r}")
    for key in _PROPERTY_STRINGS:
        optional_str(props, key, path)
    ids = props.get("content_ids")
    if ids is not None:
        if type(ids) is not list:
            raise Invalid(f"{path}.content_ids", "not a valid list")
        for j, item in enumerate(ids):
            if type(item) is not str:
                raise Invalid(f"{path}.content_ids.{j}", "not a valid string")
    contents = props.get("contents")
    if contents is not None:
        if type(contents) is not list:
            raise Invalid(f"{path}.contents", "not a valid list")
        for j, item in enumerate(contents):
            _check_content(item, f"{path}.contents.{j}")


def _check_content(item: Any, path: str) -> None:
    if type(item) is not dict:
        raise Invalid(path, "not a valid object")
    optional_str(item, "content_id", path)
    price = item.get("price")
    if price is not None and not is_number(price):
        raise Invalid(f"{path}.price", "not a valid number")
    quantity = item.get("quantity")
    if quantity is not None and type(quantity) is not int:
        raise Invalid(f"{path}.quantity", "not a valid integer")
    for key in _CONTENT_STRINGS:
        optional_str(item, key, path)


def _check_source_objects(ev: dict[str, Any], path: str, source: str) -> None:
    """``page`` (web), ``lead`` (crm) and ``app`` (app) objects, required for their source."""
    page = ev.get("page")
    if page is None and source == "web":
        raise Invalid(f"{path}.page", "field is required for web events")
    if page is not None:
        if type(page) is not dict:
            raise Invalid(f"{path}.page", "not a valid object")
        url = optional_str(page, "url", f"{path}.page")
        optional_str(page, "referrer", f"{path}.page")
        if source == "web" and not url:
            raise Invalid(f"{path}.page.url", "field is required for web events")
    if source == "crm":
        lead = _required_object(ev, "lead", "lead_id", path, source)
        optional_str(lead, "lead_event_source", f"{path}.lead")
    if source == "app":
        _required_object(ev, "app", "app_id", path, source)


def _required_object(
    ev: dict[str, Any], key: str, id_key: str, path: str, source: str
) -> dict[str, Any]:
    """The event's *key* object, which must carry a non-empty string *id_key*."""
    obj = ev.get(key)
    if type(obj) is not dict:
        raise Invalid(f"{path}.{key}", f"field is required for {source} events")
    ident = obj.get(id_key)
    if type(ident) is not str or not ident:
        raise Invalid(f"{path}.{key}.{id_key}", f"field is required for {source} events")
    return obj
