"""Organic content insights from the store: hashtags and per-video daily tracking (KPI-3, KPI-5d).

Definitions used by every report here and in :mod:`.saturation`:

- **Engagements** = likes + comments + shares.
- **Engagement rate (ER)** = Σengagements / Σvideo_views (a ratio of sums, never an average of
  per-post rates). The denominator is **views**, not reach (Hootsuite) nor followers (Conviva):
  analytics spec §2b has no standard, and views are the one counter whose daily deltas the
  snapshots give, so the same definition serves cohorts and daily tracking.
- **Publish-day cohorts**: posts are grouped by the UTC day they were published and carry their
  latest lifetime counters (``organic_videos``). A format's ER "on day d" is the ER of the posts
  published on d, which is what changes when a trend wears out.
- **Hashtags** and **format** (content type) are read as :mod:`tokops.metrics.posts` says
  (the stored list or field when the API returned it, else parsed from the caption by
  :data:`FORMAT_PATTERNS`).

The posts are summed by :mod:`tokops.metrics.posts` and :mod:`tokops.metrics.post_gains`
(filtering, unnesting, ``GROUP BY`` and window functions run in the engine); this module turns
the grouped rows into reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tokops.errors import ConfigError
from tokops.insights.stats.common import jsonable
from tokops.metrics.post_gains import post_gains
from tokops.metrics.posts import FORMAT_PATTERNS, hashtag_sums

if TYPE_CHECKING:
    from tokops.metrics.reader import Reader

__all__ = [
    "FORMAT_PATTERNS",
    "ContentDay",
    "ContentReport",
    "ContentTotal",
    "HashtagReport",
    "HashtagRow",
    "content_tracker",
    "hashtag_report",
]


def _rate(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


# ---------------------------------------------------------------- hashtags (KPI-5d / COM-5)


@dataclass(frozen=True, slots=True)
class HashtagRow:
    """One hashtag over all posts; ``usage_share`` = its posts / all posts."""

    hashtag: str
    posts: int
    accounts: int
    views: float
    engagements: float
    engagement_rate: float | None
    usage_share: float
    kind: str
    """``generic`` (usage share ≥ the threshold) or ``niche``."""
    posts_recent: int
    posts_before: int
    er_recent: float | None
    er_before: float | None
    trend: str
    """``rising`` / ``falling`` / ``steady`` by usage, recent window vs the one before."""


@dataclass(frozen=True, slots=True)
class HashtagReport:
    as_of: dt.date | None
    window_days: int
    total_posts: int
    rows: tuple[HashtagRow, ...]
    """By views, descending."""
    top_by_engagement: tuple[HashtagRow, ...]
    """By engagement rate, tags with at least ``min_posts`` posts."""
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "window_days": self.window_days,
            "total_posts": self.total_posts,
            "engagement_rate": "Σ(likes+comments+shares) / Σvideo_views over the tag's posts",
            "rows": [jsonable(asdict(r)) for r in self.rows],
            "top_by_engagement": [jsonable(asdict(r)) for r in self.top_by_engagement],
            "notes": list(self.notes),
        }


def _trend(recent: int, before: int, change: float) -> str:
    if recent >= (1 + change) * max(before, 1) and recent >= 2:
        return "rising"
    if before >= 2 and recent <= (1 - change) * before:
        return "falling"
    return "steady"


def _hashtag_row(
    r: dict[str, Any], share: float, generic_share: float, change: float
) -> HashtagRow:
    return HashtagRow(
        hashtag=r["hashtag"],
        posts=int(r["posts"]),
        accounts=int(r["accounts"]),
        views=float(r["views"]),
        engagements=float(r["engagements"]),
        engagement_rate=_rate(r["engagements"], r["views"]),
        usage_share=share,
        kind="generic" if share >= generic_share else "niche",
        posts_recent=int(r["posts_recent"]),
        posts_before=int(r["posts_before"]),
        er_recent=_rate(r["eng_recent"], r["views_recent"]),
        er_before=_rate(r["eng_before"], r["views_before"]),
        trend=_trend(int(r["posts_recent"]), int(r["posts_before"]), change),
    )


def hashtag_report(
    store: Reader,
    *,
    window_days: int = 14,
    top: int = 20,
    min_posts: int = 3,
    generic_share: float = 0.15,
    change: float = 0.25,
) -> HashtagReport:
    """Top hashtags by views and by ER, rising vs falling usage, generic vs niche."""
    if window_days < 1:
        raise ConfigError("window_days must be ≥ 1")
    sums = hashtag_sums(store, window_days)
    total, as_of = sums.total_posts, sums.as_of
    if sums.rows is None or as_of is None:
        return HashtagReport(None, window_days, 0, (), (), ("no organic posts in the store",))
    rows = [
        _hashtag_row(r, r["posts"] / total, generic_share, change) for r in sums.rows.to_pylist()
    ]
    by_er = sorted(
        (r for r in rows if r.posts >= min_posts and r.engagement_rate is not None),
        key=lambda r: (-(r.engagement_rate or 0.0), r.hashtag),
    )
    notes = (
        f"trend compares posts in the last {window_days} days to the {window_days} before "
        f"(as of {as_of}); generic = used on ≥ {generic_share:.0%} of posts",
    )
    return HashtagReport(as_of, window_days, total, tuple(rows[:top]), tuple(by_er[:top]), notes)


# ---------------------------------------------------------------- daily tracking (KPI-3)


@dataclass(frozen=True, slots=True)
class ContentDay:
    """One video on one UTC day: counters gained since the previous day's reading."""

    business_id: str
    item_id: str
    day: dt.date
    views: float
    engagements: float
    account_new_followers: float | None
    attributed_followers: float | None
    """The account's new followers that day × this video's share of the day's view gains."""


