"""Events API 2.0 client: ``POST /open_api/v1.3/event/track/`` (and legacy ``/pixel/batch/``).

Payload shapes follow ``../shared/specs/events_api.md`` §1: ``event_source`` selects web,
app, offline or crm; ``test_event_code`` sits at the top level, never inside ``data[]``; at most
1,000 events a request (more rejects the whole request). EVT-1, EVT-3. The shape of an event and
of the request around it is declared once, in :mod:`tokops.tiktok.events_wire`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import orjson

from tokops.tiktok._http import ApiClient, ApiResponse
from tokops.tiktok.events_wire import DATA_KEY, DEFAULT_PARTNER_NAME, ENVELOPE, wire_event

__all__ = [
    "EVENT_SOURCES",
    "MAX_EVENTS_PER_REQUEST",
    "STANDARD_EVENTS",
    "SUPPORTED_CURRENCIES",
    "EventSource",
    "EventsClient",
    "build_track_body",
    "encode_event",
]

EventSource = Literal["web", "app", "offline", "crm"]
EVENT_SOURCES: Final = ("web", "app", "offline", "crm")
MAX_EVENTS_PER_REQUEST: Final = 1000
TRACK_PATH: Final = "event/track/"

#: Web / offline / CRM standard events, case-sensitive (spec §2, Sept 2025 list).
STANDARD_EVENTS: Final = frozenset(
    "AddPaymentInfo AddToCart AddToWishlist ApplicationApproval CompleteRegistration Contact "
    "CustomizeProduct Download FindLocation InitiateCheckout Lead Purchase Schedule Search "
    "StartTrial SubmitApplication Subscribe ViewContent".split()
)

#: ISO 4217 codes the Events API lists as supported (spec §1.5).
SUPPORTED_CURRENCIES: Final = frozenset(
    "AED ARS AUD BDT BHD BIF BOB BRL CAD CHF CLP CNY COP CRC CZK DKK DZD EGP EUR GBP GTQ HKD "
    "HNL HUF IDR ILS INR ISK JPY KES KHR KRW KWD KZT MAD MOP MXN MYR NGN NIO NOK NZD OMR PEN "
    "PHP PKR PLN PYG QAR RON RUB SAR SEK SGD THB TRY TWD UAH USD VES VND ZAR".split()
)


def build_track_body(
    event_source: EventSource,
    event_source_id: str,
    events_json: Iterable[bytes | memoryview],
    *,
    test_event_code: str | None = None,
    partner_name: str | None = DEFAULT_PARTNER_NAME,
) -> bytes:
    """The request body from events already serialised (one by one, or runs of events joined
    by commas): the fast path for bulk sends, one copy of the bytes. The top-level keys follow
    :data:`~tokops.tiktok.events_wire.ENVELOPE` (an empty optional key is omitted)."""
    given = {
        "event_source": event_source,
        "event_source_id": event_source_id,
        "partner_name": partner_name,
        "test_event_code": test_event_code,
    }
    head = {key: given[key] for key, always in ENVELOPE if always or given[key]}
    # the head without its closing brace, then the events
    parts: list[bytes | memoryview] = [orjson.dumps(head)[:-1], f',"{DATA_KEY}":['.encode()]
    for i, event in enumerate(events_json):
        if i:
            parts.append(b",")
        parts.append(event)
    parts.append(b"]}")
    return b"".join(parts)


def encode_event(record: Mapping[str, Any]) -> bytes:
    """A flat record's event as JSON (:func:`~tokops.tiktok.events_wire.wire_event`): the
    same bytes the sync's engine writes for the same values."""
    return orjson.dumps(wire_event(record))


class EventsClient:
    """Send conversion events. ``partner_name`` is written into every request it sends (None:
    the key is omitted), on every path: :meth:`track`, :meth:`track_fields` and the bodies the
    sync builds with :meth:`body`."""

    def __init__(self, api: ApiClient, *, partner_name: str | None = DEFAULT_PARTNER_NAME) -> None:
        self.api = api
        self.partner_name = partner_name

    def body(
        self,
        event_source: EventSource,
        event_source_id: str,
        events_json: Iterable[bytes | memoryview],
        *,
        test_event_code: str | None = None,
    ) -> bytes:
        """:func:`build_track_body` with this client's ``partner_name``."""
        return build_track_body(
            event_source,
            event_source_id,
            events_json,
            test_event_code=test_event_code,
            partner_name=self.partner_name,
        )

    def track(
        self,
        event_source: EventSource,
        event_source_id: str,
        events: Sequence[Mapping[str, Any]],
        *,
        test_event_code: str | None = None,
    ) -> ApiResponse:
        """Send events given as dicts shaped like spec §1.3 (already hashed)."""
        if not 1 <= len(events) <= MAX_EVENTS_PER_REQUEST:
            raise ValueError(f"a request carries 1..{MAX_EVENTS_PER_REQUEST} events")
        encoded = (orjson.dumps(e) for e in events)
        return self.track_raw(
            self.body(event_source, event_source_id, encoded, test_event_code=test_event_code)
        )

    def track_fields(
        self,
        event_source: EventSource,
        event_source_id: str,
        records: Sequence[Mapping[str, Any]],
        *,
        test_event_code: str | None = None,
    ) -> ApiResponse:
        """Send events given as flat records (field name → value, already hashed), nested by
        the wire declaration (:func:`encode_event`)."""
        return self.track(
            event_source,
            event_source_id,
            [wire_event(r) for r in records],
            test_event_code=test_event_code,
        )

    def track_raw(self, body: bytes) -> ApiResponse:
        """Send a body built with :meth:`body` (or :func:`build_track_body`)."""
        return self.api.call("POST", TRACK_PATH, content=body)
