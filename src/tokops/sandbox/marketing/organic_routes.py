"""Organic business-account endpoints: ``GET /business/get/`` and ``/business/video/list/``.

Shapes follow the TikTok Accounts API as public clients use it (analytics spec §2b, O2–O5):

- ``/business/get/?business_id&start_date&end_date&fields=[…]``: account fields
  (``display_name``, ``profile_image``, ``username``, ``is_business_account``,
  ``followers_count`` — a snapshot at call time —, ``audience_countries``,
  ``audience_genders``, ``audience_ages``) and, for daily fields, ``metrics: [{date, …}]``
  with ``followers_count`` (end of day), ``daily_new_followers``, ``daily_lost_followers``,
  ``daily_total_followers``, ``profile_views``, ``video_views``, ``likes``, ``comments``,
  ``shares``, ``engaged_audience``, ``bio_link_clicks`` … and hourly ``audience_activity``
  (local hours, KPI-5c). Default fields: ``display_name``, ``profile_image``. Dates reach back
  ``organic_backfill_days`` (60); a day appears once it is over (account's local days,
  **[UNCONFIRMED]** TikTok's time zone for these dates).
- ``/business/video/list/?business_id&fields&filters={"video_ids": […]}&cursor&max_count``:
  posts newest first (``max_count`` 1–20, default 10), cursor + ``has_more``; per-video
  ``video_views``, ``likes``, ``comments``, ``shares``, ``reach``, ``average_time_watched``,
  ``total_time_watched``, ``full_video_watched_rate``, ``video_duration``,
  ``impression_sources``, ``audience_countries`` as of now. **[EMU]** ``hashtags``,
  ``music_id``, ``music_title`` and ``content_type`` are sandbox-only fields, returned when
  asked for (TikTok has the caption only).

SPK-2: numbers include what Spark ads on the posts earned (plays, likes, comments, shares,
follows, profile visits).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.server.paging import cursor_slice
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.world.calendar import HOURLY_ACTIVITY, day_clock
from tokops.sandbox.world.model import Post, TikTokAccount
from tokops.sandbox.world.organic import ACCOUNT_FIELDS

__all__ = ["OrganicRoutes"]

_PROFILE: Final = frozenset(
    {
        "is_business_account",
        "username",
        "display_name",
        "profile_image",
        "followers_count",
        "audience_countries",
        "audience_genders",
        "audience_ages",
    }
)
_DAILY: Final = frozenset(ACCOUNT_FIELDS) | {"audience_activity"}
_VIDEO: Final = frozenset(
    {
        "item_id", "create_time", "thumbnail_url", "share_url", "embed_url", "caption",
        "video_views", "likes", "comments", "shares", "reach", "video_duration",
        "full_video_watched_rate", "total_time_watched", "average_time_watched",
        "impression_sources", "audience_countries", "hashtags", "music_id", "music_title",
        "content_type",
    }
)  # fmt: skip
_GENDERS: Final = {
    "beauty": (0.74, 0.24),
    "fashion": (0.68, 0.30),
    "food": (0.52, 0.46),
    "home": (0.60, 0.38),
    "tech": (0.28, 0.70),
    "fitness": (0.45, 0.53),
}


class OrganicRoutes(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("GET", "/business/get/", self.account, "Get a business account's data"),
            RouteSpec(
                "GET", "/business/video/list/", self.videos, "Get a business account's posts"
            ),
        ]

    def _account(self, params: Params) -> TikTokAccount:
        business_id = params.string("business_id", required=True)
        account = self.market.world.accounts.get(business_id)
        if account is None:
            raise bad(f"Invalid value for business_id: {business_id} is not authorized.")
        return account

    def _fields(self, params: Params, allowed: frozenset[str], default: list[str]) -> list[str]:
        fields = params.strings("fields") or default
        unknown = [f for f in fields if f not in allowed]
        if unknown:
            raise bad(f"Invalid value for fields: {unknown!r} are not valid fields.")
        return fields

    def account(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        account = self._account(params)
        fields = self._fields(params, _PROFILE | _DAILY, ["display_name", "profile_image"])
        w = self.market.world
        zone = ZoneInfo(account.timezone)
        today = now.astimezone(zone).date()
        adv = w.advertisers[account.advertiser_id]
        out: dict[str, Any] = {}
        profile = {
            "is_business_account": True,
            "username": account.username,
            "display_name": account.display_name,
            "profile_image": f"https://p16-sandbox.tiktokcdn.example/avatar/{account.username}.jpeg",
        }
        for name in fields:
            if name in profile:
                out[name] = profile[name]
        if "followers_count" in fields:
            out["followers_count"] = self._followers(account, today - timedelta(days=1), now)
        if "audience_countries" in fields:
            shares = [0.7] + [0.3 / max(len(adv.countries) - 1, 1)] * (len(adv.countries) - 1)
            out["audience_countries"] = [
                {"country": c, "percentage": round(p * 0.9, 4)}
                for c, p in zip(adv.countries, shares, strict=True)
            ] + [{"country": "OTHER", "percentage": 0.1}]
        if "audience_genders" in fields:
            female, male = _GENDERS.get(account.niche, (0.5, 0.48))
            out["audience_genders"] = [
                {"gender": "Female", "percentage": female},
                {"gender": "Male", "percentage": male},
                {"gender": "Other", "percentage": round(1 - female - male, 4)},
            ]
        if "audience_ages" in fields:
            out["audience_ages"] = [
                {"age": a, "percentage": p}
                for a, p in (("18-24", 0.38), ("25-34", 0.33), ("35-44", 0.17), ("45+", 0.12))
            ]
        daily = [f for f in fields if f in _DAILY]
        if daily:
            out["metrics"] = self._metrics(account, params, daily, today, now)
        return out

    def _followers(self, account: TikTokAccount, day: date, now: datetime) -> int:
        organic = self.market.world.organic
        base = organic.day(account, day)["followers_count"]
        return base + self._paid_follows_until(account, day, now)

    def _paid_follows_until(self, account: TikTokAccount, day: date, now: datetime) -> int:
        organic = self.market.world.organic
        total = 0
        for ad in organic.spark_ads_of(account):
            m = self.market.world.sim.model(ad)
            span = m.active_days()
            if span is None:
                continue
            for ordinal in range(span[0], min(span[1], day.toordinal()) + 1):
                rec = self.market.world.sim.day(m, ordinal, now.timestamp())
                if rec is not None:
                    total += rec[17]
        return total

    def _metrics(
        self,
        account: TikTokAccount,
        params: Params,
        fields: list[str],
        today: date,
        now: datetime,
    ) -> list[dict[str, Any]]:
        backfill = self.market.settings.marketing.organic_backfill_days
        start = params.day("start_date", required=False) or today - timedelta(days=7)
        end = params.day("end_date", required=False) or today - timedelta(days=1)
        if start > end:
            raise bad("Invalid value for start_date: start_date must not be later than end_date.")
        if start < today - timedelta(days=backfill):
            raise bad(f"Invalid value for start_date: data goes back {backfill} days at most.")
        organic = self.market.world.organic
        rows = []
        followers_paid = self._paid_follows_until(account, start - timedelta(days=1), now)
        day = start
        while day <= end and day_clock(account.timezone, day.toordinal()).end <= now.timestamp():
            values = dict(organic.day(account, day))
            paid = organic.paid(account, day, now)
            followers_paid += paid["follows"]
            values["followers_count"] += followers_paid
            values["daily_new_followers"] += paid["follows"]
            values["daily_total_followers"] += paid["follows"]
            for name in ("video_views", "likes", "comments", "shares", "profile_views"):
                values[name] += paid[name]
            row: dict[str, Any] = {"date": day.isoformat()}
            for name in fields:
                if name == "audience_activity":
                    active = values["followers_count"] * 0.3
                    row[name] = [
                        {"hour": str(h), "count": int(active * w)}
                        for h, w in enumerate(HOURLY_ACTIVITY)
                    ]
                else:
                    row[name] = values[name]
            rows.append(row)
            day += timedelta(days=1)
        return rows

    def videos(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        account = self._account(params)
        fields = self._fields(params, _VIDEO, ["item_id"])
        filters = params.obj("filters") or {}
        w = self.market.world
        posts = w.posts_of(account.business_id, now)
        wanted = filters.get("video_ids")
        if wanted is not None:
            if not isinstance(wanted, list) or len(wanted) > 20:
                raise bad("Invalid value for filters.video_ids: a list of at most 20 ids.")
            posts = [p for p in posts if p.item_id in set(map(str, wanted))]
        chunk, more = cursor_slice(posts, params, count_name="max_count", default=10, max_count=20)
        return {"videos": [self._video(p, fields, now) for p in chunk], **more}

    def _video(self, post: Post, fields: list[str], now: datetime) -> dict[str, Any]:
        w = self.market.world
        stats = w.organic.stats(post)
        share = w.organic.post_visible(post, now)
        paid = (
            w.organic.post_paid(post, now)
            if any(f in fields for f in ("video_views", "likes", "comments", "shares"))
            else dict.fromkeys(("video_views", "likes", "comments", "shares"), 0)
        )
        views = int(stats.views * share) + paid["video_views"]
        url = f"https://www.tiktok.com/@{w.accounts[post.owner_id].username}/video/{post.item_id}"
        adv = w.advertisers[w.accounts[post.owner_id].advertiser_id]
        values: dict[str, Any] = {
            "item_id": post.item_id,
            "create_time": str(int(post.created.timestamp())),
            "thumbnail_url": f"https://p16-sandbox.tiktokcdn.example/{post.item_id}.jpeg",
            "share_url": url,
            "embed_url": f"https://www.tiktok.com/embed/v2/{post.item_id}",
            "caption": post.caption,
            "video_views": views,
            "likes": int(stats.likes * share) + paid["likes"],
            "comments": int(stats.comments * share) + paid["comments"],
            "shares": int(stats.shares * share) + paid["shares"],
            "reach": int(stats.reach * share),
            "video_duration": post.duration,
            "full_video_watched_rate": stats.full_video_watched_rate,
            "average_time_watched": stats.average_time_watched,
            "total_time_watched": round(stats.average_time_watched * views, 1),
            "impression_sources": [
                {"impression_source": "For You", "percentage": stats.for_you_share},
                {"impression_source": "Follow", "percentage": round(0.9 - stats.for_you_share, 4)},
                {"impression_source": "Personal Profile", "percentage": 0.06},
                {"impression_source": "Search", "percentage": 0.04},
            ],
            "audience_countries": [
                {"country": c, "percentage": round(0.9 / len(adv.countries), 4)}
                for c in adv.countries
            ],
            "hashtags": list(post.hashtags),
            "music_id": post.music_id,
            "music_title": post.music_title,
            "content_type": post.content_type,
        }
        return {f: values[f] for f in fields}
