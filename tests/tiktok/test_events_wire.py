"""The event's wire shape declared once (spec §1.2–1.5; EVT-1): nesting, omitted absent fields,
the content_type default, the fields of each event source and the request's top-level keys."""

from __future__ import annotations

import httpx
import orjson
import pytest

from tokops.tiktok import ApiClient, EventsClient
from tokops.tiktok.events import build_track_body, encode_event
from tokops.tiktok.events_wire import HASHED_KEYS, MATCH_KEYS, fields_for, wire_event

H = "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f"


def test_a_flat_record_is_nested_in_declaration_order() -> None:
    record = {
        "url": "https://s/thanks",
        "content_ids": ["1", "2"],
        "value": 0.0,
        "ip": "203.0.113.8",
        "email": H,
        "phone": None,
        "event_id": "o1",
        "event_time": 1704721970,
        "event": "Purchase",
    }
    assert encode_event(record) == (
        b'{"event":"Purchase","event_time":1704721970,"event_id":"o1",'
        b'"user":{"email":"' + H.encode() + b'","ip":"203.0.113.8"},'
        b'"properties":{"value":0.0,"content_ids":["1","2"],"content_type":"product"},'
        b'"page":{"url":"https://s/thanks"}}'
    )


def test_groups_without_a_present_field_are_omitted_and_a_given_type_is_kept() -> None:
    event = wire_event(
        {
            "event": "Lead",
            "event_time": 1,
            "event_id": "L1",
            "email": None,
            "content_ids": ["a"],
            "content_type": None,  # mapped but empty: no default
            "lead_id": "7000",
        }
    )
    assert event == {
        "event": "Lead",
        "event_time": 1,
        "event_id": "L1",
        "properties": {"content_ids": ["a"]},
        "lead": {"lead_id": "7000"},
    }
    with pytest.raises(ValueError, match="not fields of an event: pixel_code"):
        wire_event({"event": "Lead", "pixel_code": "C1"})


def test_fields_of_each_event_source() -> None:
    assert {"ttclid", "url", "referrer", "ip"} <= fields_for("web")
    assert not {"ttclid", "url", "ip", "lead_id"} & fields_for("offline")
    assert {"lead_id", "lead_event_source"} <= fields_for("crm") - fields_for("web")
    assert HASHED_KEYS == ("email", "phone", "external_id")
    names = [k.name for k in MATCH_KEYS]
    assert names == ["email", "phone", "external_id", "ttclid", "ttp", "ip_ua"]


@pytest.mark.parametrize("partner", ["Acme", None])
def test_the_client_writes_its_partner_name_on_every_path(partner: str | None) -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, json={"code": 0, "message": "OK", "request_id": "r", "data": {}})

    api = ApiClient("t", api_base="http://x", transport=httpx.MockTransport(handler))
    client = EventsClient(api, partner_name=partner)
    client.track_fields("web", "PIX", [{"event": "Purchase", "event_time": 1, "event_id": "a"}])
    client.track("web", "PIX", [{"event": "Purchase", "event_time": 1, "event_id": "b"}])
    raw = client.body("web", "PIX", [b'{"event":"Purchase"}'], test_event_code="T1")
    for body in [*(orjson.loads(s) for s in seen), orjson.loads(raw)]:
        assert body.get("partner_name") == partner and ("partner_name" in body) is bool(partner)
    assert list(orjson.loads(raw)) == [
        "event_source",
        "event_source_id",
        *(["partner_name"] if partner else []),
        "test_event_code",
        "data",
    ]
    first = orjson.loads(seen[0])["data"]
    assert first == [{"event": "Purchase", "event_time": 1, "event_id": "a"}]
    assert raw == build_track_body(
        "web", "PIX", [b'{"event":"Purchase"}'], test_event_code="T1", partner_name=partner
    )
