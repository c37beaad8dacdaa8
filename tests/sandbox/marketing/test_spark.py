"""Spark Ads: identities, authorization codes, creation rules, metrics and uplift (§4, SPK-*)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest

from tokops.sandbox.marketing import ad_write
from tokops.sandbox.world.ad_day_counts import IDX
from tokops.sandbox.world.model import AuthCode

from ..conftest import ADVERTISER, Marketing, MockClock


def _identity(mk: Marketing, kind: str) -> dict[str, Any]:
    data = mk.ok(mk.get("identity/get/", advertiser_id=ADVERTISER, identity_type=kind))
    found: dict[str, Any] = data["identity_list"][0]
    return found


def _adgroup(mk: Marketing) -> str:
    world = mk.world
    group = next(
        g for g in world.adgroups.values()
        if g.advertiser_id == ADVERTISER and not g.deleted and g.schedule_end is None
        and world.campaigns[g.campaign_id].objective_type == "VIDEO_VIEWS"
    )  # fmt: skip
    return group.adgroup_id


def _spark(mk: Marketing, adgroup_id: str, **creative: Any) -> dict[str, Any]:
    body = {"ad_name": "Spark", "ad_format": "SINGLE_VIDEO", "call_to_action": "LEARN_MORE"}
    body.update(creative)
    return mk.post(
        "ad/create/", {"advertiser_id": ADVERTISER, "adgroup_id": adgroup_id, "creatives": [body]}
    )


def _free_code(mk: Marketing) -> AuthCode:
    now = mk.clock()
    niche = mk.world.advertisers[ADVERTISER].niche
    return next(
        c for c in mk.world.auth_codes.values()
        if c.issued <= now < c.expires - timedelta(days=3) and not c.spans
        and not mk.world.posts[c.item_id].banned
        and mk.world.creators[c.identity_id].niche == niche
    )  # fmt: skip


def test_identities(mk: Marketing) -> None:
    data = mk.ok(mk.get("identity/get/", advertiser_id=ADVERTISER, page_size=100))
    kinds = {i["identity_type"] for i in data["identity_list"]}
    assert kinds == {"CUSTOMIZED_USER", "TT_USER", "BC_AUTH_TT", "AUTH_CODE"}
    bc = _identity(mk, "BC_AUTH_TT")
    assert bc["identity_authorized_bc_id"] == mk.world.advertisers[ADVERTISER].bc_id
    assert mk.get("identity/get/", advertiser_id=ADVERTISER, identity_type="X")["code"] == 40002


def test_identity_videos_page_by_cursor(mk: Marketing) -> None:
    user = _identity(mk, "TT_USER")
    seen: list[str] = []
    cursor: int | None = None
    while True:
        data = mk.ok(
            mk.get(
                "identity/video/get/", advertiser_id=ADVERTISER, identity_type="TT_USER",
                identity_id=user["identity_id"], count=20, cursor=cursor,
            )
        )  # fmt: skip
        seen += [v["item_info"]["item_id"] for v in data["video_list"]]
        if not data["has_more"]:
            break
        cursor = data["cursor"]
    account = mk.world.account_of(ADVERTISER)
    expected = [p.item_id for p in mk.world.posts_of(account.business_id, mk.clock())]
    assert seen == expected and len(set(seen)) == len(seen) > 20
    bc = _identity(mk, "BC_AUTH_TT")
    missing = mk.get(
        "identity/video/get/", advertiser_id=ADVERTISER, identity_type="BC_AUTH_TT",
        identity_id=bc["identity_id"],
    )  # fmt: skip
    assert missing["code"] == 40002 and "identity_authorized_bc_id" in missing["message"]
    one = mk.ok(
        mk.get(
            "identity/video/info/", advertiser_id=ADVERTISER, identity_type="TT_USER",
            identity_id=user["identity_id"], item_id=seen[0],
        )
    )  # fmt: skip
    assert one["item_info"]["item_id"] == seen[0]


def test_authorization_code_flow(mk: Marketing, clock: MockClock) -> None:
    code = _free_code(mk)
    adgroup_id = _adgroup(mk)
    creative = {
        "identity_type": "AUTH_CODE",
        "identity_id": code.identity_id,
        "tiktok_item_id": code.item_id,
    }
    refused = _spark(mk, adgroup_id, **creative)
    assert refused["code"] == 40002 and "/tt_video/authorize/" in refused["message"]
    info = mk.ok(mk.get("tt_video/info/", advertiser_id=ADVERTISER, auth_code=code.code))
    assert info["item_info"]["item_id"] == code.item_id
    assert info["auth_info"]["ad_auth_status"] == "AUTHORIZED"
    assert info["user_info"]["identity_id"] == code.identity_id
    bind = mk.post("tt_video/authorize/", {"advertiser_id": ADVERTISER, "auth_code": code.code})
    assert mk.ok(bind) == {}
    listed = mk.ok(mk.get("tt_video/list/", advertiser_id=ADVERTISER, page_size=50))
    assert code.item_id in [e["item_info"]["item_id"] for e in listed["list"]]
    ad = mk.ok(_spark(mk, adgroup_id, **creative))["creatives"][0]
    assert ad["tiktok_item_id"] == code.item_id and ad["identity_type"] == "AUTH_CODE"
    assert ad["ad_text"] == mk.world.posts[code.item_id].caption  # SPK-5
    clock.advance(days=1)
    unbind = mk.post("tt_video/unbind/", {"advertiser_id": ADVERTISER, "auth_code": code.code})
    assert mk.ok(unbind) == {}
    got = mk.ok(mk.get("ad/get/", advertiser_id=ADVERTISER, filtering={"ad_ids": [ad["ad_id"]]}))
    assert got["list"][0]["secondary_status"] == "AD_STATUS_ASSET_AUTHORIZATION_LOST"
    clock.advance(days=3)
    tomorrow = (clock() - timedelta(days=1)).date().isoformat()
    filtering = [
        {"field_name": "ad_ids", "filter_type": "IN", "filter_value": f'["{ad["ad_id"]}"]'}
    ]
    rows = mk.all_rows(
        dimensions=["ad_id"],
        data_level="AUCTION_AD",
        filtering=filtering,
        start_date=tomorrow,
        end_date=tomorrow,
    )
    assert rows == []  # no authorization, no delivery
    again = mk.post("tt_video/unbind/", {"advertiser_id": ADVERTISER, "auth_code": code.code})
    assert again["code"] == 40002


def test_bad_codes(mk: Marketing) -> None:
    world = mk.world
    expired = next(c for c in world.auth_codes.values() if c.expires < mk.clock())
    banned = next(c for c in world.auth_codes.values() if world.posts[c.item_id].banned)
    for code, needle in (
        (expired.code, "expired"),
        (banned.code, "owner"),
        ("#nope", "does not exist"),
    ):
        answer = mk.post("tt_video/authorize/", {"advertiser_id": ADVERTISER, "auth_code": code})
        assert answer["code"] == 40002 and needle in answer["message"], answer


def test_spark_creation_rules(mk: Marketing, monkeypatch: pytest.MonkeyPatch) -> None:
    world = mk.world
    user = _identity(mk, "TT_USER")
    account = world.account_of(ADVERTISER)
    post = world.posts_of(account.business_id, mk.clock())[3]
    adgroup_id = _adgroup(mk)
    ok = {
        "identity_type": "TT_USER",
        "identity_id": user["identity_id"],
        "tiktok_item_id": post.item_id,
    }
    first = mk.ok(_spark(mk, adgroup_id, **ok))
    second = mk.ok(_spark(mk, adgroup_id, **ok))  # SPK-3: a post backs any number of ads
    assert first["ad_ids"] != second["ad_ids"]
    with_text = _spark(mk, adgroup_id, ad_text="mine", **ok)
    assert with_text["code"] == 40002 and "caption" in with_text["message"]  # SPK-5
    other = world.account_of("7100000000000000002")
    foreign = world.posts_of(other.business_id, mk.clock())[0]
    assert _spark(mk, adgroup_id, **{**ok, "tiktok_item_id": foreign.item_id})["code"] == 40002
    bc = _identity(mk, "BC_AUTH_TT")
    no_bc = _spark(
        mk,
        adgroup_id,
        identity_type="BC_AUTH_TT",
        identity_id=bc["identity_id"],
        tiktok_item_id=post.item_id,
    )
    assert no_bc["code"] == 40002
    with_bc = _spark(
        mk, adgroup_id, identity_type="BC_AUTH_TT", identity_id=bc["identity_id"],
        tiktok_item_id=post.item_id, identity_authorized_bc_id=bc["identity_authorized_bc_id"],
    )  # fmt: skip
    assert with_bc["code"] == 0
    count = sum(1 for a in world.ads_of(ADVERTISER) if a.is_spark and not a.deleted)
    monkeypatch.setattr(ad_write, "MAX_SPARK_ADS", count)
    assert _spark(mk, adgroup_id, **ok)["code"] == 40502  # SPK-8


def test_banned_post_is_refused(mk: Marketing) -> None:
    world = mk.world
    banned = next(c for c in world.auth_codes.values() if world.posts[c.item_id].banned)
    banned.bind(ADVERTISER, mk.clock() - timedelta(days=1))  # bound before the ban
    answer = _spark(
        mk,
        _adgroup(mk),
        identity_type="AUTH_CODE",
        identity_id=banned.identity_id,
        tiktok_item_id=banned.item_id,
    )
    assert answer["code"] == 40002 and "Contact the post's owner" in answer["message"]  # SPK-6


def test_paid_engagement_is_credited_to_the_post(mk: Marketing) -> None:
    """SPK-2: the post's likes = organic likes + what every Spark ad on it earned."""
    world = mk.world
    account = world.account_of(ADVERTISER)
    promoted = {a.tiktok_item_id for a in world.ads_of(ADVERTISER) if a.tiktok_item_id}
    post = next(p for p in world.posts_of(account.business_id, mk.clock()) if p.item_id in promoted)
    ads = [a.ad_id for a in world.ads.values() if a.tiktok_item_id == post.item_id]
    filtering = [
        {"field_name": "ad_ids", "filter_type": "IN", "filter_value": str(ads).replace("'", '"')}
    ]
    paid = mk.all_rows(
        dimensions=["ad_id"], data_level="AUCTION_AD", query_lifetime=True,
        metrics=["likes", "video_play_actions"], filtering=filtering,
    )  # fmt: skip
    paid_likes = sum(int(r["metrics"]["likes"]) for r in paid)
    assert paid_likes > 0
    videos = mk.ok(
        mk.get(
            "business/video/list/", business_id=account.business_id, fields=["item_id", "likes"],
            filters={"video_ids": [post.item_id]},
        )
    )  # fmt: skip
    stats = world.organic.stats(post)
    organic = int(stats.likes * world.organic.post_visible(post, mk.clock()))
    assert videos["videos"][0]["likes"] == organic + paid_likes


