"""The report metric catalogue: names, how each is computed from summed counts, how it prints.

Definitions follow ``marketing_api.md`` §2.3 and SPK-10: rates are percents with two
decimals (``ctr = clicks / impressions × 100``), money has two decimals in the account
currency, counts are integer strings, ``"-"`` means not applicable. Every derived metric is a
ratio of sums at the row's grain, never an average of ratios; a zero denominator prints
``"0.00"`` (§2.3 **[EMU]** rule). Paid follows, profile visits, music-disc clicks and anchor
clicks exist only for Spark ads (SPK-10): they print ``"-"`` for a row without any Spark ad.

UV metrics (``reach``, ``frequency``, ``cost_per_1000_reached``,
``average_video_play_per_user``) are not allowed in AUDIENCE reports and wait for the UV
latency. **[EMU]** ``reach`` counts the row's ad-days whose reach is out (``"-"`` if none), so
a lifetime figure lags by a day; the ratios built on it print ``"-"`` until every ad-day of
the row is out. Reach summed over several days or ads is deduplicated with an overlap factor
``n ^ -0.15`` (``n`` = ad-days summed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from tokops.sandbox.world.ad_day_counts import FIELDS, IDX

__all__ = [
    "ATTRIBUTES",
    "METRICS",
    "UV_METRICS",
    "Metric",
    "cents",
    "format_value",
    "formatter",
    "needed_fields",
]

Sums = Sequence[int]

_SP, _IM, _RE, _CL, _EN = IDX["spend"], IDX["impressions"], IDX["reach"], IDX["clicks"], 4
_SPARK, _N, _UV = IDX["spark_days"], IDX["ad_days"], IDX["uv_days"]


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str
    """``count``, ``money`` (cents in), ``rate`` (percent), ``ratio`` (2 decimals)."""
    fn: Callable[[Sums], float | None]
    needs: tuple[int, ...]
    uv: bool = False
    spark_only: bool = False
    direct: int = -1
    """The field printed as is (``count``/``money`` metrics that are one plain field)."""


def _conv(s: Sums) -> int:
    return (
        s[IDX["web_purchases"]]
        + s[IDX["shop_purchases"]]
        + s[IDX["app_installs"]]
        + s[IDX["leads"]]
    )


def _reach(s: Sums) -> float | None:
    if s[_UV] <= 0:
        return None
    return int(s[_RE] * s[_UV] ** -0.15)


def _div(a: float, b: float, scale: float = 1.0) -> float:
    return a * scale / b if b else 0.0


def _per_reach(j: int, scale: float = 1.0) -> Callable[[Sums], float | None]:
    """Field *j* per unique viewer, once every summed ad-day's reach is out (else ``None``)."""
    return lambda s: None if s[_UV] < s[_N] else _div(s[j], _reach(s) or 0, scale)


_CONV_NEEDS = tuple(IDX[n] for n in ("web_purchases", "shop_purchases", "app_installs", "leads"))
METRICS: dict[str, Metric] = {}


def _add(
    name: str,
    kind: str,
    fn: Callable[[Sums], float | None],
    *needs: str,
    uv: bool = False,
    spark_only: bool = False,
    direct: bool = False,
) -> None:
    fields = tuple(IDX[n] for n in needs if n in IDX)
    if "conversion" in needs:
        fields += _CONV_NEEDS
    METRICS[name] = Metric(name, kind, fn, fields, uv, spark_only, fields[0] if direct else -1)


def _quotient(
    name: str, kind: str, num: str, den: str, scale: float = 1.0, *, spark_only: bool = False
) -> None:
    """A metric that divides one summed field by another (× *scale*; 0 when it would be /0)."""
    a, b = IDX[num], IDX[den]
    _add(name, kind, lambda s: _div(s[a], s[b], scale), num, den, spark_only=spark_only)


def _count(name: str, field: str | None = None, *, spark_only: bool = False) -> None:
    j = IDX[field or name]
    _add(name, "count", lambda s: s[j], field or name, spark_only=spark_only, direct=True)


for _name in FIELDS[IDX["impressions"] : IDX["shares"] + 1]:
    if _name not in ("reach", "play_time"):  # unique viewers and deciseconds: see below
        _count(_name)
_count("paid_engaged_view", "engaged_view")
for _name in ("follows", "profile_visits", "clicks_on_music_disc", "anchor_clicks"):
    _count(_name, spark_only=True)
_count("total_landing_page_view", "landing_page_views")
_count("complete_payment", "web_purchases")
_count("onsite_shopping", "shop_purchases")
_count("app_install", "app_installs")
_count("web_event_add_to_cart", "add_to_cart")
_count("initiate_checkout")

_add("spend", "money", lambda s: s[_SP], "spend", direct=True)
_add("reach", "count", _reach, "reach", uv=True)
_add(
    "frequency",
    "ratio",
    _per_reach(_IM),
    "impressions",
    "reach",
    uv=True,
)
_add(
    "cost_per_1000_reached",
    "money",
    _per_reach(_SP, 1000),
    "spend",
    "reach",
    uv=True,
)
_quotient("ctr", "rate", "clicks", "impressions", 100)
_quotient("cpc", "money", "spend", "clicks")
_quotient("cpm", "money", "spend", "impressions", 1000)
_add("engagement_rate", "rate", lambda s: _div(s[_EN], s[_IM], 100), "engagements", "impressions")
_add("conversion", "count", _conv, "conversion")
_add("cost_per_conversion", "money", lambda s: _div(s[_SP], _conv(s)), "spend", "conversion")
_add("conversion_rate", "rate", lambda s: _div(_conv(s), s[_CL], 100), "conversion", "clicks")
_add(
    "conversion_rate_v2", "rate", lambda s: _div(_conv(s), s[_IM], 100), "conversion", "impressions"
)
# [EMU] Real-time conversions count a conversion on the day it happened instead of the day of
# the ad interaction; the simulator has no such lag between the two, so the real-time metrics
# equal their attributed twins (both as known "now", restating the same way).
for _rt in ("conversion", "cost_per_conversion", "conversion_rate", "conversion_rate_v2"):
    _m = METRICS[_rt]
    METRICS[f"real_time_{_rt}"] = Metric(
        f"real_time_{_rt}", _m.kind, _m.fn, _m.needs, _m.uv, _m.spark_only, _m.direct
    )
