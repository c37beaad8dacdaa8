"""Business Centers and their assets: ``/bc/get/``, ``/bc/asset/get/`` (SHP-1, SHP-4).

A Business Center (BC) owns ad accounts, TikTok accounts, catalogs and shops, and authorises them
to ad accounts (``store_authorized_bc_id``, ``identity_authorized_bc_id``, §4–5). The spec cites
no BC DOC page: paths come from the official SDK's ``BcApi``; the answer shapes (``list`` of
``{bc_info, user_role}``; assets as ``list``) and the ``asset_type`` values (``ADVERTISER``,
``CATALOG``, ``TIKTOK_ACCOUNT``, ``PIXEL``, …) are **unconfirmed**.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.models import BusinessCenter
from tokops.tiktok.paging import iter_items

__all__ = ["BusinessCenters"]

PAGE_SIZE: Final = 50


class BusinessCenters:
    """Business Center look-ups."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def iter(self, *, bc_id: str | None = None) -> Iterator[BusinessCenter]:
        """The BCs the token's user belongs to (one when *bc_id* is given)."""
        params: dict[str, Any] = {}
        if bc_id:
            params["bc_id"] = sid(bc_id, name="bc_id")
        for item in iter_items(self.api, "bc/get/", params, page_size=PAGE_SIZE):
            yield BusinessCenter.model_validate(item)

    def assets(self, bc_id: str, asset_type: str) -> Iterator[dict[str, Any]]:
        """Assets of one type owned by or shared with a BC, as TikTok sends them."""
        if not asset_type:
            raise ValueError("asset_type is empty")
        params = {"bc_id": sid(bc_id, name="bc_id"), "asset_type": asset_type}
        for item in iter_items(self.api, "bc/asset/get/", params, page_size=PAGE_SIZE):
            yield dict(item)
