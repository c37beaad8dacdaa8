"""Build a world from ``(seed, scale, anchor)``: Business Centers down to ads, posts and shops.

One :class:`random.Random` seeded with ``seed`` draws the structure in a fixed order, so the
same seed builds the same world. The history ends on ``anchor`` (a UTC date) and starts
``history_days`` before it; most campaigns start before the history does, some during it, a
few are paused or deleted along the way, and a quarter of the ad groups bid with a cost cap
(some too low to spend their budget, SHP-6). Half of the ads of each ad group are Spark ads
(SPK-1): the brand's own posts (``TT_USER``/``BC_AUTH_TT``) or creators' posts lent with an
authorization code (``AUTH_CODE``). Spark or not is drawn independently of everything else, so
comparing the two recovers SPK-11's effect sizes. **[EMU]** all proportions.
"""

from __future__ import annotations

import math
import random
import unicodedata
from datetime import UTC, date, datetime, time, timedelta

from tokops.sandbox.world.catalog import (
    AGES,
    BASE_CPM_USD,
    BASE_CTA_RATE,
    BASE_CVR,
    COUNTRIES,
    CURRENCY_PER_USD,
    MARKETS,
    NICHES,
)
from tokops.sandbox.world.ids import make_id, token_text
from tokops.sandbox.world.model import (
    Ad,
    AdGroup,
    Advertiser,
    BusinessCenter,
    Campaign,
    Creator,
    SplitTest,
    TikTokAccount,
)
from tokops.sandbox.world.scales import SCALES, world_advertiser_ids
from tokops.sandbox.world.seed_shops import make_shops
from tokops.sandbox.world.social import (
    configured_creator_posts,
    make_creator_posts,
    make_trends,
)
from tokops.sandbox.world.world import World

__all__ = ["populate"]

_OBJECTIVE_CYCLE = (
    "WEB_CONVERSIONS",
    "PRODUCT_SALES",
    "TRAFFIC",
    "VIDEO_VIEWS",
    "WEB_CONVERSIONS",
    "REACH",
    "PRODUCT_SALES",
    "ENGAGEMENT",
    "APP_PROMOTION",
    "LEAD_GENERATION",
)
_GOALS = {
    "REACH": ("REACH", "CPM"),
    "TRAFFIC": ("CLICK", "CPC"),
    "VIDEO_VIEWS": ("ENGAGED_VIEW", "CPV"),
    "ENGAGEMENT": ("FOLLOWERS", "OCPM"),
    "LEAD_GENERATION": ("LEAD_GENERATION", "OCPM"),
    "APP_PROMOTION": ("INSTALL", "OCPM"),
    "WEB_CONVERSIONS": ("CONVERT", "OCPM"),
    "PRODUCT_SALES": ("VALUE", "OCPM"),
}
_PROMOTION = {
    "APP_PROMOTION": "APP_ANDROID",
    "LEAD_GENERATION": "LEAD_GENERATION",
    "PRODUCT_SALES": "VIDEO_SHOPPING",
}
_HOOKS = ("Hook", "Unboxing", "Review", "Tutorial", "UGC", "Promo", "Story", "Demo")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())[:16]


def _money(amount_usd: float, currency: str) -> float:
    value = amount_usd * CURRENCY_PER_USD[currency]
    return float(round(value)) if currency == "JPY" else round(value, 2)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(7, 20), rng.randrange(60)), UTC)


