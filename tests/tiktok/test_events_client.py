"""Events API payload building: top-level test_event_code, ≤ 1000 events, exact JSON shape."""

from __future__ import annotations

import httpx
import orjson
import pytest

from tokops.tiktok import ApiClient, EventsClient
from tokops.tiktok.events import STANDARD_EVENTS, SUPPORTED_CURRENCIES, build_track_body


def test_body_shape_matches_spec() -> None:
    events = [{"event": "Purchase", "event_time": 1704721970, "event_id": "o1"}]
    body = orjson.loads(
        build_track_body(
            "web", "CXXXXXXXXXXXXXXXXXXX", [orjson.dumps(e) for e in events], test_event_code="T1"
        )
    )
    assert body == {
        "event_source": "web",
        "event_source_id": "CXXXXXXXXXXXXXXXXXXX",
        "partner_name": "tokops",
        "test_event_code": "T1",
        "data": events,
    }
    assert "test_event_code" not in body["data"][0]


def test_track_posts_to_event_track_and_refuses_oversized_batches() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0, "message": "OK", "request_id": "r", "data": {}})

    client = EventsClient(
        ApiClient("t", api_base="http://x", transport=httpx.MockTransport(handler))
    )
    client.track("offline", "7000000000000000001", [{"event": "Purchase", "event_time": 1}])
    assert seen[0].url.path == "/open_api/v1.3/event/track/"
    assert orjson.loads(seen[0].content)["event_source"] == "offline"
    with pytest.raises(ValueError):
        client.track("web", "C", [{"event": "Purchase"}] * 1001)
    with pytest.raises(ValueError):
        client.track("web", "C", [])


def test_catalogues_from_spec() -> None:
    assert len(STANDARD_EVENTS) == 18 and "Purchase" in STANDARD_EVENTS
    # The spec's note says "59 unique" but the list it quotes holds 62 distinct codes; we keep
    # the list itself (events_api.md §1.5).
    assert len(SUPPORTED_CURRENCIES) == 62
    assert {"EUR", "USD", "JPY", "ZAR"} <= SUPPORTED_CURRENCIES
    assert "XYZ" not in SUPPORTED_CURRENCIES
