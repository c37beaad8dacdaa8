"""Organic dynamics of the brand accounts: post reach, engagement, followers (KPI-3/4/5c/5d).

Each post's lifetime performance is fixed when it is published, from the account's followers
at that moment, the posting hour against the audience's activity
(:data:`~tokops.sandbox.world.calendar.HOURLY_ACTIVITY`), the post's quality, a rare viral
boost, and the engagement multiplier of every trend it rides (its format, its hashtags — see
:mod:`tokops.sandbox.world.trends`). Its views then arrive over 30 days (38 % on the first
day, decaying by a third each day). Followers grow with a slow base rate, with the follows each
post earns, and with the paid follows of Spark ads on the account's posts; a small share
unfollows every day.

SPK-2: every engagement a Spark ad earns (plays, likes, comments, shares, follows, profile
visits) is credited to the organic post and to the account's daily numbers; :meth:`Organic.paid`
gives that part alone so insights can tell them apart. **[EMU]** every rate; days are the
account's local days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from tokops.sandbox.world.ad_day_counts import IDX
from tokops.sandbox.world.calendar import HOURLY_ACTIVITY
from tokops.sandbox.world.ids import draws
from tokops.sandbox.world.model import Ad, Post, TikTokAccount

if TYPE_CHECKING:
    from tokops.sandbox.world.world import World

__all__ = ["ACCOUNT_FIELDS", "PAID_FIELDS", "Organic", "PostStats"]

_DECAY_RAW: Final = [0.38] + [0.62 * (2 / 3) ** k / 2.0 for k in range(29)]
DECAY: Final = tuple(x / sum(_DECAY_RAW) for x in _DECAY_RAW)
_CUM_DECAY: Final = tuple(sum(DECAY[: k + 1]) for k in range(len(DECAY)))
ACCOUNT_FIELDS: Final = (
    "followers_count",
    "daily_new_followers",
    "daily_lost_followers",
    "daily_total_followers",
    "profile_views",
    "video_views",
    "likes",
    "comments",
    "shares",
    "engaged_audience",
    "bio_link_clicks",
    "email_clicks",
    "phone_number_clicks",
    "address_clicks",
    "app_download_clicks",
    "lead_submissions",
)
PAID_FIELDS: Final = {
    "video_views": IDX["video_play_actions"],
    "likes": IDX["likes"],
    "comments": IDX["comments"],
    "shares": IDX["shares"],
    "follows": IDX["follows"],
    "profile_views": IDX["profile_visits"],
}
_PEAK_ACTIVITY: Final = max(HOURLY_ACTIVITY)


@dataclass(frozen=True)
class PostStats:
    """A post's lifetime organic performance (what it will have earned after 30 days)."""

    views: int
    reach: int
    likes: int
    comments: int
    shares: int
    follows: int
    average_time_watched: float
    full_video_watched_rate: float
    for_you_share: float


