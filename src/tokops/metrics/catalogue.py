"""The KPI catalogue: one frozen, declarative definition per KPI (KPI-1, SPK-10, BYD-3).

A KPI is ``scale × Σ numerator / Σ denominator`` over base measures (:mod:`.measures`), evaluated
**after** aggregation at the grain asked for, never as an average of per-row ratios. Without a
denominator it is a plain sum. Division by zero gives ``None``. Rates are in percent, as TikTok
shows them (``ctr`` = 100 · Σclicks / Σimpressions).

KPIs built on a non-additive measure (reach, per-user watch time) exist only at the grain the
store holds them (one row per group: an ad-day, or an account-day in ``advertiser_daily``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Final, Literal

from tokops.metrics.measures import MEASURES, Source
from tokops.vocabulary import Unit

__all__ = [
    "CATALOGUE",
    "MINOR_UNITS",
    "Better",
    "Catalogue",
    "Kpi",
    "format_money",
    "format_value",
    "minor_units",
]

Better = Literal["up", "down", "neutral"]


@dataclass(frozen=True, slots=True)
class Kpi:
    """A KPI: ``scale × Σ numerator / Σ denominator`` (a plain sum without denominator)."""

    name: str
    label: str
    unit: Unit
    better: Better
    description: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    scale: Decimal = Decimal(1)
    spark_only: bool = False

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.numerator, *self.denominator)))

    @property
    def source(self) -> Source:
        return MEASURES[self.numerator[0]].source

    @property
    def additive(self) -> bool:
        """False when a measure may not be summed: the KPI exists at its native grain only."""
        return all(MEASURES[m].additive for m in self.measures)

    @property
    def source_fields(self) -> tuple[str, ...]:
        """The store columns the KPI reads."""
        cols = (c for m in self.measures for c in MEASURES[m].columns)
        return tuple(dict.fromkeys(cols))

    def of_fraction(self, fraction: float | None) -> float | None:
        """The KPI's value from a plain ratio Σnum/Σden (× scale: percent, per mille …)."""
        return None if fraction is None else fraction * float(self.scale)

    def format(self, value: float | Decimal | None, currency: str | None = None) -> str:
        """*value* (in this KPI's unit, e.g. percent for a rate) as every command shows it."""
        return format_value(self.unit, value, currency)

    @property
    def formula(self) -> str:
        num = " + ".join(f"Σ{m}" for m in self.numerator)
        if not self.denominator:
            return num if MEASURES[self.numerator[0]].additive else self.numerator[0]
        den = " + ".join(f"Σ{m}" for m in self.denominator)
        if len(self.numerator) > 1:
            num = f"({num})"
        if len(self.denominator) > 1:
            den = f"({den})"
        prefix = "" if self.scale == 1 else f"{self.scale} × "
        return f"{prefix}{num} / {den}"


class Catalogue(Mapping[str, Kpi]):
    """Name → KPI; a second definition of a name is an error (``UniqueKeyDict`` style)."""

    def __init__(self, kpis: tuple[Kpi, ...] = ()) -> None:
        self._items: dict[str, Kpi] = {}
        for kpi in kpis:
            self.add(kpi)

    def add(self, kpi: Kpi) -> None:
        if kpi.name in self._items:
            raise ValueError(f"KPI {kpi.name!r} is defined twice")
        unknown = [m for m in kpi.measures if m not in MEASURES]
        if unknown:
            raise ValueError(f"KPI {kpi.name!r} uses unknown measures {unknown}")
        if len({MEASURES[m].source for m in kpi.measures}) != 1:
            raise ValueError(f"KPI {kpi.name!r} mixes measures of several sources")
        self._items[kpi.name] = kpi

    def __getitem__(self, name: str) -> Kpi:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def of_source(self, source: Source) -> tuple[Kpi, ...]:
        return tuple(k for k in self._items.values() if k.source == source)


#: Decimals of a currency's minor unit (ISO 4217) where it is not 2.
MINOR_UNITS: Final[Mapping[str, int]] = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
         "VND", "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}  # fmt: skip


