"""TikTok Shop stores usable by an ad account and their products (COM-2, SHP-1).

The spec names Shop stores through ``store_id`` / ``store_authorized_bc_id`` (§5) but documents
no listing endpoint; ``/store/list/?advertiser_id=`` is the "Get available stores under an ad
account" page of the official docs as quoted by third-party code. **Unconfirmed**: the list key
(``stores`` or ``list``) and whether it pages; both keys are accepted and ``page_info`` is
followed when present.

``GET /store/product/get/?bc_id&store_id&page&page_size`` (``page_size`` ≤ 100; ``bc_id`` is the
store's ``store_authorized_bc_id``; optional ``advertiser_id`` and ``filtering`` such as
``{"ad_creation_eligible": "GMV_MAX"}``) lists the store's catalogue as ``data.store_products``
with ``page_info``: ``item_group_id`` (the SPU id ads and GMV Max use), ``title``,
``product_image_url``, ``min_price`` / ``max_price`` and ``currency``, ``category``, ``status``
(``AVAILABLE`` | ``NOT_AVAILABLE``) and ``gmv_max_ads_status`` (``OCCUPIED`` | ``UNOCCUPIED``), as
third-party clients of the endpoint use them; other fields are kept in ``model_extra``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.models import Store, WireModel
from tokops.tiktok.paging import iter_items

__all__ = ["PRODUCTS_MAX_PAGE_SIZE", "StoreProduct", "Stores"]

MAX_PAGES: Final = 1000
PRODUCTS_MAX_PAGE_SIZE: Final = 100


class StoreProduct(WireModel):
    """One product (SPU) of a store's catalogue (``/store/product/get/``). Prices are the
    decimal strings TikTok sends; the ingest turns them into ``Decimal``."""

    item_group_id: str
    title: str | None = None
    product_image_url: str | None = None
    min_price: str | None = None
    max_price: str | None = None
    currency: str | None = None
    category: str | None = None
    status: str | None = None
    gmv_max_ads_status: str | None = None


class Stores:
    """Store look-ups."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def iter(self, advertiser_id: str, *, page_size: int = 50) -> Iterator[Store]:
        """Every store the ad account can advertise."""
        base: dict[str, Any] = {"advertiser_id": sid(advertiser_id, name="advertiser_id")}
        for page in range(1, MAX_PAGES + 1):
            data = self.api.get(
                "store/list/", params={**base, "page": page, "page_size": page_size}
            )
            data = data if isinstance(data, dict) else {}
            rows = data.get("stores") or data.get("list") or []
            for row in rows:
                yield Store.model_validate(row)
            info = data.get("page_info")
            total = info.get("total_page") if isinstance(info, dict) else None
            if not rows or total is None or page >= int(total):
                return

    def products(
        self,
        bc_id: str,
        store_id: str,
        *,
        advertiser_id: str | None = None,
        filtering: Mapping[str, Any] | None = None,
        page_size: int = PRODUCTS_MAX_PAGE_SIZE,
    ) -> Iterator[StoreProduct]:
        """Every product of the store's catalogue (*bc_id*: the store's authorising BC)."""
        if not 1 <= page_size <= PRODUCTS_MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {PRODUCTS_MAX_PAGE_SIZE}")
        params: dict[str, Any] = {
            "bc_id": sid(bc_id, name="bc_id"),
            "store_id": sid(store_id, name="store_id"),
        }
        if advertiser_id is not None:
            params["advertiser_id"] = sid(advertiser_id, name="advertiser_id")
        if filtering:
            params["filtering"] = dict(filtering)
        for row in iter_items(
            self.api, "store/product/get/", params, page_size=page_size, list_key="store_products"
        ):
            yield StoreProduct.model_validate(row)
