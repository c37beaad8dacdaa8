"""Per-ad constants of the delivery simulator (see :mod:`tokops.sandbox.world.delivery`).

An :class:`AdModel` turns an ad, its ad group and campaign into the numbers the daily draw
needs: base CPM in the account currency (objective, countries, targeting breadth, creative
quality, Spark's CPM effect), click, engagement and conversion rates, the ad's share of its
ad group's budget, how much a cost-cap bid lets it spend, and when it could deliver at all.
**[EMU]** all levels.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from tokops.sandbox.world.catalog import (
    AGES,
    BASE_CPM_USD,
    BASE_CTA_RATE,
    BASE_CVR,
    COUNTRIES,
    CURRENCY_PER_USD,
    GEO_TO_COUNTRY,
)
from tokops.sandbox.world.model import Ad

if TYPE_CHECKING:
    from tokops.sandbox.world.world import World

__all__ = ["CONVERT_GOALS", "AdModel"]

CONVERT_GOALS: Final = frozenset(
    {"CONVERT", "VALUE", "INSTALL", "LEAD_GENERATION", "IN_APP_EVENT", "PREFERRED_LEAD"}
)
_AGE_SHARE: Final = dict(zip(AGES, (0.08, 0.30, 0.30, 0.17, 0.09, 0.06), strict=True))


def _kind(objective: str, product_source: str | None) -> int:
    """0 converts nothing, 1 web purchases, 2 shop purchases, 3 app installs, 4 leads."""
    if objective == "PRODUCT_SALES":
        return 2 if product_source == "STORE" else 1
    return {"WEB_CONVERSIONS": 1, "APP_PROMOTION": 3, "LEAD_GENERATION": 4}.get(objective, 0)


class AdModel:
    """Per-ad constants of the simulator, derived from the ad, its ad group and campaign."""

    __slots__ = (
        "aov_cents",
        "breadth",
        "budget_log",
        "capacity",
        "cpm",
        "created_ord",
        "cta",
        "cvr",
        "duration",
        "freq",
        "goal",
        "intervals",
        "music_rate",
        "result_mode",
        "spend_factor",
        "t2",
        "t6",
        "tau",
        "key",
        "kind",
        "quality",
        "share",
        "social",
        "spark",
        "tz",
        "video",
        "anchor",
    )

    def __init__(self, world: World, ad: Ad) -> None:
        adgroup = world.adgroups[ad.adgroup_id]
        campaign = world.campaigns[ad.campaign_id]
        adv = world.advertisers[ad.advertiser_id]
        effects = world.settings.spark
        objective = campaign.objective_type
        self.key = int(ad.ad_id) % 2**63
        self.tz = adv.timezone
        self.spark = ad.is_spark
        self.quality = ad.quality
        self.duration = max(ad.duration, 1.0)
        self.video = ad.ad_format in ("SINGLE_VIDEO", "LIVE_CONTENT")
        self.anchor = ad.has_anchor
        self.kind = _kind(objective, adgroup.product_source)
        self.goal = adgroup.optimization_goal
        countries = [GEO_TO_COUNTRY.get(g, "US") for g in adgroup.location_ids] or ["US"]
        country_factor = sum(COUNTRIES[c].cpm_factor for c in countries) / len(countries)
        ages = adgroup.age_groups or AGES[1:]
        age_share = sum(_AGE_SHARE.get(a, 0.0) for a in ages) / (1 - _AGE_SHARE["AGE_13_17"])
        gender_share = 1.0 if adgroup.gender == "GENDER_UNLIMITED" else 0.55
        self.breadth = max(min(age_share * gender_share, 1.0), 0.05)
        ratio = CURRENCY_PER_USD[adv.currency]
        cpm = BASE_CPM_USD.get(objective, 6.0) * country_factor * ratio
        cpm *= self.breadth**-0.35 * self.quality**-0.2
        if self.spark:
            cpm *= 1 + effects.cpm
        self.cpm = cpm
        self.cta = BASE_CTA_RATE.get(objective, 0.005) * self.quality**0.9
        self.social = 0.0045 * self.quality**0.8
        self.cvr = BASE_CVR.get(objective, 0.0) * self.quality**0.3
        self.aov_cents = adv.aov * 100
        siblings = world.siblings(ad.adgroup_id) or [ad]
        weights = sum(s.quality**1.5 for s in siblings)
        self.share = ad.quality**1.5 / weights if ad in siblings else 0.0
        self.capacity = min(1.0, 0.55 + self.breadth)
        bid = adgroup.conversion_bid_price
        if adgroup.bid_type == "BID_TYPE_CUSTOM" and bid > 0 and self.cvr > 0:
            clicks_per_impr = self.cta * (1.25 if self.spark else 1.75)
            expected_cpa = cpm / 1000 / (clicks_per_impr * self.cvr)
            self.capacity *= min(1.0, (bid / expected_cpa) ** 2)
        self.budget_log = [(t.timestamp(), b) for t, b in adgroup.budget_log] or [
            (0.0, adgroup.budget)
        ]
        self.intervals = world.intervals(ad)
        self.spend_factor = 100.0 * self.share * self.capacity
        self.freq = 1.04 + 0.25 * (1 - self.breadth)
        self.music_rate = 0.0004 * self.quality
        self.tau = self.duration * 0.35 * self.quality**0.6
        self.t2 = min(2.0, self.duration)
        self.t6 = min(6.0, self.duration)
        goal = self.goal
        self.result_mode = (
            0
            if goal in CONVERT_GOALS
            else 1
            if goal in ("CLICK", "TRAFFIC_LANDING_PAGE_VIEW")
            else 2
            if goal == "REACH"
            else 3
            if goal in ("ENGAGED_VIEW", "ENGAGED_VIEW_FIFTEEN", "VIDEO_VIEW")
            else 4
            if goal == "FOLLOWERS"
            else 5
            if goal == "PAGE_VISIT"
            else 6
        )
        if self.cvr <= 0:
            self.kind = 0
        self.created_ord = ad.created.astimezone(ZoneInfo(self.tz)).date().toordinal()

    def budget_at(self, moment: float) -> float:
        value = self.budget_log[0][1]
        for t, b in self.budget_log:
            if t <= moment:
                value = b
        return value

    def active_days(self) -> tuple[int, int] | None:
        """First and last local day (ordinals) the ad may have delivered on."""
        if not self.intervals:
            return None
        zone = ZoneInfo(self.tz)
        first = datetime.fromtimestamp(self.intervals[0][0], UTC).astimezone(zone).date()
        end = max(e for _, e in self.intervals)
        if math.isinf(end):
            return first.toordinal(), date.max.toordinal() - 1
        last = datetime.fromtimestamp(end, UTC).astimezone(zone).date()
        return first.toordinal(), last.toordinal()
