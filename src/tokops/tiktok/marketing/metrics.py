"""Report metrics: one declarative catalogue and the typing of wire values (KPI-1, SPK-10).

Report metric values arrive as **strings** (``"spend": "14.68"``, ``"ctr": "1.20"``), and ``"-"``
when a value is missing or does not apply (``marketing_api.md`` §2.1). :func:`parse_value` turns
them into typed values:

=========  ===========================================================  ==================
kind       meaning                                                      Python value
=========  ===========================================================  ==================
count      whole events or people                                       ``int``
money      an amount in the ad account's currency                       ``Decimal``
percent    a rate already multiplied by 100 (``"1.20"`` is 1.20 %)      ``Decimal``
ratio      a plain ratio (frequency, ROAS, ROI)                         ``Decimal``
seconds    a duration                                                   ``Decimal``
text       a descriptive attribute (``campaign_name``, ``currency``)    ``str``
=========  ===========================================================  ==================

The numeric kinds are the units of :mod:`tokops.vocabulary`; a metric the store keeps takes
its unit from there (one declaration for the client, the store and the KPIs). ``"-"``, ``""``
and ``None`` become ``None``. A censored count such as ``"<5"`` (search-term reports, §2.1) also
becomes ``None``: it is not a number. Names come from §2.3 (definitions) and
§2.8 (GMV Max); a metric not in the table is typed from its name (``cost_per_*`` → money,
``*_rate`` → percent, ``*_roas`` → ratio) and otherwise from its value.

Flags: ``uv`` marks unique-visitor metrics that AUDIENCE reports refuse (§2.2: ``reach``,
``frequency``, ``cost_per_1000_reached``); ``audience=False`` marks the metrics Airbyte's
``NOT_AUDIENCE_METRICS`` adds (§2.2 names ``video_play_actions`` as an example; the full list is
unconfirmed). ``spark`` marks the paid-engagement metrics that only Spark ads earn (SPK-10,
``analytics_and_reverse_etl.md`` §2a).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from tokops.vocabulary import PAID_UNITS, Unit

__all__ = [
    "CATALOGUE",
    "MetricDef",
    "MetricKind",
    "MetricValue",
    "audience_forbidden",
    "kind_of",
    "parse_metrics",
    "parse_value",
]

MetricKind = Unit | Literal["text"]
MetricValue = int | Decimal | str | None


@dataclass(frozen=True)
class MetricDef:
    """One report metric: its wire name, kind and flags."""

    name: str
    kind: MetricKind
    description: str = ""
    uv: bool = False
    """Unique-visitor metric: not allowed in AUDIENCE reports, 16 h latency (§2.2, §2.4)."""
    audience: bool = True
    """False when AUDIENCE reports refuse the metric for another reason (§2.2, Airbyte list)."""
    spark: bool = False
    """Only Spark ads earn it (SPK-10)."""


def _defs(kind: MetricKind, names: str, **flags: Any) -> list[MetricDef]:
    return [MetricDef(n, kind, **flags) for n in names.split()]


def _stored(names: str, **flags: Any) -> list[MetricDef]:
    """Metrics the store keeps: their unit is the vocabulary's (:mod:`tokops.vocabulary`)."""
    return [MetricDef(n, PAID_UNITS[n], **flags) for n in names.split()]


