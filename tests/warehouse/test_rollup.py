"""The ``ad_monthly`` refresh lives beside the schema and builds the table it declares (KPI-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from tokops.ingest import declare_tables
from tokops.warehouse import Store
from tokops.warehouse.rollup import is_fresh, refresh_ad_monthly
from tokops.warehouse.schema import AD_DAILY, AD_MONTHLY, ROLLUP_STATE

SYNCED = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def _rows() -> pa.Table:
    base = {"advertiser_id": "a", "campaign_id": "c", "adgroup_id": "g", "currency": "USD"}
    rows = [
        {**base, "ad_id": "x", "stat_date": dt.date(2024, 1, 3), "spend": Decimal("1.25")},
        {**base, "ad_id": "x", "stat_date": dt.date(2024, 1, 30), "spend": Decimal("2.50")},
        {**base, "ad_id": "x", "stat_date": dt.date(2024, 2, 1), "spend": Decimal("4.00")},
    ]
    names = [*rows[0], "impressions", "synced_at"]
    full = [{**r, "impressions": 10, "synced_at": SYNCED} for r in rows]
    return pa.Table.from_pylist(full, schema=AD_DAILY.arrow_schema(names))


def test_the_refresh_builds_the_declared_table_and_records_its_freshness(
    any_store: Store,
) -> None:
    assert refresh_ad_monthly(any_store) == 0  # nothing synced yet
    declare_tables(any_store)
    any_store.insert(AD_DAILY.name, _rows())
    assert not is_fresh(any_store)
    assert refresh_ad_monthly(any_store) == 2
    assert is_fresh(any_store)
    monthly = any_store.table(AD_MONTHLY.name)
    assert list(monthly.columns) == list(AD_MONTHLY.names)
    spend = monthly.schema()["spend"]
    assert (spend.precision, spend.scale) == (18, 2)
    got = any_store.fetch(monthly.order_by("month").select("month", "days", "spend", "impressions"))
    assert got.to_pylist() == [
        {"month": dt.date(2024, 1, 1), "days": 2, "spend": Decimal("3.75"), "impressions": 20},
        {"month": dt.date(2024, 2, 1), "days": 1, "spend": Decimal("4.00"), "impressions": 10},
    ]
    assert any_store.exists(ROLLUP_STATE.name)
    any_store.insert(AD_DAILY.name, _rows().slice(0, 1))
    assert not is_fresh(any_store)  # ad_daily changed since: KPIs read the days again
