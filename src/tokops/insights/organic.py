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
- **Hashtags** come from ``organic_videos.hashtags`` when the API returned them (the sandbox
  does; TikTok documents the caption only), else they are parsed from the caption: words
  starting with ``#``, lower-cased, up to the first non-word character; a tag counts once per
  post.
- **Format** (content type) comes from ``organic_videos.content_type`` when present, else it is
  read from the caption with the hashtags removed, by keyword (:data:`FORMAT_PATTERNS`, first
  match wins; ``other`` when none matches).

Filtering, unnesting, ``GROUP BY`` and window functions run in the engine (Ibis); only grouped
results come back as Arrow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import ibis

from tokops.errors import ConfigError
from tokops.insights.stats.common import jsonable

if TYPE_CHECKING:
    import ibis.expr.types as ir

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
    "post_features",
    "post_tags",
]

VIDEOS = "organic_videos"
SNAPSHOTS = "organic_video_snapshots"
ACCOUNT_DAILY = "organic_account_daily"

#: Format keyword rules over the lower-cased caption without hashtags (RE2 syntax).
FORMAT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("get_ready_with_me", r"get ready with me|\bgrwm\b"),
    ("behind_the_scenes", r"behind the scenes|\bbts\b"),
    ("day_in_the_life", r"day in (the|my) life"),
    ("before_after", r"before (and |& |/ ?)?after"),
    ("q_and_a", r"\bq ?(&|and) ?a\b"),
    ("unboxing", r"unbox"),
    ("tutorial", r"tutorial|how to"),
    ("review", r"\breview"),
    ("challenge", r"challenge"),
    ("haul", r"\bhaul\b"),
)


def _require(store: Reader, *tables: str) -> None:
    missing = [t for t in tables if not store.exists(t)]
    if missing:
        raise ConfigError(f"no {', '.join(missing)} in the store: run `tokops sync organic` first")


def post_features(store: Reader) -> ir.Table:
    """One row per post: ids, publish day, format, engagements and views (lifetime)."""
    _require(store, VIDEOS)
    v = store.table(VIDEOS)
    text = v.caption.fill_null("").lower().re_replace(r"#\S+", " ")
    fmt = ibis.cases(*((text.re_search(p), name) for name, p in FORMAT_PATTERNS), else_="other")
    if "content_type" in v.columns:
        fmt = v.content_type.nullif("").lower().fill_null(fmt)
    stored = v.hashtags if "hashtags" in v.columns else ibis.null("string")
    return v.select(
        business_id=v.business_id,
        item_id=v.item_id,
        caption=v.caption,
        stored_tags=stored,
        day=v.create_time.date(),
        content_type=fmt,
        engagements=(v.likes.fill_null(0) + v.comments.fill_null(0) + v.shares.fill_null(0)).cast(
            "float64"
        ),
        views=v.video_views.fill_null(0).cast("float64"),
    )


