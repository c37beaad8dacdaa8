"""``GET /campaign/get/``, ``/adgroup/get/``, ``/ad/get/``, ``/advertiser/info/`` (§3.1).

Parameters: ``advertiser_id``; ``fields`` (a JSON list; unknown names are a 40002);
``filtering`` (a JSON *object*, unlike reports); ``page`` / ``page_size`` (1..1000, default
10); ``exclude_field_types_in_response=["NULL_FIELD"]`` drops null fields. Rows are sorted by
id, descending (§1.3). Deleted objects are left out unless ``primary_status`` says otherwise.
Filter keys the sandbox does not model but TikTok documents are accepted and ignored
(**[EMU]**); unknown keys are a 40002.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from tokops.sandbox.marketing.context import Family, RouteSpec, no_permission
from tokops.sandbox.marketing.serialize import (
    AD_FIELDS,
    ADGROUP_FIELDS,
    CAMPAIGN_FIELDS,
    ad_dict,
    adgroup_dict,
    campaign_dict,
)
from tokops.sandbox.marketing.statuses import PRIMARY_STATUSES, primary_match
from tokops.sandbox.server.paging import page_info, page_params, page_slice
from tokops.sandbox.server.params import Params, bad, check_strings
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.world.ids import fmt_time

__all__ = ["ObjectReads"]

_IGNORED: Final = frozenset(
    {
        "campaign_system_origins",
        "is_smart_performance_campaign",
        "creative_campaign_type",
        "split_test_enabled",
        "campaign_product_source",
        "campaign_type",
        "campaign_automation_type",
        "sales_destination",
        "billing_events",
        "creative_material_mode",
        "destination",
    }
)
_KNOWN: Final = frozenset(
    {
        "campaign_ids",
        "adgroup_ids",
        "ad_ids",
        "campaign_name",
        "adgroup_name",
        "ad_name",
        "objective_type",
        "optimization_goal",
        "buying_types",
        "primary_status",
        "secondary_status",
        "creation_filter_start_time",
        "creation_filter_end_time",
    }
)


def _fields(params: Params, allowed: frozenset[str]) -> list[str] | None:
    fields = params.strings("fields", max_items=len(allowed))
    if fields is None:
        return None
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise bad(f"Invalid value for fields: {unknown!r} are not valid fields.")
    return fields


class ObjectReads(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("GET", "/campaign/get/", self.campaigns, "Get campaigns"),
            RouteSpec("GET", "/adgroup/get/", self.adgroups, "Get ad groups"),
            RouteSpec("GET", "/ad/get/", self.ads, "Get ads"),
            RouteSpec("GET", "/advertiser/info/", self.advertiser_info, "Get ad account details"),
        ]

    def _list(
        self,
        request: SandboxRequest,
        now: datetime,
        kind: str,
        allowed: frozenset[str],
        to_dict: Callable[[Any], dict[str, Any]],
    ) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        fields = _fields(params, allowed)
        filtering = params.obj("filtering") or {}
        for key in filtering:
            if key not in _KNOWN and key not in _IGNORED:
                raise bad(f"Invalid value for filtering.{key}: unknown filter.")
        page, size = page_params(params)
        world = self.market.world
        objects = world.by_advertiser(kind).get(adv.advertiser_id, [])
        rows = []
        primary = filtering.get("primary_status") or "STATUS_NOT_DELETE"
        if primary not in PRIMARY_STATUSES:
            raise bad(f"Invalid value for filtering.primary_status: {primary!r}.")
        secondary = filtering.get("secondary_status")
        id_filters = {
            k: set(check_strings(filtering[k], f"filtering.{k}", max_items=100))
            for k in ("campaign_ids", "adgroup_ids", "ad_ids")
            if filtering.get(k) is not None
        }
        for obj in objects:
            row = to_dict(obj)
            if not primary_match(primary, row["secondary_status"]):
                continue
            if secondary and row["secondary_status"] != secondary:
                continue
            if any(row.get(k[:-1]) not in v for k, v in id_filters.items()):
                continue
            if not self._match(filtering, row, obj):
                continue
            rows.append(row)
        rows.sort(key=lambda r: r[f"{kind[:-1]}_id"], reverse=True)
        chunk = page_slice(rows, page, size)
        drop_nulls = "NULL_FIELD" in (params.strings("exclude_field_types_in_response") or [])
        out = []
        for row in chunk:
            if fields is not None:
                row = {k: row[k] for k in fields}
            if drop_nulls:
                row = {k: v for k, v in row.items() if v is not None}
            out.append(row)
        return {"list": out, "page_info": page_info(len(rows), page, size)}

    @staticmethod
    def _match(filtering: dict[str, Any], row: dict[str, Any], obj: Any) -> bool:
        for name in ("campaign_name", "adgroup_name", "ad_name"):
            wanted = filtering.get(name)
            if wanted and (not isinstance(wanted, str) or wanted not in str(row.get(name, ""))):
                return False
        for name in ("objective_type", "optimization_goal"):
            wanted = filtering.get(name)
            if wanted and name in row and row[name] != wanted:
                return False
        buying = filtering.get("buying_types")
        if buying and "buying_type" in row and row["buying_type"] not in buying:
            return False  # §3.1; the default (no filter) keeps every campaign
        created = fmt_time(obj.created)
        start = filtering.get("creation_filter_start_time")
        end = filtering.get("creation_filter_end_time")
        if isinstance(start, str) and created < start:
            return False
        return not (isinstance(end, str) and created > end)

    def campaigns(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        w = self.market.world
        return self._list(
            request, now, "campaigns", CAMPAIGN_FIELDS, lambda c: campaign_dict(w, c, now)
        )

    def adgroups(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        w = self.market.world

        def to_dict(g: Any) -> dict[str, Any]:
            row = adgroup_dict(w, g, now)
            row["objective_type"] = w.campaigns[g.campaign_id].objective_type
            return row

        return self._list(request, now, "adgroups", ADGROUP_FIELDS | {"objective_type"}, to_dict)

    def ads(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        w = self.market.world
        return self._list(request, now, "ads", AD_FIELDS, lambda a: ad_dict(w, a, now))

    def advertiser_info(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        """``advertiser_ids`` (JSON list, ≤ 100) → ``{list: [...]}`` (§3.1)."""
        params = Params.of(request)
        ids = params.idents("advertiser_ids", required=True, max_items=100) or []
        fields = params.strings("fields")
        w = self.market.world
        out = []
        for advertiser_id in ids:
            adv = w.advertisers.get(advertiser_id)
            if adv is None:
                raise no_permission(advertiser_id)
            row: dict[str, Any] = {
                "advertiser_id": adv.advertiser_id,
                "name": adv.name,
                "company": adv.company,
                "status": "STATUS_ENABLE",
                "role": "ROLE_ADVERTISER",
                "currency": adv.currency,
                "timezone": adv.timezone,
                "display_timezone": adv.timezone,
                "country": adv.countries[0],
                "industry": adv.niche,
                "balance": float(adv.balance),
                "create_time": int(adv.created.timestamp()),
                "owner_bc_id": adv.bc_id,
                "language": "en",
                "description": f"{adv.brand} ad account",
            }
            if fields:
                row = {k: row[k] for k in fields if k in row}
            out.append(row)
        return {"list": out}