_R = IDX["result_conv"], IDX["result_other"]
_add("result", "count", lambda s: s[_R[0]] + s[_R[1]], "result_conv", "result_other")
_add(
    "cost_per_result",
    "money",
    lambda s: _div(s[_SP], s[_R[0]] + s[_R[1]]),
    "spend",
    "result_conv",
    "result_other",
)
_add(
    "result_rate",
    "rate",
    lambda s: _div(s[_R[0]] + s[_R[1]], s[_IM], 100),
    "result_conv",
    "result_other",
    "impressions",
)
_quotient("average_video_play", "ratio", "play_time", "video_play_actions", 0.1)
_add(
    "average_video_play_per_user",
    "ratio",
    _per_reach(IDX["play_time"], 0.1),
    "play_time",
    "reach",
    uv=True,
)
_quotient("profile_visits_rate", "rate", "profile_visits", "impressions", 100, spark_only=True)
_quotient("anchor_click_rate", "rate", "anchor_clicks", "impressions", 100, spark_only=True)


def _purchases(noun: str, total: str, purchases: str, value: str) -> None:
    """The five metrics of one purchase kind: cost per, rate, value per, total value, ROAS."""
    v = IDX[value]
    _quotient(f"cost_per_{noun}", "money", "spend", purchases)
    _quotient(f"{noun}_rate", "rate", purchases, "clicks", 100)
    _quotient(f"value_per_{noun}", "money", value, purchases)
    _add(total, "money", lambda s: s[v], value, direct=True)
    _quotient(f"{noun}_roas", "ratio", value, "spend")


# TikTok names the web total "total_complete_payment_rate" although it is a value.
_purchases("complete_payment", "total_complete_payment_rate", "web_purchases", "web_value")
_purchases("onsite_shopping", "total_onsite_shopping_value", "shop_purchases", "shop_value")
_quotient("landing_page_view_rate", "rate", "landing_page_views", "clicks", 100)
_quotient("cost_per_landing_page_view", "money", "spend", "landing_page_views")
_quotient("cost_per_web_event_add_to_cart", "money", "spend", "add_to_cart")
_quotient("cost_per_initiate_checkout", "money", "spend", "initiate_checkout")
_quotient("cost_per_app_install", "money", "spend", "app_installs")

UV_METRICS: Final = frozenset(m.name for m in METRICS.values() if m.uv)

ATTRIBUTES: Final = {
    # name → lowest data level where it applies (0 advertiser, 1 campaign, 2 ad group, 3 ad)
    "currency": 0,
    "campaign_name": 1,
    "campaign_id": 1,
    "objective_type": 1,
    "campaign_budget": 1,
    "adgroup_name": 2,
    "adgroup_id": 2,
    "placement_type": 2,
    "promotion_type": 2,
    "budget": 2,
    "bid_strategy": 2,
    "billing_event": 2,
    "opt_status": 2,
    "smart_target": 2,
    "tt_app_id": 2,
    "tt_app_name": 2,
    "mobile_app_id": 2,
    "dpa_target_audience_type": 2,
    "ad_name": 3,
    "ad_text": 3,
}
"""Descriptive "metrics" (strings), ``"-"`` above the level they belong to."""


def needed_fields(metrics: Sequence[str]) -> tuple[int, ...]:
    """The count fields the requested metrics are computed from (spend is always in)."""
    out = {_SP, _SPARK, _N, _UV}
    for name in metrics:
        metric = METRICS.get(name)
        if metric is not None:
            out.update(metric.needs)
    return tuple(sorted(out))


def cents(value: int) -> str:
    """``1234`` → ``"12.34"``."""
    if value < 0:
        return "-" + cents(-value)
    return f"{value // 100}.{value % 100:02d}"


def formatter(metric: Metric) -> Callable[[Sums], str]:
    """A fast ``sums → string`` function for *metric* (same output as :func:`format_value`)."""
    j = metric.direct
    if j >= 0 and not metric.spark_only:
        if metric.kind == "count":
            return lambda s: str(s[j])
        return lambda s: cents(s[j])
    if metric.spark_only or metric.uv:
        return lambda s: format_value(metric, s)
    fn = metric.fn
    if metric.kind == "count":
        return lambda s: str(int(fn(s) or 0))
    if metric.kind == "money":
        return lambda s: f"{(fn(s) or 0.0) / 100.0:.2f}"
    return lambda s: f"{fn(s) or 0.0:.2f}"


def format_value(metric: Metric, sums: Sums) -> str:
    """The metric's string for a row of summed counts."""
    if metric.spark_only and sums[_SPARK] <= 0:
        return "-"
    value = metric.fn(sums)
    if value is None:
        return "-"
    if metric.kind == "count":
        return str(int(value))
    if metric.kind == "money":
        return f"{value / 100.0:.2f}"
    return f"{value:.2f}"
