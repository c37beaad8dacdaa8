"""GMV Max with deleted campaigns: the campaign listing and the report (§2.8, §5)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing import MarketingClient
from tokops.tiktok.marketing.gmv_max import ALL_STATUSES, DELETED_FILTER, GmvMax

ADV = "7100000000000000001"


class Listing:
    """``/gmv_max/campaign/get/``: live campaigns by default, deleted ones on STATUS_DELETE."""

    def __init__(self) -> None:
        self.filters: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        flt = json.loads(params.get("filtering", "{}"))
        self.filters.append(flt)
        if flt.get("primary_status") == "STATUS_DELETE":
            rows = [{"campaign_id": "3", "operation_status": "DISABLE"}]
        else:
            rows = [{"campaign_id": "1"}, {"campaign_id": "2"}]
        size = int(params["page_size"])
        assert size <= 100  # the endpoint's cap
        info = {"page": 1, "page_size": size, "total_number": len(rows),
                "total_page": math.ceil(len(rows) / size)}  # fmt: skip
        body = {
            "code": 0,
            "message": "OK",
            "request_id": "r",
            "data": {"list": rows, "page_info": info},
        }
        return httpx.Response(200, json=body)


def test_campaigns_with_deleted_make_a_second_listing_and_merge(
    make_api: Callable[..., ApiClient],
) -> None:
    server = Listing()
    gmv = GmvMax(make_api(server))
    assert [c["campaign_id"] for c in gmv.campaigns(ADV)] == ["1", "2"]
    assert server.filters == [{}]
    server.filters.clear()
    kinds = {"gmv_max_promotion_types": ["PRODUCT_GMV_MAX"]}
    got = [c["campaign_id"] for c in gmv.campaigns(ADV, filtering=kinds, include_deleted=True)]
    assert got == ["1", "2", "3"]
    assert server.filters == [kinds, {**kinds, **DELETED_FILTER}]


def test_against_the_sandbox_a_deleted_campaign_is_listed_and_reported_only_on_request() -> None:
    from tokops.sandbox import Sandbox, SandboxSettings

    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    settings = SandboxSettings(
        access_tokens=("t",), world_anchor=date(2026, 3, 1), marketing_qps=10_000
    )
    sandbox = Sandbox(settings, now=lambda: now)
    api = ApiClient("t", api_base="http://sandbox.test", transport=sandbox.transport())
    client = MarketingClient(api)
    campaign = next(c for c in sandbox.world.gmv_campaigns.values() if c.advertiser_id == ADV)
    span = {"start_date": date(2026, 2, 1), "end_date": date(2026, 2, 28)}
    args = {"dimensions": ("campaign_id",), "metrics": ("cost",), **span}

    def cost(include_deleted: bool) -> Decimal:
        rows = client.gmv_max.report(
            ADV, campaign.store_id, include_deleted=include_deleted, **args
        )
        found = [r for r in rows if r.dimensions["campaign_id"] == campaign.campaign_id]
        return Decimal(str(found[0].metrics["cost"])) if found else Decimal(0)

    before = cost(False)
    assert before > 0 and cost(True) == before
    [update] = client.campaigns.set_status(ADV, [campaign.campaign_id], "DELETE")
    assert update.ids == [campaign.campaign_id] and update.failed_ids == []
    listed = {c["campaign_id"] for c in client.gmv_max.campaigns(ADV)}
    assert campaign.campaign_id not in listed
    with_deleted = {c["campaign_id"] for c in client.gmv_max.campaigns(ADV, include_deleted=True)}
    assert with_deleted == listed | {campaign.campaign_id}
    assert cost(False) == 0  # the default leaves deleted campaigns out…
    assert cost(True) == before  # …campaign_statuses STATUS_ALL keeps their past delivery
    assert ALL_STATUSES == {"campaign_statuses": ["STATUS_ALL"]}
