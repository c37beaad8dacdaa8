"""Legacy Events API 1.0 routes (events_api.md §1.7): ``pixel/track/`` and ``pixel/batch/``."""

from __future__ import annotations

from typing import Any

import pytest

from tokops.sandbox.settings import DEFAULT_PIXEL_CODE as PIXEL


def context(**user: Any) -> dict[str, Any]:
    return {
        "ad": {"callback": "E.C.P.abc"},
        "page": {"url": "https://shop.example/p", "referrer": "https://shop.example/"},
        "user": {"external_id": "c" * 64, "email": "a" * 64, "phone_number": "b" * 64, **user},
        "ip": "203.0.113.8",
        "user_agent": "Mozilla/5.0",
    }


@pytest.mark.parametrize("version", ["v1.2", "v1.3"])
def test_track_feeds_the_server_channel(api: Any, version: str) -> None:
    body = {
        "pixel_code": PIXEL,
        "event": "CompletePayment",
        "event_id": "1616318632825_357",
        "timestamp": "2026-03-02T11:58:00Z",
        "context": context(ttp="2F7h37YkS1j57AYSKTI7IHhJPYH"),
        "properties": {
            "contents": [{"content_id": "1077218", "price": 10.0, "quantity": 2}],
            "currency": "USD",
            "value": 20.0,
        },
    }
    answer = api.post(f"/open_api/{version}/pixel/track/", body)
    assert answer["code"] == 0, answer
    report = api.diagnostics()["CompletePayment"]
    assert report["received"] == {"server": 1, "browser": 0}
    assert report["match_key_coverage"] == {
        "ttclid": 1.0,
        "email": 1.0,
        "phone": 1.0,
        "external_id": 1.0,
        "ip_user_agent": 1.0,
        "ttp": 1.0,
    }


@pytest.mark.parametrize("version", ["v1.2", "v1.3"])
def test_batch_and_dedup_with_the_2_0_route(api: Any, version: str) -> None:
    batch = [
        {"type": "track", "event": "Purchase", "event_id": "order_1", "context": context()},
        {"type": "track", "event": "Purchase", "event_id": "order_2", "context": context()},
    ]
    assert (
        api.post(f"/open_api/{version}/pixel/batch/", {"pixel_code": PIXEL, "batch": batch})["code"]
        == 0
    )
    api.track([api.event(event_id="order_1")])  # same server channel → a duplicate
    report = api.diagnostics()["Purchase"]
    assert report["deduplication"] == {"kept": 2, "merged": 0, "dropped": 1}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("track", {"event": "Purchase"}, "pixel_code: Missing data for required field"),
        ("track", {"pixel_code": PIXEL}, "event: Missing data for required field"),
        (
            "track",
            {"pixel_code": PIXEL, "event": "Purchase", "event_id": 5},
            "event_id: Not a valid string",
        ),
        (
            "track",
            {"pixel_code": PIXEL, "event": "Purchase", "timestamp": "yesterday"},
            "timestamp: Not a valid datetime",
        ),
        (
            "track",
            {"pixel_code": PIXEL, "event": "Purchase", "context": {"user": {"email": 1}}},
            "context.user.email: Not a valid string",
        ),
        (
            "batch",
            {
                "pixel_code": PIXEL,
                "batch": [
                    {"event": "Purchase"},
                    {"event": "Purchase", "properties": {"contents": [{"content_id": 1}]}},
                ],
            },
            "Batch.1.properties.contents.0.content_id: Not a valid string",
        ),
        (
            "batch",
            {"pixel_code": PIXEL, "batch": [{"type": "identify", "event": "Purchase"}]},
            "Batch.0.type: Must be one of: track",
        ),
        ("batch", {"pixel_code": PIXEL}, "batch: Missing data for required field"),
        ("batch", {"pixel_code": PIXEL, "batch": []}, "batch: Length must be between 1 and 1000"),
    ],
)
def test_legacy_validation_wording(api: Any, path: str, body: dict[str, Any], message: str) -> None:
    answer = api.post(f"/open_api/v1.3/pixel/{path}/", body)
    assert (answer["code"], answer["message"]) == (40002, message)
    assert api.diagnostics() == {}


def test_legacy_unknown_pixel_is_40001(api: Any) -> None:
    answer = api.post("/open_api/v1.3/pixel/track/", {"pixel_code": "CNOPE", "event": "Purchase"})
    assert answer["code"] == 40001
    assert "No permission to operate pixel code: CNOPE." in answer["message"]


def test_legacy_timestamp_defaults_to_receive_time_and_test_code_is_honoured(
    api: Any, clock: Any
) -> None:
    body = {"pixel_code": PIXEL, "event": "Purchase", "test_event_code": "TEST1"}
    assert api.post("/open_api/v1.3/pixel/track/", body)["code"] == 0
    rows = api.get("/sandbox/test_events/", event_source_id=PIXEL, test_event_code="TEST1")
    assert rows["data"]["list"][0]["event_time"] == clock.unix
    assert api.diagnostics() == {}