def test_spark_uplift_matches_the_ground_truth(mk: Marketing) -> None:
    """SPK-11 measured on the API's numbers: each ad group runs one creative both ways."""
    world = mk.world
    truth = world.truth.spark_uplift
    metrics = [
        "impressions",
        "engagements",
        "video_play_actions",
        "video_views_p100",
        "spend",
        "clicks",
        "conversion",
    ]
    logs: dict[str, list[float]] = defaultdict(list)
    pooled: dict[bool, dict[str, int]] = {True: defaultdict(int), False: defaultdict(int)}
    for advertiser in world.advertisers:
        rows = mk.all_rows(
            advertiser_id=advertiser, dimensions=["ad_id"], data_level="AUCTION_AD",
            query_lifetime=True, metrics=metrics,
        )  # fmt: skip
        values = {r["dimensions"]["ad_id"]: r["metrics"] for r in rows}
        pairs: dict[str, dict[bool, dict[str, str]]] = defaultdict(dict)
        for ad_id, m in values.items():
            ad = world.ads[ad_id]
            if ad.name.endswith((" v1", " v2")):
                pairs[ad.adgroup_id][ad.is_spark] = m
        for pair in pairs.values():
            if len(pair) < 2:
                continue
            s, n = ({k: float(v) for k, v in pair[x].items()} for x in (True, False))
            logs["engagement_rate"].append(
                math.log(
                    s["engagements"] / s["impressions"] / (n["engagements"] / n["impressions"])
                )
            )
            logs["complete_view_rate"].append(
                math.log(
                    s["video_views_p100"]
                    / s["video_play_actions"]
                    / (n["video_views_p100"] / n["video_play_actions"])
                )
            )
            logs["cpm"].append(
                math.log(s["spend"] / s["impressions"] / (n["spend"] / n["impressions"]))
            )
            if n["conversion"] and s["conversion"]:
                for spark in (True, False):
                    for key in ("clicks", "conversion"):
                        pooled[spark][key] += int(float(pair[spark][key]))
    measured = {k: math.exp(sum(v) / len(v)) - 1 for k, v in logs.items()}
    assert len(logs["cpm"]) >= 15
    assert measured["engagement_rate"] == pytest.approx(truth["engagement_rate"], rel=0.1)
    assert measured["complete_view_rate"] == pytest.approx(truth["complete_view_rate"], rel=0.15)
    assert measured["cpm"] == pytest.approx(truth["cpm"], abs=0.02)
    cvr = (pooled[True]["conversion"] / pooled[True]["clicks"]) / (
        pooled[False]["conversion"] / pooled[False]["clicks"]
    )
    assert cvr - 1 == pytest.approx(truth["cvr"], abs=0.25)


def test_spark_metric_definitions(mk: Marketing) -> None:
    """SPK-10: Spark ads count fewer click kinds as clicks; the rest are profile visits."""
    world = mk.world
    sim = world.sim
    for ad in world.ads_of(ADVERTISER):
        if not ad.is_spark or ad.deleted:
            continue
        m = sim.model(ad)
        span = m.active_days()
        assert span is not None
        rec = sim.day(m, span[0] + 1, 1e12)
        if rec is None or rec[IDX["impressions"]] < 2000:
            continue
        cta_like = rec[IDX["clicks"]] / 1.25  # CTA + caption
        assert rec[IDX["profile_visits"]] == pytest.approx(cta_like * 0.5, rel=0.35, abs=3)
        assert rec[IDX["engagements"]] >= rec[IDX["clicks"]] + rec[IDX["follows"]]
        return
    pytest.fail("no Spark ad with enough delivery")
