"""Event JSON built by the engine (spec §1.3–1.5): shapes, types, escaping, content ids — and the
same text on DuckDB and PostgreSQL (BYD-2)."""

from __future__ import annotations

import json
from typing import Any

import ibis
import orjson
import pyarrow as pa

from tokops.activate.payload import EncodedEvents, match_flags, with_event_json
from tokops.activate.prepare import content_id_list, content_ids_json
from tokops.tiktok.events import build_track_body, encode_event
from tokops.warehouse import Store

H = "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f"


def encoded(store: Store, data: dict[str, Any]) -> EncodedEvents:
    n = len(next(iter(data.values())))
    t = ibis.memtable(pa.table({**data, "__i": list(range(n))}))
    rows = store.fetch(with_event_json(store, t).order_by("__i"))
    return EncodedEvents(rows.column("_json"))


def events(store: Store, data: dict[str, Any]) -> list[dict[str, Any]]:
    enc = encoded(store, data)
    return [enc.event(i) for i in range(len(enc))]


def test_web_event_shape(any_store: Store) -> None:
    (event,) = events(
        any_store,
        {
            "event": ["Purchase"],
            "event_time": pa.array([1704721970], pa.int64()),
            "event_id": ["o1"],
            "email": [H],
            "phone": pa.array([None], pa.string()),
            "ip": ["203.0.113.8"],
            "user_agent": ["UA"],
            "url": ["https://s/thanks"],
            "referrer": pa.array([None], pa.string()),
            "value": [0.0],
            "currency": ["USD"],
            "content_ids": pa.array([["1077218", "42"]]),
            "order_id": ["o1"],
        },
    )
    assert event == {
        "event": "Purchase",
        "event_time": 1704721970,
        "event_id": "o1",
        "user": {"email": H, "ip": "203.0.113.8", "user_agent": "UA"},
        "properties": {
            "value": 0.0,  # zero is sent, not dropped
            "currency": "USD",
            "order_id": "o1",
            "content_ids": ["1077218", "42"],
            "content_type": "product",
        },
        "page": {"url": "https://s/thanks"},
    }


def test_engine_text_is_the_clients_python_encoding_byte_for_byte(any_store: Store) -> None:
    """One wire declaration, two encoders: the engine's ``_json`` equals
    :func:`tokops.tiktok.events.encode_event` of the same values (EVT-1, BYD-2): byte for byte
    on DuckDB; PostgreSQL writes a whole float without ``.0`` (the same JSON number)."""
    data: dict[str, Any] = {
        "event": ["Purchase", "Lead", 'q"\\✓'],
        "event_time": pa.array([1704721970, 1, 2], pa.int64()),
        "event_id": ["o1", "L1", "x\n"],
        "email": pa.array([H, None, H], pa.string()),
        "ttp": pa.array([None, None, "2F7h"], pa.string()),
        "ip": pa.array(["203.0.113.8", None, None], pa.string()),
        "user_agent": pa.array(["UA", None, None], pa.string()),
        "url": pa.array(["https://s/thanks", None, "https://s/?a=1&b=é"], pa.string()),
        "value": pa.array([19.99, None, 7.0], pa.float64()),
        "num_items": pa.array([2, None, None], pa.int64()),
        "currency": pa.array(["USD", None, "EUR"], pa.string()),
        "content_ids": pa.array([["1077218", "42"], None, ["a"]]),
        "lead_id": pa.array([None, "7000", None], pa.string()),
    }
    enc = encoded(any_store, data)
    records = [{k: data[k][i] for k in data} for i in range(3)]
    python = [
        encode_event({k: v.as_py() if isinstance(v, pa.Scalar) else v for k, v in r.items()})
        for r in records
    ]
    assert [orjson.loads(e) for e in enc.to_list()] == [orjson.loads(e) for e in python]
    if any_store.engine == "duckdb":
        assert enc.to_list() == python
    else:
        assert enc.to_list()[:2] == python[:2]  # no whole float in these rows


def test_crm_event_has_a_lead_and_empty_groups_are_omitted(duck_store: Store) -> None:
    (event,) = events(
        duck_store,
        {
            "event": ["Lead"],
            "event_time": [1],
            "event_id": ["L1"],
            "email": pa.array([None], pa.string()),
            "lead_id": ["7000"],
            "lead_event_source": ["HubSpot"],
        },
    )
    assert event == {
        "event": "Lead",
        "event_time": 1,
        "event_id": "L1",
        "lead": {"lead_id": "7000", "lead_event_source": "HubSpot"},
    }


