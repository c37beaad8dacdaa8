"""Business Centers, OAuth, stores and products, GMV Max, shop orders, split tests."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tokops.sandbox.world.ad_day_counts import IDX

from ..conftest import ADVERTISER, Marketing, MockClock


def test_business_centers_and_assets(mk: Marketing) -> None:
    data = mk.ok(mk.get("bc/get/"))
    bc_id = data["list"][0]["bc_info"]["bc_id"]
    assert data["page_info"]["total_number"] == len(mk.world.bcs) == 1
    advertisers = mk.ok(mk.get("bc/asset/get/", bc_id=bc_id, asset_type="ADVERTISER"))
    assert {a["asset_id"] for a in advertisers["list"]} == set(mk.world.advertisers)
    accounts = mk.ok(mk.get("bc/asset/get/", bc_id=bc_id, asset_type="TT_ACCOUNT"))
    assert len(accounts["list"]) == 3
    assert mk.get("bc/asset/get/", bc_id=bc_id, asset_type="SPACESHIP")["code"] == 40002
    assert mk.get("bc/get/", bc_id="1")["code"] == 40002


def test_oauth_lists_the_worlds_advertisers_for_the_sandbox_app(mk: Marketing) -> None:
    app = {"app_id": mk.sandbox.app_id, "secret": mk.sandbox.app_secret}
    data = mk.ok(mk.get("oauth2/advertiser/get/", **app))
    assert [a["advertiser_id"] for a in data["list"]] == list(mk.world.advertisers)
    assert mk.get("oauth2/advertiser/get/", app_id="123")["code"] == 40101
    # the token exchange needs a code the sandbox granted: tests/sandbox/test_oauth.py


def test_stores_and_products(mk: Marketing) -> None:
    store = mk.ok(mk.get("store/list/", advertiser_id=ADVERTISER))["stores"][0]
    bc_id = store["store_authorized_bc_id"]
    products = mk.ok(
        mk.get("store/product/get/", bc_id=bc_id, store_id=store["store_id"], page_size=100)
    )
    assert products["page_info"]["total_number"] == len(products["store_products"]) > 5
    first = products["store_products"][0]
    assert first["currency"] == "EUR" and Decimal(first["min_price"]) > 0
    wrong = mk.get("store/product/get/", bc_id="6900000000000000001", store_id=store["store_id"])
    assert wrong["code"] == 40002


def test_shop_orders_carry_the_shop_ads_conversions(mk: Marketing) -> None:
    world = mk.world
    store = world.store_of(ADVERTISER)
    day = date(2026, 2, 10)
    orders: list[dict[str, Any]] = []
    page = 1
    while True:
        data = mk.ok(
            mk.client.get(
                "/sandbox/shop/orders/",
                params={
                    "store_id": store.store_id,
                    "start_date": str(day),
                    "end_date": str(day),
                    "page": page,
                    "page_size": 100,
                },
            ).json()
        )
        orders += data["list"]
        if page >= data["page_info"]["total_page"]:
            break
        page += 1
    sources = Counter(o["traffic_source"] for o in orders)
    assert sources["ADS"] and sources["GMV_MAX"]
    shop_ads = [
        a
        for a in world.ads_of(ADVERTISER)
        if world.adgroups[a.adgroup_id].store_id == store.store_id
    ]
    count = value = 0
    for ad in shop_ads:
        rec = world.sim.day(world.sim.model(ad), day.toordinal(), 1e12)
        if rec is not None:
            count += rec[IDX["shop_purchases"]]
            value += rec[IDX["shop_value"]]
    ads_orders = [o for o in orders if o["traffic_source"] == "ADS"]
    assert len(ads_orders) == count
    assert sum(Decimal(o["payment"]["total_amount"]) for o in ads_orders) == Decimal(value) / 100
    for order in orders:
        item = order["line_items"][0]
        assert item["line_total"] == order["payment"]["total_amount"]
    lives = mk.client.get(
        "/sandbox/shop/live_sessions/",
        params={"store_id": store.store_id, "start_date": "2026-02-01", "end_date": "2026-02-28"},
    ).json()["data"]["list"]
    assert lives and all(s["end_time"] > s["start_time"] for s in lives)


def test_gmv_max_campaigns_and_report(mk: Marketing) -> None:
    world = mk.world
    store = world.store_of(ADVERTISER)
    listed = mk.ok(mk.get("gmv_max/campaign/get/", advertiser_id=ADVERTISER))
    assert listed["page_info"]["total_number"] == 1
    assert (
        mk.ok(mk.get("gmv_max/store/list/", advertiser_id=ADVERTISER))["store_list"][0]["store_id"]
        == store.store_id
    )
    body = {
        "advertiser_id": ADVERTISER, "store_id": store.store_id,
        "store_authorized_bc_id": store.bc_id, "shopping_ads_type": "PRODUCT",
        "optimization_goal": "VALUE", "deep_bid_type": "VO_MIN_ROAS", "roas_bid": 3.5,
        "budget": 200, "schedule_type": "SCHEDULE_FROM_NOW",
        "identity_list": [{"identity_id": "x", "identity_type": "TT_USER"}],
    }  # fmt: skip
    assert mk.post("campaign/gmv_max/create/", body)["code"] == 40002  # request_id is required
    created = mk.ok(mk.post("campaign/gmv_max/create/", {**body, "request_id": "7"}))
    again = mk.ok(mk.post("campaign/gmv_max/create/", {**body, "request_id": "7"}))
    assert created == again
    for bad in (
        {"roas_bid": 3.55},
        {"shopping_ads_type": "LIVE", "identity_list": []},
        {"store_authorized_bc_id": "1"},
    ):
        assert (
            mk.post("campaign/gmv_max/create/", {**body, "request_id": "8", **bad})["code"] == 40002
        )
    info = mk.ok(
        mk.get(
            "campaign/gmv_max/info/", advertiser_id=ADVERTISER, campaign_id=created["campaign_id"]
        )
    )
    assert info["roas_bid"] == 3.5
    report = mk.ok(
        mk.get(
            "gmv_max/report/get/", advertiser_id=ADVERTISER, store_ids=[store.store_id],
            dimensions=["campaign_id", "stat_time_day"],
            metrics=["cost", "orders", "gross_revenue", "roi", "currency"],
            start_date="2026-02-01", end_date="2026-02-07", page_size=100,
        )
    )  # fmt: skip
    rows = report["list"]
    assert rows and all(r["metrics"]["currency"] == "EUR" for r in rows)
    for row in rows:
        m = row["metrics"]
        assert m["roi"] == f"{Decimal(m['gross_revenue']) / Decimal(m['cost']):.2f}"
    by_item = mk.ok(
        mk.get(
            "gmv_max/report/get/", advertiser_id=ADVERTISER, store_ids=[store.store_id],
            dimensions=["item_group_id"], metrics=["cost"],
            start_date="2026-02-01", end_date="2026-02-07",
            page_size=100,
        )
    )  # fmt: skip
    total = sum(Decimal(r["metrics"]["cost"]) for r in by_item["list"])
    assert total == sum(Decimal(r["metrics"]["cost"]) for r in rows)
    too_long = mk.get(
        "gmv_max/report/get/", advertiser_id=ADVERTISER, store_ids=[store.store_id],
        dimensions=["stat_time_day"], start_date="2026-01-01", end_date="2026-02-07",
    )  # fmt: skip
    assert too_long["code"] == 40002


def test_seeded_split_test_finds_the_true_winner(mk: Marketing) -> None:
    world = mk.world
    group_id, winner = next(iter(world.truth.split_test_winners.items()))
    result = mk.ok(
        mk.get("split_test/result/get/", advertiser_id=ADVERTISER, split_test_group_id=group_id)
    )
    assert result["split_test_status"] == "COMPLETED"
    assert result["winning_object_id"] == winner
    p_values = {p["metric"]: p["p_value"] for p in result["p_value_info"]}
    assert p_values["COST_PER_CONVERT"] < 0.10
    loser = next(o["object_id"] for o in result["object_info"] if o["object_id"] != winner)
    budget = world.adgroups[winner].budget
    promoted = mk.post(
        "split_test/promote/",
        {"advertiser_id": ADVERTISER, "split_test_group_id": group_id, "winning_object_id": winner},
    )
    assert mk.ok(promoted)["winning_object_id"] == winner
    assert world.adgroups[winner].budget == pytest.approx(budget * 2)
    assert world.adgroups[loser].operation_status == "DISABLE"


def test_split_test_lifecycle(mk: Marketing, clock: MockClock) -> None:
    world = mk.world
    campaign = next(
        c for c in world.campaigns.values()
        if c.advertiser_id == ADVERTISER and not c.deleted and c.operation_status == "ENABLE"
        and sum(
            1 for g in world.adgroups.values()
            if g.campaign_id == c.campaign_id and not g.split_test_group_id
        ) >= 2
    )  # fmt: skip
    groups = [
        g.adgroup_id for g in world.adgroups.values() if g.campaign_id == campaign.campaign_id
    ][:2]
    body = {
        "advertiser_id": ADVERTISER, "split_test_level": "ADGROUP", "object_ids": groups,
        "test_variable": "CREATIVE", "key_metric": "CLICK_THROUGH_RATE",
        "start_time": "2026-03-03 00:00:00", "end_time": "2026-03-13 00:00:00",
    }  # fmt: skip
    for bad in (
        {"object_ids": groups[:1]},
        {"key_metric": "VIBES"},
        {"end_time": "2026-05-13 00:00:00"},
    ):
        assert mk.post("split_test/create/", {**body, **bad})["code"] == 40002
    group_id = mk.ok(mk.post("split_test/create/", body))["split_test_group_id"]
    assert mk.post("split_test/create/", body)["code"] == 40002  # already under test

    def status() -> str:
        data = mk.ok(
            mk.get("split_test/result/get/", advertiser_id=ADVERTISER, split_test_group_id=group_id)
        )
        return str(data["split_test_status"])

    assert status() == "NOT_STARTED"
    clock.advance(days=2)
    assert status() == "IN_PROGRESS"
    premature = mk.post(
        "split_test/promote/",
        {
            "advertiser_id": ADVERTISER,
            "split_test_group_id": group_id,
            "winning_object_id": groups[0],
        },
    )
    assert premature["code"] == 40002
    assert (
        mk.ok(
            mk.post(
                "split_test/end/", {"advertiser_id": ADVERTISER, "split_test_group_id": group_id}
            )
        )
        == {}
    )
    assert status() == "REPORTING_GENERATING"
    clock.advance(days=1, hours=1)
    assert status() == "COMPLETED"


def test_marketing_rate_limit(clock: MockClock) -> None:
    from tokops.sandbox import Sandbox

    from ..conftest import TOKEN, marketing_settings

    sandbox = Sandbox(
        marketing_settings(marketing_qps=10, marketing={"qpm": 25, "qpm_lockout_s": 300}),
        now=clock,
    )
    mk = Marketing(sandbox, clock)
    assert TOKEN
    codes = [mk.get("bc/get/")["code"] for _ in range(12)]
    assert codes == [0] * 10 + [40100] * 2
    refused = mk.get("bc/get/")
    assert (
        refused["message"]
        == "App [7450000000000000001] reaches the QPS limit 10, current QPS is 13"
    )
    clock.advance(seconds=1)
    assert [mk.get("bc/get/")["code"] for _ in range(10)] == [0] * 10
    clock.advance(seconds=1)
    codes = [mk.get("bc/get/")["code"] for _ in range(6)]
    assert codes == [0] * 5 + [40100]  # 25 per minute
    assert "QPM limit 25" in mk.get("bc/get/")["message"]
    clock.advance(seconds=120)
    assert mk.get("bc/get/")["code"] == 40100  # locked out for 5 minutes
    clock.advance(seconds=200)
    assert mk.get("bc/get/")["code"] == 0
    events = sandbox.handle("GET", "/sandbox/world/", {"Access-Token": TOKEN})
    assert events.json()["code"] == 0  # read-outs are never limited


def test_ad_create_has_its_own_five_qps(clock: MockClock) -> None:
    from tokops.sandbox import Sandbox

    from ..conftest import marketing_settings

    sandbox = Sandbox(
        marketing_settings(marketing={"qpm": 10**6, "endpoint_qps": {"/ad/create/": 5}}), now=clock
    )
    mk = Marketing(sandbox, clock)
    codes = [mk.post("ad/create/", {"advertiser_id": ADVERTISER})["code"] for _ in range(6)]
    assert codes == [40002] * 5 + [40100]
    assert mk.get("bc/get/")["code"] == 0  # other endpoints are not held back
