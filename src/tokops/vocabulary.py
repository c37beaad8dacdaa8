"""The metric vocabulary: one unit and one additivity per metric the store keeps (KPI-1, SPK-10).

This is the only place a stored metric's **unit** and **additivity** are written down. It imports
nothing of tokops, so the client (:mod:`tokops.tiktok.marketing.metrics` types the wire values
with it) and the store's schema (:mod:`tokops.warehouse.schema` builds the columns from it, the
KPI engine gives its measures and KPIs the same units) read the same words.

Units (:data:`Unit`): ``count`` (whole events or people), ``money`` (an amount in the ad
account's currency), ``percent`` (a rate already × 100), ``ratio`` (a plain ratio or share, e.g.
frequency, ROAS) and ``seconds``.

Additivity (:data:`Additivity`) says what a sum over rows (days, ads, segments) means:

- ``sum``: the sum is meaningful (spend, impressions, clicks);
- ``ratio``: a per-row ratio or average as TikTok sends it (frequency, average play time): never
  summed; a total is Σ numerator / Σ denominator of additive metrics;
- ``unique``: a count of distinct people (reach): never summed, only read at the grain stored;
- ``stock``: a value at a moment (lifetime post metrics, follower counts): difference snapshots,
  never sum them.

Names are TikTok's API field names (``marketing_api.md`` §2.3, §2.8; ``analytics`` §2b); a name
means the same thing within one family (the paid report, GMV Max, the organic account day, the
organic post), not across them (``likes`` is a paid like in a report, a lifetime count on a post).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = [
    "ADDITIVITIES",
    "FOLLOWER_METRICS",
    "GMV_MAX_METRICS",
    "ORGANIC_DAY_METRICS",
    "ORGANIC_VIDEO_METRICS",
    "PAID_UNITS",
    "REPORT_METRICS",
    "UNITS",
    "Additivity",
    "Metric",
    "Unit",
]

Unit = Literal["count", "money", "percent", "ratio", "seconds"]
Additivity = Literal["sum", "ratio", "unique", "stock"]
UNITS: Final[tuple[Unit, ...]] = get_args(Unit)
ADDITIVITIES: Final[tuple[Additivity, ...]] = get_args(Additivity)


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric the store keeps: its API field name, unit, meaning and additivity."""

    name: str
    unit: Unit
    doc: str
    additivity: Additivity = "sum"

    @property
    def additive(self) -> bool:
        """True when summing over rows (days, ads, segments) is meaningful."""
        return self.additivity == "sum"


def _m(name: str, unit: Unit, doc: str, additivity: Additivity = "sum") -> Metric:
    return Metric(name, unit, doc, additivity)