def test_strings_are_escaped_exactly_like_json(any_store: Store) -> None:
    hostile = ['quote " and \\ backslash', "tab\tnew\nline\x01ctl", "unicode ✓ 🙂 \u2028"]
    got = events(
        any_store,
        {"event": hostile, "event_time": [1, 2, 3], "event_id": hostile, "url": hostile},
    )
    assert [e["event"] for e in got] == hostile
    assert [e["page"]["url"] for e in got] == hostile


CONTENT_IDS: list[tuple[Any, list[str] | None]] = [
    ('["a","b"]', ["a", "b"]),
    ("['a', 'b']", ["a", "b"]),
    ("a, b ,,c", ["a", "b", "c"]),
    ("[1077218, 42]", ["1077218", "42"]),
    ("  ", None),
    ("[]", None),
    (None, None),
]


def test_content_ids_from_text_in_the_engine(any_store: Store) -> None:
    raw = [r for r, _ in CONTENT_IDS]
    t = ibis.memtable(pa.table({"i": list(range(len(raw))), "s": pa.array(raw, pa.string())}))
    got = any_store.fetch(t.select(t.i, ids=content_id_list(t.s)).order_by("i"))
    assert got.column("ids").to_pylist() == [ids for _, ids in CONTENT_IDS]


def test_content_ids_json_equals_the_json_of_the_list(any_store: Store) -> None:
    """Plain comma-separated ids take a short path; its text is exactly the list's JSON."""
    raw = [r for r, _ in CONTENT_IDS] + ["SKU-1", "a,b", "x:1/2,y_3.4", "a,", ",a", "a,,b", "é,b"]
    t = ibis.memtable(pa.table({"i": list(range(len(raw))), "s": pa.array(raw, pa.string())}))
    both = t.select(
        t.i, fast=content_ids_json(any_store, t.s), slow=any_store.to_json(content_id_list(t.s))
    )
    got = any_store.fetch(both.order_by("i")).to_pylist()
    assert [r["fast"] for r in got] == [r["slow"] for r in got]
    assert got[len(CONTENT_IDS)]["fast"] == '["SKU-1"]'
    assert [json.loads(r["fast"]) if r["fast"] else None for r in got[: len(CONTENT_IDS)]] == [
        ids for _, ids in CONTENT_IDS
    ]


def test_content_ids_from_a_list_column(duck_store: Store) -> None:
    t = ibis.memtable(pa.table({"l": pa.array([[" a ", "", "b"], [], None])}))
    got = duck_store.fetch(t.select(ids=content_id_list(t.l))).column("ids").to_pylist()
    assert got == [["a", "b"], None, None]


def test_body_slices_are_valid_requests(duck_store: Store) -> None:
    enc = encoded(
        duck_store, {"event": ["A"] * 5, "event_time": [1] * 5, "event_id": list("abcde")}
    )
    part = enc.slice(1, 4)
    body = orjson.loads(build_track_body("web", "PIX", [part.joined(1, 3)], test_event_code="T1"))
    assert [e["event_id"] for e in body["data"]] == ["c", "d"]
    assert body["test_event_code"] == "T1" and "test_event_code" not in body["data"][0]
    assert [orjson.loads(e)["event_id"] for e in part.to_list()] == ["b", "c", "d"]
    both = EncodedEvents.concat([enc.slice(0, 2), enc.slice(3, 5)])
    assert [orjson.loads(e)["event_id"] for e in both.to_list()] == ["a", "b", "d", "e"]
    # a request spanning chunks is gathered from views of each, without copying them first
    assert len(both.views(1, 3)) == 2 and len(both.views(0, 2)) == 1 and both.views(2, 2) == []
    body = orjson.loads(build_track_body("web", "PIX", both.slice(1, 4).views()))
    assert [e["event_id"] for e in body["data"]] == ["b", "d", "e"]
    assert both.joined(1, 3) == enc.joined(1, 2) + b"," + enc.joined(3, 4)


def test_match_flags(any_store: Store) -> None:
    t = ibis.memtable(
        pa.table(
            {
                "email": [H, None],
                "ip": ["1", "1"],
                "user_agent": pa.array([None, "u"], pa.string()),
                "__i": [0, 1],
            }
        )
    )
    flags = any_store.fetch(t.select("__i", **match_flags(t)).order_by("__i"))
    assert flags.column("has_email").to_pylist() == [True, False]
    assert flags.column("has_ip_ua").to_pylist() == [False, True]
    assert flags.column("has_phone").to_pylist() == [False, False]
