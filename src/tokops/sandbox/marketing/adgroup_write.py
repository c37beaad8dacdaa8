"""``POST /adgroup/create/``, ``/adgroup/update/``, ``/adgroup/status/update/``,
``/adgroup/budget/update/`` (§3.1, §3.3, §3.4).

create validates: the campaign (the account's, not deleted; ≤ 999 ad groups, else 40502);
``adgroup_name``; ``location_ids`` (GeoNames ids of the sandbox's markets); ``age_groups``
(``AGE_13_17`` with the US is 40065); ``gender``; budget (daily > 20 USD-equivalent, ignored
under campaign budget optimization; TOTAL needs ``SCHEDULE_START_END``); the schedule (UTC
``YYYY-MM-DD HH:MM:SS``, start at most 12 h in the past, end after start);
``optimization_goal`` for the objective; ``billing_event``; ``bid_type`` with its price
(> 0, < budget); ``pacing``. ``product_source: STORE`` is refused (GMV Max only since Q3
2025, §5). The answer is the full ad group.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from tokops.sandbox.marketing.campaign_write import (
    CODE_NOTHING_TO_UPDATE,
    partial,
    resolve_ids,
    set_status,
)
from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.marketing.serialize import adgroup_dict
from tokops.sandbox.marketing.write_rules import (
    BILLING_EVENTS,
    GOALS_BY_OBJECTIVE,
    check_budget,
    default_billing,
)
from tokops.sandbox.server.envelope import ApiFailure
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.world.catalog import AGES, GEO_TO_COUNTRY
from tokops.sandbox.world.model import AdGroup, Advertiser

__all__ = ["CODE_AGE_US", "CODE_LIMIT", "AdGroupWrites"]

CODE_AGE_US: Final = 40065
CODE_LIMIT: Final = 40502
_GENDERS: Final = ("GENDER_FEMALE", "GENDER_MALE", "GENDER_UNLIMITED")
_PLACEMENTS: Final = ("PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE")
_BID_TYPES: Final = ("BID_TYPE_NO_BID", "BID_TYPE_CUSTOM")


class AdGroupWrites(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("POST", "/adgroup/create/", self.create, "Create an ad group"),
            RouteSpec("POST", "/adgroup/update/", self.update, "Update an ad group"),
            RouteSpec("POST", "/adgroup/status/update/", self.status, "Update ad group statuses"),
            RouteSpec("POST", "/adgroup/budget/update/", self.budgets, "Update ad group budgets"),
        ]

    def adgroup(self, adv: Advertiser, adgroup_id: str) -> AdGroup:
        missing = f"Invalid value for adgroup_id: ad group {adgroup_id} does not exist."
        return self.market.owned(self.market.world.adgroups, adv, adgroup_id, missing)

    # -- create -----------------------------------------------------------------------------
    def create(self, request: SandboxRequest, now: datetime) -> Any:
        return self.market.create_once("/adgroup/create/", request, now, self._create)

    @staticmethod
    def _targeting(params: Params) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        locations = params.idents("location_ids", required=True, max_items=3000) or []
        unknown = [g for g in locations if g not in GEO_TO_COUNTRY]
        if unknown:
            supported = ", ".join(f"{c} {g}" for g, c in sorted(GEO_TO_COUNTRY.items()))
            raise bad(f"Invalid value for location_ids: {unknown!r} (the sandbox has {supported}).")
        ages = params.strings("age_groups") or []
        wrong = [a for a in ages if a not in AGES]
        if wrong:
            raise bad(f"Invalid value for age_groups: {wrong!r}.")
        if "AGE_13_17" in ages and "6252001" in locations:
            raise ApiFailure(CODE_AGE_US, "Targeting ages 13-17 in the US is not allowed.")
        gender = params.enum("gender", _GENDERS, "GENDER_UNLIMITED")
        return tuple(locations), tuple(ages), gender

    @staticmethod
    def _schedule(params: Params, now: datetime) -> tuple[str, datetime, datetime | None]:
        kind = params.enum("schedule_type", ("SCHEDULE_START_END", "SCHEDULE_FROM_NOW"))
        start = params.timestamp("schedule_start_time", required=True)
        assert start is not None
        if start < now - timedelta(hours=12):
            raise bad("Invalid value for schedule_start_time: at most 12 hours in the past.")
        end = params.timestamp("schedule_end_time", required=kind == "SCHEDULE_START_END")
        if kind == "SCHEDULE_FROM_NOW":
            end = None
        elif end is not None and end <= start:
            raise bad("Invalid value for schedule_end_time: must be after schedule_start_time.")
        return kind, start, end

    def _create(self, adv: Advertiser, params: Params, now: datetime) -> dict[str, Any]:
        world = self.market.world
        campaign = world.campaigns.get(params.ident("campaign_id"))
        if campaign is None or campaign.advertiser_id != adv.advertiser_id or campaign.deleted:
            raise bad("Invalid value for campaign_id: campaign does not exist.")
        if sum(1 for g in world.adgroups.values() if g.campaign_id == campaign.campaign_id) >= 999:
            raise ApiFailure(CODE_LIMIT, "The campaign already has 999 ad groups.")
        name = params.string("adgroup_name", required=True, max_len=512)
        if params.string("product_source") == "STORE":
            raise bad(
                "TikTok Shop (STORE) ads can only be created as GMV Max campaigns: "
                "use /campaign/gmv_max/create/."
            )
        placement_type = params.enum(
            "placement_type", ("PLACEMENT_TYPE_AUTOMATIC", "PLACEMENT_TYPE_NORMAL"),
            "PLACEMENT_TYPE_AUTOMATIC",
        )  # fmt: skip
        placements = params.strings("placements") or ["PLACEMENT_TIKTOK"]
        if any(p not in _PLACEMENTS for p in placements):
            raise bad(f"Invalid value for placements: must be among {', '.join(_PLACEMENTS)}.")
        locations, ages, gender = self._targeting(params)
        kind, start, end = self._schedule(params, now)
        budget_mode, budget = "BUDGET_MODE_INFINITE", 0.0
        if not campaign.budget_optimize_on:
            budget_mode = params.enum("budget_mode", ("BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL"))
            budget = params.number("budget", required=True) or 0.0
            days = max(((end - start).days if end else 1), 1)
            if budget_mode == "BUDGET_MODE_TOTAL" and kind != "SCHEDULE_START_END":
                raise bad("Invalid value for budget_mode: TOTAL needs SCHEDULE_START_END.")
            per_day = 20.0 * (days if budget_mode == "BUDGET_MODE_TOTAL" else 1)
            check_budget("budget", budget, adv.currency, per_day)
        goals = GOALS_BY_OBJECTIVE.get(campaign.objective_type, ())
        goal = params.enum("optimization_goal", tuple(goals))
        billing = params.enum("billing_event", BILLING_EVENTS, default_billing(goal))
        bid_type = params.enum("bid_type", _BID_TYPES, "BID_TYPE_NO_BID")
        bid = params.number("bid_price") or 0.0
        target = params.number("conversion_bid_price") or 0.0
        if bid_type == "BID_TYPE_CUSTOM":
            price = target if billing in ("OCPM", "OCPC") else bid
            field = "conversion_bid_price" if billing in ("OCPM", "OCPC") else "bid_price"
            if price <= 0:
                raise bad(f"Invalid value for {field}: a custom bid needs a price above 0.")
            if budget and price >= budget:
                raise bad(f"Invalid value for {field}: the bid must be lower than the budget.")
        adgroup = AdGroup(
            adgroup_id=world.new_id("adgroup"),
            campaign_id=campaign.campaign_id,
            advertiser_id=adv.advertiser_id,
            name=name,
            location_ids=locations,
            age_groups=ages,
            gender=gender,
            budget_mode=budget_mode,
            budget=budget,
            schedule_type=kind,
            schedule_start=start,
            schedule_end=end,
            optimization_goal=goal,
            billing_event=billing,
            bid_type=bid_type,
            bid_price=bid,
            conversion_bid_price=target,
            created=now,
            modified=now,
            placement_type=placement_type,
            placements=tuple(placements),
            languages=tuple(params.strings("languages") or ()),
            pacing=params.enum(
                "pacing", ("PACING_MODE_SMOOTH", "PACING_MODE_FAST"), "PACING_MODE_SMOOTH"
            ),
            promotion_type=params.string("promotion_type") or "WEBSITE",
            operation_status=params.enum("operation_status", ("ENABLE", "DISABLE"), "ENABLE"),
        )
        if params.has("pixel_id"):
            adgroup.extra["pixel_id"] = params.string("pixel_id")
        if params.has("optimization_event"):
            adgroup.extra["optimization_event"] = params.string("optimization_event")
        adgroup.status_log.append((now, adgroup.operation_status))
        adgroup.budget_log.append((now, budget))
        world.adgroups[adgroup.adgroup_id] = adgroup
        world.touch()
        return adgroup_dict(world, adgroup, now)

    # -- update -----------------------------------------------------------------------------
    def update(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        adgroup = self.adgroup(adv, params.ident("adgroup_id"))
        if adgroup.deleted:
            raise bad(f"Invalid value for adgroup_id: ad group {adgroup.adgroup_id} is deleted.")
        if params.has("campaign_id") and params.string("campaign_id") != adgroup.campaign_id:
            raise bad("Invalid value for campaign_id: an ad group cannot change campaign.")
        changed = False
        if params.has("adgroup_name"):
            adgroup.name = params.string("adgroup_name", max_len=512)
            changed = True
        if params.has("location_ids") or params.has("age_groups") or params.has("gender"):
            current = Params(
                {
                    "location_ids": list(adgroup.location_ids),
                    "age_groups": list(adgroup.age_groups),
                    "gender": adgroup.gender,
                    **{k: v for k, v in params.values.items() if v is not None},
                }
            )
            adgroup.location_ids, adgroup.age_groups, adgroup.gender = self._targeting(current)
            changed = True
        if params.has("budget"):
            self._set_budget(adv, adgroup, params.number("budget") or 0.0, now)
            changed = True
        for name in ("bid_price", "conversion_bid_price"):
            if params.has(name):
                value = params.number(name) or 0.0
                if value <= 0 or (adgroup.budget and value >= adgroup.budget):
                    raise bad(f"Invalid value for {name}: must be above 0 and below the budget.")
                setattr(adgroup, name, value)
                changed = True
        if params.has("schedule_end_time"):
            end = params.timestamp("schedule_end_time")
            assert end is not None
            if end <= adgroup.schedule_start:
                raise bad("Invalid value for schedule_end_time: must be after the start.")
            adgroup.schedule_end, adgroup.schedule_type = end, "SCHEDULE_START_END"
            changed = True
        if not changed:
            raise ApiFailure(CODE_NOTHING_TO_UPDATE, "Nothing to update.")
        adgroup.modified = now
        self.market.world.touch()
        return adgroup_dict(self.market.world, adgroup, now)

    def _set_budget(self, adv: Advertiser, adgroup: AdGroup, budget: float, now: datetime) -> None:
        if adgroup.budget_mode == "BUDGET_MODE_INFINITE":
            raise bad("Invalid value for budget: the ad group uses the campaign's budget.")
        ads = [a for a in self.market.world.ads.values() if a.adgroup_id == adgroup.adgroup_id]
        spent = self.market.spent(ads, now, today_only=adgroup.budget_mode == "BUDGET_MODE_DAY")
        check_budget("budget", budget, adv.currency, 20.0, spent=spent)
        adgroup.budget = budget
        adgroup.budget_log.append((now, budget))
        adgroup.modified = now

    def budgets(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        """``{advertiser_id, budget: [{adgroup_id, budget}]}`` (≤ 20 entries)."""
        params = Params.of(request)
        adv = self.market.advertiser(params)
        entries = params.raw("budget")
        if not isinstance(entries, list) or not 1 <= len(entries) <= 20:
            raise bad("Invalid value for budget: a list of 1 to 20 {adgroup_id, budget}.")
        for j, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise bad(f"Invalid value for budget.{j}: must be an object.")
            item = Params(entry)
            adgroup = self.adgroup(adv, item.ident("adgroup_id"))
            self._set_budget(adv, adgroup, item.number("budget", required=True) or 0.0, now)
        self.market.world.touch()
        return {}

    def status(self, request: SandboxRequest, now: datetime) -> Any:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        ids = params.idents("adgroup_ids", required=True, max_items=100) or []
        operation = params.enum("operation_status", ("ENABLE", "DISABLE", "DELETE"))
        world = self.market.world

        def lookup(adgroup_id: str) -> AdGroup | None:
            g = world.adgroups.get(adgroup_id)
            return g if g is not None and g.advertiser_id == adv.advertiser_id else None

        adgroups, failed = resolve_ids(
            ids, lookup, operation, ids_key="adgroup_ids", label="ad group"
        )
        for g in adgroups:
            set_status(g, operation, now)
            if operation == "DELETE":
                for a in world.ads.values():
                    if a.adgroup_id == g.adgroup_id:
                        a.deleted = True
        world.touch()
        data = {"adgroup_ids": [g.adgroup_id for g in adgroups], "status": operation}
        return partial(data, failed, "adgroup_id")
