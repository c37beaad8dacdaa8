"""Names beside IDs in KPI roll-ups, on DuckDB and PostgreSQL (KPI-1, BYD-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from tokops.metrics.compute import compute_kpis
from tokops.metrics.export import to_csv, to_records
from tokops.metrics.names import entity_names, with_names
from tokops.warehouse import Store

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]
DAY = dt.date(2024, 5, 1)
HOSTILE = '=HYPERLINK("http://x")[red]\x1b[2J'


def _ad(ad: str, campaign: str, spend: str) -> dict[str, Any]:
    return {"advertiser_id": "adv1", "campaign_id": campaign, "adgroup_id": f"{campaign}g",
            "ad_id": ad, "stat_date": DAY, "currency": "USD", "spend": Decimal(spend)}  # fmt: skip


def _load(store: Store, load: Loader) -> None:
    load(store, "ad_daily", [_ad("a1", "c1", "1.00"), _ad("a2", "c1", "2.00"),
                             _ad("a3", "c2", "4.00"), _ad("a4", "c3", "8.00")])  # fmt: skip
    load(store, "advertisers", [{"advertiser_id": "adv1", "name": "Maison Lumière — FR"}])
    load(store, "campaigns", [
        {"advertiser_id": "adv1", "campaign_id": "c1", "campaign_name": "Spring, \"sale\""},
        {"advertiser_id": "adv1", "campaign_id": "c2", "campaign_name": HOSTILE},
    ])  # fmt: skip
    load(store, "ads", [{"advertiser_id": "adv1", "campaign_id": "c1", "adgroup_id": "c1g",
                         "ad_id": "a1", "ad_name": "Unboxing v2"}])  # fmt: skip


def test_names_sit_beside_their_ids(any_store: Store, load: Loader) -> None:
    _load(any_store, load)
    table = with_names(any_store, compute_kpis(any_store, "advertiser,campaign", kpis="spend"))
    assert list(table.units) == [
        "advertiser_id", "advertiser_name", "campaign_id", "campaign_name", "currency", "spend"
    ]  # fmt: skip
    got = [(r["campaign_id"], r["campaign_name"], r["spend"]) for r in table.rows]
    assert got == [("c1", 'Spring, "sale"', Decimal(3)), ("c2", HOSTILE, Decimal(4)),
                   ("c3", None, Decimal(8))]  # fmt: skip  # c3 has no stored name
    assert {r["advertiser_name"] for r in table.rows} == {"Maison Lumière — FR"}
    records = to_records(table)
    assert records[1]["campaign_name"] == HOSTILE  # JSON keeps the name as it is


def test_csv_quotes_names_and_defuses_formulas(any_store: Store, load: Loader) -> None:
    _load(any_store, load)
    text = to_csv(with_names(any_store, compute_kpis(any_store, "campaign", kpis="spend")))
    lines = text.splitlines()
    assert lines[0] == "campaign_id,campaign_name,currency,spend"
    assert lines[1] == 'c1,"Spring, ""sale""",USD,3.00'
    assert lines[2].startswith("c2,\"'=HYPERLINK(") and lines[3] == "c3,,USD,8.00"


def test_entity_names_without_object_tables_or_ids(any_store: Store, load: Loader) -> None:
    assert entity_names(any_store, "campaign_id", ["c1"]) == {}  # nothing synced yet
    _load(any_store, load)
    assert entity_names(any_store, "ad_id", ["a1", "a2", None]) == {"a1": "Unboxing v2"}
    assert entity_names(any_store, "campaign_id", []) == {}
    day = with_names(any_store, compute_kpis(any_store, "day", kpis="spend"))
    assert "campaign_name" not in day.units and day.names == ()
