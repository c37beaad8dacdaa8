"""TikTok Shop side of the world: one store per advertiser, its products, GMV Max campaigns.

``marketing_api.md`` §5 only fixes the ad-side names (``store_id``,
``store_authorized_bc_id``, ``item_group_ids``); product ids are 19-digit strings like every
other id, prices are in the ad account's currency. **[EMU]** catalogue sizes, prices and the
GMV Max campaign of each store (a ROAS target between 2 and 5, created during the history).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from tokops.sandbox.world.catalog import CURRENCY_PER_USD, NICHES
from tokops.sandbox.world.ids import make_id
from tokops.sandbox.world.model import GmvMaxCampaign, Product, Store
from tokops.sandbox.world.world import World

__all__ = ["make_shops"]


def _price(usd: float, currency: str) -> float:
    value = usd * CURRENCY_PER_USD[currency]
    return float(round(value, -1)) if currency == "JPY" else round(value, 2) - 0.01


def make_shops(world: World, rng: random.Random) -> None:
    for adv in world.advertisers.values():
        account = world.account_of(adv.advertiser_id)
        store_id = make_id(world.seed, "store", adv.index)
        niche = NICHES[adv.niche]
        products = []
        for k, title in enumerate(niche.products):
            for variant in range(1 + k % 2):
                item = make_id(world.seed, "product", f"{adv.index}:{k}:{variant}")
                label = title if variant == 0 else f"{title} (Duo)"
                usd = adv.aov / CURRENCY_PER_USD[adv.currency] * rng.uniform(0.4, 1.3)
                skus = tuple(make_id(world.seed, "sku", f"{item}:{s}") for s in range(1 + k % 3))
                products.append(
                    Product(item, store_id, label, _price(usd, adv.currency), adv.niche, skus)
                )
        store = Store(
            store_id=store_id,
            name=f"{adv.brand} Shop",
            advertiser_id=adv.advertiser_id,
            bc_id=adv.bc_id,
            currency=adv.currency,
            region_codes=adv.countries,
            products=products,
            business_id=account.business_id,
        )
        world.stores[store_id] = store
        created = datetime.combine(
            world.start + timedelta(days=rng.randint(0, (world.anchor - world.start).days // 3)),
            time(10),
            UTC,
        )
        campaign = GmvMaxCampaign(
            campaign_id=make_id(world.seed, "gmv_campaign", adv.index),
            advertiser_id=adv.advertiser_id,
            store_id=store_id,
            name=f"{adv.brand} GMV Max",
            shopping_ads_type="PRODUCT",
            budget=round(rng.choice((50, 100, 150)) * CURRENCY_PER_USD[adv.currency], 2),
            roas_bid=round(rng.uniform(2.0, 5.0), 1),
            created=created,
            modified=created,
            identity_list=[{"identity_id": account.identity_id, "identity_type": "TT_USER"}],
        )
        campaign.status_log.append((created, "ENABLE"))
        world.gmv_campaigns[campaign.campaign_id] = campaign
