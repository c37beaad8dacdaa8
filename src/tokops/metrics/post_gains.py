"""What each organic post gained per UTC day, and the followers that go with it (KPI-3).

The snapshots (``organic_video_snapshots``) hold lifetime counters per post and reading day;
:func:`post_gains` turns them into the views and engagements gained since the previous day's
reading, and shares the account's new followers of the day (``organic_account_daily``) by the
post's share of the day's view gains. Window functions, joins and ``GROUP BY`` run in the engine;
the daily rows and the top posts come back as Arrow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import ibis

from tokops.metrics.posts import require_organic
from tokops.metrics.tables import ORGANIC_ACCOUNT_DAILY, ORGANIC_VIDEO_SNAPSHOTS, ORGANIC_VIDEOS

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.metrics.reader import Reader

__all__ = ["PostGains", "post_gains"]

VIDEOS: Final = ORGANIC_VIDEOS.name
SNAPSHOTS: Final = ORGANIC_VIDEO_SNAPSHOTS.name
ACCOUNT_DAILY: Final = ORGANIC_ACCOUNT_DAILY.name


@dataclass(frozen=True, slots=True)
class PostGains:
    """The gains of the snapshot days ``start..end`` (both None without snapshots).

    ``days``: ``business_id``, ``item_id``, ``day``, ``views``, ``engagements``,
    ``account_new_followers``, ``attributed_followers``, one row per post and day with a gain,
    by day, views descending, item. ``top``: ``business_id``, ``item_id``, ``views``,
    ``engagements``, ``attributed_followers`` summed over the days and ``caption``, by views
    descending then item, at most *top* rows.
    """

    start: dt.date | None
    end: dt.date | None
    days: pa.Table | None
    top: pa.Table | None
    followers: bool
    """False when the store has no ``organic_account_daily`` (nothing attributed)."""


def _daily_gains(reader: Reader, start: dt.date) -> ir.Table:
    """Per post per snapshot day ≥ *start*: views and engagements gained since the day before.

    A delta needs the previous UTC day's reading; the first reading of a post counts in full
    only when the post was published that day or the day before. Other rows (gaps, first
    readings of older posts) get NULL gains and are left out of the attribution. Negative
    deltas (the API correcting a counter) are clipped to 0.
    """
    s = reader.table(SNAPSHOTS)
    s = s.filter(s.snapshot_date >= start - dt.timedelta(days=1))
    v = reader.table(VIDEOS).select("business_id", "item_id", "create_time", "caption")
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
    if reader.exists(ACCOUNT_DAILY):
        a = reader.table(ACCOUNT_DAILY).select(
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


def post_gains(reader: Reader, days: int, top: int) -> PostGains:
    """Per post per day over the last *days* snapshot days, and the *top* posts by views."""
    require_organic(reader, VIDEOS, SNAPSHOTS)
    followers = reader.exists(ACCOUNT_DAILY)
    s = reader.table(SNAPSHOTS)
    end = reader.fetch(s.aggregate(last=s.snapshot_date.max())).to_pylist()[0]["last"]
    if end is None:
        return PostGains(None, None, None, None, followers)
    start = end - dt.timedelta(days=days - 1)
    g = _daily_gains(reader, start)
    daily = g.filter(g.g_views.notnull()).select(
        "business_id",
        "item_id",
        day=g.snapshot_date,
        views=g.g_views,
        engagements=g.g_eng,
        account_new_followers=g.account_new_followers,
        attributed_followers=g.attributed,
    )
    rows = reader.fetch(daily.order_by("day", ibis.desc("views"), "item_id"))
    totals = daily.group_by("business_id", "item_id").aggregate(
        views=daily.views.sum(),
        engagements=daily.engagements.sum(),
        attributed_followers=daily.attributed_followers.sum(),
    )
    captions = reader.table(VIDEOS).select("business_id", "item_id", "caption")
    totals = totals.join(captions, ["business_id", "item_id"], how="left")
    totals = totals.order_by(ibis.desc("views"), "item_id").limit(top)
    return PostGains(start, end, rows, reader.fetch(totals), followers)
