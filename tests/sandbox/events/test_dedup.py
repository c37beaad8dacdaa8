"""Deduplication windows (EVT-7, events_api.md §6) with an injected clock, and test streams."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tokops.sandbox import Sandbox, SandboxSettings
from tokops.sandbox.events.dedup import (
    CHANNEL_BROWSER,
    CHANNEL_SERVER,
    DROPPED,
    KEPT,
    MERGED,
    Deduplicator,
)
from tokops.sandbox.events.validation import KEY_EMAIL, KEY_TTCLID, KEY_TTP
from tokops.sandbox.settings import DEFAULT_PIXEL_CODE as PIXEL

KEY = ("PIXEL", "Purchase", "order_1")
H = 3600.0


@pytest.mark.parametrize(
    ("first", "second", "gap_s", "verdict"),
    [
        (CHANNEL_SERVER, CHANNEL_SERVER, 1, DROPPED),
        (CHANNEL_SERVER, CHANNEL_SERVER, 47 * H, DROPPED),
        (CHANNEL_SERVER, CHANNEL_SERVER, 48 * H, KEPT),
        (CHANNEL_BROWSER, CHANNEL_BROWSER, 47.9 * H, DROPPED),
        (CHANNEL_BROWSER, CHANNEL_BROWSER, 49 * H, KEPT),
        (CHANNEL_BROWSER, CHANNEL_SERVER, 0, MERGED),
        (CHANNEL_BROWSER, CHANNEL_SERVER, 300, MERGED),
        (CHANNEL_SERVER, CHANNEL_BROWSER, 299, MERGED),
        (CHANNEL_BROWSER, CHANNEL_SERVER, 301, DROPPED),
        (CHANNEL_SERVER, CHANNEL_BROWSER, 47 * H, DROPPED),
        (CHANNEL_SERVER, CHANNEL_BROWSER, 48 * H, KEPT),
    ],
)
def test_windows(first: int, second: int, gap_s: float, verdict: int) -> None:
    dedup = Deduplicator()
    assert dedup.observe(KEY, first, 0, 1000.0)[0] == KEPT
    assert dedup.observe(KEY, second, 0, 1000.0 + gap_s)[0] == verdict


def test_windows_are_measured_from_the_first_arrival() -> None:
    dedup = Deduplicator()
    dedup.observe(KEY, CHANNEL_SERVER, 0, 0.0)
    assert dedup.observe(KEY, CHANNEL_SERVER, 0, 47 * H)[0] == DROPPED
    # 47 h after the duplicate but 49 h after the first: a new event, not a duplicate.
    assert dedup.observe(KEY, CHANNEL_SERVER, 0, 49 * H)[0] == KEPT
    assert dedup.observe(KEY, CHANNEL_BROWSER, 0, 49 * H + 200)[0] == MERGED


def test_merge_enriches_the_first_with_the_other_keys_only_once() -> None:
    dedup = Deduplicator()
    dedup.observe(KEY, CHANNEL_BROWSER, KEY_TTP | KEY_TTCLID, 0.0)
    verdict, first, added = dedup.observe(KEY, CHANNEL_SERVER, KEY_EMAIL | KEY_TTCLID, 10.0)
    assert (verdict, first, added) == (MERGED, CHANNEL_BROWSER, KEY_EMAIL)
    # A second server copy within 5 min is a same-channel duplicate, not another merge.
    assert dedup.observe(KEY, CHANNEL_SERVER, KEY_EMAIL, 20.0)[0] == DROPPED
    assert dedup.observe(KEY, CHANNEL_BROWSER, 0, 30.0)[0] == DROPPED


def test_keys_differ_by_source_event_and_id() -> None:
    dedup = Deduplicator()
    for key in [
        KEY,
        ("OTHER", "Purchase", "order_1"),
        ("PIXEL", "AddToCart", "order_1"),
        ("PIXEL", "Purchase", "order_2"),
    ]:
        assert dedup.observe(key, CHANNEL_SERVER, 0, 0.0)[0] == KEPT
    assert len(dedup) == 4


def test_prune_forgets_only_expired_keys() -> None:
    dedup = Deduplicator()
    dedup.observe(KEY, CHANNEL_SERVER, 0, 0.0)
    dedup.observe(("PIXEL", "Purchase", "late"), CHANNEL_SERVER, 0, 10 * H)
    assert dedup.prune(48 * H) == 1
    assert len(dedup) == 1


# -- through the HTTP surface -------------------------------------------------------------------


def browser_event(event_id: str = "order_1", **keys: Any) -> dict[str, Any]:
    return {"event": "Purchase", "event_id": event_id, "url": "https://shop.example/t", **keys}


def test_server_then_server_within_48h_is_dropped_after_is_new(api: Any, clock: Any) -> None:
    api.track([api.event()])
    clock.advance(hours=47, minutes=59)
    api.track([api.event()])
    clock.advance(minutes=1)  # exactly 48 h after the first
    api.track([api.event()])
    report = api.diagnostics()["Purchase"]
    assert report["total_received"] == 3
    assert report["deduplication"] == {"kept": 2, "merged": 0, "dropped": 1}
    assert report["connection_method"]["server_only"] == 2


def _methods(*, server_only: int, browser_only: int, both: int) -> dict[str, int]:
    """A diagnostics ``connection_method`` block."""
    return {"server_only": server_only, "browser_only": browser_only, "server_and_browser": both}


def test_pixel_then_server_within_5_minutes_is_merged_and_enriched(api: Any, clock: Any) -> None:
    pixel = browser_event(ttp="2F7h37YkS1j57AYSKTI7IHhJPYH", ip="1.2.3.4", user_agent="UA")
    outcome = api.browser([pixel])
    assert outcome["data"] == {"received": 1, "outcomes": ["kept"]}
    clock.advance(minutes=4)
    api.track([api.event()])  # carries email + ip/ua, no ttp
    report = api.diagnostics()["Purchase"]
    assert report["deduplication"] == {"kept": 1, "merged": 1, "dropped": 0}
    assert report["connection_method"] == _methods(server_only=0, browser_only=0, both=1)
    assert report["received"] == {"server": 1, "browser": 1}
    coverage = report["match_key_coverage"]
    assert coverage["ttp"] == 1.0 and coverage["email"] == 1.0 and coverage["ip_user_agent"] == 1.0
    assert coverage["phone"] == 0.0


def test_server_then_pixel_after_5_minutes_is_dropped(api: Any, clock: Any) -> None:
    api.track([api.event()])
    clock.advance(minutes=6)
    outcome = api.browser([browser_event(ttp="x")])
    assert outcome["data"]["outcomes"] == ["dropped"]
    report = api.diagnostics()["Purchase"]
    assert report["deduplication"] == {"kept": 1, "merged": 0, "dropped": 1}
    assert report["connection_method"]["server_only"] == 1
    assert report["match_key_coverage"]["ttp"] == 0.0, "a dropped event must not enrich"


def test_pixel_then_pixel_is_dropped(api: Any, clock: Any) -> None:
    api.browser([browser_event()])
    clock.advance(hours=1)
    assert api.browser([browser_event()])["data"]["outcomes"] == ["dropped"]


def test_events_without_event_id_are_never_deduplicated(api: Any) -> None:
    ev = api.event()
    del ev["event_id"]
    api.track([ev, ev])
    api.browser([{"event": "Purchase"}])
    report = api.diagnostics()["Purchase"]
    assert report["deduplication"] == {"kept": 3, "merged": 0, "dropped": 0}
    assert report["connection_method"] == _methods(server_only=2, browser_only=1, both=0)


def test_duplicates_inside_one_request_are_deduplicated(api: Any) -> None:
    api.track([api.event(), api.event(), api.event(event_id="order_2")])
    assert api.diagnostics()["Purchase"]["deduplication"] == {"kept": 2, "merged": 0, "dropped": 1}


def test_test_events_go_to_their_own_stream(api: Any, clock: Any) -> None:
    assert api.track([api.event()], test_event_code="TEST04030")["code"] == 0
    assert api.diagnostics() == {}, "test events are not counted in the live stream"
    # Not deduplicated against the live stream either way.
    api.track([api.event()])
    api.track([api.event()], test_event_code="TEST04030")
    assert api.diagnostics()["Purchase"]["deduplication"] == {"kept": 1, "merged": 0, "dropped": 0}
    api.browser([browser_event()], test_event_code="TEST70527")

    stream = api.get("/sandbox/test_events/", event_source_id=PIXEL, test_event_code="TEST04030")
    rows = stream["data"]["list"]
    assert [r["test_event_code"] for r in rows] == ["TEST04030", "TEST04030"]
    assert rows[0]["event"] == "Purchase" and rows[0]["event_id"] == "order_1"
    assert rows[0]["connection_method"] == "server"
    assert rows[0]["match_keys"] == ["email", "ip_user_agent"]
    assert rows[0]["received_at"] == clock.unix
    every = api.get("/sandbox/test_events/", event_source_id=PIXEL)["data"]["list"]
    assert len(every) == 3
    assert every[-1]["connection_method"] == "browser"


def test_test_stream_keeps_a_bounded_number_of_events(clock: Any, token: str) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=(token,), test_events_kept=3), now=clock)
    with httpx.Client(
        transport=sandbox.transport(), base_url="http://s", headers={"Access-Token": token}
    ) as client:
        for i in range(5):
            body = {
                "event_source": "web",
                "event_source_id": PIXEL,
                "test_event_code": "T",
                "data": [
                    {
                        "event": "Purchase",
                        "event_id": str(i),
                        "event_time": clock.unix,
                        "page": {"url": "u"},
                    }
                ],
            }
            assert client.post("/open_api/v1.3/event/track/", json=body).json()["code"] == 0
    rows = sandbox.test_events(PIXEL, "T")["list"]
    assert [r["event_id"] for r in rows] == ["2", "3", "4"]
