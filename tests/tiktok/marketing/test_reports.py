"""Sync reports: windows, paging, typing, truncation work-around, 40067 and 40100 (§1.6, §2.1)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tokops.errors import RateLimitError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing import Filter, ReportQuery, ReportQueryError, Reports
from tokops.tiktok.marketing.reports import THROTTLE_HEADER

MakeApi = Callable[..., ApiClient]
ADV = "7000000000000000001"
PATH = "/open_api/v1.3/report/integrated/get/"


def envelope(data: Any, code: int = 0, message: str = "OK") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "r", "data": data}


class ReportServer:
    """``/report/integrated/get/`` as §2.1 describes it, over ads with spend on every day.

    *ads* are ``(ad_id, adgroup_id, campaign_id)``; a later position means created later. A query
    covering more than *cap* ads returns the *cap* newest and sets ``X-Tt-Ads-Throttle``. A window
    longer than *too_large_days* answers 40067; *rate_limited* first calls answer 40100.
    """

    def __init__(
        self,
        ads: list[tuple[str, str, str]],
        *,
        cap: int = 20_000,
        too_large_days: int | None = None,
        rate_limited: int = 0,
    ) -> None:
        self.ads = ads
        self.cap = cap
        self.too_large_days = too_large_days
        self.rate_limited = rate_limited
        self.requests: list[dict[str, Any]] = []

    @staticmethod
    def spend(ad_id: str, day: date) -> Decimal:
        return Decimal(int(ad_id[-3:])) + Decimal(day.day) / 100

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == PATH
        q: dict[str, Any] = dict(request.url.params)
        for key in ("dimensions", "metrics", "filtering"):
            if key in q:
                q[key] = json.loads(q[key])
        self.requests.append(q)
        if self.rate_limited:
            self.rate_limited -= 1
            return httpx.Response(200, json=envelope({}, 40100, "App reaches the QPS limit"))
        dims = q["dimensions"]
        days = self._days(q)
        if self.too_large_days and len(days) > self.too_large_days:
            return httpx.Response(200, json=envelope({}, 40067, "Query too large"))
        cap = 1 if "stat_time_hour" in dims else 30 if "stat_time_day" in dims else 365
        if len(days) > cap:
            return httpx.Response(200, json=envelope({}, 40002, "date range too long"))
        ads = [a for a in self.ads if self._match(a, q.get("filtering", []))]
        headers = {}
        if q.get("data_level") == "AUCTION_AD" and len(ads) > self.cap:
            ads, headers = ads[-self.cap :], {THROTTLE_HEADER: "1"}
        rows = self._aggregate(ads, days, dims)
        page, size = int(q["page"]), int(q["page_size"])
        info = {"page": page, "page_size": size, "total_number": len(rows),
                "total_page": math.ceil(len(rows) / size)}  # fmt: skip
        data = {"list": rows[(page - 1) * size : page * size], "page_info": info}
        return httpx.Response(200, json=envelope(data), headers=headers)

    @staticmethod
    def _days(q: dict[str, Any]) -> list[date]:
        start, end = date.fromisoformat(q["start_date"]), date.fromisoformat(q["end_date"])
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]

    @staticmethod
    def _match(ad: tuple[str, str, str], filtering: list[dict[str, str]]) -> bool:
        fields = {"ad_ids": ad[0], "adgroup_ids": ad[1], "campaign_ids": ad[2]}
        for f in filtering:
            assert isinstance(f["filter_value"], str)  # a JSON-encoded string (§2.1)
            if f["field_name"] in fields and fields[f["field_name"]] not in json.loads(
                f["filter_value"]
            ):
                return False
        return True

    def _aggregate(
        self, ads: list[tuple[str, str, str]], days: list[date], dims: list[str]
    ) -> list[dict[str, Any]]:
        index = {"ad_id": 0, "adgroup_id": 1, "campaign_id": 2}
        sums: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
        for ad in ads:
            for day in days:
                key = tuple(
                    f"{day} 00:00:00" if d == "stat_time_day" else ad[index[d]] for d in dims
                )
                sums[key] += self.spend(ad[0], day)
        return [
            {"dimensions": dict(zip(dims, key, strict=True)),
             "metrics": {"spend": f"{total:.2f}", "impressions": "100", "ctr": "1.00",
                         "reach": "-"}}
            for key, total in sorted(sums.items(), reverse=True)
        ]  # fmt: skip


def ads_of(spec: dict[str, dict[str, int]]) -> list[tuple[str, str, str]]:
    """``{campaign: {adgroup: n_ads}}`` → ads with 19-digit IDs, in creation order."""
    out, n = [], 0
    for campaign, groups in spec.items():
        for group, count in groups.items():
            for _ in range(count):
                n += 1
                out.append((f"1900000000000000{n:03d}", group, campaign))
    return out


def daily(start: date, end: date, **kw: Any) -> ReportQuery:
    return ReportQuery(ADV, ("ad_id", "stat_time_day"), ("spend", "impressions", "ctr", "reach"),
                       start_date=start, end_date=end, **kw)  # fmt: skip


def expected_keys(ads: list[tuple[str, str, str]], start: date, end: date) -> set[tuple[str, date]]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return {(a[0], d) for a in ads for d in days}


def test_rows_are_typed_and_ids_stay_strings(make_api: MakeApi) -> None:
    ads = ads_of({"1800000000000000001": {"1700000000000000001": 2}})
    rows = list(Reports(make_api(ReportServer(ads))).iter_rows(
        daily(date(2024, 5, 1), date(2024, 5, 2))))  # fmt: skip
    assert len(rows) == 4
    row = next(r for r in rows if r.dimensions["ad_id"] == ads[0][0] and r.day == date(2024, 5, 1))
    assert row.dimensions["ad_id"] == "1900000000000000001"
    assert row.metrics == {"spend": Decimal("1.01"), "impressions": 100, "ctr": Decimal("1.00"),
                           "reach": None}  # fmt: skip


def test_a_45_day_range_is_two_windows_merged(make_api: MakeApi) -> None:
    ads = ads_of({"1800000000000000001": {"1700000000000000001": 3}})
    server = ReportServer(ads)
    start, end = date(2024, 1, 1), date(2024, 2, 14)
    run = Reports(make_api(server)).run(daily(start, end, page_size=50))
    assert [(r["start_date"], r["end_date"]) for r in server.requests if r["page"] == "1"] == [
        ("2024-01-01", "2024-01-30"), ("2024-01-31", "2024-02-14"),
    ]  # fmt: skip
    assert server.requests[0]["dimensions"] == ["ad_id", "stat_time_day"]
    assert "filters" not in server.requests[0]  # the v1.2 name is never sent
    keys = [(r.dimensions["ad_id"], r.day) for r in run.rows]
    assert len(keys) == len(set(keys)) and set(keys) == expected_keys(ads, start, end)
    assert run.pages == 3 and run.requests == 2 and run.truncated == ()  # 90 + 45 rows


def test_the_20000_ad_truncation_is_detected_and_no_row_is_lost(make_api: MakeApi) -> None:
    ads = ads_of({
        "1800000000000000001": {"1700000000000000001": 2},
        "1800000000000000002": {"1700000000000000002": 3},
        "1800000000000000003": {"1700000000000000003": 4, "1700000000000000004": 3},
    })  # fmt: skip
    server = ReportServer(ads, cap=5)  # the 20,000 cap, scaled down
    start, end = date(2024, 5, 1), date(2024, 5, 3)
    run = Reports(make_api(server)).run(daily(start, end))
    keys = [(r.dimensions["ad_id"], r.day) for r in run.rows]
    assert len(keys) == len(set(keys))
    assert set(keys) == expected_keys(ads, start, end)
    by_key = {(r.dimensions["ad_id"], r.day): r.metrics["spend"] for r in run.rows}
    assert by_key[(ads[0][0], start)] == ReportServer.spend(ads[0][0], start)
    assert run.truncated[0] == "2024-05-01..2024-05-03: whole account"
    assert any("adgroup" in q["dimensions"][0] for q in server.requests)  # split down to groups
    listing = next(q for q in server.requests if q["dimensions"] == ["campaign_id"])
    assert {"field_name": "campaign_status", "filter_type": "IN",
            "filter_value": '["STATUS_ALL"]'} in listing["filtering"]  # fmt: skip


def test_truncation_by_header_only_applies_when_the_header_is_set(make_api: MakeApi) -> None:
    ads = ads_of({"1800000000000000001": {"1700000000000000001": 4}})
    server = ReportServer(ads, cap=10)
    run = Reports(make_api(server)).run(daily(date(2024, 5, 1), date(2024, 5, 1)))
    assert len(run.rows) == 4 and len(server.requests) == 1 and run.truncated == ()


def test_40067_halves_the_window(make_api: MakeApi) -> None:
    ads = ads_of({"1800000000000000001": {"1700000000000000001": 1}})
    server = ReportServer(ads, too_large_days=10)
    start, end = date(2024, 3, 1), date(2024, 3, 30)
    rows = list(Reports(make_api(server)).iter_rows(daily(start, end)))
    assert {(r.dimensions["ad_id"], r.day) for r in rows} == expected_keys(ads, start, end)
    assert len(rows) == 30
    assert [q["start_date"] for q in server.requests][:3] == [
        "2024-03-01", "2024-03-01", "2024-03-01",
    ]  # fmt: skip


def test_40100_is_retried_and_pauses_the_shared_limiter(make_api: MakeApi) -> None:
    ads = ads_of({"1800000000000000001": {"1700000000000000001": 1}})
    api = make_api(ReportServer(ads, rate_limited=2))
    rows = list(Reports(api).iter_rows(daily(date(2024, 5, 1), date(2024, 5, 1))))
    assert len(rows) == 1
    assert api.retry_sleeps == [1.0, 2.0]  # type: ignore[attr-defined]


def test_40100_beyond_the_retry_budget_raises(make_api: MakeApi) -> None:
    api = make_api(ReportServer([], rate_limited=10), max_retries=2)
    with pytest.raises(RateLimitError):
        list(Reports(api).iter_rows(daily(date(2024, 5, 1), date(2024, 5, 1))))


def test_uv_metrics_with_audience_fail_before_any_request(make_api: MakeApi) -> None:
    server = ReportServer([])
    query = ReportQuery(ADV, ("ad_id", "gender"), ("spend", "reach", "frequency"),
                        report_type="AUDIENCE", start_date=date(2024, 5, 1),
                        end_date=date(2024, 5, 2))  # fmt: skip
    with pytest.raises(ReportQueryError, match="reach, frequency"):
        list(Reports(make_api(server)).iter_rows(query))
    assert server.requests == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dimensions": ()}, "at least one dimension"),
        ({"dimensions": ("ad_id", "stat_time_day", "stat_time_hour")}, "not both"),
        ({"query_lifetime": True}, "cannot be combined"),
        ({"start_date": None}, "required"),
        ({"start_date": date(2024, 6, 1)}, "after end_date"),
        ({"metrics": tuple(f"m{i}" for i in range(101))}, "at most 100"),
        ({"page_size": 1001}, "page_size"),
    ],
)
def test_invalid_queries_are_refused(kwargs: dict[str, Any], message: str) -> None:
    base = {"advertiser_id": ADV, "dimensions": ("ad_id", "stat_time_day"),
            "start_date": date(2024, 5, 1), "end_date": date(2024, 5, 2)}  # fmt: skip
    with pytest.raises(ReportQueryError, match=message):
        ReportQuery(**{**base, **kwargs}).validate()


def test_a_long_range_without_a_time_dimension_is_refused(make_api: MakeApi) -> None:
    query = ReportQuery(ADV, ("campaign_id",), start_date=date(2023, 1, 1),
                        end_date=date(2024, 6, 1))  # fmt: skip
    with pytest.raises(ReportQueryError, match="stat_time_day"):
        list(Reports(make_api(ReportServer([]))).iter_rows(query))


def test_lifetime_and_filters_on_the_wire() -> None:
    query = ReportQuery(ADV, ("campaign_id",), query_lifetime=True, include_deleted=True,
                        filters=(Filter.in_("campaign_ids", ["1800000000000000001"]),))  # fmt: skip
    query.validate()
    params = query.params(None)
    assert params["query_lifetime"] is True and "start_date" not in params
    assert params["data_level"] == "AUCTION_CAMPAIGN"
    assert params["filtering"] == [
        {"field_name": "campaign_ids", "filter_type": "IN",
         "filter_value": '["1800000000000000001"]'},
        {"field_name": "campaign_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'},
    ]  # fmt: skip
