"""Campaigns, ad groups and ads: get, create (idempotent), update, status (§1.4, §3, §4)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tokops.tiktok._http import ApiClient, RateLimiter
from tokops.tiktok.marketing import AdGroups, Ads, Campaigns

MakeApi = Callable[..., ApiClient]
ADV = "7000000000000000001"
BIG_ID = 1800000000000000123  # > 2**53: must survive as text


def envelope(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "OK", "request_id": "r", "data": data}


class ObjectServer:
    """Answers ``{kind}/get/`` from a list and records every write."""

    def __init__(self, rows: list[dict[str, Any]] | None = None, created: Any = None) -> None:
        self.rows = rows or []
        self.created = created
        self.gets: list[httpx.QueryParams] = []
        self.posts: list[tuple[str, bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/open_api/v1.3/")
        if request.method == "POST":
            self.posts.append((path, request.content))
            if path.endswith("status/update/"):
                body = json.loads(request.content)
                key = next(k for k in body if k.endswith("_ids"))
                return httpx.Response(200, json=envelope({key: body[key], "status": "DISABLE"}))
            return httpx.Response(200, json=envelope(self.created or {}))
        self.gets.append(request.url.params)
        page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
        info = {"page": page, "page_size": size, "total_number": len(self.rows),
                "total_page": math.ceil(len(self.rows) / size)}  # fmt: skip
        chunk = self.rows[(page - 1) * size : page * size]
        # serialise IDs as JSON numbers on purpose (some gateways do): text must be exact
        raw = json.dumps(envelope({"list": chunk, "page_info": info}))
        return httpx.Response(200, content=raw.encode())


def test_campaigns_are_listed_with_big_ids_as_exact_strings(make_api: MakeApi) -> None:
    rows = [{"campaign_id": BIG_ID - i, "campaign_name": f"c{i}", "budget": 50.1}
            for i in range(3)]  # fmt: skip
    server = ObjectServer(rows)
    got = list(Campaigns(make_api(server)).iter(ADV, include_deleted=True, page_size=2))
    assert [c.campaign_id for c in got] == [str(BIG_ID), str(BIG_ID - 1), str(BIG_ID - 2)]
    assert got[0].budget == Decimal("50.1")
    assert json.loads(server.gets[0]["filtering"]) == {"primary_status": "STATUS_ALL"}


def test_campaigns_keep_fields_tiktok_adds(make_api: MakeApi) -> None:
    server = ObjectServer([{"campaign_id": "1", "brand_new_field": "x"}])
    (campaign,) = Campaigns(make_api(server)).iter(ADV)
    assert campaign.model_extra == {"brand_new_field": "x"}


def test_iter_all_asks_for_topview_alone(make_api: MakeApi) -> None:  # §3.1
    server = ObjectServer([])
    list(Campaigns(make_api(server)).iter_all(ADV, filtering={"buying_types": ["AUCTION"]}))
    assert [json.loads(g["filtering"])["buying_types"] for g in server.gets] == [
        ["AUCTION", "RESERVATION_RF"], ["RESERVATION_TOP_VIEW"],
    ]  # fmt: skip


def test_create_sends_an_idempotency_request_id_and_exact_budget(make_api: MakeApi) -> None:
    server = ObjectServer(created={"campaign_id": "1800000000000000009", "budget": 50.1})
    campaigns = Campaigns(make_api(server), request_ids=lambda: "9223372036854775807")
    campaign = campaigns.create(ADV, "Spring", "PRODUCT_SALES", budget_mode="BUDGET_MODE_DAY",
                                budget=Decimal("50.10"))  # fmt: skip
    path, raw = server.posts[0]
    assert path == "campaign/create/"
    assert b'"budget":50.10' in raw  # Decimal sent exactly, not as a float
    body = json.loads(raw)
    assert body["request_id"] == "9223372036854775807"
    assert "operation_status" not in body  # None values are not sent
    assert campaign.campaign_id == "1800000000000000009"


def test_default_request_ids_are_64_bit_integers_as_strings(make_api: MakeApi) -> None:
    server = ObjectServer(created={"adgroup_id": "1"})
    groups = AdGroups(make_api(server))
    groups.create(ADV, "1800000000000000001", "g1")
    groups.create(ADV, "1800000000000000001", "g2")
    ids = [json.loads(raw)["request_id"] for _, raw in server.posts]
    assert all(isinstance(i, str) and 0 < int(i) < 2**63 for i in ids)
    assert ids[0] != ids[1]


@pytest.mark.parametrize(
    ("name", "objective", "message"),
    [("", "TRAFFIC", "campaign_name"), ("x" * 513, "TRAFFIC", "campaign_name"),
     ("ok", "SHOP_PURCHASES", "objective_type")],
)  # fmt: skip
def test_create_refuses_what_the_api_would(
    make_api: MakeApi, name: str, objective: str, message: str
) -> None:
    server = ObjectServer()
    with pytest.raises(ValueError, match=message):
        Campaigns(make_api(server)).create(ADV, name, objective)
    assert server.posts == []


def test_status_updates_go_20_ids_at_a_time(make_api: MakeApi) -> None:
    server = ObjectServer()
    ids = [str(1800000000000000000 + i) for i in range(45)]
    results = Campaigns(make_api(server)).set_status(ADV, ids, "DISABLE")
    sizes = [len(json.loads(raw)["campaign_ids"]) for _, raw in server.posts]
    assert sizes == [20, 20, 5]
    assert [i for r in results for i in r.ids] == ids


def test_ids_must_be_strings_or_ints_never_floats(make_api: MakeApi) -> None:
    campaigns = Campaigns(make_api(ObjectServer()))
    with pytest.raises(TypeError):
        campaigns.set_status(ADV, [1.8e18], "ENABLE")  # type: ignore[list-item]
    with pytest.raises(ValueError):
        list(campaigns.iter("adv-1"))


def test_update_is_partial(make_api: MakeApi) -> None:
    server = ObjectServer()
    Campaigns(make_api(server)).update(ADV, "1800000000000000001", budget=Decimal("60"))
    assert json.loads(server.posts[0][1]) == {
        "advertiser_id": ADV, "campaign_id": "1800000000000000001", "budget": 60,
    }  # fmt: skip


SPARK = {"ad_name": "Spark 1", "ad_format": "SINGLE_VIDEO", "identity_type": "AUTH_CODE",
         "identity_id": "6c1e-identity", "tiktok_item_id": "7300000000000000001",
         "call_to_action": "SHOP_NOW", "landing_page_url": "https://example.com"}  # fmt: skip


def test_spark_ad_creation(make_api: MakeApi, clock: Any) -> None:  # SPK-1
    created = {"ad_ids": ["1900000000000000001"],
               "creatives": [{**SPARK, "ad_id": "1900000000000000001",
                              "adgroup_id": "1700000000000000001"}]}  # fmt: skip
    server = ObjectServer(created=created)
    ads = Ads(make_api(server), create_limiter=RateLimiter(5.0, clock=clock, sleep=clock.sleep))
    (ad,) = ads.create(ADV, "1700000000000000001", [SPARK])
    assert ad.ad_id == "1900000000000000001" and ad.tiktok_item_id == "7300000000000000001"
    body = json.loads(server.posts[0][1])
    assert body["creatives"] == [SPARK] and "request_id" not in body


@pytest.mark.parametrize(
    ("change", "message"),
    [({"ad_text": "new caption"}, "caption"), ({"identity_type": "CUSTOMIZED_USER"}, "identity"),
     ({"identity_id": None}, "identity_id"),
     ({"identity_type": "BC_AUTH_TT"}, "identity_authorized_bc_id")],
)  # fmt: skip
def test_spark_creatives_the_api_would_refuse(
    make_api: MakeApi, change: dict[str, Any], message: str
) -> None:  # SPK-5
    server = ObjectServer()
    with pytest.raises(ValueError, match=message):
        Ads(make_api(server)).create(ADV, "1700000000000000001", [{**SPARK, **change}])
    assert server.posts == []


def test_ad_creation_has_its_own_5_qps_limiter(make_api: MakeApi, clock: Any) -> None:
    server = ObjectServer(created={"ad_ids": ["1"]})
    ads = Ads(make_api(server), create_limiter=RateLimiter(5.0, clock=clock, sleep=clock.sleep))
    for _ in range(7):
        ads.create(ADV, "1700000000000000001", [SPARK])
    assert sum(clock.sleeps) == pytest.approx(2 * 0.2)  # burst of 5, then one per 0.2 s


def test_bc_auth_tt_ad_groups_need_the_bc(make_api: MakeApi) -> None:
    with pytest.raises(ValueError, match="identity_authorized_bc_id"):
        AdGroups(make_api(ObjectServer())).create(
            ADV, "1800000000000000001", "g", identity_type="BC_AUTH_TT", identity_id="x"
        )
