"""The :class:`World` container: every object of the simulated world, indexed, plus helpers.

Built empty (with its own delivery simulator, organic dynamics and truth) by
:func:`tokops.sandbox.world.build_world` and filled by the generator; the
Marketing API routes read it and change it (creating and pausing objects bumps
:attr:`World.version`, which invalidates every cache that depends on the world's state).
Money and counts for any period come from the delivery simulator (:attr:`World.sim`); the
ground truth behind them from :attr:`World.truth`.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tokops.sandbox.settings import MarketingSettings
from tokops.sandbox.world.delivery import Simulator
from tokops.sandbox.world.ids import make_id, token_text
from tokops.sandbox.world.model import (
    Ad,
    AdGroup,
    Advertiser,
    AuthCode,
    BusinessCenter,
    Campaign,
    Creator,
    GmvMaxCampaign,
    Post,
    SplitTest,
    Store,
    TikTokAccount,
)
from tokops.sandbox.world.organic import Organic
from tokops.sandbox.world.scales import SCALES
from tokops.sandbox.world.social import account_posts_on
from tokops.sandbox.world.trends import Trend
from tokops.sandbox.world.truth import Truth

__all__ = ["REVIEW_MINUTES", "Intervals", "World", "intersect"]

Intervals = tuple[tuple[float, float], ...]
_INF = math.inf
REVIEW_MINUTES = 10
"""A new ad is in review (``AD_STATUS_AUDIT``) this long before it delivers (**[EMU]**)."""


def _on_spans(log: list[tuple[datetime, str]]) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    opened: float | None = None
    for moment, status in sorted(log, key=lambda e: e[0]):
        t = moment.timestamp()
        if status == "ENABLE" and opened is None:
            opened = t
        elif status in ("DISABLE", "DELETE") and opened is not None:
            if t > opened:
                spans.append((opened, t))
            opened = None
        if status == "DELETE":
            break
    if opened is not None:
        spans.append((opened, _INF))
    return spans


def intersect(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for s1, e1 in a:
        for s2, e2 in b:
            lo, hi = max(s1, s2), min(e1, e2)
            if hi > lo:
                out.append((lo, hi))
    return sorted(out)


class World:
    """Everything the sandbox knows about advertisers, ads, posts and shops."""

    def __init__(
        self, seed: int, scale: str, anchor: date, settings: MarketingSettings | None = None
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.settings = settings or MarketingSettings()
        self.key = seed.to_bytes(16, "little", signed=True)
        self.anchor = anchor
        self.start = anchor - timedelta(days=SCALES[scale].history_days)
        self.version = 0
        self.bcs: dict[str, BusinessCenter] = {}
        self.advertisers: dict[str, Advertiser] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.adgroups: dict[str, AdGroup] = {}
        self.ads: dict[str, Ad] = {}
        self.accounts: dict[str, TikTokAccount] = {}
        self.creators: dict[str, Creator] = {}
        self.posts: dict[str, Post] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.stores: dict[str, Store] = {}
        self.gmv_campaigns: dict[str, GmvMaxCampaign] = {}
        self.split_tests: dict[str, SplitTest] = {}
        self.trends: list[Trend] = []
        self._posts_until: dict[str, date] = {}
        self._counter = 0
        self._cache: dict[str, Any] = {}
        self._cache_version = -1
        self.sim = Simulator(self)
        self.organic = Organic(self)
        self.truth = Truth(self)

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, scale={self.scale!r}, anchor={self.anchor}, "
            f"advertisers={len(self.advertisers)}, ads={len(self.ads)})"
        )

    # -- state ------------------------------------------------------------------------------
    def touch(self) -> None:
        """Record a change (every derived cache is dropped)."""
        self.version += 1

    def cached(self, name: str) -> dict[Any, Any]:
        """A dict cache that lives until the next :meth:`touch`."""
        if self._cache_version != self.version:
            self._cache = {}
            self._cache_version = self.version
        bucket: dict[Any, Any] = self._cache.setdefault(name, {})
        return bucket

    def new_id(self, kind: str) -> str:
        """A fresh 19-digit id for an object created through the API (deterministic order)."""
        while True:
            self._counter += 1
            candidate = make_id(self.seed, kind, f"api:{self._counter}")
            if candidate not in self.campaigns and candidate not in self.ads:
                return candidate

    # -- lookups ----------------------------------------------------------------------------
    def advertiser(self, advertiser_id: str) -> Advertiser | None:
        return self.advertisers.get(advertiser_id)

    def account_of(self, advertiser_id: str) -> TikTokAccount:
        for account in self.accounts.values():
            if account.advertiser_id == advertiser_id:
                return account
        raise KeyError(advertiser_id)

    def store_of(self, advertiser_id: str) -> Store:
        for store in self.stores.values():
            if store.advertiser_id == advertiser_id:
                return store
        raise KeyError(advertiser_id)

    def custom_identity(self, advertiser_id: str) -> str:
        return token_text(self.seed, "custom_identity", advertiser_id, 8).lower()

    def by_advertiser(self, kind: str) -> dict[str, list[Any]]:
        """``campaigns``, ``adgroups`` or ``ads`` grouped by advertiser (cached)."""
        cache = self.cached("by_advertiser")
        if kind not in cache:
            grouped: dict[str, list[Any]] = defaultdict(list)
            for obj in getattr(self, kind).values():
                grouped[obj.advertiser_id].append(obj)
            cache[kind] = grouped
        result: dict[str, list[Any]] = cache[kind]
        return result

    def ads_of(self, advertiser_id: str) -> list[Ad]:
        ads: list[Ad] = self.by_advertiser("ads").get(advertiser_id, [])
        return ads

    def siblings(self, adgroup_id: str) -> list[Ad]:
        cache = self.cached("siblings")
        if not cache:
            for ad in self.ads.values():
                if not ad.deleted:
                    cache.setdefault(ad.adgroup_id, []).append(ad)
        found: list[Ad] = cache.get(adgroup_id, [])
        return found

    # -- organic posts ----------------------------------------------------------------------
    def ensure_posts(self, day: date) -> None:
        """Generate the brand accounts' posts up to local *day* (the timeline is endless)."""
        for account in self.accounts.values():
            first = self._posts_until.get(account.business_id, account.started - timedelta(1))
            current = first + timedelta(days=1)
            while current <= day:
                for post in account_posts_on(self.seed, self.key, account, current, self.trends):
                    self.posts[post.item_id] = post
                current += timedelta(days=1)
            if day > first:
                self._posts_until[account.business_id] = day

    def posts_of(self, owner_id: str, until: datetime) -> list[Post]:
        """*owner_id*'s posts created before *until*, newest first."""
        self.ensure_posts(until.date() + timedelta(days=1))
        posts = [p for p in self.posts.values() if p.owner_id == owner_id and p.created <= until]
        posts.sort(key=lambda p: (p.created, p.item_id), reverse=True)
        return posts

    def attach_spark_post(self, ad: Ad, rng: random.Random) -> bool:
        """Make *ad* a Spark ad on a suitable existing post (generation only)."""
        account = self.account_of(ad.advertiser_id)
        roll = rng.random()
        if roll < 0.25:
            before = ad.created - timedelta(hours=1)
            codes = [
                c
                for c in self.auth_codes.values()
                if self.creators[c.identity_id].niche == account.niche
                and c.issued <= before < c.expires
                and not self.posts[c.item_id].banned
            ]
            if codes:
                code = codes[rng.randrange(len(codes))]
                code.bind(ad.advertiser_id, before)
                post = self.posts[code.item_id]
                ad.identity_type, ad.identity_id = "AUTH_CODE", code.identity_id
                ad.tiktok_item_id, ad.duration = post.item_id, post.duration
                return True
        posts = [
            p
            for p in self.posts.values()
            if p.owner_id == account.business_id
            and p.created <= ad.created - timedelta(days=1)
            and p.created >= ad.created - timedelta(days=90)
        ]
        if not posts:
            return False
        posts.sort(key=lambda p: p.item_id)
        post = posts[rng.randrange(len(posts))]
        ad.identity_type = "BC_AUTH_TT" if roll > 0.8 else "TT_USER"
        ad.identity_id = account.identity_id
        if ad.identity_type == "BC_AUTH_TT":
            ad.identity_authorized_bc_id = account.bc_id
        ad.tiktok_item_id, ad.duration = post.item_id, post.duration
        return True

    # -- delivery windows ---------------------------------------------------------------------
    def intervals(self, ad: Ad) -> tuple[tuple[float, float], ...]:
        """UTC spans during which *ad* could deliver (statuses, schedule, review, auth)."""
        cache = self.cached("intervals")
        found: tuple[tuple[float, float], ...] | None = cache.get(ad.ad_id)
        if found is not None:
            return found
        adgroup = self.adgroups[ad.adgroup_id]
        campaign = self.campaigns[ad.campaign_id]
        spans = intersect(_on_spans(campaign.status_log), _on_spans(adgroup.status_log))
        spans = intersect(spans, _on_spans(ad.status_log))
        end = adgroup.schedule_end.timestamp() if adgroup.schedule_end else _INF
        review_end = ad.created.timestamp() + REVIEW_MINUTES * 60
        window = [(max(adgroup.schedule_start.timestamp(), review_end), end)]
        if ad.identity_type == "AUTH_CODE" and ad.tiktok_item_id:
            window = intersect(window, self.auth_window(ad))
        result = tuple(intersect(spans, window))
        cache[ad.ad_id] = result
        return result

    def auth_window(self, ad: Ad) -> list[tuple[float, float]]:
        """UTC spans during which *ad*'s post was authorized for its ad account."""
        for code in self.auth_codes.values():
            if code.item_id == ad.tiktok_item_id and ad.advertiser_id in code.spans:
                stop = code.expires.timestamp()
                return [
                    (a.timestamp(), min(stop, b.timestamp() if b else _INF))
                    for a, b in code.spans[ad.advertiser_id]
                ]
        return []

    # -- ground truth -------------------------------------------------------------------------
    def totals(
        self,
        advertiser_id: str,
        start: date,
        end: date,
        *,
        as_of: datetime | None = None,
        include_deleted: bool = False,
    ) -> dict[str, int | Decimal]:
        """Sums per metric over *advertiser_id*'s ads, local days *start*..*end* inclusive.

        ``as_of`` (UTC) applies data latency and conversion restatement as the report
        endpoint would at that moment; ``None`` gives the settled, eventual totals. Deleted
        objects are left out unless *include_deleted* (as the reports' default status filter
        does). Money is a :class:`~decimal.Decimal` in the account currency (``spend``,
        ``conversion_value``), counts are ints, ``conversion`` sums every kind; ``reach`` is a
        sum of daily reach (not deduplicated).
        """
        return self.sim.totals(advertiser_id, start, end, as_of, include_deleted)

    def is_deleted(self, ad: Ad) -> bool:
        """The ad, its ad group or its campaign is deleted."""
        return (
            ad.deleted
            or self.adgroups[ad.adgroup_id].deleted
            or self.campaigns[ad.campaign_id].deleted
        )

    def now_or_anchor(self, now: datetime | None) -> datetime:
        return now or datetime.combine(self.anchor, datetime.min.time(), UTC)
