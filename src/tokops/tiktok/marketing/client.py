"""``MarketingClient``: one facade over one shared ``ApiClient`` (style principles 1 and 6).

Every resource holds the **same** ``ApiClient``, so every call of the app goes through one base
URL, one ``Access-Token`` header (set once, never an argument of a call), one envelope and error
mapping, one retry policy and **one rate limiter**: a 40100 answer to any call pauses them all
(``marketing_api.md`` §1.6: the limits are per app, across tokens). Endpoints with their own,
stricter limits get an extra limiter on top: report task creation (1 QPS) and ad creation
(5 QPS). To share the app limit with other clients of the same app (events, another process
thread), pass the same ``RateLimiter`` to each.

>>> mk = MarketingClient.connect("token", api_base="http://127.0.0.1:8765")  # doctest: +SKIP
>>> for c in mk.campaigns.iter("7000000000000000000"):  # doctest: +SKIP
...     print(c.campaign_id, c.campaign_name)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

import httpx
from pydantic import SecretStr

from tokops.config import DEFAULT_API_BASE, TikTokSettings
from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient, OwnsApi, RateLimiter, RetryPolicy
from tokops.tiktok.audiences import AudiencesClient
from tokops.tiktok.marketing._wire import RequestIdFactory, new_request_id
from tokops.tiktok.marketing.adgroups import AdGroups
from tokops.tiktok.marketing.ads import AD_CREATE_QPS, Ads
from tokops.tiktok.marketing.advertisers import Advertisers
from tokops.tiktok.marketing.business_center import BusinessCenters
from tokops.tiktok.marketing.campaigns import Campaigns
from tokops.tiktok.marketing.gmv_max import GmvMax
from tokops.tiktok.marketing.identities import Identities
from tokops.tiktok.marketing.oauth import OAuth
from tokops.tiktok.marketing.organic import Organic
from tokops.tiktok.marketing.report_tasks import TASK_CREATE_QPS, PollPolicy, ReportTasks
from tokops.tiktok.marketing.reports import Reports
from tokops.tiktok.marketing.spark import SparkPosts
from tokops.tiktok.marketing.split_tests import SplitTests
from tokops.tiktok.marketing.stores import Stores

__all__ = ["BASIC_TIER_QPS", "MarketingClient"]

#: App-level QPS of TikTok's basic tier (§1.6); raise it for higher tiers.
BASIC_TIER_QPS: Final = 10.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MarketingClient(OwnsApi):
    """The Marketing API v1.3 and organic account endpoints, one attribute per resource."""

    def __init__(
        self,
        api: ApiClient,
        *,
        task_create_limiter: RateLimiter | None = None,
        ad_create_limiter: RateLimiter | None = None,
        poll: PollPolicy | None = None,
        request_ids: RequestIdFactory = new_request_id,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.api = api
        self.oauth = OAuth(api)
        self.advertisers = Advertisers(api, self.oauth)
        self.campaigns = Campaigns(api, request_ids=request_ids)
        self.adgroups = AdGroups(api, request_ids=request_ids)
        self.ads = Ads(
            api,
            request_ids=request_ids,
            create_limiter=ad_create_limiter
            or RateLimiter(AD_CREATE_QPS, clock=clock, sleep=sleep),
        )
        self.identities = Identities(api)
        self.spark = SparkPosts(api)
        self.business_centers = BusinessCenters(api)
        self.stores = Stores(api)
        self.gmv_max = GmvMax(api, request_ids=request_ids)
        self.audiences = AudiencesClient(api)
        self.reports = Reports(api)
        self.report_tasks = ReportTasks(
            api,
            create_limiter=task_create_limiter
            or RateLimiter(TASK_CREATE_QPS, clock=clock, sleep=sleep),
            poll=poll,
            clock=clock,
            sleep=sleep,
        )
        self.split_tests = SplitTests(api)
        self.organic = Organic(api, now=now)

    @classmethod
    def connect(
        cls,
        access_token: SecretStr | str,
        *,
        api_base: str = DEFAULT_API_BASE,
        transport: httpx.BaseTransport | None = None,
        qps: float = BASIC_TIER_QPS,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        timeout_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[TikTokError, int, float], None] | None = None,
        insecure: bool = False,
    ) -> MarketingClient:
        """A client with its own ``ApiClient``; *rate_limiter* lets several share an app's limit;
        *insecure* allows a plain-``http://`` base off loopback (``ApiClient``)."""
        api = ApiClient(
            access_token,
            api_base=api_base,
            transport=transport,
            timeout_s=timeout_s,
            retry=retry,
            rate_limiter=rate_limiter or RateLimiter(qps, sleep=sleep),
            sleep=sleep,
            on_retry=on_retry,
            insecure=insecure,
        )
        return cls(api, sleep=sleep)

    @classmethod
    def from_settings(
        cls,
        settings: TikTokSettings,
        access_token: SecretStr | str,
        *,
        transport: httpx.BaseTransport | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> MarketingClient:
        """A client configured from the workspace's ``[tiktok]`` section."""
        return cls.connect(
            access_token,
            api_base=settings.api_base,
            transport=transport,
            qps=settings.qps,
            rate_limiter=rate_limiter,
            retry=RetryPolicy(max_retries=settings.max_retries),
            timeout_s=settings.timeout_s,
            insecure=settings.insecure,
        )
