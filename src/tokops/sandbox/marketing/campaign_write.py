"""``POST /campaign/create/``, ``/campaign/update/``, ``/campaign/status/update/`` (§3.1–3.3).

- create: ``advertiser_id``, ``campaign_name`` (≤ 512 characters, unique among the account's
  live campaigns), ``objective_type`` (current objectives only; legacy ones are read-only),
  ``rf_campaign_type`` (``STANDARD`` | ``PULSE`` | ``TOPVIEW``: a reservation; with
  ``RF_REACH`` it makes the campaign's buying type, SPK-4),
  ``budget_mode`` (default INFINITE) and ``budget`` within the currency's limits,
  ``budget_optimize_on``, ``operation_status``; answers the full campaign object.
  ``campaign_product_source: STORE`` is refused: since Q3 2025 TikTok-Shop ads are created
  with GMV Max only (§5).
- update: partial; ``objective_type`` is immutable; a new budget must be ≥ 105 % of what the
  campaign already spent; nothing to change is 40012.
- status: ``campaign_ids`` (1–20, GMV Max campaigns included), ``operation_status`` ENABLE /
  DISABLE / DELETE; deletion is irreversible and cascades to ad groups and ads. When some IDs
  cannot change (unknown, or deleted and not being deleted) and others can, the others change
  and the answer is code **20001** "partial success" (§1.2) listing only the IDs that changed,
  plus **[EMU]** ``error_list`` ``[{<id key>, message}]`` for the others (TikTok's exact shape
  of a partial answer is not documented). When none can, the call fails with 40002.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.marketing.serialize import campaign_dict
from tokops.sandbox.marketing.write_rules import (
    BUDGET_MODES,
    RF_CAMPAIGN_TYPES,
    buying_type_of,
    check_budget,
)
from tokops.sandbox.server.envelope import CODE_PARTIAL_SUCCESS, ApiFailure
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.server.route_answers import Answer
from tokops.sandbox.world.catalog import LEGACY_OBJECTIVES, OBJECTIVES
from tokops.sandbox.world.model import Advertiser, Campaign

__all__ = ["CODE_NOTHING_TO_UPDATE", "CampaignWrites", "partial", "resolve_ids", "set_status"]

CODE_NOTHING_TO_UPDATE = 40012
_STATUSES = ("ENABLE", "DISABLE", "DELETE")


def set_status(obj: Any, operation: str, now: datetime) -> None:
    """Switch *obj* (campaign, ad group or ad) on, off, or delete it; logs the change."""
    if obj.deleted:
        return
    obj.status_log.append((now, operation))
    obj.modified = now
    if operation == "DELETE":
        obj.deleted = True
        obj.operation_status = "DISABLE"
    else:
        obj.operation_status = operation


def resolve_ids(
    ids: Sequence[str],
    lookup: Callable[[str], Any | None],
    operation: str,
    *,
    ids_key: str,
    label: str,
) -> tuple[list[Any], list[tuple[str, str]]]:
    """The objects a status update can change, and ``(id, reason)`` for the others; 40002 when
    none can (a batch that changes nothing is not a partial success)."""
    found: list[Any] = []
    failed: list[tuple[str, str]] = []
    for ident in ids:
        obj = lookup(ident)
        if obj is None:
            failed.append((ident, f"{label} {ident} does not exist."))
        elif obj.deleted and operation != "DELETE":
            failed.append((ident, f"{label} {ident} is deleted."))
        else:
            found.append(obj)
    if not found:
        raise bad(f"Invalid value for {ids_key}: {failed[0][1]}")
    return found, failed


def partial(data: dict[str, Any], failed: list[tuple[str, str]], id_key: str) -> Any:
    """*data* as is, or a 20001 "partial success" answer when some IDs failed (§1.2)."""
    if not failed:
        return data
    errors = [{id_key: ident, "message": reason} for ident, reason in failed]
    return Answer(
        {**data, "error_list": errors}, code=CODE_PARTIAL_SUCCESS, message="Partial success."
    )


class CampaignWrites(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("POST", "/campaign/create/", self.create, "Create a campaign"),
            RouteSpec("POST", "/campaign/update/", self.update, "Update a campaign"),
            RouteSpec("POST", "/campaign/status/update/", self.status, "Update campaign statuses"),
        ]

    def _campaign(self, adv: Advertiser, campaign_id: str) -> Campaign:
        missing = f"Invalid value for campaign_id: campaign {campaign_id} does not exist."
        return self.market.owned(self.market.world.campaigns, adv, campaign_id, missing)

    def _name(self, adv: Advertiser, params: Params, exclude: str | None = None) -> str:
        name = params.string("campaign_name", required=True, max_len=512)
        for c in self.market.world.by_advertiser("campaigns").get(adv.advertiser_id, []):
            if c.name == name and not c.deleted and c.campaign_id != exclude:
                raise bad(f"Campaign name already exists: {name!r}.")
        return name

    def create(self, request: SandboxRequest, now: datetime) -> Any:
        return self.market.create_once("/campaign/create/", request, now, self._create)

    def _create(self, adv: Advertiser, params: Params, now: datetime) -> dict[str, Any]:
        name = self._name(adv, params)
        objective = params.string("objective_type", required=True)
        if objective in LEGACY_OBJECTIVES:
            raise bad(f"Invalid value for objective_type: {objective} is read-only (legacy).")
        if objective not in OBJECTIVES:
            raise bad(f"Invalid value for objective_type: must be one of {', '.join(OBJECTIVES)}.")
        source = params.string("campaign_product_source") or None
        if source == "STORE":
            raise bad(
                "TikTok Shop (STORE) ads can only be created as GMV Max campaigns: "
                "use /campaign/gmv_max/create/."
            )
        mode = params.enum("budget_mode", BUDGET_MODES, "BUDGET_MODE_INFINITE")
        cbo = params.boolean("budget_optimize_on")
        budget = params.number("budget") or 0.0
        if mode != "BUDGET_MODE_INFINITE":
            minimum = 10.0 if objective == "PRODUCT_SALES" and source == "STORE" else 50.0
            check_budget("budget", budget, adv.currency, minimum)
        elif cbo:
            raise bad("Invalid value for budget_mode: budget optimization needs a campaign budget.")
        status = params.enum("operation_status", ("ENABLE", "DISABLE"), "ENABLE")
        rf_type = params.string("rf_campaign_type") or None
        if rf_type is not None and rf_type not in RF_CAMPAIGN_TYPES:
            raise bad(
                "Invalid value for rf_campaign_type: must be one of "
                f"{', '.join(RF_CAMPAIGN_TYPES)}."
            )
        world = self.market.world
        campaign = Campaign(
            campaign_id=world.new_id("campaign"),
            advertiser_id=adv.advertiser_id,
            name=name,
            objective_type=objective,
            budget_mode=mode,
            budget=budget if mode != "BUDGET_MODE_INFINITE" else 0.0,
            created=now,
            modified=now,
            budget_optimize_on=cbo,
            operation_status=status,
            campaign_type=params.enum(
                "campaign_type", ("REGULAR_CAMPAIGN", "IOS14_CAMPAIGN"), "REGULAR_CAMPAIGN"
            ),
            campaign_product_source=source,
            app_promotion_type=params.string("app_promotion_type") or None,
            buying_type=buying_type_of(objective, rf_type),
        )
        if rf_type is not None:
            campaign.extra["rf_campaign_type"] = rf_type
        campaign.status_log.append((now, status))
        campaign.budget_log.append((now, campaign.budget))
        world.campaigns[campaign.campaign_id] = campaign
        world.touch()
        return campaign_dict(world, campaign, now)

    def update(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        campaign = self._campaign(adv, params.ident("campaign_id"))
        if campaign.deleted:
            raise bad(f"Invalid value for campaign_id: campaign {campaign.campaign_id} is deleted.")
        objective = params.string("objective_type")
        if objective and objective != campaign.objective_type:
            raise bad("Invalid value for objective_type: the objective cannot be changed.")
        changed = False
        if params.has("campaign_name"):
            campaign.name = self._name(adv, params, exclude=campaign.campaign_id)
            changed = True
        mode = params.string("budget_mode")
        if mode and mode != campaign.budget_mode:
            raise bad("Invalid value for budget_mode: the budget mode cannot be changed.")
        if params.has("budget"):
            if campaign.budget_mode == "BUDGET_MODE_INFINITE":
                raise bad("Invalid value for budget: the campaign has no budget limit.")
            budget = params.number("budget") or 0.0
            ads = [
                a for a in self.market.world.ads.values() if a.campaign_id == campaign.campaign_id
            ]
            today = campaign.budget_mode != "BUDGET_MODE_TOTAL"
            spent = self.market.spent(ads, now, today_only=today)
            check_budget("budget", budget, adv.currency, 50.0, spent=spent)
            campaign.budget = budget
            campaign.budget_log.append((now, budget))
            changed = True
        if not changed:
            raise ApiFailure(CODE_NOTHING_TO_UPDATE, "Nothing to update.")
        campaign.modified = now
        self.market.world.touch()
        return campaign_dict(self.market.world, campaign, now)

    def status(self, request: SandboxRequest, now: datetime) -> Any:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        ids = params.idents("campaign_ids", required=True, max_items=20) or []
        operation = params.enum("operation_status", _STATUSES)
        world = self.market.world

        def lookup(cid: str) -> Any | None:
            found = world.campaigns.get(cid) or world.gmv_campaigns.get(cid)
            return found if found is not None and found.advertiser_id == adv.advertiser_id else None

        campaigns, failed = resolve_ids(
            ids, lookup, operation, ids_key="campaign_ids", label="campaign"
        )
        for campaign in campaigns:
            set_status(campaign, operation, now)
            if operation == "DELETE":
                for g in world.adgroups.values():
                    if g.campaign_id == campaign.campaign_id:
                        g.deleted = True
                for a in world.ads.values():
                    if a.campaign_id == campaign.campaign_id:
                        a.deleted = True
        world.touch()
        data = {
            "campaign_ids": [c.campaign_id for c in campaigns],
            "status": operation,
            "campaign_list": [
                {"campaign_id": c.campaign_id, "status": operation} for c in campaigns
            ],
        }
        return partial(data, failed, "campaign_id")
