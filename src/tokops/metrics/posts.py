"""Organic posts summed in the engine: per hashtag, and per format or hashtag per publish day.

The reads behind the organic insights (KPI-4, KPI-5d); the definitions they rest on:

- **Engagements** = likes + comments + shares; **views** = ``video_views``. Both are the post's
  latest lifetime counters (``organic_videos``), never summed over snapshot days.
- **Publish day**: the UTC day the post was published (``create_time``).
- **Hashtags** come from ``organic_videos.hashtags`` when the API returned them (the sandbox
  does; TikTok documents the caption only), else they are parsed from the caption: words
  starting with ``#``, lower-cased, up to the first non-word character; a tag counts once per
  post.
- **Format** (content type) comes from ``organic_videos.content_type`` when present, else it is
  read from the caption with the hashtags removed, by keyword (:data:`FORMAT_PATTERNS`, first
  match wins; ``other`` when none matches).

Filtering, unnesting and ``GROUP BY`` run in the engine (Ibis); only grouped rows come back, as
Arrow. Callers hold a :class:`~tokops.metrics.reader.Reader` and never see the Ibis tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import ibis

from tokops.errors import ConfigError
from tokops.metrics.tables import ORGANIC_VIDEOS

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.metrics.reader import Reader

__all__ = [
    "FORMAT_PATTERNS",
    "HashtagSums",
    "PostKey",
    "PublishDaySums",
    "hashtag_sums",
    "post_features",
    "post_tags",
    "publish_day_sums",
    "require_organic",
]

VIDEOS: Final = ORGANIC_VIDEOS.name
PostKey = Literal["content_type", "hashtag"]
"""What :func:`publish_day_sums` groups the posts by."""

_B: Final = "(^|[^a-z0-9_])"
_E: Final = "([^a-z0-9_]|$)"
"""Word edges written so that RE2 (DuckDB) and PostgreSQL read them alike: ``\\b`` is a
backspace to PostgreSQL. The caption is lower-cased first, so they match ``\\b`` of RE2."""

#: Format keyword rules over the lower-cased caption without hashtags, first match wins.
FORMAT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("get_ready_with_me", f"get ready with me|{_B}grwm{_E}"),
    ("behind_the_scenes", f"behind the scenes|{_B}bts{_E}"),
    ("day_in_the_life", r"day in (the|my) life"),
    ("before_after", r"before (and |& |/ ?)?after"),
    ("q_and_a", f"{_B}q ?(&|and) ?a{_E}"),
    ("unboxing", r"unbox"),
    ("tutorial", r"tutorial|how to"),
    ("review", f"{_B}review"),
    ("challenge", r"challenge"),
    ("haul", f"{_B}haul{_E}"),
)


def require_organic(reader: Reader, *tables: str) -> None:
    """An error that names the organic sync when one of *tables* is missing."""
    missing = [t for t in tables if not reader.exists(t)]
    if missing:
        raise ConfigError(f"no {', '.join(missing)} in the store: run `tokops sync organic` first")


def post_features(reader: Reader) -> ir.Table:
    """One row per post: ids, publish day, format, engagements and views (lifetime)."""
    require_organic(reader, VIDEOS)
    v = reader.table(VIDEOS)
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


# ---------------------------------------------------------------- per hashtag (KPI-5d)


@dataclass(frozen=True, slots=True)
class HashtagSums:
    """Every hashtag's sums over all posts, and over two windows of publish days.

    ``rows``: ``hashtag``, ``posts``, ``accounts``, ``views``, ``engagements``, and
    ``posts_``/``eng_``/``views_`` ``recent`` (the *window_days* ending at ``as_of``) and
    ``before`` (the *window_days* before them); by views descending, then hashtag.
    """

    total_posts: int
    as_of: dt.date | None
    """The last publish day (None without posts)."""
    rows: pa.Table | None
    """None without posts."""


def hashtag_sums(reader: Reader, window_days: int) -> HashtagSums:
    """Posts, accounts, Σviews and Σengagements per hashtag, overall and in the two windows."""
    posts = post_features(reader)
    tags = post_tags(posts)
    last = reader.fetch(posts.aggregate(n=posts.count(), last=posts.day.max())).to_pylist()[0]
    total, as_of = int(last["n"]), last["last"]
    if total == 0 or as_of is None:
        return HashtagSums(0, None, None)
    recent = tags.day > as_of - dt.timedelta(days=window_days)
    before = (tags.day > as_of - dt.timedelta(days=2 * window_days)) & ~recent
    zero = ibis.literal(0.0)
    agg = tags.group_by("hashtag").aggregate(
        posts=tags.count(),
        accounts=tags.business_id.nunique(),
        views=tags.views.sum(),
        engagements=tags.engagements.sum(),
        posts_recent=ibis.ifelse(recent, 1, 0).sum(),
        posts_before=ibis.ifelse(before, 1, 0).sum(),
        eng_recent=ibis.ifelse(recent, tags.engagements, zero).sum(),
        views_recent=ibis.ifelse(recent, tags.views, zero).sum(),
        eng_before=ibis.ifelse(before, tags.engagements, zero).sum(),
        views_before=ibis.ifelse(before, tags.views, zero).sum(),
    )
    return HashtagSums(total, as_of, reader.fetch(agg.order_by(ibis.desc("views"), "hashtag")))


# ---------------------------------------------------------------- per publish day (KPI-4)


@dataclass(frozen=True, slots=True)
class PublishDaySums:
    """Publish-day cohorts summed in the engine.

    ``per_key``: ``key``, ``day``, ``posts``, ``engagements``, ``views`` of the key's posts and
    ``base_eng``, ``base_views`` of the *other* posts of the accounts that use the key that day.
    ``overall``: ``day``, ``engagements``, ``views`` of all posts. Rows come in no set order.
    """

    per_key: pa.Table
    overall: pa.Table


def publish_day_sums(reader: Reader, by: PostKey) -> PublishDaySums:
    """Per format (or hashtag) and publish day, and per publish day over all posts."""
    posts = post_features(reader)
    src = (
        post_tags(posts).rename(key="hashtag")
        if by == "hashtag"
        else posts.mutate(key=posts.content_type)
    )
    kd = src.group_by("key", "business_id", "day").aggregate(
        posts=src.count(), engagements=src.engagements.sum(), views=src.views.sum()
    )
    acct = posts.group_by("business_id", "day").aggregate(
        a_eng=posts.engagements.sum(), a_views=posts.views.sum()
    )
    users = kd.select("key", "business_id").distinct()
    grid = users.join(acct, "business_id")
    full = grid.left_join(kd, ["key", "business_id", "day"]).select(
        "key",
        "day",
        posts=kd.posts.fill_null(0),
        engagements=kd.engagements.fill_null(0.0),
        views=kd.views.fill_null(0.0),
        base_eng=grid.a_eng - kd.engagements.fill_null(0.0),
        base_views=grid.a_views - kd.views.fill_null(0.0),
    )
    per_key = full.group_by("key", "day").aggregate(
        posts=full.posts.sum(),
        engagements=full.engagements.sum(),
        views=full.views.sum(),
        base_eng=full.base_eng.sum(),
        base_views=full.base_views.sum(),
    )
    overall = posts.group_by("day").aggregate(
        engagements=posts.engagements.sum(), views=posts.views.sum()
    )
    return PublishDaySums(reader.fetch(per_key), reader.fetch(overall))
