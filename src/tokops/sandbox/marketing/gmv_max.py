"""GMV Max (``marketing_api.md`` §2.8, §5): campaigns, stores, and ``/gmv_max/report/get/``.

- ``POST /campaign/gmv_max/create/``: ``request_id`` (required, 10 s idempotency),
  ``advertiser_id``, ``store_id``, ``store_authorized_bc_id``, ``shopping_ads_type``
  PRODUCT | LIVE, ``product_specific_type`` ALL | CUSTOMIZED_PRODUCTS (+ ``item_group_ids``
  ≤ 400), ``optimization_goal`` VALUE, ``deep_bid_type`` VO_MIN_ROAS, ``roas_bid``
  (one decimal), ``budget``, ``schedule_type``, ``identity_list`` (0–20 for PRODUCT, exactly
  1 for LIVE; ``identity_type`` AUTH_CODE | TT_USER | BC_AUTH_TT | TTS_TT).
- ``GET /campaign/gmv_max/info/``, ``POST /campaign/gmv_max/update/`` (name, budget,
  roas_bid, operation_status), ``GET /gmv_max/campaign/get/`` (paged),
  ``GET /gmv_max/store/list/``. GMV Max campaigns are deleted through
  ``/campaign/status/update/``. **[EMU]** ``/gmv_max/campaign/get/`` takes ``filtering``
  ``primary_status`` (one of STATUS_DELIVERY_OK, STATUS_DISABLE, STATUS_DELETE, or STATUS_ALL;
  default: every campaign not deleted): the spec does not document this filter; the shape is
  that of a third-party SDK mirror of the docs.
- ``GET /gmv_max/report/get/``: ``advertiser_id``, ``store_ids`` (exactly 1), dates (30 days
  with ``stat_time_day``, 365 otherwise), ``dimensions`` among ``advertiser_id``,
  ``campaign_id``, ``stat_time_day``, ``item_group_id``; metrics ``cost``, ``net_cost``,
  ``orders``, ``cost_per_order``, ``gross_revenue``, ``roi``, ``product_impressions``,
  ``product_clicks``, ``product_click_rate``, ``ad_video_view_rate_2s``/``_6s``,
  ``live_views``, ``cost_per_live_view``, ``10_second_live_views``, ``live_follows``,
  ``currency``; ``filtering`` is an *object* (``campaign_ids``, ``campaign_statuses`` among
  STATUS_DELIVERY_OK | STATUS_DISABLE | STATUS_DELETE | STATUS_NOT_DELIVERY | STATUS_ALL, §2.8;
  **[EMU]** without it deleted campaigns are left out, like the sync reports' default); rates
  are percent strings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

from tokops.sandbox.marketing.context import Family, Market, RouteSpec
from tokops.sandbox.marketing.metrics import cents
from tokops.sandbox.marketing.stores import Stores
from tokops.sandbox.server.paging import page_info, page_params, page_slice
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.shop.gmv_max_delivery import GMV_FIELDS, gmv_day
from tokops.sandbox.world.breakdowns import apportion
from tokops.sandbox.world.calendar import local_date
from tokops.sandbox.world.ids import fmt_time
from tokops.sandbox.world.model import Advertiser, GmvMaxCampaign

__all__ = ["GMV_METRICS", "GmvMax"]

_I = {n: j for j, n in enumerate(GMV_FIELDS)}
_PRIMARY_STATUSES: Final = ("STATUS_DELIVERY_OK", "STATUS_DISABLE", "STATUS_DELETE", "STATUS_ALL")
_REPORT_STATUSES: Final = (*_PRIMARY_STATUSES, "STATUS_NOT_DELIVERY")


def _has_status(c: GmvMaxCampaign, statuses: list[str] | None) -> bool:
    """Whether *c* passes a status filter; ``None``: every campaign that is not deleted."""
    if not statuses:
        return not c.deleted
    if "STATUS_ALL" in statuses:
        return True
    if c.deleted:
        return "STATUS_DELETE" in statuses
    if c.operation_status == "ENABLE":
        return "STATUS_DELIVERY_OK" in statuses
    return "STATUS_DISABLE" in statuses or "STATUS_NOT_DELIVERY" in statuses


def _rate(a: int, b: int) -> str:
    return f"{a * 100 / b:.2f}" if b else "0.00"


GMV_METRICS: Final = {
    "cost": lambda s: cents(s[0]),
    "net_cost": lambda s: cents(s[0]),
    "orders": lambda s: str(s[1]),
    "cost_per_order": lambda s: cents(s[0] // s[1]) if s[1] else "0.00",
    "gross_revenue": lambda s: cents(s[2]),
    "roi": lambda s: f"{s[2] / s[0]:.2f}" if s[0] else "0.00",
    "product_impressions": lambda s: str(s[3]),
    "product_clicks": lambda s: str(s[4]),
    "product_click_rate": lambda s: _rate(s[4], s[3]),
    "ad_click_rate": lambda s: _rate(s[4], s[3]),
    "ad_conversion_rate": lambda s: _rate(s[1], s[4]),
    "ad_video_view_rate_2s": lambda s: _rate(s[6], s[5]),
    "ad_video_view_rate_6s": lambda s: _rate(s[7], s[5]),
    "live_views": lambda s: str(s[8]),
    "cost_per_live_view": lambda s: cents(s[0] // s[8]) if s[8] else "0.00",
    "10_second_live_views": lambda s: str(s[9]),
    "live_follows": lambda s: str(s[10]),
}
_DIMS: Final = ("advertiser_id", "campaign_id", "stat_time_day", "item_group_id")
_IDENTITY_TYPES: Final = ("AUTH_CODE", "TT_USER", "BC_AUTH_TT", "TTS_TT")


class GmvMax(Family):
    def __init__(self, market: Market, stores: Stores) -> None:
        super().__init__(market)
        self.stores = stores

    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec(
                "POST", "/campaign/gmv_max/create/", self.create, "Create a GMV Max campaign"
            ),
            RouteSpec("GET", "/campaign/gmv_max/info/", self.info, "Get a GMV Max campaign"),
            RouteSpec(
                "POST", "/campaign/gmv_max/update/", self.update, "Update a GMV Max campaign"
            ),
            RouteSpec("GET", "/gmv_max/campaign/get/", self.campaigns, "List GMV Max campaigns"),
            RouteSpec("GET", "/gmv_max/store/list/", self.store_list, "Stores usable by GMV Max"),
            RouteSpec("GET", "/gmv_max/report/get/", self.report, "Run a GMV Max report"),
        ]

    def _row(self, c: GmvMaxCampaign) -> dict[str, Any]:
        return {
            "advertiser_id": c.advertiser_id,
            "campaign_id": c.campaign_id,
            "campaign_name": c.name,
            "store_id": c.store_id,
            "store_authorized_bc_id": self.market.world.stores[c.store_id].bc_id,
            "shopping_ads_type": c.shopping_ads_type,
            "product_specific_type": c.product_specific_type,
            "item_group_ids": list(c.item_group_ids),
            "optimization_goal": "VALUE",
            "deep_bid_type": "VO_MIN_ROAS",
            "roas_bid": c.roas_bid,
            "budget": c.budget,
            "schedule_type": c.schedule_type,
            "identity_list": c.identity_list,
            "operation_status": c.operation_status,
            "create_time": fmt_time(c.created),
            "modify_time": fmt_time(c.modified),
        }

    def _campaign(self, adv: Advertiser, campaign_id: str) -> GmvMaxCampaign:
        missing = f"Invalid value for campaign_id: GMV Max campaign {campaign_id} not found."
        return self.market.owned(self.market.world.gmv_campaigns, adv, campaign_id, missing)

    def create(self, request: SandboxRequest, now: datetime) -> Any:
        return self.market.create_once(
            "/campaign/gmv_max/create/", request, now, self._create, required=True
        )

    def _create(self, adv: Advertiser, params: Params, now: datetime) -> dict[str, Any]:
        w = self.market.world
        store = w.stores.get(params.ident("store_id"))
        if store is None or store.advertiser_id != adv.advertiser_id:
            raise bad("Invalid value for store_id: the store is not available to this ad account.")
        if params.ident("store_authorized_bc_id") != store.bc_id:
            raise bad("Invalid value for store_authorized_bc_id: not the store's Business Center.")
        kind = params.enum("shopping_ads_type", ("PRODUCT", "LIVE"))
        specific = params.enum("product_specific_type", ("ALL", "CUSTOMIZED_PRODUCTS"), "ALL")
        items = params.strings("item_group_ids", max_items=400) or []
        known = {p.item_group_id for p in store.products}
        if specific == "CUSTOMIZED_PRODUCTS" and (not items or any(i not in known for i in items)):
            raise bad("Invalid value for item_group_ids: products of the store, 1 to 400.")
        params.enum("optimization_goal", ("VALUE",), "VALUE")
        params.enum("deep_bid_type", ("VO_MIN_ROAS",), "VO_MIN_ROAS")
        roas = params.number("roas_bid", required=True) or 0.0
        if roas <= 0 or round(roas, 1) != roas:
            raise bad("Invalid value for roas_bid: a positive number with one decimal.")
        budget = params.number("budget", required=True) or 0.0
        if budget <= 0:
            raise bad("Invalid value for budget: must be greater than 0.")
        identities = params.raw("identity_list") or []
        if not isinstance(identities, list) or len(identities) > 20:
            raise bad("Invalid value for identity_list: at most 20 identities.")
        if kind == "LIVE" and len(identities) != 1:
            raise bad("Invalid value for identity_list: LIVE needs exactly one identity.")
        for j, identity in enumerate(identities):
            if (
                not isinstance(identity, dict)
                or identity.get("identity_type") not in _IDENTITY_TYPES
            ):
                raise bad(f"Invalid value for identity_list.{j}.identity_type.")
        name = params.string("campaign_name", max_len=512) or f"{store.name} GMV Max {now:%Y-%m-%d}"
        campaign = GmvMaxCampaign(
            campaign_id=w.new_id("gmv_campaign"),
            advertiser_id=adv.advertiser_id,
            store_id=store.store_id,
            name=name,
            shopping_ads_type=kind,
            budget=budget,
            roas_bid=roas,
            created=now,
            modified=now,
            item_group_ids=tuple(items),
            product_specific_type=specific,
            identity_list=identities,
            schedule_type=params.enum(
                "schedule_type", ("SCHEDULE_FROM_NOW", "SCHEDULE_START_END"), "SCHEDULE_FROM_NOW"
            ),
        )
        campaign.status_log.append((now, "ENABLE"))
        w.gmv_campaigns[campaign.campaign_id] = campaign
        w.touch()
        return self._row(campaign)

    def info(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        return self._row(self._campaign(adv, params.ident("campaign_id")))

    def update(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        c = self._campaign(adv, params.ident("campaign_id"))
        if params.has("campaign_name"):
            c.name = params.string("campaign_name", max_len=512)
        if params.has("budget"):
            c.budget = params.number("budget") or c.budget
        if params.has("roas_bid"):
            c.roas_bid = params.number("roas_bid") or c.roas_bid
        if params.has("operation_status"):
            c.operation_status = params.enum("operation_status", ("ENABLE", "DISABLE"))
            c.status_log.append((now, c.operation_status))
        c.modified = now
        self.market.world.touch()
        return self._row(c)

    def campaigns(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        filtering = params.obj("filtering") or {}
        types = filtering.get("gmv_max_promotion_types")
        store_ids = filtering.get("store_ids")
        status = filtering.get("primary_status")
        if status is not None and status not in _PRIMARY_STATUSES:
            raise bad(f"Invalid value for filtering.primary_status: {status!r}.")
        page, size = page_params(params, max_size=100)
        rows = [
            self._row(c)
            for c in self.market.world.gmv_campaigns.values()
            if c.advertiser_id == adv.advertiser_id
            and (not types or c.shopping_ads_type in types)
            and (not store_ids or c.store_id in store_ids)
            and _has_status(c, [status] if status else None)
        ]
        rows.sort(key=lambda r: r["campaign_id"], reverse=True)
        return {
            "list": list(page_slice(rows, page, size)),
            "page_info": page_info(len(rows), page, size),
        }

    def store_list(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        rows = [
            self.stores.store_row(s)
            for s in self.market.world.stores.values()
            if s.advertiser_id == adv.advertiser_id
        ]
        return {"store_list": rows}

    def report(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        store_ids = params.idents("store_ids", required=True, max_items=1) or []
        store = self.market.world.stores.get(store_ids[0])
        if store is None or store.advertiser_id != adv.advertiser_id:
            raise bad("Invalid value for store_ids: the store is not available to this ad account.")
        dims = params.strings("dimensions", required=True, max_items=4) or []
        if not dims or any(d not in _DIMS for d in dims):
            raise bad(f"Invalid value for dimensions: among {', '.join(_DIMS)}.")
        metrics = params.strings("metrics", max_items=100) or ["cost", "orders", "gross_revenue"]
        unknown = [m for m in metrics if m not in GMV_METRICS and m != "currency"]
        if unknown:
            raise bad(f"Invalid metric fields: {unknown!r}.")
        start, end = params.day("start_date"), params.day("end_date")
        assert start is not None and end is not None
        if start > end:
            raise bad("Invalid value for start_date: start_date must not be later than end_date.")
        cap = 30 if "stat_time_day" in dims else 365
        if (end - start).days + 1 > cap:
            raise bad(f"The date range must not exceed {cap} days with these dimensions.")
        filtering = params.obj("filtering") or {}
        wanted = filtering.get("campaign_ids")
        statuses = filtering.get("campaign_statuses")
        if statuses is not None and (
            not isinstance(statuses, list) or any(s not in _REPORT_STATUSES for s in statuses)
        ):
            raise bad("Invalid value for filtering.campaign_statuses.")
        page, size = page_params(params)
        groups: dict[tuple[str, ...], list[int]] = {}
        last = min(end, local_date(adv.timezone, now))
        for c in self.market.world.gmv_campaigns.values():
            if c.store_id != store.store_id or (wanted and c.campaign_id not in wanted):
                continue
            if not _has_status(c, statuses):
                continue
            products = [
                p
                for p in store.products
                if not c.item_group_ids or p.item_group_id in c.item_group_ids
            ]
            day = start
            while day <= last:
                rec = gmv_day(self.market.world, c, day.toordinal(), now)
                if rec is not None:
                    self._add(groups, dims, adv, c, day, rec, [p.item_group_id for p in products])
                day += timedelta(days=1)
        rows = sorted((k, v) for k, v in groups.items() if v[0] > 0)
        out = []
        for key, sums in page_slice(rows, page, size):
            values = {
                m: (adv.currency if m == "currency" else GMV_METRICS[m](sums)) for m in metrics
            }
            out.append({"dimensions": dict(zip(dims, key, strict=True)), "metrics": values})
        return {"list": out, "page_info": page_info(len(rows), page, size)}

    @staticmethod
    def _add(
        groups: dict[tuple[str, ...], list[int]],
        dims: list[str],
        adv: Advertiser,
        c: GmvMaxCampaign,
        day: date,
        rec: list[int],
        items: list[str],
    ) -> None:
        parts: list[tuple[str, list[int]]]
        if "item_group_id" in dims and items:
            weights = [(k + 1) / len(items) for k in range(len(items))]
            split = [apportion(v, weights) for v in rec]
            parts = [(item, [col[j] for col in split]) for j, item in enumerate(items)]
        else:
            parts = [("", rec)]
        for item, values in parts:
            key = tuple(
                adv.advertiser_id if d == "advertiser_id"
                else c.campaign_id if d == "campaign_id"
                else f"{day.isoformat()} 00:00:00" if d == "stat_time_day"
                else item
                for d in dims
            )  # fmt: skip
            acc = groups.setdefault(key, [0] * len(GMV_FIELDS))
            for j, v in enumerate(values):
                acc[j] += v
