"""The sandbox enforces the Spark rules itself: a client that skips tokops's checks gets the
API's error codes (SPK-4, SPK-5, SPK-6, SPK-8), and worlds can be built to fail that way."""

from __future__ import annotations

from typing import Any

import pytest

from tokops.sandbox import SandboxSettings

from ..conftest import ADVERTISER, Marketing, marketing_settings

CODES: dict[str, dict[str, Any]] = {
    "#FRESH-POST": {"duet": False, "sticker": False},
    "#BANNED-POST": {"banned": True},
    "#LONG-VIDEO": {"duration_s": 720.0},
    "#EXPIRES-SOON": {"expires_in_days": 3, "valid_days": 7},
    "#EXPIRED-CODE": {"expires_in_days": -1, "valid_days": 7},
}


def _settings(**marketing: Any) -> SandboxSettings:
    posts = [{"code": code, **spec} for code, spec in CODES.items()]
    limits = {"qpm": 10**9, "qpd": 10**9, "endpoint_qps": {}}
    return marketing_settings(marketing={**limits, "creator_posts": posts, **marketing})


@pytest.fixture
def mk_settings() -> SandboxSettings:
    return _settings()


def _campaign(mk: Marketing, objective: str, **extra: Any) -> dict[str, Any]:
    body = {"advertiser_id": ADVERTISER, "campaign_name": f"{objective} {extra}",
            "objective_type": objective, **extra}  # fmt: skip
    created: dict[str, Any] = mk.ok(mk.post("campaign/create/", body))
    return created


def _adgroup(mk: Marketing, campaign_id: str, goal: str) -> str:
    start = mk.clock().strftime("%Y-%m-%d %H:%M:%S")
    body = {
        "advertiser_id": ADVERTISER, "campaign_id": campaign_id, "adgroup_name": "g",
        "location_ids": ["6252001"], "budget_mode": "BUDGET_MODE_DAY", "budget": 100,
        "schedule_type": "SCHEDULE_FROM_NOW", "schedule_start_time": start,
        "optimization_goal": goal,
    }  # fmt: skip
    group_id: str = mk.ok(mk.post("adgroup/create/", body))["adgroup_id"]
    return group_id


def _spark(mk: Marketing, adgroup_id: str, code: str, **extra: Any) -> dict[str, Any]:
    entry = mk.world.auth_codes[code]
    creative = {
        "ad_name": "Spark", "ad_format": "SINGLE_VIDEO", "identity_type": "AUTH_CODE",
        "identity_id": entry.identity_id, "tiktok_item_id": entry.item_id, **extra,
    }  # fmt: skip
    body = {"advertiser_id": ADVERTISER, "adgroup_id": adgroup_id, "creatives": [creative]}
    return mk.post("ad/create/", body)


def _bind(mk: Marketing, code: str) -> dict[str, Any]:
    return mk.post("tt_video/authorize/", {"advertiser_id": ADVERTISER, "auth_code": code})


def test_the_buying_type_is_modelled_on_create(mk: Marketing) -> None:
    """SPK-4: ``rf_campaign_type`` or ``RF_REACH`` make a Reach & Frequency campaign."""
    auction = _campaign(mk, "ENGAGEMENT")
    rf = _campaign(mk, "TRAFFIC", rf_campaign_type="STANDARD")
    rf_reach = _campaign(mk, "RF_REACH")
    assert auction["buying_type"] == "AUCTION" and auction["rf_campaign_type"] is None
    assert rf["buying_type"] == rf_reach["buying_type"] == "RESERVATION_RF"
    assert rf["rf_campaign_type"] == "STANDARD"
    body = {"advertiser_id": ADVERTISER, "campaign_name": "x", "objective_type": "REACH"}
    bad = mk.post("campaign/create/", {**body, "rf_campaign_type": "NOPE"})
    assert bad["code"] == 40002 and "rf_campaign_type" in bad["message"]
    ids = [rf["campaign_id"], rf_reach["campaign_id"]]
    rf_only = {"buying_types": ["RESERVATION_RF"]}
    only_rf = mk.ok(
        mk.get("campaign/get/", advertiser_id=ADVERTISER, filtering=rf_only, page_size=1000)
    )
    assert sorted(c["campaign_id"] for c in only_rf["list"]) == sorted(ids)
    top = {"buying_types": ["RESERVATION_TOP_VIEW"]}
    top_view = mk.ok(mk.get("campaign/get/", advertiser_id=ADVERTISER, filtering=top))
    assert top_view["list"] == []