def populate(world: World) -> None:
    """Fill an empty *world* (its seed, scale and anchor are set)."""
    rng = random.Random(world.seed)
    scale = SCALES[world.scale]
    start, anchor = world.start, world.anchor
    world.trends = make_trends(rng, start, anchor)
    for b in range(scale.business_centers):
        bc = BusinessCenter(
            make_id(world.seed, "bc", b),
            f"Sandbox Agency {chr(65 + b)}",
            f"Sandbox Agency {chr(65 + b)} Ltd",
            MARKETS[b].timezone,
            MARKETS[b].currency,
            _at(start - timedelta(days=400), rng),
        )
        world.bcs[bc.bc_id] = bc
    bc_ids = list(world.bcs)
    for n, advertiser_id in enumerate(world_advertiser_ids(world.scale)):
        market = MARKETS[n]
        adv = Advertiser(
            advertiser_id=advertiser_id,
            name=f"{market.brand} — {market.countries[0]}",
            company=f"{market.brand} Inc.",
            bc_id=bc_ids[n % len(bc_ids)],
            timezone=market.timezone,
            currency=market.currency,
            countries=market.countries,
            niche=market.niche,
            brand=market.brand,
            aov=_money(market.aov_usd, market.currency),
            created=_at(start - timedelta(days=200 + 10 * n), rng),
            balance=_money(25_000.0, market.currency),
            index=n,
        )
        world.advertisers[advertiser_id] = adv
        _account(world, adv, rng)
    for n, niche in enumerate(sorted({a.niche for a in world.advertisers.values()})):
        for k in range(scale.creators):
            index = n * scale.creators + k
            creator = Creator(
                identity_id=token_text(world.seed, "creator", index, 8).lower()
                + "-"
                + token_text(world.seed, "creator2", index, 12).lower(),
                tiktok_name=f"{NICHES[niche].tribe.removesuffix('tok')}_{k + 1}_creator",
                display_name=f"{niche.capitalize()} Creator {k + 1}",
                niche=niche,
                followers=rng.randint(20_000, 900_000),
                index=index,
            )
            world.creators[creator.identity_id] = creator
            posts, codes = make_creator_posts(world.seed, rng, creator, start, anchor)
            for post in posts:
                world.posts[post.item_id] = post
            for code in codes:
                world.auth_codes[code.code] = code
    _configured_posts(world)
    world.ensure_posts(anchor)
    make_shops(world, rng)
    for adv in world.advertisers.values():
        for c in range(scale.campaigns):
            _campaign(world, adv, c, rng)
    _split_test(world, next(iter(world.advertisers.values())), rng)


def _configured_posts(world: World) -> None:
    """``[[marketing.creator_posts]]``: given to the first creator of the first ad account's
    niche, so that account's tests find them."""
    if not world.settings.creator_posts:
        return
    niche = next(iter(world.advertisers.values())).niche
    creator = next(c for c in world.creators.values() if c.niche == niche)
    posts, codes = configured_creator_posts(
        world.seed, creator, world.settings.creator_posts, world.anchor
    )
    for post in posts:
        world.posts[post.item_id] = post
    for code in codes:
        world.auth_codes[code.code] = code


def _account(world: World, adv: Advertiser, rng: random.Random) -> None:
    handle = _slug(adv.brand.replace("&", "and"))
    account = TikTokAccount(
        business_id="-000" + token_text(world.seed, "open_id", adv.index, 28),
        identity_id=token_text(world.seed, "identity", adv.index, 8).lower()
        + "-"
        + token_text(world.seed, "identity2", adv.index, 12).lower(),
        username=handle[:24],
        display_name=adv.brand,
        advertiser_id=adv.advertiser_id,
        bc_id=adv.bc_id,
        timezone=adv.timezone,
        niche=adv.niche,
        followers_start=int(rng.lognormvariate(math.log(40_000), 0.8)),
        started=world.start - timedelta(days=60),
        index=adv.index,
    )
    world.accounts[account.business_id] = account


def _campaign(world: World, adv: Advertiser, c: int, rng: random.Random) -> None:
    scale = SCALES[world.scale]
    objective = _OBJECTIVE_CYCLE[(c + adv.index) % len(_OBJECTIVE_CYCLE)]
    span = (world.anchor - world.start).days
    before = rng.random() < 0.7
    offset = -rng.randint(5, 40) if before else rng.randint(0, max(span - 21, 1))
    created = _at(world.start + timedelta(days=offset), rng)
    country = adv.countries[0]
    campaign = Campaign(
        campaign_id=make_id(world.seed, "campaign", f"{adv.index}:{c}"),
        advertiser_id=adv.advertiser_id,
        name=f"{country} {objective.replace('_', ' ').title()} {c + 1:02d}",
        objective_type=objective,
        budget_mode="BUDGET_MODE_INFINITE",
        budget=0.0,
        created=created,
        modified=created,
        campaign_product_source="STORE" if objective == "PRODUCT_SALES" else None,
        app_promotion_type="APP_INSTALL" if objective == "APP_PROMOTION" else None,
    )
    campaign.status_log.append((created, "ENABLE"))
    roll = rng.random()
    if roll < 0.08 and span > 30:
        stop = created + timedelta(days=rng.randint(20, 60))
        if stop.date() < world.anchor:
            campaign.operation_status = "DISABLE"
            campaign.status_log.append((stop, "DISABLE"))
            campaign.modified = stop
    elif roll < 0.11:
        campaign.deleted = True
        campaign.operation_status = "DISABLE"
        stop = max(created + timedelta(days=15), _at(world.anchor - timedelta(days=10), rng))
        campaign.status_log.append((stop, "DELETE"))
        campaign.modified = stop
    world.campaigns[campaign.campaign_id] = campaign
    for g in range(rng.randint(*scale.adgroups)):
        _adgroup(world, adv, campaign, g, rng)