#: The BASIC report metrics of the daily advertiser, campaign, ad group and ad tables. They cover
#: KPI-1 (plays, 25/50/75/100 % views, paid likes and shares, reach, average watch time per
#: user, impressions, paid clicks, conversions, purchase value; CTR, CPC, cost per 1,000 reached
#: and ROAS are derived from these sums) and SPK-10 (paid follows, profile visits, music-disc and
#: anchor clicks).
REPORT_METRICS: Final = (
    _m("spend", "money", "Estimated amount spent."),
    _m("impressions", "count", "Times the ads were shown."),
    _m("clicks", "count", "Paid destination clicks (Spark: CTA + caption only; SPK-10)."),
    _m("reach", "count", "Estimated unique users reached (16 h latency).", "unique"),
    _m("frequency", "ratio", "impressions / reach for this row.", "ratio"),
    _m("conversion", "count", "Optimisation events, attributed to impression time (restated)."),
    _m("real_time_conversion", "count", "Optimisation events, attributed to conversion time."),
    _m("result", "count", "Results of the ad group's optimisation goal."),
    _m("complete_payment", "count", "Website purchases (Complete Payment)."),
    _m(
        "total_complete_payment_rate",
        "money",
        "Total website purchase VALUE (TikTok's field name says rate; it is a value).",
    ),
    _m("total_landing_page_view", "count", "Landing page views."),
    _m("web_event_add_to_cart", "count", "Website add-to-cart events."),
    _m("initiate_checkout", "count", "Website checkouts started."),
    _m("onsite_shopping", "count", "TikTok Shop purchases."),
    _m("total_onsite_shopping_value", "money", "TikTok Shop gross revenue."),
    _m("app_install", "count", "App installs."),
    _m("video_play_actions", "count", "Video plays (starts; replays excluded)."),
    _m("video_watched_2s", "count", "Plays of at least 2 s."),
    _m("video_watched_6s", "count", "Plays of at least 6 s."),
    _m("video_views_p25", "count", "Plays reaching 25 %."),
    _m("video_views_p50", "count", "Plays reaching 50 %."),
    _m("video_views_p75", "count", "Plays reaching 75 %."),
    _m("video_views_p100", "count", "Complete plays."),
    _m("average_video_play", "seconds", "Average seconds per play.", "ratio"),
    _m(
        "average_video_play_per_user",
        "seconds",
        "Average seconds watched per user (estimated).",
        "ratio",
    ),
    _m("engaged_view", "count", "6-second focused views."),
    _m("engagements", "count", "Clicks of every kind (all clicks)."),
    _m("likes", "count", "Paid likes."),
    _m("comments", "count", "Paid comments."),
    _m("shares", "count", "Paid shares."),
    _m("follows", "count", "Paid follows (Spark ads only; SPK-10)."),
    _m("profile_visits", "count", "Paid profile visits (Spark ads only; SPK-10)."),
    _m("clicks_on_music_disc", "count", "Music-disc clicks (Spark; SPK-10)."),
    _m("anchor_clicks", "count", "Anchor-link clicks (Spark; SPK-10)."),
)
#: The GMV Max report metrics (§2.8).
GMV_MAX_METRICS: Final = (
    _m("cost", "money", "GMV Max cost."),
    _m("net_cost", "money", "GMV Max cost net of credits."),
    _m("orders", "count", "Shop orders attributed to GMV Max."),
    _m("gross_revenue", "money", "Shop gross revenue attributed to GMV Max."),
    _m("product_impressions", "count", "Product impressions."),
    _m("product_clicks", "count", "Product clicks."),
)
#: The organic account's daily metrics (``analytics`` §2b).
ORGANIC_DAY_METRICS: Final = tuple(
    _m(name, "count", doc)
    for name, doc in (
        ("video_views", "Views of the account's posts that day."),
        ("profile_views", "Profile views."),
        ("likes", "Likes received."),
        ("comments", "Comments received."),
        ("shares", "Shares."),
        ("daily_new_followers", "New followers."),
        ("daily_lost_followers", "Lost followers."),
        ("daily_total_followers", "Net follower change (new − lost)."),
        ("engaged_audience", "Users who engaged."),
        ("bio_link_clicks", "Bio link clicks."),
        ("email_clicks", "E-mail button clicks."),
        ("phone_number_clicks", "Phone button clicks."),
        ("address_clicks", "Address button clicks."),
        ("app_download_clicks", "App download clicks."),
        ("lead_submissions", "Lead form submissions."),
    )
)
_LIFETIME = "Lifetime value at taken_at (cumulative: difference snapshots, never sum them)."
#: A post's lifetime metrics, as read at one moment.
_LIFETIME_METRICS: Final[tuple[tuple[str, Unit, str], ...]] = (
    ("video_views", "count", "Views."),
    ("reach", "count", "Unique viewers."),
    ("likes", "count", "Likes."),
    ("comments", "count", "Comments."),
    ("shares", "count", "Shares."),
    ("total_time_watched", "seconds", "Seconds watched."),
)
ORGANIC_VIDEO_METRICS: Final = (
    *(_m(name, unit, f"{doc} {_LIFETIME}", "stock") for name, unit, doc in _LIFETIME_METRICS),
    _m("average_time_watched", "seconds", "Average seconds per view.", "ratio"),
    _m("full_video_watched_rate", "ratio", "Share of views watched to the end, as sent.", "ratio"),
)
#: The follower count, read once a day (the API cannot backfill it).
FOLLOWER_METRICS: Final = (_m("followers_count", "count", "Followers at taken_at.", "stock"),)

#: Unit of every paid metric (report and GMV Max) by API name: the client types wire values by it.
PAID_UNITS: Final[Mapping[str, Unit]] = {
    m.name: m.unit for m in (*REPORT_METRICS, *GMV_MAX_METRICS)
}
if len(PAID_UNITS) != len(REPORT_METRICS) + len(GMV_MAX_METRICS):  # pragma: no cover
    raise RuntimeError("a paid metric is declared twice")
