"""``sync_organic``: the follower count is snapshotted once per day, posts every day (KPI-3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.ingest import OrganicSyncOptions, sync_organic
from tokops.warehouse import Store


def query(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.con.con.execute(sql).fetchall()]


def test_accounts_followers_days_and_posts_land_and_reruns_replace_the_days_reading(
    any_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    client = make_client(fake)
    result = sync_organic(any_store, client, [fake.BUSINESS], now=lambda: fake.now)
    assert result.status == "ok", result.to_json()
    today = fake.now.date()
    assert query(any_store, "SELECT username, followers_count FROM organic_accounts") == [
        ("fakeshop", 1000)
    ]
    days = query(
        any_store, "SELECT count(*), min(stat_date), max(stat_date) FROM organic_account_daily"
    )
    assert days == [(60, today - timedelta(days=59), today)]  # the API's 60-day backfill
    assert query(any_store, "SELECT count(*) FROM organic_videos") == [(25,)]
    fake.version = 7  # later the same day: more followers, more views
    sync_organic(any_store, client, [fake.BUSINESS], now=lambda: fake.now)
    assert query(any_store, "SELECT snapshot_date, followers_count FROM follower_snapshots") == [
        (today, 1007)
    ]
    assert query(any_store, "SELECT count(*), sum(video_views) FROM organic_video_snapshots") == [
        (25, sum(100 + i + 7 for i in range(25)))
    ]
    fake.now += timedelta(days=1)  # the next day adds a snapshot, history is kept
    sync_organic(any_store, client, [fake.BUSINESS], now=lambda: fake.now)
    assert query(any_store, "SELECT count(*) FROM follower_snapshots") == [(2,)]
    assert query(
        any_store, "SELECT count(DISTINCT snapshot_date) FROM organic_video_snapshots"
    ) == [(2,)]
    assert query(any_store, "SELECT count(*) FROM organic_account_daily") == [(61,)]


def test_posts_keep_their_traffic_sources_as_json_and_a_business_id_is_required(
    duck_store: Store, fake: Any, make_client: Callable[..., Any]
) -> None:
    client = make_client(fake)
    sync_organic(
        duck_store,
        client,
        [fake.BUSINESS],
        OrganicSyncOptions(since=date(2024, 4, 20)),
        now=lambda: fake.now,
    )
    got = query(duck_store, "SELECT impression_sources FROM organic_videos LIMIT 1")[0][0]
    assert '"For You"' in got
    assert query(duck_store, "SELECT min(stat_date) FROM organic_account_daily") == [
        (date(2024, 4, 20),)
    ]
    with pytest.raises(ConfigError):
        sync_organic(duck_store, client, [])
