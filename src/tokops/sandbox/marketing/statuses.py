"""Secondary and primary statuses of campaigns, ad groups and ads (``marketing_api.md`` §3.5).

``operation_status`` is the switch the user sets (ENABLE / DISABLE); the *secondary* status
says why an object delivers or not, looking at its parents, its schedule, review and Spark
authorization at the request's ``now``. Disabling a campaign shows its ad groups as
``ADGROUP_STATUS_CAMPAIGN_DISABLE`` and its ads as ``AD_STATUS_CAMPAIGN_DISABLE`` (the
cascade of checklist §8.10); deleting cascades for real. **[EMU]** Budget, balance and audit
states are not simulated; a new ad is in review (``AD_STATUS_AUDIT``) for
:data:`REVIEW_MINUTES`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from tokops.sandbox.world.model import Ad, AdGroup, Campaign
from tokops.sandbox.world.world import REVIEW_MINUTES, World

__all__ = [
    "PRIMARY_STATUSES",
    "REVIEW_MINUTES",
    "ad_status",
    "adgroup_status",
    "campaign_status",
    "primary_match",
]

PRIMARY_STATUSES: Final = (
    "STATUS_ALL",
    "STATUS_NOT_DELETE",
    "STATUS_DELETE",
    "STATUS_NOT_DELIVERY",
    "STATUS_DISABLE",
    "STATUS_DELIVERY_OK",
    "STATUS_TIME_DONE",
)


def campaign_status(campaign: Campaign) -> str:
    if campaign.deleted:
        return "CAMPAIGN_STATUS_DELETE"
    if campaign.operation_status == "DISABLE":
        return "CAMPAIGN_STATUS_DISABLE"
    return "CAMPAIGN_STATUS_ENABLE"


def adgroup_status(world: World, adgroup: AdGroup, now: datetime) -> str:
    campaign = world.campaigns[adgroup.campaign_id]
    if campaign.deleted:
        return "ADGROUP_STATUS_CAMPAIGN_DELETE"
    if adgroup.deleted:
        return "ADGROUP_STATUS_DELETE"
    if campaign.operation_status == "DISABLE":
        return "ADGROUP_STATUS_CAMPAIGN_DISABLE"
    if adgroup.operation_status == "DISABLE":
        return "ADGROUP_STATUS_DISABLE"
    if now < adgroup.schedule_start:
        return "ADGROUP_STATUS_NOT_START"
    if adgroup.schedule_end is not None and adgroup.schedule_end <= now:
        return "ADGROUP_STATUS_TIME_DONE"
    if not any(a.operation_status == "ENABLE" for a in world.siblings(adgroup.adgroup_id)):
        return "ADGROUP_STATUS_CREATE"
    return "ADGROUP_STATUS_DELIVERY_OK"


def ad_status(world: World, ad: Ad, now: datetime) -> str:
    adgroup = world.adgroups[ad.adgroup_id]
    campaign = world.campaigns[ad.campaign_id]
    if ad.deleted or adgroup.deleted or campaign.deleted:
        return "AD_STATUS_DELETE"
    if campaign.operation_status == "DISABLE":
        return "AD_STATUS_CAMPAIGN_DISABLE"
    if adgroup.operation_status == "DISABLE":
        return "AD_STATUS_ADGROUP_DISABLE"
    if ad.operation_status == "DISABLE":
        return "AD_STATUS_DISABLE"
    if now < ad.created + timedelta(minutes=REVIEW_MINUTES):
        return "AD_STATUS_AUDIT"
    if now < adgroup.schedule_start:
        return "AD_STATUS_NOT_START"
    if adgroup.schedule_end is not None and adgroup.schedule_end <= now:
        return "AD_STATUS_DONE"
    if ad.identity_type == "AUTH_CODE" and ad.tiktok_item_id:
        t = now.timestamp()
        if not any(a <= t < b for a, b in world.auth_window(ad)):
            return "AD_STATUS_ASSET_AUTHORIZATION_LOST"
    return "AD_STATUS_DELIVERY_OK"


def primary_match(primary: str, secondary: str) -> bool:
    """Does an object with *secondary* status pass the ``primary_status`` filter?"""
    deleted = secondary.endswith("_DELETE")
    if primary == "STATUS_ALL":
        return True
    if primary == "STATUS_NOT_DELETE":
        return not deleted
    if primary == "STATUS_DELETE":
        return deleted
    if primary == "STATUS_DELIVERY_OK":
        return secondary.endswith(("_DELIVERY_OK", "_STATUS_ENABLE"))
    if primary == "STATUS_DISABLE":
        return secondary.endswith("DISABLE")
    if primary == "STATUS_TIME_DONE":
        return secondary.endswith(("_TIME_DONE", "_DONE"))
    return not deleted and not secondary.endswith(("_DELIVERY_OK", "_STATUS_ENABLE"))
