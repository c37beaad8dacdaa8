"""The event routes: Events API 2.0, legacy 1.0 ``pixel/*``, the pixel simulator, read-outs.

Each handler parses with :mod:`tokops.sandbox.events`, checks the event source against the
token's assets, and lands the events in the :class:`~tokops.sandbox.events.sink.EventSink`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tokops.sandbox.events.dedup import CHANNEL_BROWSER, CHANNEL_SERVER
from tokops.sandbox.events.diagnostics import diagnostics_report, read_test_events
from tokops.sandbox.events.pixel import (
    CheckPixel,
    PixelEvents,
    parse_legacy_batch,
    parse_legacy_track,
    parse_simulated,
)
from tokops.sandbox.events.sink import VERDICT_NAMES, EventSink
from tokops.sandbox.events.track import parse_events, parse_head
from tokops.sandbox.server.auth import Permissions
from tokops.sandbox.server.envelope import CODE_PARAMETER, ApiFailure
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.server.routing import API, Route

__all__ = ["EventRoutes"]

_ParsePixel = Callable[[dict[str, Any], float, CheckPixel], PixelEvents]


class EventRoutes:
    """The routes that accept events or read them back, over one sink."""

    def __init__(
        self, permissions: Permissions, sink: EventSink, offline_max_age_days: int | None
    ) -> None:
        self.permissions = permissions
        self.sink = sink
        self.offline_max_age_days = offline_max_age_days

    def routes(self) -> list[Route]:
        routes = [
            Route("POST", API + "event/track/", self.track, "Events API 2.0", throttled=True),
        ]
        for version in ("v1.2", "v1.3"):
            base = f"/open_api/{version}/pixel/"
            routes += [
                Route("POST", base + "track/", self.pixel_track, "Legacy 1.0 track",
                      throttled=True, legacy=True),
                Route("POST", base + "batch/", self.pixel_batch, "Legacy 1.0 batch",
                      throttled=True, legacy=True),
            ]  # fmt: skip
        return routes

    def sandbox_routes(self) -> list[Route]:
        """The sandbox-only routes (never faulty)."""
        return [
            Route("POST", "/sandbox/pixel/events/", self.simulate_pixel,
                  "Simulate browser pixel events", faulty=False),
            Route("GET", "/sandbox/diagnostics/", self.diagnostics,
                  "Events Manager-like diagnostics", faulty=False),
            Route("GET", "/sandbox/test_events/", self.test_events,
                  "Events received with a test_event_code", faulty=False),
        ]  # fmt: skip

    def track(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        head = parse_head(request.json_object())
        self.permissions.check_source(head.event_source, head.event_source_id)
        now_s = now.timestamp()
        events = parse_events(head, now_s, self.offline_max_age_days)
        self.sink.ingest(head.event_source_id, events, CHANNEL_SERVER, now_s, head.test_event_code)
        return {}

    def _check_pixel(self, pixel_code: str) -> None:
        self.permissions.check_source("web", pixel_code)

    def _pixel(
        self, parse: _ParsePixel, request: SandboxRequest, now: datetime, channel: int
    ) -> list[int]:
        now_s = now.timestamp()
        batch = parse(request.json_object(), now_s, self._check_pixel)
        return self.sink.ingest(
            batch.pixel_code, batch.events, channel, now_s, batch.test_event_code
        )

    def pixel_track(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        self._pixel(parse_legacy_track, request, now, CHANNEL_SERVER)
        return {}

    def pixel_batch(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        self._pixel(parse_legacy_batch, request, now, CHANNEL_SERVER)
        return {}

    def simulate_pixel(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        verdicts = self._pixel(parse_simulated, request, now, CHANNEL_BROWSER)
        return {"received": len(verdicts), "outcomes": [VERDICT_NAMES[v] for v in verdicts]}

    def _source_param(self, request: SandboxRequest) -> str:
        source_id = request.query.get("event_source_id", "")
        if not source_id:
            raise ApiFailure(
                CODE_PARAMETER, "Invalid value for event_source_id: field is required."
            )
        self.permissions.check_any_source(source_id)
        return source_id

    def diagnostics(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        source_id = self._source_param(request)
        return diagnostics_report(self.sink, source_id, now.timestamp())

    def test_events(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        source_id = self._source_param(request)
        code = request.query.get("test_event_code") or None
        return read_test_events(self.sink, source_id, code)
