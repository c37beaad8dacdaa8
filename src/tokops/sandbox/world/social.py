"""Organic TikTok: brand accounts, creators, their posts and Spark authorization codes.

Brand accounts post every day with a deterministic, seeded draw per (account, day): 0–2 posts,
a content type and hashtags pulled towards whatever trend is rising in the niche, a music
track, a length and a posting hour. Because any day can be drawn alone, the organic timeline
never ends: days after the generated history appear as the clock moves on.

Creators (``AUTH_CODE`` identities, SPK-1) have a finite set of posts, each with a video code
valid 7, 30, 60 or 365 days (**[UNCONFIRMED]** durations from help sites, ``marketing_api.md``
§4). A few codes are pre-bound to ad accounts (the world's AUTH_CODE Spark ads use them), one
post is banned (SPK-6) and one code is already expired.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tokops.sandbox.world.calendar import HOURLY_ACTIVITY
from tokops.sandbox.world.catalog import CONTENT_TYPES, NICHES
from tokops.sandbox.world.ids import draws, make_id, token_text
from tokops.sandbox.world.model import AuthCode, Creator, Post, TikTokAccount
from tokops.sandbox.world.trends import Trend

if TYPE_CHECKING:
    from tokops.sandbox.settings import CreatorPostSettings

__all__ = [
    "account_posts_on",
    "configured_creator_posts",
    "make_creator_posts",
    "make_trends",
    "music_for",
]

_TRACKS = (
    "Midnight Drive",
    "Sunny Side",
    "Lo-fi Rain",
    "Neon Bloom",
    "Paper Planes",
    "Velvet Hour",
    "Golden Loop",
    "Echo Park",
)


def music_for(seed: int, niche: str, u: float) -> tuple[str, str]:
    index = int(u * len(_TRACKS))
    title = _TRACKS[index]
    return make_id(seed, "music", f"{niche}:{index}")[:19], title


def _trend(
    rng: random.Random,
    name: str,
    kind: str,
    niche: str | None,
    peak: date,
    rise_days: int,
    amplitude: tuple[float, float],
    decay_days: tuple[float, float],
) -> Trend:
    """A trend rising for *rise_days* to *peak*; amplitude and decay drawn as ``low + span × u``."""
    return Trend(
        name,
        kind,
        niche,
        peak - timedelta(days=rise_days),
        peak,
        amplitude=amplitude[0] + amplitude[1] * rng.random(),
        decay_days=decay_days[0] + decay_days[1] * rng.random(),
    )


def make_trends(rng: random.Random, start: date, end: date) -> list[Trend]:
    """Two trending formats for every niche, and two trending hashtags per niche."""
    span = (end - start).days
    trends: list[Trend] = []
    formats = rng.sample(("challenge", "tutorial", "unboxing", "review", "before_after"), 2)
    for j, name in enumerate(formats):
        peak = start + timedelta(days=int(span * (0.40 + 0.30 * j)))
        trends.append(_trend(rng, name, "format", None, peak, 28, (0.9, 0.4), (14.0, 6.0)))
    for niche, info in sorted(NICHES.items()):
        for j in range(2):
            tag = f"{info.tribe.removesuffix('tok')}{('challenge', 'trend')[j]}{start.year % 100}"
            peak = start + timedelta(days=int(span * (0.30 + 0.45 * j + 0.1 * rng.random())))
            trends.append(_trend(rng, tag, "hashtag", niche, peak, 21, (0.7, 0.5), (10.0, 8.0)))
    return trends


def _pick_hour(u: float, habit: float) -> int:
    """A posting hour: mostly where the audience is, shifted by the brand's *habit*."""
    weights = [w ** (0.4 + habit) for w in HOURLY_ACTIVITY]
    total = sum(weights)
    acc = 0.0
    for hour, w in enumerate(weights):
        acc += w / total
        if u < acc:
            return hour
    return 23


