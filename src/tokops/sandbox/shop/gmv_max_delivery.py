"""GMV Max delivery: what each GMV Max campaign spent and sold, per day and product.

A GMV Max campaign (``marketing_api.md`` §5) spends close to its daily budget and earns a
return near its ROAS target (the tighter the target, the less it spends); revenue becomes
orders at the shop's average order value and is spread over the campaign's products. Same
keyed-hash scheme as :mod:`tokops.sandbox.world.delivery`: any (campaign, day) alone, always the
same. **[EMU]** every rate.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Final

from tokops.sandbox.world.calendar import day_clock
from tokops.sandbox.world.ids import draws2
from tokops.sandbox.world.model import GmvMaxCampaign
from tokops.sandbox.world.world import intersect

if TYPE_CHECKING:
    from tokops.sandbox.world.world import World

__all__ = ["GMV_FIELDS", "gmv_day", "gmv_intervals"]

GMV_FIELDS: Final = (
    "cost",  # cents
    "orders",
    "gross_revenue",  # cents
    "product_impressions",
    "product_clicks",
    "ad_video_views",
    "ad_video_views_2s",
    "ad_video_views_6s",
    "live_views",
    "live_views_10s",
    "live_follows",
)


def gmv_intervals(campaign: GmvMaxCampaign) -> tuple[tuple[float, float], ...]:
    spans: list[tuple[float, float]] = []
    opened: float | None = None
    for moment, status in sorted(campaign.status_log, key=lambda e: e[0]):
        if status == "ENABLE" and opened is None:
            opened = moment.timestamp()
        elif status in ("DISABLE", "DELETE") and opened is not None:
            spans.append((opened, moment.timestamp()))
            opened = None
    if opened is not None:
        spans.append((opened, math.inf))
    return tuple(intersect(spans, [(campaign.created.timestamp(), math.inf)]))


def gmv_day(
    world: World, campaign: GmvMaxCampaign, ordinal: int, now: datetime
) -> list[int] | None:
    """The campaign's counts on local *ordinal* as visible at *now* (``None``: nothing)."""
    adv = world.advertisers[campaign.advertiser_id]
    clock = day_clock(adv.timezone, ordinal)
    limit = now.timestamp() - world.settings.latency_minutes * 60.0
    share = clock.share_on(gmv_intervals(campaign), limit)
    if share <= 0:
        return None
    u = draws2(world.key, int(campaign.campaign_id) % 2**63, ordinal)
    tightness = min(1.0, (3.0 / max(campaign.roas_bid, 0.5)) ** 1.2)
    cost = campaign.budget * 100 * tightness * (0.85 + 0.15 * u[0]) * share
    roi = campaign.roas_bid * (0.85 + 0.4 * u[1])
    revenue = cost * roi
    orders = int(revenue / max(adv.aov * 100, 1.0) + u[2])
    impressions = int(cost / 100 / (6.0 * (0.9 + 0.2 * u[3])) * 1000 + u[4])
    clicks = int(impressions * 0.018 * (0.8 + 0.4 * u[5]) + u[6])
    views = int(impressions * 0.92 + u[7])
    live = campaign.shopping_ads_type == "LIVE"
    out = [
        int(cost + u[8]),
        min(orders, clicks),
        int(revenue + u[9]) if orders else 0,
        impressions,
        clicks,
        views,
        int(views * 0.6 + u[10]),
        int(views * 0.3 + u[11]),
        int(impressions * 0.2 + u[12]) if live else 0,
        int(impressions * 0.08 + u[13]) if live else 0,
        int(impressions * 0.004 + u[14]) if live else 0,
    ]
    return out if out[0] > 0 else None
