"""Event ids: given, else order_id, else derived; stable across runs, formats, engines (EVT-7)."""

from __future__ import annotations

import hashlib
from typing import Any

from tokops.activate.prepare import DERIVED_ID_PREFIX
from tokops.tiktok import hashing
from tokops.warehouse import Store

from .conftest import NOW_S, prepared_rows

T = NOW_S - 3600


def _data(**extra: list[Any]) -> dict[str, list[Any]]:
    base: dict[str, list[Any]] = {
        "event": ["Purchase", "Purchase", "Lead"],
        "event_time": [str(T), "x", str(T)],
        "email": ["Bob@Example.com", "a@b.co", None],
        "url": ["https://s/1", "https://s/2", "https://s/3"],
    }
    base.update(extra)
    return base


def expected_derived(event: str, when: int, email: str | None) -> str:
    parts = [DERIVED_ID_PREFIX, event, str(when), hashing.hash_email(email) or "", "", ""]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def test_derived_id_is_documented_formula(duck_store: Store) -> None:
    rows = prepared_rows(duck_store, _data())
    assert rows[0]["event_id"] == expected_derived("Purchase", T, "Bob@Example.com")
    assert rows[1]["event_id"] is None  # no time: nothing stable to derive from (row invalid)
    assert rows[2]["event_id"] == expected_derived("Lead", T, None)


def test_derived_id_is_stable_across_runs_time_formats_and_engines(any_store: Store) -> None:
    iso = "2024-01-08T13:00:00Z"
    as_unix = {"event_time": ["1704718800", "1704718800000", iso]}  # s, ms, ISO: same instant
    first = prepared_rows(
        any_store, _data(**as_unix, event=["Purchase"] * 3, email=["Bob@x.co"] * 3)
    )
    again = prepared_rows(
        any_store, _data(**as_unix, event=["Purchase"] * 3, email=[" bob@X.CO "] * 3)
    )
    ids = {r["event_id"] for r in first + again}
    assert ids == {expected_derived("Purchase", 1704718800, "bob@x.co")}


def test_given_id_then_order_id(duck_store: Store) -> None:
    rows = prepared_rows(
        duck_store,
        _data(event_id=["given", None, " "], order_id=["o1", "o2", None], event_time=[str(T)] * 3),
    )
    assert [r["event_id"] for r in rows] == ["given", "o2", expected_derived("Lead", T, None)]


def test_numeric_ids_become_strings(duck_store: Store) -> None:
    rows = prepared_rows(duck_store, _data(event_id=[1, 2, 3], event_time=[str(T)] * 3))
    assert [r["event_id"] for r in rows] == ["1", "2", "3"]
