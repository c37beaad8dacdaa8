"""Campaigns, ad groups and ads: get, create, update, status cascade (§3, checklist §8.10)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tokops.sandbox.marketing import write_rules
from tokops.sandbox.world.catalog import LEGACY_OBJECTIVES, OBJECTIVES

from ..conftest import ADVERTISER, Marketing, MockClock

NOW = "2026-03-02 12:00:00"


def _campaign(mk: Marketing, **changes: Any) -> dict[str, Any]:
    body = {
        "advertiser_id": ADVERTISER,
        "campaign_name": "Spring push",
        "objective_type": "WEB_CONVERSIONS",
        **changes,
    }
    return mk.post("campaign/create/", body)


def _adgroup(mk: Marketing, campaign_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "advertiser_id": ADVERTISER,
        "campaign_id": campaign_id,
        "adgroup_name": "FR women 25-44",
        "location_ids": ["3017382"],
        "age_groups": ["AGE_25_34", "AGE_35_44"],
        "gender": "GENDER_FEMALE",
        "budget_mode": "BUDGET_MODE_DAY",
        "budget": 80,
        "schedule_type": "SCHEDULE_FROM_NOW",
        "schedule_start_time": NOW,
        "optimization_goal": "CONVERT",
        **changes,
    }
    return mk.post("adgroup/create/", body)


def _ad(mk: Marketing, adgroup_id: str, **creative: Any) -> dict[str, Any]:
    base = {
        "ad_name": "Hook v1",
        "ad_format": "SINGLE_VIDEO",
        "identity_type": "CUSTOMIZED_USER",
        "identity_id": mk.world.custom_identity(ADVERTISER),
        "video_id": "v10033g50000abc",
        "ad_text": "Glow in 7 days",
        "call_to_action": "SHOP_NOW",
        "landing_page_url": "https://shop.example/serum",
    }
    base.update(creative)
    creative_clean = {k: v for k, v in base.items() if v is not None}
    return mk.post(
        "ad/create/",
        {"advertiser_id": ADVERTISER, "adgroup_id": adgroup_id, "creatives": [creative_clean]},
    )


def test_get_lists_sorted_paged_and_filtered(mk: Marketing) -> None:
    data = mk.ok(mk.get("campaign/get/", advertiser_id=ADVERTISER, page_size=2))
    ids = [c["campaign_id"] for c in data["list"]]
    assert ids == sorted(ids, reverse=True)
    assert data["page_info"]["total_page"] == -(-data["page_info"]["total_number"] // 2)
    first = data["list"][0]
    assert re.fullmatch(r"\d{19}", first["campaign_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first["create_time"])
    slim = mk.ok(
        mk.get(
            "ad/get/", advertiser_id=ADVERTISER, fields=["ad_id", "tiktok_item_id"],
            exclude_field_types_in_response=["NULL_FIELD"], page_size=100,
        )
    )  # fmt: skip
    assert all(set(ad) <= {"ad_id", "tiktok_item_id"} for ad in slim["list"])
    assert any("tiktok_item_id" not in ad for ad in slim["list"])
    some = mk.world.ads_of(ADVERTISER)[0]
    one = mk.ok(
        mk.get(
            "ad/get/",
            advertiser_id=ADVERTISER,
            filtering={"ad_ids": [some.ad_id], "primary_status": "STATUS_ALL"},
        )
    )
    assert [a["ad_id"] for a in one["list"]] == [some.ad_id]
    groups = mk.ok(
        mk.get(
            "adgroup/get/",
            advertiser_id=ADVERTISER,
            filtering={"campaign_ids": [some.campaign_id], "primary_status": "STATUS_ALL"},
        )
    )
    assert {g["campaign_id"] for g in groups["list"]} == {some.campaign_id}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"fields": ["nope"]}, 40002),
        ({"filtering": {"bogus": 1}}, 40002),
        ({"filtering": {"primary_status": "STATUS_WHATEVER"}}, 40002),
        ({"page_size": 1001}, 40002),
        ({"advertiser_id": "123"}, 40001),
        ({"advertiser_id": None}, 40002),
    ],
)
def test_get_validation(mk: Marketing, params: dict[str, Any], code: int) -> None:
    query = {"advertiser_id": ADVERTISER, **params}
    assert (
        mk.get("campaign/get/", **{k: v for k, v in query.items() if v is not None})["code"] == code
    )


def test_advertiser_info(mk: Marketing) -> None:
    data = mk.ok(mk.get("advertiser/info/", advertiser_ids=[ADVERTISER, "7100000000000000003"]))
    first, tokyo = data["list"]
    assert (first["currency"], first["timezone"]) == ("EUR", "Europe/Paris")
    assert (tokyo["currency"], tokyo["timezone"]) == ("JPY", "Asia/Tokyo")
    assert mk.get("advertiser/info/", advertiser_ids=["7999999999999999999"])["code"] == 40001


@pytest.mark.parametrize(
    ("changes", "code", "needle"),
    [
        ({"campaign_name": ""}, 40002, "campaign_name"),
        ({"campaign_name": "x" * 513}, 40002, "512"),
        ({"objective_type": "CONVERSIONS"}, 40002, "read-only"),
        ({"objective_type": "WINNING"}, 40002, "objective_type"),
        ({"budget_mode": "BUDGET_MODE_DAY", "budget": 30}, 40002, "greater than 46.00 EUR"),
        ({"budget_mode": "BUDGET_MODE_DAY", "budget": 2e7}, 40002, "less than"),
        ({"budget_mode": "BUDGET_MODE_WEEK"}, 40002, "budget_mode"),
        ({"budget_optimize_on": True}, 40002, "campaign budget"),
        ({"campaign_product_source": "STORE", "objective_type": "PRODUCT_SALES"}, 40002, "GMV Max"),
        ({"request_id": "abc"}, 40002, "request_id"),
    ],
)
def test_campaign_create_validation(
    mk: Marketing, changes: dict[str, Any], code: int, needle: str
) -> None:
    answer = _campaign(mk, **changes)
    assert answer["code"] == code and needle in answer["message"], answer


def test_one_objective_vocabulary_as_marketing_api_md_lists_it(mk: Marketing) -> None:
    """``objective_type`` (marketing_api.md §3.2): nine current values, four legacy ones, and
    the create endpoint takes every current one (RF_REACH included) and no legacy one."""
    assert OBJECTIVES == (
        "REACH", "TRAFFIC", "VIDEO_VIEWS", "ENGAGEMENT", "LEAD_GENERATION", "APP_PROMOTION",
        "WEB_CONVERSIONS", "PRODUCT_SALES", "RF_REACH",
    )  # fmt: skip
    assert LEGACY_OBJECTIVES == ("CONVERSIONS", "APP_INSTALL", "CATALOG_SALES", "SHOP_PURCHASES")
    for objective in OBJECTIVES:
        created = mk.ok(_campaign(mk, campaign_name=objective, objective_type=objective))
        assert created["objective_type"] == objective
    for objective in LEGACY_OBJECTIVES:
        assert "read-only" in _campaign(mk, objective_type=objective)["message"]
    assert set(write_rules.GOALS_BY_OBJECTIVE) == set(OBJECTIVES)
    assert not hasattr(write_rules, "OBJECTIVES")


def test_campaign_create_update_and_idempotency(mk: Marketing) -> None:
    first = mk.ok(_campaign(mk, request_id="42", budget_mode="BUDGET_MODE_DAY", budget=100))
    again = mk.ok(_campaign(mk, request_id="42", budget_mode="BUDGET_MODE_DAY", budget=100))
    assert first == again and first["create_time"] == NOW
    assert first["budget"] == 100.0 and first["secondary_status"] == "CAMPAIGN_STATUS_ENABLE"
    assert _campaign(mk)["message"].startswith("Campaign name already exists")
    cid = first["campaign_id"]
    renamed = mk.post(
        "campaign/update/",
        {
            "advertiser_id": ADVERTISER,
            "campaign_id": cid,
            "campaign_name": "Renamed",
            "budget": 120,
        },
    )
    assert mk.ok(renamed)["campaign_name"] == "Renamed"
    nothing = mk.post("campaign/update/", {"advertiser_id": ADVERTISER, "campaign_id": cid})
    assert nothing["code"] == 40012
    objective = mk.post(
        "campaign/update/",
        {"advertiser_id": ADVERTISER, "campaign_id": cid, "objective_type": "REACH"},
    )
    assert objective["code"] == 40002


def test_status_cascade(mk: Marketing, clock: MockClock) -> None:
    world = mk.world
    campaign = next(
        c for c in world.campaigns.values()
        if c.advertiser_id == ADVERTISER and not c.deleted and c.operation_status == "ENABLE"
    )  # fmt: skip
    answer = mk.post(
        "campaign/status/update/",
        {
            "advertiser_id": ADVERTISER,
            "campaign_ids": [campaign.campaign_id],
            "operation_status": "DISABLE",
        },
    )
    assert mk.ok(answer)["campaign_list"] == [
        {"campaign_id": campaign.campaign_id, "status": "DISABLE"}
    ]
    filtering = {"campaign_ids": [campaign.campaign_id]}
    groups = mk.ok(mk.get("adgroup/get/", advertiser_id=ADVERTISER, filtering=filtering))["list"]
    assert {g["secondary_status"] for g in groups} == {"ADGROUP_STATUS_CAMPAIGN_DISABLE"}
    ads = mk.ok(mk.get("ad/get/", advertiser_id=ADVERTISER, filtering=filtering))["list"]
    assert {a["secondary_status"] for a in ads} == {"AD_STATUS_CAMPAIGN_DISABLE"}
    today = clock().date()

    def spend(day: date) -> str:
        rows = mk.all_rows(
            data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id"], metrics=["spend"],
            filtering=[
                {"field_name": "campaign_ids", "filter_type": "IN",
                 "filter_value": f'["{campaign.campaign_id}"]'}
            ],
            start_date=str(day), end_date=str(day),
        )  # fmt: skip
        return rows[0]["metrics"]["spend"] if rows else "0"

    clock.advance(minutes=31)  # past the data latency: what ran until the pause is in
    before = spend(today)
    clock.advance(days=2)
    assert spend(today) == before  # paused at noon: no more delivery that day
    assert spend(today + timedelta(days=1)) == "0"
    delete = mk.post(
        "campaign/status/update/",
        {
            "advertiser_id": ADVERTISER,
            "campaign_ids": [campaign.campaign_id],
            "operation_status": "DELETE",
        },
    )
    assert mk.ok(delete)["status"] == "DELETE"
    enable = mk.post(
        "campaign/status/update/",
        {
            "advertiser_id": ADVERTISER,
            "campaign_ids": [campaign.campaign_id],
            "operation_status": "ENABLE",
        },
    )
    assert enable["code"] == 40002
    default = mk.ok(mk.get("ad/get/", advertiser_id=ADVERTISER, filtering=filtering))
    assert default["list"] == []
    deleted = mk.ok(
        mk.get(
            "ad/get/",
            advertiser_id=ADVERTISER,
            filtering={**filtering, "primary_status": "STATUS_DELETE"},
        )
    )
    assert deleted["list"] and {a["secondary_status"] for a in deleted["list"]} == {
        "AD_STATUS_DELETE"
    }


@pytest.mark.parametrize(
    ("changes", "code", "needle"),
    [
        ({"location_ids": []}, 40002, "location_ids"),
        ({"location_ids": ["123"]}, 40002, "location_ids"),
        ({"location_ids": ["6252001"], "age_groups": ["AGE_13_17"]}, 40065, "13-17"),
        ({"age_groups": ["AGE_99"]}, 40002, "age_groups"),
        ({"budget": 10}, 40002, "greater than"),
        ({"budget_mode": "BUDGET_MODE_TOTAL", "budget": 5000}, 40002, "SCHEDULE_START_END"),
        ({"schedule_start_time": "2026-03-01 20:00:00"}, 40002, "12 hours"),
        ({"schedule_start_time": "2026/03/02"}, 40002, "YYYY-MM-DD HH:MM:SS"),
        ({"schedule_type": "SCHEDULE_START_END"}, 40002, "schedule_end_time"),
        ({"optimization_goal": "REACH"}, 40002, "optimization_goal"),
        ({"bid_type": "BID_TYPE_CUSTOM"}, 40002, "conversion_bid_price"),
        (
            {"bid_type": "BID_TYPE_CUSTOM", "conversion_bid_price": 90},
            40002,
            "lower than the budget",
        ),
        ({"product_source": "STORE"}, 40002, "GMV Max"),
        ({"campaign_id": "1700000000000000000"}, 40002, "campaign_id"),
    ],
)
def test_adgroup_create_validation(
    mk: Marketing, changes: dict[str, Any], code: int, needle: str
) -> None:
    campaign_id = mk.ok(_campaign(mk))["campaign_id"]
    answer = _adgroup(mk, changes.pop("campaign_id", campaign_id), **changes)
    assert answer["code"] == code and needle in answer["message"], answer


def test_created_ads_deliver_after_review(mk: Marketing, clock: MockClock) -> None:
    campaign_id = mk.ok(_campaign(mk))["campaign_id"]
    adgroup = mk.ok(_adgroup(mk, campaign_id))
    assert adgroup["budget"] == 80.0 and adgroup["secondary_status"] == "ADGROUP_STATUS_CREATE"
    created = mk.ok(_ad(mk, adgroup["adgroup_id"]))
    ad = created["creatives"][0]
    assert created["ad_ids"] == [ad["ad_id"]] and ad["secondary_status"] == "AD_STATUS_AUDIT"
    clock.advance(minutes=11)
    listed = mk.ok(mk.get("ad/get/", advertiser_id=ADVERTISER, filtering={"ad_ids": [ad["ad_id"]]}))
    assert listed["list"][0]["secondary_status"] == "AD_STATUS_DELIVERY_OK"
    clock.advance(days=2)
    rows = mk.all_rows(
        dimensions=["ad_id", "stat_time_day"], data_level="AUCTION_AD", metrics=["spend"],
        filtering=[
            {"field_name": "ad_ids", "filter_type": "IN", "filter_value": f'["{ad["ad_id"]}"]'}
        ],
        start_date="2026-03-02", end_date="2026-03-03",
    )  # fmt: skip
    days = [r["dimensions"]["stat_time_day"][:10] for r in rows]
    assert days == ["2026-03-02", "2026-03-03"]
    assert float(rows[0]["metrics"]["spend"]) < float(rows[1]["metrics"]["spend"]) <= 80


@pytest.mark.parametrize(
    ("creative", "needle"),
    [
        ({"ad_text": ""}, "ad_text"),
        ({"ad_text": "x" * 101}, "ad_text"),
        ({"video_id": None}, "video_id"),
        ({"ad_format": "HOLOGRAM"}, "ad_format"),
        ({"identity_type": "ROBOT"}, "identity_type"),
        ({"landing_page_url": None}, "landing_page_url"),
        ({"landing_page_url": "ftp://x"}, "landing_page_url"),
        ({"ad_name": None}, "ad_name"),
    ],
)
def test_ad_create_validation(mk: Marketing, creative: dict[str, Any], needle: str) -> None:
    campaign_id = mk.ok(_campaign(mk))["campaign_id"]
    adgroup_id = mk.ok(_adgroup(mk, campaign_id))["adgroup_id"]
    answer = _ad(mk, adgroup_id, **creative)
    assert answer["code"] == 40002 and needle in answer["message"], answer


def test_fifty_ads_per_adgroup(mk: Marketing) -> None:
    campaign_id = mk.ok(_campaign(mk))["campaign_id"]
    adgroup_id = mk.ok(_adgroup(mk, campaign_id))["adgroup_id"]
    creative = {
        "ad_name": "x", "ad_format": "SINGLE_VIDEO", "identity_type": "CUSTOMIZED_USER",
        "identity_id": "c", "video_id": "v1", "ad_text": "t", "landing_page_url": "https://a.example",
    }  # fmt: skip
    for _ in range(2):
        batch = {
            "advertiser_id": ADVERTISER,
            "adgroup_id": adgroup_id,
            "creatives": [creative] * 20,
        }
        assert mk.post("ad/create/", batch)["code"] == 0
    batch = {"advertiser_id": ADVERTISER, "adgroup_id": adgroup_id, "creatives": [creative] * 11}
    assert mk.post("ad/create/", batch)["code"] == 40502


def test_ad_update_and_status(mk: Marketing) -> None:
    ad = next(a for a in mk.world.ads_of(ADVERTISER) if not a.deleted and not a.is_spark)
    spark = next(a for a in mk.world.ads_of(ADVERTISER) if not a.deleted and a.is_spark)
    body = {"advertiser_id": ADVERTISER, "creatives": [{"ad_id": ad.ad_id, "ad_name": "New"}]}
    assert mk.ok(mk.post("ad/update/", body))["creatives"][0]["ad_name"] == "New"
    text = {"advertiser_id": ADVERTISER, "creatives": [{"ad_id": spark.ad_id, "ad_text": "x"}]}
    assert mk.post("ad/update/", text)["code"] == 40002  # SPK-5
    off = mk.post(
        "ad/status/update/",
        {"advertiser_id": ADVERTISER, "ad_ids": [ad.ad_id], "operation_status": "DISABLE"},
    )
    assert mk.ok(off)["status"] == "DISABLE"
    listed = mk.ok(mk.get("ad/get/", advertiser_id=ADVERTISER, filtering={"ad_ids": [ad.ad_id]}))
    assert listed["list"][0]["secondary_status"] == "AD_STATUS_DISABLE"
    too_many = mk.post(
        "ad/status/update/",
        {"advertiser_id": ADVERTISER, "ad_ids": [ad.ad_id] * 21, "operation_status": "ENABLE"},
    )
    assert too_many["code"] == 40002


def test_adgroup_budget_update_respects_spend(mk: Marketing) -> None:
    group = max(
        (
            g for g in mk.world.adgroups.values()
            if g.advertiser_id == ADVERTISER and not g.deleted and g.schedule_end is None
        ),
        key=lambda g: g.budget,
    )  # fmt: skip
    ok = mk.post(
        "adgroup/budget/update/",
        {
            "advertiser_id": ADVERTISER,
            "budget": [{"adgroup_id": group.adgroup_id, "budget": group.budget * 2}],
        },
    )
    assert ok["code"] == 0
    low = mk.post(
        "adgroup/update/",
        {"advertiser_id": ADVERTISER, "adgroup_id": group.adgroup_id, "budget": 21},
    )
    assert low["code"] == 40002 and "105%" in low["message"]
