"""The report templates: each a named list of widgets over the KPI catalogue (KPI-6, KPI-7, EVT-6).

``tokops report list`` shows them and ``tokops report render NAME`` renders one. A template
only names catalogue KPIs and grains; the numbers come from the KPI engine, so a tile shows
what ``tokops kpi`` prints for the same days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from tokops.errors import ConfigError
from tokops.metrics.catalogue import CATALOGUE
from tokops.metrics.measures import Source
from tokops.reports.widgets import (
    Bar,
    Comment,
    EventsHealth,
    Funnel,
    KpiTiles,
    Table,
    TimeSeries,
    Widget,
)

__all__ = ["TEMPLATES", "ReportTemplate", "get_template"]


@dataclass(frozen=True, slots=True)
class ReportTemplate:
    name: str
    title: str
    description: str
    widgets: tuple[Widget, ...]

    def kpi_names(self) -> tuple[str, ...]:
        """Every catalogue KPI the template shows, in order of first use."""
        names: list[str] = []
        for w in self.widgets:
            if isinstance(w, KpiTiles | TimeSeries):
                names += w.kpis
            elif isinstance(w, Bar):
                names.append(w.kpi)
            elif isinstance(w, Table):
                names += w.kpis
            elif isinstance(w, Funnel):
                names += w.steps
        return tuple(dict.fromkeys(names))

    @property
    def sources(self) -> tuple[Source | str, ...]:
        """The KPI sources it reads (``paid``, ``organic`` …), plus ``events`` for the health."""
        found: list[Source | str] = [CATALOGUE[n].source for n in self.kpi_names()]
        if any(isinstance(w, EventsHealth) for w in self.widgets):
            found.append("events")
        return tuple(dict.fromkeys(found))


_ADS_TABLE: Final = ("spend", "impressions", "clicks", "ctr", "cpc", "conversions", "cpa", "roas")

_TEMPLATES: Final = (
    ReportTemplate(
        "tiktok-ads",
        "TikTok Ads",
        "Spend, delivery, conversions and return, by campaign and over time.",
        (
            KpiTiles(
                (
                    "spend",
                    "impressions",
                    "clicks",
                    "ctr",
                    "cpc",
                    "cpm",
                    "conversions",
                    "cpa",
                    "roas",
                )
            ),  # fmt: skip
            TimeSeries("Spend by day", ("spend",)),
            TimeSeries("Conversions by day", ("conversions",)),
            Funnel(
                "From impression to purchase", ("impressions", "clicks", "conversions", "purchases")
            ),
            Funnel(
                "Video views and quartiles",
                (
                    "video_views",
                    "video_views_p25",
                    "video_views_p50",
                    "video_views_p75",
                    "video_views_p100",
                ),
            ),  # fmt: skip
            Bar("Spend by campaign", "spend", "campaign"),
            Table("Campaigns", "campaign", _ADS_TABLE),
        ),
    ),
    ReportTemplate(
        "tiktok-organic",
        "TikTok organic",
        "Views, followers gained and lost, engagement and the best posts of the accounts.",
        (
            KpiTiles(
                (
                    "organic_video_views",
                    "organic_profile_views",
                    "organic_engagement_rate",
                    "new_followers",
                    "lost_followers",
                    "net_followers",
                )
            ),  # fmt: skip
            TimeSeries("Video views by day", ("organic_video_views",)),
            TimeSeries("Followers gained and lost by day", ("new_followers", "lost_followers")),
            Table(
                "Best posts (lifetime, latest snapshot)",
                "post",
                ("post_views", "post_avg_watch_time", "post_full_watch_rate"),
                top=10,
            ),
            Comment(
                "About engagement",
                "Engagement rate = (likes + comments + shares) / video views: the denominator "
                "is views, not reach or followers.",
            ),
        ),
    ),
    ReportTemplate(
        "spark-vs-non-spark",
        "Spark Ads vs non-Spark",
        "The same KPIs for Spark Ads (boosted posts) and regular ads side by side.",
        (
            KpiTiles(("follows", "profile_visits", "profile_visit_rate"), "Spark Ads only"),
            Table(
                "Spark vs non-Spark",
                "spark",
                (
                    "spend",
                    "impressions",
                    "ctr",
                    "cpc",
                    "cpm",
                    "cvr",
                    "cpa",
                    "roas",
                    "engagement_rate",
                ),
            ),  # fmt: skip
            Bar("CTR, Spark vs non-Spark", "ctr", "spark"),
            TimeSeries("Spend by day, Spark vs non-Spark", ("spend",), split="spark"),
            Comment(
                "Comparing clicks",
                "Spark Ads count destination clicks on the call-to-action and caption only; "
                "regular ads also count the nickname, profile photo and swipes (SPK-10), so "
                "compare CTR and CPC with care.",
            ),
        ),
    ),
    ReportTemplate(
        "shop",
        "TikTok Shop",
        "Shop orders and GMV attributed to the ads, and the return on spend.",
        (
            KpiTiles(("spend", "orders", "gmv", "shop_roas", "aov", "total_roas")),
            TimeSeries("Shop GMV by day", ("gmv",)),
            Bar("Shop GMV by campaign", "gmv", "campaign"),
            Table("Campaigns", "campaign", ("spend", "orders", "gmv", "shop_roas", "aov"), "gmv"),
        ),
    ),
    ReportTemplate(
        "events-health",
        "Events API health",
        "Server-side conversions: what was sent, refused, matched and ready to deduplicate.",
        (
            EventsHealth(),
            Comment(
                "Reading the score",
                "The match quality score (0-10) weighs the share of events carrying each "
                "match key; see `tokops events health --help` for the weights.",
            ),
        ),
    ),
    ReportTemplate(
        "social",
        "Social overview",
        "TikTok organic and TikTok Ads side by side.",
        (
            KpiTiles(
                ("organic_video_views", "organic_engagement_rate", "net_followers"), "Organic"
            ),
            KpiTiles(("spend", "impressions", "video_views", "conversions"), "Paid"),
            TimeSeries("Organic video views by day", ("organic_video_views",)),
            TimeSeries("Paid video views by day", ("video_views",)),
        ),
    ),
)

#: The templates by name, in the order ``tokops report list`` shows them.
TEMPLATES: Final[Mapping[str, ReportTemplate]] = {t.name: t for t in _TEMPLATES}


def get_template(name: str) -> ReportTemplate:
    """The template called *name*; a clear error listing the others."""
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ConfigError(
            f"unknown report {name!r}; use one of: {', '.join(TEMPLATES)} (`tokops report list`)"
        ) from None
