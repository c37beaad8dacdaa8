"""Stores, products, and the sandbox-only shop read-outs (``marketing_api.md`` §5).

- ``GET /store/list/?advertiser_id`` → ``{stores: [{store_id, store_name, store_type,
  store_authorized_bc_id, targeting_region_codes, is_gmv_max_available, …}]}``;
- ``GET /store/product/get/?bc_id&store_id&page&page_size`` (≤ 100) →
  ``{store_products: [{item_group_id, title, product_image_url, min_price, max_price,
  currency, category, sku_ids, status, gmv_max_ads_status}], page_info}`` (``filtering``:
  ``item_group_ids``, ``product_name``; ``ad_creation_eligible`` is accepted and ignored).

**[UNCONFIRMED]** shapes beyond the ids (the SDK leaves ``data`` untyped).

TikTok Shop orders and LIVE sessions belong to the TikTok Shop Partner API, which the specs do
not cover. **[EMU]** The sandbox serves them under ``/sandbox/shop/orders/`` and
``/sandbox/shop/live_sessions/`` (``store_id``, ``start_date``/``end_date`` in the store's
local days, ≤ 31 days; page-based, ``page_size`` ≤ 100) so shop ingestion can be developed
offline; only orders created by ``now`` appear.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tokops.sandbox.marketing.context import Family, Market, RouteSpec
from tokops.sandbox.server.paging import page_info, page_params, page_slice
from tokops.sandbox.server.params import Params, bad, check_strings
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.shop.orders import Commerce
from tokops.sandbox.world.calendar import local_date
from tokops.sandbox.world.model import Store

__all__ = ["Stores"]


class Stores(Family):
    def __init__(self, market: Market) -> None:
        super().__init__(market)
        self._commerce: Commerce | None = None

    @property
    def commerce(self) -> Commerce:
        if self._commerce is None:
            self._commerce = Commerce(self.market.world)
        return self._commerce

    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("GET", "/store/list/", self.stores, "Get available stores"),
            RouteSpec("GET", "/store/product/get/", self.products, "Get store products"),
        ]

    def sandbox_routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("GET", "/sandbox/shop/orders/", self.orders, "Shop orders (sandbox-only)"),
            RouteSpec(
                "GET", "/sandbox/shop/live_sessions/", self.lives, "LIVE sessions (sandbox-only)"
            ),
        ]

    def store_row(self, store: Store) -> dict[str, Any]:
        return {
            "store_id": store.store_id,
            "store_name": store.name,
            "store_type": "TIKTOK_SHOP",
            "store_code": f"{store.region_codes[0]}LCSANDBOX{store.store_id[-4:]}",
            "store_authorized_bc_id": store.bc_id,
            "targeting_region_codes": list(store.region_codes),
            "is_gmv_max_available": True,
            "store_role": "AD_PROMOTION",
        }

    def stores(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        rows = [
            self.store_row(s)
            for s in self.market.world.stores.values()
            if s.advertiser_id == adv.advertiser_id
        ]
        return {"stores": rows}

    def _store(self, params: Params) -> Store:
        store_id = params.ident("store_id")
        store = self.market.world.stores.get(store_id)
        if store is None:
            raise bad(f"Invalid value for store_id: store {store_id} not found.")
        return store

    def products(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        bc_id = params.ident("bc_id")
        store = self._store(params)
        if store.bc_id != bc_id:
            raise bad(
                "Invalid value for bc_id: the store is not authorized to this Business Center."
            )
        page, size = page_params(params, max_size=100)
        filtering = params.obj("filtering") or {}
        wanted = filtering.get("item_group_ids")
        ids = set(check_strings(wanted, "filtering.item_group_ids")) if wanted is not None else None
        name = filtering.get("product_name")
        rows = [
            {
                "item_group_id": p.item_group_id,
                "title": p.title,
                "product_image_url": f"https://p16-sandbox.tiktokcdn.example/product/{p.item_group_id}.jpeg",
                "min_price": f"{p.price:.2f}",
                "max_price": f"{p.price:.2f}",
                "currency": store.currency,
                "category": p.category,
                "sku_ids": list(p.sku_ids),
                "status": "AVAILABLE",
                "gmv_max_ads_status": "UNOCCUPIED",
            }
            for p in store.products
            if (ids is None or p.item_group_id in ids)
            and (not isinstance(name, str) or name.lower() in p.title.lower())
        ]
        return {
            "store_products": list(page_slice(rows, page, size)),
            "page_info": page_info(len(rows), page, size),
        }

    def _days(self, params: Params, tz: str, now: datetime) -> list[Any]:
        start, end = params.day("start_date"), params.day("end_date")
        assert start is not None and end is not None
        if start > end:
            raise bad("Invalid value for start_date: start_date must not be later than end_date.")
        if (end - start).days >= 31:
            raise bad("The date range must not exceed 31 days.")
        end = min(end, local_date(tz, now))
        return [start + timedelta(days=k) for k in range((end - start).days + 1)]

    def orders(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        store = self._store(params)
        tz = self.market.world.advertisers[store.advertiser_id].timezone
        page, size = page_params(params, max_size=100)
        limit = now.timestamp()
        rows = [
            o
            for day in self._days(params, tz, now)
            for o in self.commerce.orders(store, day)
            if o["create_time"] <= limit
        ]
        return {
            "list": list(page_slice(rows, page, size)),
            "page_info": page_info(len(rows), page, size),
        }

    def lives(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        store = self._store(params)
        tz = self.market.world.advertisers[store.advertiser_id].timezone
        page, size = page_params(params, max_size=100)
        rows = [
            s
            for day in self._days(params, tz, now)
            for s in self.commerce.live_sessions(store, day)
            if s["end_time"] <= now.timestamp()
        ]
        return {
            "list": list(page_slice(rows, page, size)),
            "page_info": page_info(len(rows), page, size),
        }
