"""Campaign, ad group and ad objects as the Marketing API returns them (§3.2–3.6).

Ids are strings, money is a float in the account currency, times are ``YYYY-MM-DD HH:MM:SS``
UTC. Fields the sandbox does not model come back with their documented defaults (e.g.
``campaign_automation_type: "MANUAL"``, ``click_attribution_window: "SEVEN_DAYS"``) or
``None`` so ``exclude_field_types_in_response=["NULL_FIELD"]`` can drop them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from tokops.sandbox.marketing.statuses import ad_status, adgroup_status, campaign_status
from tokops.sandbox.world.ids import fmt_time
from tokops.sandbox.world.model import Ad, AdGroup, Campaign
from tokops.sandbox.world.world import World

__all__ = [
    "ADGROUP_FIELDS",
    "AD_FIELDS",
    "CAMPAIGN_FIELDS",
    "ad_dict",
    "adgroup_dict",
    "campaign_dict",
]

_LEGACY_OBJECTIVE: Final = {
    "TRAFFIC": "LANDING_PAGE",
    "WEB_CONVERSIONS": "LANDING_PAGE",
    "PRODUCT_SALES": "LANDING_PAGE",
    "APP_PROMOTION": "APP",
    "LEAD_GENERATION": "LEAD_GENERATION",
}


def campaign_dict(world: World, c: Campaign, now: datetime) -> dict[str, Any]:
    del world, now
    return {
        "advertiser_id": c.advertiser_id,
        "campaign_id": c.campaign_id,
        "campaign_name": c.name,
        "objective_type": c.objective_type,
        "objective": _LEGACY_OBJECTIVE.get(c.objective_type, c.objective_type),
        "virtual_objective_type": "SALES"
        if c.objective_type in ("WEB_CONVERSIONS", "PRODUCT_SALES")
        else None,
        "budget_mode": c.budget_mode,
        "budget": float(c.budget),
        "budget_optimize_on": c.budget_optimize_on,
        "operation_status": "DELETE" if c.deleted else c.operation_status,
        "secondary_status": campaign_status(c),
        "is_new_structure": True,
        "deep_bid_type": None,
        "roas_bid": 0.0,
        "campaign_type": c.campaign_type,
        "app_promotion_type": c.app_promotion_type,
        "campaign_product_source": c.campaign_product_source,
        "buying_type": c.buying_type,
        "rf_campaign_type": c.extra.get("rf_campaign_type"),
        "is_smart_performance_campaign": False,
        "is_search_campaign": False,
        "campaign_automation_type": "MANUAL",
        "split_test_variable": c.extra.get("split_test_variable"),
        "create_time": fmt_time(c.created),
        "modify_time": fmt_time(c.modified),
    }


def adgroup_dict(world: World, g: AdGroup, now: datetime) -> dict[str, Any]:
    campaign = world.campaigns[g.campaign_id]
    store = world.stores.get(g.store_id) if g.store_id else None
    cbo = campaign.budget_optimize_on
    return {
        "advertiser_id": g.advertiser_id,
        "campaign_id": g.campaign_id,
        "campaign_name": campaign.name,
        "adgroup_id": g.adgroup_id,
        "adgroup_name": g.name,
        "placement_type": g.placement_type,
        "placements": list(g.placements),
        "location_ids": list(g.location_ids),
        "age_groups": list(g.age_groups) or None,
        "gender": g.gender,
        "languages": list(g.languages),
        "budget_mode": "BUDGET_MODE_INFINITE" if cbo else g.budget_mode,
        "budget": 0.0 if cbo else float(g.budget),
        "schedule_type": g.schedule_type,
        "schedule_start_time": fmt_time(g.schedule_start),
        "schedule_end_time": fmt_time(g.schedule_end) if g.schedule_end else None,
        "dayparting": None,
        "optimization_goal": g.optimization_goal,
        "optimization_event": g.extra.get("optimization_event"),
        "billing_event": g.billing_event,
        "bid_type": g.bid_type,
        "bid_price": float(g.bid_price),
        "conversion_bid_price": float(g.conversion_bid_price),
        "deep_bid_type": None,
        "pacing": g.pacing,
        "click_attribution_window": "SEVEN_DAYS",
        "view_attribution_window": "ONE_DAY",
        "promotion_type": g.promotion_type,
        "shopping_ads_type": "VIDEO" if g.product_source == "STORE" else None,
        "product_source": g.product_source,
        "store_id": g.store_id,
        "store_authorized_bc_id": store.bc_id if store else None,
        "pixel_id": g.extra.get("pixel_id"),
        "operation_status": "DELETE" if g.deleted or campaign.deleted else g.operation_status,
        "secondary_status": adgroup_status(world, g, now),
        "split_test_group_id": g.split_test_group_id,
        "split_test_status": "IN_PROGRESS" if g.split_test_group_id else None,
        "is_smart_performance_campaign": False,
        "create_time": fmt_time(g.created),
        "modify_time": fmt_time(g.modified),
    }


def ad_dict(world: World, a: Ad, now: datetime) -> dict[str, Any]:
    campaign = world.campaigns[a.campaign_id]
    adgroup = world.adgroups[a.adgroup_id]
    post = world.posts.get(a.tiktok_item_id) if a.tiktok_item_id else None
    custom = a.identity_type == "CUSTOMIZED_USER"
    return {
        "advertiser_id": a.advertiser_id,
        "campaign_id": a.campaign_id,
        "campaign_name": campaign.name,
        "adgroup_id": a.adgroup_id,
        "adgroup_name": adgroup.name,
        "ad_id": a.ad_id,
        "ad_name": a.name,
        "ad_format": a.ad_format,
        "ad_text": post.caption if post else a.ad_text,
        "call_to_action": a.call_to_action,
        "landing_page_url": a.landing_page_url,
        "identity_type": a.identity_type,
        "identity_id": a.identity_id,
        "identity_authorized_bc_id": a.identity_authorized_bc_id,
        "tiktok_item_id": a.tiktok_item_id,
        "video_id": a.video_id,
        "image_ids": [],
        "display_name": world.advertisers[a.advertiser_id].brand if custom else None,
        "dark_post_status": "ON",
        "promotional_music_disabled": True,
        "item_duet_status": "ENABLE" if a.tiktok_item_id else None,
        "item_stitch_status": "ENABLE" if a.tiktok_item_id else None,
        "is_aco": False,
        "operation_status": "DELETE"
        if a.deleted or adgroup.deleted or campaign.deleted
        else a.operation_status,
        "secondary_status": ad_status(world, a, now),
        "create_time": fmt_time(a.created),
        "modify_time": fmt_time(a.modified),
    }


CAMPAIGN_FIELDS: Final = frozenset(
    {
        "advertiser_id", "campaign_id", "campaign_name", "objective_type", "objective",
        "virtual_objective_type", "budget_mode", "budget", "budget_optimize_on",
        "operation_status", "secondary_status", "is_new_structure", "deep_bid_type",
        "roas_bid", "campaign_type", "app_promotion_type", "campaign_product_source",
        "buying_type", "rf_campaign_type",
        "is_smart_performance_campaign", "is_search_campaign", "campaign_automation_type",
        "split_test_variable", "create_time", "modify_time",
    }
)  # fmt: skip
ADGROUP_FIELDS: Final = frozenset(
    {
        "advertiser_id", "campaign_id", "campaign_name", "adgroup_id", "adgroup_name",
        "placement_type", "placements", "location_ids", "age_groups", "gender", "languages",
        "budget_mode", "budget", "schedule_type", "schedule_start_time", "schedule_end_time",
        "dayparting", "optimization_goal", "optimization_event", "billing_event", "bid_type",
        "bid_price", "conversion_bid_price", "deep_bid_type", "pacing",
        "click_attribution_window", "view_attribution_window", "promotion_type",
        "shopping_ads_type", "product_source", "store_id", "store_authorized_bc_id", "pixel_id",
        "operation_status", "secondary_status", "split_test_group_id", "split_test_status",
        "is_smart_performance_campaign", "create_time", "modify_time",
    }
)  # fmt: skip
AD_FIELDS: Final = frozenset(
    {
        "advertiser_id", "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_id",
        "ad_name", "ad_format", "ad_text", "call_to_action", "landing_page_url",
        "identity_type", "identity_id", "identity_authorized_bc_id", "tiktok_item_id",
        "video_id", "image_ids", "display_name", "dark_post_status",
        "promotional_music_disabled", "item_duet_status", "item_stitch_status", "is_aco",
        "operation_status", "secondary_status", "create_time", "modify_time",
    }
)  # fmt: skip
