"""metrics.posts and metrics.post_gains: organic posts summed in the engine (KPI-3, KPI-4, KPI-5d).

The same hand-made posts on DuckDB and PostgreSQL (BYD-2): hashtags counted once per post,
formats from the stored field or the caption, publish-day cohorts with the accounts' other
posts beside them, and the daily gains with the followers they bring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.metrics.post_gains import post_gains
from tokops.metrics.posts import hashtag_sums, publish_day_sums
from tokops.warehouse import Store

D1 = dt.date(2024, 5, 1)
Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]


def _post(
    item: str, day: int, caption: str, views: int, likes: int, **extra: Any
) -> dict[str, Any]:
    return {
        "business_id": extra.pop("business_id", "b1"),
        "item_id": item,
        "create_time": dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=day),
        "caption": caption,
        "video_views": views,
        "likes": likes,
        "comments": extra.pop("comments", 0),
        "shares": 0,
        **extra,
    }


@pytest.fixture
def posts(any_store: Store, load: Loader) -> Store:
    load(any_store, "organic_videos", [
        _post("p1", 0, "Review time #A #fyp #a", 100, 10),
        _post("p2", 1, "Get ready with me #a", 200, 8, comments=2),
        _post("p3", 9, "random words #b!", 50, 0, business_id="b2"),
        _post("p4", 9, "no tags", 40, 4, hashtags='["deal"]', content_type="Haul"),
    ])  # fmt: skip
    return any_store


def test_hashtags_are_counted_once_per_post_and_split_into_windows(posts: Store) -> None:
    sums = hashtag_sums(posts, window_days=5)
    assert sums.total_posts == 4 and sums.as_of == D1 + dt.timedelta(days=9)
    assert sums.rows is not None
    rows = {r["hashtag"]: r for r in sums.rows.to_pylist()}
    assert list(rows) == ["a", "fyp", "b", "deal"]  # by views
    assert rows["a"]["posts"] == 2 and rows["a"]["views"] == 300
    assert rows["a"]["engagements"] == 20 and rows["a"]["accounts"] == 1
    assert rows["a"]["posts_recent"] == 0 and rows["a"]["posts_before"] == 2
    assert rows["b"]["posts_recent"] == 1 and rows["b"]["views_recent"] == 50
    assert rows["deal"]["eng_recent"] == 4  # the stored list wins over the caption


def test_publish_days_per_format_beside_the_accounts_other_posts(posts: Store) -> None:
    sums = publish_day_sums(posts, "content_type")
    per_key = {(r["key"], r["day"]): r for r in sums.per_key.to_pylist()}
    day9 = D1 + dt.timedelta(days=9)
    assert per_key[("review", D1)]["posts"] == 1 and per_key[("review", D1)]["views"] == 100
    assert per_key[("get_ready_with_me", D1 + dt.timedelta(days=1))]["engagements"] == 10
    assert per_key[("haul", day9)]["views"] == 40  # the stored format, lower-cased
    haul = per_key[("haul", day9)]
    assert (haul["base_eng"], haul["base_views"]) == (0, 0)  # b1 has no other post that day
    assert per_key[("other", day9)]["views"] == 50  # b2's post: no keyword
    overall = {r["day"]: (r["engagements"], r["views"]) for r in sums.overall.to_pylist()}
    assert overall[day9] == (4, 90)


def test_hashtag_cohorts_keep_the_other_posts_of_the_same_accounts(posts: Store) -> None:
    per_key = {
        (r["key"], r["day"]): r for r in publish_day_sums(posts, "hashtag").per_key.to_pylist()
    }
    fyp_day2 = per_key[("fyp", D1 + dt.timedelta(days=1))]
    assert fyp_day2["posts"] == 0 and fyp_day2["base_views"] == 200  # p2 is b1's other post


def test_no_posts_table_names_the_organic_sync(any_store: Store) -> None:
    with pytest.raises(
        ConfigError, match=r"no organic_videos in the store: run `tokops sync organic`"
    ):
        hashtag_sums(any_store, 7)


def test_daily_gains_and_followers_shared_by_views(any_store: Store, load: Loader) -> None:
    d2 = D1 + dt.timedelta(days=1)
    load(any_store, "organic_videos", [
        _post("new", 0, "Haul #x", 150, 15),
        _post("old", -120, "Tutorial #y", 300, 30),
    ])  # fmt: skip
    snap = [("new", D1, 100, 10), ("new", d2, 150, 15), ("old", D1, 200, 20), ("old", d2, 300, 25)]
    load(any_store, "organic_video_snapshots", [
        {"business_id": "b1", "item_id": i, "snapshot_date": d, "video_views": v, "likes": lk,
         "comments": 0, "shares": 0}
        for i, d, v, lk in snap
    ])  # fmt: skip
    assert not post_gains(any_store, 2, 10).followers
    load(any_store, "organic_account_daily",
         [{"business_id": "b1", "stat_date": d2, "daily_new_followers": 30}])  # fmt: skip
    gains = post_gains(any_store, 2, 1)
    assert (gains.start, gains.end, gains.followers) == (D1, d2, True)
    assert gains.days is not None and gains.top is not None
    days = {(r["item_id"], r["day"]): r for r in gains.days.to_pylist()}
    assert set(days) == {("new", D1), ("new", d2), ("old", d2)}  # old's first reading: no delta
    assert days[("new", d2)]["views"] == 50 and days[("new", d2)]["engagements"] == 5
    assert days[("old", d2)]["attributed_followers"] == pytest.approx(20.0)  # 30 × 100 / 150
    assert [(r["item_id"], r["views"], r["caption"]) for r in gains.top.to_pylist()] == [
        ("new", 150, "Haul #x")
    ]
