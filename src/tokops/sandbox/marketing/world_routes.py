"""Sandbox-only read-outs of the world: ``GET /sandbox/world/`` and ``/sandbox/world/truth/``.

Not part of TikTok's API (**[EMU]**): they tell a user what the seeded world holds
(advertisers with their time zone and currency, counts, accounts, stores) and what the
simulator put in (the ground truth an insight should find again). Token-protected like every
sandbox route, never faulty nor rate-limited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.server.request import SandboxRequest

__all__ = ["WorldReadout"]


class WorldReadout(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("GET", "/sandbox/world/", self.summary, "Summary of the simulated world"),
            RouteSpec(
                "GET", "/sandbox/world/truth/", self.truth, "Ground truth of the simulated world"
            ),
        ]

    def summary(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        w = self.market.world
        advertisers = []
        for adv in w.advertisers.values():
            ads = w.ads_of(adv.advertiser_id)
            advertisers.append(
                {
                    "advertiser_id": adv.advertiser_id,
                    "name": adv.name,
                    "timezone": adv.timezone,
                    "currency": adv.currency,
                    "bc_id": adv.bc_id,
                    "niche": adv.niche,
                    "campaigns": len(w.by_advertiser("campaigns").get(adv.advertiser_id, [])),
                    "adgroups": len(w.by_advertiser("adgroups").get(adv.advertiser_id, [])),
                    "ads": len(ads),
                    "spark_ads": sum(1 for a in ads if a.is_spark),
                    "business_id": w.account_of(adv.advertiser_id).business_id,
                    "store_id": w.store_of(adv.advertiser_id).store_id,
                }
            )
        return {
            "seed": w.seed,
            "scale": w.scale,
            "history_start": w.start.isoformat(),
            "anchor": w.anchor.isoformat(),
            "version": w.version,
            "business_centers": [{"bc_id": bc.bc_id, "name": bc.name} for bc in w.bcs.values()],
            "advertisers": advertisers,
            "counts": {
                "campaigns": len(w.campaigns),
                "adgroups": len(w.adgroups),
                "ads": len(w.ads),
                "tiktok_accounts": len(w.accounts),
                "creators": len(w.creators),
                "auth_codes": len(w.auth_codes),
                "stores": len(w.stores),
                "products": sum(len(s.products) for s in w.stores.values()),
                "gmv_max_campaigns": len(w.gmv_campaigns),
                "split_tests": len(w.split_tests),
            },
        }

    def truth(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        return self.market.world.truth.summary()
