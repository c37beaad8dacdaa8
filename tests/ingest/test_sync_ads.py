"""``sync_ads`` against a fake API: totals, idempotent re-runs, restatement, time-zone days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tokops.ingest import AdsSyncOptions, sync_ads, sync_all
from tokops.warehouse import Store
from tokops.warehouse.rollup import is_fresh

SINCE = date(2024, 3, 1)


def query(store: Store, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a SQL query, through the engine's own driver (the same text on both engines)."""
    return [tuple(r) for r in store.con.con.execute(sql).fetchall()]


def run(store: Store, fake: Any, client: Any, **options: Any) -> Any:
    opts = AdsSyncOptions(**{"since": SINCE, "concurrency": 4, **options})
    return sync_ads(store, client, opts, now=lambda: fake.now)


def sums(store: Store, adv: str) -> tuple[Decimal, int, int]:
    got = query(
        store,
        f"SELECT sum(spend), sum(impressions), sum(conversion) FROM ad_daily "
        f"WHERE advertiser_id = '{adv}'",
    )
    return got[0]  # type: ignore[return-value]


def expected(fake: Any, adv: str) -> tuple[Decimal, int, int]:
    t = fake.totals(adv, SINCE, fake.local_today(adv))
    return Decimal(t["spend"]) / 100, t["impressions"], t["conversion"]