def account_posts_on(
    seed: int, key: bytes, account: TikTokAccount, day: date, trends: list[Trend]
) -> list[Post]:
    """The brand account's posts of local *day* (deterministic)."""
    u = draws(key, 0x5057, account.index, day.toordinal())
    count = 0 if u[0] < 0.35 else 1 if u[0] < 0.88 else 2
    niche = NICHES[account.niche]
    posts: list[Post] = []
    zone = ZoneInfo(account.timezone)
    habit = (account.index % 3) * 0.5
    for k in range(count):
        v = draws(key, 0x5058, account.index, day.toordinal(), k)
        content = CONTENT_TYPES[int(v[0] * len(CONTENT_TYPES))]
        tags = [niche.tribe, niche.hashtags[int(v[1] * len(niche.hashtags))]]
        for n, trend in enumerate(trends):
            if trend.niche not in (None, account.niche):
                continue
            roll = v[2 + n % 6]
            if trend.kind == "format" and roll < trend.adoption(day):
                content = trend.name
            elif trend.kind == "hashtag" and roll < trend.adoption(day):
                tags.append(trend.name)
        if v[8] < 0.5:
            tags.append("fyp")
        hour = _pick_hour(v[9], habit)
        local = datetime.combine(day, time(hour, int(v[10] * 60), int(v[11] * 60)), zone)
        music_id, music_title = music_for(seed, account.niche, v[12])
        caption = f"{content.replace('_', ' ').capitalize()} time with {account.display_name} " + (
            " ".join(f"#{t}" for t in dict.fromkeys(tags))
        )
        posts.append(
            Post(
                item_id=make_id(seed, "post", f"{account.index}:{day.toordinal()}:{k}"),
                owner_id=account.business_id,
                created=local.astimezone(UTC),
                caption=caption,
                hashtags=tuple(dict.fromkeys(tags)),
                music_id=music_id,
                music_title=music_title,
                content_type=content,
                duration=float(int(8 + 52 * v[13] ** 2)),
                quality=round(math.exp(0.84 * (v[14] + v[15] - 1.0)), 4),
            )
        )
    return posts


def make_creator_posts(
    seed: int,
    rng: random.Random,
    creator: Creator,
    start: date,
    anchor: date,
) -> tuple[list[Post], list[AuthCode]]:
    """A creator's posts and one authorization code per post."""
    niche = NICHES[creator.niche]
    posts: list[Post] = []
    codes: list[AuthCode] = []
    span = (anchor - start).days + 60
    for k in range(rng.randint(8, 14)):
        created = datetime.combine(
            start - timedelta(days=60 - rng.randrange(span)), time(rng.randrange(8, 23)), UTC
        )
        tags = (niche.tribe, rng.choice(niche.hashtags), "ad")
        music_id, music_title = music_for(seed, creator.niche, rng.random())
        post = Post(
            item_id=make_id(seed, "post", f"creator:{creator.index}:{k}"),
            owner_id=creator.identity_id,
            created=created,
            caption=f"{rng.choice(CONTENT_TYPES).replace('_', ' ')} "
            + " ".join(f"#{t}" for t in tags),
            hashtags=tags,
            music_id=music_id,
            music_title=music_title,
            content_type=rng.choice(CONTENT_TYPES),
            duration=float(rng.randint(10, 60)),
            quality=round(rng.lognormvariate(0.05, 0.3), 4),
            banned=(creator.index == 0 and k == 0),
        )
        posts.append(post)
        issued = created + timedelta(days=rng.randint(1, 5))
        valid = rng.choice((30, 60, 365, 365))
        if creator.index == 1 and k == 0:
            valid = 7  # expires long before the anchor: a code that can no longer be bound
        code = "#" + token_text(seed, "auth_code", f"{creator.index}:{k}", 46) + "="
        codes.append(AuthCode(code, post.item_id, creator.identity_id, issued, valid))
    return posts, codes


def configured_creator_posts(
    seed: int, creator: Creator, specs: Sequence[CreatorPostSettings], anchor: date
) -> tuple[list[Post], list[AuthCode]]:
    """The posts and codes of ``[[marketing.creator_posts]]``, exactly as configured: a banned
    post, a code about to expire, a video over 10 minutes (worlds that fail on purpose)."""
    midnight = datetime.combine(anchor, time(0), UTC)
    posts: list[Post] = []
    codes: list[AuthCode] = []
    for n, spec in enumerate(specs):
        music_id, music_title = music_for(seed, creator.niche, (n % 8) / 8)
        post = Post(
            item_id=make_id(seed, "post", f"configured:{n}"),
            owner_id=creator.identity_id,
            created=midnight - timedelta(days=20),
            caption=f"configured post {n + 1} #ad",
            hashtags=("ad",),
            music_id=music_id,
            music_title=music_title,
            content_type="review",
            duration=spec.duration_s,
            quality=1.0,
            banned=spec.banned,
            duet=spec.duet,
            stitch=spec.stitch,
            sticker=spec.sticker,
        )
        expires = midnight + timedelta(days=spec.expires_in_days)
        issued = expires - timedelta(days=spec.valid_days)
        posts.append(post)
        codes.append(
            AuthCode(spec.code, post.item_id, creator.identity_id, issued, spec.valid_days)
        )
    return posts, codes
