"""GMV Max, stores, Business Centers and split tests (§2.8, §5, §6.1; COM-2, KPI-5e)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing import BusinessCenters, GmvMax, SplitTests, Stores

MakeApi = Callable[..., ApiClient]
ADV = "7000000000000000001"
STORE = "7400000000000000001"
BC = "7500000000000000001"


def envelope(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "OK", "request_id": "r", "data": data}


def paged(rows: list[Any], request: httpx.Request, key: str = "list") -> httpx.Response:
    page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
    info = {"page": page, "page_size": size, "total_number": len(rows),
            "total_page": math.ceil(len(rows) / size)}  # fmt: skip
    return httpx.Response(200, json=envelope({key: rows[(page - 1) * size : page * size],
                                              "page_info": info}))  # fmt: skip


class ShopServer:
    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.gets: list[tuple[str, httpx.QueryParams]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/open_api/v1.3/")
        if request.method == "POST":
            self.posts.append((path, json.loads(request.content)))
            if path == "split_test/create/":
                return httpx.Response(
                    200, json=envelope({"split_test_group_id": 7600000000000000001})
                )
            return httpx.Response(200, json=envelope({"campaign_id": "1800000000000000001"}))
        self.gets.append((path, request.url.params))
        if path == "gmv_max/report/get/":
            start = date.fromisoformat(request.url.params["start_date"])
            row = {
                "dimensions": {
                    "campaign_id": "1800000000000000001",
                    "stat_time_day": f"{start} 00:00:00",
                },
                "metrics": {
                    "cost": "10.00",
                    "gross_revenue": "45.50",
                    "roi": "4.55",
                    "orders": "3",
                    "product_click_rate": "16.67",
                    "currency": "USD",
                },
            }
            return paged([row], request)  # fmt: skip
        if path == "store/list/":
            return paged([{"store_id": STORE, "store_name": "Shop",
                           "store_authorized_bc_id": BC}], request, key="stores")  # fmt: skip
        if path == "bc/get/":
            return paged([{"bc_info": {"bc_id": BC, "name": "BC", "currency": "USD"},
                           "user_role": "ADMIN"}], request)  # fmt: skip
        if path == "split_test/result/get/":
            return httpx.Response(
                200,
                json=envelope(
                    {
                        "split_test_status": "COMPLETED",
                        "key_metric": "COST_PER_CONVERT",
                        "cells": [{"object_id": "1"}, {"object_id": "2"}],
                        "p_value_info": [
                            {"metric": "COST_PER_CONVERT", "p_value": "0.04"},
                            {"metric": "CLICK_THROUGH_RATE", "p_value": "0.30"},
                        ],
                    }
                ),
            )
        raise AssertionError(path)  # fmt: skip


def test_gmv_max_create_requires_and_sends_a_request_id(make_api: MakeApi) -> None:
    server = ShopServer()
    gmv = GmvMax(make_api(server), request_ids=lambda: "42")
    gmv.create(ADV, STORE, BC, shopping_ads_type="PRODUCT", budget=Decimal("50.00"),
               roas_bid=Decimal("3.5"), identity_list=[{"identity_type": "TTS_TT",
                                                         "identity_id": "x"}])  # fmt: skip
    path, body = server.posts[0]
    assert path == "campaign/gmv_max/create/"
    assert body["request_id"] == "42" and body["deep_bid_type"] == "VO_MIN_ROAS"
    assert body["store_id"] == STORE and body["roas_bid"] == 3.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"shopping_ads_type": "LIVE"}, "exactly one identity"),
     ({"roas_bid": Decimal("3.55")}, "one decimal"),
     ({"item_group_ids": [str(i) for i in range(401)]}, "400"),
     ({"identity_list": [{"identity_type": "CUSTOMIZED_USER"}]}, "identity_type")],
)  # fmt: skip
def test_gmv_max_create_checks(make_api: MakeApi, kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"shopping_ads_type": "PRODUCT", "budget": Decimal("50"), **kwargs}
    with pytest.raises(ValueError, match=message):
        GmvMax(make_api(ShopServer())).create(ADV, STORE, BC, **args)


def test_gmv_max_report_is_chunked_paged_and_typed(make_api: MakeApi) -> None:
    server = ShopServer()
    rows = list(GmvMax(make_api(server)).report(
        ADV, STORE, start_date=date(2024, 1, 1), end_date=date(2024, 2, 14),
        dimensions=["campaign_id", "stat_time_day"], metrics=["cost", "gross_revenue", "roi"],
        filtering={"gmv_max_promotion_types": ["PRODUCT"]}))  # fmt: skip
    assert len(rows) == 2  # one row per 30-day window in this fake
    params = server.gets[0][1]
    assert json.loads(params["store_ids"]) == [STORE]
    assert json.loads(params["filtering"]) == {"gmv_max_promotion_types": ["PRODUCT"]}
    assert rows[0].metrics == {
        "cost": Decimal("10.00"), "gross_revenue": Decimal("45.50"), "roi": Decimal("4.55"),
        "orders": 3, "product_click_rate": Decimal("16.67"), "currency": "USD",
    }  # fmt: skip


def test_stores_and_business_centers(make_api: MakeApi) -> None:
    api = make_api(ShopServer())
    (store,) = Stores(api).iter(ADV)
    assert store.store_id == STORE and store.store_authorized_bc_id == BC
    (bc,) = BusinessCenters(api).iter()
    assert bc.bc_id == BC and bc.user_role == "ADMIN"


def test_store_products_page_through_the_catalogue(make_api: MakeApi) -> None:  # COM-2
    products = [
        {"item_group_id": 1729000000000000000 + i, "title": f"P{i}", "min_price": "9.90",
         "max_price": 12.5, "currency": "USD", "status": "AVAILABLE", "historical_sales": 3}
        for i in range(7)
    ]  # fmt: skip
    seen: list[httpx.QueryParams] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/open_api/v1.3/store/product/get/"
        seen.append(request.url.params)
        return paged(products, request, key="store_products")

    got = list(
        Stores(make_api(handler)).products(
            BC, STORE, advertiser_id=ADV, filtering={"ad_creation_eligible": "GMV_MAX"}, page_size=3
        )
    )
    assert [p.item_group_id for p in got] == [str(p["item_group_id"]) for p in products]
    assert got[0].max_price == "12.5" and got[0].model_extra == {"historical_sales": 3}
    assert [q["page"] for q in seen] == ["1", "2", "3"]
    assert seen[0]["bc_id"] == BC and seen[0]["store_id"] == STORE
    assert json.loads(seen[0]["filtering"]) == {"ad_creation_eligible": "GMV_MAX"}
    with pytest.raises(ValueError, match="100"):
        next(Stores(make_api(handler)).products(BC, STORE, page_size=101))


def test_split_test_create_and_result(make_api: MakeApi) -> None:  # KPI-5e
    server = ShopServer()
    tests = SplitTests(make_api(server))
    group = tests.create(
        ADV, object_ids=["1700000000000000001", "1700000000000000002"],
        test_variable="CREATIVE", key_metric="COST_PER_CONVERT",
        start_time=datetime(2024, 5, 1), end_time=datetime(2024, 5, 15),
    )  # fmt: skip
    assert group == "7600000000000000001"
    assert server.posts[0][1]["start_time"] == "2024-05-01 00:00:00"
    result = tests.result(ADV, group)
    assert result.split_test_status == "COMPLETED"
    assert result.significant() is True  # 0.04 < 0.10 (90 % confidence)
    assert result.significant("CLICK_THROUGH_RATE") is False
    assert result.significant("COST_PER_SHOW") is None


def test_split_tests_run_at_least_seven_days(make_api: MakeApi) -> None:
    with pytest.raises(ValueError, match="7 days"):
        SplitTests(make_api(ShopServer())).create(
            ADV, object_ids=["1", "2"], test_variable="CREATIVE", key_metric="CLICK",
            start_time=datetime(2024, 5, 1), end_time=datetime(2024, 5, 3),
        )  # fmt: skip
