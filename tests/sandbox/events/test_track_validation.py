"""``/event/track/`` validation, rule by rule (events_api.md §1–§5, §10; BYD-1).

Errors are request-level: one bad event rejects the whole request with 40002 and the JSON path
of the bad value, and nothing of the request is ingested.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokops.sandbox import Sandbox, SandboxSettings
from tokops.sandbox.settings import (
    DEFAULT_CRM_EVENT_SET_ID as CRM,
)
from tokops.sandbox.settings import (
    DEFAULT_OFFLINE_EVENT_SET_ID as OFFLINE,
)
from tokops.sandbox.settings import (
    DEFAULT_PIXEL_CODE as PIXEL,
)

TRACK = "/open_api/v1.3/event/track/"
NOW = 1_772_452_800  # 2026-03-02T12:00:00Z, the conftest clock's start


def set_path(ev: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = ev
    for key in parents:
        node = node.setdefault(key, {})
    if value is _DELETE:
        node.pop(last, None)
    else:
        node[last] = value


_DELETE = object()

# (field path inside event #1, bad value, expected message); the other events stay valid.
EVENT_CASES: list[tuple[str, Any, str]] = [
    ("event", _DELETE, "Invalid value for data.1.event: not a valid string."),
    ("event", 7, "Invalid value for data.1.event: not a valid string."),
    ("event", "  ", "Invalid value for data.1.event: must not be empty."),
    ("event_time", _DELETE, "Invalid value for data.1.event_time: not a valid integer."),
    ("event_time", "1704721970", "Invalid value for data.1.event_time: not a valid integer."),
    ("event_time", 1704721970.5, "Invalid value for data.1.event_time: not a valid integer."),
    ("event_time", True, "Invalid value for data.1.event_time: not a valid integer."),
    (
        "event_time",
        1704721970000,
        "Invalid value for data.1.event_time: expected unix seconds, got a value that looks "
        "like ms.",
    ),
    ("event_id", 98765, "Invalid value for data.1.event_id: not a valid string."),
    ("user", "alice", "Invalid value for data.1.user: not a valid object."),
    (
        "user.email",
        {"a": 1},
        "Invalid value for data.1.user.email: not a valid string or list of strings.",
    ),
    ("user.phone", [1], "Invalid value for data.1.user.phone.0: not a valid string."),
    (
        "user.external_id",
        5,
        "Invalid value for data.1.user.external_id: not a valid string or list of strings.",
    ),
    ("user.ip", 127, "Invalid value for data.1.user.ip: not a valid string."),
    ("user.ttclid", ["x"], "Invalid value for data.1.user.ttclid: not a valid string."),
    ("properties", [], "Invalid value for data.1.properties: not a valid object."),
    ("properties.value", "10.00", "Invalid value for data.1.properties.value: not a valid number."),
    ("properties.value", False, "Invalid value for data.1.properties.value: not a valid number."),
    (
        "properties.currency",
        "XYZ",
        "Invalid value for data.1.properties.currency: not a supported currency: 'XYZ'.",
    ),
    (
        "properties.contents",
        [{"content_id": 1077218}],
        "Invalid value for data.1.properties.contents.0.content_id: not a valid string.",
    ),
    (
        "properties.contents",
        [{"content_id": "1", "price": "10"}],
        "Invalid value for data.1.properties.contents.0.price: not a valid number.",
    ),
    (
        "properties.contents",
        [{"content_id": "1", "quantity": 2.5}],
        "Invalid value for data.1.properties.contents.0.quantity: not a valid integer.",
    ),
    (
        "properties.content_ids",
        ["1", 2],
        "Invalid value for data.1.properties.content_ids.1: not a valid string.",
    ),
    (
        "properties.num_items",
        "2",
        "Invalid value for data.1.properties.num_items: not a valid integer.",
    ),
    ("page", _DELETE, "Invalid value for data.1.page: field is required for web events."),
    ("page.url", _DELETE, "Invalid value for data.1.page.url: field is required for web events."),
    ("page.url", 3, "Invalid value for data.1.page.url: not a valid string."),
    ("limited_data_use", "no", "Invalid value for data.1.limited_data_use: not a valid boolean."),
]


@pytest.mark.parametrize(("path", "value", "message"), EVENT_CASES, ids=[c[2] for c in EVENT_CASES])
def test_each_event_rule_rejects_the_whole_request(
    api: Any, path: str, value: Any, message: str
) -> None:
    good = api.event(event_id="a")
    bad = copy.deepcopy(api.event(event_id="b"))
    set_path(bad, path, value)
    answer = api.track([good, bad, api.event(event_id="c")])
    assert answer["code"] == 40002
    assert answer["message"] == message
    assert answer["data"] == {}
    assert api.diagnostics() == {}, "a rejected request must not ingest its valid events"


TOP_CASES: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (lambda b: b.pop("event_source"), "Invalid value for event_source: field is required."),
    (
        lambda b: b.update(event_source="email"),
        "Invalid value for event_source: must be one of web, app, offline, crm.",
    ),
    (lambda b: b.pop("event_source_id"), "Invalid value for event_source_id: not a valid string."),
    (
        lambda b: b.update(event_source_id=123),
        "Invalid value for event_source_id: not a valid string.",
    ),
    (lambda b: b.pop("data"), "Invalid value for data: not a valid list."),
    (lambda b: b.update(data={"event": "x"}), "Invalid value for data: not a valid list."),
    (lambda b: b.update(data=[]), "Invalid value for data: must contain at least 1 event."),
    (lambda b: b.update(data=["x"]), "Invalid value for data.0: not a valid object."),
    (
        lambda b: b.update(test_event_code=1),
        "Invalid value for test_event_code: not a valid string.",
    ),
    (lambda b: b.update(partner_name=[]), "Invalid value for partner_name: not a valid string."),
]


@pytest.mark.parametrize(("mutate", "message"), TOP_CASES, ids=[c[1] for c in TOP_CASES])
def test_top_level_rules(api: Any, mutate: Callable[[dict[str, Any]], None], message: str) -> None:
    body = {"event_source": "web", "event_source_id": PIXEL, "data": [api.event()]}
    mutate(body)
    answer = api.post(TRACK, body)
    assert (answer["code"], answer["message"]) == (40002, message)


def test_body_that_is_not_json_is_a_40002(client: Any) -> None:
    response = client.post(TRACK, content=b"{not json")
    assert response.status_code == 200
    assert response.json()["code"] == 40002


def test_more_than_1000_events_rejects_the_whole_request(api: Any) -> None:
    events = [api.event(event_id=f"o{i}") for i in range(1001)]
    answer = api.track(events)
    assert answer["code"] == 40002
    assert answer["message"] == "Invalid value for data: at most 1000 events per request, got 1001."
    assert api.diagnostics() == {}


def test_exactly_1000_events_are_accepted(api: Any) -> None:
    events = [api.event(event_id=f"o{i}") for i in range(1000)]
    assert api.track(events)["code"] == 0
    assert api.diagnostics()["Purchase"]["total_received"] == 1000


def test_success_envelope(api: Any) -> None:
    answer = api.track([api.event()])
    assert answer["code"] == 0
    assert answer["message"] == "OK"
    assert answer["data"] == {}
    assert len(answer["request_id"]) == 34
    assert answer["request_id"][:14] == "20260302120000"


def test_offline_accepts_only_standard_events(api: Any) -> None:
    ok = api.event("Purchase", page=None)
    assert api.track([ok], source="offline", source_id=OFFLINE)["code"] == 0
    custom = api.event("LoyaltySignup")
    answer = api.track([ok, custom], source="offline", source_id=OFFLINE)
    assert answer["code"] == 40002
    assert answer["message"] == (
        "Invalid value for data.1.event: "
        "offline events must be standard events, got 'LoyaltySignup'."
    )


def test_offline_events_older_than_28_days_are_refused(api: Any, clock: Any) -> None:
    old = api.event(event_time=clock.unix - 29 * 86400)
    answer = api.track([old], source="offline", source_id=OFFLINE)
    assert answer["code"] == 40002
    assert "within the last 28 days" in answer["message"]
    recent = api.event(event_time=clock.unix - 27 * 86400)
    assert api.track([recent], source="offline", source_id=OFFLINE)["code"] == 0


def test_web_accepts_custom_and_legacy_event_names(api: Any) -> None:
    events = [api.event("CompletePayment", event_id="1"), api.event("MyCustom", event_id="2")]
    assert api.track(events)["code"] == 0


def test_crm_requires_lead_id(api: Any) -> None:
    ev = api.event("Lead", page=None)
    answer = api.track([ev], source="crm", source_id=CRM)
    assert answer["message"] == "Invalid value for data.0.lead: field is required for crm events."
    ev["lead"] = {"lead_event_source": "HubSpot"}
    answer = api.track([ev], source="crm", source_id=CRM)
    assert answer["message"] == (
        "Invalid value for data.0.lead.lead_id: field is required for crm events."
    )
    ev["lead"]["lead_id"] = "7000000000001"
    assert api.track([ev], source="crm", source_id=CRM)["code"] == 0


def test_app_events_need_the_allowlist_then_app_id(clock: Any, token: str) -> None:
    from tokops.sandbox.settings import DEFAULT_APP_ID

    body = {
        "event_source": "app",
        "event_source_id": DEFAULT_APP_ID,
        "data": [{"event": "InstallApp", "event_time": clock.unix}],
    }
    plain = Sandbox(SandboxSettings(access_tokens=(token,)), now=clock)
    answer = plain.handle("POST", TRACK, {"Access-Token": token}, {}, orjson.dumps(body)).json()
    assert answer["code"] == 40118
    allowed = Sandbox(
        SandboxSettings(access_tokens=(token,), app_events_allowlisted=True), now=clock
    )
    answer = allowed.handle("POST", TRACK, {"Access-Token": token}, {}, orjson.dumps(body)).json()
    assert answer["message"] == "Invalid value for data.0.app: field is required for app events."
    body["data"][0]["app"] = {"app_id": "343200656"}
    answer = allowed.handle("POST", TRACK, {"Access-Token": token}, {}, orjson.dumps(body)).json()
    assert answer["code"] == 0


def test_user_ids_accept_string_or_list_and_flag_unhashed_values(api: Any) -> None:
    events = [
        api.event(event_id="1", user={"email": "alice@example.com"}),
        api.event(event_id="2", user={"email": ["a" * 64], "phone": "b" * 64}),
        api.event(event_id="3", user={"phone": ["+12133734253"]}),
        api.event(event_id="4", user={"external_id": ["c" * 64, "d" * 64]}),
    ]
    assert api.track(events)["code"] == 0
    report = api.diagnostics()["Purchase"]
    assert report["not_hashed"] == {"email": 0.5, "phone": 0.5}
    assert report["match_key_coverage"]["email"] == 0.5
    assert report["match_key_coverage"]["external_id"] == 0.25


def test_hash_of_empty_string_is_flagged_and_not_a_match_key(api: Any) -> None:
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert api.track([api.event(user={"email": empty})])["code"] == 0
    report = api.diagnostics()["Purchase"]
    assert report["empty_string_hashes"] == 1
    assert report["match_key_coverage"]["email"] == 0.0


def test_event_id_empty_string_counts_as_absent(api: Any) -> None:
    api.track([api.event(event_id="")])
    api.track([api.event(event_id="")])
    assert api.diagnostics()["Purchase"]["deduplication"] == {"kept": 2, "merged": 0, "dropped": 0}


def test_unknown_fields_and_custom_properties_are_accepted(api: Any) -> None:
    ev = api.event(device={"platform": "iOS"})
    ev["properties"].update(checkin_date="2026-04-01", mileage={"value": 5, "unit": "km"})
    assert api.track([ev], partner_name="tokops", test_event_code=None)["code"] == 0


# -- property tests -----------------------------------------------------------------------------

hex64 = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
name = st.one_of(
    st.sampled_from(["Purchase", "AddToCart", "ViewContent", "Lead"]),
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=20),
)
money = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
)
content = st.fixed_dictionaries(
    {"content_id": st.text(max_size=12)},
    optional={"price": money, "quantity": st.integers(0, 100), "content_name": st.text(max_size=8)},
)
web_event = st.fixed_dictionaries(
    {
        "event": name,
        "event_time": st.integers(min_value=1_600_000_000, max_value=NOW),
        "page": st.fixed_dictionaries({"url": st.text(min_size=1, max_size=40)}),
    },
    optional={
        "event_id": st.text(max_size=30),
        "user": st.fixed_dictionaries(
            {},
            optional={
                "email": st.one_of(hex64, st.lists(hex64, max_size=3)),
                "phone": st.one_of(hex64, st.lists(hex64, max_size=2)),
                "external_id": st.lists(hex64, max_size=2),
                "ttclid": st.text(max_size=20),
                "ttp": st.text(max_size=27),
                "ip": st.ip_addresses().map(str),
                "user_agent": st.text(max_size=40),
            },
        ),
        "properties": st.fixed_dictionaries(
            {},
            optional={
                "currency": st.sampled_from(["USD", "EUR", "JPY", "BRL"]),
                "value": money,
                "contents": st.lists(content, max_size=3),
                "content_ids": st.lists(st.text(max_size=8), max_size=3),
                "num_items": st.integers(0, 50),
            },
        ),
        "limited_data_use": st.booleans(),
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(web_event, min_size=1, max_size=5))
def test_any_valid_generated_web_event_is_accepted(
    events: list[dict[str, Any]], token: str
) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=(token,)))
    body = orjson.dumps({"event_source": "web", "event_source_id": PIXEL, "data": events})
    answer = sandbox.handle("POST", TRACK, {"Access-Token": token}, {}, body).json()
    assert answer["code"] == 0, answer["message"]
    assert sandbox.diagnostics(PIXEL)["total_received"] == len(events)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=st.lists(web_event, min_size=1, max_size=4),
    index=st.integers(0, 3),
    bad=st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(-1000, 1000), max_size=2),
    ),
)
def test_any_non_string_event_id_is_rejected_with_its_index(
    events: list[dict[str, Any]], index: int, bad: Any, token: str
) -> None:
    index %= len(events)
    events[index]["event_id"] = bad
    sandbox = Sandbox(SandboxSettings(access_tokens=(token,)))
    body = orjson.dumps({"event_source": "web", "event_source_id": PIXEL, "data": events})
    answer = sandbox.handle("POST", TRACK, {"Access-Token": token}, {}, body).json()
    assert answer["code"] == 40002
    assert answer["message"] == f"Invalid value for data.{index}.event_id: not a valid string."
