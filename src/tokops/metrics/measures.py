"""Base measures: named sums over the store's report columns.

Every KPI of the catalogue is a formula over these sums (style principle 12). A measure is
``SUM(column)`` or, for per-row averages the API sends, ``SUM(column * weight)`` (the total the
average was taken over, e.g. seconds played = average seconds per play × plays), which is
additive again.

Measures marked ``additive=False`` (reach, average watch time per user) are **never summed**:
they are read only at their native grain (one store row per group) and are ``None`` elsewhere.

Follower measures (source ``followers``) read a per-snapshot view of ``follower_snapshots``
(:mod:`.followers`): the follower count is a stock, so a period's growth is a difference of
snapshots, never a sum of counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["MEASURES", "Measure", "Source", "Unit"]

Unit = Literal["count", "money", "percent", "seconds", "ratio"]
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


_PAID: Final[tuple[tuple[str, str, Unit, str], ...]] = (
    ("spend", "spend", "money", "Estimated amount spent"),
    ("impressions", "impressions", "count", "Times the ads were shown"),
    ("clicks", "clicks", "count", "Paid destination clicks (Spark: CTA + caption only)"),
    ("all_clicks", "engagements", "count", "Clicks of every kind"),
    ("conversions", "conversion", "count", "Optimisation events (impression time)"),
    ("real_time_conversions", "real_time_conversion", "count", "Optimisation events"),
    ("results", "result", "count", "Results of the optimisation goal"),
    ("purchases", "complete_payment", "count", "Website purchases (Complete Payment)"),
    ("purchase_value", "total_complete_payment_rate", "money", "Website purchase value"),
    ("landing_page_views", "total_landing_page_view", "count", "Landing page views"),
    ("add_to_cart", "web_event_add_to_cart", "count", "Website add-to-cart events"),
    ("checkouts", "initiate_checkout", "count", "Website checkouts started"),
    ("orders", "onsite_shopping", "count", "TikTok Shop purchases (orders)"),
    ("gmv", "total_onsite_shopping_value", "money", "TikTok Shop gross revenue"),
    ("app_installs", "app_install", "count", "App installs"),
    ("video_views", "video_play_actions", "count", "Video plays (starts, no replays)"),
    ("video_views_2s", "video_watched_2s", "count", "Plays of at least 2 s"),
    ("video_views_6s", "video_watched_6s", "count", "Plays of at least 6 s"),
    ("video_views_p25", "video_views_p25", "count", "Plays reaching 25 %"),
    ("video_views_p50", "video_views_p50", "count", "Plays reaching 50 %"),
    ("video_views_p75", "video_views_p75", "count", "Plays reaching 75 %"),
    ("video_views_p100", "video_views_p100", "count", "Complete plays"),
    ("focused_views", "engaged_view", "count", "6-second focused views"),
    ("likes", "likes", "count", "Paid likes (within 1 day of a paid view)"),
    ("comments", "comments", "count", "Paid comments (within 1 day of a paid view)"),
    ("shares", "shares", "count", "Paid shares (within 1 day of a paid view)"),
    ("follows", "follows", "count", "Paid follows (Spark ads only)"),
    ("profile_visits", "profile_visits", "count", "Paid profile visits (Spark ads only)"),
    ("music_clicks", "clicks_on_music_disc", "count", "Music-disc clicks (Spark ads only)"),
    ("anchor_clicks", "anchor_clicks", "count", "Anchor-link clicks (Spark ads only)"),
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


def _build() -> _Registry:
    reg = _Registry()
    for name, column, unit, doc in _PAID:
        reg.add(Measure(name, "paid", column, unit, doc))
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
    reg.add(Measure("reach", "paid", "reach", "count", "Estimated unique users", additive=False))
    reg.add(
        Measure(
            "watch_seconds_per_user",
            "paid",
            "average_video_play_per_user",
            "seconds",
            "Average seconds watched per user (estimated)",
            additive=False,
        )
    )
    for name, column, doc in _ORGANIC:
        reg.add(Measure(name, "organic", column, "count", doc))
    video = (
        ("post_views", "video_views", None, "Lifetime views of the posts"),
        ("post_watch_seconds", "total_time_watched", None, "Lifetime seconds watched"),
        (
            "post_full_watches",
            "full_video_watched_rate",
            "video_views",
            "Views watched to the end: full-watch share (0-1) × views, per post",
        ),
    )
    for name, column, weight, doc in video:
        kind: Unit = "seconds" if "seconds" in name else "count"
        reg.add(Measure(name, "organic_video", column, kind, doc, weight=weight))
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