class Organic:
    """Daily organic series of the brand accounts, computed once per account and extended."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._stats: dict[str, PostStats] = {}
        self._series: dict[str, list[dict[str, int]]] = {}

    def trend_multiplier(self, post: Post) -> float:
        day = post.created.date()
        mult = 1.0
        for trend in self.world.trends:
            if (trend.kind == "format" and trend.name == post.content_type) or (
                trend.kind == "hashtag" and trend.name in post.hashtags
            ):
                mult *= trend.engagement(day)
        return mult

    def _perf(self, post: Post, account: TikTokAccount, followers: int) -> PostStats:
        u = draws(self.world.key, 0x0FF1, int(post.item_id))
        hour = post.created.astimezone(ZoneInfo(account.timezone)).hour
        hour_match = 0.6 + 0.8 * HOURLY_ACTIVITY[hour] / _PEAK_ACTIVITY
        trend = self.trend_multiplier(post)
        reach = followers * (0.10 + 0.25 * u[0]) * hour_match * post.quality**0.7 * trend**0.5
        if u[1] < 0.03:
            reach *= 4.0 + 12.0 * u[2]
        views = int(reach * (1.1 + 0.1 * u[4]) + u[5])
        er = 0.055 * post.quality**0.5 * trend * math.exp(0.3 * (u[3] - 0.5))
        tau = post.duration * 0.6 * post.quality**0.5
        return PostStats(
            views=views,
            reach=int(reach + u[6]),
            likes=int(views * er * 0.80 + u[7]),
            comments=int(views * er * 0.07 + u[8]),
            shares=int(views * er * 0.13 + u[9]),
            follows=int(views * 0.0012 * post.quality + u[10]),
            average_time_watched=round(tau * (1 - math.exp(-post.duration / tau)), 2),
            full_video_watched_rate=round(math.exp(-post.duration / tau), 4),
            for_you_share=round(0.55 + 0.3 * u[11], 4),
        )

    def stats(self, post: Post) -> PostStats:
        """Lifetime organic performance of a brand account's *post*."""
        if post.item_id not in self._stats:
            account = self.world.accounts[post.owner_id]
            self.series(account, post.created.astimezone(ZoneInfo(account.timezone)).date())
        return self._stats[post.item_id]

    def series(self, account: TikTokAccount, until: date) -> list[dict[str, int]]:
        """Organic daily numbers of *account* from its first day through *until*."""
        rows = self._series.setdefault(account.business_id, [])
        first = account.started
        target = (until - first).days + 1
        if len(rows) >= target:
            return rows
        self.world.ensure_posts(until + timedelta(days=1))
        zone = ZoneInfo(account.timezone)
        by_day: dict[int, list[Post]] = {}
        for post in self.world.posts.values():
            if post.owner_id == account.business_id:
                by_day.setdefault(post.created.astimezone(zone).date().toordinal(), []).append(post)
        followers = rows[-1]["followers_count"] if rows else account.followers_start
        recent: list[tuple[int, PostStats]] = []
        for offset in range(len(rows) - 30, len(rows)):
            day = first + timedelta(days=offset)
            for post in sorted(by_day.get(day.toordinal(), []), key=lambda p: p.item_id):
                if offset >= 0 and post.item_id in self._stats:
                    recent.append((day.toordinal(), self._stats[post.item_id]))
        for offset in range(len(rows), target):
            day = first + timedelta(days=offset)
            ordinal = day.toordinal()
            for post in sorted(by_day.get(ordinal, []), key=lambda p: p.item_id):
                stats = self._stats.setdefault(post.item_id, self._perf(post, account, followers))
                recent.append((ordinal, stats))
            recent = [(o, s) for o, s in recent if ordinal - o < len(DECAY)]
            u = draws(self.world.key, 0x0FF2, account.index, ordinal)
            sums = {"video_views": 0.0, "likes": 0.0, "comments": 0.0, "shares": 0.0}
            follows = 0.0
            for posted, s in recent:
                w = DECAY[ordinal - posted]
                sums["video_views"] += s.views * w
                sums["likes"] += s.likes * w
                sums["comments"] += s.comments * w
                sums["shares"] += s.shares * w
                follows += s.follows * w
            new = int(followers * 0.0006 * (0.7 + 0.6 * u[0]) + follows + u[1])
            lost = int(followers * 0.00035 * (0.6 + 0.8 * u[2]) + u[3])
            followers = max(followers + new - lost, 0)
            views = int(sums["video_views"] + u[4])
            profile_views = int(views * 0.012 + followers * 0.0004 + u[5])
            engaged = int((sums["likes"] + sums["comments"] + sums["shares"]) * 0.7 + u[6])
            rows.append(
                {
                    "followers_count": followers,
                    "daily_new_followers": new,
                    "daily_lost_followers": lost,
                    "daily_total_followers": new - lost,
                    "profile_views": profile_views,
                    "video_views": views,
                    "likes": int(sums["likes"] + u[7]),
                    "comments": int(sums["comments"] + u[8]),
                    "shares": int(sums["shares"] + u[9]),
                    "engaged_audience": engaged,
                    "bio_link_clicks": int(profile_views * 0.04 + u[10]),
                    "email_clicks": int(profile_views * 0.004 + u[11]),
                    "phone_number_clicks": int(profile_views * 0.002 + u[12]),
                    "address_clicks": int(profile_views * 0.001 + u[13]),
                    "app_download_clicks": 0,
                    "lead_submissions": int(profile_views * 0.002 + u[14]),
                }
            )
        return rows

    def day(self, account: TikTokAccount, day: date) -> dict[str, int]:
        """Organic numbers of one local day (no paid credit)."""
        rows = self.series(account, day)
        return rows[(day - account.started).days]

    def paid(self, account: TikTokAccount, day: date, now: datetime) -> dict[str, int]:
        """SPK-2: what Spark ads on *account*'s posts earned on local *day*, as seen at *now*."""
        cache = self.world.cached("paid_account_day")
        key = (account.business_id, day.toordinal(), int(now.timestamp() // 60))
        if key in cache:
            found: dict[str, int] = cache[key]
            return found
        out = dict.fromkeys(PAID_FIELDS, 0)
        for ad in self.spark_ads_of(account):
            rec = self.world.sim.day(self.world.sim.model(ad), day.toordinal(), now.timestamp())
            if rec is not None:
                for name, j in PAID_FIELDS.items():
                    out[name] += rec[j]
        cache[key] = out
        return out

    def spark_ads_of(self, account: TikTokAccount) -> list[Ad]:
        cache = self.world.cached("spark_ads_of")
        if account.business_id not in cache:
            cache[account.business_id] = [
                ad
                for ad in self.world.ads.values()
                if ad.tiktok_item_id
                and self.world.posts.get(ad.tiktok_item_id, None) is not None
                and self.world.posts[ad.tiktok_item_id].owner_id == account.business_id
            ]
        ads: list[Ad] = cache[account.business_id]
        return ads

    def post_paid(self, post: Post, now: datetime) -> dict[str, int]:
        """SPK-2: paid engagement credited to *post* up to *now* (every Spark ad on it)."""
        out = dict.fromkeys(PAID_FIELDS, 0)
        sim = self.world.sim
        for ad in self.world.ads.values():
            if ad.tiktok_item_id != post.item_id:
                continue
            m = sim.model(ad)
            span = m.active_days()
            if span is None:
                continue
            last = min(span[1], now.astimezone(ZoneInfo(m.tz)).date().toordinal())
            for ordinal in range(span[0], last + 1):
                rec = sim.day(m, ordinal, now.timestamp())
                if rec is not None:
                    for name, j in PAID_FIELDS.items():
                        out[name] += rec[j]
        return out

    def post_visible(self, post: Post, now: datetime) -> float:
        """Share of the post's lifetime organic numbers earned by *now*."""
        account = self.world.accounts[post.owner_id]
        zone = ZoneInfo(account.timezone)
        if now < post.created:
            return 0.0
        age = (now.astimezone(zone).date() - post.created.astimezone(zone).date()).days
        return _CUM_DECAY[min(age, len(DECAY) - 1)]