_TABLE: list[MetricDef] = [
    # -- core delivery (§2.3) ------------------------------------------------------------------
    *_stored("spend", description="Estimated total amount spent"),
    *_defs("money", "cash_spend voucher_spend billed_cost", description="advertiser level"),
    *_stored("impressions clicks"),
    *_defs("count", "gross_impressions"),
    MetricDef("ctr", "percent", "clicks / impressions × 100 (destination clicks)"),
    MetricDef("cpc", "money", "spend / clicks"),
    MetricDef("cpm", "money", "spend / impressions × 1000"),
    *_stored("reach", description="Estimated unique users reached", uv=True),
    *_stored("frequency", description="impressions / reach", uv=True),
    MetricDef("cost_per_1000_reached", "money", "spend / reach × 1000", uv=True),
    # -- conversions and results ---------------------------------------------------------------
    *_stored("conversion", description="Optimisation events, attributed to impression time"),
    MetricDef("cost_per_conversion", "money", "spend / conversion"),
    MetricDef("conversion_rate", "percent", "conversion / clicks × 100"),
    MetricDef("conversion_rate_v2", "percent", "conversion / impressions × 100"),
    *_stored("real_time_conversion result"),
    *_defs("count", "real_time_result secondary_goal_result"),
    *_defs("money", "real_time_cost_per_conversion cost_per_result real_time_cost_per_result"),
    *_defs("money", "cost_per_secondary_goal_result"),
    *_defs("percent", "real_time_conversion_rate real_time_conversion_rate_v2 result_rate"),
    *_defs("percent", "real_time_result_rate secondary_goal_result_rate"),
    # -- video (HELP video-play) -----------------------------------------------------------------
    *_stored("video_play_actions", description="Video starts, replays excluded", audience=False),
    *_stored("video_watched_2s video_watched_6s"),
    *_defs("count", "video_watched_continuous_2s"),
    *_stored("video_views_p25 video_views_p50 video_views_p75 video_views_p100"),
    *_stored("average_video_play", description="Average play time per video play"),
    *_stored("average_video_play_per_user", description="Average play time per user"),
    *_stored("engaged_view"),
    *_defs("count", "paid_engaged_view paid_engagement_engaged_view"),
    *_defs("count", "engaged_view_15s paid_engaged_view_15s paid_engagement_engaged_view_15s"),
    *_defs("money", "cost_per_engaged_view cost_per_engaged_view_15s"),
    # -- engagement (paid: during or from a paid impression) -----------------------------------
    *_stored("engagements", description="Clicks (all)"),
    MetricDef("engagement_rate", "percent", "engagements / impressions × 100"),
    *_stored("likes comments shares", description="Paid likes / comments / shares"),
    *_stored("follows", description="Paid follows", spark=True),
    *_stored("profile_visits", description="Paid profile visits", spark=True),
    MetricDef("profile_visits_rate", "percent", "profile_visits / impressions", spark=True),
    *_stored("clicks_on_music_disc", description="Music disc clicks", spark=True),
    *_stored("anchor_clicks", description="Anchor link clicks", spark=True),
    MetricDef("anchor_click_rate", "percent", "anchor_clicks / impressions × 100", spark=True),
    *_defs("count", "duet_clicks stitch_clicks sound_usage_clicks clicks_on_hashtag_challenge"),
    MetricDef("tt_playlist_visit", "count"),
    *_defs("percent", "tt_playlist_visit_rate ix_page_view_count_rate"),
    *_defs("count", "ix_page_view_count ix_button_click_count ix_product_click_count"),
    *_defs("count", "ix_video_views ix_video_views_p25 ix_video_views_p50 ix_video_views_p75"),
    *_defs("count", "ix_video_views_p100 interactive_add_on_impressions"),
    MetricDef("cost_per_ix_page_view_count", "money"),
    *_defs("count", "interactive_add_on_destination_clicks interactive_add_on_activity_clicks"),
    *_defs("count", "interactive_add_on_option_a_clicks interactive_add_on_option_b_clicks"),
    *_defs("count", "countdown_sticker_recall_clicks"),
    *_stored("product_impressions product_clicks"),
    *_defs("count", "product_cta"),
    # -- LIVE and GMV Max (§2.3, §2.8) ---------------------------------------------------------
    *_defs("count", "live_views live_unique_views live_effective_views live_product_clicks"),
    *_defs("count", "10_second_live_views live_follows"),
    *_stored("orders cost net_cost gross_revenue"),
    *_defs("money", "cost_per_live_view cost_per_order"),
    MetricDef("roi", "ratio", "gross_revenue / cost (GMV Max)"),
    *_defs("percent", "product_click_rate ad_click_rate ad_conversion_rate"),
    *_defs("percent", "ad_video_view_rate_2s ad_video_view_rate_6s ad_video_view_rate_p25"),
    *_defs("percent", "ad_video_view_rate_p50 ad_video_view_rate_p75 ad_video_view_rate_p100"),
    # -- app ---------------------------------------------------------------------------------------
    *_stored("app_install"),
    *_defs("count", "real_time_app_install registration total_registration"),
    *_defs("count", "purchase total_purchase app_event_add_to_cart total_app_event_add_to_cart"),
    *_defs("count", "checkout total_checkout view_content total_view_content next_day_open"),
    *_defs("count", "day7_retention"),
    *_defs("money", "cost_per_app_install real_time_app_install_cost cost_per_registration"),
    *_defs("money", "cost_per_purchase total_purchase_value"),
    *_defs("percent", "registration_rate purchase_rate"),
    MetricDef("total_active_pay_roas", "ratio"),
    # -- website / pixel -------------------------------------------------------------------------
    *_stored("complete_payment", description="Purchases (Complete Payment)"),
    MetricDef("cost_per_complete_payment", "money", "spend / complete_payment"),
    MetricDef("complete_payment_rate", "percent", "complete_payment / clicks × 100"),
    MetricDef("value_per_complete_payment", "money", "Average purchase value"),
    *_stored(
        "total_complete_payment_rate",
        description="Total purchase VALUE despite the name (§2.3, conflict-prone)",
    ),
    MetricDef(
        "total_complete_payment_value",
        "money",
        "Total purchase value as named in analytics §2a (unconfirmed against §2.3)",
    ),
    MetricDef("complete_payment_roas", "ratio", "purchase value / spend"),
    *_stored("total_landing_page_view"),
    *_defs("count", "total_pageview button_click online_consult"),
    *_defs("count", "user_registration page_content_view_events"),
    *_stored("web_event_add_to_cart"),
    *_stored("initiate_checkout"),
    *_defs("count", "on_web_order add_billing page_event_search form"),
    *_defs("count", "download_start on_web_add_to_wishlist on_web_subscribe"),
    MetricDef("landing_page_view_rate", "percent"),
    MetricDef("cost_per_landing_page_view", "money"),
    # -- TikTok Shop / onsite ------------------------------------------------------------------
    *_stored("onsite_shopping", description="Purchases (Shop)"),
    MetricDef("cost_per_onsite_shopping", "money", "Cost per purchase (Shop)"),
    MetricDef("onsite_shopping_rate", "percent", "Purchase rate (Shop)"),
    MetricDef("value_per_onsite_shopping", "money", "Average order value (Shop)"),
    *_stored("total_onsite_shopping_value", description="Gross revenue (Shop)"),
    MetricDef("onsite_shopping_roas", "ratio", "total_onsite_shopping_value / spend"),
    *_defs("count", "onsite_initiate_checkout_count onsite_on_web_detail onsite_on_web_cart"),
    *_defs("count", "onsite_add_to_wishlist onsite_form onsite_download_start"),
    *_defs("count", "onsite_destination_visits"),
    MetricDef("onsite_initiate_checkout_count_value", "money"),
    # -- attribution splits (partial) ----------------------------------------------------------
    *_defs("count", "vta_conversion vta_purchase vta_complete_payment cta_conversion"),
    *_defs("count", "cta_purchase cta_complete_payment"),
    MetricDef("vta_complete_payment_value", "money"),
    MetricDef("vta_complete_payment_roas", "ratio"),
    # -- attribute "metrics" (§2.3) --------------------------------------------------------------
    *_defs(
        "text",
        "campaign_name campaign_id adgroup_name adgroup_id ad_name ad_text advertiser_id "
        "placement_type promotion_type tt_app_id tt_app_name mobile_app_id "
        "dpa_target_audience_type objective_type currency timezone campaign_automation_type "
        "opt_status smart_target billing_event bid_strategy image_mode split_test "
        "creative_delivery_status",
    ),
    MetricDef("budget", "money", "Budget of the object (attribute)"),
]