def minor_units(currency: str | None) -> int:
    """Decimals an amount in *currency* is shown with: JPY 0, USD and EUR 2 (2 when unknown)."""
    return MINOR_UNITS.get((currency or "").strip().upper(), 2)


def _decimal(value: float | Decimal) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return number if number.is_finite() else None


def format_money(value: float | Decimal | None, currency: str | None = None) -> str:
    """An amount with its currency's minor units: ``1,234.50`` (USD), ``89,616`` (JPY)."""
    number = None if value is None else _decimal(value)
    if number is None:
        return "-"
    return f"{number.quantize(Decimal(1).scaleb(-minor_units(currency)), ROUND_HALF_EVEN):,}"


def format_value(unit: Unit, value: float | Decimal | None, currency: str | None = None) -> str:
    """A KPI value as a person reads it, the same in every command (KPI-1).

    ``1,234`` (count), ``12.35`` / ``1,235`` (money: the currency's minor units), ``1.25%``
    (percent: rates are stored in percent), ``3.20x`` (ratio), ``4.1s`` (seconds); ``-`` when
    there is no value. Rates and ratios below 0.1 keep two significant digits (``0.015%``).
    """
    if unit == "money":
        return format_money(value, currency)
    number = None if value is None else _decimal(value)
    if number is None:
        return "-"
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "seconds":
        return f"{number:.1f}s"
    suffix = "%" if unit == "percent" else "x"
    if number != 0 and abs(number) < Decimal("0.1"):
        digits = 1 - int(abs(number).adjusted())
        return f"{number:.{digits}f}{suffix}"
    return f"{number:,.2f}{suffix}"


_PCT = Decimal(100)
_MILLE = Decimal(1000)
_ENG = ("likes", "comments", "shares")
_OENG = ("organic_likes", "organic_comments", "organic_shares")


def _total(name: str, label: str, better: Better, doc: str, **kw: bool) -> Kpi:
    """The plain sum of the measure *name*, in the measure's unit."""
    unit = MEASURES[name].unit
    return Kpi(name, label, unit, better, doc, (name,), **kw)  # type: ignore[arg-type]


def _views(pct: int) -> Kpi:
    return _total(f"video_views_p{pct}", f"{pct}% views", "up", f"Plays reaching {pct} %")


