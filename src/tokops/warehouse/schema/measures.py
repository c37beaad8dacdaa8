"""Base measures: named sums over the store's metric columns (KPI-1).

A measure is ``SUM(column)`` or, for per-row averages the API sends, ``SUM(column * weight)``
(the total the average was taken over, e.g. seconds played = average seconds per play × plays),
which is additive again. Every KPI of the catalogue (:mod:`tokops.metrics.catalogue`) is a
formula over these sums (style principle 12), and the ``ad_monthly`` roll-up
(:mod:`tokops.warehouse.rollup`) keeps one column per additive paid measure. A measure over one
column has that column's unit (:mod:`tokops.vocabulary`); a weighted one says its own.

Measures marked ``additive=False`` (reach, average watch time per user) are **never summed**:
they are read only at their native grain (one store row per group) and are ``None`` elsewhere.

Follower measures (source ``followers``) read a per-snapshot view of ``follower_snapshots``
(:mod:`tokops.metrics.sources`): the follower count is a stock, so a period's growth is a
difference of snapshots, never a sum of counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from tokops.vocabulary import ORGANIC_DAY_METRICS, ORGANIC_VIDEO_METRICS, REPORT_METRICS, Unit

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["MEASURES", "Measure", "Source"]

Source = Literal["paid", "organic", "organic_video", "followers"]


@dataclass(frozen=True, slots=True)
class Measure:
    """``SUM(column)`` (``SUM(column * weight)`` when *weight* is set) over a source's rows."""

    name: str
    source: Source
    column: str
    unit: Unit
    description: str
    weight: str | None = None
    additive: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) if self.weight is None else (self.column, self.weight)

    def value(self, t: ir.Table) -> ir.NumericValue:
        """The per-row value this measure sums over *t*."""
        value: ir.NumericValue = (
            t[self.column] if self.weight is None else t[self.column] * t[self.weight]
        )
        return value


class _Registry(Mapping[str, Measure]):
    """Frozen name → measure mapping that refuses a second definition of a name."""

    def __init__(self) -> None:
        self._items: dict[str, Measure] = {}

    def add(self, measure: Measure) -> None:
        if measure.name in self._items:
            raise ValueError(f"measure {measure.name!r} is defined twice")
        self._items[measure.name] = measure

    def __getitem__(self, name: str) -> Measure:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


_PAID: Final[tuple[tuple[str, str, str], ...]] = (
    ("spend", "spend", "Estimated amount spent"),
    ("impressions", "impressions", "Times the ads were shown"),
    ("clicks", "clicks", "Paid destination clicks (Spark: CTA + caption only)"),
    ("all_clicks", "engagements", "Clicks of every kind"),
    ("conversions", "conversion", "Optimisation events (impression time)"),
    ("real_time_conversions", "real_time_conversion", "Optimisation events"),
    ("results", "result", "Results of the optimisation goal"),
    ("purchases", "complete_payment", "Website purchases (Complete Payment)"),
    ("purchase_value", "total_complete_payment_rate", "Website purchase value"),
    ("landing_page_views", "total_landing_page_view", "Landing page views"),
    ("add_to_cart", "web_event_add_to_cart", "Website add-to-cart events"),
    ("checkouts", "initiate_checkout", "Website checkouts started"),
    ("orders", "onsite_shopping", "TikTok Shop purchases (orders)"),
    ("gmv", "total_onsite_shopping_value", "TikTok Shop gross revenue"),
    ("app_installs", "app_install", "App installs"),
    ("video_views", "video_play_actions", "Video plays (starts, no replays)"),
    ("video_views_2s", "video_watched_2s", "Plays of at least 2 s"),
    ("video_views_6s", "video_watched_6s", "Plays of at least 6 s"),
    ("video_views_p25", "video_views_p25", "Plays reaching 25 %"),
    ("video_views_p50", "video_views_p50", "Plays reaching 50 %"),
    ("video_views_p75", "video_views_p75", "Plays reaching 75 %"),
    ("video_views_p100", "video_views_p100", "Complete plays"),
    ("focused_views", "engaged_view", "6-second focused views"),
    ("likes", "likes", "Paid likes (within 1 day of a paid view)"),
    ("comments", "comments", "Paid comments (within 1 day of a paid view)"),
    ("shares", "shares", "Paid shares (within 1 day of a paid view)"),
    ("follows", "follows", "Paid follows (Spark ads only)"),
    ("profile_visits", "profile_visits", "Paid profile visits (Spark ads only)"),
    ("music_clicks", "clicks_on_music_disc", "Music-disc clicks (Spark ads only)"),
    ("anchor_clicks", "anchor_clicks", "Anchor-link clicks (Spark ads only)"),
)

_ORGANIC: Final[tuple[tuple[str, str, str], ...]] = (
    ("organic_video_views", "video_views", "Views of the account's posts"),
    ("organic_profile_views", "profile_views", "Profile views"),
    ("organic_likes", "likes", "Likes received"),
    ("organic_comments", "comments", "Comments received"),
    ("organic_shares", "shares", "Shares"),
    ("new_followers", "daily_new_followers", "New followers"),
    ("lost_followers", "daily_lost_followers", "Lost followers"),
    ("net_followers", "daily_total_followers", "Net follower change (new − lost)"),
    ("engaged_audience", "engaged_audience", "Users who engaged (per day; summed over days)"),
    ("bio_link_clicks", "bio_link_clicks", "Bio link clicks"),
)


_UNITS: Final[Mapping[Source, Mapping[str, Unit]]] = {
    "paid": {m.name: m.unit for m in REPORT_METRICS},
    "organic": {m.name: m.unit for m in ORGANIC_DAY_METRICS},
    "organic_video": {m.name: m.unit for m in ORGANIC_VIDEO_METRICS},
}


def _of_column(
    name: str, source: Source, column: str, doc: str, *, additive: bool = True
) -> Measure:
    """``SUM(column)``, in the column's unit."""
    return Measure(name, source, column, _UNITS[source][column], doc, additive=additive)


def _build() -> _Registry:
    reg = _Registry()
    for name, column, doc in _PAID:
        reg.add(_of_column(name, "paid", column, doc))
    reg.add(
        Measure(
            "play_seconds",
            "paid",
            "average_video_play",
            "seconds",
            "Seconds played: average seconds per play × plays, per row",
            weight="video_play_actions",
        )
    )
    reg.add(_of_column("reach", "paid", "reach", "Estimated unique users", additive=False))
    reg.add(
        _of_column(
            "watch_seconds_per_user",
            "paid",
            "average_video_play_per_user",
            "Average seconds watched per user (estimated)",
            additive=False,
        )
    )
    for name, column, doc in _ORGANIC:
        reg.add(_of_column(name, "organic", column, doc))
    reg.add(_of_column("post_views", "organic_video", "video_views", "Lifetime views of the posts"))
    reg.add(
        _of_column(
            "post_watch_seconds", "organic_video", "total_time_watched", "Lifetime seconds watched"
        )
    )
    reg.add(
        Measure(
            "post_full_watches",
            "organic_video",
            "full_video_watched_rate",
            "count",
            "Views watched to the end: full-watch share (0-1) × views, per post",
            weight="video_views",
        )
    )
    followers = (
        ("followers_start", "Followers at period start: the last snapshot before the period"),
        ("followers_end", "Followers at period end: the period's last snapshot"),
        ("follower_growth", "Net new followers: followers_end - followers_start"),
    )
    for name, doc in followers:
        reg.add(Measure(name, "followers", name, "count", doc))
    return reg


#: Every base measure by name.
MEASURES: Final[Mapping[str, Measure]] = _build()