def test_pairing_is_checked_against_the_buying_type(mk: Marketing) -> None:
    """SPK-4: ENGAGEMENT is a Spark objective under Auction only; TRAFFIC under both."""
    assert mk.ok(_bind(mk, "#FRESH-POST")) == {}
    rf_engagement = _campaign(mk, "ENGAGEMENT", rf_campaign_type="STANDARD")
    group = _adgroup(mk, rf_engagement["campaign_id"], "FOLLOWERS")
    refused = _spark(mk, group, "#FRESH-POST")
    assert refused["code"] == 40002
    assert "ENGAGEMENT objective with the RESERVATION_RF buying type" in refused["message"]
    auction = _campaign(mk, "ENGAGEMENT")
    made = _spark(mk, _adgroup(mk, auction["campaign_id"], "FOLLOWERS"), "#FRESH-POST")
    assert (
        mk.ok(made)["creatives"][0]["tiktok_item_id"] == mk.world.auth_codes["#FRESH-POST"].item_id
    )
    rf_reach = _campaign(mk, "RF_REACH")
    assert mk.ok(_spark(mk, _adgroup(mk, rf_reach["campaign_id"], "REACH"), "#FRESH-POST"))


def test_ten_minute_video_and_banned_post_refused(mk: Marketing) -> None:
    """SPK-5 and SPK-6 on the sandbox's side."""
    assert mk.ok(_bind(mk, "#LONG-VIDEO")) == {}
    group = _adgroup(mk, _campaign(mk, "VIDEO_VIEWS")["campaign_id"], "ENGAGED_VIEW")
    long = _spark(mk, group, "#LONG-VIDEO")
    assert long["code"] == 40002 and "at most 10 minutes" in long["message"]
    banned = _bind(mk, "#BANNED-POST")
    assert banned["code"] == 40002 and "Contact the post's owner" in banned["message"]
    entry = mk.world.auth_codes["#BANNED-POST"]
    entry.bind(ADVERTISER, mk.clock())  # a client that got the binding anyway
    refused = _spark(mk, group, "#BANNED-POST")
    assert refused["code"] == 40002 and "Contact the post's owner" in refused["message"]


@pytest.mark.parametrize("mk_settings", [_settings(spark_ads_limit=3)])
def test_spark_ads_limit_answers_40502(mk: Marketing) -> None:
    """SPK-8 with the world's limit lowered to 3: the generated account already holds more."""
    existing = sum(1 for a in mk.world.ads.values()
                   if a.advertiser_id == ADVERTISER and a.is_spark and not a.deleted)  # fmt: skip
    assert existing >= 3
    assert mk.ok(_bind(mk, "#FRESH-POST")) == {}
    group = _adgroup(mk, _campaign(mk, "REACH")["campaign_id"], "REACH")
    refused = _spark(mk, group, "#FRESH-POST")
    assert refused["code"] == 40502 and "at most 3 Spark Ads" in refused["message"]


def test_expiring_and_expired_codes(mk: Marketing) -> None:
    """Codes built to expire: one expires in 3 days after the anchor, one already has."""
    soon = mk.ok(mk.get("tt_video/info/", advertiser_id=ADVERTISER, auth_code="#EXPIRES-SOON"))
    assert soon["auth_info"]["ad_auth_status"] == "AUTHORIZED"
    assert soon["auth_info"]["auth_end_time"] == "2026-03-04 00:00:00"
    expired = _bind(mk, "#EXPIRED-CODE")
    assert expired["code"] == 40002 and "expired" in expired["message"]
    fresh = mk.ok(mk.get("tt_video/info/", advertiser_id=ADVERTISER, auth_code="#FRESH-POST"))
    item = fresh["item_info"]
    assert (item["item_duet_status"], item["item_stitch_status"]) == ("DISABLE", "ENABLE")
    assert item["item_sticker_status"] == "DISABLE" and item["music_title"]  # SPK-12


def test_a_code_names_one_post() -> None:
    from tokops.sandbox.settings import SandboxConfigError, load_settings

    twice = {"marketing": {"creator_posts": [{"code": "#SAME-CODE"}, {"code": "#SAME-CODE"}]}}
    with pytest.raises(SandboxConfigError, match="more than once"):
        load_settings(None, twice)
    with pytest.raises(SandboxConfigError, match="code"):
        load_settings(None, {"marketing": {"creator_posts": [{"code": "no-hash"}]}})