# A table-like layout: one KPI per entry, kept compact on purpose.
# fmt: off
_KPIS: Final[tuple[Kpi, ...]] = (
    # -- delivery and cost -------------------------------------------------------------------
    _total("spend", "Cost", "neutral", "Estimated amount spent, account currency."),
    _total("impressions", "Impressions", "up", "Times the ads were on screen."),
    _total(
        "clicks",
        "Clicks (destination)",
        "up",
        "Paid destination clicks. Non-Spark: CTA, caption, nickname, profile photo, swipe; "
        "Spark: CTA and caption only (SPK-10), so compare Spark vs non-Spark CTR with care.",
    ),
    _total("all_clicks", "Clicks (all)", "up", "Clicks of every kind, social ones too."),
    Kpi("ctr", "CTR (destination)", "percent", "up", "100 × clicks / impressions.",
        ("clicks",), ("impressions",), _PCT),
    Kpi("cpc", "CPC (destination)", "money", "down", "Cost per destination click.",
        ("spend",), ("clicks",)),
    Kpi("cpm", "CPM", "money", "down", "Cost per 1,000 impressions.",
        ("spend",), ("impressions",), _MILLE),
    _total("reach", "Reach", "up",
           "Estimated unique users; never summed: only at an ad-day or account-day grain."),
    Kpi("frequency", "Frequency", "ratio", "neutral", "Impressions per person reached "
        "(native grain only).", ("impressions",), ("reach",)),
    Kpi("cost_per_1000_reached", "Cost per 1,000 people reached", "money", "down",
        "Cost / reach × 1000 (native grain only).", ("spend",), ("reach",), _MILLE),
    # -- conversions and value ---------------------------------------------------------------
    _total("conversions", "Conversions", "up", "Optimisation events (restated)."),
    _total("real_time_conversions", "Conversions (real-time)", "up",
           "Optimisation events attributed to conversion time."),
    _total("results", "Results", "up", "Results of the optimisation goal."),
    Kpi("cvr", "CVR (TikTok, per impression)", "percent", "up",
        "TikTok's default conversion rate: 100 × conversions / impressions.",
        ("conversions",), ("impressions",), _PCT),
    Kpi("cvr_click", "CVR (per click)", "percent", "up",
        "100 × conversions / destination clicks.", ("conversions",), ("clicks",), _PCT),
    Kpi("cpa", "Cost per conversion", "money", "down", "Cost / conversions.",
        ("spend",), ("conversions",)),
    _total("purchases", "Purchases (website)", "up", "Complete Payment events."),
    _total("purchase_value", "Total purchase value", "up",
           "Website purchase value (TikTok field total_complete_payment_rate)."),
    Kpi("roas", "ROAS (website)", "ratio", "up",
        "Purchase value / cost (TikTok complete_payment_roas).", ("purchase_value",), ("spend",)),
    _total("orders", "Shop orders", "up", "TikTok Shop purchases."),
    _total("gmv", "Shop GMV", "up", "TikTok Shop gross revenue."),
    Kpi("shop_roas", "ROAS (Shop)", "ratio", "up", "Shop GMV / cost.", ("gmv",), ("spend",)),
    # website and Shop together (the planner and the segments use these; KPI-2, KPI-5c)
    Kpi("total_value", "Purchase value (website + Shop)", "money", "up",
        "Website purchase value + Shop GMV.", ("purchase_value", "gmv")),
    Kpi("total_roas", "ROAS (website + Shop)", "ratio", "up",
        "(Website purchase value + Shop GMV) / cost.", ("purchase_value", "gmv"), ("spend",)),
    Kpi("value_per_conversion", "Value per conversion (website + Shop)", "money", "up",
        "(Website purchase value + Shop GMV) / conversions.",
        ("purchase_value", "gmv"), ("conversions",)),
    Kpi("all_purchases", "Purchases (website + Shop)", "count", "up",
        "Website Complete Payment events + Shop orders.", ("purchases", "orders")),
    Kpi("purchase_rate_click", "Purchase rate (website + Shop, per click)", "percent", "up",
        "100 × (website purchases + Shop orders) / destination clicks.",
        ("purchases", "orders"), ("clicks",), _PCT),
    Kpi("cost_per_purchase", "Cost per purchase (website + Shop)", "money", "down",
        "Cost / (website purchases + Shop orders).", ("spend",), ("purchases", "orders")),
    Kpi("value_per_purchase", "Value per purchase (website + Shop)", "money", "up",
        "(Website purchase value + Shop GMV) / (website purchases + Shop orders).",
        ("purchase_value", "gmv"), ("purchases", "orders")),
    # funnel steps (the planner; KPI-2)
    Kpi("view_rate_p25", "25% view rate (per impression)", "percent", "up",
        "100 × plays reaching 25 % / impressions.", ("video_views_p25",), ("impressions",), _PCT),
    Kpi("atc_rate", "Add-to-cart rate (per click)", "percent", "up",
        "100 × website add-to-cart events / destination clicks.",
        ("add_to_cart",), ("clicks",), _PCT),
    Kpi("aov", "Average Shop order value", "money", "up", "GMV / orders.",
        ("gmv",), ("orders",)),
    # -- video -------------------------------------------------------------------------------
    _total("video_views", "Video views", "up", "Plays (starts); replays not counted."),
    _total("video_views_2s", "2-second views", "up", "Plays of at least 2 s."),
    _total("video_views_6s", "6-second views", "up", "Plays of at least 6 s."),
    _views(25), _views(50), _views(75), _views(100),
    _total("focused_views", "Focused views", "up", "6-second focused views."),
    Kpi("completion_rate", "Completion rate", "percent", "up",
        "100 × complete plays / plays.", ("video_views_p100",), ("video_views",), _PCT),
    Kpi("avg_watch_time", "Average watch time per view", "seconds", "up",
        "Seconds played / plays.", ("play_seconds",), ("video_views",)),
    Kpi("avg_watch_time_per_user", "Average watch time per person", "seconds", "up",
        "Estimated; native grain only (never averaged across rows).",
        ("watch_seconds_per_user",)),
    # -- paid engagement ---------------------------------------------------------------------
    _total("likes", "Paid likes", "up", "Likes within 1 day of a paid view."),
    _total("comments", "Paid comments", "up", "Comments within 1 day of a paid view."),
    _total("shares", "Paid shares", "up", "Shares within 1 day of a paid view."),
    Kpi("engagement_rate", "Engagement rate (per play)", "percent", "up",
        "100 × (paid likes + comments + shares) / video views (plays): the denominator is plays.",
        _ENG, ("video_views",), _PCT),
    # -- Spark Ads only (SPK-10) -------------------------------------------------------------
    _total("follows", "Paid follows", "up", "Spark Ads only.", spark_only=True),
    _total("profile_visits", "Paid profile visits", "up", "Spark Ads only.",
           spark_only=True),
    Kpi("profile_visit_rate", "Profile visit rate", "percent", "up",
        "100 × paid profile visits / impressions (Spark Ads only).",
        ("profile_visits",), ("impressions",), _PCT, spark_only=True),
    _total("music_clicks", "Music clicks", "up", "Spark Ads only.", spark_only=True),
    _total("anchor_clicks", "Anchor-link clicks", "up", "Spark Ads only.",
           spark_only=True),
    Kpi("anchor_ctr", "Anchor-link CTR", "percent", "up",
        "100 × anchor-link clicks / impressions (Spark Ads only).",
        ("anchor_clicks",), ("impressions",), _PCT, spark_only=True),
    # -- organic account (organic_account_daily) ---------------------------------------------
    _total("organic_video_views", "Organic video views", "up", "Views of the posts."),
    _total("organic_profile_views", "Profile views", "up", "Organic profile views."),
    _total("organic_likes", "Organic likes", "up", "Likes received."),
    _total("organic_comments", "Organic comments", "up", "Comments received."),
    _total("organic_shares", "Organic shares", "up", "Shares."),
    Kpi("organic_engagement_rate", "Organic engagement rate (per view)", "percent", "up",
        "100 × (likes + comments + shares) / video views: the denominator is views, not "
        "reach or followers.", _OENG, ("organic_video_views",), _PCT),
    _total("new_followers", "New followers", "up", "Followers gained."),
    _total("lost_followers", "Lost followers", "down", "Followers lost."),
    _total("net_followers", "Follower growth", "up", "Net follower change."),
    # -- organic posts (latest lifetime snapshot per post) -----------------------------------
    _total("post_views", "Post views (lifetime)", "up", "Lifetime views of the posts."),
    Kpi("post_avg_watch_time", "Average watch time (posts)", "seconds", "up",
        "Lifetime seconds watched / lifetime views.", ("post_watch_seconds",), ("post_views",)),
    Kpi("post_full_watch_rate", "Watched full video", "percent", "up",
        "100 × Σ(full-watch share × views) / Σ views, per post's latest snapshot.",
        ("post_full_watches",), ("post_views",), _PCT),
    # -- follower growth per period (follower_snapshots; KPI-5c) -----------------------------
    _total("followers_start", "Followers at period start", "neutral",
           "The last snapshot before the period's first one (that first one if none)."),
    _total("followers_end", "Followers at period end", "up",
           "The period's last follower snapshot."),
    _total("follower_growth", "Net new followers", "up",
           "Followers at period end − followers at period start (snapshots; a gap between "
           "snapshots counts in the period of the later one)."),
    Kpi("follower_growth_rate", "Follower growth rate", "percent", "up",
        "100 × net new followers / followers at period start: the denominator is the "
        "follower count at period start.", ("follower_growth",), ("followers_start",), _PCT),
)
# fmt: on

#: Every KPI by catalogue name.
CATALOGUE: Final[Catalogue] = Catalogue(_KPIS)
