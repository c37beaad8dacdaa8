"""Columns shared by the store's tables, and the metric sets the syncs ask TikTok for.

Metric columns carry the **API field name** (``marketing_api.md`` §2.3, ``analytics`` §2b) so a
number can be traced back to TikTok's documentation. The report metric set covers KPI-1 (plays,
25/50/75/100 % views, paid likes and shares, reach, average watch time per user, impressions,
paid clicks, conversions, purchase value; CTR, CPC, cost per 1,000 reached and ROAS are derived
from these sums) and SPK-10 (paid follows, profile visits, music-disc and anchor clicks).
"""

from __future__ import annotations

from typing import Final

from tokops.ingest.schema import Column, ColumnType

__all__ = [
    "AD",
    "ADGROUP",
    "ADV",
    "AUDIENCE_METRICS",
    "BUSINESS",
    "CAMPAIGN",
    "CURRENCY",
    "GMV_MAX_METRICS",
    "ORGANIC_DAY_METRICS",
    "ORGANIC_VIDEO_METRICS",
    "REPORT_METRICS",
    "STAT_DATE",
    "SYNCED",
    "col",
    "metric",
]


def col(name: str, kind: ColumnType, doc: str = "") -> Column:
    return Column(name, kind, doc)


def metric(name: str, kind: ColumnType, doc: str, additive: bool = True) -> Column:
    return Column(name, kind, doc, additive)


ADV = col("advertiser_id", "id", "Ad account (advertiser) ID.")
CAMPAIGN = col("campaign_id", "id", "Campaign ID.")
ADGROUP = col("adgroup_id", "id", "Ad group ID.")
AD = col("ad_id", "id", "Ad ID.")
STAT_DATE = col("stat_date", "date", "Report day in the advertiser's time zone (not UTC).")
CURRENCY = col("currency", "text", "ISO 4217 currency of every money column of the row.")
SYNCED = col("synced_at", "timestamp", "When tokops last wrote this row (UTC).")
BUSINESS = col("business_id", "id", "TikTok business account ID (the account's open_id).")

#: BASIC report metrics of the daily advertiser, campaign, ad group and ad tables.
REPORT_METRICS: Final = (
    metric("spend", "money", "Estimated amount spent."),
    metric("impressions", "count", "Times the ads were shown."),
    metric("clicks", "count", "Paid destination clicks (Spark: CTA + caption only; SPK-10)."),
    metric("reach", "count", "Estimated unique users reached (16 h latency).", additive=False),
    metric("frequency", "decimal", "impressions / reach for this row.", additive=False),
    metric("conversion", "count", "Optimisation events, attributed to impression time (restated)."),
    metric("real_time_conversion", "count", "Optimisation events, attributed to conversion time."),
    metric("result", "count", "Results of the ad group's optimisation goal."),
    metric("complete_payment", "count", "Website purchases (Complete Payment)."),
    metric(
        "total_complete_payment_rate",
        "money",
        "Total website purchase VALUE (TikTok's field name says rate; it is a value).",
    ),
    metric("total_landing_page_view", "count", "Landing page views."),
    metric("web_event_add_to_cart", "count", "Website add-to-cart events."),
    metric("initiate_checkout", "count", "Website checkouts started."),
    metric("onsite_shopping", "count", "TikTok Shop purchases."),
    metric("total_onsite_shopping_value", "money", "TikTok Shop gross revenue."),
    metric("app_install", "count", "App installs."),
    metric("video_play_actions", "count", "Video plays (starts; replays excluded)."),
    metric("video_watched_2s", "count", "Plays of at least 2 s."),
    metric("video_watched_6s", "count", "Plays of at least 6 s."),
    metric("video_views_p25", "count", "Plays reaching 25 %."),
    metric("video_views_p50", "count", "Plays reaching 50 %."),
    metric("video_views_p75", "count", "Plays reaching 75 %."),
    metric("video_views_p100", "count", "Complete plays."),
    metric("average_video_play", "decimal", "Average seconds per play.", additive=False),
    metric(
        "average_video_play_per_user",
        "decimal",
        "Average seconds watched per user (estimated).",
        additive=False,
    ),
    metric("engaged_view", "count", "6-second focused views."),
    metric("engagements", "count", "Clicks of every kind (all clicks)."),
    metric("likes", "count", "Paid likes."),
    metric("comments", "count", "Paid comments."),
    metric("shares", "count", "Paid shares."),
    metric("follows", "count", "Paid follows (Spark ads only; SPK-10)."),
    metric("profile_visits", "count", "Paid profile visits (Spark ads only; SPK-10)."),
    metric("clicks_on_music_disc", "count", "Music-disc clicks (Spark; SPK-10)."),
    metric("anchor_clicks", "count", "Anchor-link clicks (Spark; SPK-10)."),
)
_AUDIENCE_NAMES: Final = (
    "spend impressions clicks conversion complete_payment total_complete_payment_rate "
    "onsite_shopping total_onsite_shopping_value engagements likes comments shares follows "
    "video_watched_2s video_watched_6s"
).split()
#: AUDIENCE report metrics (no unique-visitor metrics are allowed there, §2.2).
AUDIENCE_METRICS: Final = tuple(c for c in REPORT_METRICS if c.name in _AUDIENCE_NAMES)
GMV_MAX_METRICS: Final = (
    metric("cost", "money", "GMV Max cost."),
    metric("net_cost", "money", "GMV Max cost net of credits."),
    metric("orders", "count", "Shop orders attributed to GMV Max."),
    metric("gross_revenue", "money", "Shop gross revenue attributed to GMV Max."),
    metric("product_impressions", "count", "Product impressions."),
    metric("product_clicks", "count", "Product clicks."),
)
ORGANIC_DAY_METRICS: Final = tuple(
    metric(name, "count", doc)
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
_CUMULATIVE = "Lifetime value at taken_at (cumulative: difference snapshots, never sum them)."
ORGANIC_VIDEO_METRICS: Final = (
    metric("video_views", "count", f"Views. {_CUMULATIVE}", additive=False),
    metric("reach", "count", f"Unique viewers. {_CUMULATIVE}", additive=False),
    metric("likes", "count", f"Likes. {_CUMULATIVE}", additive=False),
    metric("comments", "count", f"Comments. {_CUMULATIVE}", additive=False),
    metric("shares", "count", f"Shares. {_CUMULATIVE}", additive=False),
    metric("total_time_watched", "decimal", f"Seconds watched. {_CUMULATIVE}", additive=False),
    metric("average_time_watched", "decimal", "Average seconds per view.", additive=False),
    metric(
        "full_video_watched_rate",
        "decimal",
        "Share of views watched to the end, as sent.",
        additive=False,
    ),
    col("impression_sources", "json", "Traffic sources [{source, percentage}] as JSON text."),
    col("audience_countries", "json", "Viewer countries as JSON text."),
)
