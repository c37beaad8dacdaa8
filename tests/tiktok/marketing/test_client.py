"""The facade: one ApiClient and one rate limiter per app, shared by every resource (§1.6)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import httpx
import pytest

import tokops.tiktok.marketing as marketing
from tokops.config import TikTokSettings
from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient, RateLimiter, RetryPolicy
from tokops.tiktok.audiences import AudiencesClient
from tokops.tiktok.marketing import MarketingClient, ReportQuery

TOKEN = "facade-secret-token"
ADV = "7000000000000000001"


class MaxRng(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return b


def envelope(data: Any, code: int = 0, message: str = "OK") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "r", "data": data}


class AppServer:
    """Campaign list and report endpoints; the first *limited* calls answer 40100."""

    def __init__(self, clock: Any, limited: int = 0) -> None:
        self.clock = clock
        self.limited = limited
        self.calls: list[tuple[str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/open_api/v1.3/")
        self.calls.append((path, self.clock.now))
        assert request.headers["Access-Token"] in (TOKEN, "other-token")
        if self.limited:
            self.limited -= 1
            return httpx.Response(200, json=envelope({}, 40100, "App [1] reaches the QPS limit"))
        info = {"page": 1, "page_size": 1000, "total_number": 0, "total_page": 0}
        return httpx.Response(200, json=envelope({"list": [], "page_info": info}))


def test_every_resource_shares_the_one_api_client(clock: Any) -> None:
    mk = MarketingClient.connect(TOKEN, transport=httpx.MockTransport(AppServer(clock)))
    resources: list[Any] = [
        mk.oauth, mk.advertisers, mk.campaigns, mk.adgroups, mk.ads, mk.identities, mk.spark,
        mk.business_centers, mk.stores, mk.gmv_max, mk.audiences, mk.reports, mk.report_tasks,
        mk.split_tests, mk.organic,
    ]  # fmt: skip
    assert all(r.api is mk.api for r in resources)
    assert isinstance(mk.audiences, AudiencesClient)  # the audiences module, exposed not copied
    assert mk.api.rate_limiter is not None
    assert mk.report_tasks.create_limiter is not mk.api.rate_limiter  # its own 1 QPS on top


def test_a_40100_on_one_token_pauses_calls_of_another_token_of_the_same_app(clock: Any) -> None:
    shared = RateLimiter(10.0, clock=clock, sleep=clock.sleep)
    server = AppServer(clock, limited=1)
    other: list[MarketingClient] = []

    def meanwhile(exc: TikTokError, attempt: int, wait: float) -> None:
        # while client A backs off, client B (same app, another token) makes a call
        list(
            other[0].reports.iter_rows(
                ReportQuery(
                    ADV, ("campaign_id",), start_date=date(2024, 5, 1), end_date=date(2024, 5, 1)
                )
            )
        )

    api_a = ApiClient(TOKEN, api_base="http://t.test", transport=httpx.MockTransport(server),
                      retry=RetryPolicy(base_s=2.0, rng=MaxRng()), rate_limiter=shared,
                      sleep=lambda s: None, on_retry=meanwhile)  # fmt: skip
    other.append(MarketingClient.connect("other-token", api_base="http://t.test",
                                         transport=httpx.MockTransport(server),
                                         rate_limiter=shared))  # fmt: skip
    list(MarketingClient(api_a).campaigns.iter(ADV))
    (first, at0), (second, at1), (third, _) = server.calls
    assert (first, second, third) == ("campaign/get/", "report/integrated/get/", "campaign/get/")
    assert at0 == 0.0 and at1 >= 2.0  # B waited out A's 40100 pause (2 s), not hammered the API
    assert clock.sleeps and clock.sleeps[0] == pytest.approx(2.0)


def test_from_settings_and_repr_hide_the_token() -> None:
    settings = TikTokSettings(api_base="http://127.0.0.1:8765", qps=20.0, max_retries=2)
    with MarketingClient.from_settings(settings, TOKEN) as mk:
        assert mk.api.api_base == "http://127.0.0.1:8765"
        assert mk.api.retry.max_retries == 2
        assert mk.api.rate_limiter is not None and mk.api.rate_limiter.rate == 20.0
        assert TOKEN not in repr(mk) and TOKEN not in repr(mk.api)


def test_all_is_sorted_and_lists_exactly_the_public_names() -> None:
    public = sorted(
        name for name, value in vars(marketing).items()
        if not name.startswith("_") and not isinstance(value, type(marketing))
        and name != "annotations"
    )  # fmt: skip
    assert marketing.__all__ == sorted(marketing.__all__)
    assert marketing.__all__ == public
