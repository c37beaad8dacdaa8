"""Every row is validated in the engine; each rejected row gets one fixed reason (EVT-1, EVT-9)."""

from __future__ import annotations

from typing import Any

import pytest

from tokops.activate.mapping import FieldMapping
from tokops.activate.validate import Reason
from tokops.warehouse import Store

from .conftest import NOW_S, prepared_rows

GOOD_WEB: dict[str, Any] = {
    "event": "Purchase",
    "event_time": str(NOW_S - 60),
    "email": "bob@example.com",
    "phone": "+12133734253",
    "value": "10.5",
    "currency": "usd",
    "num_items": "2",
    "url": "https://shop.example/thanks",
    "event_id": "e1",
}

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("web", {}, ""),
    ("web", {"event": "  "}, Reason.MISSING_EVENT),
    ("web", {"event_time": ""}, Reason.MISSING_TIME),
    ("web", {"event_time": "last tuesday"}, Reason.BAD_TIME),
    ("web", {"event_time": str(NOW_S + 3600)}, Reason.FUTURE_TIME),
    ("web", {"event_time": str(NOW_S + 120)}, ""),  # within the allowed clock skew
    ("web", {"event_time": str(NOW_S - 8 * 86400)}, Reason.too_old(7)),
    ("web", {"email": "bob(at)example.com"}, Reason.BAD_EMAIL),
    ("web", {"phone": "call me", "email": ""}, Reason.BAD_PHONE),  # no other match key
    ("web", {"phone": "call me"}, ""),  # the email remains: the phone is dropped, the row kept
    ("web", {"currency": "DOGE"}, Reason.BAD_CURRENCY),
    ("web", {"value": "$10"}, Reason.BAD_VALUE),
    ("web", {"value": "-3"}, Reason.NEGATIVE_VALUE),
    ("web", {"num_items": "2.5"}, Reason.BAD_NUM_ITEMS),
    ("web", {"url": ""}, Reason.WEB_WITHOUT_URL),
    ("offline", {"event": "ClickButton"}, Reason.NOT_STANDARD_EVENT),
    ("offline", {"email": "", "phone": ""}, Reason.OFFLINE_WITHOUT_KEY),
    ("offline", {"phone": "call me"}, ""),  # kept on its email, the phone dropped
    ("offline", {"phone": "call me", "email": ""}, Reason.BAD_PHONE),
    ("offline", {"event_time": str(NOW_S - 29 * 86400)}, Reason.too_old(28)),
    ("offline", {"event_time": str(NOW_S - 27 * 86400)}, ""),
    ("crm", {"lead_id": ""}, Reason.CRM_WITHOUT_LEAD),
    ("crm", {}, ""),
]


@pytest.fixture(scope="module")
def reasons_by_case() -> dict[int, str]:
    """All cases of one event source prepared in one engine query (one compile per source)."""
    from tokops.warehouse import connect

    store = connect("duckdb://")
    out: dict[int, str] = {}
    for source in ("web", "offline", "crm"):
        idx = [i for i, case in enumerate(CASES) if case[0] == source]
        rows = []
        for i in idx:
            row = {**GOOD_WEB, "lead_id": "L1", **CASES[i][1], "event_id": f"e{i}"}
            if source != "crm":
                row.pop("lead_id")
            rows.append(row)
        data = {k: [r[k] for r in rows] for k in rows[0]}
        for i, got in zip(idx, prepared_rows(store, data, event_source=source), strict=True):
            out[i] = got["_reason"] or ""
    store.close()
    return out


@pytest.mark.parametrize("case", range(len(CASES)), ids=[c[2] or f"valid-{c[0]}" for c in CASES])
def test_each_reason(reasons_by_case: dict[int, str], case: int) -> None:
    assert reasons_by_case[case] == CASES[case][2]


def test_reasons_never_contain_the_raw_value(duck_store: Store) -> None:
    secret = "secret.person@example"
    rows = prepared_rows(duck_store, {**{k: [v] for k, v in GOOD_WEB.items()}, "email": [secret]})
    assert rows[0]["_reason"] == Reason.BAD_EMAIL
    assert secret not in str(rows[0])


def test_first_failing_check_wins(duck_store: Store) -> None:
    data = {**{k: [v] for k, v in GOOD_WEB.items()}, "event": [""], "value": ["x"]}
    assert prepared_rows(duck_store, data)[0]["_reason"] == Reason.MISSING_EVENT


def test_max_age_is_configurable_for_web_and_crm(duck_store: Store) -> None:
    data = {**{k: [v] for k, v in GOOD_WEB.items()}, "event_time": [str(NOW_S - 20 * 86400)]}
    assert prepared_rows(duck_store, data, max_age_days=30)[0]["_reason"] is None
    assert prepared_rows(duck_store, data, max_age_days=7)[0]["_reason"] == Reason.too_old(7)


def test_constants_and_mapping(duck_store: Store) -> None:
    data = {"created_at": ["2024-01-08T13:00:00Z"], "mail": ["A@B.co"], "page": ["https://x"]}
    mapping = FieldMapping(
        columns={"event_time": "created_at", "email": "mail", "url": "page"},
        constants={"event": "Purchase", "currency": "EUR"},
    )
    row = prepared_rows(duck_store, data, mapping=mapping)[0]
    assert row["_reason"] is None
    assert (row["event"], row["currency"], row["event_time"]) == ("Purchase", "EUR", 1704718800)


def test_wrong_types_are_rejected_not_crashed(any_store: Store) -> None:
    data: dict[str, Any] = {
        "event": ["Purchase", "Purchase"],
        "event_time": [NOW_S - 5, NOW_S - 5],  # native integers
        "value": [12.5, float("nan")],  # native floats, one NaN
        "num_items": [3, -1],
        "external_id": [12345, 67890],  # numbers as ids
        "url": ["https://x", "https://x"],
    }
    rows = prepared_rows(any_store, data)
    assert rows[0]["_reason"] is None and rows[0]["value"] == 12.5 and rows[0]["num_items"] == 3
    assert rows[1]["_reason"] == Reason.BAD_VALUE
    assert rows[0]["external_id"] is not None and len(rows[0]["external_id"]) == 64


def test_hostile_strings_stay_data(any_store: Store) -> None:
    hostile = ["Robert'); DROP TABLE events_ledger;--", 'a"b\nc', "漢字🙂"]
    data = {
        "event": hostile,
        "event_time": [str(NOW_S - 1)] * 3,
        "url": hostile,
        "event_id": hostile,
    }
    rows = prepared_rows(any_store, data)
    assert [r["event"] for r in rows] == [h.strip() for h in hostile]
    assert all(r["_reason"] is None for r in rows)