def _adgroup(world: World, adv: Advertiser, campaign: Campaign, g: int, rng: random.Random) -> None:
    objective = campaign.objective_type
    goal, billing = _GOALS[objective]
    ages = tuple(AGES[1:]) if rng.random() < 0.35 else tuple(AGES[1 + rng.randint(0, 1) :][:3])
    gender = "GENDER_UNLIMITED"
    if rng.random() < (0.35 if adv.niche == "beauty" else 0.15):
        gender = "GENDER_FEMALE" if adv.niche in ("beauty", "fashion") else "GENDER_MALE"
    daily_usd = rng.choice((30, 50, 80, 120, 200, 300))
    bid_type, bid_price = "BID_TYPE_NO_BID", 0.0
    cpm = BASE_CPM_USD[objective] * COUNTRIES[adv.countries[0]].cpm_factor
    if objective in BASE_CVR and rng.random() < 0.25:
        cpa_usd = cpm / 1000 / (BASE_CTA_RATE[objective] * 1.5 * BASE_CVR[objective])
        bid_type, bid_price = (
            "BID_TYPE_CUSTOM",
            _money(cpa_usd * rng.uniform(0.5, 1.6), adv.currency),
        )
    start = campaign.created + timedelta(hours=rng.randint(1, 48))
    end = None
    if rng.random() < 0.12:
        end = start + timedelta(days=rng.randint(14, 60))
    adgroup = AdGroup(
        adgroup_id=make_id(world.seed, "adgroup", f"{campaign.campaign_id}:{g}"),
        campaign_id=campaign.campaign_id,
        advertiser_id=adv.advertiser_id,
        name=f"{campaign.name.split()[0]} {ages[0][4:6]}-{ages[-1][-3:].strip('_')} "
        f"{gender.removeprefix('GENDER_').title()} {g + 1}",
        location_ids=tuple(COUNTRIES[c].geo_id for c in adv.countries),
        age_groups=ages,
        gender=gender,
        budget_mode="BUDGET_MODE_DAY",
        budget=_money(daily_usd, adv.currency),
        schedule_type="SCHEDULE_START_END" if end else "SCHEDULE_FROM_NOW",
        schedule_start=start,
        schedule_end=end,
        optimization_goal=goal,
        billing_event=billing,
        bid_type=bid_type,
        conversion_bid_price=bid_price,
        created=campaign.created,
        modified=campaign.created,
        promotion_type=_PROMOTION.get(objective, "WEBSITE"),
        product_source="STORE" if objective == "PRODUCT_SALES" else None,
        store_id=world.store_of(adv.advertiser_id).store_id
        if objective == "PRODUCT_SALES"
        else None,
    )
    adgroup.status_log.append((campaign.created, "ENABLE"))
    adgroup.budget_log.append((campaign.created, adgroup.budget))
    if campaign.deleted:
        adgroup.deleted = True
    world.adgroups[adgroup.adgroup_id] = adgroup
    n_ads = rng.randint(*SCALES[world.scale].ads)
    first: Ad | None = None
    for k in range(n_ads):
        ad = _ad(world, adv, campaign, adgroup, k, rng, twin=first if k == 1 else None)
        first = first or ad


