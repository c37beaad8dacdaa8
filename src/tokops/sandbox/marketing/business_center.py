"""Business Centers and app authorization (``marketing_api.md`` §3.1; SDK ``BcApi``).

- ``GET /bc/get/``: the Business Centers the token sees, ``{list: [{bc_info, user_role,
  ext_user_info}], page_info}``; ``GET /bc/asset/get/?bc_id&asset_type``: its ad accounts
  (``ADVERTISER``), TikTok accounts (``TT_ACCOUNT``) and shops (``TIKTOK_SHOP``).
  **[UNCONFIRMED]** field names beyond the ids: the SDK types ``data`` as a plain object.

The app's OAuth routes (``/oauth2/…``) are in :mod:`tokops.sandbox.marketing.oauth`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.server.paging import page_info, page_params, page_slice
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest

__all__ = ["ASSET_TYPES", "BusinessCenters"]

ASSET_TYPES: Final = ("ADVERTISER", "TT_ACCOUNT", "TIKTOK_SHOP")


class BusinessCenters(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("GET", "/bc/get/", self.centers, "Get Business Centers"),
            RouteSpec("GET", "/bc/asset/get/", self.assets, "Get Business Center assets"),
        ]

    def centers(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        wanted = params.string("bc_id")
        page, size = page_params(params, max_size=50)
        w = self.market.world
        rows = [
            {
                "bc_info": {
                    "bc_id": bc.bc_id,
                    "name": bc.name,
                    "company": bc.company,
                    "currency": bc.currency,
                    "timezone": bc.timezone,
                    "registered_area": "US",
                    "status": "ENABLE",
                    "type": "NORMAL",
                    "create_time": int(bc.created.timestamp()),
                },
                "user_role": "ADMIN",
                "ext_user_info": {"finance_role": "MANAGER"},
            }
            for bc in w.bcs.values()
            if not wanted or bc.bc_id == wanted
        ]
        if wanted and not rows:
            raise bad(f"Invalid value for bc_id: Business Center {wanted} not found.")
        return {
            "list": list(page_slice(rows, page, size)),
            "page_info": page_info(len(rows), page, size),
        }

    def assets(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        bc_id = params.ident("bc_id")
        w = self.market.world
        if bc_id not in w.bcs:
            raise bad(f"Invalid value for bc_id: Business Center {bc_id} not found.")
        kind = params.enum("asset_type", ASSET_TYPES)
        page, size = page_params(params, max_size=50)
        rows: list[dict[str, Any]] = []
        if kind == "ADVERTISER":
            rows = [
                {
                    "asset_id": a.advertiser_id,
                    "asset_name": a.name,
                    "asset_type": kind,
                    "advertiser_status": "STATUS_ENABLE",
                    "advertiser_role": "ROLE_ADVERTISER",
                    "owner_bc_name": w.bcs[bc_id].name,
                }
                for a in w.advertisers.values()
                if a.bc_id == bc_id
            ]
        elif kind == "TT_ACCOUNT":
            rows = [
                {"asset_id": t.identity_id, "asset_name": t.display_name, "asset_type": kind}
                for t in w.accounts.values()
                if t.bc_id == bc_id
            ]
        else:
            rows = [
                {"asset_id": s.store_id, "asset_name": s.name, "asset_type": kind}
                for s in w.stores.values()
                if s.bc_id == bc_id
            ]
        return {
            "list": list(page_slice(rows, page, size)),
            "page_info": page_info(len(rows), page, size),
        }
