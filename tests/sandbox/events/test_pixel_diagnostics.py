"""The browser-pixel simulator and the Events-Manager-like diagnostics (EVT-6, EVT-7)."""

from __future__ import annotations

from typing import Any

import pytest

from tokops.sandbox.settings import DEFAULT_OFFLINE_EVENT_SET_ID as OFFLINE
from tokops.sandbox.settings import DEFAULT_PIXEL_CODE as PIXEL


def test_server_versus_pixel_read_out(api: Any, clock: Any) -> None:
    """A small shop day: what Events Manager would show per connection method."""
    # Pixel sees 4 purchases; the server sends 5 (one the pixel missed, e.g. an ad blocker).
    api.browser(
        [
            {"event": "Purchase", "event_id": f"o{i}", "ttclid": "E.C.P.x", "ttp": "t" * 27}
            for i in range(4)
        ]
    )
    clock.advance(minutes=2)
    api.track([api.event(event_id=f"o{i}") for i in range(5)])
    clock.advance(minutes=10)
    api.track([api.event(event_id="o0")])  # a retry: dropped
    api.browser([{"event": "Purchase", "event_id": "o4"}])  # 12 min after the server: dropped
    api.browser([{"event": "ViewContent"}])

    report = api.diagnostics()
    purchase = report["Purchase"]
    assert purchase["total_received"] == 11
    assert purchase["received"] == {"server": 6, "browser": 5}
    assert purchase["connection_method"] == {
        "server_only": 1,
        "browser_only": 0,
        "server_and_browser": 4,
    }
    assert purchase["deduplication"] == {"kept": 5, "merged": 4, "dropped": 2}
    assert purchase["match_key_coverage"] == {
        "ttclid": 0.8,
        "email": 1.0,
        "phone": 0.0,
        "external_id": 0.0,
        "ip_user_agent": 1.0,
        "ttp": 0.8,
    }
    assert purchase["status"] == "Active"
    assert purchase["last_received"] == clock.unix
    assert report["ViewContent"]["connection_method"]["browser_only"] == 1


def test_status_turns_to_no_recent_activity_after_7_days(api: Any, clock: Any) -> None:
    api.track([api.event()])
    clock.advance(days=6, hours=23)
    assert api.diagnostics()["Purchase"]["status"] == "Active"
    clock.advance(hours=1)
    assert api.diagnostics()["Purchase"]["status"] == "No recent activity"


def test_diagnostics_are_per_event_source(api: Any) -> None:
    api.track([api.event()])
    api.track([api.event(page=None)], source="offline", source_id=OFFLINE)
    assert api.diagnostics(OFFLINE)["Purchase"]["total_received"] == 1
    assert api.diagnostics(PIXEL)["Purchase"]["total_received"] == 1
    whole = api.get("/sandbox/diagnostics/", event_source_id=OFFLINE)["data"]
    assert whole["event_source_id"] == OFFLINE
    assert whole["total_received"] == 1


@pytest.mark.parametrize(
    ("params", "code"),
    [({}, 40002), ({"event_source_id": "CUNKNOWN"}, 40001), ({"event_source_id": PIXEL}, 0)],
)
def test_diagnostics_parameters(api: Any, params: dict[str, str], code: int) -> None:
    assert api.get("/sandbox/diagnostics/", **params)["code"] == code


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"events": [{"event": "Purchase"}]},
            "Invalid value for pixel_code: field is required.",
        ),
        (
            {"pixel_code": PIXEL, "events": []},
            "Invalid value for events: must contain 1 to 1000 events.",
        ),
        (
            {"pixel_code": PIXEL, "events": [{"event": 1}]},
            "Invalid value for events.0.event: not a valid string.",
        ),
        (
            {"pixel_code": PIXEL, "events": [{"event": "Purchase", "event_id": 3}]},
            "Invalid value for events.0.event_id: not a valid string.",
        ),
        (
            {"pixel_code": PIXEL, "events": [{"event": "Purchase", "email": 3}]},
            "Invalid value for events.0.email: not a valid string or list of strings.",
        ),
        (
            {"pixel_code": PIXEL, "events": [{"event": "Purchase", "event_time": "now"}]},
            "Invalid value for events.0.event_time: not a valid integer.",
        ),
    ],
)
def test_simulator_validation(api: Any, body: dict[str, Any], message: str) -> None:
    answer = api.post("/sandbox/pixel/events/", body)
    assert (answer["code"], answer["message"]) == (40002, message)


def test_simulator_unknown_pixel_is_40001(api: Any) -> None:
    assert api.browser([{"event": "Purchase"}], pixel="CNOPE")["code"] == 40001


def test_simulator_reports_each_outcome(api: Any, clock: Any) -> None:
    api.track([api.event(event_id="a")])
    clock.advance(minutes=1)
    answer = api.browser(
        [
            {"event": "Purchase", "event_id": "a"},
            {"event": "Purchase", "event_id": "b"},
            {"event": "Purchase", "event_id": "b"},
        ]
    )
    assert answer["data"] == {"received": 3, "outcomes": ["merged", "kept", "dropped"]}
    api.browser([{"event": "Purchase"}], test_event_code="T")
    assert api.diagnostics()["Purchase"]["received"]["browser"] == 3