@dataclass(frozen=True, slots=True)
class ContentTotal:
    business_id: str
    item_id: str
    caption: str | None
    views: float
    engagements: float
    engagement_rate: float | None
    attributed_followers: float


@dataclass(frozen=True, slots=True)
class ContentReport:
    start: dt.date | None
    end: dt.date | None
    days: tuple[ContentDay, ...]
    top: tuple[ContentTotal, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "attribution": "account daily_new_followers × video views gained / account views "
            "gained that day (all its posts with a daily delta)",
            "top": [jsonable(asdict(r)) for r in self.top],
            "days": [jsonable({**asdict(r), "day": r.day.isoformat()}) for r in self.days],
            "notes": list(self.notes),
        }


def content_tracker(store: Reader, *, days: int = 7, top: int = 10) -> ContentReport:
    """Per video per day over the last *days* snapshot days, and the top videos by views."""
    if days < 1:
        raise ConfigError("days must be ≥ 1")
    gains = post_gains(store, days, top)
    if gains.days is None or gains.top is None:
        return ContentReport(None, None, (), (), ("no organic snapshots in the store",))
    top_rows = tuple(
        ContentTotal(
            business_id=r["business_id"],
            item_id=r["item_id"],
            caption=r["caption"],
            views=float(r["views"] or 0.0),
            engagements=float(r["engagements"] or 0.0),
            engagement_rate=_rate(r["engagements"] or 0.0, r["views"] or 0.0),
            attributed_followers=float(r["attributed_followers"] or 0.0),
        )
        for r in gains.top.to_pylist()
    )
    notes = [
        "follower attribution is proportional to views gained, not causal; account days "
        "(organic_account_daily) are matched to UTC snapshot days",
        "sales are not attributed: organic posts carry no order link in the store",
    ]
    if not gains.followers:
        notes.append("no organic_account_daily table: followers not attributed")
    days_rows = tuple(ContentDay(**r) for r in gains.days.to_pylist())
    return ContentReport(gains.start, gains.end, days_rows, top_rows, tuple(notes))