def test_sums_in_the_store_equal_the_api_totals(
    any_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    result = run(any_store, fake, make_client(fake))
    assert result.status == "ok", result.to_json()
    for adv in (fake.TOKYO, fake.LA):
        assert sums(any_store, adv) == expected(fake, adv)
        level = query(
            any_store, f"SELECT sum(spend) FROM campaign_daily WHERE advertiser_id = '{adv}'"
        )
        assert level[0][0] == expected(fake, adv)[0]
    keys = query(
        any_store,
        "SELECT count(*), count(DISTINCT advertiser_id || ad_id || "
        "CAST(stat_date AS VARCHAR)) FROM ad_daily",
    )
    assert keys[0][0] == keys[0][1] > 0


def test_rows_carry_the_hierarchy_currency_and_stay_null_for_refused_metrics(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    result = run(duck_store, fake, make_client(fake))
    ad = fake.ads[0]
    got = query(
        duck_store,
        f"SELECT campaign_id, adgroup_id, currency, onsite_shopping "
        f"FROM ad_daily WHERE ad_id = '{ad.ad_id}' LIMIT 1",
    )
    assert got == [(ad.campaign_id, ad.adgroup_id, "JPY", None)]
    assert "onsite_shopping" in result.dropped_metrics["ad_daily"]
    assert query(duck_store, "SELECT count(*) FROM ads WHERE is_spark")[0][0] == 12
    assert query(
        duck_store, f"SELECT timezone, currency FROM advertisers WHERE advertiser_id = '{fake.LA}'"
    ) == [("America/Los_Angeles", "USD")]
    skipped = {s.stream for s in result.streams if s.status == "skipped"}
    # the fake has no Shop, and no Shop credentials were given: skipped, not failed
    assert skipped == {"stores", "gmv_max_daily", "shop_products", "shop_orders"}


def test_a_rerun_adds_no_rows_and_corrects_restated_conversions(
    any_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    client = make_client(fake)
    run(any_store, fake, client)
    before = query(any_store, "SELECT count(*), sum(conversion) FROM ad_daily")[0]
    again = run(any_store, fake, client)
    assert query(any_store, "SELECT count(*), sum(conversion) FROM ad_daily")[0] == before
    daily_rows = sum(s.rows for s in again.streams if s.stream == "ad_daily")
    assert 0 < daily_rows < before[0]  # only the look-back was pulled again
    fake.now += timedelta(days=2)  # two days later: recent conversions were restated upwards
    run(any_store, fake, client, since=None)
    for adv in (fake.TOKYO, fake.LA):
        assert sums(any_store, adv) == expected(fake, adv)
    assert query(any_store, "SELECT sum(conversion) FROM ad_daily")[0][0] > before[1]


def test_ad_monthly_follows_every_sync_and_matches_ad_daily(
    any_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    """The KPI pre-aggregate is refreshed after the merge, also for a restatement (KPI-1)."""
    client = make_client(fake)
    monthly = "SELECT advertiser_id, sum(days), sum(conversions) FROM ad_monthly GROUP BY 1"
    daily = "SELECT advertiser_id, count(*), sum(conversion) FROM ad_daily GROUP BY 1"
    run(any_store, fake, client)
    assert is_fresh(any_store)
    first = sorted(query(any_store, monthly))
    assert first == sorted(query(any_store, daily)) and len(first) == 2
    fake.now += timedelta(days=2)  # restated conversions: same rows, new synced_at
    run(any_store, fake, client, since=None, advertiser_ids=(fake.TOKYO,))
    assert is_fresh(any_store)
    again = sorted(query(any_store, monthly))
    assert again == sorted(query(any_store, daily)) and again != first
    run(any_store, fake, client, streams=("campaign_daily",))  # ad_daily untouched: still fresh
    assert is_fresh(any_store)


def test_a_failed_roll_up_refresh_does_not_fail_the_sync(
    duck_store: Store, fake: Any, make_client: Callable[..., Any], monkeypatch: Any
) -> None:
    """The merged data stands; the roll-up is reported failed and KPIs read ad_daily."""

    def broken(*_: Any, **__: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr("tokops.ingest.sync.refresh_ad_monthly", broken)
    result = run(duck_store, fake, make_client(fake))
    assert result.status == "ok"
    (rollup,) = [s for s in result.streams if s.stream == "ad_monthly"]
    assert rollup.status == "failed" and rollup.error == "disk full"
    assert query(duck_store, "SELECT count(*) FROM ad_daily")[0][0] > 0
    assert not is_fresh(duck_store)


def test_report_days_are_the_advertisers_own_days(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    """At 2024-05-01 20:00 UTC it is already 2 May in Tokyo but still 1 May in Los Angeles."""
    run(duck_store, fake, make_client(fake), streams=("ad_daily",))
    last = dict(query(duck_store, "SELECT advertiser_id, max(stat_date) FROM ad_daily GROUP BY 1"))
    assert last == {fake.TOKYO: date(2024, 5, 2), fake.LA: date(2024, 5, 1)}
    ends = {(p["advertiser_id"], p["end_date"]) for p in fake.report_params}
    assert (fake.TOKYO, "2024-05-02") in ends and (fake.LA, "2024-05-01") in ends
    assert (fake.LA, "2024-05-02") not in ends
    # a Tokyo day is stored as the API's date, never shifted to UTC
    day = date(2024, 4, 10)
    one = query(
        duck_store,
        f"SELECT sum(impressions) FROM ad_daily WHERE advertiser_id = "
        f"'{fake.TOKYO}' AND stat_date = DATE '{day}'",
    )
    assert one[0][0] == fake.totals(fake.TOKYO, day, day)["impressions"]


def test_streams_can_be_chosen_and_advertisers_discovered_through_the_business_center(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    result = run(duck_store, fake, make_client(fake), streams=("campaign_daily",))
    assert {s.stream for s in result.streams} == {"objects", "campaign_daily"}
    assert {s.scope_id for s in result.streams} == {fake.TOKYO, fake.LA}
    assert fake.calls["bc/asset/get/"] == 1
    assert query(duck_store, "SELECT count(*) FROM ad_daily") == [(0,)]


def test_an_unknown_advertiser_fails_alone(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    unknown = "7000000000000000099"
    result = run(
        duck_store,
        fake,
        make_client(fake),
        advertiser_ids=(fake.LA, unknown),
        streams=("advertiser_daily",),
    )
    assert result.status == "failed"
    bad = result.failed()
    assert [(s.stream, s.scope_id) for s in bad] == [("advertisers", unknown)]
    assert query(duck_store, "SELECT count(DISTINCT advertiser_id) FROM advertiser_daily") == [(1,)]


def test_sync_all_runs_ads_then_organic_for_the_demo(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    results = sync_all(
        duck_store,
        make_client(fake),
        business_ids=[fake.BUSINESS],
        ads=AdsSyncOptions(since=date(2024, 4, 20), streams=("campaign_daily",)),
        now=lambda: fake.now,
    )
    assert [(r.command, r.status) for r in results] == [("ads", "ok"), ("organic", "ok")]
    assert query(duck_store, "SELECT count(*) FROM follower_snapshots") == [(1,)]
