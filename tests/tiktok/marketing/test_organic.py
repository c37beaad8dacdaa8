"""Organic account daily metrics and per-video metrics (analytics §2b; KPI-3, KPI-5c)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing import Organic

MakeApi = Callable[..., ApiClient]
BUSINESS = "-000abcOpenId"
NOW = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def envelope(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "OK", "request_id": "r", "data": data}


class OrganicServer:
    def __init__(self, n_videos: int = 5, page: int = 2) -> None:
        self.videos = [{"item_id": f"73{i:017d}", "create_time": 1714521600 + i,
                        "video_views": str(100 + i), "likes": 3, "average_time_watched": "6.4",
                        "full_video_watched_rate": "0.25",
                        "impression_sources": [{"source": "For You", "percentage": 0.8}]}
                       for i in range(n_videos)]  # fmt: skip
        self.page = page
        self.requests: list[httpx.QueryParams] = []
        self.followers = 1000

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/open_api/v1.3/")
        params = request.url.params
        self.requests.append(params)
        assert params["business_id"] == BUSINESS
        if path == "business/get/":
            first = date.fromisoformat(params["start_date"])
            last = date.fromisoformat(params["end_date"])
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            self.followers += 10
            return httpx.Response(
                200,
                json=envelope(
                    {
                        "username": "shop",
                        "display_name": "Shop",
                        "followers_count": self.followers,
                        "metrics": [
                            {
                                "date": d.isoformat(),
                                "video_views": "50",
                                "likes": 2,
                                "daily_new_followers": "4",
                                "profile_views": "-",
                            }
                            for d in days
                        ],
                    }
                ),
            )
        if path == "business/video/list/":
            assert json.loads(params["fields"])[0] == "item_id"
            start = int(params.get("cursor", "0"))
            size = int(params["max_count"])
            chunk = self.videos[start : start + size]
            return httpx.Response(
                200,
                json=envelope(
                    {
                        "videos": chunk,
                        "cursor": start + len(chunk),
                        "has_more": start + size < len(self.videos),
                    }
                ),
            )
        raise AssertionError(path)  # fmt: skip


def test_account_days_are_chunked_merged_and_typed(make_api: MakeApi) -> None:
    server = OrganicServer()
    report = Organic(make_api(server), now=lambda: NOW).account(
        BUSINESS, date(2024, 4, 1), date(2024, 5, 15)
    )
    assert len(server.requests) == 2  # 45 days → two calls of ≤ 30 days
    assert [d.day for d in report.days][:2] == [date(2024, 4, 1), date(2024, 4, 2)]
    assert len(report.days) == 45
    assert report.days[0].metrics == {"video_views": 50, "likes": 2, "daily_new_followers": 4,
                                      "profile_views": None}  # fmt: skip
    # the follower count is a snapshot at call time, stamped, not a daily value
    assert report.followers_count == 1020 and report.taken_at == NOW
    assert report.profile["username"] == "shop"


def test_videos_page_by_cursor_with_typed_metrics(make_api: MakeApi) -> None:
    server = OrganicServer(n_videos=5, page=2)
    videos = list(Organic(make_api(server), now=lambda: NOW).videos(
        BUSINESS, fields=["video_views", "likes"], max_count=2))  # fmt: skip
    assert [v.item_id for v in videos] == [f"73{i:017d}" for i in range(5)]
    assert len(server.requests) == 3
    first = videos[0]
    assert first.create_time == datetime(2024, 5, 1, tzinfo=UTC)
    assert first.metrics["video_views"] == 100
    assert first.metrics["average_time_watched"] == Decimal("6.4")
    assert first.metrics["full_video_watched_rate"] == Decimal("0.25")
    assert first.metrics["impression_sources"][0]["source"] == "For You"
    assert first.taken_at == NOW