#: Every known metric by wire name.
CATALOGUE: Final[Mapping[str, MetricDef]] = {d.name: d for d in _TABLE}
if len(CATALOGUE) != len(_TABLE):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate metric in the catalogue")

_MISSING: Final = frozenset({"", "-", "--", "N/A"})


def kind_of(name: str) -> MetricKind | None:
    """The kind of a metric: from the catalogue, else from its name, else ``None`` (by value)."""
    known = CATALOGUE.get(name)
    if known is not None:
        return known.kind
    if name.startswith("cost_per_") or name.endswith(("_cost", "_value", "_spend")):
        return "money"
    if name.endswith("_roas"):
        return "ratio"
    if name.endswith("_rate") or name.startswith("ctr"):
        return "percent"
    return None


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_value(raw: Any, kind: MetricKind | None) -> MetricValue:
    """One wire value typed by *kind* (``None`` kind: int if integral text, else Decimal/str)."""
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if text in _MISSING:
        return None
    if kind == "text":
        return text
    number = _number(text)
    if kind == "count":
        if number is None:
            return None  # e.g. "<5": censored, not a number
        return int(number) if number == number.to_integral_value() else None
    if kind is None:
        if number is None:
            return text
        if number == number.to_integral_value() and "." not in text and "e" not in text.lower():
            return int(number)
        return number
    return number


def parse_metrics(raw: Mapping[str, Any]) -> dict[str, MetricValue]:
    """A report row's ``metrics`` object, every value typed (``"-"`` → ``None``)."""
    return {name: parse_value(value, kind_of(name)) for name, value in raw.items()}


def audience_forbidden(metrics: Iterable[str]) -> list[str]:
    """The metrics AUDIENCE reports refuse (UV and Airbyte's non-audience list), in given order."""
    out = []
    for name in metrics:
        known = CATALOGUE.get(name)
        if known is not None and (known.uv or not known.audience):
            out.append(name)
    return out
