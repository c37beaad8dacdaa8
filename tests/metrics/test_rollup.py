"""``ad_monthly``: KPIs read through it equal the ``ad_daily`` answer; a stale one is ignored."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from tokops.metrics import compute
from tokops.metrics.compute import KpiTable, compute_kpis
from tokops.metrics.rollup import monthly_source
from tokops.warehouse import Store
from tokops.warehouse.rollup import is_fresh, refresh_ad_monthly
from tokops.warehouse.schema import AD_MONTHLY

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]
FIRST, LAST = dt.date(2024, 1, 11), dt.date(2024, 5, 20)
SYNCED = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
GRAINS = ("", "ad", "campaign,month", "advertiser", "month", "adgroup,currency")


def _maybe(rng: random.Random, value: Any) -> Any:
    return None if rng.random() < 0.1 else value


def random_rows(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows: dict[tuple[str, dt.date], dict[str, Any]] = {}
    span = (LAST - FIRST).days
    for _ in range(n):
        a = rng.randrange(12)
        adv = f"adv{a % 3}"
        day = FIRST + dt.timedelta(days=rng.randrange(span + 1))
        rows[(f"ad{a}", day)] = {
            "advertiser_id": adv,
            "campaign_id": f"c{a % 4}",
            "adgroup_id": f"g{a % 6}",
            "ad_id": f"ad{a}",
            "stat_date": day,
            "currency": "EUR" if adv == "adv2" else "USD",
            "spend": _maybe(rng, Decimal(rng.randrange(100_000)) / 100),
            "impressions": rng.randrange(10_000),
            "clicks": _maybe(rng, rng.randrange(200)),
            "conversion": rng.randrange(20),
            "reach": rng.randrange(5_000),
            "total_complete_payment_rate": Decimal(rng.randrange(50_000)) / 100,
            "video_play_actions": _maybe(rng, rng.randrange(3_000)),
            "average_video_play": _maybe(rng, Decimal(rng.randrange(200_000)) / 10_000),
            "video_views_p100": rng.randrange(300),
            "likes": rng.randrange(50),
            "engagements": rng.randrange(400),
            "synced_at": SYNCED,
        }
    return list(rows.values())


def random_window(rng: random.Random) -> tuple[dt.date | None, dt.date | None]:
    def day() -> dt.date:
        return FIRST + dt.timedelta(days=rng.randrange(-20, (LAST - FIRST).days + 20))

    start, end = sorted((day(), day()))
    edge = rng.random()
    if edge < 0.15:
        return None, end
    if edge < 0.3:
        return start, None
    if edge < 0.4:  # whole months exactly
        return start.replace(day=1), end.replace(day=1) - dt.timedelta(days=1)
    return start, end


def same(a: KpiTable, b: KpiTable) -> None:
    assert a.keys == b.keys
    assert a.rows == b.rows
    assert a.totals == b.totals


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each compute_kpis call was answered through ad_monthly."""
    used: list[bool] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rows = monthly_source(*args, **kwargs)
        used.append(rows is not None)
        return rows

    monkeypatch.setattr(compute, "monthly_source", wrapper)
    return used


@pytest.mark.parametrize("seed", [1, 2])
def test_kpis_through_ad_monthly_equal_the_ad_daily_path(
    any_store: Store, load: Loader, spy: list[bool], seed: int
) -> None:
    rng = random.Random(seed)
    load(any_store, "ad_daily", random_rows(rng, 400))
    cases = [(g, *random_window(rng)) for g in GRAINS for _ in range(4)]
    cases += [(g, None, None) for g in GRAINS]
    daily = [compute_kpis(any_store, g, start=s, end=e) for g, s, e in cases]
    assert not any(spy)  # no ad_monthly yet: every answer came from ad_daily
    assert refresh_ad_monthly(any_store) > 0
    spy.clear()
    for (grain, start, end), expected in zip(cases, daily, strict=True):
        got = compute_kpis(any_store, grain, start=start, end=end)
        same(got, expected)
    assert sum(spy) >= len(GRAINS)  # the whole-table cases at least went through ad_monthly
    assert any(r["spend"] for t in daily for r in t.rows)  # the data is not all empty


def test_an_advertiser_filter_applies_to_both_parts(
    any_store: Store, load: Loader, spy: list[bool]
) -> None:
    load(any_store, "ad_daily", random_rows(random.Random(7), 300))
    start, end = dt.date(2024, 1, 20), dt.date(2024, 4, 10)
    expected = compute_kpis(any_store, "ad", advertiser_ids=["adv1"], start=start, end=end)
    refresh_ad_monthly(any_store)
    got = compute_kpis(any_store, "ad", advertiser_ids=["adv1"], start=start, end=end)
    assert spy == [False, True]
    same(got, expected)
    assert {r["ad_id"] for r in got.rows} == {f"ad{a}" for a in range(12) if a % 3 == 1}


def test_a_stale_rollup_is_ignored(any_store: Store, load: Loader, spy: list[bool]) -> None:
    rows = random_rows(random.Random(3), 200)
    load(any_store, "ad_daily", rows)
    refresh_ad_monthly(any_store)
    assert is_fresh(any_store)
    before = compute_kpis(any_store, "ad", kpis="spend,impressions")
    # a restatement of one row in place (same row count, later synced_at)
    later = SYNCED + dt.timedelta(hours=1)
    any_store.execute(
        "UPDATE ad_daily SET impressions = impressions + 1000, synced_at = "
        + ("?" if any_store.engine == "duckdb" else "%s")
        + " WHERE ad_id = 'ad0' AND stat_date = (SELECT min(stat_date) FROM ad_daily "
        "WHERE ad_id = 'ad0')",
        [later],
    )
    assert not is_fresh(any_store)
    after = compute_kpis(any_store, "ad", kpis="spend,impressions")
    assert spy == [True, False]
    changed = {r["ad_id"]: r["impressions"] for r in after.rows}
    assert changed["ad0"] == {r["ad_id"]: r["impressions"] for r in before.rows}["ad0"] + 1000
    # a new row with the same synced_at (count changes) is noticed too
    refresh_ad_monthly(any_store)
    assert is_fresh(any_store)
    extra = dict(rows[0], ad_id="ad99", stat_date=dt.date(2024, 2, 2))
    load(any_store, "ad_daily", [extra])
    assert not is_fresh(any_store)
    assert "ad99" in {r["ad_id"] for r in compute_kpis(any_store, "ad").rows}


def test_refreshing_one_advertiser_replaces_only_its_months(any_store: Store, load: Loader) -> None:
    load(any_store, "ad_daily", random_rows(random.Random(5), 200))
    refresh_ad_monthly(any_store)
    later = SYNCED + dt.timedelta(days=1)
    mark = "?" if any_store.engine == "duckdb" else "%s"
    any_store.execute(
        f"UPDATE ad_daily SET spend = 1, synced_at = {mark} WHERE advertiser_id = 'adv1'", [later]
    )
    expected = compute_kpis(any_store, "advertiser,month", kpis="spend")
    written = refresh_ad_monthly(any_store, ["adv1"])
    assert is_fresh(any_store)
    monthly = any_store.table(AD_MONTHLY.name)
    adv1 = any_store.fetch(monthly.filter(monthly.advertiser_id == "adv1").count().as_table())
    assert written == adv1.column(0)[0].as_py() > 0
    got = compute_kpis(any_store, "advertiser,month", kpis="spend")
    same(got, expected)
    days = any_store.fetch(monthly.days.sum().as_table()).column(0)[0].as_py()
    source = any_store.table("ad_daily").count().as_table()
    assert days == any_store.fetch(source).column(0)[0].as_py()
