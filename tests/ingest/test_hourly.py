"""``ad_hourly``: hours sum to the days, re-runs are idempotent, local hours, bounded history.

Against the spec-written fake (``conftest.py``: each ad-day split over 24 hours) and against the
sandbox, whose hours follow the audience's activity and the advertiser's DST calendar.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.ingest import AdsSyncOptions, connect_client, sync_ads
from tokops.ingest.ads import DEFAULT_HOURLY_DAYS, ads_tasks
from tokops.ingest.ads import AdvertiserInfo as Info
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import Store
from tokops.warehouse.schema import table

SINCE = date(2024, 3, 1)
COMPARED = "spend, impressions, clicks, conversion, likes"
TOTALS = ", ".join(f"sum({c})" for c in COMPARED.split(", "))


def query(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.con.con.execute(sql).fetchall()]


def run(store: Store, fake: Any, client: Any, **options: Any) -> Any:
    opts = AdsSyncOptions(**{"since": SINCE, "concurrency": 4, **options})
    return sync_ads(store, client, opts, now=lambda: fake.now)


def hourly_calls(fake: Any) -> list[dict[str, Any]]:
    """Hourly report calls that were answered (the first one per run asks for metrics the fake
    refuses with 40002 and is repeated without them)."""
    known = sys.modules[type(fake).__module__].KNOWN_METRICS
    return [
        p
        for p in fake.report_params
        if "stat_time_hour" in p["dimensions"] and set(p["metrics"]) <= known
    ]


def per_ad_day(store: Store, tbl: str, where: str = "TRUE") -> dict[tuple[Any, ...], Any]:
    sums = ", ".join(f"sum({c})" for c in COMPARED.split(", "))
    rows = query(
        store,
        f"SELECT advertiser_id, ad_id, stat_date, {sums} FROM {tbl} WHERE {where} GROUP BY 1, 2, 3",
    )
    return {r[:3]: r[3:] for r in rows}


def test_hours_sum_to_the_daily_rows_and_carry_the_hierarchy(
    any_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    result = run(any_store, fake, make_client(fake), hourly_days=3)
    assert result.status == "ok", result.to_json()
    hourly = per_ad_day(any_store, "ad_hourly")
    days = {(k[0], k[2]) for k in hourly}
    for adv in (fake.TOKYO, fake.LA):  # each advertiser's own last 3 local days
        today = fake.local_today(adv)
        assert {d for a, d in days if a == adv} == {today - timedelta(days=i) for i in range(3)}
    daily = {k: v for k, v in per_ad_day(any_store, "ad_daily").items() if (k[0], k[2]) in days}
    assert hourly == daily and len(hourly) > 20
    ad = fake.ads[0]
    got = query(
        any_store,
        "SELECT DISTINCT campaign_id, adgroup_id, currency FROM ad_hourly "
        f"WHERE ad_id = '{ad.ad_id}'",
    )
    assert got == [(ad.campaign_id, ad.adgroup_id, "JPY")]
    keys = query(
        any_store,
        "SELECT count(*), count(DISTINCT advertiser_id || ad_id || "
        "CAST(stat_time_hour AS VARCHAR)) FROM ad_hourly",
    )
    assert keys[0][0] == keys[0][1] > 0
    names = table("ad_hourly").names
    assert "conversion" in names and "reach" not in names  # additive metrics only


def test_one_request_per_day_and_bounded_history(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    run(duck_store, fake, make_client(fake), hourly_days=4)
    calls = hourly_calls(fake)
    assert calls and all(p["start_date"] == p["end_date"] for p in calls)  # the 1-day cap
    for adv in (fake.TOKYO, fake.LA):
        today = fake.local_today(adv)
        want = [str(today - timedelta(days=i)) for i in range(3, -1, -1)]
        got = [p["start_date"] for p in calls if p["advertiser_id"] == adv]
        assert got == want  # since= 2024-03-01 asked, but hours go back 4 local days only
        days = query(
            duck_store,
            f"SELECT min(stat_date), max(stat_date), count(DISTINCT stat_date) FROM ad_hourly "
            f"WHERE advertiser_id = '{adv}'",
        )
        assert days == [(today - timedelta(days=3), today, 4)]
    assert len(calls) == 8  # 12 ads x 24 hours fit one page: one call per advertiser-day
    checkpoints = query(
        duck_store,
        "SELECT scope_id, count(*), max(window_end - window_start) FROM ingest_windows "
        "WHERE stream = 'ad_hourly' GROUP BY 1 ORDER BY 1",
    )
    assert checkpoints == [(fake.TOKYO, 4, 0), (fake.LA, 4, 0)]


def test_a_rerun_is_idempotent_and_re_pulls_only_the_bounded_days(
    any_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    client = make_client(fake)
    run(any_store, fake, client, hourly_days=3, lookback_days=1)
    before = query(any_store, f"SELECT count(*), {TOTALS} FROM ad_hourly")
    first_calls = len(hourly_calls(fake))
    again = run(any_store, fake, client, hourly_days=3, lookback_days=1)
    assert again.status == "ok"
    after = query(any_store, f"SELECT count(*), {TOTALS} FROM ad_hourly")
    assert after == before
    assert first_calls == 6 and len(hourly_calls(fake)) - first_calls == 4  # the look-back only
    fake.now += timedelta(days=2)  # restated conversions of recent days go up in hours too
    run(any_store, fake, client, hourly_days=3, lookback_days=1, since=None)
    recent = {
        adv: fake.local_today(adv) - timedelta(days=2) for adv in (fake.TOKYO, fake.LA)
    }  # days older than the bound keep the hours they had when they left it

    def last_days(rows: dict[tuple[Any, ...], Any]) -> dict[tuple[Any, ...], Any]:
        return {k: v for k, v in rows.items() if k[2] >= recent[k[0]]}

    hourly = last_days(per_ad_day(any_store, "ad_hourly"))
    assert len(hourly) > 20
    assert hourly == last_days(per_ad_day(any_store, "ad_daily"))


def test_hours_are_local_wall_clock_hours_of_each_advertisers_day(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    """2024-05-01 20:00 UTC is 05:00 on 05-02 in Tokyo and 13:00 on 05-01 in Los Angeles."""
    run(duck_store, fake, make_client(fake), hourly_days=1)
    got = query(
        duck_store,
        "SELECT advertiser_id, min(stat_time_hour), max(stat_time_hour), "
        "count(*) FILTER (WHERE CAST(stat_time_hour AS DATE) <> stat_date) "
        "FROM ad_hourly GROUP BY 1 ORDER BY 1",
    )
    assert got == [
        (fake.TOKYO, datetime(2024, 5, 2, 0), datetime(2024, 5, 2, 23), 0),
        (fake.LA, datetime(2024, 5, 1, 0), datetime(2024, 5, 1, 23), 0),
    ]  # naive local times, not shifted to UTC
    kind = query(
        duck_store,
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'ad_hourly' AND column_name = 'stat_time_hour'",
    )
    assert kind == [("TIMESTAMP",)]


def test_hourly_days_zero_turns_the_stream_off(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    result = run(duck_store, fake, make_client(fake), hourly_days=0)
    assert result.status == "ok"
    assert hourly_calls(fake) == []
    assert "ad_hourly" not in {s.stream for s in result.streams}
    assert query(duck_store, "SELECT count(*) FROM ad_hourly") == [(0,)]
    with pytest.raises(ConfigError, match="ad_hourly"):
        AdsSyncOptions(hourly_days=0, streams=("ad_hourly",)).check()
    with pytest.raises(ConfigError, match="hourly days"):
        AdsSyncOptions(hourly_days=-1).check()
    infos = [Info(fake.TOKYO, "Asia/Tokyo", "JPY")]
    assert "ad_hourly" in {t.stream for t in ads_tasks(infos)}  # on by default
    assert DEFAULT_HOURLY_DAYS == AdsSyncOptions().hourly_days == 7


# -- against the sandbox: activity-shaped hours, three time zones, a DST day ----------------------
TOKEN = "hourly-sandbox-token"


def _sandbox_sync(store: Store, now: datetime, **options: Any) -> tuple[Sandbox, Any]:
    settings = SandboxSettings(
        seed=11, scale="small", world_anchor=now.date(), access_tokens=(TOKEN,), marketing_qps=1000
    )
    sandbox = Sandbox(settings, now=lambda: now)
    client = connect_client(
        TOKEN, api_base="http://sandbox.test", transport=sandbox.transport(), qps=1000
    )
    opts = AdsSyncOptions(
        since=now.date() - timedelta(days=5),
        streams=("objects", "ad_daily", "ad_hourly"),
        concurrency=4,
        **options,
    )
    result = sync_ads(store, client, opts, now=lambda: now)
    assert result.status == "ok", result.to_json()
    return sandbox, result


def test_sandbox_hours_sum_to_days_across_time_zones_and_a_dst_day(duck_store: Store) -> None:
    """2024-03-10: Los Angeles springs forward (23 hours); Paris and Tokyo do not."""
    now = datetime(2024, 3, 11, 15, 0, tzinfo=UTC)  # Tokyo 03-12 00:00, Paris 16:00, LA 08:00
    sandbox, result = _sandbox_sync(duck_store, now, hourly_days=3)
    hourly = per_ad_day(duck_store, "ad_hourly")
    days = {(k[0], k[2]) for k in hourly}
    daily = {k: v for k, v in per_ad_day(duck_store, "ad_daily").items() if (k[0], k[2]) in days}
    assert hourly == daily and len(hourly) > 30
    la = "7100000000000000002"
    hours = query(
        duck_store,
        f"SELECT DISTINCT hour(stat_time_hour) FROM ad_hourly "
        f"WHERE advertiser_id = '{la}' AND stat_date = '2024-03-10'",
    )
    assert len(hours) == 23 and (2,) not in hours
    last = query(
        duck_store,
        "SELECT advertiser_id, max(stat_date), max(stat_time_hour) FROM ad_hourly "
        "GROUP BY 1 ORDER BY 1",
    )
    assert [r[1] for r in last] == [date(2024, 3, 11), date(2024, 3, 11), date(2024, 3, 11)]
    assert last[1][2] < datetime(2024, 3, 11, 8)  # LA: only hours before now (minus latency)
    calls = sum(s.windows for s in result.streams if s.stream == "ad_hourly")
    assert calls == 9  # 3 advertisers x 3 one-day windows
    assert sandbox.world.advertisers[la].timezone == "America/Los_Angeles"
