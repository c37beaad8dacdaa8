"""TikTok Shop orders and LIVE sessions of the world's stores (COM-2, COM-6, COM-9). **[EMU]**

Orders come from four sources, each tagged in ``traffic_source``: Shop ads of the store
(``ADS``: exactly the conversions and value the delivery simulator gives those ads, spread
over the day along the audience's activity), GMV Max campaigns (``GMV_MAX``), the account's
LIVE sessions (``LIVE``) and organic videos (``ORGANIC``). Each order has one line item;
``line_total`` carries the exact amount and ``unit_price`` the rounded per-unit price.
Orders exist from their ``create_time`` on, whatever the ad reports' latency.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from tokops.sandbox.shop.gmv_max_delivery import gmv_day
from tokops.sandbox.world.ad_day_counts import IDX
from tokops.sandbox.world.breakdowns import apportion
from tokops.sandbox.world.calendar import day_clock
from tokops.sandbox.world.ids import draws, make_id
from tokops.sandbox.world.model import Store

if TYPE_CHECKING:
    from tokops.sandbox.world.world import World

__all__ = ["Commerce"]

_FAR = 1e12
_FAR_DT = datetime(2999, 1, 1, tzinfo=UTC)
_SHOP_N, _SHOP_V = IDX["shop_purchases"], IDX["shop_value"]


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class Commerce:
    def __init__(self, world: World) -> None:
        self.world = world

    def live_sessions(self, store: Store, day: date) -> list[dict[str, Any]]:
        w = self.world
        account = w.accounts[store.business_id]
        u = draws(w.key, 0x11FE, account.index, day.toordinal())
        if u[0] > 0.3 or day < w.start:
            return []
        clock = day_clock(account.timezone, day.toordinal())
        start = clock.start + (19 + 2 * u[1]) * 3600
        minutes = int(60 + 60 * u[2])
        followers = w.organic.day(account, day)["followers_count"]
        viewers = int(followers * (0.01 + 0.02 * u[3]))
        orders = int(viewers * (0.004 + 0.008 * u[4]) + u[5])
        return [
            {
                "room_id": make_id(w.seed, "room", f"{account.index}:{day.toordinal()}"),
                "business_id": account.business_id,
                "store_id": store.store_id,
                "title": f"{account.display_name} LIVE — {day.strftime('%d %b')}",
                "start_time": int(start),
                "end_time": int(start + minutes * 60),
                "duration_minutes": minutes,
                "viewers": viewers,
                "peak_viewers": int(viewers * (0.25 + 0.2 * u[6])),
                "product_clicks": int(viewers * 0.12 + u[7]),
                "orders": orders,
            }
        ]

    def orders(self, store: Store, day: date) -> list[dict[str, Any]]:
        """Every order of *store* on local *day*, oldest first (cached)."""
        key = (store.store_id, day.toordinal())
        cache = self.world.cached("orders")  # dropped when the world changes
        found: list[dict[str, Any]] | None = cache.get(key)
        if found is not None:
            return found
        w = self.world
        adv = w.advertisers[store.advertiser_id]
        ordinal = day.toordinal()
        batches: list[tuple[str, int, int, str | None]] = []
        for ad in w.ads_of(adv.advertiser_id):
            if w.adgroups[ad.adgroup_id].store_id != store.store_id:
                continue
            rec = w.sim.day(w.sim.model(ad), ordinal, _FAR)
            if rec is not None and rec[_SHOP_N] > 0:
                batches.append(("ADS", rec[_SHOP_N], rec[_SHOP_V], ad.campaign_id))
        for campaign in w.gmv_campaigns.values():
            if campaign.store_id == store.store_id:
                rec2 = gmv_day(w, campaign, ordinal, _FAR_DT)
                if rec2 is not None and rec2[1] > 0:
                    batches.append(("GMV_MAX", rec2[1], rec2[2], campaign.campaign_id))
        aov = int(adv.aov * 100)
        for session in self.live_sessions(store, day):
            if session["orders"]:
                batches.append(("LIVE", session["orders"], session["orders"] * aov, None))
        account = w.accounts[store.business_id]
        u = draws(w.key, 0x02D, account.index, ordinal)
        organic = int(w.organic.day(account, day)["video_views"] * 0.0004 + u[0])
        if organic:
            batches.append(("ORGANIC", organic, int(organic * aov * (0.8 + 0.4 * u[1])), None))
        out = self._make(store, day, batches)
        cache[key] = out
        return out

    def _make(
        self, store: Store, day: date, batches: list[tuple[str, int, int, str | None]]
    ) -> list[dict[str, Any]]:
        w = self.world
        tz = w.advertisers[store.advertiser_id].timezone
        clock = day_clock(tz, day.toordinal())
        out = []
        n = 0
        for source, count, value, campaign_id in batches:
            cum = [(k + 1) / count for k in range(count)]
            for amount in apportion(value, cum):
                u = draws(w.key, 0x0DE, int(store.store_id) % 2**62, day.toordinal(), n)
                hour = next(
                    (j for j, c in enumerate(clock.cum[1:]) if u[0] < c), len(clock.hours) - 1
                )
                _, start, end = clock.hours[hour]
                created = int(start + (end - start) * u[1])
                product = store.products[int(u[2] * len(store.products))]
                price_cents = max(int(round(product.price * 100)), 1)
                quantity = max(1, min(5, round(amount / price_cents))) if amount else 1
                out.append(
                    {
                        "order_id": make_id(
                            w.seed, "order", f"{store.store_id}:{day.toordinal()}:{n}"
                        ),
                        "store_id": store.store_id,
                        "create_time": created,
                        "update_time": created + 3600,
                        "status": "CANCELLED" if u[3] < 0.03 else "COMPLETED",
                        "currency": store.currency,
                        "payment": {"total_amount": _money(amount), "shipping_fee": "0.00"},
                        "line_items": [
                            {
                                "product_id": product.item_group_id,
                                "product_name": product.title,
                                "sku_id": product.sku_ids[int(u[4] * len(product.sku_ids))],
                                "quantity": quantity,
                                "unit_price": _money(amount // quantity),
                                "line_total": _money(amount),
                            }
                        ],
                        "buyer_region": store.region_codes[0],
                        "traffic_source": source,
                        "campaign_id": campaign_id,
                    }
                )
                n += 1
        out.sort(key=lambda o: (o["create_time"], o["order_id"]))
        return out
