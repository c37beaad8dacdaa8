"""Fixtures of the ingest tests: a small fake of the Marketing API, written from the spec.

Two advertisers in different time zones and currencies; every ad delivers every local day up to
*today in the advertiser's time zone* (the fake's clock). ``conversion`` of a day shows half its
final value until the day is ``RESTATE_DAYS`` old (restatement, §2.4). Report rows are built
per ad-day and summed up to the level asked; unknown metrics answer 40002 "Invalid metric
fields" like the real API, and ``fail_after`` makes report calls fail with 50000 after N calls.
With ``stat_time_hour`` (one day per request, else 40002) each ad-day is split over 24 local
hours, the remainders going to the first hours, so an ad's hours sum exactly to its day.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tokops.ingest import connect_client
from tokops.tiktok.marketing import MarketingClient

TOKYO = "7000000000000000001"
LA = "7000000000000000002"
ADVERTISERS = {
    TOKYO: {"name": "Tokyo shop", "timezone": "Asia/Tokyo", "currency": "JPY"},
    LA: {"name": "LA shop", "timezone": "America/Los_Angeles", "currency": "USD"},
}
BUSINESS = "-000fakeOpenId"
RESTATE_DAYS = 3
KNOWN_METRICS = frozenset(
    "spend impressions clicks reach frequency conversion result complete_payment "
    "total_complete_payment_rate video_play_actions video_watched_2s video_watched_6s "
    "likes comments shares follows engagements campaign_id adgroup_id currency".split()
)
GENDERS = (("FEMALE", 0.6), ("MALE", 0.35), ("NONE", 0.05))


def envelope(data: Any, code: int = 0, message: str = "OK") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "fake-request", "data": data}


@dataclass(frozen=True)
class FakeAd:
    advertiser_id: str
    campaign_id: str
    adgroup_id: str
    ad_id: str
    index: int


def _ads() -> list[FakeAd]:
    out = []
    for a, adv in enumerate(ADVERTISERS):
        for c in range(2):
            for g in range(2):
                for k in range(3):
                    i = len(out)
                    out.append(
                        FakeAd(
                            adv,
                            f"17{a}{c}{'0' * 15}",
                            f"18{a}{c}{g}{'0' * 14}",
                            f"19{a}{c}{g}{k}{'0' * 13}",
                            i,
                        )
                    )
    return out


@dataclass
class FakeTikTok:
    """Callable for ``httpx.MockTransport``; ``now`` is the fake's clock (UTC)."""

    now: datetime
    TOKYO = TOKYO
    LA = LA
    BUSINESS = BUSINESS
    fail_after: int | None = None
    clock: Callable[[], float] | None = None
    ads: list[FakeAd] = field(default_factory=_ads)
    calls: Counter[str] = field(default_factory=Counter)
    report_params: list[dict[str, Any]] = field(default_factory=list)
    call_times: list[float] = field(default_factory=list)
    version: int = 0
    """Bump to change every spend (simulates a restatement beyond conversions)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the data -------------------------------------------------------------------------
    def local_today(self, advertiser_id: str) -> date:
        zone = ZoneInfo(ADVERTISERS[advertiser_id]["timezone"])
        return self.now.astimezone(zone).date()

    def first_day(self, advertiser_id: str) -> date:
        return self.local_today(advertiser_id) - timedelta(days=400)

    def record(self, ad: FakeAd, day: date) -> dict[str, int] | None:
        """Counts of one ad-day (money in minor units), ``None`` without delivery."""
        if day > self.local_today(ad.advertiser_id) or day < self.first_day(ad.advertiser_id):
            return None
        seed = (ad.index * 7919 + day.toordinal() * 104729 + self.version * 13) % 1000
        if seed % 11 == 0:
            return None  # some ad-days have no delivery: the API leaves the row out
        impressions = 500 + seed * 3
        clicks = impressions // 40
        final = clicks // 5 + 1
        age = (self.local_today(ad.advertiser_id) - day).days
        conversion = final if age >= RESTATE_DAYS else final // 2
        return {
            "spend": 1000 + seed * 7,
            "impressions": impressions,
            "clicks": clicks,
            "reach": impressions * 9 // 10,
            "conversion": conversion,
            "value": conversion * 2500,
        }

    def totals(self, advertiser_id: str, start: date, end: date) -> dict[str, int]:
        out: Counter[str] = Counter()
        for ad in self.ads:
            if ad.advertiser_id != advertiser_id:
                continue
            day = start
            while day <= end:
                rec = self.record(ad, day)
                if rec:
                    out.update(rec)
                day += timedelta(days=1)
        return dict(out)

    # -- HTTP -----------------------------------------------------------------------------
    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/open_api/v1.3/")
        params: dict[str, Any] = dict(request.url.params)
        for key in ("dimensions", "metrics", "filtering", "advertiser_ids", "fields"):
            if key in params and params[key].startswith(("[", "{")):
                params[key] = json.loads(params[key])
        with self.lock:
            self.calls[path] += 1
            if self.clock is not None:
                self.call_times.append(self.clock())
        handler = {
            "advertiser/info/": self._info,
            "campaign/get/": self._objects,
            "adgroup/get/": self._objects,
            "ad/get/": self._objects,
            "report/integrated/get/": self._report,
            "bc/get/": self._bc,
            "bc/asset/get/": self._bc_assets,
            "business/get/": self._business,
            "business/video/list/": self._videos,
        }.get(path)
        if handler is None:
            return httpx.Response(200, json=envelope({}, 40400, "route not found"))
        return httpx.Response(200, json=handler(path, params))

    def _info(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        rows = [
            {"advertiser_id": a, "create_time": 1700000000, **ADVERTISERS[a]}
            for a in params["advertiser_ids"]
            if a in ADVERTISERS
        ]
        return envelope({"list": rows})

    def _bc(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return _paged([{"bc_info": {"bc_id": "7500000000000000001", "name": "BC"}}], params)

    def _bc_assets(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return _paged([{"asset_id": a, "asset_name": "x"} for a in ADVERTISERS], params)

    def _objects(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        adv = params["advertiser_id"]
        kind = path.split("/")[0]
        flt = params.get("filtering") or {}
        if kind == "campaign" and flt.get("buying_types") == ["RESERVATION_TOP_VIEW"]:
            return _paged([], params)
        ads = [a for a in self.ads if a.advertiser_id == adv]
        rows: dict[str, dict[str, Any]] = {}
        for ad in ads:
            base = {
                "advertiser_id": adv,
                "create_time": "2024-01-01 10:00:00",
                "operation_status": "ENABLE",
            }
            if kind == "campaign":
                rows[ad.campaign_id] = {
                    **base,
                    "campaign_id": ad.campaign_id,
                    "budget": 100.5,
                    "campaign_name": f"C {ad.campaign_id[-3:]}",
                }
            elif kind == "adgroup":
                rows[ad.adgroup_id] = {
                    **base,
                    "campaign_id": ad.campaign_id,
                    "adgroup_id": ad.adgroup_id,
                    "age_groups": ["AGE_18_24"],
                }
            else:
                rows[ad.ad_id] = {
                    **base,
                    "campaign_id": ad.campaign_id,
                    "adgroup_id": ad.adgroup_id,
                    "ad_id": ad.ad_id,
                    "tiktok_item_id": "7300000000000000001" if ad.index % 2 else None,
                }
        return _paged(sorted(rows.values(), key=lambda r: str(r), reverse=True), params)

    def _report(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.report_params.append(params)
            n = len(self.report_params)
        if self.fail_after is not None and n > self.fail_after:
            return envelope({}, 50000, "System error. Please retry later.")
        unknown = [m for m in params.get("metrics", []) if m not in KNOWN_METRICS]
        if unknown:
            return envelope({}, 40002, f"Invalid metric fields: {unknown}. ")
        adv = params["advertiser_id"]
        dims: list[str] = params["dimensions"]
        start = date.fromisoformat(params["start_date"])
        end = date.fromisoformat(params["end_date"])
        if (end - start).days >= 30:
            return envelope({}, 40002, "The date range is too long.")
        if "stat_time_hour" in dims:
            return self._hourly(params, adv, dims[0], start, end)
        id_dim = dims[0]
        audience = next((d for d in dims if d == "gender"), None)
        sums: dict[tuple[str, date, str], Counter[str]] = defaultdict(Counter)
        for ad in self.ads:
            if ad.advertiser_id != adv:
                continue
            ident = getattr(ad, id_dim) if id_dim != "advertiser_id" else adv
            day = start
            while day <= end:
                rec = self.record(ad, day)
                if rec:
                    for seg, share in GENDERS if audience else (("", 1.0),):
                        part = {k: int(v * share) for k, v in rec.items()} if audience else rec
                        sums[(ident, day, seg)].update(part)
                day += timedelta(days=1)
        rows = []
        ad_of = {getattr(a, id_dim): a for a in self.ads} if id_dim != "advertiser_id" else {}
        for (ident, day, seg), s in sorted(sums.items()):
            dims_out = {id_dim: ident, "stat_time_day": f"{day} 00:00:00"}
            if audience:
                dims_out["gender"] = seg
            metrics = {m: _metric(m, s, ad_of.get(ident)) for m in params["metrics"]}
            rows.append({"dimensions": dims_out, "metrics": metrics})
        return _paged(rows, params)

    def _hourly(
        self, params: dict[str, Any], adv: str, id_dim: str, start: date, end: date
    ) -> dict[str, Any]:
        if start != end:
            return envelope({}, 40002, "stat_time_hour: the date range must be one day.")
        rows = []
        for ad in self.ads:
            rec = self.record(ad, start) if ad.advertiser_id == adv else None
            if not rec:
                continue
            for h in range(24):
                part = Counter({k: v // 24 + (1 if h < v % 24 else 0) for k, v in rec.items()})
                dims_out = {id_dim: getattr(ad, id_dim), "stat_time_hour": f"{start} {h:02d}:00:00"}
                metrics = {m: _metric(m, part, ad) for m in params["metrics"]}
                rows.append({"dimensions": dims_out, "metrics": metrics})
        return _paged(rows, params)

    def _business(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        start = date.fromisoformat(params["start_date"])
        end = date.fromisoformat(params["end_date"])
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        metrics = [
            {
                "date": d.isoformat(),
                "video_views": str(100 + d.day),
                "likes": d.day,
                "daily_new_followers": 5,
            }
            for d in days
        ]
        return envelope(
            {
                "username": "fakeshop",
                "display_name": "Fake Shop",
                "followers_count": 1000 + self.version,
                "metrics": metrics,
            }
        )

    def _videos(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        cursor = int(params.get("cursor", 0))
        size = int(params.get("max_count", 20))
        videos = [
            {
                "item_id": f"73{i:017d}",
                "create_time": 1714521600 + i,
                "video_views": str(100 + i + self.version),
                "likes": 3,
                "average_time_watched": "6.4",
                "impression_sources": [{"source": "For You", "percentage": 0.8}],
            }
            for i in range(25)
        ]
        page = videos[cursor : cursor + size]
        more = cursor + size < len(videos)
        return envelope({"videos": page, "cursor": cursor + size, "has_more": more})


def _metric(name: str, s: Counter[str], ad: FakeAd | None) -> str:
    if name in ("campaign_id", "adgroup_id"):
        return getattr(ad, name) if ad else "-"
    if name == "spend":
        return f"{s['spend'] / 100:.2f}"
    if name == "total_complete_payment_rate":
        return f"{s['value'] / 100:.2f}"
    if name == "frequency":
        return f"{s['impressions'] / s['reach']:.2f}" if s["reach"] else "-"
    if name in ("follows",):
        return "-"
    if name in s:
        return str(s[name])
    if name == "complete_payment":
        return str(s["conversion"])
    return "0"


def _paged(rows: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    page, size = int(params.get("page", 1)), int(params.get("page_size", 10))
    info = {
        "page": page,
        "page_size": size,
        "total_number": len(rows),
        "total_page": math.ceil(len(rows) / size),
    }
    return envelope({"list": rows[(page - 1) * size : page * size], "page_info": info})


def fake_now() -> datetime:
    """2024-05-01 20:00 UTC: already 2024-05-02 in Tokyo, still 2024-05-01 in Los Angeles."""
    return datetime(2024, 5, 1, 20, 0, tzinfo=UTC)


MakeClient = Callable[..., MarketingClient]


@pytest.fixture
def fake() -> FakeTikTok:
    return FakeTikTok(now=fake_now())


@pytest.fixture
def make_client() -> MakeClient:
    """``make_client(fake, qps=1000, max_retries=0)`` → a metered client over a MockTransport."""

    def factory(
        handler: FakeTikTok, *, qps: float = 1000.0, max_retries: int = 0
    ) -> MarketingClient:
        return connect_client(
            "fake-token",
            api_base="http://tiktok.test",
            transport=httpx.MockTransport(handler),
            qps=qps,
            max_retries=max_retries,
        )

    return factory
