"""Organic business-account endpoints and the organic ground truth (KPI-3, KPI-4, KPI-5c/d)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import mean
from typing import Any

import pytest

from ..conftest import ADVERTISER, Marketing, MockClock

DAILY = ["followers_count", "daily_new_followers", "daily_lost_followers", "video_views", "likes"]


def _business_id(mk: Marketing, advertiser: str = ADVERTISER) -> str:
    business_id: str = mk.world.account_of(advertiser).business_id
    return business_id


def test_account_profile_and_daily_metrics(mk: Marketing) -> None:
    business_id = _business_id(mk)
    plain = mk.ok(mk.get("business/get/", business_id=business_id))
    assert set(plain) == {"display_name", "profile_image"}
    data = mk.ok(
        mk.get(
            "business/get/", business_id=business_id, start_date="2026-01-15",
            end_date="2026-03-05", fields=["followers_count", "audience_countries", *DAILY],
        )
    )  # fmt: skip
    days = [m["date"] for m in data["metrics"]]
    assert days[0] == "2026-01-15" and days[-1] == "2026-03-01"  # 03-02 is not over yet
    assert {c["country"] for c in data["audience_countries"]} == {"FR", "BE", "OTHER"}
    for before, after in zip(data["metrics"], data["metrics"][1:], strict=False):
        grown = (
            before["followers_count"] + after["daily_new_followers"] - after["daily_lost_followers"]
        )
        assert after["followers_count"] == grown
    assert data["metrics"][-1]["followers_count"] > data["metrics"][0]["followers_count"]
    assert data["followers_count"] == data["metrics"][-1]["followers_count"]


def test_audience_activity_follows_the_truth(mk: Marketing) -> None:
    data = mk.ok(
        mk.get(
            "business/get/", business_id=_business_id(mk), fields=["audience_activity"],
            start_date="2026-02-27", end_date="2026-02-28",
        )
    )  # fmt: skip
    activity = data["metrics"][0]["audience_activity"]
    assert [a["hour"] for a in activity] == [str(h) for h in range(24)]
    peak = max(activity, key=lambda a: a["count"])["hour"]
    truth = mk.world.truth.hourly_activity
    assert int(peak) == max(range(24), key=truth.__getitem__)
    assert int(peak) in mk.world.truth.best_posting_hours


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"business_id": "-000nope"}, "business_id"),
        ({"fields": ["nope"]}, "fields"),
        ({"start_date": "2025-12-01", "end_date": "2025-12-02", "fields": ["likes"]}, "60 days"),
        ({"start_date": "2026-02-05", "end_date": "2026-02-04", "fields": ["likes"]}, "later"),
    ],
)
def test_account_validation(mk: Marketing, params: dict[str, Any], needle: str) -> None:
    answer = mk.get("business/get/", **{"business_id": _business_id(mk), **params})
    assert answer["code"] == 40002 and needle in answer["message"], answer


def _all_videos(mk: Marketing, business_id: str, fields: list[str]) -> list[dict[str, Any]]:
    videos: list[dict[str, Any]] = []
    cursor = None
    while True:
        data = mk.ok(
            mk.get(
                "business/video/list/",
                business_id=business_id,
                fields=fields,
                max_count=20,
                cursor=cursor,
            )
        )
        videos += data["videos"]
        if not data["has_more"]:
            return videos
        cursor = data["cursor"]


def test_video_list_pages_newest_first(mk: Marketing) -> None:
    business_id = _business_id(mk)
    videos = _all_videos(mk, business_id, ["item_id", "create_time", "video_views", "caption"])
    times = [int(v["create_time"]) for v in videos]
    assert times == sorted(times, reverse=True)
    assert len({v["item_id"] for v in videos}) == len(videos) > 50
    assert all(t <= mk.clock().timestamp() for t in times)
    assert mk.get("business/video/list/", business_id=business_id, max_count=21)["code"] == 40002
    one = mk.ok(
        mk.get(
            "business/video/list/",
            business_id=business_id,
            filters={"video_ids": [videos[5]["item_id"]]},
        )
    )
    assert [v["item_id"] for v in one["videos"]] == [videos[5]["item_id"]]


def test_post_numbers_keep_growing_for_a_while(mk: Marketing, clock: MockClock) -> None:
    business_id = _business_id(mk)
    newest = _all_videos(mk, business_id, ["item_id", "video_views"])[0]
    query = {
        "business_id": business_id,
        "fields": ["video_views"],
        "filters": {"video_ids": [newest["item_id"]]},
    }
    seen = []
    for _ in range(4):
        seen.append(mk.ok(mk.get("business/video/list/", **query))["videos"][0]["video_views"])
        clock.advance(days=3)
    assert seen == sorted(seen) and seen[0] < seen[-1]


def test_formats_rise_and_saturate_as_the_truth_says(clock: MockClock) -> None:
    """KPI-4: a format's engagement rate peaks at its peak date and ends below its start."""
    from tokops.sandbox import Sandbox

    from ..conftest import marketing_settings

    sandbox = Sandbox(marketing_settings(), now=clock)
    mk = Marketing(sandbox, clock)
    clock.t = datetime(2026, 4, 15, 12, tzinfo=UTC)  # later posts: past the collapse
    world = mk.world
    name, trend = min(world.truth.saturating_formats.items(), key=lambda kv: kv[1]["peak"])
    peak, collapse = date.fromisoformat(trend["peak"]), date.fromisoformat(trend["collapse"])
    promoted = {a.tiktok_item_id for a in world.ads.values()}
    near_peak: list[float] = []
    saturated: list[float] = []
    early: list[float] = []
    for advertiser in world.advertisers:
        fields = ["item_id", "create_time", "likes", "comments", "shares", "video_views"]
        videos = _all_videos(mk, _business_id(mk, advertiser), [*fields, "content_type"])
        for v in videos:
            if v["content_type"] != name or v["item_id"] in promoted or not v["video_views"]:
                continue
            day = datetime.fromtimestamp(int(v["create_time"]), UTC).date()
            rate = (v["likes"] + v["comments"] + v["shares"]) / v["video_views"]
            if abs((day - peak).days) <= 4:
                near_peak.append(rate)
            elif day > collapse + timedelta(days=5):
                saturated.append(rate)
            elif day < peak - timedelta(days=40):
                early.append(rate)
    assert len(near_peak) >= 3 and len(saturated) >= 5 and len(early) >= 3
    assert mean(near_peak) > 1.5 * mean(early)
    assert mean(saturated) < mean(early)