def _ad(
    world: World,
    adv: Advertiser,
    campaign: Campaign,
    adgroup: AdGroup,
    k: int,
    rng: random.Random,
    *,
    twin: Ad | None = None,
) -> Ad:
    """One ad; a *twin* runs the same creative, Spark if the twin is not (and vice versa)."""
    created = adgroup.created + timedelta(minutes=rng.randint(5, 600))
    quality = round(rng.lognormvariate(-0.06, 0.35), 4)
    spark = rng.random() < 0.5
    hook = _HOOKS[rng.randrange(len(_HOOKS))]
    if twin is not None:
        quality, spark, hook = twin.quality, not twin.is_spark, twin.name.split()[0]
    ad = Ad(
        ad_id=make_id(world.seed, "ad", f"{adgroup.adgroup_id}:{k}"),
        adgroup_id=adgroup.adgroup_id,
        campaign_id=campaign.campaign_id,
        advertiser_id=adv.advertiser_id,
        name=f"{hook} {'Spark' if spark else 'Video'} v{k + 1}",
        ad_format="SINGLE_VIDEO",
        identity_type="CUSTOMIZED_USER",
        identity_id=world.custom_identity(adv.advertiser_id),
        quality=quality,
        duration=twin.duration if twin else float(rng.choice((9, 15, 21, 30, 45, 60))),
        created=created,
        modified=created,
        landing_page_url=f"https://{_slug(adv.brand)}.example/p/{k + 1}",
        has_anchor=rng.random() < 0.3,
    )
    if spark and world.attach_spark_post(ad, rng):
        pass
    else:
        ad.video_id = "v10033g50000" + make_id(world.seed, "video", ad.ad_id)[2:]
        ad.ad_text = f"{adv.brand}: {hook.lower()} — tap to shop"
    ad.status_log.append((created, "ENABLE"))
    if campaign.deleted:
        ad.deleted = True
    world.ads[ad.ad_id] = ad
    return ad


def _split_test(world: World, adv: Advertiser, rng: random.Random) -> None:
    """A finished creative split test whose ad group B truly wins (ground truth)."""
    test_start = datetime.combine(world.anchor - timedelta(days=45), time(0), UTC)
    test_end = test_start + timedelta(days=28)
    created = test_start - timedelta(days=2)
    campaign = Campaign(
        campaign_id=make_id(world.seed, "campaign", f"{adv.index}:split"),
        advertiser_id=adv.advertiser_id,
        name=f"{adv.countries[0]} Split Test Creative",
        objective_type="WEB_CONVERSIONS",
        budget_mode="BUDGET_MODE_INFINITE",
        budget=0.0,
        created=created,
        modified=created,
        extra={"split_test_variable": "CREATIVE"},
    )
    campaign.status_log.append((created, "ENABLE"))
    world.campaigns[campaign.campaign_id] = campaign
    cells = []
    for g, boost in enumerate((1.0, 1.35)):
        adgroup = AdGroup(
            adgroup_id=make_id(world.seed, "adgroup", f"{campaign.campaign_id}:{g}"),
            campaign_id=campaign.campaign_id,
            advertiser_id=adv.advertiser_id,
            name=f"Split {'AB'[g]}",
            location_ids=tuple(COUNTRIES[c].geo_id for c in adv.countries),
            age_groups=AGES[1:4],
            gender="GENDER_UNLIMITED",
            budget_mode="BUDGET_MODE_DAY",
            budget=_money(150, adv.currency),
            schedule_type="SCHEDULE_START_END",
            schedule_start=test_start,
            schedule_end=test_end,
            optimization_goal="CONVERT",
            billing_event="OCPM",
            bid_type="BID_TYPE_NO_BID",
            created=created,
            modified=created,
        )
        adgroup.status_log.append((created, "ENABLE"))
        adgroup.budget_log.append((created, adgroup.budget))
        world.adgroups[adgroup.adgroup_id] = adgroup
        for k in range(3):
            ad = _ad(world, adv, campaign, adgroup, k, rng)
            ad.quality = round(1.0 * boost * (0.95 + 0.1 * k / 2), 4)
        cells.append(adgroup.adgroup_id)
    test = SplitTest(
        split_test_group_id=make_id(world.seed, "split_test", adv.index),
        advertiser_id=adv.advertiser_id,
        level="ADGROUP",
        object_ids=(cells[0], cells[1]),
        test_variable="CREATIVE",
        key_metric="COST_PER_CONVERT",
        start=test_start,
        end=test_end,
        created=created,
    )
    world.split_tests[test.split_test_group_id] = test
    for adgroup_id in cells:
        world.adgroups[adgroup_id].split_test_group_id = test.split_test_group_id
    world.truth.split_test_winners[test.split_test_group_id] = cells[1]