def post_tags(posts: ir.Table) -> ir.Table:
    """*posts* (from :func:`post_features`) unnested to one row per post and hashtag.

    The stored list (a JSON array of plain tags) when there is one, else the caption's words.
    """
    listed = posts.stored_tags.notnull()
    words = ibis.ifelse(
        listed,
        posts.stored_tags.re_replace(r'[\[\]"#\s]', "").lower().split(","),
        posts.caption.fill_null("").lower().split(" "),
    )
    rows = posts.mutate(word=words.unnest(), listed=listed)
    tagged = rows.mutate(
        hashtag=ibis.ifelse(rows.listed, rows.word, rows.word.re_extract(r"^#(\w+)", 1))
    )
    tagged = tagged.filter(tagged.hashtag.notnull() & (tagged.hashtag != ""))
    return tagged.select(
        "business_id", "item_id", "day", "engagements", "views", "hashtag"
    ).distinct()


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
    posts = post_features(store)
    tags = post_tags(posts)
    last = store.fetch(posts.aggregate(n=posts.count(), last=posts.day.max())).to_pylist()[0]
    total, as_of = int(last["n"]), last["last"]
    if total == 0 or as_of is None:
        return HashtagReport(None, window_days, 0, (), (), ("no organic posts in the store",))
    recent = tags.day > as_of - dt.timedelta(days=window_days)
    before = (tags.day > as_of - dt.timedelta(days=2 * window_days)) & ~recent
    zero = ibis.literal(0.0)
    agg = tags.group_by("hashtag").aggregate(
        posts=tags.count(),
        accounts=tags.business_id.nunique(),
        views=tags.views.sum(),
        engagements=tags.engagements.sum(),
        posts_recent=recent.cast("int64").sum(),
        posts_before=before.cast("int64").sum(),
        eng_recent=ibis.ifelse(recent, tags.engagements, zero).sum(),
        views_recent=ibis.ifelse(recent, tags.views, zero).sum(),
        eng_before=ibis.ifelse(before, tags.engagements, zero).sum(),
        views_before=ibis.ifelse(before, tags.views, zero).sum(),
    )
    rows = [
        _hashtag_row(r, r["posts"] / total, generic_share, change)
        for r in store.fetch(agg.order_by(ibis.desc("views"), "hashtag")).to_pylist()
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


def _daily_gains(store: Reader, start: dt.date) -> ir.Table:
    """Per post per snapshot day ≥ *start*: views and engagements gained since the day before.

    A delta needs the previous UTC day's reading; the first reading of a post counts in full
    only when the post was published that day or the day before. Other rows (gaps, first
    readings of older posts) get NULL gains and are left out of the attribution. Negative
    deltas (the API correcting a counter) are clipped to 0.
    """
    s = store.table(SNAPSHOTS)
    s = s.filter(s.snapshot_date >= start - dt.timedelta(days=1))
    v = store.table(VIDEOS).select("business_id", "item_id", "create_time", "caption")
    s = s.join(v, ["business_id", "item_id"], how="left")
    eng = s.likes.fill_null(0) + s.comments.fill_null(0) + s.shares.fill_null(0)
    s = s.mutate(eng=eng, views=s.video_views.fill_null(0))
    w = ibis.window(group_by=[s.business_id, s.item_id], order_by=s.snapshot_date)
    s = s.mutate(
        prev_day=s.snapshot_date.lag().over(w),
        prev_views=s.views.lag().over(w),
        prev_eng=s.eng.lag().over(w),
    )
    consecutive = s.prev_day == s.snapshot_date - ibis.interval(days=1)
    fresh = s.prev_day.isnull() & (s.create_time.date() >= s.snapshot_date - ibis.interval(days=1))
    null = ibis.null("float64")
    zero = ibis.literal(0.0)
    s = s.mutate(
        g_views=ibis.cases(
            (consecutive, ibis.greatest(s.views - s.prev_views, 0).cast("float64")),
            (fresh, s.views.cast("float64")),
            else_=null,
        ),
        g_eng=ibis.cases(
            (consecutive, ibis.greatest(s.eng - s.prev_eng, 0).cast("float64")),
            (fresh, s.eng.cast("float64")),
            else_=null,
        ),
    )
    s = s.filter(s.snapshot_date >= start)
    day_w = ibis.window(group_by=[s.business_id, s.snapshot_date])
    s = s.mutate(acct_views=s.g_views.sum().over(day_w))
    if store.exists(ACCOUNT_DAILY):
        a = store.table(ACCOUNT_DAILY).select(
            acct_id="business_id", stat_date="stat_date", new_followers="daily_new_followers"
        )
        s = s.left_join(a, (s.business_id == a.acct_id) & (s.snapshot_date == a.stat_date)).drop(
            "acct_id", "stat_date"
        )
        followers = s.new_followers.cast("float64")
    else:
        s = s.mutate(new_followers=null)
        followers = s.new_followers
    share = ibis.ifelse(s.acct_views > 0, s.g_views / s.acct_views, zero)
    return s.mutate(account_new_followers=followers, attributed=followers * share)


def content_tracker(store: Reader, *, days: int = 7, top: int = 10) -> ContentReport:
    """Per video per day over the last *days* snapshot days, and the top videos by views."""
    if days < 1:
        raise ConfigError("days must be ≥ 1")
    _require(store, VIDEOS, SNAPSHOTS)
    s = store.table(SNAPSHOTS)
    end = store.fetch(s.aggregate(last=s.snapshot_date.max())).to_pylist()[0]["last"]
    if end is None:
        return ContentReport(None, None, (), (), ("no organic snapshots in the store",))
    start = end - dt.timedelta(days=days - 1)
    g = _daily_gains(store, start)
    daily = g.filter(g.g_views.notnull()).select(
        "business_id",
        "item_id",
        day=g.snapshot_date,
        views=g.g_views,
        engagements=g.g_eng,
        account_new_followers=g.account_new_followers,
        attributed_followers=g.attributed,
    )
    rows = store.fetch(daily.order_by("day", ibis.desc("views"), "item_id")).to_pylist()
    totals = daily.group_by("business_id", "item_id").aggregate(
        views=daily.views.sum(),
        engagements=daily.engagements.sum(),
        attributed_followers=daily.attributed_followers.sum(),
    )
    captions = store.table(VIDEOS).select("business_id", "item_id", "caption")
    totals = totals.join(captions, ["business_id", "item_id"], how="left")
    totals = totals.order_by(ibis.desc("views"), "item_id").limit(top)
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
        for r in store.fetch(totals).to_pylist()
    )
    notes = [
        "follower attribution is proportional to views gained, not causal; account days "
        "(organic_account_daily) are matched to UTC snapshot days",
        "sales are not attributed: organic posts carry no order link in the store",
    ]
    if not store.exists(ACCOUNT_DAILY):
        notes.append("no organic_account_daily table: followers not attributed")
    return ContentReport(start, end, tuple(ContentDay(**r) for r in rows), top_rows, tuple(notes))
